import os
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
# The shared helpers (analysistest, cliutil, runtimeutil, lsputil, editorutil, faultutil) live beside their tests.
for sub in ("", "unit", "checks", "cli", "runtime", "lsp", "editors", "faults"):
    sys.path.insert(0, os.path.join(TESTS, sub))


@pytest.fixture(scope="session")
def heapleak():
    """The heapleak Go program built, run and profiled once per session (tests/runtime/heapleakutil.py);
    shared by the runtime, LSP and editor tests."""
    from heapleakutil import profiled

    yield from profiled()
