"""a loop without a condition starts goroutines as fast as it can

`for { go work() }` starts goroutines until memory runs out when nothing in
the loop waits: each goroutine costs at least a few kilobytes of stack, and
the ones that sleep or block pile up (seed 000:
`for { go func() { time.Sleep(time.Hour) }() }`).

Flags a `go` statement whose innermost loop has no condition (`for { ... }`)
when the loop's body, outside function literals, holds nothing that can
block or bound the rate: no receive, send, `select`, nested `range` loop, and
no call other than the `go` statement's own (an accept loop,
`conn, err := l.Accept(); go handle(conn)`, blocks on `Accept`; `Wait`,
`Acquire`, `Sleep` are calls too). A loop with a `break`, `return` or `goto`
is bounded by it: no finding.

No fix: bound the concurrency with a worker pool reading from a channel, or a
semaphore (a buffered channel or `semaphore.Weighted`) acquired before each
`go`.

```go
for {
    go func() { // want: goroutines are started without bound
        time.Sleep(time.Hour)
    }()
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Related, Severity, finding
from plumber.syntax.nodes import in_nested_function, inside_loop

CODE = "unbounded-spawn"
GO_QUERY = "(go_statement) @go"
BLOCKERS = (
    "[(unary_expression) (send_statement) (select_statement) (call_expression) (for_statement)"
    " (return_statement) (break_statement) (goto_statement)] @n"
)


def run(ctx: FileContext) -> Iterator[Finding]:
    seen: set[int] = set()
    for go in ctx.captures(GO_QUERY).get("go", []):
        loop = inside_loop(go)
        if loop is None or loop.id in seen:
            continue
        if any(c.type not in ("block", "comment") for c in loop.named_children):
            continue  # a condition, a clause or a range bounds it
        body = loop.child_by_field_name("body")
        if body is None or _may_wait(ctx, body, go):
            continue
        seen.add(loop.id)
        yield finding(
            CODE,
            go.children[0],
            "goroutines are started without bound: the enclosing `for` has no "
            "condition and nothing in it waits, so it starts them as fast as it can until memory runs "
            "out; use a worker pool or a semaphore",
            related=[Related(loop.start_byte, loop.start_byte + 3, "the loop without a condition")],
        )


def _may_wait(ctx: FileContext, body: Node, go: Node) -> bool:
    own_call = go.named_children[0] if go.named_children else None
    for n in ctx.captures(BLOCKERS, body).get("n", []):
        if in_nested_function(n, body):
            continue
        if n.type == "unary_expression":
            op = n.child_by_field_name("operator")
            if op is None or ctx.text(op) != "<-":
                continue
            return True
        if n.type == "call_expression" and n == own_call:
            continue
        return True
    return False


CHECK = Check(
    code=CODE, severity=Severity.WARNING, doc=__doc__, run=run, category=Category.GOROUTINE, fix=FixAvailability.NEVER
)
