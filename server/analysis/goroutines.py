"""Shared reasoning of the goroutine checks about channel operations, loops and exits."""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.channels import RECV, Channel, Op
from plumber.analysis.context import FileContext
from plumber.analysis.edits import insert_line_after
from plumber.core.findings import Edit, Fix
from plumber.syntax.exits import is_exit_statement
from plumber.syntax.nodes import (
    FUNCTION_TYPES,
    ancestor_below,
    break_target,
    child_containing,
    enclosing_function,
    goroutine_literal,
    in_nested_function,
    inside_loop,
)

_FOR = frozenset({"for_statement"})


def has_default(select: Node | None) -> bool:
    return select is not None and any(c.type == "default_case" for c in select.named_children)


def loop_in(node: Node, boundary: Node) -> Node | None:
    """The innermost for statement around `node` below `boundary` (a function or go statement)."""
    n = node.parent
    while n is not None and n != boundary:
        if n.type == "for_statement":
            return n
        if (
            n.type in FUNCTION_TYPES
            and n != boundary
            and (boundary.type != "go_statement" or n.parent is None or n.parent.parent != boundary)
        ):
            return None
        n = n.parent
    return None


def in_loop_of_owner(op: Op, fn: Node) -> bool:
    """Whether the op sits in a loop of its own goroutine (or of the function, for the function's ops)."""
    if op.owner is None:
        return inside_loop(op.node, fn) is not None
    lit = goroutine_literal(op.owner)
    if lit is None:  # `go worker(ch)`: the op sits in worker's declaration
        top = enclosing_function(op.node)
        return top is not None and top != fn and _loop_below(op.node, top)
    return lit is not None and _loop_below(op.node, lit)


def _loop_below(node: Node, top: Node) -> bool:
    return ancestor_below(node, _FOR, top) is not None


def is_exit_call(ctx: FileContext, node: Node) -> bool:
    return is_exit_statement(ctx.source, node)


LOOP_LEAVES = (
    "[(return_statement) (goto_statement) (break_statement) (expression_statement (call_expression))"
    ' (call_expression function: (identifier) @panic (#eq? @panic "panic"))] @leave'
)


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
        for b in nodes[i + 1 :]:
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
    assert args is not None  # make(chan T) has its arguments
    last = [c for c in args.named_children if c.type != "comment"][-1]
    return Edit(last.end_byte, last.end_byte, f", {cap}")


def function_label(ctx: FileContext, fn: Node) -> str:
    name = fn.child_by_field_name("name")
    return f"{ctx.text(name)}()" if name is not None else "the function literal"
