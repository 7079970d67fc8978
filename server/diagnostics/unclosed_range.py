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

A ticker's channel is never closed: `Stop` ends the ticks, not a range over
`t.C`. Flagged outside tests: a goroutine (`go func() { ... }()`) ranging
over `x.C` with no way out of the loop, where `x` is a ticker that is
stopped: a field set from `time.NewTicker` (`s.tick = time.NewTicker(d)`,
`tick: time.NewTicker(d)`) whose `Stop` a function of the file calls
(grpc-go's binary log sink leaked its flusher so per closed sink). Silent
where the goroutine lives as long as the process (started in `main`, `init`
or once) and where nothing stops the ticker (a daemon, ticking for ever).
No fix: the goroutine needs a done channel to select on beside `x.C`. (A
local ticker's range in a goroutine is endless-goroutine's.)
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.channels import CHANNELS, CLOSE, RANGE, SEND, Channel, Op, channels
from plumber.analysis.context import FileContext
from plumber.analysis.edits import insert_line_after
from plumber.analysis.goroutines import close_is_harmless, loop_can_leave, loop_in
from plumber.analysis.lifetime import LIFETIME, Lifetime
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity, finding, related
from plumber.syntax.nodes import (
    child_containing,
    enclosing_function,
    goroutine_literal,
    inside_loop,
    word_starts,
)

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
    if not ctx.is_test_file and ctx.imports.has("time"):
        yield from _ticker_ranges(ctx)


# -- ranges over a ticker's channel -----------------------------------------------

TICKER_RANGES = (
    "(for_statement (range_clause right: (selector_expression operand: [(identifier) (selector_expression)] @ticker"
    ' field: (field_identifier) @c (#eq? @c "C")))) @loop'
)
STOP_CALLS = (
    "(call_expression function: (selector_expression operand: [(identifier) (selector_expression)] @ticker"
    ' field: (field_identifier) @m (#eq? @m "Stop")) arguments: (argument_list) @args) @call'
)


def _ticker_ranges(ctx: FileContext) -> Iterator[Finding]:
    life: Lifetime = ctx.result(LIFETIME)
    for m in ctx.matches(TICKER_RANGES):
        loop, ticker = m["loop"][0], m["ticker"][0]
        lit = enclosing_function(loop)
        go = lit.parent.parent if lit is not None and lit.parent is not None else None
        if go is None or go.type != "go_statement" or goroutine_literal(go) != lit or loop_can_leave(ctx, loop):
            continue
        if life.process_lifetime(go) or life.before_exit(go):
            continue
        stop = _stop_of(ctx, ticker)
        if stop is None:
            continue
        x = ctx.text(ticker)
        yield finding(
            CODE,
            next((c for c in loop.named_children if c.type == "range_clause"), loop),
            f"nothing closes {x}.C: Stop ends a ticker's ticks, not its channel, so this range never ends "
            "and the goroutine blocks forever once the ticker is stopped; select on a done channel beside it",
            related=[related(stop, f"{x} is stopped here"), related(go, "the goroutine is started here")],
        )


def _stop_of(ctx: FileContext, ticker: Node) -> Node | None:
    """A `Stop()` in the file of a field of the ticker's name, where the file sets such a field from
    time.NewTicker. (A local variable's ticker range is endless-goroutine's.)"""
    if ticker.type != "selector_expression":
        return None
    field = ctx.text(ticker.child_by_field_name("field"))
    if not ctx.read_across("stopped ticker fields", _stopped_fields).get(field):
        return None
    return next(c for c, t in _stops(ctx) if t.type == "selector_expression"
                and ctx.text(t.child_by_field_name("field")) == field)  # fmt: skip


def _stops(ctx: FileContext) -> list[tuple[Node, Node]]:
    """(call, operand) of the file's `x.Stop()` calls (no arguments)."""
    return [
        (m["call"][0], m["ticker"][0])
        for m in ctx.matches(STOP_CALLS, ctx.root)
        if not [a for a in m["args"][0].named_children if a.type != "comment"]
    ]


def _ticker_fields(ctx: FileContext) -> set[str]:
    """The field names the file sets from `time.NewTicker(...)`: `s.t = ...`, `t: ...` in a literal."""
    names = set(ctx.imports.names_of("time"))
    out: set[str] = set()
    for m in ctx.matches(NEW_TICKERS, ctx.root):
        call = m["call"][0]
        f = call.child_by_field_name("function")
        if f is None or f.type != "selector_expression" or ctx.text(f.child_by_field_name("field")) != "NewTicker":
            continue
        if ctx.text(f.child_by_field_name("operand")) not in names:
            continue
        target = m["target"][0]
        out.add(ctx.text(target.child_by_field_name("field") if target.type == "selector_expression" else target))
    return out


NEW_TICKERS = (
    "["
    "(assignment_statement left: (expression_list . (selector_expression) @target .)"
    " right: (expression_list . (call_expression) @call .))"
    "(keyed_element key: (literal_element (identifier) @target) value: (literal_element (call_expression) @call))"
    "]"
)


def _stopped_fields(ctx: FileContext) -> dict[str, bool]:
    """The field names the file sets from time.NewTicker and calls Stop on (`s.tick.Stop()`)."""
    if next(word_starts(ctx.source, b"NewTicker"), None) is None:
        return {}  # (no ticker made: the queries over a large file at every keystroke spared)
    stopped = {ctx.text(t.child_by_field_name("field")) for _, t in _stops(ctx) if t.type == "selector_expression"}
    return dict.fromkeys(_ticker_fields(ctx) & stopped, True) if stopped else {}


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
    requires=(CHANNELS, LIFETIME),
)
