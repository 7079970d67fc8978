"""The Go grammar, parsers and compiled queries."""

from __future__ import annotations

import functools

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Query, QueryCursor

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


def matches(q: Query | str, node: Node, start: int | None = None, end: int | None = None) -> list[dict[str, list[Node]]]:
    """Matches of `q` under `node`, in document order of their first capture."""
    if isinstance(q, str):
        q = query(q)
    cursor = QueryCursor(q)
    if start is not None:
        cursor.set_byte_range(start, end if end is not None else node.end_byte)
    out = [m for _, m in cursor.matches(node)]
    out.sort(key=lambda m: min(n.start_byte for ns in m.values() for n in ns))
    return out


def text(source: bytes, node: Node) -> str:
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")
