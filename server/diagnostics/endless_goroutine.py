"""a goroutine runs a loop that never ends

A goroutine ends only when its function returns. `go func() { for { ... } }()`
whose loop has no condition and no way out runs until the process exits;
started per request, per connection or per call, such goroutines pile up with
everything they reference (seed 002's workers, seed 004's
`go worker(ch)` that loops on a receive forever).

Flags `go func() { ... for { ... } ... }()`, `go f(...)` where `f` is a
function declared in the same package (any non-test file of the directory,
open buffers before the disk), and `go x.m(...)` where `m` is a method name
that exactly one method declaration of the package uses, when a `for` loop at the top level of the
goroutine's body has no condition (or `true`: `for ; true; <-t.C`; or ranges over a ticker's or timer's
channel, `for range t.C` with `t := time.NewTicker(d)` or `for range
time.Tick(d)`: the runtime never closes those, Stop included) and its body (outside nested functions)
holds no `return`, no `break` out of it, no `goto`, no `panic`, `os.Exit`,
`log.Fatal` or `runtime.Goexit`. A `select` case on `ctx.Done()` or on a
done/quit channel that returns or breaks out is such a way out.

Not flagged: goroutines started once for the life of the process, which
are daemons, not leaks: from `init`, `main`, a cobra command's `Run` or an
`Example`; under a `sync.Once`'s `Do`, behind a won `CompareAndSwap` or a
lazy `if G != nil { return }` guard; in a function that every caller of the
package calls once from such a place (the function unexported, or the package
a command); right before `os.Exit`, `syscall.Exec` or `log.Fatal`; or in a
pool bounded by a package-level counter (`for n < max { go w(); n++ }`);
and the runtime's own goroutines (package runtime).

No fix: the goroutine needs a way to be told to stop, a `context.Context`
(return on `<-ctx.Done()`) or a done channel the caller closes.

```go
go func() { // want: the goroutine runs an endless loop
    for {
        process(<-jobs)
    }
}()
```
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.goroutines import loop_can_leave
from plumber.analysis.process_lifetime import (
    DeclRefs,
    called_once,
    declaration_refs,
    function_key,
    started_once_here,
)
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses, is_local
from plumber.core.checks import Analysis, Category, Check, FixAvailability
from plumber.core.findings import Finding, Related, Severity, finding
from plumber.syntax.nodes import goroutine_literal, statements_of

CODE = "endless-goroutine"
GO_QUERY = "(go_statement) @go"


def endless_loop(ctx: FileContext, body: Node | None) -> Node | None:
    """The first `for { ... }` among the statements of `body` that has no way out."""
    for stmt in statements_of(body):
        loop = stmt
        if loop.type == "labeled_statement":
            loop = next((c for c in loop.named_children if c.type == "for_statement"), loop)
        if loop.type != "for_statement":
            continue
        clauses = [c for c in loop.named_children if c.type not in ("block", "comment")]
        if clauses and not _ranges_over_ticks(ctx, loop) and not _endless_clause(ctx, clauses):
            continue  # a condition, a clause or a range that ends
        if not loop_can_leave(ctx, loop):
            return loop
    return None


_TICKERS = frozenset({"NewTicker", "NewTimer"})


def _endless_clause(ctx: FileContext, clauses: list[Node]) -> bool:
    """`for ; true; <-t.C` or `for i := 0; ; i++`: a clause whose condition is missing or `true`."""
    if len(clauses) != 1 or clauses[0].type != "for_clause":
        return False
    cond = clauses[0].child_by_field_name("condition")
    return cond is None or ctx.text(cond).strip("() \t") == "true"


def _ranges_over_ticks(ctx: FileContext, loop: Node) -> bool:
    """`for range time.Tick(d)` or `for range t.C` with `t := time.NewTicker(d)` (or a timer): the
    runtime never closes a ticker's or timer's channel (Stop does not), so the range never ends."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    right = clause.child_by_field_name("right") if clause is not None else None
    if right is None:
        return False
    if right.type == "call_expression":
        return ctx.is_call_to(right, "time", ("Tick",))
    if right.type != "selector_expression" or ctx.text(right.child_by_field_name("field")) != "C":
        return False
    operand = right.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return False
    decl = declaration_of(ctx.source, operand)
    if decl is None or decl.parent is None or decl.parent.type != "expression_list":
        return False
    stmt = decl.parent.parent
    if stmt is None or stmt.type != "short_var_declaration" or stmt.child_by_field_name("left") != decl.parent:
        return False
    lefts = decl.parent.named_children
    right_vals = stmt.child_by_field_name("right")
    vals = right_vals.named_children if right_vals is not None else []
    if len(vals) != len(lefts) or decl not in lefts:
        return False
    value = vals[lefts.index(decl)]
    if value.type != "call_expression" or not ctx.is_call_to(value, "time", _TICKERS):
        return False
    # the variable keeps the ticker: no reassignment (t = ...) anywhere in its scope
    scope = declaring_scope(decl)
    for use in find_uses(ctx.source, ctx.root, scope, decl):
        p = use.parent
        if p is not None and p.type == "expression_list" and p.parent is not None:
            if p.parent.type == "assignment_statement" and p.parent.child_by_field_name("left") == p:
                return False
    return True


@dataclass(frozen=True)
class Summary:
    """A file's endless functions, name -> (loop start, end, line), and all its methods, ".name" ->
    the same or None (so that a method name can be known to be unique in the package); and its
    declarations' call sites (who calls whom, and how often: process_lifetime)."""

    loops: dict[str, tuple[int, int, int] | None] = field(default_factory=dict)
    decls: tuple[DeclRefs, ...] = ()


def summarize(ctx: FileContext) -> Summary:
    out: dict[str, tuple[int, int, int] | None] = {}
    refs: list[DeclRefs] = []
    for decl, (found, calls) in ctx.result(ENDLESS_FUNCTIONS):
        refs.append(calls)
        if found is None:
            continue
        name, rel = found
        info = None
        if rel is not None:
            start = decl.start_byte + rel[0]
            info = (start, start + 3, decl.start_point[0] + rel[1] + 1)
        if name.startswith("."):
            out[name] = info if name not in out else None  # two methods of one name: ambiguous
        elif info is not None:
            out[name] = info
    return Summary(out, tuple(refs))


def _declaration_loop(ctx: FileContext, decl: Node) -> tuple[str, tuple[int, int] | None] | None:
    """(name, endless loop relative to the declaration) of a function or method declaration."""
    if decl.type not in ("function_declaration", "method_declaration"):
        return None
    name, body = decl.child_by_field_name("name"), decl.child_by_field_name("body")
    if name is None or body is None or body.type != "block" or decl.child_by_field_name("type_parameters"):
        return None
    loop = endless_loop(ctx, body)
    rel = (loop.start_byte - decl.start_byte, loop.start_point[0] - decl.start_point[0]) if loop else None
    return ("." if decl.type == "method_declaration" else "") + ctx.text(name), rel


def run(ctx: FileContext) -> Iterator[Finding]:
    funcs: dict[str, list[tuple[str | None, tuple[int, int, int] | None]]] | None = None
    for go in ctx.captures(GO_QUERY).get("go", []):
        if started_once_here(ctx, go):
            continue
        lit = goroutine_literal(go)
        if lit is not None:
            loop = endless_loop(ctx, lit.child_by_field_name("body"))
            if loop is None or _started_once(ctx, go):
                continue
            yield finding(
                CODE,
                go.children[0],
                "the goroutine runs an endless loop (its `for` has no "
                "condition, return, break or exit): it never stops and leaks with everything it "
                "references; give it a context.Context and return on <-ctx.Done(), or a done channel",
                related=[Related(loop.start_byte, loop.start_byte + 3, "the loop that never ends")],
            )
            continue
        name = _callee(ctx, go)
        if name is None:
            continue
        if funcs is None:
            funcs = _package_funcs(ctx)
        found = funcs.get(name, [])
        if len(found) != 1:
            continue  # not declared here, or a method name several types share
        path, endless = found[0]
        if endless is None or _started_once(ctx, go):
            continue  # not endless, or a daemon of the process
        start, end, _line = endless
        shown = name.lstrip(".")
        here = _abspath(ctx.path)
        where = f" (in {os.path.basename(path)})" if path and path != here else ""
        yield finding(
            CODE,
            go.children[0],
            f"the goroutine runs {shown}{where}, whose loop never ends (no condition, return, break "
            "or exit): it never stops and leaks with everything it references; give it a "
            "context.Context and return on <-ctx.Done(), or a done channel",
            related=[
                Related(start, end, f"the loop of {shown} that never ends", path if path and path != here else None)
            ],
        )


def _callee(ctx: FileContext, go: Node) -> str | None:
    """`f` for `go f(...)` (a package-level function), `.m` for `go x.m(...)` (a method), else None."""
    call = go.named_children[0] if go.named_children else None
    f = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if f is None:
        return None
    if f.type == "identifier":
        return None if is_local(ctx.source, f) else ctx.text(f)
    if f.type == "selector_expression":
        operand, field = f.child_by_field_name("operand"), f.child_by_field_name("field")
        if operand is None or field is None or ctx.package_ref(operand) is not None:
            return None
        if (
            operand.type == "identifier"
            and ctx.imports.path_of(ctx.text(operand)) is not None
            and not is_local(ctx.source, operand)
        ):
            return None
        return "." + ctx.text(field)
    return None


def _abspath(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def _summaries(ctx: FileContext) -> dict[str | None, Any]:
    """path -> Summary over this file (the live buffer) and the rest of its package."""
    here = _abspath(ctx.path)
    # The package view includes this file's own summary (from the live buffer), computed once.
    summaries: dict[str | None, Any] = {}
    if ctx.package is not None:
        summaries.update(ctx.package.summaries(CHECK))
    if here not in summaries:
        summaries[here] = summarize(ctx)
    return summaries


def _package_funcs(ctx: FileContext) -> dict[str, list[tuple[str | None, tuple[int, int, int] | None]]]:
    """name -> [(file, loop or None)] over this file (the live buffer) and the rest of its package."""
    out: dict[str, list[tuple[str | None, tuple[int, int, int] | None]]] = {}
    for path, summary in _summaries(ctx).items():
        for name, info in (summary.loops if summary is not None else {}).items():
            out.setdefault(name, []).append((path, info))
    return out


def _started_once(ctx: FileContext, go: Node) -> bool:
    """The go statement runs once per call of its function, which runs once per process: every
    caller in the package calls it once from an entry point, a guard or before the exit."""
    key = function_key(ctx, go)
    if key is None:
        return False

    def decls() -> list[DeclRefs]:
        summaries = _summaries(ctx)
        own = [r for _d, (_f, r) in ctx.result(ENDLESS_FUNCTIONS)] if _abspath(ctx.path) not in summaries else []
        return own + [d for s in summaries.values() if s is not None for d in s.decls]

    package_main = ctx.package_name == "main"
    runtime = ctx.pkg_path == "runtime"

    def is_entry(entry: str | None) -> bool:
        if entry == "main":
            return package_main or runtime
        return entry is not None

    return called_once(key, decls, package_main, is_entry)


def _declaration_facts(ctx: FileContext, decl: Node) -> tuple[tuple[str, tuple[int, int] | None] | None, DeclRefs]:
    """One pass per declaration: its endless loop, and its call sites (process_lifetime)."""
    return _declaration_loop(ctx, decl), declaration_refs(ctx, decl)


ENDLESS_FUNCTIONS = Analysis(
    "endless-goroutine/functions",
    "per top-level declaration: its name and endless loop, if any, and the package functions and "
    "methods it calls (once, repeatedly, behind a once-guard) or takes as values",
    _declaration_facts,
    per_declaration=True,
)

CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.GOROUTINE,
    fix=FixAvailability.NEVER,
    requires=(ENDLESS_FUNCTIONS,),
    summarize=summarize,
    package_wide=True,
)
