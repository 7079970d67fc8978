"""Shared pieces of the editor end-to-end tests (test_neovim.py, test_vscode.py)."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

E2E = os.path.dirname(os.path.abspath(__file__))
WORKSPACE = os.path.join(E2E, "workspace")
ROOT = os.path.dirname(os.path.dirname(E2E))
VENV_BIN = os.path.dirname(sys.executable)

# The quick fix's title, the diagnostic's message, and the Go file's text after the fix.
FIX_TITLE = "Insert defer resp.Body.Close()"
MESSAGE = "resp.Body is never closed"


def golden() -> str:
    with open(os.path.join(WORKSPACE, "main.go.golden"), encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def go_workspace(tmp_path):
    """A copy of tests/e2e/workspace (go.mod, main.go with an unclosed HTTP body)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("go.mod", "main.go"):
        shutil.copy(os.path.join(WORKSPACE, name), ws / name)
    return ws


def tool_path() -> str:
    """PATH with this venv's bin first, so `plumber` is the checkout's plumber."""
    return VENV_BIN + os.pathsep + os.environ.get("PATH", "")


def plumber_command() -> str:
    """The command line that runs this checkout's plumber (for the plumber.path setting)."""
    exe = os.path.join(VENV_BIN, "plumber")
    if os.path.exists(exe):
        return exe
    return shutil.which("plumber") or f"{sys.executable} -m plumber"
