"""The editor tests' shared fixture: a fresh copy of the Go workspace they open."""

import os
import shutil

import pytest
from editorutil import WORKSPACE


@pytest.fixture
def go_workspace(tmp_path):
    """A copy of tests/editors/workspace (go.mod, main.go with an unclosed HTTP body)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("go.mod", "main.go"):
        shutil.copy(os.path.join(WORKSPACE, name), ws / name)
    return ws
