"""a goroutine waits on a channel that nothing ever sends on or closes

A receive (`<-ch`, `v := <-ch`, `for v := range ch`) blocks until a value
arrives or the channel is closed. When a function makes a channel, starts a
goroutine that receives from it, and never sends on it nor closes it, the
goroutine waits forever: it and everything it references leak (seeds 003
and 004: "never start a goroutine without knowing how it will stop").

Flagged for a channel the function makes and keeps to itself and the
goroutines it starts (see blocked-send) when a goroutine receives from it
and nothing, in the function, its deferred calls or its goroutines, sends
on it or closes it. A receive that is one case of a `select` with other
cases (a `default`, `<-ctx.Done()`, another channel) may never be the one
that blocks: no finding.

Fix: `defer close(ch)` on the line after the `make`, so the goroutine's
receive returns (with the zero value, or ends its range) when the function
returns. Not offered when the `make` is inside a loop, nor when a receive
sits in a loop (`for { v := <-ch; ... }`), which the closed channel would
turn into a busy loop.

```go
func leak() {
    ch := make(chan int)
    defer close(ch) // the fix: releases the goroutine when leak returns
    go func() {
        <-ch // want: nothing sends on or closes ch
        fmt.Println("Goroutine finish")
    }()
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from plumber.analysis.channels import CHANNELS, CLOSE, RANGE, RECV, SEND, channels
from plumber.analysis.context import FileContext
from plumber.analysis.goroutines import close_is_harmless, defer_close_fix, function_label
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Severity, finding, related

CODE = "blocked-receive"


def run(ctx: FileContext) -> Iterator[Finding]:
    for ch in channels(ctx):
        if ch.of(SEND, CLOSE):
            continue
        waits = [
            o
            for o in ch.in_goroutines(RECV, RANGE)
            if o.select is None
            or len([c for c in o.select.named_children if c.type in ("communication_case", "default_case")]) == 1
        ]
        if not waits:
            continue
        op = waits[0]
        fname = function_label(ctx, ch.fn)
        fix = (
            defer_close_fix(ctx, ch, f"Insert defer close({ch.name}): releases the goroutine when {fname} returns")
            if close_is_harmless(ch)
            else None
        )
        if op.kind == RANGE:
            node = next((c for c in op.node.named_children if c.type == "range_clause"), op.node)
            what = f"ranges over {ch.name}"
        else:
            node = op.node
            what = f"receives from {ch.name}"
        yield finding(
            CODE,
            node,
            f"nothing sends on or closes {ch.name}: the goroutine that {what} blocks forever, and leaks",
            fixes=[fix] if fix else [],
            related=[
                related(ch.make, f"{ch.name} is made here and never sent on or closed"),
                *([related(op.owner, "the goroutine is started here")] if op.owner is not None else []),
            ],
        )


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.GOROUTINE,
    fix=FixAvailability.SOMETIMES,
    requires=(CHANNELS,),
)
