"""Document: positions in the three LSP encodings, CRLF, clamping, incremental edits."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from plumber.core.positions import UTF8, UTF16, UTF32
from plumber.syntax.document import Document
from plumber.syntax.parser import new_parser

TEXT = 'package p\n\n// é 世界 😀 x\nvar s = "😀"\n'


def rng(l1, c1, l2, c2):
    return NS(start=NS(line=l1, character=c1), end=NS(line=l2, character=c2))


@pytest.mark.parametrize(
    "enc,col",
    [(UTF8, 3 + 2 + 1 + 6 + 1 + 4 + 1), (UTF16, 3 + 1 + 1 + 2 + 1 + 2 + 1), (UTF32, 3 + 1 + 1 + 2 + 1 + 1 + 1)],
)
def test_positions_after_multibyte_characters(enc, col):
    doc = Document(TEXT)
    x = TEXT.encode().index(b"x")
    assert doc.position(x, enc) == (2, col)
    assert doc.offset(2, col, enc) == x


@pytest.mark.parametrize("enc", [UTF8, UTF16, UTF32])
def test_edit_after_emoji_on_the_same_line(enc):
    doc = Document(TEXT)
    x = TEXT.encode().index(b"x")
    line, col = doc.position(x, enc)
    doc.apply_lsp_change(rng(line, col, line, col + 1), "yé", enc)
    doc.reparse()
    assert doc.text == TEXT.replace(" x", " yé").encode()
    assert str(doc.tree.root_node) == str(new_parser().parse(doc.text).root_node)


def test_crlf_lines_and_columns():
    text = 'package p\r\n\r\nfunc f() {\r\n\tx := "é"\r\n}\r\n'
    doc = Document(text)
    assert doc.lines == [0, 11, 13, 25, 37, 40]
    # a column past the line's end clamps before the CR, never between CR and LF
    assert doc.offset(0, 100, UTF16) == 9
    assert doc.position(text.encode().index(b'"'), UTF16) == (3, 6)
    doc.apply_lsp_change(rng(3, 8, 3, 9), "世界", UTF16)  # the closing quote, after é (1 unit)
    doc.reparse()
    assert doc.text == text.replace('"é"', '"é世界').encode()


def test_multiline_insert_and_delete_across_lines():
    doc = Document("package p\n\nfunc a() {}\n\nfunc b() {}\n")
    doc.apply_lsp_change(rng(2, 0, 4, 0), "", UTF16)
    doc.apply_lsp_change(rng(1, 0, 1, 0), "// 😀\n// two\n", UTF16)
    doc.reparse()
    want = b"package p\n// \xf0\x9f\x98\x80\n// two\n\nfunc b() {}\n"
    assert doc.text == want
    assert doc.lines == [0, 10, 18, 25, 26, 38]
    assert str(doc.tree.root_node) == str(new_parser().parse(want).root_node)


def test_out_of_range_positions_clamp():
    doc = Document("package p\nvar x int")
    assert doc.offset(99, 0, UTF16) == len(doc.text)
    assert doc.offset(1, 99, UTF8) == len(doc.text)
    assert doc.offset(-1, 0, UTF16) == 0
    doc.apply_lsp_change(rng(50, 0, 60, 0), "\nvar y int\n", UTF16)  # lands at the end
    doc.reparse()
    assert doc.text == b"package p\nvar x int\nvar y int\n"
    # reversed ranges are normalised
    doc.apply_lsp_change(rng(1, 9, 1, 4), "", UTF16)
    doc.reparse()
    assert doc.text == b"package p\nvar \nvar y int\n"


def test_set_text_resets_and_edits_continue():
    doc = Document("package p\n")
    doc.set_text("package q\n\nvar é = 1\n")
    doc.reparse()
    doc.apply_lsp_change(rng(2, 5, 2, 5), "è", UTF16)
    doc.reparse()
    assert doc.text == "package q\n\nvar éè = 1\n".encode()
    assert str(doc.tree.root_node) == str(new_parser().parse(doc.text).root_node)


def test_empty_and_binary_documents():
    doc = Document(b"")
    assert doc.position(0, UTF16) == (0, 0) and doc.offset(3, 3, UTF16) == 0
    doc = Document(b"\x00\xff\xfe garbage \x80")
    assert doc.position(len(doc.text), UTF16)[0] == 0
    doc.apply_lsp_change(rng(0, 2, 0, 3), "package p\n", UTF16)
    doc.reparse()
    assert doc.tree.root_node is not None
