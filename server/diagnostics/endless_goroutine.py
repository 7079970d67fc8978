"""a goroutine runs a loop that never ends

A goroutine ends only when its function returns. `go func() { for { ... } }()`
whose loop has no condition and no way out runs until the process exits;
started per request, per connection or per call, such goroutines pile up with
everything they reference (seed 002's workers, seed 004's
`go worker(ch)` that loops on a receive forever).

Flags `go func() { ... for { ... } ... }()` and `go f(...)` where `f` is a
function declared in the same package (any non-test file of the directory,
the open buffer first), when a `for` loop at the top level of the
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

from plumber.channels import goroutine_literal, is_exit_call, statements_of
from plumber.check import Check, Finding, Related, Severity, finding
from plumber.context import FileContext
from plumber.scope import FUNCTION_TYPES, enclosing_function, is_local, top_level

CODE = "endless-goroutine"
GO_QUERY = "(go_statement) @go"
FUNCS_QUERY = "(source_file (function_declaration name: (identifier) @name body: (block) @body) @fn)"
LEAVES = ("[(return_statement) (goto_statement) (break_statement) (expression_statement (call_expression))"
          " (call_expression function: (identifier) @panic (#eq? @panic \"panic\"))] @leave")


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
        if not _can_leave(ctx, loop):
            return loop
    return None


def _can_leave(ctx: FileContext, loop: Node) -> bool:
    body = loop.child_by_field_name("body")
    if body is None:
        return True
    for n in ctx.captures(LEAVES, body).get("leave", []):
        if _nested_function(n, loop):
            continue
        if n.type in ("return_statement", "goto_statement"):
            return True
        if n.type == "expression_statement":
            if is_exit_call(ctx, n):
                return True
        elif n.type == "call_expression":
            return True  # panic(...) in any position
        elif n.type == "break_statement":
            if n.named_child_count or _break_target(n) == loop:
                return True
    return False


def _nested_function(node: Node, top: Node) -> bool:
    n = node.parent
    while n is not None and n != top:
        if n.type in FUNCTION_TYPES:
            return True
        n = n.parent
    return False


def _break_target(brk: Node) -> Node | None:
    n = brk.parent
    while n is not None:
        if n.type in ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"):
            return n
        n = n.parent
    return None


def summarize(ctx: FileContext) -> dict[str, tuple[int, int, int]]:
    """Top-level functions of the file whose body runs an endless loop: name -> (loop start, end, line)."""
    out = {}
    for m in ctx.matches(FUNCS_QUERY):
        fn, name = m["fn"][0], ctx.text(m["name"][0])
        if fn.child_by_field_name("type_parameters") is not None:
            continue
        loop = endless_loop(ctx, m["body"][0])
        if loop is not None:
            out[name] = (loop.start_byte, loop.start_byte + 3, loop.start_point[0] + 1)
    return out


def run(ctx: FileContext) -> Iterator[Finding]:
    funcs: dict[str, tuple[str | None, tuple[int, int, int]]] | None = None
    for go in ctx.captures(GO_QUERY).get("go", []):
        if _process_lifetime(ctx, go):
            continue
        lit = goroutine_literal(go)
        if lit is not None:
            loop = endless_loop(ctx, lit.child_by_field_name("body"))
            if loop is None:
                continue
            yield finding(CODE, go.children[0],
                          f"the goroutine runs an endless loop (the `for` at line {loop.start_point[0] + 1} has no "
                          "condition, return, break or exit): it never stops and leaks with everything it "
                          "references; give it a context.Context and return on <-ctx.Done(), or a done channel",
                          related=[Related(loop.start_byte, loop.start_byte + 3, "the loop that never ends")])
            continue
        call = go.named_children[0] if go.named_children else None
        f = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if f is None or f.type != "identifier" or is_local(ctx.source, f):
            continue
        if funcs is None:
            funcs = _package_funcs(ctx)
        name = ctx.text(f)
        if name not in funcs:
            continue
        path, (start, end, line) = funcs[name]
        where = f"{os.path.basename(path)}:{line}" if path and path != _abspath(ctx.path) else f"line {line}"
        yield finding(CODE, go.children[0],
                      f"the goroutine runs {name}, whose loop at {where} never ends (no condition, return, break "
                      "or exit): it never stops and leaks with everything it references; give it a "
                      "context.Context and return on <-ctx.Done(), or a done channel",
                      related=[Related(start, end, f"the loop of {name} that never ends",
                                       path if path and path != _abspath(ctx.path) else None)])


def _abspath(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def _package_funcs(ctx: FileContext) -> dict[str, tuple[str | None, tuple[int, int, int]]]:
    """name -> (file, loop) for the endless functions of this file (first) and of its package."""
    out = {name: (_abspath(ctx.path), info) for name, info in summarize(ctx).items()}
    if ctx.package is not None:
        for path, summary in ctx.package.summaries(CHECK).items():
            for name, info in (summary or {}).items():
                out.setdefault(name, (path, info))
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
