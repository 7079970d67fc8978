"""a time.Ticker or time.Timer is never stopped

Flags `t := time.NewTicker(d)` and `t := time.NewTimer(d)` when nothing in
the function calls `t.Stop()` (a `defer`, a deferred closure or a goroutine
counts) and `t` does not escape (returned, stored in a field, a package-level
variable or a container that escapes, sent on a channel, or passed to a
function). A timer whose channel the function then receives from
outside a `select` (`<-t.C`, `v := <-t.C`) has fired and holds nothing, and
so does a timer of a literal duration of at most a nanosecond: no finding.
In a test, so does one received in a `select` whose other cases all fail the
test (`default: t.Errorf(...)`): where the test passes, the timer has fired.

Also flags `time.Tick(d)`, which returns the channel of a ticker that can
never be stopped, outside `func main`, `func init` and functions that never
return (they run an endless `for` loop with no `return`, `break`, `goto` or
`panic` out of it): there the ticker is meant to live as long as the program.
Only below go 1.23: from Go 1.23 on the garbage collector recovers
unreferenced tickers, and the `time` documentation says there is no longer
any reason to prefer `NewTicker` where `Tick` will do.

Below go 1.23, also flags a timer made afresh in every round of a loop's
`select`, `case <-time.After(d):` or `case <-time.NewTimer(d).C:`: each one
lives in the runtime's timer heap until it fires, `d` later, so a loop that
goes round faster than `d` piles them up. From go 1.23 on they are collected
once unreferenced: no finding. A `<-time.After(d)` outside a `select` waits
for its timer to fire, and a `time.AfterFunc` timer runs its function once:
neither is flagged.

From go 1.23 on, silent in test files unless a goroutine reads the channel
for ever: the test's tickers and timers are collected once it drops them.

Silent, as the lifetime context says: in code that runs once per process
(`init`, `main`'s own flow, a `sync.Once`), right before `os.Exit`, and in
the `time` package's own tests, whose subject the unstopped timers are.

Severity follows the `go` directive of the nearest `go.mod` (walking up from
the file):

- **below go 1.23: warning.** Before Go 1.23 the runtime kept every active
  timer in its timer heap, so an unstopped ticker (and an unstopped timer
  until it fired) was never garbage collected and kept firing into its
  channel for ever: a leak of the ticker, its channel and everything its
  callback or channel readers kept alive, plus wake-ups every period.
- **go 1.23 and later: information.** Go 1.23 changed timers (the
  `asynctimerchan` GODEBUG setting, on by default for modules that declare
  `go 1.23` or later): timers and tickers no longer referenced by the
  program are collected even when not stopped, and their channels became
  unbuffered (synchronous). Stopping is still good hygiene, so the finding
  stays, as information, **unless a goroutine ranges over `t.C` (or
  receives from it in an endless loop) with no way out**: that goroutine
  keeps the ticker reachable, so it is never collected and never stops,
  and the finding remains a warning.

Without a go.mod the toolchain's own (1.23+) behaviour applies:
information.

Fix: `defer t.Stop()` on the line after the call (not offered inside loops,
where the defers would pile up). Where a goroutine started by the function
reads `t.C`, stopping the ticker when the function returns changes what the
goroutine sees, so the fix is offered but not applied by "fix all".

```go
ticker := time.NewTicker(time.Second) // want: ticker is never stopped
defer ticker.Stop()                   // the fix
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.expected_failure import TEST_FAILURE
from plumber.analysis.lifetime import LIFETIME, Lifetime
from plumber.analysis.ownership import Resource
from plumber.analysis.resources import bind, calls_query, defer_fix, opening_calls, unreleased
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Fix, Severity, finding
from plumber.syntax.nodes import (
    FUNCTION_TYPES,
    ancestors,
    break_target,
    enclosing_function,
    function_name,
    inside_loop,
    statements_of,
)

CODE = "ticker-not-stopped"
TIME = "time"
OPENERS = {TIME: frozenset({"NewTicker", "NewTimer"})}
TICK = {TIME: frozenset({"Tick"})}
AFTER = {TIME: frozenset({"After"})}
QUERY = calls_query(OPENERS[TIME] | TICK[TIME] | AFTER[TIME])
DOT_QUERY = (
    '(call_expression function: (identifier) @name (#any-of? @name "NewTicker" "NewTimer" "Tick" "After")) @call'
)
STOPPABLE = Resource(closers=frozenset({"Stop"}))
JUMPS = "[(return_statement) (goto_statement) (break_statement)] @jump"
PANICS = '(call_expression function: (identifier) @fn (#eq? @fn "panic")) @call'


def _calls(ctx: FileContext, funcs: dict) -> Iterator[Node]:
    yield from opening_calls(ctx, QUERY, funcs)
    if TIME in ctx.imports.dot_paths:
        yield from opening_calls(ctx, DOT_QUERY, funcs)


def run(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.imports.has(TIME):
        return
    modern = ctx.go_at_least(1, 23, unknown=True)
    life: Lifetime = ctx.result(LIFETIME)
    if life.own_package_test(TIME):
        return  # time's own tests: the unstopped timers are their subject
    for call in _calls(ctx, OPENERS):
        func = ctx.called_name(call)
        kind = "ticker" if func == "NewTicker" else "timer"
        if kind == "timer" and not modern and _fresh_per_round(ctx, call):
            yield _per_round(call, "time.NewTimer(d).C")
            continue
        b = bind(ctx, call, 0)
        if b is None or b.target is None or b.decl is None or not unreleased(ctx, b, STOPPABLE):
            continue
        if life.process_lifetime(b.stmt) or life.before_exit(b.stmt):
            continue
        name = ctx.text(b.target)
        uses = find_uses(ctx.source, ctx.root, declaring_scope(b.decl), b.decl, b.stmt.end_byte)
        if kind == "timer" and (_received_unconditionally(ctx, b, uses) or _fires_at_once(ctx, call)):
            continue
        goroutine_uses = [u for u in uses if _in_goroutine(u, enclosing_function(call))]
        endless = any(_endless_reader(ctx, u) for u in goroutine_uses)
        if modern and not endless and ctx.is_test_file:
            continue  # collected once the test drops it: a hint about wake-ups, not a leak, in a test
        severity = Severity.INFORMATION if modern and not endless else Severity.WARNING
        fix = defer_fix(ctx, b, f"{name}.Stop()", nil_safe=True)
        if fix is not None and goroutine_uses:
            fix = Fix(fix.title, fix.edits, safe=False)
        if endless:
            detail = (
                f"a goroutine reads its channel for ever, so the {kind} made by time.{func} is never "
                "collected and keeps firing"
            )
        elif modern:
            detail = (
                f"the {kind} made by time.{func} "
                + ("keeps firing" if kind == "ticker" else "stays pending until it fires or")
                + " until the garbage collector finds it unreachable; stop it when done"
            )
        else:
            detail = (
                f"before Go 1.23 the runtime keeps the {kind} made by time.{func}, its channel and what "
                "they reference alive" + (" and firing for ever" if kind == "ticker" else " until it fires")
            )
        yield finding(CODE, call, f"{name} is never stopped: {detail}", fixes=[fix] if fix else [], severity=severity)
    if not modern:
        for call in _calls(ctx, AFTER):
            if _fresh_per_round(ctx, call):
                yield _per_round(call, "time.After")
    for call in _calls(ctx, TICK):
        if modern:
            break  # collected once unreferenced: "no longer any reason to prefer NewTicker"
        fn = enclosing_function(call)
        if fn is None or _lives_forever(ctx, fn) or _no_ticker(ctx, call) or life.process_lifetime(call):
            continue
        yield finding(
            CODE,
            call,
            "time.Tick makes a ticker that can never be stopped: "
            + (
                "it is collected only once nothing reads its channel; use time.NewTicker and Stop it"
                if modern
                else "before Go 1.23 it leaks, firing for ever; use time.NewTicker and Stop it"
            ),
            severity=Severity.INFORMATION if modern else Severity.WARNING,
        )


def _fresh_per_round(ctx: FileContext, call: Node) -> bool:
    """`case <-time.After(d):` / `case <-time.NewTimer(d).C:` of a select inside a loop of the same function."""
    up = call.parent
    if up is not None and up.type == "selector_expression":
        field = up.child_by_field_name("field")
        if field is None or ctx.text(field) != "C":
            return False
        up = up.parent
    if up is None or up.type != "unary_expression" or not ctx.text(up).startswith("<-"):
        return False
    case = up.parent
    while case is not None and case.type in ("expression_list", "receive_statement"):
        case = case.parent
    if case is None or case.type != "communication_case" or _fires_at_once(ctx, call):
        return False
    return inside_loop(case, enclosing_function(call)) is not None


def _per_round(call: Node, what: str) -> Finding:
    return finding(
        CODE,
        call,
        f"{what} in a select in a loop makes a new timer every round: before Go 1.23 each one stays in the "
        "runtime's timer heap until it fires, so a loop that goes round faster piles them up; make one timer "
        "before the loop and Reset it",
    )


def _received_unconditionally(ctx: FileContext, b, uses: list[Node]) -> bool:
    """`<-t.C` outside a select, in the function that made the timer: it has fired by then."""
    fn = enclosing_function(b.call)
    for use in uses:
        sel = use.parent
        if sel is None or sel.type != "selector_expression" or ctx.text(sel.child_by_field_name("field")) != "C":
            continue
        recv = sel.parent
        if recv is None or recv.type != "unary_expression" or ctx.text(recv).lstrip()[:2] != "<-":
            continue
        if enclosing_function(recv) != fn:
            continue
        case = next((n for n in ancestors(recv) if n.type in FUNCTION_TYPES or n.type == "communication_case"), None)
        if case is None or case.type != "communication_case":
            return True
        if ctx.is_test_file and _others_fail(ctx, case):
            return True  # `select { case <-t.C: ... default: t.Errorf(...) }`: fired, or the test failed
    return False


def _others_fail(ctx: FileContext, case: Node) -> bool:
    """Every other case of the select reports a test failure (t.Errorf, t.Fatal, panic at its top level)."""
    select = case.parent
    others = [c for c in select.named_children if c != case] if select is not None else []

    def fails(c: Node) -> bool:
        body = next((k for k in c.named_children if k.type == "statement_list"), None)
        return any(s.type == "expression_statement" and TEST_FAILURE.match(ctx.text(s)) for s in statements_of(body))

    return bool(others) and all(fails(c) for c in others)


def _in_goroutine(use: Node, fn: Node | None) -> Node | None:
    """The func literal of a `go` statement, inside `fn`, that holds `use`."""
    n = use.parent
    while n is not None and n != fn:
        if (
            n.type == "func_literal"
            and n.parent is not None
            and n.parent.type == "call_expression"
            and n.parent.parent is not None
            and n.parent.parent.type == "go_statement"
        ):
            return n
        n = n.parent
    return None


def _endless_reader(ctx: FileContext, use: Node) -> bool:
    """`use` is `t.C` ranged over, or received from inside a `for` without condition, with no way out."""
    sel = use.parent
    if sel is None or sel.type != "selector_expression":
        return False
    field = sel.child_by_field_name("field")
    if field is None or ctx.text(field) != "C":
        return False
    n = sel.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        if n.type == "for_statement":
            return _never_leaves(ctx, n)
        n = n.parent
    return False


def _never_leaves(ctx: FileContext, loop: Node) -> bool:
    """A `for` with no condition (or ranging over a channel) and no return/break/goto/panic out of it."""
    body = loop.child_by_field_name("body")
    for c in loop.named_children:
        if c == body or c.type == "comment":
            continue
        if c.type == "for_clause":
            if c.child_by_field_name("condition") is not None:
                return False
        elif c.type == "range_clause":
            right = c.child_by_field_name("right")
            if right is None or not _is_tick_channel(ctx, right):
                return False
        else:
            return False  # for cond { ... }
    if body is None:
        return False
    for jump in ctx.captures(JUMPS, body).get("jump", []):
        if _owner_function(jump) != _owner_function(loop):
            continue
        if jump.type == "break_statement":
            if jump.named_child_count:  # a labelled break: assume it leaves
                return False
            target = break_target(jump)
            if target == loop:
                return False
            continue
        return False
    return all(_owner_function(call) != _owner_function(loop) for call in ctx.captures(PANICS, body).get("call", []))


def _is_tick_channel(ctx: FileContext, expr: Node) -> bool:
    """`t.C`, `time.Tick(d)`, or a variable declared from one of them."""
    text = ctx.text(expr)
    if text.endswith(".C") or "Tick(" in text:
        return True
    if expr.type != "identifier":
        return False
    decl = declaration_of(ctx.source, expr)
    holder = decl.parent if decl is not None else None
    if holder is not None and holder.type == "expression_list":
        holder = holder.parent
    if holder is None or holder.type not in ("short_var_declaration", "var_spec", "assignment_statement"):
        return False
    right = holder.child_by_field_name("right") or holder.child_by_field_name("value")
    value = ctx.text(right) if right is not None else ""
    return value.endswith(".C") or "Tick(" in value


def _no_ticker(ctx: FileContext, call: Node) -> bool:
    """A literal duration <= 0: time.Tick returns nil, a timer fires at once."""
    args = call.child_by_field_name("arguments")
    text = ctx.text(args).strip("() \t") if args is not None else ""
    return text.startswith("-") or text == "0"


def _fires_at_once(ctx: FileContext, call: Node) -> bool:
    """A timer of a literal duration of at most a nanosecond: it fires at once and holds nothing."""
    args = call.child_by_field_name("arguments")
    text = ctx.text(args).strip("() \t").replace(" ", "") if args is not None else ""
    return _no_ticker(ctx, call) or text in ("1", "Nanosecond", "time.Nanosecond", "1*time.Nanosecond")


def _owner_function(node: Node) -> Node | None:
    return enclosing_function(node)


ENDLESS_FORS = "(for_statement) @loop"


def _lives_forever(ctx: FileContext, fn: Node) -> bool:
    """main, init, or a function that runs an endless loop (it never returns)."""
    if fn.type == "function_declaration" and function_name(ctx.source, fn) in ("main", "init"):
        return True
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    for loop in ctx.captures(ENDLESS_FORS, body).get("loop", []):
        if enclosing_function(loop) == fn and _never_leaves(ctx, loop):
            return True
    return False


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.RESOURCE,
    fix=FixAvailability.SOMETIMES,
    requires=(LIFETIME,),
)
