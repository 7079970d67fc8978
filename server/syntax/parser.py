"""The Go grammar, parsers and compiled queries.

Whole-tree queries run together: `whole_captures` / `whole_matches` give
what `captures` / `matches` give on a tree's root, but every query asked of
a whole tree during one analysis (`nodes.walking`) is answered from one
pass of the query engine over that tree, with the queries seen so far
combined into one (capture names renamed apart). A query first seen on a
tree runs alone there and joins the combined one for the next trees.
"""

from __future__ import annotations

import functools
import re
import threading

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from plumber.syntax.nodes import walk_memo

GO = Language(tree_sitter_go.language())


def new_parser() -> Parser:
    """A parser of its own for each document or worker: parsers are not shared across threads."""
    return Parser(GO)


@functools.cache
def query(source: str) -> Query:
    """Compile a query once per process."""
    return Query(GO, source)


def captures(q: Query | str, node: Node, start: int | None = None, end: int | None = None) -> dict[str, list[Node]]:
    """Captures of `q` under `node`, each list in document order."""
    if isinstance(q, str):
        q = query(q)
    cursor = QueryCursor(q)
    if start is not None:
        cursor.set_byte_range(start, end if end is not None else node.end_byte)
    found = cursor.captures(node)
    for nodes in found.values():
        nodes.sort(key=lambda n: n.start_byte)
    return found


def matches(
    q: Query | str, node: Node, start: int | None = None, end: int | None = None
) -> list[dict[str, list[Node]]]:
    """Matches of `q` under `node`, in document order of their first capture."""
    if isinstance(q, str):
        q = query(q)
    cursor = QueryCursor(q)
    if start is not None:
        cursor.set_byte_range(start, end if end is not None else node.end_byte)
    out = [m for _, m in cursor.matches(node)]
    out.sort(key=lambda m: min(n.start_byte for ns in m.values() for n in ns))
    return out


# -- whole-tree queries, run together ---------------------------------------------

_CAPTURE = re.compile(r'"(?:[^"\\]|\\.)*"|;[^\n]*|@([A-Za-z_][\w.\-]*)')


def _renamed(source: str, i: int) -> str:
    """The query with every capture `@name` renamed `@qI.name` (strings and comments left alone)."""

    def sub(m: re.Match[str]) -> str:
        return f"@q{i}.{m.group(1)}" if m.group(1) is not None else m.group(0)

    return _CAPTURE.sub(sub, source)


class _Bank:
    """The whole-tree queries seen so far, of one kind (captures or matches), and their union."""

    def __init__(self, kind: str):
        self.kind = kind
        self.sources: list[str] = []
        self.index: dict[str, int] = {}
        self.patterns: list[tuple[int, int]] = []  # per query: its patterns' indices [start, end) in the union
        self._combined: tuple[int, Query] | None = None
        self._lock = threading.Lock()

    def add(self, source: str) -> None:
        with self._lock:
            if source in self.index:
                return
            start = self.patterns[-1][1] if self.patterns else 0
            self.index[source] = len(self.sources)
            self.sources.append(source)
            self.patterns.append((start, start + query(source).pattern_count))

    def combined(self) -> tuple[int, Query]:
        """(number of queries in it, the union query)."""
        with self._lock:
            n = len(self.sources)
            if self._combined is None or self._combined[0] != n:
                text = "\n".join(_renamed(q, i) if self.kind == "captures" else q for i, q in enumerate(self.sources))
                self._combined = (n, Query(GO, text))
            return self._combined


_CAPTURES = _Bank("captures")
_MATCHES = _Bank("matches")


def _split_captures(found: dict[str, list[Node]], n: int) -> list[dict[str, list[Node]]]:
    out: list[dict[str, list[Node]]] = [{} for _ in range(n)]
    for name, nodes in found.items():
        q, _, original = name.partition(".")
        nodes.sort(key=lambda node: node.start_byte)
        out[int(q[1:])][original] = nodes
    return out


def _split_matches(found: list[tuple[int, dict[str, list[Node]]]], bank: _Bank, n: int) -> list[list[dict]]:
    owner = [0] * (bank.patterns[n - 1][1] if n else 0)
    for i, (start, end) in enumerate(bank.patterns[:n]):
        owner[start:end] = [i] * (end - start)
    out: list[list[dict[str, list[Node]]]] = [[] for _ in range(n)]
    for pattern, m in found:
        out[owner[pattern]].append(m)
    for ms in out:
        ms.sort(key=lambda m: min(node.start_byte for ns in m.values() for node in ns))
    return out


def _whole(bank: _Bank, source: str, root: Node):
    """The answers of `source` on the tree of `root` from the tree's combined run (None: run it alone)."""
    memo = walk_memo()
    if memo is None:
        return None
    i = bank.index.get(source)
    if i is None:
        bank.add(source)
        return None
    key = (bank.kind, root.id, root.start_byte, root.end_byte)
    got = memo.get(key)
    if got is None or i >= len(got[1]):
        n, combined = bank.combined()
        cursor = QueryCursor(combined)
        answers: list
        try:
            if bank.kind == "captures":
                answers = _split_captures(cursor.captures(root), n)
            else:
                answers = _split_matches(cursor.matches(root), bank, n)
        except UnicodeDecodeError:
            # a text predicate of one query (`#match?`) met bytes that are not UTF-8 (py-tree-sitter
            # decodes them strictly): each query alone, so that only that one fails
            answers = [None] * n
        if cursor.did_exceed_match_limit:
            answers = [None] * n
        got = memo[key] = (root, answers)  # holding the root: its tree's ids stay unique meanwhile
    return got[1][i]


def whole_captures(source: str, root: Node) -> dict[str, list[Node]]:
    """`captures(source, root)`, from the combined run of every whole-tree query (see the module docstring)."""
    got = _whole(_CAPTURES, source, root)
    if got is None:
        return captures(source, root)
    return {name: list(nodes) for name, nodes in got.items()}


def whole_matches(source: str, root: Node) -> list[dict[str, list[Node]]]:
    """`matches(source, root)`, from the combined run of every whole-tree query."""
    got = _whole(_MATCHES, source, root)
    if got is None:
        return matches(source, root)
    return [{name: list(nodes) for name, nodes in m.items()} for m in got]
