"""Wrappers: values that hold another resource, and whose release releases it.

Two directions, both read by the leak finder:

- the acquisition is a standard-library wrapper of a value (`cli := tls.Client(c, cfg)`): closing `c`
  closes what `cli` holds, so `c`'s releases count for `cli`; a `c` this function does not own (a
  parameter, a captured variable, or the result of a helper that acquires none of it, such as a test's
  `localPipe(t)` whose cleanup closes it) is someone else's to close, wrapped or not;
- the acquired value is handed to a module's wrapper whose result stays local (`ll :=
  netconnlimit.SharedLimitListener(l, sem)`): `ll.Close()` closes `l`, so the result's releases count
  for `l`.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.model.resource_table import TAKES
from plumber.analysis.resources import bind
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.analysis.uses import runs_deferred
from plumber.syntax.nodes import enclosing_function, unparen

_PARAMETERS = frozenset({"parameter_declaration", "variadic_parameter_declaration"})


def wrapped_releases(
    ctx: FileContext,
    call: Node,
    resolved: tuple[str, str, str] | None,
    stmt: Node,
    is_release: Callable[[Node], bool],
    acquires: Callable[[Node], list[int]],
) -> list[Node] | None:
    """The releases of the value the standard-library wrapper `call` takes over ([] when it is no such
    wrapper), or None when that value is not this function's (or a defer before `stmt` releases it)."""
    wrapped = _wrapped_value(call, resolved)
    if wrapped is None:
        return []
    fn = enclosing_function(call)
    decl = declaration_of(ctx.source, wrapped)
    if decl is None or decl.type != "identifier" or enclosing_function(decl) != fn:
        return None
    if decl.parent is not None and decl.parent.type in _PARAMETERS:
        return None
    if not _acquired_here(decl, acquires):
        return None  # `c, s := localPipe(t)`, whose helper's cleanup closes them: not this function's
    out: list[Node] = []
    for u in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl):
        if u != decl and u != wrapped and is_release(u):
            if fn is not None and runs_deferred(u, fn) and u.start_byte < stmt.start_byte:
                return None  # `defer c.Close()` before the wrap: released on every path out
            out.append(u)
    return out


def result_releases(ctx: FileContext, call: Node, is_release: Callable[[Node], bool]) -> list[Node]:
    """The releases of the local the wrapper `call`'s result is bound to (`ll.Close()`)."""
    held = bind(ctx, call, 0)
    if held is None or held.target is None or held.decl is None:
        return []
    uses = find_uses(ctx.source, ctx.root, declaring_scope(held.decl), held.decl)
    return [u for u in uses if u != held.target and is_release(u)]


def _wrapped_value(call: Node, resolved: tuple[str, str, str] | None) -> Node | None:
    """The identifier a standard-library wrapper takes over (`tls.Client(c, cfg)`: c), if `call` is one."""
    if resolved is None or resolved not in TAKES or 0 not in TAKES[resolved]:
        return None
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    return first if first is not None and first.type == "identifier" else None


def _acquired_here(decl: Node, acquires: Callable[[Node], list[int]]) -> bool:
    """False where `decl` is declared from a call that, as far as the model knows, acquires none of it."""
    holder = decl.parent.parent if decl.parent is not None else None
    declares = holder is not None and holder.type == "short_var_declaration"
    right = holder.child_by_field_name("right") if holder is not None and declares else None
    values = [unparen(v) for v in right.named_children] if right is not None else []
    if len(values) == 1 and _built_here(values[0]):
        return False  # a struct made here is memory; a resource it holds is tracked where it was acquired
    if len(values) != 1 or values[0].type != "call_expression":
        return True
    names = decl.parent.named_children  # type: ignore[union-attr]
    return any(i < len(names) and names[i] == decl for i in acquires(values[0]))


def _built_here(value: Node) -> bool:
    """`T{...}` or `&T{...}`: a value made here from a composite literal."""
    operator, operand = value.child_by_field_name("operator"), value.child_by_field_name("operand")
    if value.type == "unary_expression" and operator is not None and operator.type == "&" and operand is not None:
        value = unparen(operand)
    return value.type == "composite_literal"
