"""The program model of the documents being edited, kept per declaration from one version to the next.

An edit inside one function body changes no declaration's facts (a function's facts are its signature's)
and only that function's summary, so each version reads only the declarations whose text is new
(`file_facts`/`file_summaries` with a memo). When no declaration's facts can have changed, the last
version's facts object itself is returned, so the package merged from it is reused as well (the module
index compares its files by identity).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict

from tree_sitter import Node

from plumber.analysis.model.facts import DeclarationMemo, FileFacts, file_facts
from plumber.analysis.model.summaries import FuncSummary
from plumber.analysis.model.summarize import file_summaries
from plumber.syntax.nodes import top_level

CAPACITY = 16  # documents with a memo (the most recently analysed)


class _Memo:
    __slots__ = ("declarations", "facts_of", "functions", "summaries", "summaries_of")

    def __init__(self) -> None:
        self.declarations = DeclarationMemo()  # facts per declaration
        self.functions = DeclarationMemo()  # summaries per function
        self.facts_of: tuple[bytes, str] | None = None  # (text, package path) of the last facts
        self.summaries: dict[str, FuncSummary] = {}
        self.summaries_of: tuple[bytes, str] | None = None  # and of the last summaries


def _same(of: tuple[bytes, str] | None, source: bytes, pkg_path: str) -> bool:
    return of is not None and of[0] is source and of[1] == pkg_path


def _inside_a_body(memo: _Memo, source: bytes, root: Node, pkg_path: str) -> bool:
    """The text changed since the last facts only strictly inside one function body, whose braces the new
    tree still puts where they were (shifted by the edit): no declaration's facts changed, and the body spans
    are moved by the edit. Found from the two texts' common prefix and suffix, and one lookup in the tree,
    instead of reading every declaration's signature again (O(declarations) a keystroke)."""
    declarations = memo.declarations
    if memo.facts_of is None or memo.facts_of[1] != pkg_path or declarations.keys is None:
        return False
    if declarations.rereads:
        return False  # a declaration whose facts hold a syntax error: read again every time
    old = memo.facts_of[0]
    start = _common_prefix(old, source)
    tail = _common_suffix(old, source, start)
    old_end, new_end = len(old) - tail, len(source) - tail
    bodies = declarations.bodies
    i = bisect.bisect_left(bodies, (start + 1,)) - 1
    if i < 0 or not (bodies[i][0] < start and old_end < bodies[i][1]):
        return False
    body_start, body_end = bodies[i]
    delta = new_end - old_end
    node = root.descendant_for_byte_range(body_start, body_start + 1)
    if node is None:
        return False
    top = top_level(node)  # the declaration holding the body's `{`
    if top.type not in ("function_declaration", "method_declaration"):
        return False
    body = top.child_by_field_name("body")
    if body is None or body.start_byte != body_start or body.end_byte != body_end + delta:
        return False
    if top.has_error and any(c.has_error or c.is_missing for c in top.children if c != body):
        return False
    if delta:
        declarations.bodies = (
            bodies[:i] + [(body_start, body_end + delta)] + [(s + delta, e + delta) for s, e in bodies[i + 1 :]]
        )
    return True


def _common_prefix(a: bytes, b: bytes) -> int:
    """The length of the longest common prefix (by halving: each comparison a memcmp of one slice)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: bytes, b: bytes, prefix: int) -> int:
    """The length of the longest common suffix that leaves the common prefix alone in both texts."""
    lo, hi = 0, min(len(a), len(b)) - prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class LiveFiles:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._memos: OrderedDict[str, _Memo] = OrderedDict()

    def _memo(self, path: str) -> _Memo:
        memo = self._memos.get(path)
        if memo is None:
            memo = self._memos[path] = _Memo()
            while len(self._memos) > self._capacity:
                self._memos.popitem(last=False)
        self._memos.move_to_end(path)
        return memo

    def facts(self, path: str, source: bytes, root: Node, pkg_path: str) -> FileFacts:
        """`file_facts` of this version of the document at `path`."""
        memo = self._memo(path)
        last = memo.declarations.facts
        if last is None or not _same(memo.facts_of, source, pkg_path):
            if last is None or not _inside_a_body(memo, source, root, pkg_path):
                last = file_facts(path, source, root, pkg_path, memo.declarations)
            memo.facts_of = (source, pkg_path)
        return last

    def summaries(self, path: str, source: bytes, root: Node, pkg_path: str) -> dict[str, FuncSummary]:
        """`file_summaries` of this version of the document at `path`."""
        memo = self._memo(path)
        if not _same(memo.summaries_of, source, pkg_path):
            memo.summaries = file_summaries(source, root, pkg_path, memo.functions)
            memo.summaries_of = (source, pkg_path)
        return memo.summaries

    def forget(self, path: str) -> None:
        self._memos.pop(path, None)
