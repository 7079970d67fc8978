"""Where does a value go? The syntactic role of one use of a value: the one reading of its parent.

Ownership (is a resource released or handed on), channel operations (a send,
a receive, a close) and provenance (is a slice kept beyond the function)
ask the same question of a use: what does the code around it do with the
value? `site_of` answers it once, looking through parentheses; each analysis
interprets the answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tree_sitter import Node

from plumber.syntax.nodes import FUNCTION_TYPES, enclosing_function, outer


class Role(enum.Enum):
    SELECTED = "selected"  # v.f or v.M: `name` is the field or method
    CALLED = "called"  # v(...)
    ARGUMENT = "argument"  # f(..., v, ...): `holder` is the call, `index` the position
    SENT_ON = "sent on"  # v <- x: `holder` the send statement
    SENT = "sent"  # ch <- v
    RECEIVED_FROM = "received from"  # <-v: `holder` the unary expression
    RANGED = "ranged"  # for ... range v: `holder` the range clause
    RETURNED = "returned"  # return ..., v, ...
    ASSIGNED = "assigned"  # v = ... (on the left of `=` or an op-assignment): `holder` the statement
    ASSIGNED_FROM = "assigned from"  # x = v: `target` the left-hand node when counts match
    DECLARED_FROM = "declared from"  # x := v: `target` the identifier when counts match
    ELEMENT = "element"  # T{..., v, ...} or T{k: v}: `holder` the composite literal
    ADDRESS_TAKEN = "address taken"  # &v
    UNARY = "unary"  # *v, -v, !v, ^v
    COMPARED = "compared"  # v == x, v != x
    BINARY = "binary"  # other binary operators
    INDEXED = "indexed"  # v[i], v[i:j], m[v]...: `holder` the index or slice expression
    LOOKED_AT = "looked at"  # an if or switch header, an inc/dec statement
    OTHER = "other"


_LOOKED_AT = frozenset({"if_statement", "expression_switch_statement", "inc_statement", "dec_statement"})


@dataclass(frozen=True)
class UseSite:
    role: Role
    value: Node  # the use, widened over its parentheses
    holder: Node  # the node that does it (see Role); the parent when no other
    index: int = -1
    target: Node | None = None
    name: str = ""  # SELECTED: the field; UNARY, BINARY, COMPARED: the operator

    @property
    def parent(self) -> Node | None:
        return self.value.parent


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.text.decode() if op is not None and op.text is not None else ""


def _named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


def site_of(use: Node) -> UseSite:
    """The role of `use` (an expression) in its parent."""
    value = outer(use)
    p = value.parent
    if p is None:
        return UseSite(Role.OTHER, value, value)
    t = p.type
    if t == "selector_expression" and p.child_by_field_name("operand") == value:
        field = p.child_by_field_name("field")
        return UseSite(Role.SELECTED, value, p, name=field.text.decode() if field is not None and field.text else "")
    if t == "call_expression" and p.child_by_field_name("function") == value:
        return UseSite(Role.CALLED, value, p)
    if t == "argument_list" and p.parent is not None and p.parent.type == "call_expression":
        args = _named(p)
        return UseSite(Role.ARGUMENT, value, p.parent, args.index(value) if value in args else -1)
    if t == "send_statement":
        role = Role.SENT_ON if p.child_by_field_name("channel") == value else Role.SENT
        return UseSite(role, value, p)
    if t == "unary_expression":
        op = _operator(p)
        if op == "<-":
            return UseSite(Role.RECEIVED_FROM, value, p, name=op)
        return UseSite(Role.ADDRESS_TAKEN if op == "&" else Role.UNARY, value, p, name=op)
    if t == "range_clause":
        role = Role.RANGED if p.child_by_field_name("right") == value else Role.OTHER
        return UseSite(role, value, p)
    if t == "return_statement":
        return UseSite(Role.RETURNED, value, p)
    if t == "binary_expression":
        op = _operator(p)
        return UseSite(Role.COMPARED if op in ("==", "!=") else Role.BINARY, value, p, name=op)
    if t in ("index_expression", "slice_expression"):
        return UseSite(Role.INDEXED, value, p)
    if t in _LOOKED_AT:
        return UseSite(Role.LOOKED_AT, value, p)
    if t in ("literal_element", "keyed_element"):
        n: Node | None = p
        while n is not None and n.type in ("literal_element", "keyed_element", "literal_value"):
            n = n.parent
        if n is not None and n.type == "composite_literal":
            return UseSite(Role.ELEMENT, value, n)
        return UseSite(Role.OTHER, value, p)
    if t == "assignment_statement":
        role = Role.ASSIGNED if p.child_by_field_name("left") == value else Role.OTHER
        return UseSite(role, value, p)
    if t == "expression_list":
        holder = p.parent
        if holder is None:
            return UseSite(Role.OTHER, value, p)
        if holder.type == "return_statement":
            return UseSite(Role.RETURNED, value, holder)
        if holder.type in ("assignment_statement", "short_var_declaration"):
            left, right = holder.child_by_field_name("left"), holder.child_by_field_name("right")
            if left == p:
                if holder.type == "assignment_statement":
                    return UseSite(Role.ASSIGNED, value, holder)
                return UseSite(Role.OTHER, value, holder)
            if right == p and left is not None:
                values, targets = p.named_children, left.named_children
                index = values.index(value) if value in values else -1
                target = targets[index] if 0 <= index < len(targets) and len(targets) == len(values) else None
                role = Role.ASSIGNED_FROM if holder.type == "assignment_statement" else Role.DECLARED_FROM
                return UseSite(role, value, holder, index, target)
        if holder.type == "range_clause" and holder.child_by_field_name("left") == p:
            return UseSite(Role.OTHER, value, holder)
    return UseSite(Role.OTHER, value, p)


def runs_deferred(use: Node, fn: Node) -> bool:
    """The use runs in a deferred call of `fn`: under a defer statement of `fn` (its closure included)."""
    n = use.parent
    while n is not None and n != fn:
        if n.type == "defer_statement":
            owner = enclosing_function(n)
            return owner == fn
        if n.type in FUNCTION_TYPES and n.type != "func_literal":
            return False
        n = n.parent
    return False


def lending_call(use: Node, kept: list[Node], fn: Node, straight: bool = False) -> Node | None:
    """The call `use` is an argument of, in `fn`'s own flow, when `fn` keeps the value: it defers a release
    of it (`dec := expfmt.NewDecoder(resp.Body, h)` ... `defer resp.Body.Close()`), or, `straight`, one of
    `kept` returns it later in the call's own statement list (`m, err := mmap.Map(f)` ... `return m, f,
    nil`). A callee that took the value would leave the caller nothing to close or return: it borrows it."""
    if not kept or enclosing_function(use) != fn:
        return None
    n = use.parent
    while n is not None and n.type in ("selector_expression", "parenthesized_expression", "unary_expression"):
        n = n.parent
    call = n.parent if n is not None and n.type == "argument_list" else None
    if call is None or not straight:
        return call
    stmt = _statement_of(call)
    for k in kept:
        ret = _statement_of(k)
        if stmt is not None and ret is not None and ret.parent == stmt.parent and ret.start_byte > stmt.end_byte:
            return call
    return None


def _statement_of(node: Node) -> Node | None:
    """The statement of a block (or statement list) that holds `node`."""
    while node.parent is not None and node.parent.type not in ("block", "statement_list"):
        node = node.parent
    return node if node.parent is not None else None


def returned_by(use: Node, fn: Node) -> bool:
    """`return ..., v, ...` of `fn` itself (not of a function literal inside it)."""
    return site_of(use).role is Role.RETURNED and enclosing_function(use) == fn
