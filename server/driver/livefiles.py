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

from plumber.analysis.model.facts import DeclarationMemo, FileFacts, file_facts, imports_of
from plumber.analysis.model.summaries import FuncSummary
from plumber.analysis.model.summarize import file_summaries

CAPACITY = 16  # documents with a memo (the most recently analysed)


class _Memo:
    __slots__ = ("context", "declarations", "facts", "facts_source", "summaries", "summaries_source", "summary_parts")

    def __init__(self, context: tuple) -> None:
        self.context = context  # (package path, imports, dot imports): what a declaration's reading depends on
        self.declarations = DeclarationMemo()
        self.summary_parts: dict = {}
        self.facts: FileFacts | None = None
        self.facts_source: bytes | None = None
        self.summaries: dict[str, FuncSummary] = {}
        self.summaries_source: bytes | None = None


class LiveFiles:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._memos: OrderedDict[str, _Memo] = OrderedDict()

    def _memo(self, path: str, source: bytes, root: Node, pkg_path: str) -> _Memo:
        imports, dots = imports_of(source, root)
        context = (pkg_path, tuple(imports.items()), dots)
        memo = self._memos.get(path)
        if memo is None or memo.context != context:
            memo = self._memos[path] = _Memo(context)
            while len(self._memos) > self._capacity:
                self._memos.popitem(last=False)
        self._memos.move_to_end(path)
        return memo

    def facts(self, path: str, source: bytes, root: Node, pkg_path: str) -> FileFacts:
        """`file_facts` of this version of the document at `path`."""
        memo = self._memo(path, source, root, pkg_path)
        if memo.facts is not None and memo.facts_source is source:
            return memo.facts
        memo.facts, memo.facts_source = file_facts(path, source, root, pkg_path, memo.declarations), source
        return memo.facts

    def summaries(self, path: str, source: bytes, root: Node, pkg_path: str) -> dict[str, FuncSummary]:
        """`file_summaries` of this version of the document at `path`."""
        memo = self._memo(path, source, root, pkg_path)
        if memo.summaries_source is not source:
            memo.summaries = file_summaries(source, root, pkg_path, memo.summary_parts)
            memo.summaries_source = source
        return memo.summaries

    def forget(self, path: str) -> None:
        self._memos.pop(path, None)
