"""The program model of the documents being edited, kept per declaration from one version to the next.

An edit inside one function body changes no declaration's facts (a function's facts are its signature's)
and only that function's summary, so each version reads only the declarations whose text is new
(`file_facts`/`file_summaries` with a memo). When no declaration's facts can have changed, the last
version's facts object itself is returned, so the package merged from it is reused as well (the module
index compares its files by identity).
"""

from __future__ import annotations

from collections import OrderedDict

from tree_sitter import Node

from plumber.analysis.model.facts import DeclarationMemo, FileFacts, file_facts
from plumber.analysis.model.summaries import FuncSummary
from plumber.analysis.model.summarize import file_summaries

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
