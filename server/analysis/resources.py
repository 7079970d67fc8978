"""The shared shape of the "must be closed" checks.

`v, err := pkg.Open(...)` binds a resource to a variable; the variable is
then released (Close, Stop, cancel(), C.free), handed on (escapes), or
neither: the leak. Each resource check supplies the calls that open, the
position of the resource among the results, and how it is released.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.edits import insert_line_after
from plumber.analysis.ownership import Resource, Use, fate
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.analysis.uses import Role, site_of
from plumber.core.findings import Edit, Fix
from plumber.syntax.imports import default_name
from plumber.syntax.nodes import ancestor_below, enclosing_function, inside_loop, outer

_GO = frozenset({"go_statement"})

# Calls after which control never reaches the next statement.
_EXITS = re.compile(
    r"^(panic|os\.Exit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)|"
    r"\w+\.(Fatal|Fatalf|FailNow|Skip|Skipf|SkipNow))\("
)


@dataclass(frozen=True)
class Binding:
    """Where an opening call's result goes."""

    call: Node
    stmt: Node  # the short_var_declaration / assignment_statement / var_declaration
    target: Node | None  # the identifier receiving the resource; None when discarded (_) or not bound
    decl: Node | None  # the identifier that declares the target variable
    others: tuple[Node, ...]  # the other identifiers on the left (err)


def bind(ctx: FileContext, call: Node, index: int = 0) -> Binding | None:
    """The variable that receives result `index` of `call`, if the call is the whole right side.

    None when the call is not the whole right side of a declaration or
    assignment, or when the result goes to a field, an element or through a
    pointer (`s.f, err = os.Open(...)`: it escapes). A result discarded with
    `_` gives a Binding whose target is None.
    """
    node = call
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    right = node.parent
    if right is None:
        return None
    if right.type == "expression_list":
        stmt = right.parent
        if right.named_child_count != 1 or stmt is None:
            return None
        if stmt.type in ("short_var_declaration", "assignment_statement"):
            op = stmt.child_by_field_name("operator")
            if stmt.type == "assignment_statement" and (op is None or ctx.text(op) != "="):
                return None
            lhs = stmt.child_by_field_name("left")
            if lhs is None:
                return None
            left = lhs.named_children
        elif stmt.type == "var_spec":
            left = stmt.children_by_field_name("name")
            holder = stmt.parent if stmt.parent is not None and stmt.parent.type == "var_declaration" else None
            if holder is None:
                holder = stmt.parent.parent if stmt.parent is not None else None
            if holder is None:
                return None
            stmt = holder
        else:
            return None
    else:
        return None
    if index >= len(left):
        return None
    target = left[index]
    others = tuple(n for i, n in enumerate(left) if i != index and n.type == "identifier")
    if target.type != "identifier":
        return None  # s.f, m[k], *p = ...: stored where someone else closes it (it escapes)
    if ctx.text(target) == "_":
        return Binding(call, stmt, None, None, others)
    if stmt.type == "assignment_statement":
        decl = declaration_of(ctx.source, target)
    else:
        decl = target
    return Binding(call, stmt, target, decl, others)


def unreleased(ctx: FileContext, b: Binding, res: Resource) -> bool:
    """True when the bound resource is neither released nor handed on anywhere it is visible."""
    if b.target is None:
        return True
    fn = enclosing_function(b.call)
    if b.decl is None or fn is None:
        return False  # a package-level variable or a captured one: someone else's
    decl_fn = enclosing_function(b.decl)
    if decl_fn != fn or _is_parameter(b.decl):
        return False  # declared outside this function, or a (named) result: it leaves with the call
    # Every use after the declaration counts, even before a later `f, err = os.Open(...)`: a close
    # earlier in a loop body is lenient, and silence beats a false alarm.
    uses = [u for u in find_uses(ctx.source, ctx.root, declaring_scope(b.decl), b.decl) if u != b.target]
    return fate(ctx, uses, res) is Use.LOCAL


def _is_parameter(decl: Node) -> bool:
    p = decl.parent
    return p is not None and p.type in ("parameter_declaration", "variadic_parameter_declaration")


def error_check_after(ctx: FileContext, b: Binding) -> Node | None:
    """The `if err != nil { ... }` right after the binding statement, if there is one."""
    nxt = b.stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is None or nxt.type != "if_statement" or not b.others:
        return None
    cond = nxt.child_by_field_name("condition")
    if cond is None:
        return None
    names = {ctx.text(o) for o in b.others if ctx.text(o) != "_"}
    cond_text = ctx.text(cond)
    if any(re.search(rf"\b{re.escape(n)}\b", cond_text) for n in names):
        return nxt
    return None


def always_leaves(ctx: FileContext, block: Node | None) -> bool:
    """Whether a block's last statement returns, panics, exits or jumps away."""
    if block is None:
        return False
    stmts = [c for c in block.named_children if c.type != "comment"]
    if len(stmts) == 1 and stmts[0].type == "statement_list":
        stmts = [c for c in stmts[0].named_children if c.type != "comment"]
    if not stmts:
        return False
    last = stmts[-1]
    if last.type in ("return_statement", "goto_statement", "continue_statement", "break_statement"):
        return True
    if last.type == "expression_statement":
        return bool(_EXITS.match(ctx.text(last)))
    return False


def defer_fix(ctx: FileContext, b: Binding, statement: str, *, nil_safe: bool) -> Fix | None:
    """`defer <statement>` on the line after the binding's error check (or after the binding).

    Offered only where it is sure to be right: the binding is a statement of
    a block, not inside a loop of the same function (a defer there would pile
    up), and, when the deferred call would panic on a failed open
    (`nil_safe` False), only after an error check that leaves.
    """
    if b.stmt.parent is None or b.stmt.parent.type != "statement_list":
        return None
    fn = enclosing_function(b.call)
    if inside_loop(b.stmt, fn) is not None:
        return None
    check = error_check_after(ctx, b)
    if check is not None:
        if not nil_safe and (
            check.child_by_field_name("alternative") is not None
            or not always_leaves(ctx, check.child_by_field_name("consequence"))
        ):
            return None
        anchor = check
    else:
        if not nil_safe and b.others:
            return None  # an error is returned but not checked: the deferred call may see nil
        anchor = b.stmt
    edit = insert_line_after(ctx, anchor, f"defer {statement}", indent_like=b.stmt)
    return Fix(f"Insert defer {statement}", (edit,))


def opening_calls(ctx: FileContext, query: str, funcs: dict[str, frozenset[str]]) -> Iterator[Node]:
    """Calls captured as @call by `query` that resolve to one of `funcs` (import path -> names)."""
    for call in ctx.captures(query).get("call", []):
        target = ctx.call_target(call)
        if target is not None and target[1] in funcs.get(target[0], ()):
            yield call


def calls_query(names: set[str] | frozenset[str]) -> str:
    """A query for `x.Name(...)` calls with Name among `names` (candidates; resolve with call_target)."""
    alts = " ".join(f'"{n}"' for n in sorted(names))
    return (
        f"(call_expression function: (selector_expression field: (field_identifier) @name"
        f" (#any-of? @name {alts}))) @call"
    )


def callee_name(callee: tuple[str, str, str] | None, own_path: str, ctx: FileContext, call: Node) -> str:
    """How a message names an opener: `os.Open`, `net.Dialer.DialContext`, `openLog` (this package)."""
    if callee is None:
        return ctx.text(call.child_by_field_name("function")) or "the call"
    path, recv, name = callee
    pkg = "" if path == own_path else default_name(path) + "."
    return f"{pkg}{recv}.{name}" if recv else f"{pkg}{name}"


def result_stays_local(ctx: FileContext, call: Node) -> bool:
    """The call's result is used on the spot, or bound to a local that is only read and called, not by
    a goroutine (`go c.serve()`: the goroutine holds it)."""
    up = outer(call)
    if up.parent is not None and up.parent.type == "selector_expression":
        return True  # pb.NewGreeterClient(conn).SayHello(...): used on the spot
    stub = bind(ctx, call, 0)
    if stub is None or stub.target is None or stub.decl is None:
        return False
    uses = [u for u in find_uses(ctx.source, ctx.root, declaring_scope(stub.decl), stub.decl) if u != stub.target]
    fn = enclosing_function(stub.decl) or ctx.root
    return all(site_of(u).role is Role.SELECTED and ancestor_below(u, _GO, fn) is None for u in uses)


__all__ = [
    "Binding",
    "Edit",
    "bind",
    "callee_name",
    "calls_query",
    "defer_fix",
    "opening_calls",
    "result_stays_local",
    "unreleased",
]
