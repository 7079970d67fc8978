"""The per-file context a check runs over."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable

from tree_sitter import Node, Tree

from plumber.golang import captures, matches
from plumber.imports import ImportTable
from plumber.scope import is_local, node_text

if TYPE_CHECKING:
    from plumber.package import PackageView


class FileContext:
    """Everything a check may read about one file. Checks must not mutate it.

    `go_version` is the `go` directive of the nearest go.mod ((1, 23)) or
    None; `package` gives package-wide checks the summaries of the other
    files of the directory.
    """

    def __init__(self, source: bytes, tree: Tree, path: str | None = None,
                 go_version: tuple[int, int] | None = None,
                 package: "PackageView | None" = None,
                 requires_module: Callable[[str], bool] | None = None):
        self.source = source
        self.tree = tree
        self.root: Node = tree.root_node
        self.path = path
        self.go_version = go_version
        self.package = package
        self._requires_module = requires_module
        # Byte ranges [start, end) the run is restricted to (the top-level
        # declarations an edit touched), or None for the whole file. Set by
        # the engine; honoured by `captures` and `matches`.
        self.ranges: tuple[tuple[int, int], ...] | None = None

    @functools.cached_property
    def imports(self) -> ImportTable:
        return ImportTable(self.source, self.root)

    @functools.cached_property
    def package_name(self) -> str | None:
        for c in self.root.children:
            if c.type == "package_clause":
                for n in c.named_children:
                    return self.text(n)
        return None

    @property
    def is_test_file(self) -> bool:
        return bool(self.path and self.path.endswith("_test.go"))

    def requires_module(self, module: str) -> bool:
        """Whether the nearest go.mod requires `module`."""
        return bool(self._requires_module and self._requires_module(module))

    def go_at_least(self, major: int, minor: int, unknown: bool = False) -> bool:
        """go.mod's `go` version >= major.minor; `unknown` when there is no go.mod."""
        return unknown if self.go_version is None else self.go_version >= (major, minor)

    def text(self, node: Node) -> str:
        return node_text(self.source, node)

    def captures(self, query: str, node: Node | None = None) -> dict[str, list[Node]]:
        """Captures of a query (compiled once) under `node` or the whole file, in document order.

        Checks find their candidates through this (or `matches`) so that the
        engine can restrict a run to the declarations an edit touched: when
        `ranges` is set and no `node` is given, only captures that start inside
        one of the ranges are returned.
        """
        if node is not None or self.ranges is None:
            return captures(query, node or self.root)
        out: dict[str, list[Node]] = {}
        for start, end in self.ranges:
            for name, nodes in captures(query, self.root, start, end).items():
                out.setdefault(name, []).extend(n for n in nodes if start <= n.start_byte < end)
        return {k: v for k, v in out.items() if v}

    def matches(self, query: str, node: Node | None = None) -> list[dict[str, list[Node]]]:
        """Matches of a query under `node` or the whole file, in document order.

        With `ranges` set (and no `node`), only matches whose first capture
        starts inside one of the ranges.
        """
        if node is not None or self.ranges is None:
            return matches(query, node or self.root)
        out: list[dict[str, list[Node]]] = []
        for start, end in self.ranges:
            for m in matches(query, self.root, start, end):
                first = min((n.start_byte for ns in m.values() for n in ns), default=-1)
                if start <= first < end:
                    out.append(m)
        return out

    def in_ranges(self, offset: int) -> bool:
        """Whether a byte offset lies inside the run's ranges (always, for a whole-file run)."""
        return self.ranges is None or any(s <= offset < e for s, e in self.ranges)

    def package_ref(self, ident: Node) -> str | None:
        """The import path an identifier names (`http` in `http.Get`), unless a local shadows it."""
        if ident.type != "identifier":
            return None
        path = self.imports.path_of(self.text(ident))
        if path is None or is_local(self.source, ident):
            return None
        return path

    def call_target(self, call: Node) -> tuple[str, str] | None:
        """(import path, function name) for `pkg.F(...)` or a dot-imported `F(...)`."""
        fn = call.child_by_field_name("function") if call.type == "call_expression" else call
        if fn is None:
            return None
        if fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            field = fn.child_by_field_name("field")
            if operand is None or field is None:
                return None
            path = self.package_ref(operand)
            return (path, self.text(field)) if path is not None else None
        if fn.type == "identifier" and len(self.imports.dot_paths) == 1 and not is_local(self.source, fn):
            return self.imports.dot_paths[0], self.text(fn)
        return None

    def is_call_to(self, call: Node, path: str, names: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        target = self.call_target(call)
        return target is not None and target[0] == path and target[1] in names
