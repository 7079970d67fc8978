"""Channels a function owns, and what it and its goroutines do with them.

A channel is *ours* when the function makes it (`ch := make(chan T)` or
`var ch = make(chan T)`) and every use is one of: a send, a receive (also in a
`select` case), a `range`, `close(ch)`, `len`/`cap`, a comparison, and only
inside the function itself, its deferred closures, or goroutines it starts
with `go func(...) {...}(...)` (the channel captured or passed as an
argument). Anything else (returned, stored, passed to a named function, sent
on another channel, captured by a closure that is not started with `go` or
`defer`, reassigned) makes the channel someone else's, and the goroutine
checks stay silent about it.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Iterator

from tree_sitter import Node

from plumber.context import FileContext
from plumber.edits import insert_line_after
from plumber.check import Edit, Fix
from plumber.resource import bind
from plumber.scope import (FUNCTION_TYPES, break_target, declaring_scope, enclosing_function, find_uses, in_nested_function,
                           inside_loop, is_local)

MAKE_QUERY = ('(call_expression function: (identifier) @f (#eq? @f "make")'
              ' arguments: (argument_list . (channel_type))) @make')

SEND, RECV, RANGE, CLOSE, LOOK = "send", "recv", "range", "close", "look"

_EXIT_CALL = re.compile(r"^(panic|os\.Exit|runtime\.Goexit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)|"
                        r"\w+\.(Fatal|Fatalf|FailNow|Skip|Skipf|SkipNow))\(")


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

    @property
    def unbuffered(self) -> bool:
        return self.capacity is None or (self.capacity.type == "int_literal"
                                         and self.capacity.text.strip(b"_") in (b"0", b"00"))

    def of(self, *kinds: str, owner: object = ...) -> list[Op]:
        """Ops of the given kinds; `owner` None for the function's own, a go statement, or ... for any."""
        return [o for o in self.ops if o.kind in kinds and (owner is ... or o.owner is owner
                                                            or (owner is not None and o.owner == owner))]

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


_CACHE: "weakref.WeakKeyDictionary[FileContext, list[Channel]]" = weakref.WeakKeyDictionary()


def channels(ctx: FileContext) -> list[Channel]:
    """Every channel made in a function of the file that stays the function's own (computed once per context)."""
    found = _CACHE.get(ctx)
    if found is None:
        found = _CACHE[ctx] = _channels(ctx) if b"chan" in ctx.source else []
    return found


def per_unbuffered_channel(ctx: FileContext, check) -> Iterator:
    """The findings `check(ctx, ch)` makes (None: none) for each unbuffered channel the function owns."""
    for ch in channels(ctx):
        if ch.unbuffered:
            f = check(ctx, ch)
            if f is not None:
                yield f


def _channels(ctx: FileContext) -> list[Channel]:
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


def _up(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _go_of_literal(lit: Node) -> tuple[str, Node] | None:
    """('go'|'defer', statement) when `lit` is the function of a go or defer statement's call."""
    call = _up(lit).parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != _up(lit):
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
    if any(k == "defer" for k, _ in marks[last + 1:]):
        raise _NotOurs  # a goroutine started by a deferred call
    return marks[last][1], any(k == "defer" for k, _ in marks[:last])


def _classify(ctx: FileContext, ch: Channel, use: Node, fn: Node) -> Op:
    value = _up(use)
    parent = value.parent
    if parent is None:
        raise _NotOurs
    owner, deferred = _context(use, fn)
    t = parent.type
    if t == "send_statement" and parent.child_by_field_name("channel") == value:
        return Op(SEND, parent, owner, deferred, _case_of(parent))
    if t == "unary_expression" and _operator(parent) == "<-":
        return Op(RECV, parent, owner, deferred, _case_of(_up(parent).parent))
    if t == "range_clause" and parent.child_by_field_name("right") == value:
        loop = parent.parent
        if loop is None or loop.type != "for_statement":
            raise _NotOurs
        return Op(RANGE, loop, owner, deferred)
    if t == "argument_list" and parent.parent is not None and parent.parent.type == "call_expression":
        call = parent.parent
        f = call.child_by_field_name("function")
        if f is not None and f.type == "identifier" and not is_local(ctx.source, f):
            name = ctx.text(f)
            if name == "close" and len(parent.named_children) == 1:
                return Op(CLOSE, call, owner, deferred)
            if name in ("len", "cap"):
                return Op(LOOK, call, owner, deferred)
        stmt = call.parent
        if stmt is not None and stmt.type == "go_statement" and f is not None and f.type == "func_literal":
            return _passed_to_goroutine(ctx, ch, value, parent, f, stmt, owner)
        raise _NotOurs
    if t == "binary_expression" and _operator(parent) in ("==", "!="):
        return Op(LOOK, parent, owner, deferred)
    raise _NotOurs


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.text.decode() if op is not None else ""


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
        return p if p is not None and p.type == "communication_case" and p.child_by_field_name("communication") == node else None
    if node.type == "send_statement":
        p = node.parent
        return p if p is not None and p.type == "communication_case" and p.child_by_field_name("communication") == node else None
    return None


def _passed_to_goroutine(ctx: FileContext, ch: Channel, value: Node, args: Node, lit: Node,
                         go: Node, outer_owner: Node | None) -> Op:
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


# -- shared reasoning -------------------------------------------------------

def has_default(select: Node | None) -> bool:
    return select is not None and any(c.type == "default_case" for c in select.named_children)


def loop_in(node: Node, boundary: Node) -> Node | None:
    """The innermost for statement around `node` below `boundary` (a function or go statement)."""
    n = node.parent
    while n is not None and n != boundary:
        if n.type == "for_statement":
            return n
        if n.type in FUNCTION_TYPES and n != boundary and (boundary.type != "go_statement"
                                                           or n.parent is None or n.parent.parent != boundary):
            return None
        n = n.parent
    return None


def goroutine_literal(go: Node) -> Node | None:
    call = go.named_children[0] if go.named_children else None
    if call is None or call.type != "call_expression":
        return None
    f = call.child_by_field_name("function")
    return f if f is not None and f.type == "func_literal" else None


def in_loop_of_owner(op: Op, fn: Node) -> bool:
    """Whether the op sits in a loop of its own goroutine (or of the function, for the function's ops)."""
    if op.owner is None:
        return inside_loop(op.node, fn) is not None
    lit = goroutine_literal(op.owner)
    return lit is not None and _loop_below(op.node, lit)


def _loop_below(node: Node, top: Node) -> bool:
    n = node.parent
    while n is not None and n != top:
        if n.type == "for_statement":
            return True
        n = n.parent
    return False


def statements_of(block: Node | None) -> list[Node]:
    if block is None:
        return []
    kids = [c for c in block.named_children if c.type != "comment"]
    if len(kids) == 1 and kids[0].type == "statement_list":
        kids = [c for c in kids[0].named_children if c.type != "comment"]
    return kids


def is_exit_call(ctx: FileContext, node: Node) -> bool:
    return node.type == "expression_statement" and bool(_EXIT_CALL.match(ctx.text(node)))


LOOP_LEAVES = ("[(return_statement) (goto_statement) (break_statement) (expression_statement (call_expression))"
               " (call_expression function: (identifier) @panic (#eq? @panic \"panic\"))] @leave")


def loop_can_leave(ctx: FileContext, loop: Node) -> bool:
    """A return, goto, exit call, panic, or a break out of `loop` in its body (not in nested functions)."""
    body = loop.child_by_field_name("body")
    if body is None:
        return True
    for n in ctx.captures(LOOP_LEAVES, body).get("leave", []):
        if in_nested_function(n, loop):
            continue
        if n.type in ("return_statement", "goto_statement"):
            return True
        if n.type == "expression_statement":
            if is_exit_call(ctx, n):
                return True
        elif n.type == "call_expression":
            return True  # panic(...) in any position
        elif n.type == "break_statement":
            if n.named_child_count or break_target(n) == loop:
                return True  # a labelled break may leave
    return False


def child_containing(parent_list: Node, node: Node) -> Node | None:
    """The direct child of `parent_list` that contains `node`."""
    n = node
    while n is not None and n.parent != parent_list:
        n = n.parent
    return n


def reached_after(first: Node, second: Node) -> bool:
    """Whether control can reach `second` after `first`: in their lowest common statement list,
    the statement holding `first` comes before the one holding `second`."""
    anc = set()
    n = first.parent
    while n is not None:
        anc.add(n.id)
        n = n.parent
    n = second.parent
    while n is not None and n.id not in anc:
        n = n.parent
    if n is None or n.type not in ("statement_list", "block"):
        return False
    a, b = child_containing(n, first), child_containing(n, second)
    return a is not None and b is not None and a.start_byte < b.start_byte


def close_is_harmless(ch: Channel) -> bool:
    """Closing ch ends its receivers instead of turning them into busy loops: every plain receive
    (not a range, which a close ends) sits outside the loops of its goroutine or function."""
    return not any(in_loop_of_owner(o, ch.fn) for o in ch.ops if o.kind == RECV)


def defer_close_fix(ctx: FileContext, ch: Channel, title: str) -> Fix | None:
    """`defer close(ch)` on the line after the make, where that runs once per make."""
    if ch.stmt.parent is None or ch.stmt.parent.type != "statement_list":
        return None
    if inside_loop(ch.stmt, ch.fn) is not None:
        return None  # the defers would pile up until the function returns
    return Fix(title, (insert_line_after(ctx, ch.stmt, f"defer close({ch.name})"),))


def at_most_one_per_run(sends) -> bool:
    """Each run of the goroutine performs at most one of its sends: for every two sends, the
    later one is on another branch, or the earlier one is followed by a `return` in its block."""
    nodes = sorted((o.node for o in sends), key=lambda n: n.start_byte)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if reached_after(a, b) and not returns_after(a):
                return False
    return True


def returns_after(stmt: Node) -> bool:
    """A `return` follows `stmt` in its own statement list."""
    if stmt.parent is None or stmt.parent.type != "statement_list":
        return False
    n = stmt.next_named_sibling
    while n is not None:
        if n.type == "return_statement":
            return True
        n = n.next_named_sibling
    return False


def capacity_edit(ch: Channel, cap: str) -> Edit:
    """The make's capacity set to `cap` (replacing an explicit 0, or added as a second argument)."""
    if ch.capacity is not None:
        return Edit(ch.capacity.start_byte, ch.capacity.end_byte, cap)
    args = ch.make.child_by_field_name("arguments")
    last = [c for c in args.named_children if c.type != "comment"][-1]
    return Edit(last.end_byte, last.end_byte, f", {cap}")


def function_label(ctx: FileContext, fn: Node) -> str:
    name = fn.child_by_field_name("name")
    return f"{ctx.text(name)}()" if name is not None else "the function literal"
