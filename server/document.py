"""A Go buffer kept in step with the editor: UTF-8 bytes, a line index and a
tree-sitter tree, all updated incrementally from LSP-style edits.

Positions come in three units: byte offsets (what checks use), points (row,
byte column: what tree-sitter uses) and LSP positions (line, column in the
negotiated encoding: utf-8, utf-16 or utf-32).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tree_sitter import Parser, Tree

from plumber.golang import new_parser

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


@dataclass(frozen=True, slots=True)
class ByteEdit:
    """One applied edit, in the old text's byte offsets."""

    start: int
    old_end: int
    new_end: int


def _line_starts(text: bytes) -> list[int]:
    starts = [0]
    find = text.find
    i = find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


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


class Document:
    """Text, line index and tree of one buffer."""

    def __init__(self, text: bytes | str, version: int | None = None, parser: Parser | None = None):
        self.parser = parser or new_parser()
        self.version = version
        self.text = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        self.lines = _line_starts(self.text)
        self.tree: Tree = self.parser.parse(self.text)
        self.edits: list[ByteEdit] = []  # edits since the last reparse

    # -- positions ---------------------------------------------------------
    def line_bytes(self, row: int) -> bytes:
        start = self.lines[row]
        end = self.lines[row + 1] - 1 if row + 1 < len(self.lines) else len(self.text)
        return self.text[start:end]

    def point(self, offset: int) -> tuple[int, int]:
        """(row, byte column) of a byte offset."""
        row = bisect.bisect_right(self.lines, offset) - 1
        return row, offset - self.lines[row]

    def offset(self, line: int, character: int, encoding: str) -> int:
        """Byte offset of an LSP position; positions past the end clamp to it."""
        if line < 0:
            return 0
        if line >= len(self.lines):
            return len(self.text)
        raw = self.line_bytes(line)
        if raw.endswith(b"\r"):
            raw = raw[:-1]  # a column never points between CR and LF
        return self.lines[line] + units_to_bytes(raw, character, encoding)

    def position(self, offset: int, encoding: str) -> tuple[int, int]:
        """LSP (line, character) of a byte offset."""
        offset = max(0, min(offset, len(self.text)))
        row, col = self.point(offset)
        if encoding == UTF8:
            return row, col
        start = self.lines[row]
        return row, bytes_to_units(self.text[start:offset], col, encoding)

    # -- edits -------------------------------------------------------------
    def replace(self, start: int, end: int, new: bytes) -> ByteEdit:
        """Replace text[start:end] with `new`, editing the tree to match (no reparse)."""
        text = self.text
        start = max(0, min(start, len(text)))
        end = max(start, min(end, len(text)))
        start_point = self.point(start)
        old_end_point = self.point(end)
        nl = new.count(b"\n")
        if nl:
            new_end_point = (start_point[0] + nl, len(new) - new.rfind(b"\n") - 1)
        else:
            new_end_point = (start_point[0], start_point[1] + len(new))
        self.text = text[:start] + new + text[end:]
        self._update_lines(start, end, new, start_point[0], old_end_point[0])
        self.tree.edit(
            start_byte=start, old_end_byte=end, new_end_byte=start + len(new),
            start_point=start_point, old_end_point=old_end_point, new_end_point=new_end_point,
        )
        edit = ByteEdit(start, end, start + len(new))
        self.edits.append(edit)
        return edit

    def _update_lines(self, start: int, end: int, new: bytes, first_row: int, last_row: int) -> None:
        lines = self.lines
        delta = len(new) - (end - start)
        added = [start + i + 1 for i in _newline_offsets(new)]
        tail = lines[last_row + 1:]
        if delta:
            tail = [s + delta for s in tail]
        lines[first_row + 1:] = added + tail

    def apply_lsp_change(self, change_range, text: str, encoding: str) -> ByteEdit:
        """Apply one LSP content change with a range (start/end have .line/.character)."""
        start = self.offset(change_range.start.line, change_range.start.character, encoding)
        end = self.offset(change_range.end.line, change_range.end.character, encoding)
        if end < start:
            start, end = end, start
        return self.replace(start, end, text.encode("utf-8", "surrogateescape"))

    def set_text(self, text: bytes | str) -> None:
        """Replace the whole text (full sync): a fresh parse."""
        self.text = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        self.lines = _line_starts(self.text)
        self.tree = self.parser.parse(self.text)
        self.edits = [ByteEdit(0, 0, 0)]  # everything changed; reparse() is a no-op fresh parse

    def reparse(self) -> Tree:
        """Reparse incrementally after edits, reusing the edited old tree."""
        self.tree = self.parser.parse(self.text, self.tree)
        self.edits.clear()
        return self.tree


def _newline_offsets(data: bytes) -> list[int]:
    out = []
    i = data.find(b"\n")
    while i >= 0:
        out.append(i)
        i = data.find(b"\n", i + 1)
    return out
