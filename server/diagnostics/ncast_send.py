"""goroutines started in a loop send on an unbuffered channel that is received only once

The NCast leak of seed 001: a loop starts one goroutine per item, each sends
its result on an unbuffered channel, and the function takes the first result
with a single receive. Every other goroutine blocks on its send forever, and
leaks.

Flagged for a channel the function makes with `make(chan T)` and uses only
itself and in the goroutines it starts: one `go` statement inside a loop
whose goroutine sends once per run (outside loops and `select`s; sends on
separate paths count once) and
receives nothing, while the function receives exactly once, outside any
loop, and neither closes nor ranges over the channel.

Fix: give the channel one slot per sender. For `for _, x := range items`
the capacity is `len(items)`, offered when `items` is a local slice, array or
map (a parameter or variable whose type the declaration shows) declared
before the `make`; for `for i := 0; i < n; i++` and `for i := range n` it is
`n` (or `len(xs)`, a constant),
offered when the bound is declared before the `make`. No fix when the count
cannot be named that way.

```go
c := make(chan any) // want: one receive for many senders
for _, item := range items {
    go func() { c <- process(item) }()
}
data := <-c
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.channels import CHANNELS, CLOSE, RANGE, RECV, SEND, Channel, per_unbuffered_channel
from plumber.analysis.context import FileContext
from plumber.analysis.goroutines import at_most_one_per_run, capacity_edit, in_loop_of_owner
from plumber.analysis.scope import declaration_of
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Fix, Related, Severity, finding
from plumber.syntax.nodes import enclosing_function, inside_loop

CODE = "ncast-send"
COLLECTION_TYPES = frozenset({"slice_type", "array_type", "map_type", "implicit_length_array_type"})


def run(ctx: FileContext) -> Iterator[Finding]:
    yield from per_unbuffered_channel(ctx, _check)


def _check(ctx: FileContext, ch: Channel) -> Finding | None:
    senders = ch.goroutines(SEND)
    if len(senders) != 1 or ch.own(SEND, CLOSE, RANGE) or ch.in_goroutines(RECV, RANGE) or ch.callees:
        return None
    go = senders[0]
    loop = inside_loop(go, ch.fn)
    if loop is None or loop.start_byte <= ch.stmt.start_byte < loop.end_byte:
        return None  # one goroutine per channel
    sends = ch.of(SEND, owner=go)
    if (
        not sends
        or not at_most_one_per_run(sends)
        or any(s.deferred or s.case is not None or in_loop_of_owner(s, ch.fn) for s in sends)
    ):
        return None
    recvs = ch.own(RECV)
    if len(recvs) != 1 or recvs[0].deferred or inside_loop(recvs[0].node, ch.fn) is not None:
        return None
    if recvs[0].node.start_byte < loop.end_byte:
        return None
    fixes = []
    if inside_loop(loop, ch.fn) is None or _same_loop_nest(ch, loop):
        cap = _count(ctx, ch, loop)
        if cap is not None:
            fixes.append(
                Fix(f"Buffer {ch.name} with capacity {cap}, one slot per goroutine", (capacity_edit(ch, cap),))
            )
    header_end = loop.child_by_field_name("body")
    rel = Related(
        loop.start_byte,
        header_end.start_byte - 1 if header_end is not None else loop.end_byte,
        f"this loop starts the goroutines that send on {ch.name}",
    )
    return finding(
        CODE,
        ch.make,
        f"{ch.name} is unbuffered and received once, but a loop starts "
        "a goroutine per iteration that sends on it: all senders but one block forever, and leak",
        fixes=fixes,
        related=[
            rel,
            Related(sends[0].node.start_byte, sends[0].node.end_byte, "each goroutine sends once here"),
            Related(recvs[0].node.start_byte, recvs[0].node.end_byte, "the only receive"),
        ],
    )


def _same_loop_nest(ch: Channel, loop: Node) -> bool:
    """The make sits in the same enclosing loop as the sending loop (a fresh channel per outer iteration)."""
    outer = inside_loop(loop, ch.fn)
    return (
        outer is not None
        and outer.start_byte <= ch.stmt.start_byte < outer.end_byte
        and inside_loop(ch.stmt, ch.fn) == outer
    )


def _count(ctx: FileContext, ch: Channel, loop: Node) -> str | None:
    """How many goroutines the loop starts, as an expression valid at the make."""
    for c in loop.named_children:
        if c.type == "range_clause":
            right = c.child_by_field_name("right")
            if right is None:
                return None
            if right.type == "int_literal":
                return ctx.text(right)  # for i := range 8 (Go 1.22)
            if right.type != "identifier":
                return None
            if _integer_before(ctx, ch, right):
                return ctx.text(right)  # for i := range n (Go 1.22)
            return f"len({ctx.text(right)})" if _collection_before(ctx, ch, right) else None
        if c.type == "for_clause":
            return _counted(ctx, ch, c)
    return None


def _collection_before(ctx: FileContext, ch: Channel, ident: Node) -> bool:
    """`ident` names a local slice, array or map declared (with a visible type) before the make."""
    decl = declaration_of(ctx.source, ident)
    if decl is None or enclosing_function(decl) != ch.fn or decl.start_byte >= ch.make.start_byte:
        return False
    if not _visible_at_make(ch, decl):
        return False
    holder = decl.parent
    if holder is None:
        return False
    if holder.type in ("parameter_declaration", "var_spec"):
        t = holder.child_by_field_name("type")
        if t is not None:
            return t.type in COLLECTION_TYPES
        if holder.type == "var_spec":
            return _collection_value(
                ctx, holder.child_by_field_name("value"), holder.children_by_field_name("name"), decl
            )
        return False
    if holder.type == "expression_list" and holder.parent is not None and holder.parent.type == "short_var_declaration":
        return _collection_value(ctx, holder.parent.child_by_field_name("right"), holder.named_children, decl)
    return False


INTEGER_TYPES = frozenset(
    {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune"}
)


def _integer_before(ctx: FileContext, ch: Channel, ident: Node) -> bool:
    """`ident` names a parameter or variable declared with an integer type before the make."""
    decl = declaration_of(ctx.source, ident)
    if (
        decl is None
        or enclosing_function(decl) != ch.fn
        or decl.start_byte >= ch.make.start_byte
        or not _visible_at_make(ch, decl)
    ):
        return False
    holder = decl.parent
    if holder is None or holder.type not in ("parameter_declaration", "var_spec"):
        return False
    t = holder.child_by_field_name("type")
    return t is not None and t.type == "type_identifier" and ctx.text(t) in INTEGER_TYPES


def _collection_value(ctx: FileContext, right: Node | None, names, decl: Node) -> bool:
    if right is None:
        return False
    values = right.named_children
    names = list(names)
    if len(values) != len(names) or decl not in names:
        return False
    v = values[names.index(decl)]
    if v.type == "composite_literal":
        t = v.child_by_field_name("type")
        return t is not None and t.type in COLLECTION_TYPES
    if v.type == "call_expression":
        f = v.child_by_field_name("function")
        args = v.child_by_field_name("arguments")
        if f is not None and ctx.text(f) == "make" and args is not None and args.named_child_count:
            return args.named_children[0].type in ("slice_type", "map_type")
    return False


def _visible_at_make(ch: Channel, decl: Node) -> bool:
    """The declaration's scope holds the make (so the name means the same thing there)."""
    from plumber.analysis.scope import declaring_scope

    scope = declaring_scope(decl)
    return scope.start_byte <= ch.make.start_byte < scope.end_byte


def _counted(ctx: FileContext, ch: Channel, clause: Node) -> str | None:
    """`for i := 0; i < n; i++` gives n (also len(xs), a constant, a field of a local)."""
    init, cond, update = (clause.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    if init is None or cond is None or update is None:
        return None
    if init.type != "short_var_declaration" or ctx.text(init.child_by_field_name("right")) != "0":
        return None
    var = ctx.text(init.child_by_field_name("left"))
    if update.type != "inc_statement" or ctx.text(update).replace(" ", "") != var + "++":
        return None
    if cond.type != "binary_expression" or ctx.text(cond.child_by_field_name("left")) != var:
        return None
    op = cond.child_by_field_name("operator")
    if op is None or ctx.text(op) != "<":
        return None
    bound = cond.child_by_field_name("right")
    if bound is None:
        return None
    if bound.type == "int_literal":
        return ctx.text(bound)
    if bound.type == "identifier":
        return ctx.text(bound) if _declared_before(ctx, ch, bound) else None
    if bound.type == "call_expression":
        f, args = bound.child_by_field_name("function"), bound.child_by_field_name("arguments")
        if (
            f is not None
            and ctx.text(f) == "len"
            and args is not None
            and args.named_child_count == 1
            and args.named_children[0].type == "identifier"
            and _declared_before(ctx, ch, args.named_children[0])
        ):
            return ctx.text(bound)
    if bound.type == "selector_expression":
        operand = bound.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and _declared_before(ctx, ch, operand):
            return ctx.text(bound)
    return None


def _declared_before(ctx: FileContext, ch: Channel, ident: Node) -> bool:
    """A local of the function declared before the make and not assigned between it and the loop."""
    decl = declaration_of(ctx.source, ident)
    if decl is None:
        return False  # package-level or unknown: could be anything (a type, a function)
    return enclosing_function(decl) == ch.fn and decl.start_byte < ch.make.start_byte and _visible_at_make(ch, decl)


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.GOROUTINE,
    fix=FixAvailability.SOMETIMES,
    requires=(CHANNELS,),
)
