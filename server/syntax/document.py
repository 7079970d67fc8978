"""A Go buffer kept in step with the editor: UTF-8 bytes, a line index and a
tree-sitter tree, all updated incrementally from LSP-style edits.

Positions come in three units: byte offsets (what checks use), points (row,
byte column: what tree-sitter uses) and LSP positions (line, column in the
negotiated encoding: utf-8, utf-16 or utf-32).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Parser, Tree

from plumber.core.positions import UTF8, LspLines, bytes_to_units, has_lone_cr, units_to_bytes
from plumber.syntax.line_index import LineIndex
from plumber.syntax.parser import new_parser


@dataclass(frozen=True, slots=True)
class ByteEdit:
    """One applied edit, in the old text's byte offsets."""

    start: int
    old_end: int
    new_end: int


class Document:
    """Text, line index and tree of one buffer.

    Every change is also logged for incremental analysis: the byte edits in
    order and the ranges each reparse changed, numbered by a sequence that
    only grows (`change_seq`); `changes_between(a, b)` returns what happened
    between two values of it. The log keeps the last MAX_LOG events.
    """

    MAX_LOG = 256  # > IncrementalAnalyzer.MAX_EVENTS: an analyzer further behind reruns the whole file anyway

    def __init__(self, text: bytes | str, version: int | None = None, parser: Parser | None = None, parse: bool = True):
        self.parser = parser or new_parser()
        self.version = version
        self.text = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        self.index = LineIndex(self.text)
        # text_only: the text and line index are kept in step, but nothing is parsed (a document
        # over the server's size limit); `start_parsing` leaves that mode.
        self.text_only = not parse
        self.tree: Tree = None if self.text_only else self.parser.parse(self.text)  # type: ignore[assignment]
        self.edits: list[ByteEdit] = []  # edits since the last reparse
        # (absolute sequence number of the first event, events): ByteEdit, a (start, end)
        # range a reparse changed, or None (everything changed). One tuple, swapped
        # atomically, so another thread may read it while this one appends.
        self._log: tuple[int, list] = (0, [None])
        self._in_token: tuple[str, int, int] | None = None  # see replace()
        self._in_top: tuple[str, int, int] | None = None
        self._lsp: tuple[bytes, LspLines | None] | None = None  # see lsp_lines()

    @property
    def lines(self) -> LineIndex:
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
        events = log[a - base : b - base]
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

    def lsp_lines(self) -> LspLines | None:
        """LSP's own lines when the text holds a lone CR (a line break to LSP, not to Go or to the
        line index, which follows tree-sitter's rows); None for every other text. Cached per text."""
        text = self.text
        if self._lsp is None or self._lsp[0] is not text:
            self._lsp = (text, LspLines(text) if b"\r" in text and has_lone_cr(text) else None)
        return self._lsp[1]

    def lsp_line_count(self) -> int:
        lsp = self.lsp_lines()
        return len(lsp.starts) if lsp is not None else len(self.index)

    def lsp_line_bytes(self, row: int) -> bytes:
        """The bytes of LSP line `row`, without its LF (a CR before it stays)."""
        lsp = self.lsp_lines()
        if lsp is None:
            return self.line_bytes(row)
        starts = lsp.starts
        end = starts[row + 1] if row + 1 < len(starts) else len(self.text)
        raw = self.text[starts[row] : end]
        return raw[:-1] if raw.endswith(b"\n") else raw

    def offset(self, line: int, character: int, encoding: str) -> int:
        """Byte offset of an LSP position; positions past the end clamp to it."""
        lsp = self.lsp_lines()
        if lsp is not None:
            if line < 0:
                return 0
            if line >= len(lsp.starts):
                return len(self.text)
            raw = self.lsp_line_bytes(line)
            return lsp.starts[line] + units_to_bytes(raw.rstrip(b"\r"), character, encoding)
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
        lsp = self.lsp_lines()
        if lsp is not None:
            return lsp.position(offset, encoding)
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

    def stop_parsing(self) -> None:
        """Text only from now on: the tree is freed and edits no longer touch one."""
        self.text_only = True
        self.tree = None  # type: ignore[assignment]
        self.edits.clear()
        self._note(None)

    def start_parsing(self) -> Tree:
        """Leave text-only mode: a fresh parse (everything changed, for incremental analysis)."""
        self.text_only = False
        self.tree = self.parser.parse(self.text)
        self.edits.clear()
        self._note(None)
        return self.tree

    def ensure_tree(self) -> Tree:
        if self.text_only:
            raise RuntimeError("a text-only document has no tree")
        if self.tree is None:
            self.tree = self.parser.parse(self.text)
        return self.tree

    def replace(self, start: int, end: int, new: bytes) -> ByteEdit:
        """Replace text[start:end] with `new`, editing the tree to match (no reparse)."""
        if self.text_only:
            return self._replace_text(start, end, new)
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
            start_byte=start,
            old_end_byte=end,
            new_end_byte=start + len(new),
            start_point=start_point,
            old_end_point=old_end_point,
            new_end_point=new_end_point,
        )
        edit = ByteEdit(start, end, start + len(new))
        self.edits.append(edit)
        self._note(edit)
        return edit

    def _replace_text(self, start: int, end: int, new: bytes) -> ByteEdit:
        text = self.text
        start = max(0, min(start, len(text)))
        end = max(start, min(end, len(text)))
        first, last = self.point(start)[0], self.point(end)[0]
        self.text = text[:start] + new + text[end:]
        self.index.replace(start, end, new, first, last)
        edit = ByteEdit(start, end, start + len(new))
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
        if self.text_only:
            self._note(None)
            return
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
        return (
            leaf is not None
            and leaf.child_count == 0
            and leaf.type == kind
            and leaf.start_byte == start
            and leaf.end_byte == end
        )

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
        """Reparse incrementally after edits, reusing the edited old tree (None for a text-only document)."""
        if self.text_only:
            return None  # type: ignore[return-value]
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
