"""Where a table-driven test calls the function literals of its table.

`for _, test := range []struct{ f func(*os.Root, string) error }{{f: func(r *os.Root, name string) error {
_, err := r.Open(name); return err }}} { err := test.f(r, "target"); ... }`: the literal's result is checked
where the loop calls it. `call_sites` lists those statements, each with the name the result gets there,
when the model sees every one: the literal is the value of a field of an element of a composite literal
that a `range` of the same function walks (written in place or held by a local declared with it), and the
loop's body only calls that field, each call the one value of a declaration or assignment. Anything else
(the field read otherwise, the table passed on, no call): None.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaring_scope, find_uses
from plumber.syntax.nodes import parent_of


def call_sites(ctx: FileContext, lit: Node) -> list[tuple[Node, str]] | None:
    """(statement, name of the result there) of every call of the table's function literal `lit`."""
    field, table = _field_of(ctx, lit)
    if field is None or table is None:
        return None
    loops = _loops_over(ctx, table)
    if not loops:
        return None
    sites: list[tuple[Node, str]] = []
    for loop, value in loops:
        body = loop.child_by_field_name("body")
        if body is None:
            return None
        found = _calls_of(ctx, body, value, field)
        if found is None:
            return None
        sites.extend(found)
    return sites or None


def _field_of(ctx: FileContext, lit: Node) -> tuple[str | None, Node | None]:
    """(field name, the table's composite literal) for `{f: func...}` as an element of `[]T{...}`."""
    element = parent_of(lit)
    keyed = parent_of(element) if element is not None else None
    if element is None or keyed is None or keyed.type != "keyed_element" or keyed.named_child_count != 2:
        return None, None
    key = keyed.named_children[0]
    if keyed.named_children[1] != element or key.named_child_count != 1:
        return None, None
    up = [parent_of(keyed)]  # the row's literal_value, its literal_element, the table's literal_value, the table
    for _ in range(3):
        up.append(parent_of(up[-1]) if up[-1] is not None else None)
    kinds = ("literal_value", "literal_element", "literal_value", "composite_literal")
    if any(n is None or n.type != k for n, k in zip(up, kinds, strict=True)):
        return None, None
    return ctx.text(key.named_children[0]), up[3]


def _loops_over(ctx: FileContext, table: Node) -> list[tuple[Node, Node]] | None:
    """(loop, its value variable) of the `range` loops over the table: the table itself, or the local
    declared with it (every use of that local ranged over)."""
    parent = parent_of(table)
    if parent is not None and parent.type == "range_clause" and parent.child_by_field_name("right") == table:
        found = _range_value(parent)
        return [found] if found is not None else None
    if parent is None or parent.type != "expression_list":
        return None
    decl = parent_of(parent)
    if decl is None or decl.type != "short_var_declaration":
        return None
    names = decl.child_by_field_name("left")
    if names is None or names.named_child_count != 1 or parent.named_child_count != 1:
        return None
    name = names.named_children[0]
    loops = []
    for use in find_uses(ctx.source, ctx.root, declaring_scope(name), name):
        clause = parent_of(use)
        if clause is None or clause.type != "range_clause" or clause.child_by_field_name("right") != use:
            return None  # the table read otherwise: passed on, appended to, replaced
        found = _range_value(clause)
        if found is None:
            return None
        loops.append(found)
    return loops


def _range_value(clause: Node) -> tuple[Node, Node] | None:
    left = clause.child_by_field_name("left")
    loop = parent_of(clause)
    if left is None or loop is None or left.named_child_count != 2:
        return None
    value = left.named_children[1]
    return (loop, value) if value.type == "identifier" else None


def _calls_of(ctx: FileContext, body: Node, value: Node, field: str) -> list[tuple[Node, str]] | None:
    """Each `x := value.field(...)` (or `x = ...`, or an `if`'s initializer) in the body; None when `value.field`
    is used any other way."""
    sites = []
    for ident in find_uses(ctx.source, ctx.root, body, value):
        sel = parent_of(ident)
        if sel is None or sel.type != "selector_expression" or sel.child_by_field_name("operand") != ident:
            continue
        if ctx.text(sel.child_by_field_name("field")) != field:
            continue
        call = parent_of(sel)
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != sel:
            return None
        values = parent_of(call)
        stmt = parent_of(values) if values is not None else None
        if values is None or stmt is None or values.named_child_count != 1:
            return None
        if stmt.type not in ("short_var_declaration", "assignment_statement"):
            return None
        left = stmt.child_by_field_name("left")
        if left is None or left.named_child_count != 1 or left.named_children[0].type != "identifier":
            return None
        sites.append((stmt, ctx.text(left.named_children[0])))
    return sites
