#!/usr/bin/env bash
# Builds vscode-client/plumber-<version>.vsix: the bundled extension plus the Plumber wheel.
#   bash vscode-client/build.sh        (or: cd vscode-client && npm run package)
# PYTHON selects the Python that builds the wheel (default: the repo's .venv, else python3).
# Needs only the npm registry's packages in the lockfile (cached after the first run) and
# setuptools for the wheel; vsce itself works offline.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$here"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$root/.venv/bin/python" ]; then PYTHON="$root/.venv/bin/python"; else PYTHON=python3; fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if "$PYTHON" -c 'import plumber.diagnostics' 2>/dev/null; then
  "$PYTHON" sync_settings.py --check  # package.json's settings match the server's
else
  echo "build.sh: plumber is not importable with $PYTHON; not checking package.json's settings" >&2
fi
rm -rf bundled dist
mkdir -p bundled
"$PYTHON" -m pip wheel --quiet --no-deps "$root" -w bundled/
npm run --silent build
version="$(node -p 'require("./package.json").version')"
npx vsce package --no-dependencies --allow-missing-repository --skip-license -o "plumber-$version.vsix"
echo "built $here/plumber-$version.vsix"
