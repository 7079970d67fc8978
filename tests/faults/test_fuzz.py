"""The randomized session of `make fuzz`, short and with fixed seeds: crashes, hangs, tracebacks in
the log and mismatches against a fresh server fail it."""

from __future__ import annotations

import pytest
from fuzz import lsp_position, run


def test_lsp_position_counts_lines_and_utf16_like_the_spec():
    text = "a\r\nb\rc😀d\ne"
    assert lsp_position(text, 0) == {"line": 0, "character": 0}
    assert lsp_position(text, text.index("b")) == {"line": 1, "character": 0}
    assert lsp_position(text, text.index("d")) == {"line": 2, "character": 3}
    assert lsp_position(text, text.index("e")) == {"line": 3, "character": 0}


@pytest.mark.parametrize("seed", [11, 12])
def test_a_short_fuzz_session_is_clean(seed):
    assert run(8.0, seed) == 0
