"""Channels a function owns, and what it and its goroutines do with them.

A channel is *ours* when the function makes it (`ch := make(chan T)` or
`var ch = make(chan T)`) and every use is one of: a send, a receive (also in a
`select` case), a `range`, `close(ch)`, `len`/`cap`, a comparison, and only
inside the function itself, its deferred closures, or goroutines it starts
with `go func(...) {...}(...)` (the channel captured or passed as an
argument) or `go worker(..., ch)` where `worker` is a function declared in the
file (its sends, receives, ranges and closes on the parameter). Anything
else (returned, stored, passed to another named function, sent on another
channel, captured by a closure that is not started with `go` or `defer`,
reassigned) makes the channel someone else's, and the goroutine
checks stay silent about it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.resources import bind
from plumber.analysis.scope import declaring_scope, find_uses, is_local
from plumber.analysis.uses import Role, site_of
from plumber.core.checks import Analysis
from plumber.syntax.nodes import FUNCTION_TYPES, ancestors, enclosing_function, outer

MAKE_QUERY = (
    '(call_expression function: (identifier) @f (#eq? @f "make") arguments: (argument_list . (channel_type))) @make'
)

SEND, RECV, RANGE, CLOSE, LOOK = "send", "recv", "range", "close", "look"


@dataclass(frozen=True)
class Op:
    kind: str  # SEND, RECV, RANGE, CLOSE, LOOK
    node: Node  # send_statement, unary_expression (<-ch), for_statement (range), call_expression (close)
    owner: Node | None  # the go_statement whose goroutine does it; None: the function itself
    deferred: bool = False  # in a deferred call or closure of its owner
    case: Node | None = None  # the communication_case when the op is a select case

    @property
    def select(self) -> Node | None:
        return self.case.parent if self.case is not None else None


@dataclass
class Channel:
    name: str
    decl: Node  # the declaring identifier
    make: Node  # the make(...) call
    stmt: Node  # short_var_declaration / var_declaration
    fn: Node  # the function that makes it
    capacity: Node | None  # the make's second argument
    ops: list[Op] = field(default_factory=list)
    # function declarations of the file that goroutines run with the channel (`go worker(ch)`):
    # their ops on the parameter are the goroutine's ops (owner: the go statement)
    callees: list[Node] = field(default_factory=list)

    @property
    def unbuffered(self) -> bool:
        return self.capacity is None or (
            self.capacity.type == "int_literal" and (self.capacity.text or b"").strip(b"_") in (b"0", b"00")
        )

    def of(self, *kinds: str, owner: object = ...) -> list[Op]:
        """Ops of the given kinds; `owner` None for the function's own, a go statement, or ... for any."""
        return [
            o
            for o in self.ops
            if o.kind in kinds and (owner is ... or o.owner is owner or (owner is not None and o.owner == owner))
        ]

    def own(self, *kinds: str) -> list[Op]:
        return [o for o in self.ops if o.kind in kinds and o.owner is None]

    def in_goroutines(self, *kinds: str) -> list[Op]:
        return [o for o in self.ops if o.kind in kinds and o.owner is not None]

    def goroutines(self, *kinds: str) -> list[Node]:
        """The go statements whose goroutines do one of `kinds`, in document order, each once."""
        out: list[Node] = []
        for o in self.ops:
            if o.kind in kinds and o.owner is not None and all(o.owner != g for g in out):
                out.append(o.owner)
        return out


class _NotOurs(Exception):
    pass


def channels(ctx: FileContext) -> list[Channel]:
    """Every channel made in a function of the file that stays the function's own (the CHANNELS analysis)."""
    return ctx.result(CHANNELS)


def per_unbuffered_channel(ctx: FileContext, check) -> Iterator:
    """The findings `check(ctx, ch)` makes (None: none) for each unbuffered channel the function owns."""
    for ch in channels(ctx):
        if ch.unbuffered:
            f = check(ctx, ch)
            if f is not None:
                yield f


def _channels(ctx: FileContext) -> list[Channel]:
    if b"chan" not in ctx.source:
        return []
    out = []
    for call in ctx.captures(MAKE_QUERY).get("make", []):
        f = call.child_by_field_name("function")
        if f is None or is_local(ctx.source, f):
            continue  # a local `make` shadows the builtin
        ch = _channel(ctx, call)
        if ch is not None:
            out.append(ch)
    return out


def _channel(ctx: FileContext, call: Node) -> Channel | None:
    b = bind(ctx, call, 0)
    if b is None or b.target is None or b.decl is None or b.decl != b.target:
        return None  # `ch = make(...)` into an existing variable, or discarded
    if b.stmt.type not in ("short_var_declaration", "var_declaration") or b.others:
        return None
    fn = enclosing_function(call)
    if fn is None or enclosing_function(b.decl) != fn:
        return None
    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args is not None else []
    if len(named) > 2 or any(c.type == "<-" for c in named[0].children):
        return None  # a send- or receive-only channel: made to be handed out
    ch = Channel(ctx.text(b.decl), b.decl, call, b.stmt, fn, named[1] if len(named) == 2 else None)
    try:
        uses = find_uses(ctx.source, ctx.root, declaring_scope(b.decl), b.decl)
        for use in uses:
            ch.ops.append(_classify(ctx, ch, use, fn))
    except _NotOurs:
        return None
    return ch


def _go_of_literal(lit: Node) -> tuple[str, Node] | None:
    """('go'|'defer', statement) when `lit` is the function of a go or defer statement's call."""
    call = outer(lit).parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != outer(lit):
        return None
    stmt = call.parent
    if stmt is not None and stmt.type == "go_statement":
        return "go", stmt
    if stmt is not None and stmt.type == "defer_statement":
        return "defer", stmt
    return None


def _context(use: Node, fn: Node) -> tuple[Node | None, bool]:
    """(owning go statement or None, deferred) for a use inside `fn`; raises when a closure hides it.

    The owner is the outermost goroutine started in `fn` around the use;
    `deferred` says the use runs in a deferred call of that goroutine (or of
    the function, when there is no goroutine).
    """
    marks: list[tuple[str, Node]] = []
    n = use.parent
    while n is not None and n != fn:
        if n.type == "func_literal":
            kind = _go_of_literal(n)
            if kind is None:
                raise _NotOurs  # a closure run who knows when
            if kind[0] == "go":
                marks.append(kind)
        elif n.type == "defer_statement":
            marks.append(("defer", n))
        elif n.type in FUNCTION_TYPES:
            raise _NotOurs
        n = n.parent
    if n is None:
        raise _NotOurs
    gos = [i for i, (k, _) in enumerate(marks) if k == "go"]
    if not gos:
        return None, bool(marks)
    last = gos[-1]
    if any(k == "defer" for k, _ in marks[last + 1 :]):
        raise _NotOurs  # a goroutine started by a deferred call
    return marks[last][1], any(k == "defer" for k, _ in marks[:last])


def _direct_op(ctx: FileContext, site, owner: Node | None, deferred: bool) -> Op | None:
    """The operation a use is by itself (send, receive, range, close, len/cap, comparison), or None."""
    role, holder = site.role, site.holder
    if role is Role.SENT_ON:
        return Op(SEND, holder, owner, deferred, _case_of(holder))
    if role is Role.RECEIVED_FROM:
        return Op(RECV, holder, owner, deferred, _case_of(outer(holder).parent))
    if role is Role.RANGED:
        loop = holder.parent
        if loop is None or loop.type != "for_statement":
            raise _NotOurs
        return Op(RANGE, loop, owner, deferred)
    if role is Role.ARGUMENT:
        f = holder.child_by_field_name("function")
        if f is not None and f.type == "identifier" and not is_local(ctx.source, f):
            name = ctx.text(f)
            if name == "close" and len(site.parent.named_children) == 1:
                return Op(CLOSE, holder, owner, deferred)
            if name in ("len", "cap"):
                return Op(LOOK, holder, owner, deferred)
    if role is Role.COMPARED:
        return Op(LOOK, holder, owner, deferred)
    return None


def _classify(ctx: FileContext, ch: Channel, use: Node, fn: Node) -> Op:
    site = site_of(use)
    if site.parent is None:
        raise _NotOurs
    owner, deferred = _context(use, fn)
    op = _direct_op(ctx, site, owner, deferred)
    if op is not None:
        return op
    holder = site.holder
    if site.role is Role.ARGUMENT:
        f = holder.child_by_field_name("function")
        stmt = holder.parent
        if stmt is not None and stmt.type == "go_statement" and f is not None and f.type == "func_literal":
            return _passed_to_goroutine(ctx, ch, site.value, site.parent, f, stmt, owner)
        if (
            stmt is not None
            and stmt.type == "go_statement"
            and owner is None
            and not deferred
            and f is not None
            and f.type == "identifier"
            and not is_local(ctx.source, f)
        ):
            return _passed_to_named(ctx, ch, site.value, site.parent, ctx.text(f), stmt)
    raise _NotOurs


def _case_of(node: Node | None) -> Node | None:
    """The communication_case whose communication is `node` (a send or receive statement)."""
    if node is None:
        return None
    if node.type == "expression_statement":
        node = node.parent
    if node is None:
        return None
    if node.type == "receive_statement":
        p = node.parent
        return (
            p
            if p is not None and p.type == "communication_case" and p.child_by_field_name("communication") == node
            else None
        )
    if node.type == "send_statement":
        p = node.parent
        return (
            p
            if p is not None and p.type == "communication_case" and p.child_by_field_name("communication") == node
            else None
        )
    return None


def _passed_to_goroutine(
    ctx: FileContext, ch: Channel, value: Node, args: Node, lit: Node, go: Node, outer_owner: Node | None
) -> Op:
    """`go func(c chan T) {...}(ch)`: the uses of the parameter are the goroutine's uses of ch."""
    index = [c for c in args.named_children if c.type != "comment"].index(value)
    params = lit.child_by_field_name("parameters")
    names: list[Node] = []
    for p in params.named_children if params is not None else []:
        if p.type == "variadic_parameter_declaration":
            raise _NotOurs
        if p.type == "parameter_declaration":
            ids = p.children_by_field_name("name")
            names.extend(ids if ids else [p])
    if index >= len(names) or names[index].type != "identifier":
        raise _NotOurs
    param = names[index]
    body = lit.child_by_field_name("body")
    if body is None:
        raise _NotOurs
    for u in find_uses(ctx.source, ctx.root, lit, param, body.start_byte):
        ch.ops.append(_classify(ctx, ch, u, ch.fn))
    return Op(LOOK, args, outer_owner or go)


def _passed_to_named(ctx: FileContext, ch: Channel, value: Node, args: Node, name: str, go: Node) -> Op:
    """`go worker(ch)` with `func worker(c chan T)` declared in the file: the uses of the parameter
    (sends, receives, ranges, close; anything else makes the channel someone else's) are the
    goroutine's."""
    decl = ctx.file_function(name)
    if decl is None or decl.child_by_field_name("type_parameters") is not None:
        raise _NotOurs
    if decl == ch.fn or decl in ch.callees:
        raise _NotOurs  # recursion, or the channel handed to two goroutines of one function
    argv = [c for c in args.named_children if c.type != "comment"]
    index = argv.index(value)
    params = decl.child_by_field_name("parameters")
    names: list[Node] = []
    for p in params.named_children if params is not None else []:
        if p.type == "variadic_parameter_declaration":
            raise _NotOurs
        if p.type == "parameter_declaration":
            ids = p.children_by_field_name("name")
            names.extend(ids if ids else [p])
    if len(names) != len(argv) or names[index].type != "identifier":
        raise _NotOurs
    param = names[index]
    body = decl.child_by_field_name("body")
    if body is None:
        raise _NotOurs
    ch.callees.append(decl)
    for u in find_uses(ctx.source, ctx.root, decl, param, body.start_byte):
        ch.ops.append(_callee_op(ctx, u, decl, go))
    return Op(LOOK, args, go)


def _callee_op(ctx: FileContext, use: Node, decl: Node, go: Node) -> Op:
    """One use of the channel parameter inside a named goroutine function."""
    site = site_of(use)
    if site.parent is None:
        raise _NotOurs
    deferred = False
    for n in ancestors(use):
        if n == decl:
            break
        if n.type == "func_literal":
            kind = _go_of_literal(n)
            if kind is None or kind[0] != "defer":
                raise _NotOurs  # a closure or a goroutine of its own
            deferred = True
        elif n.type == "defer_statement":
            deferred = True
    op = _direct_op(ctx, site, go, deferred)
    if op is None:
        raise _NotOurs
    return op


CHANNELS = Analysis(
    "channels", "the channels each function makes and keeps to itself, with every operation on them", _channels
)
