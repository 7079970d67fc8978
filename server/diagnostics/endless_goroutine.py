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
goroutine's body has no condition and its body (outside nested functions)
holds no `return`, no `break` out of it, no `goto`, no `panic`, `os.Exit`,
`log.Fatal` or `runtime.Goexit`. A `select` case on `ctx.Done()` or on a
done/quit channel that returns or breaks out is such a way out.

Not flagged: goroutines started in `main` or `init`, or under a
`sync.Once`'s `Do`: one goroutine for the life of the process is not a leak.

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
from typing import Iterator

from tree_sitter import Node

from plumber.channels import goroutine_literal, loop_can_leave, statements_of
from plumber.check import Check, Finding, Related, Severity, finding
from plumber.context import FileContext
from plumber.memo import per_declaration
from plumber.scope import is_local, top_level

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
        if any(c.type not in ("block", "comment") for c in loop.named_children):
            continue  # a condition, a clause or a range
        if not loop_can_leave(ctx, loop):
            return loop
    return None




def summarize(ctx: FileContext) -> dict[str, tuple[int, int, int] | None]:
    """The file's endless functions, name -> (loop start, end, line), and all its methods,
    ".name" -> the same or None (so that a method name can be known to be unique in the package)."""
    out: dict[str, tuple[int, int, int] | None] = {}
    for decl, found in per_declaration(ctx, CODE, _declaration_loop):
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
    return out


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
        if _process_lifetime(ctx, go):
            continue
        lit = goroutine_literal(go)
        if lit is not None:
            loop = endless_loop(ctx, lit.child_by_field_name("body"))
            if loop is None:
                continue
            yield finding(CODE, go.children[0],
                          "the goroutine runs an endless loop (its `for` has no "
                          "condition, return, break or exit): it never stops and leaks with everything it "
                          "references; give it a context.Context and return on <-ctx.Done(), or a done channel",
                          related=[Related(loop.start_byte, loop.start_byte + 3, "the loop that never ends")])
            continue
        name = _callee(ctx, go)
        if name is None:
            continue
        if funcs is None:
            funcs = _package_funcs(ctx)
        found = funcs.get(name, [])
        if len(found) != 1 or found[0][1] is None:
            continue  # not declared here, not endless, or a method name several types share
        path, (start, end, line) = found[0]
        shown = name.lstrip(".")
        here = _abspath(ctx.path)
        where = f" (in {os.path.basename(path)})" if path and path != here else ""
        yield finding(CODE, go.children[0],
                      f"the goroutine runs {shown}{where}, whose loop never ends (no condition, return, break "
                      "or exit): it never stops and leaks with everything it references; give it a "
                      "context.Context and return on <-ctx.Done(), or a done channel",
                      related=[Related(start, end, f"the loop of {shown} that never ends",
                                       path if path and path != here else None)])


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
        if operand.type == "identifier" and ctx.imports.path_of(ctx.text(operand)) is not None \
                and not is_local(ctx.source, operand):
            return None
        return "." + ctx.text(field)
    return None


def _abspath(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def _package_funcs(ctx: FileContext) -> dict[str, list[tuple[str | None, tuple[int, int, int] | None]]]:
    """name -> [(file, loop or None)] over this file (the live buffer) and the rest of its package."""
    here = _abspath(ctx.path)
    # The package view includes this file's own summary (from the live buffer), computed once.
    summaries = dict(ctx.package.summaries(CHECK)) if ctx.package is not None else {}
    if here not in summaries:
        summaries[here] = summarize(ctx)
    out: dict[str, list[tuple[str | None, tuple[int, int, int] | None]]] = {}
    for path, summary in summaries.items():
        for name, info in (summary or {}).items():
            out.setdefault(name, []).append((path, info))
    return out


def _process_lifetime(ctx: FileContext, go: Node) -> bool:
    """Started by main or init, or under a sync.Once's Do: one goroutine per process."""
    top = top_level(go)
    if top.type == "function_declaration":
        name = ctx.text(top.child_by_field_name("name"))
        if name == "init" or (name == "main" and ctx.package_name == "main"):
            return True
    n = go.parent
    while n is not None and n != top:
        if n.type == "call_expression":
            f = n.child_by_field_name("function")
            if f is not None and f.type == "selector_expression" and ctx.text(f.child_by_field_name("field")) == "Do":
                return True
        n = n.parent
    return False


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run, summarize=summarize, package_wide=True)
