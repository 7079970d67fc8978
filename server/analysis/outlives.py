"""Is a value kept beyond its function? How a slice outlives the call that made it.

`kept` answers for the value of a node: returned (directly or as a named
result), assigned to a package-level variable or a field (unless of a local
struct that itself stays), stored in an element of either, appended to or
put in a composite literal that is kept, or held by a local one of whose
uses is kept. What substring-retention asks of a slice of a large buffer.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.provenance import MAX_DEPTH, assigned_elsewhere, is_builtin
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.analysis.uses import Role, site_of
from plumber.syntax.nodes import enclosing_function, unparen


def _is_package_level(ctx: FileContext, ident: Node) -> bool:
    return ident.type == "identifier" and ctx.text(ident) != "_" and declaration_of(ctx.source, ident) is None


def _is_result_param(decl: Node) -> bool:
    p = decl.parent
    if p is None or p.type != "parameter_declaration" or p.parent is None:
        return False
    fn = p.parent.parent
    return (
        fn is not None
        and fn.type in ("function_declaration", "method_declaration", "func_literal")
        and fn.child_by_field_name("result") == p.parent
    )


def kept(ctx: FileContext, node: Node, depth: int = 0) -> str | None:
    """How the value of `node` outlives the function, or None when it does not (or we cannot tell)."""
    if depth > MAX_DEPTH:
        return None
    site = site_of(node)
    role = site.role
    if role is Role.RETURNED:
        return "returned"
    if role is Role.ASSIGNED_FROM:
        op = site.holder.child_by_field_name("operator")
        if op is None or ctx.text(op) != "=" or site.target is None:
            return None
        return _kept_in(ctx, site.target, depth)
    if role is Role.DECLARED_FROM:
        target = site.target
        if target is None or target.type != "identifier" or ctx.text(target) == "_":
            return None
        if assigned_elsewhere(ctx, target, allow_self_reslice=False):
            return None
        return _kept_through_local(ctx, target, target, depth)
    if role is Role.ARGUMENT:
        fn = site.holder.child_by_field_name("function")
        if fn is not None and is_builtin(ctx, fn, "append") and site.index > 0:
            return kept(ctx, site.holder, depth + 1)
        return None
    if role is Role.ELEMENT:
        literal = site.holder
        if (
            literal.parent is not None
            and literal.parent.type == "unary_expression"
            and ctx.text(literal.parent).startswith("&")
        ):
            literal = literal.parent
        how = kept(ctx, literal, depth + 1)
        return f"stored in a composite literal that is {how}" if how else None
    return None


def _kept_in(ctx: FileContext, target: Node, depth: int) -> str | None:
    """How a value assigned to `target` outlives the function."""
    target = unparen(target)
    if target.type == "identifier":
        name = ctx.text(target)
        if name == "_":
            return None
        decl = declaration_of(ctx.source, target)
        if decl is None:
            return f"assigned to the package-level variable {name}"
        if _is_result_param(decl):
            return "returned"
        if decl.parent is not None and decl.parent.type in ("parameter_declaration", "variadic_parameter_declaration"):
            return None
        if enclosing_function(decl) != enclosing_function(target):
            return None  # a captured variable: its fate is the outer function's
        return _kept_through_local(ctx, decl, target, depth)
    if target.type == "selector_expression":
        return _kept_in_field(ctx, target, depth)
    if target.type == "index_expression":
        operand = target.child_by_field_name("operand")
        if operand is None:
            return None
        operand = unparen(operand)
        if _is_package_level(ctx, operand):
            return f"stored in the package-level {ctx.text(operand)}"
        if operand.type == "selector_expression":
            return _kept_in_field(ctx, operand, depth)
    return None


def _kept_in_field(ctx: FileContext, sel: Node, depth: int) -> str | None:
    """x.f = ...: kept unless x is a local struct variable that itself stays in the function."""
    how = f"stored in the field {ctx.text(sel)}"
    root = sel
    while root.type == "selector_expression":
        root = unparen(root.child_by_field_name("operand") or root)
        if root is None:
            return how
    if root.type != "identifier":
        return how
    decl = declaration_of(ctx.source, root)
    if (
        decl is None
        or decl.parent is None
        or enclosing_function(decl) != enclosing_function(sel)
        or decl.parent.type in ("parameter_declaration", "variadic_parameter_declaration")
    ):
        return how  # a parameter, receiver, captured or package-level value: it outlives the call
    through = _kept_through_local(ctx, decl, root, depth)
    return f"{how}, and {ctx.text(decl)} is {through}" if through else None


def _kept_through_local(ctx: FileContext, decl: Node, skip: Node, depth: int) -> str | None:
    """A local variable holding the slice: kept when one of its uses is kept."""
    for u in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl):
        if u == skip:
            continue
        site = site_of(u)
        if site.role is Role.ASSIGNED and site.parent is not None and site.parent.type == "expression_list":
            continue  # out = append(out, ...): the variable assigned, not read
        how = kept(ctx, u, depth + 1)
        if how is not None:
            return f"{how} (through {ctx.text(decl)})" if "through" not in how else how
    return None
