"""The per-file context a check runs over (go/analysis's Pass): the file, its imports, and the
results of the shared analyses, which the driver computes on demand through a `ResultSource`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Protocol

from tree_sitter import Node, Tree

from plumber.analysis.model.program import Program
from plumber.analysis.model.summaries import Summaries
from plumber.analysis.model.summarize import file_summaries
from plumber.analysis.scope import is_local
from plumber.core.checks import Analysis, Check
from plumber.syntax.imports import ImportTable
from plumber.syntax.nodes import file_function, node_text
from plumber.syntax.parser import captures, matches, whole_captures, whole_matches


class PackageSummaries(Protocol):
    """What a package-wide check reads of its package: per-file summaries (the driver's package view)."""

    path: str | None

    def summaries(self, check: Check) -> dict[str, Any]: ...

    def callers(self, check: Check) -> dict[str, Any]: ...


class ResultSource(Protocol):
    """Computes (and may memoise across runs) one analysis's result for a context: the driver's job."""

    def compute(self, ctx: FileContext, analysis: Analysis) -> Any: ...


class UndeclaredAnalysis(RuntimeError):
    """A check read an analysis it does not declare in `requires`."""


class _Direct:
    """Results computed on the spot, without memoisation (contexts made outside a driver)."""

    def compute(self, ctx: FileContext, analysis: Analysis) -> Any:
        if analysis.per_declaration:
            return [(d, analysis.run(ctx, d)) for d in ctx.root.named_children]
        return analysis.run(ctx)


_DIRECT = _Direct()
_MISSING = object()


class _Failed:
    def __init__(self, error: Exception):
        self.error = error


# A fact of the whole file (FileContext.read_across): top-level names to what each is.
Fact = Mapping[str, Hashable]


def _function_print(ctx: FileContext, name: str) -> Fact:
    """What `file_function` finds for `name`: its text and node count (after a syntax error elsewhere
    tree-sitter may read the same text otherwise), or None."""
    decl = file_function(ctx.root, ctx.source, name)
    return {name: (ctx.text(decl), decl.descendant_count) if decl is not None else None}


class FileContext:
    """Everything a check may read about one file. Checks must not mutate it.

    `go_version` is the `go` directive of the nearest go.mod ((1, 23)) or
    None; `package` gives package-wide checks the summaries of the other
    files of the directory.
    """

    def __init__(
        self,
        source: bytes,
        tree: Tree,
        path: str | None = None,
        go_version: tuple[int, int] | None = None,
        package: PackageSummaries | None = None,
        requires_module: Callable[[str], bool] | None = None,
        imports: ImportTable | None = None,
        results: ResultSource | None = None,
        program: Callable[[], tuple[Program, str, Callable[[str, str], Any]]] | None = None,
    ):
        self.source = source
        self.tree = tree
        self.root: Node = tree.root_node
        self.path = path
        self.go_version = go_version
        self.package = package
        self._requires_module = requires_module
        if imports is not None:  # the incremental analyzer reuses the previous run's table
            self.__dict__["imports"] = imports
        self._source_of_results: ResultSource = results or _DIRECT
        self._results: dict[Analysis, Any] = {}
        # The analyses the running check may read (set by the driver around each check), or None.
        self.allowed: frozenset[Analysis] | None = None
        # Byte ranges [start, end) the run is restricted to (the top-level
        # declarations an edit touched), or None for the whole file. Set by
        # the engine; honoured by `captures` and `matches`.
        self.ranges: tuple[tuple[int, int], ...] | None = None
        # Per-declaration results kept for the next run of this path: for a document being edited; a
        # sibling read from disk is summarised once (cached by its version), so it keeps none.
        self.memoize = True
        self._program_source = program
        self._program: tuple[Program, str, Callable[[str, str], Any]] | None = None
        self._summaries: Summaries | None = None
        # Facts of the whole file that findings of one declaration were computed from (another function's
        # text, the functions run only through once.Do), by key: how to compute each from any context of
        # this file, and its value here. After an edit the incremental analyzer computes them again and
        # reruns the declarations naming a name whose value changed.
        self.facts_read: dict[str, tuple[Callable[[FileContext], Fact], Fact]] = {}

    def read_across(self, key: str, fact: Callable[[FileContext], Fact]) -> Fact:
        """`fact(self)`, recorded under `key`: names (of top-level declarations) to what each is. It must
        read the whole file (whole-file queries: `captures(q, self.root)`), whatever `ranges` is."""
        known = self.facts_read.get(key)
        if known is None:
            known = self.facts_read[key] = (fact, fact(self))
        return known[1]

    def file_function(self, name: str) -> Node | None:
        """The file's one top-level function named `name`, if there is exactly one (a fact read across)."""
        self.read_across("function " + name, functools.partial(_function_print, name=name))
        return file_function(self.root, self.source, name)

    def _model(self) -> tuple[Program, str, Callable[[str, str], Any]]:
        if self._program is None:
            if self._program_source is not None:
                self._program = self._program_source()
            else:  # a context made outside a driver: this file and the standard library
                from plumber.analysis.model import stdlib
                from plumber.analysis.model.facts import file_facts
                from plumber.analysis.model.packages import PackageFacts

                pkg_path = "command-line-arguments"
                program = Program(stdlib.package)
                program.add(
                    PackageFacts.merge(
                        pkg_path, [file_facts(self.path or "<buffer>", self.source, self.root, pkg_path)]
                    )
                )
                own = file_summaries(self.source, self.root, pkg_path)
                self._program = (program, pkg_path, lambda p, k: own.get(k) if p == pkg_path else None)
        return self._program

    def release(self) -> None:
        """Drop what the analyses computed, once the driver is done with this context: many results
        hold the context (a cycle), and a cycle waits for the cyclic collector, which runs rarely in a
        process holding a large model, keeping each keystroke's source and tree (megabytes) meanwhile."""
        self._results.clear()
        self._program = None
        self._summaries = None

    @property
    def program(self) -> Program:
        """Every package this file can name (the module index's view), for the model's analyses."""
        return self._model()[0]

    @property
    def summaries(self) -> Summaries:
        """Summaries of the module's functions (openers, closers, ownership), resolved with the program."""
        if self._summaries is None:
            program, pkg_path, load = self._model()
            self._summaries = Summaries(program, load, pkg_path)
        return self._summaries

    @property
    def pkg_path(self) -> str:
        """The import path of this file's package."""
        return self._model()[1]

    def result(self, analysis: Analysis) -> Any:
        """The result of a shared analysis for this file, computed once per context."""
        if self.allowed is not None and analysis not in self.allowed:
            raise UndeclaredAnalysis(f"{analysis.name} is not among the analyses the check requires")
        got = self._results.get(analysis, _MISSING)
        if isinstance(got, _Failed):
            raise got.error
        if got is not _MISSING:
            return got
        try:
            value = self._source_of_results.compute(self, analysis)
        except Exception as e:  # computed once: every check reading it fails alike
            self._results[analysis] = _Failed(e)
            raise
        self._results[analysis] = value
        return value

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

    def text(self, node: Node | None) -> str:
        """The source text of a node; "" for a missing one (an absent field of a node)."""
        return node_text(self.source, node) if node is not None else ""

    def captures(self, query: str, node: Node | None = None) -> dict[str, list[Node]]:
        """Captures of a query (compiled once) under `node` or the whole file, in document order.

        Checks find their candidates through this (or `matches`) so that the
        engine can restrict a run to the declarations an edit touched: when
        `ranges` is set and no `node` is given, only captures that start inside
        one of the ranges are returned.
        """
        if node is None or node is self.root:
            if self.ranges is None or node is not None:
                return whole_captures(query, self.root)  # one pass for every whole-file query
        else:
            return captures(query, node)
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
        if node is None or node is self.root:
            if self.ranges is None or node is not None:
                return whole_matches(query, self.root)
        else:
            return matches(query, node)
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

    def called_name(self, call: Node) -> str:
        """The name of the package function a call resolves to (see `call_target`), or ""."""
        target = self.call_target(call)
        return target[1] if target is not None else ""

    def is_call_to(self, call: Node, path: str, names: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        target = self.call_target(call)
        return target is not None and target[0] == path and target[1] in names
