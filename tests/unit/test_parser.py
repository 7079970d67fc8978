"""One combined query run per tree, and what it must survive."""

from __future__ import annotations

import pytest

from plumber.syntax.nodes import walking
from plumber.syntax.parser import captures, new_parser, whole_captures

COMMENT_X = '((comment) @c (#match? @c "^//x"))'
CALLS = "(call_expression function: (identifier) @fn) @call"


def test_a_text_predicate_on_bytes_that_are_not_utf8_fails_only_its_own_query():
    """py-tree-sitter decodes a `#match?` capture strictly: in a Latin-1 comment that raises. The
    combined run then answers nothing, and each query runs alone: the calls are still found."""
    plain = new_parser().parse(b"package p\n\n// x\nfunc f() { g() }\n").root_node
    with walking(plain):
        whole_captures(COMMENT_X, plain)  # both queries now belong to the combined run
        whole_captures(CALLS, plain)
    source = "package p\n\n// caf\xe9\nfunc f() { g() }\n".encode("latin-1")
    root = new_parser().parse(source).root_node
    with walking(root):
        got = whole_captures(CALLS, root)
        assert [n.text for n in got["fn"]] == [b"g"] == [n.text for n in captures(CALLS, root)["fn"]]
        with pytest.raises(UnicodeDecodeError):
            whole_captures(COMMENT_X, root)
