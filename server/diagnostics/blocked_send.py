"""a goroutine blocks forever sending on an unbuffered channel nobody receives from any more

A send on an unbuffered channel waits for a receiver. When a function starts
a goroutine that sends its result on such a channel and then returns before
receiving it, the goroutine never finishes: its stack and everything it
references stay allocated for the life of the process. Seed 001 names two
shapes, both flagged:

- the *premature return*: a `return` between the `go` statement and the
  receive (`if err != nil { return err }` while the goroutine still works);
- the *timeout leak*: the receive sits in a `select` whose other case
  (`<-time.After(d)`, a timer's `<-t.C`, `<-ctx.Done()`, or a receive from
  another channel of the function that only other goroutines send on or
  close) leaves without receiving.

A third shape: the goroutine sends in a loop (`for _, x := range xs { ch <- x }`)
and the function leaves its range over the channel early (a `return`, `break`
or `goto` in the range's body), or receives in a `for { select { ... } }` that
returns on a timeout: the goroutine's next send has no receiver. No fix then
(no capacity is known to be enough): the goroutine needs a done channel or a
context it selects on, or the function must drain the channel.

Flagged only for a channel the function makes with `make(chan T)`, uses only
itself and in the one goroutine (started once, not in a loop) that sends on
it; the goroutine sends outside `select`s and receives nothing from
it, and the function receives it (outside `select`s with a `default`, and not
in a deferred call). A channel that is passed to another function, returned,
stored or buffered is left alone, except a goroutine that runs a function of the
file with it (`go worker(x, ch)`): that function's sends, receives and closes
on its parameter are the goroutine's (anything else it does with the channel
makes the channel someone else's).

Fix: `make(chan T)` becomes `make(chan T, 1)`, so the send completes even
when nobody receives, and the goroutine ends. Offered where each run of the
goroutine sends at most once (one send, sends on separate branches, or a
send followed by `return`); not when it may send twice.

```go
ch := make(chan error) // want: ch is unbuffered
go func() { ch <- work() }()
if a > 0 {
    return // the goroutine's send now blocks forever
}
err := <-ch
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.channels import CHANNELS, CLOSE, RANGE, RECV, SEND, Channel, channels, per_unbuffered_channel
from plumber.analysis.context import FileContext
from plumber.analysis.goroutines import at_most_one_per_run, capacity_edit, has_default, in_loop_of_owner, reached_after
from plumber.analysis.scope import declaration_of
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Fix, Severity, finding, related
from plumber.syntax.nodes import break_target, enclosing_function, in_nested_function, inside_loop, statements_of

CODE = "blocked-send"
RETURNS = "(return_statement) @ret"


def run(ctx: FileContext) -> Iterator[Finding]:
    yield from per_unbuffered_channel(ctx, _check)


def _check(ctx: FileContext, ch: Channel) -> Finding | None:
    senders = ch.goroutines(SEND)
    if len(senders) != 1 or ch.own(SEND) or ch.in_goroutines(RECV, RANGE) or ch.own(CLOSE):
        return None
    go = senders[0]
    if inside_loop(go, ch.fn) is not None:
        return None  # many senders: ncast-send's case
    sends = ch.of(SEND, owner=go)
    if any(s.deferred or s.case is not None for s in sends):
        return None
    looping = any(in_loop_of_owner(s, ch.fn) for s in sends)
    if looping and not ch.own(RECV):
        return _range_left_early(ctx, ch, go, sends)
    if ch.own(RANGE):
        return None
    recvs = ch.own(RECV)
    if not recvs or any(r.deferred or has_default(r.select) for r in recvs):
        return None
    first = min(recvs, key=lambda r: r.node.start_byte)
    if first.node.start_byte < go.end_byte:
        return None
    where: Node | None = None
    why = ""
    ret = _early_return(ctx, ch, go, first) if not looping else None
    if ret is not None:
        where, why = ret, "when the function returns before receiving"
    elif len(recvs) == 1 and first.select is not None and (not looping or inside_loop(first.select, ch.fn)):
        # a goroutine sending in a loop needs the receive in a loop too, or it blocks on its second send
        # whatever the select does: ncast-like, not this shape
        case = _leaving_case(ctx, ch, first, go)
        if case is not None:
            comm = case.child_by_field_name("communication")
            where = case
            why = f"when the select leaves on `{ctx.text(comm) if comm is not None else 'timeout'}` before receiving"
    if where is None:
        return None
    send = sends[0].node
    fixes = []
    if not looping and at_most_one_per_run(sends):
        fixes.append(
            Fix(f"Buffer {ch.name} with capacity 1 so the goroutine's send never blocks", (capacity_edit(ch, "1"),))
        )
    rel_msg = (
        "the function can return here without receiving from " + ch.name
        if where.type == "return_statement"
        else "this case leaves the select without receiving from " + ch.name
    )
    return finding(
        CODE,
        ch.make,
        f"{ch.name} is unbuffered: the goroutine that sends on it blocks forever on its send {why}, and leaks",
        fixes=fixes,
        related=[
            related(where, rel_msg),
            related(send, "the goroutine blocks on this send"),
            related(go, "the goroutine is started here"),
        ],
    )


def _range_left_early(ctx: FileContext, ch: Channel, go: Node, sends) -> Finding | None:
    """The goroutine sends in a loop; the function ranges over ch once and can leave the range
    from its body (return, break, goto): the goroutine's next send has no receiver."""
    ranges = ch.own(RANGE)
    if len(ranges) != 1 or ranges[0].deferred or ch.own(CLOSE):
        return None
    loop = ranges[0].node
    if loop.start_byte < go.end_byte or inside_loop(loop, ch.fn) is not None:
        return None
    leave = _leaves_range(ctx, loop)
    if leave is None:
        return None
    return finding(
        CODE,
        ch.make,
        f"{ch.name} is unbuffered: the goroutine that sends on it in a loop blocks forever on its next send "
        f"when the function leaves the range over {ch.name} early, and leaks; let the goroutine stop "
        "(a done channel or context it selects on) or drain the channel before leaving",
        related=[
            related(leave, f"the function can leave the range over {ch.name} here"),
            related(sends[0].node, "the goroutine blocks on this send"),
            related(go, "the goroutine is started here"),
        ],
    )


_LEAVES = "[(return_statement) (break_statement) (goto_statement)] @leave"


def _leaves_range(ctx: FileContext, loop: Node) -> Node | None:
    """The first return, goto or break out of `loop` in its body (not in nested functions)."""
    body = loop.child_by_field_name("body")
    if body is None:
        return None
    for n in ctx.captures(_LEAVES, body).get("leave", []):
        if in_nested_function(n, loop):
            continue
        if n.type == "break_statement" and not n.named_child_count and break_target(n) != loop:
            continue  # leaves an inner switch, select or loop
        if n.type == "break_statement" and n.named_child_count and not _labels_outside(ctx, n, loop):
            continue
        return n
    return None


def _labels_outside(ctx: FileContext, brk: Node, loop: Node) -> bool:
    """`break L` where L labels `loop` or a statement around it."""
    label = ctx.text(brk.named_children[0])
    n = brk.parent
    while n is not None and n != loop:
        if n.type == "labeled_statement" and ctx.text(n.child_by_field_name("label")) == label:
            return False
        n = n.parent
    return True


def _early_return(ctx: FileContext, ch: Channel, go: Node, first) -> Node | None:
    """A `return` of the function reached after the go statement and before the first receive."""
    select = first.select
    for ret in ctx.captures(RETURNS, ch.fn).get("ret", []):
        if enclosing_function(ret) != ch.fn or not (
            go.end_byte <= ret.start_byte and ret.end_byte <= first.node.start_byte
        ):
            continue
        if select is not None and select.start_byte <= ret.start_byte < select.end_byte:
            continue  # a case of the receiving select: the timeout shape
        if reached_after(go, ret):
            return ret
    return None


def _leaving_case(ctx: FileContext, ch: Channel, recv, go: Node) -> Node | None:
    select = recv.select
    in_loop = inside_loop(select, ch.fn) is not None
    for case in select.named_children:
        if case.type != "communication_case" or case == recv.case:
            continue
        comm = case.child_by_field_name("communication")
        if comm is None or comm.type != "receive_statement":
            continue
        right = comm.child_by_field_name("right")
        if right is None or right.type != "unary_expression":
            continue
        operand = right.child_by_field_name("operand")
        if operand is None or not (_is_timeout(ctx, operand) or _other_goroutines_channel(ctx, ch, operand, go)):
            continue
        if in_loop and not _returns(ctx, case):
            continue
        return case
    return None


def _is_timeout(ctx: FileContext, operand: Node) -> bool:
    """time.After(d), t.C of a timer, ctx.Done()."""
    if operand.type == "call_expression":
        if ctx.is_call_to(operand, "time", ("After",)):
            return True
        f = operand.child_by_field_name("function")
        args = operand.child_by_field_name("arguments")
        return (
            f is not None
            and f.type == "selector_expression"
            and ctx.text(f.child_by_field_name("field")) == "Done"
            and args is not None
            and args.named_child_count == 0
        )
    if operand.type == "selector_expression":
        return ctx.text(operand.child_by_field_name("field")) == "C"
    return False


def _other_goroutines_channel(ctx: FileContext, ch: Channel, operand: Node, go: Node) -> bool:
    """`<-other`: a channel of the same function that only other goroutines send on or close (etcd's
    `select { case <-chClientErr: ...; case conn := <-chAcceptConn: ... }`): it can be ready first."""
    if operand.type != "identifier":
        return False
    decl = declaration_of(ctx.source, operand)
    other = next((c for c in channels(ctx) if c is not ch and c.fn == ch.fn and c.decl == decl), None)
    if other is None:
        return False
    ops = other.of(SEND, CLOSE)
    return bool(ops) and all(o.owner is not None and o.owner != go for o in ops)


def _returns(ctx: FileContext, case: Node) -> bool:
    stmts = [
        c for c in case.named_children if c.type not in ("comment",) and c != case.child_by_field_name("communication")
    ]
    if len(stmts) == 1 and stmts[0].type == "statement_list":
        stmts = statements_of(stmts[0])
    return bool(stmts) and stmts[-1].type == "return_statement"


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.GOROUTINE,
    fix=FixAvailability.SOMETIMES,
    requires=(CHANNELS,),
)
