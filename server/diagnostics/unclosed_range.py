"""a range over a channel that nothing closes never ends

`for v := range ch` only ends when `ch` is closed. When nothing closes it,
the ranging goroutine (or the function itself) waits forever once the
senders are done, and everything it references stays allocated: the
"channel iteration misuse" of seeds 000, 001 and 002.

Flagged for a channel the function makes and keeps to itself and the
goroutines it starts (see blocked-send), that something sends on, that
nothing closes (a `close(ch)` in a deferred closure or a goroutine counts),
and that a `for ... range ch` loop reads, unless that loop can leave by
itself (`break`, `return`, `goto` or a call that exits).

Fix: insert `close(ch)`, only where it cannot make a sender panic with
"send on closed channel". When the senders are goroutines waited for with
`wg.Wait()` (each calls `wg.Done()` after its sends, or the ranging
goroutine calls it per value and each sender sends once): on the line after
`wg.Wait()`. When the function sends itself and no goroutine does: after the
statement holding the last send (when the function ranges itself, only if
that comes before its range). When a single goroutine (started once)
sends: after that goroutine's last send. Otherwise no fix, and none either
when a plain receive from the channel sits in a loop (`for { v := <-ch }`
would spin once the channel is closed).

```go
ch := make(chan int)
go func() {
    for v := range ch { // want: nothing closes ch
        process(v)
    }
}()
ch <- 1
ch <- 2
close(ch) // the fix
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.channels import CHANNELS, CLOSE, RANGE, SEND, Channel, Op, channels
from plumber.analysis.context import FileContext
from plumber.analysis.edits import insert_line_after
from plumber.analysis.goroutines import close_is_harmless, loop_can_leave, loop_in
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity, finding, related
from plumber.syntax.nodes import child_containing, enclosing_function, goroutine_literal, inside_loop

CODE = "unclosed-range"
WAITS = (
    "(call_expression function: (selector_expression operand: (identifier) @wg"
    ' field: (field_identifier) @m (#any-of? @m "Wait" "Done"))) @call'
)


def run(ctx: FileContext) -> Iterator[Finding]:
    for ch in channels(ctx):
        if ch.of(CLOSE) or not ch.of(SEND) or ch.callees:
            continue  # (a goroutine running a named function: where to close is not modelled here)
        for op in ch.of(RANGE):
            if op.deferred or loop_can_leave(ctx, op.node):
                continue
            fix = _fix(ctx, ch, op)
            who = "the goroutine" if op.owner is not None else "the function"
            clause = next((c for c in op.node.named_children if c.type == "range_clause"), op.node)
            yield finding(
                CODE,
                clause,
                f"nothing closes {ch.name}: this range never ends, and {who} waits on it forever "
                "once the senders are done",
                fixes=[fix] if fix else [],
                related=[related(ch.make, f"{ch.name} is made here")],
            )
            break


# -- the fix ------------------------------------------------------------------


def _fix(ctx: FileContext, ch: Channel, rng: Op) -> Fix | None:
    own_sends = ch.own(SEND)
    go_sends = ch.in_goroutines(SEND)
    if not close_is_harmless(ch):
        return None  # a receive in a loop would spin on the closed channel
    if any(s.deferred for s in own_sends + go_sends) or b"goto" in ctx.source[ch.fn.start_byte : ch.fn.end_byte]:
        return None
    for s in go_sends:
        if s.owner is None or enclosing_function(s.node) != goroutine_literal(s.owner):
            return None  # sent from a goroutine the goroutine starts: nobody waits for it
    for s in own_sends:
        if enclosing_function(s.node) != ch.fn:
            return None
    title = f"Close {ch.name} once the senders are done"
    if go_sends and not own_sends:
        wait = _wait_fix(ctx, ch, rng)
        if wait is not None:
            return Fix(f"Close {ch.name} after the senders are waited for", (wait,))
        senders = ch.goroutines(SEND)
        if len(senders) == 1 and inside_loop(senders[0], ch.fn) is None:
            lit = goroutine_literal(senders[0])
            if lit is not None:
                edit = _after_last_send(ctx, ch, lit.child_by_field_name("body"), go_sends)
                if edit is not None:
                    return Fix(title, (edit,))
        return None
    if own_sends and not go_sends:
        edit = _after_last_send(ctx, ch, ch.stmt.parent, own_sends)
        # The function ranges itself: only a close before its range can end it.
        if edit is not None and (rng.owner is not None or edit.start <= rng.node.start_byte):
            return Fix(title, (edit,))
    return None


def _after_last_send(ctx: FileContext, ch: Channel, scope: Node | None, sends: list[Op]) -> Edit | None:
    """`close(ch)` after the statement of `scope` (a block or statement list) that holds the last send."""
    if scope is None:
        return None
    if scope.type == "block":
        lists = [c for c in scope.named_children if c.type == "statement_list"]
        if len(lists) != 1:
            return None
        scope = lists[0]
    if scope.type != "statement_list":
        return None
    last = max(sends, key=lambda s: s.node.end_byte)
    if not (scope.start_byte <= last.node.start_byte < scope.end_byte):
        return None
    if any(not (scope.start_byte <= s.node.start_byte < scope.end_byte) for s in sends):
        return None
    anchor = child_containing(scope, last.node)
    if anchor is None or anchor.type in ("return_statement",):
        return None
    return insert_line_after(ctx, anchor, f"close({ch.name})")


def _wait_fix(ctx: FileContext, ch: Channel, rng: Op) -> Edit | None:
    """`close(ch)` after `wg.Wait()` when every sender is waited for through `wg`."""
    calls = ctx.captures(WAITS, ch.fn)
    waits: list[tuple[str, Node]] = []
    dones: list[tuple[str, Node]] = []
    for call in calls.get("call", []):
        f = call.child_by_field_name("function")
        if f is None:
            continue
        name = ctx.text(f.child_by_field_name("operand"))
        method = ctx.text(f.child_by_field_name("field"))
        (waits if method == "Wait" else dones).append((name, call))
    senders = ch.goroutines(SEND)
    for name, wait in waits:
        stmt = wait.parent
        if (
            stmt is None
            or stmt.type != "expression_statement"
            or stmt.parent is None
            or stmt.parent.type != "statement_list"
        ):
            continue
        if enclosing_function(wait) != ch.fn or inside_loop(wait, ch.fn) is not None:
            continue
        if any(g.end_byte > wait.start_byte for g in senders):
            continue
        if rng.owner is None and rng.node.start_byte < wait.start_byte:
            continue  # the function ranges before waiting: the close would never be reached
        block = ch.stmt.parent
        if block is None or not (block.start_byte <= stmt.start_byte < block.end_byte):
            continue
        if all(_done_after_sends(ctx, ch, g, name, dones) for g in senders) or _ranger_counts(
            ctx, ch, rng, name, dones, senders
        ):
            return insert_line_after(ctx, stmt, f"close({ch.name})")
    return None


def _done_after_sends(ctx: FileContext, ch: Channel, go: Node, wg: str, dones) -> bool:
    """The goroutine calls wg.Done() deferred, or after all its sends outside any loop."""
    lit = goroutine_literal(go)
    if lit is None:
        return False
    sends = ch.of(SEND, owner=go)
    for name, call in dones:
        if name != wg or not (lit.start_byte <= call.start_byte < lit.end_byte):
            continue
        if enclosing_function(call) != lit:
            continue
        stmt = call.parent
        if stmt is not None and stmt.type == "defer_statement":
            return True
        if (
            stmt is not None
            and stmt.type == "expression_statement"
            and loop_in(call, lit) is None
            and all(s.node.end_byte <= call.start_byte for s in sends)
            and stmt.parent is not None
            and stmt.parent.parent == lit.child_by_field_name("body")
        ):
            return True
    return False


def _ranger_counts(ctx: FileContext, ch: Channel, rng: Op, wg: str, dones, senders) -> bool:
    """Seed 001: the ranging goroutine calls wg.Done() per value and each sender sends once."""
    if rng.owner is None:
        return False
    body = rng.node.child_by_field_name("body")
    if body is None:
        return False
    if not any(
        name == wg
        and body.start_byte <= call.start_byte < body.end_byte
        and enclosing_function(call) == enclosing_function(rng.node)
        for name, call in dones
    ):
        return False
    for g in senders:
        sends = ch.of(SEND, owner=g)
        lit = goroutine_literal(g)
        if len(sends) != 1 or lit is None or loop_in(sends[0].node, lit) is not None or sends[0].case is not None:
            return False
    return True


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.GOROUTINE,
    fix=FixAvailability.SOMETIMES,
    requires=(CHANNELS,),
)
