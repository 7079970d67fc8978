"""The line index of a buffer: the start offset of every line, updated in place by an edit.

A `Document` keeps one beside its text and tree; it lives in a room of its own
because it is plain offset arithmetic over bytes (no tree-sitter), kept in
blocks so that an edit costs O(block + blocks) rather than O(lines).
"""

from __future__ import annotations

import bisect

from plumber.core.positions import line_starts


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
        self.blocks = [[s - starts[i] for s in starts[i : i + b]] for i in range(0, len(starts), b)]

    def starts(self) -> list[int]:
        """All line starts (O(lines): for callers that want the plain list)."""
        out: list[int] = []
        for base, blk in zip(self.base, self.blocks, strict=False):
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

    __hash__ = None  # type: ignore[assignment]  # mutable

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
            tail = starts[last_row + 1 :]
            starts[first_row + 1 :] = [start + i + 1 for i in nls] + [s + delta for s in tail]
            self._build(starts)
            return
        blk, base = self.blocks[b], self.base[b]
        i0, i1 = first_row - fr[b], last_row - fr[b]
        added = [start - base + i + 1 for i in nls]
        tail = blk[i1 + 1 :]
        if delta and tail:
            tail = [s + delta for s in tail]
        blk[i0 + 1 :] = added + tail
        rows = len(nls) - (last_row - first_row)
        if delta or rows:
            bases = self.base
            for j in range(b + 1, len(bases)):
                bases[j] += delta
                fr[j] += rows
        if len(blk) > 2 * self.BLOCK:  # split an overgrown block
            half = len(blk) // 2
            off = blk[half]
            self.blocks[b : b + 1] = [blk[:half], [s - off for s in blk[half:]]]
            self.base.insert(b + 1, base + off)
            fr.insert(b + 1, fr[b] + half)


def _newline_offsets(data: bytes) -> list[int]:
    out = []
    i = data.find(b"\n")
    while i >= 0:
        out.append(i)
        i = data.find(b"\n", i + 1)
    return out
