"""Positions: byte offsets, (line, column) in an encoding, and the conversions between them.

Checks work in UTF-8 byte offsets (tree-sitter's unit). The CLI prints
1-based lines and UTF-8 byte columns (as go vet does) and UTF-16 columns for
SARIF; LSP speaks (line, character) in the negotiated encoding. Every
conversion goes through this module.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def line_starts(text: bytes) -> list[int]:
    """Byte offsets at which the lines of `text` start."""
    starts = [0]
    find = text.find
    i = find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


_LSP_BREAK = re.compile(rb"\r\n|\r|\n")


def lsp_line_starts(text: bytes) -> list[int]:
    """Line starts as LSP counts them: LF, CRLF and a lone CR each end a line (Go and go vet: LF only)."""
    if b"\r" not in text:
        return line_starts(text)
    return [0, *(m.end() for m in _LSP_BREAK.finditer(text))]


def has_lone_cr(text: bytes) -> bool:
    return text.count(b"\r") != text.count(b"\r\n")


def line_bounds(source: bytes, offset: int) -> tuple[int, int]:
    """[start, end) of the line holding `offset`, without its "\\n"."""
    start = source.rfind(b"\n", 0, offset) + 1
    end = source.find(b"\n", offset)
    return start, (len(source) if end < 0 else end)


def units_to_bytes(line: bytes, units: int, encoding: str) -> int:
    """Byte length of the first `units` code units of `line` (clamped to the line)."""
    if encoding == UTF8:
        return min(units, len(line))
    if units <= 0:
        return 0
    # Fast path: ASCII prefix, where every unit is one byte.
    if line[:units].isascii():
        return min(units, len(line))
    s = line.decode("utf-8", "surrogateescape")
    count = 0
    for i, ch in enumerate(s):
        if count >= units:
            return len(s[:i].encode("utf-8", "surrogateescape"))
        count += 2 if encoding == UTF16 and ord(ch) > 0xFFFF else 1
    return len(line)


def bytes_to_units(line: bytes, nbytes: int, encoding: str) -> int:
    """Number of code units in the first `nbytes` bytes of `line`."""
    prefix = line[:nbytes]
    if encoding == UTF8 or prefix.isascii():
        return len(prefix)
    s = prefix.decode("utf-8", "surrogateescape")
    if encoding == UTF32:
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def position(source: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """0-based (line, character) of a byte offset, in `encoding` (O(offset): for one-off conversions)."""
    offset = max(0, min(offset, len(source)))
    line = source.count(b"\n", 0, offset)
    start = source.rfind(b"\n", 0, offset) + 1
    return line, bytes_to_units(source[start:offset], offset - start, encoding)


class Pos(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, in UTF-8 bytes (like go vet)
    column16: int  # 1-based, in UTF-16 code units (SARIF's default column kind)


class Span(NamedTuple):
    start: Pos
    end: Pos


class Lines:
    """The line starts of one immutable text, for many conversions (O(log lines) each)."""

    def __init__(self, source: bytes):
        self.source = source
        self.starts = self._starts(source)

    @staticmethod
    def _starts(source: bytes) -> list[int]:
        return line_starts(source)

    def row(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def position(self, offset: int, encoding: str) -> tuple[int, int]:
        """0-based (line, character) in `encoding`."""
        offset = max(0, min(offset, len(self.source)))
        row = self.row(offset)
        start = self.starts[row]
        return row, bytes_to_units(self.source[start:offset], offset - start, encoding)

    def pos(self, offset: int) -> Pos:
        """1-based line, UTF-8 byte column and UTF-16 column."""
        offset = max(0, min(offset, len(self.source)))
        row = self.row(offset)
        start = self.starts[row]
        col = offset - start
        return Pos(row + 1, col + 1, bytes_to_units(self.source[start:offset], col, UTF16) + 1)

    def span(self, start: int, end: int) -> Span:
        return Span(self.pos(start), self.pos(end))


class LspLines(Lines):
    """Lines as an LSP client counts them (a lone CR ends a line too)."""

    @staticmethod
    def _starts(source: bytes) -> list[int]:
        return lsp_line_starts(source)
