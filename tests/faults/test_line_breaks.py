"""LSP counts a lone CR as a line break (like LF and CRLF): diagnostics and edits follow it."""

from __future__ import annotations

import re

import pytest
from faultutil import RawServer, unclosed_files


def _reference_line(text: str, needle: str) -> int:
    """The LSP line of `needle`, by the spec's own rule (\\r\\n, \\n and \\r end a line)."""
    return len(re.split(r"\r\n|\r|\n", text[: text.index(needle)])) - 1


def test_lsp_line_starts_break_at_cr_lf_and_crlf():
    from plumber.core.positions import Lines, LspLines, lsp_line_starts

    assert lsp_line_starts(b"a\rb\r\nc\nd") == [0, 2, 5, 7]
    assert lsp_line_starts(b"\r\r\n\n") == [0, 1, 3, 4]
    assert LspLines(b"a\rb").position(2, "utf-16") == (1, 0)
    assert Lines(b"a\rb").position(2, "utf-16") == (0, 2)  # the CLI counts like go vet: LF only


@pytest.fixture
def server():
    s = RawServer()
    yield s
    s.kill()


def test_diagnostics_after_lone_crs_are_on_the_right_line(server, tmp_path):
    server.initialize()
    uri = (tmp_path / "a.go").as_uri()
    text = unclosed_files(2).replace("import", "\r\r\rimport").replace("err := os", "err :=\ros")
    server.open(uri, text)
    diags = server.diagnostics(uri, 1)["diagnostics"]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    got = sorted(d["range"]["start"]["line"] for d in diags)
    opens = [i for i, line in enumerate(lines) if line.startswith("os.Open(name)")]
    assert opens == [_reference_line(text, "func open0") + 2, _reference_line(text, "func open1") + 2]
    assert got == opens, (got, opens)


def test_an_edit_after_lone_crs_lands_where_the_client_thinks(server, tmp_path):
    server.initialize()
    uri = (tmp_path / "a.go").as_uri()
    # (lone CRs inside a comment: Go reads them as blanks, so the file stays valid Go, which the
    # program model needs before it speaks; after the package clause they would be a syntax error)
    text = 'package a\n\n// x\ry\rz\nimport "os"\n\nfunc f(name string) {\n\t_ = name\n}\n'
    server.open(uri, text)
    server.diagnostics(uri, 1)
    # replace `_ = name` (LSP line 8: the lone CRs end lines 2 and 3) with an unclosed open
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {
                    "range": {"start": {"line": 8, "character": 1}, "end": {"line": 8, "character": 9}},
                    "text": "f, _ := os.Open(name)\n\t_ = f",
                }
            ],
        },
    )
    diags = server.diagnostics(uri, 2)["diagnostics"]
    assert [(d["code"], d["range"]["start"]["line"]) for d in diags] == [("unclosed-file", 8)]
