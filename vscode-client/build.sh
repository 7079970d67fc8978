#!/usr/bin/env bash
# Builds the VS Code extension:
#   bash vscode-client/build.sh                  plumber-<version>.vsix: universal, carries the Plumber wheel
#                                                (offered for install into a private venv, which needs PyPI)
#   TARGET=linux-x64 bash vscode-client/build.sh plumber-linux-x64-<version>.vsix: also the server and its
#                                                Python libraries for that platform, so only a Python 3.11+
#                                                is needed (no network, no pip)
# PYTHON selects the Python that builds the wheel and downloads the libraries (default: the repo's .venv,
# else python3). Needs the npm packages of the lockfile (cached after the first run) and, for a platform
# build, the libraries' wheels from PyPI or pip's cache (pip download); vsce itself works offline.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$here"
target="${TARGET:-universal}"
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
"$PYTHON" icon.py
version="$(node -p 'require("./package.json").version')"

case "$target" in
  universal) out="plumber-$version.vsix"; vsce_target=() ;;
  linux-x64)
    out="plumber-linux-x64-$version.vsix"; vsce_target=(--target linux-x64)
    platforms=(--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
               --platform manylinux_2_5_x86_64 --platform manylinux1_x86_64)
    wheel="$(ls bundled/plumber_lsp-*.whl)"
    dl="$(mktemp -d)"; trap 'rm -rf "$dl"' EXIT
    # The wheel's dependencies, resolved for the oldest Python supported; what is built per Python
    # version (tree-sitter, cp3XY wheels) goes to libs/cp3XY, the rest (pure, abi3) to libs/common.
    "$PYTHON" -m pip download --quiet --only-binary=:all: "${platforms[@]}" --python-version 3.11 \
      --implementation cp -d "$dl/common" "$wheel"
    "$PYTHON" - "$dl/common" bundled/libs/common <<'PY'
import glob, os, sys, zipfile
src, dest = sys.argv[1:]
for whl in sorted(glob.glob(os.path.join(src, "*.whl"))):
    tags = os.path.basename(whl)[:-4].split("-")[-3:]
    if tags[1] not in ("none", "abi3"):  # built for one Python version: per version below
        continue
    zipfile.ZipFile(whl).extractall(dest)
PY
    ts="$("$PYTHON" -c 'import glob,sys,os; [print(os.path.basename(w).split("-")[1]) for w in glob.glob(sys.argv[1]+"/tree_sitter-*.whl")]' "$dl/common")"
    for v in 3.11 3.12 3.13 3.14; do
      tag="cp${v/./}"
      if "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: "${platforms[@]}" --python-version "$v" \
          --implementation cp -d "$dl/$tag" "tree-sitter==$ts" 2>/dev/null; then
        "$PYTHON" -c 'import glob,sys,zipfile; [zipfile.ZipFile(w).extractall(sys.argv[2]) for w in glob.glob(sys.argv[1]+"/*.whl")]' \
          "$dl/$tag" "bundled/libs/$tag"
      else
        echo "build.sh: no tree-sitter $ts wheel for Python $v on $target: that Python cannot run the bundle" >&2
      fi
    done
    find bundled/libs -name __pycache__ -prune -exec rm -rf {} +
    echo "build.sh: bundled $(ls bundled/libs | tr '\n' ' ')($(du -sh bundled/libs | cut -f1))" >&2
    ;;
  *) echo "build.sh: TARGET must be universal or linux-x64, not $target" >&2; exit 2 ;;
esac
npm run --silent build
npx vsce package --no-dependencies "${vsce_target[@]}" -o "$out"
echo "built $here/$out"
