"""Summaries of the module's own functions: what a call does with resources, without reading the callee again.

Computed once per parse of a file, from syntax only (`summarize.file_summaries`),
and kept by the module index beside the file's facts; resolved at a call site
with the program's types (`Summaries`, here), transitively and with cycles
broken:

- an opener: every non-nil value it returns at result i is a fresh resource
  (an acquisition, or the result of another opener), as
  `func openLog() (*os.File, error) { return os.Create(...) }`;
- a closer of parameter i: it releases it (`Close`, `Stop`, calls it);
- takes parameter i: stores it, returns it, sends it, starts a goroutine
  with it, or passes it to a function that takes it; otherwise it keeps it
  with the caller (`fmt.Fprintf(w, ...)`-like);
- never returns: its control-flow graph has no return (`log.Fatal` inside).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plumber.analysis.model import exprs as E
from plumber.analysis.model import stdlib
from plumber.analysis.model.program import Program
from plumber.analysis.model.resource_table import KEEPS, NOT_OPENERS, TAKES, resource_kind
from plumber.analysis.model.types import Named, Pointer, Tuple


@dataclass(frozen=True, slots=True)
class Returned:
    """One value a return statement gives at a result position: a call's result `index`, or something else."""

    call: E.Expr | None  # the call the value comes from (directly or through one local), None when not a call
    index: int = 0


@dataclass(frozen=True, slots=True)
class ParamFate:
    releases: bool = False
    takes: bool = False
    passes: tuple[tuple[E.Expr, int], ...] = ()  # (callee, argument position) it is handed to
    wraps: bool = False  # it ends up in the returned value (`return &client{cc}`), kept nowhere else unless passed on


@dataclass(frozen=True, slots=True)
class FuncSummary:
    results: tuple[tuple[Returned, ...], ...]  # per result position: the non-nil values returned there
    params: tuple[ParamFate, ...]
    never_returns: bool = False
    nil_with_error: tuple[int, ...] = ()  # results nil wherever the last one, an error, is not nil


class Summaries:
    """Summaries of the module's functions, resolved with the program's types (memoised, cycles broken)."""

    def __init__(self, program: Program, load: Callable[[str, str], FuncSummary | None], own_path: str = ""):
        self.program = program
        # the standard library answers through its tables, except the package under analysis itself
        self._own = {own_path, own_path.removesuffix("_test")}
        self._load = load
        self._by_key: dict[tuple[str, str], FuncSummary | None] = {}
        self._fresh: dict[tuple[str, str, str, int], bool] = {}
        self._takes: dict[tuple[str, str, str, int], bool | None] = {}

    def callee(self, fn: E.Expr, local: Callable[[int], object]) -> tuple[str, str, str] | None:
        """(package path, receiver type name or "", function name) of a statically known callee."""
        if isinstance(fn, E.Global):
            return fn.path, "", fn.name
        if isinstance(fn, E.Select):
            t = self.program.type_of(fn.base, local)  # type: ignore[arg-type]
            base = t.elem if isinstance(t, Pointer) else t
            if isinstance(base, Named) and base.path:
                decl = self.program.method_decl(base, fn.name)
                if decl is not None:
                    return base.path, base.name, fn.name
                if self.program.select(base, fn.name) is not None:
                    # an interface method: a standard-library interface's contract is known (net.Listener.Accept
                    # returns a connection the caller owns); a module's interfaces may hide anything
                    return (base.path, base.name, fn.name) if stdlib.is_std(base.path) else None
        return None

    def summary(self, callee: tuple[str, str, str]) -> FuncSummary | None:
        path, recv, name = callee
        if path not in self._own and stdlib.is_std(path):
            return None
        key = (path, f"{recv}.{name}" if recv else name)
        if key not in self._by_key:
            self._by_key[key] = self._load(*key)
        return self._by_key[key]

    def is_opener(self, call: E.Call, index: int, local: Callable[[int], object], depth: int = 0) -> bool:
        """Whether result `index` of `call` is a fresh resource the caller must release."""
        callee = self.callee(call.fn, local)
        t = self.program.type_of(call, local)  # type: ignore[arg-type]
        rt = t.items[index] if isinstance(t, Tuple) and index < len(t.items) else (t if index == 0 else None)
        if resource_kind(rt) is None:
            return False
        if callee is None:
            return False  # a function value or an interface method: not known to acquire
        # The standard library's exported API answers by its contract (the table), even inside its own package
        # (`db.Query` in database/sql); the module's functions, a std package's own helpers and its internal
        # packages (internal/nettest's in-memory Listener: no public contract) by their code.
        path, recv, name = callee
        exported = name[:1].isupper() and (not recv or recv[:1].isupper()) and "internal" not in path.split("/")
        summary = None if stdlib.is_std(path) and exported else self.summary(callee)
        if summary is None:
            # a standard-library (or dependency) call returning a resource type acquires it, unless listed
            return callee not in NOT_OPENERS
        return self._fresh_result(callee, summary, index, depth)

    def _fresh_result(self, callee: tuple[str, str, str], summary: FuncSummary, index: int, depth: int) -> bool:
        key = (*callee, index)
        if key in self._fresh:
            return self._fresh[key]
        self._fresh[key] = False  # a cycle: not proven
        values = summary.results[index] if index < len(summary.results) else ()
        fresh = bool(values) and depth < 8
        for v in values:
            if not isinstance(v.call, E.Call) or not self.is_opener(v.call, v.index, _no_local, depth + 1):
                fresh = False
                break
        self._fresh[key] = fresh
        return fresh

    def keeps_argument(
        self, call_fn: E.Expr, index: int, local: Callable[[int], object], depth: int = 0
    ) -> bool | None:
        """True: the callee leaves argument `index` with the caller; False: it takes it; None: unknown."""
        callee = self.callee(call_fn, local)
        if callee is None:
            return None
        path, recv, name = callee
        if not recv:
            if (path, name) in KEEPS:
                keeps = KEEPS[(path, name)]
                if keeps is None or index in keeps:
                    return True
        if callee in TAKES and (not TAKES[callee] or index in TAKES[callee]):
            return False
        summary = self.summary(callee)
        if summary is None:
            return None
        return self._param_kept(callee, summary, index, depth)

    def wraps_argument(self, call_fn: E.Expr, index: int, local: Callable[[int], object]) -> bool:
        """The callee keeps argument `index` only in the value it returns (a wrapper): whatever else it is
        handed to leaves it with the caller (`return &Reader{f: f, Reader: bufio.NewReader(f)}`)."""
        callee = self.callee(call_fn, local)
        summary = self.summary(callee) if callee is not None else None
        if summary is None or index >= len(summary.params) or not summary.params[index].wraps:
            return False
        return all(self.keeps_argument(fn, arg, _no_local, 1) is True for fn, arg in summary.params[index].passes)

    def releases_argument(self, call_fn: E.Expr, index: int, local: Callable[[int], object]) -> bool:
        callee = self.callee(call_fn, local)
        summary = self.summary(callee) if callee is not None else None
        if summary is None or index >= len(summary.params):
            return False
        return summary.params[index].releases

    def _param_kept(self, callee: tuple[str, str, str], summary: FuncSummary, index: int, depth: int) -> bool | None:
        key = (*callee, index)
        if key in self._takes:
            got = self._takes[key]
            return None if got is None else not got
        if index >= len(summary.params):
            return None  # variadic or unknown
        self._takes[key] = None  # a cycle: unknown
        fate = summary.params[index]
        taken: bool | None = fate.takes or fate.releases
        if not taken:
            for fn, arg in fate.passes:
                kept = self.keeps_argument(fn, arg, _no_local, depth + 1) if depth < 8 else None
                if kept is None:
                    taken = None
                    break
                if not kept:
                    taken = True
                    break
        self._takes[key] = taken
        return None if taken is None else not taken

    def nil_with_error(self, call: E.Call, index: int, local: Callable[[int], object]) -> bool:
        """Result `index` of the module's callee is nil wherever its error is set (`return nil, nil, err`)."""
        callee = self.callee(call.fn, local)
        summary = self.summary(callee) if callee is not None else None
        return summary is not None and index in summary.nil_with_error

    def never_returns(self, callee: tuple[str, str, str]) -> bool:
        summary = self.summary(callee)
        return summary is not None and summary.never_returns


def _no_local(_decl: int) -> None:
    return None
