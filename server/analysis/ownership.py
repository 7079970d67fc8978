"""Where does a value go? The escape rules of checks.md, from syntax alone.

A value escapes when it is returned, assigned to a field, a package-level
variable, a map or slice element, captured in a composite literal, sent on a
channel, or passed to a function not known to leave ownership with the
caller. A value that escapes is someone else's to close. When a use is not
understood it counts as escaping: silence beats a false alarm.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.model.resource_table import KEEPS
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.analysis.uses import Role, UseSite, site_of
from plumber.syntax.nodes import enclosing_function


class Use(enum.Enum):
    LOCAL = "local"  # read, compared, a method called on it: still ours
    CLOSE = "close"  # the release itself (x.Close(), cancel(), C.free(x))
    ESCAPE = "escape"  # handed to someone else


# Builtins that look at a value without keeping it.
LOCAL_BUILTINS = frozenset({"len", "cap", "print", "println"})


@dataclass(frozen=True)
class Resource:
    """How a kind of resource is released.

    `field`: the resource is a field of the variable (resp.Body); None when
    the variable itself is the resource. `closers`: method names that release
    it (x.Close()). `called`: calling the variable releases it (cancel()).
    `free_funcs`: (import path, name) of functions whose argument, possibly
    wrapped in a conversion, is released (C.free(unsafe.Pointer(p))).
    `keeper_packages`: import paths whose functions only borrow the value,
    possibly wrapped in a conversion (C.puts(p), C.use(unsafe.Pointer(p))).
    """

    closers: frozenset[str] = frozenset({"Close"})
    field: str | None = None
    called: bool = False
    free_funcs: frozenset[tuple[str, str]] = frozenset()
    keeper_packages: frozenset[str] = frozenset()


def _is_keeper_call(ctx: FileContext, call: Node) -> bool:
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "identifier" and ctx.text(fn) in LOCAL_BUILTINS:
        return True
    target = ctx.call_target(call)
    return target in KEEPS  # the standard library's functions that leave a value with the caller


def _is_borrowing_call(ctx: FileContext, call: Node, res: Resource) -> bool:
    if not res.keeper_packages:
        return False
    target = ctx.call_target(call)
    return target is not None and target[0] in res.keeper_packages


def _is_free_call(ctx: FileContext, call: Node, res: Resource) -> bool:
    if not res.free_funcs:
        return False
    target = ctx.call_target(call)
    return target is not None and target in res.free_funcs


def classify(ctx: FileContext, use: Node, res: Resource) -> Use:
    """What one use of the variable does with the resource."""
    site = site_of(use)
    if site.parent is None:
        return Use.ESCAPE
    # resp.Body: follow the field that holds the resource; other fields are plain data.
    if res.field is not None:
        if site.role is not Role.SELECTED:
            return _classify_site(ctx, site, res, whole=True)
        if site.name != res.field:
            # resp.StatusCode, resp.Header.Get(...): reads, unless resp.Write-like calls take the body.
            return Use.LOCAL
        site = site_of(site.holder)
    return _classify_site(ctx, site, res, whole=False)


# Roles in which a value is only looked at.
_LOOKING = frozenset(
    {
        Role.COMPARED,
        Role.BINARY,
        Role.INDEXED,
        Role.LOOKED_AT,
        Role.RANGED,
        Role.UNARY,
        Role.RECEIVED_FROM,
        Role.ASSIGNED,
    }
)


def _classify_site(ctx: FileContext, site: UseSite, res: Resource, whole: bool) -> Use:
    role = site.role
    if site.parent is None:
        return Use.ESCAPE
    if role is Role.SELECTED:
        return Use.CLOSE if site.name in res.closers and not whole else Use.LOCAL  # x.Close() or x.Close as a value
    if role is Role.CALLED:
        return Use.CLOSE if res.called and not whole else Use.LOCAL
    if role is Role.ARGUMENT:
        return _classify_argument(ctx, site.holder, res, whole)
    if role in _LOOKING or (role is Role.OTHER and site.parent.type == "range_clause"):
        return Use.LOCAL  # `x, err = ...` (ASSIGNED): the variable is overwritten, not read
    if role in (Role.ASSIGNED_FROM, Role.DECLARED_FROM):
        t = site.target
        return Use.LOCAL if t is not None and t.type == "identifier" and ctx.text(t) == "_" else Use.ESCAPE
    return Use.ESCAPE


def _classify_argument(ctx: FileContext, call: Node, res: Resource, whole: bool) -> Use:
    if _is_free_call(ctx, call, res) and not whole:
        return Use.CLOSE
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "identifier" and ctx.text(fn) == "append":
        return _classify_append(ctx, call, res)
    if _is_keeper_call(ctx, call) or _is_borrowing_call(ctx, call, res):
        return Use.LOCAL
    # A conversion wrapping the value inside a free call: C.free(unsafe.Pointer(p)).
    around = site_of(call)
    if around.role is Role.ARGUMENT and _is_conversion(ctx, call):
        if _is_free_call(ctx, around.holder, res) and not whole:
            return Use.CLOSE
        if _is_borrowing_call(ctx, around.holder, res):
            return Use.LOCAL
    return Use.ESCAPE


def is_conversion(ctx: FileContext, call: Node) -> bool:
    """`T(x)` for the pointer and qualified types the escape rules know: `unsafe.Pointer(p)`, `(*T)(p)`."""
    return _is_conversion(ctx, call)


def _is_conversion(ctx: FileContext, call: Node) -> bool:
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    if fn.type in ("parenthesized_type", "pointer_type", "qualified_type", "generic_type"):
        return True
    if fn.type == "parenthesized_expression":  # (*T)(x)
        inner = fn.named_children[0] if fn.named_child_count == 1 else None
        op = inner.child_by_field_name("operator") if inner is not None and inner.type == "unary_expression" else None
        return op is not None and ctx.text(op) == "*"
    if fn.type == "selector_expression":
        return ctx.text(fn) in ("unsafe.Pointer",)
    return False


def _classify_append(ctx: FileContext, call: Node, res: Resource) -> Use:
    """x appended to a local slice escapes only when that slice does (seed 000)."""
    appended = site_of(call)
    if appended.role is not Role.ASSIGNED_FROM:
        return Use.ESCAPE
    left = appended.holder.child_by_field_name("left")
    if left is None or len(left.named_children) != 1 or left.named_children[0].type != "identifier":
        return Use.ESCAPE
    target = left.named_children[0]
    decl = declaration_of(ctx.source, target)
    fn = enclosing_function(call)
    if decl is None or fn is None or enclosing_function(decl) != fn:
        return Use.ESCAPE  # a package-level or captured slice
    # The slice is ours: does anything but `s = append(s, ...)` and len(s) touch it?
    for u in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl):
        if u == target:
            continue
        site = site_of(u)
        if site.role is Role.ARGUMENT:
            f = site.holder.child_by_field_name("function")
            if f is not None and f.type == "identifier" and ctx.text(f) in ("append", "len", "cap"):
                continue
        if site.role is Role.ASSIGNED and site.parent is not None and site.parent.type == "expression_list":
            continue  # s = ... (the append's own target)
        return Use.ESCAPE
    return Use.LOCAL


def fate(ctx: FileContext, uses: list[Node], res: Resource) -> Use:
    """CLOSE if any use releases the resource, else ESCAPE if any use hands it on, else LOCAL."""
    seen_escape = False
    for u in uses:
        kind = classify(ctx, u, res)
        if kind is Use.CLOSE:
            return Use.CLOSE
        if kind is Use.ESCAPE:
            seen_escape = True
    return Use.ESCAPE if seen_escape else Use.LOCAL
