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


def line_starts(text: bytes) -> list[int]:
    """Byte offsets at which the lines of `text` start."""
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


class LineIndex:
    """Start offsets of every line, kept in blocks so that an edit costs
    O(block + blocks), not O(lines): each block stores its lines' starts
    relative to its base, and an edit shifts only its own block's entries and
    the bases of the blocks after it."""

    BLOCK = 256

    def __init__(self, text: bytes):
        self._build(line_starts(text))

    def _build(self, starts: list[int]) -> None:
        b = self.BLOCK
        self.base = starts[::b]
        self.first_row = list(range(0, len(starts), b))
        self.blocks = [[s - starts[i] for s in starts[i:i + b]] for i in range(0, len(starts), b)]

    def starts(self) -> list[int]:
        """All line starts (O(lines): for callers that want the plain list)."""
        out: list[int] = []
        for base, blk in zip(self.base, self.blocks):
            out.extend(base + s for s in blk)
        return out

    def __len__(self) -> int:
        return self.first_row[-1] + len(self.blocks[-1])

    def __iter__(self):
        return iter(self.starts())

    def __eq__(self, other) -> bool:
        if isinstance(other, LineIndex):
            other = other.starts()
        return isinstance(other, list) and self.starts() == other

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"LineIndex({self.starts()!r})"

    def __getitem__(self, row: int) -> int:
        if row < 0:
            row += len(self)
        b = bisect.bisect_right(self.first_row, row) - 1
        blk = self.blocks[b]
        i = row - self.first_row[b]
        if i >= len(blk):
            raise IndexError(row)
        return self.base[b] + blk[i]

    def row_of(self, offset: int) -> int:
        """The row holding byte `offset` (the last row whose start <= offset)."""
        b = bisect.bisect_right(self.base, offset) - 1
        if b < 0:
            return 0
        return self.first_row[b] + bisect.bisect_right(self.blocks[b], offset - self.base[b]) - 1

    def replace(self, start: int, end: int, new: bytes, first_row: int, last_row: int) -> None:
        """Text[start:end] was replaced by `new`; rows first_row..last_row held start and end."""
        delta = len(new) - (end - start)
        nls = _newline_offsets(new)
        fr, b = self.first_row, bisect.bisect_right(self.first_row, first_row) - 1
        if last_row - fr[b] >= len(self.blocks[b]):  # the edit spans blocks: rebuild (rare)
            starts = self.starts()
            tail = starts[last_row + 1:]
            starts[first_row + 1:] = [start + i + 1 for i in nls] + [s + delta for s in tail]
            self._build(starts)
            return
        blk, base = self.blocks[b], self.base[b]
        i0, i1 = first_row - fr[b], last_row - fr[b]
        added = [start - base + i + 1 for i in nls]
        tail = blk[i1 + 1:]
        if delta and tail:
            tail = [s + delta for s in tail]
        blk[i0 + 1:] = added + tail
        rows = len(nls) - (last_row - first_row)
        if delta or rows:
            bases = self.base
            for j in range(b + 1, len(bases)):
                bases[j] += delta
                fr[j] += rows
        if len(blk) > 2 * self.BLOCK:  # split an overgrown block
            half = len(blk) // 2
            off = blk[half]
            self.blocks[b:b + 1] = [blk[:half], [s - off for s in blk[half:]]]
            self.base.insert(b + 1, base + off)
            fr.insert(b + 1, fr[b] + half)


class Document:
    """Text, line index and tree of one buffer.

    Every change is also logged for incremental analysis: the byte edits in
    order and the ranges each reparse changed, numbered by a sequence that
    only grows (`change_seq`); `changes_between(a, b)` returns what happened
    between two values of it. The log keeps the last MAX_LOG events.
    """

    MAX_LOG = 256  # > IncrementalAnalyzer.MAX_EVENTS: an analyzer further behind reruns the whole file anyway

    def __init__(self, text: bytes | str, version: int | None = None, parser: Parser | None = None):
        self.parser = parser or new_parser()
        self.version = version
        self.text = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        self.index = LineIndex(self.text)
        self.tree: Tree = self.parser.parse(self.text)
        self.edits: list[ByteEdit] = []  # edits since the last reparse
        # (absolute sequence number of the first event, events): ByteEdit, a (start, end)
        # range a reparse changed, or None (everything changed). One tuple, swapped
        # atomically, so another thread may read it while this one appends.
        self._log: tuple[int, list] = (0, [None])
        self._in_token: tuple[str, int, int] | None = None  # see replace()
        self._in_top: tuple[str, int, int] | None = None

    @property
    def lines(self) -> "LineIndex":
        """Start offset of every line: supports len() and [row] (see LineIndex)."""
        return self.index

    @property
    def change_seq(self) -> int:
        """Number of changes logged so far: a version of the text and tree for `changes_between`."""
        base, log = self._log
        return base + len(log)

    def changes_between(self, a: int, b: int) -> list | None:
        """The events that turn state `a` into state `b` (values of `change_seq`), in order:
        ByteEdits and changed (start, end) ranges, in the coordinates current at each event.
        None when unknown (too old, b before a, or the whole text was replaced in between)."""
        base, log = self._log
        if a < base or b < a or b > base + len(log):
            return None
        events = log[a - base:b - base]
        return None if any(e is None for e in events) else events

    def _note(self, item) -> None:
        base, log = self._log
        log.append(item)
        if len(log) > self.MAX_LOG:
            half = len(log) // 2
            self._log = (base + half, log[half:])

    # -- positions ---------------------------------------------------------
    def line_bytes(self, row: int) -> bytes:
        index = self.index
        start = index[row]
        end = index[row + 1] - 1 if row + 1 < len(index) else len(self.text)
        return self.text[start:end]

    def point(self, offset: int) -> tuple[int, int]:
        """(row, byte column) of a byte offset."""
        row = self.index.row_of(offset)
        return row, offset - self.index[row]

    def offset(self, line: int, character: int, encoding: str) -> int:
        """Byte offset of an LSP position; positions past the end clamp to it."""
        if line < 0:
            return 0
        if line >= len(self.index):
            return len(self.text)
        raw = self.line_bytes(line)
        if raw.endswith(b"\r"):
            raw = raw[:-1]  # a column never points between CR and LF
        return self.index[line] + units_to_bytes(raw, character, encoding)

    def position(self, offset: int, encoding: str) -> tuple[int, int]:
        """LSP (line, character) of a byte offset."""
        offset = max(0, min(offset, len(self.text)))
        row, col = self.point(offset)
        if encoding == UTF8:
            return row, col
        start = offset - col
        return row, bytes_to_units(self.text[start:offset], col, encoding)

    # -- edits -------------------------------------------------------------
    def drop_tree(self) -> None:
        """Free the tree (an idle buffer: a tree costs ~20x the text). The next edit or
        `ensure_tree` parses the text again; the change log is unaffected (same text)."""
        if not self.edits:
            self.tree = None  # type: ignore[assignment]

    def ensure_tree(self) -> Tree:
        if self.tree is None:
            self.tree = self.parser.parse(self.text)
        return self.tree

    def replace(self, start: int, end: int, new: bytes) -> ByteEdit:
        """Replace text[start:end] with `new`, editing the tree to match (no reparse)."""
        if self.tree is None:
            self.ensure_tree()
        text = self.text
        start = max(0, min(start, len(text)))
        end = max(start, min(end, len(text)))
        start_point = self.point(start)
        old_end_point = self.point(end)
        # The token the edit falls strictly inside, if any: when the reparse leaves a token of
        # the same type over the same (shifted) extent there, the structure cannot have
        # changed and reparse() skips Tree.changed_ranges (O(top-level nodes)).
        # (Only in an error-free tree: tree-sitter re-parses the nodes that hold errors on every
        # reparse, and they may come out differently anywhere in the file.)
        root = self.tree.root_node
        leaf = root.descendant_for_byte_range(start, end) if not self.edits and not root.has_error else None
        self._in_token = self._in_top = None
        delta = len(new) - (end - start)
        if leaf is not None and leaf.child_count == 0 and leaf.start_byte < start and end < leaf.end_byte:
            self._in_token = (leaf.type, leaf.start_byte, leaf.end_byte + delta)
        if leaf is not None:
            # Likewise, the top-level node the edit falls strictly inside: when the reparse leaves one
            # of the same type over the same (shifted) extent, nothing outside it changed (the parser
            # is back in the same top-level state at its end), and its span replaces changed_ranges.
            top = _top_level_at(self.tree.root_node, start)
            if top is not None and top.start_byte < start and end < top.end_byte:
                self._in_top = (top.type, top.start_byte, top.end_byte + delta)
        nl = new.count(b"\n")
        if nl:
            new_end_point = (start_point[0] + nl, len(new) - new.rfind(b"\n") - 1)
        else:
            new_end_point = (start_point[0], start_point[1] + len(new))
        self.text = text[:start] + new + text[end:]
        self.index.replace(start, end, new, start_point[0], old_end_point[0])
        self.tree.edit(
            start_byte=start, old_end_byte=end, new_end_byte=start + len(new),
            start_point=start_point, old_end_point=old_end_point, new_end_point=new_end_point,
        )
        edit = ByteEdit(start, end, start + len(new))
        self.edits.append(edit)
        self._note(edit)
        return edit

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
        self.index = LineIndex(self.text)
        self.tree = self.parser.parse(self.text)
        self.edits = [ByteEdit(0, 0, 0)]  # everything changed; reparse() is a no-op fresh parse
        self._note(None)

    def _same_token(self) -> bool:
        """One edit, strictly inside a token that is still there, same type, same extent."""
        if self._in_token is None or len(self.edits) != 1:
            return False
        kind, start, end = self._in_token
        e = self.edits[0]
        leaf = self.tree.root_node.descendant_for_byte_range(e.start, e.new_end)
        return (leaf is not None and leaf.child_count == 0 and leaf.type == kind
                and leaf.start_byte == start and leaf.end_byte == end)

    def _same_top(self) -> tuple[int, int] | None:
        """(start, end) of the top-level node the one edit fell inside, if it is still there unchanged."""
        if self._in_top is None or len(self.edits) != 1:
            return None
        kind, start, end = self._in_top
        top = _top_level_at(self.tree.root_node, self.edits[0].start)
        if top is not None and top.type == kind and top.start_byte == start and top.end_byte == end:
            return start, end
        return None

    def reparse(self) -> Tree:
        """Reparse incrementally after edits, reusing the edited old tree."""
        old = self.tree
        if old is None:
            return self.ensure_tree()
        self.tree = self.parser.parse(self.text, old)
        if self.edits and not self._same_token():
            top = self._same_top()
            if top is not None:
                self._note(top)
            else:
                for r in old.changed_ranges(self.tree):
                    self._note((r.start_byte, r.end_byte))
        self.edits.clear()
        self._in_token = self._in_top = None
        return self.tree


def _top_level_at(root, offset: int):
    """The top-level node holding byte `offset`, or None (a cursor: O(top-level nodes) in C)."""
    cursor = root.walk()
    if cursor.goto_first_child_for_byte(offset) is None:
        return None
    node = cursor.node
    return node if node.start_byte <= offset < node.end_byte else None


def _newline_offsets(data: bytes) -> list[int]:
    out = []
    i = data.find(b"\n")
    while i >= 0:
        out.append(i)
        i = data.find(b"\n", i + 1)
    return out


_line_starts = line_starts  # the name the tests use
