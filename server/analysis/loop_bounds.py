"""How often a loop can run, where the syntax says so: a handful of iterations, or once.

`small_bound` proves a loop runs at most `SMALL_LOOP` times: `for i := 0; i < 5; i++`, `for range 3`, or
a `range` over a composite literal of at most that many elements, written in place or held by a
variable declared with it (in the function or at package level) that nothing appends to or replaces
(reslicing it, `probes = probes[:1]`, only shrinks it). `once_guarded` proves a statement of a loop
body runs at most once: it sits in `if v == nil { ... v = ... }`, with `v` declared outside the loop
and never set back to nil in it (the lazy first-use setup of a value kept across iterations).
Anything else is not known: None or False, never a guess.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaration_of
from plumber.syntax.nodes import statements_of, within

SMALL_LOOP = 8  # iterations whose deferred calls pile up harmlessly: a few fixed cases, retries, probes
_INT = re.compile(r"[0-9]+")


def small_bound(ctx: FileContext, loop: Node) -> int | None:
    """How many times the loop runs at most, when that is at most SMALL_LOOP; else None."""
    clause = next((c for c in loop.named_children if c.type in ("for_clause", "range_clause")), None)
    if clause is None:
        return None
    if clause.type == "for_clause":
        bound = _counted(ctx, clause, loop.child_by_field_name("body"))
    else:
        right = clause.child_by_field_name("right")
        bound = None
        if right is not None and right.type == "int_literal":
            bound = _int(ctx, right)
        elif right is not None and right.type == "composite_literal":
            bound = _elements(right)
        elif right is not None and right.type == "identifier":
            declared = _declared_literal(ctx, right)
            if declared is not None and not _grown(ctx, right, declared[0]):
                bound = _elements(declared[1])
    return bound if bound is not None and bound <= SMALL_LOOP else None


def _int(ctx: FileContext, node: Node | None) -> int | None:
    text = ctx.text(node)
    return int(text) if _INT.fullmatch(text) else None


def _counted(ctx: FileContext, clause: Node, body: Node | None) -> int | None:
    """K for `for i := 0; i < K; i++` (K + 1 for `i <= K`), K a literal and `i` left alone by the body."""
    init, cond, update = (clause.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    if init is None or cond is None or update is None or init.type != "short_var_declaration":
        return None
    left, right = init.child_by_field_name("left"), init.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != 1 or ctx.text(right) != "0":
        return None
    var = ctx.text(left.named_children[0])
    if update.type != "inc_statement" or ctx.text(update).replace(" ", "") != var + "++":
        return None
    if cond.type != "binary_expression" or ctx.text(cond.child_by_field_name("left")) != var:
        return None
    op, k = ctx.text(cond.child_by_field_name("operator")), _int(ctx, cond.child_by_field_name("right"))
    if k is None or op not in ("<", "<="):
        return None
    written = re.compile(rf"(?<![\w.]){re.escape(var)}\s*(\+\+|--|[-+*/]?=[^=])")
    if body is not None and written.search(ctx.text(body)) is not None:
        return None
    return k if op == "<" else k + 1


def _elements(literal: Node) -> int:
    body = literal.child_by_field_name("body")
    return sum(1 for c in body.named_children if c.type != "comment") if body is not None else SMALL_LOOP + 1


def _declared_literal(ctx: FileContext, ident: Node) -> tuple[Node, Node] | None:
    """(declaring identifier, composite literal) when `ident` was declared with one (`x := []T{...}`,
    `var x = []T{...}`), in the function or at the package level of this file."""
    decl = declaration_of(ctx.source, ident)
    if decl is None:
        decl = _package_var(ctx, ctx.text(ident))
    if decl is None:
        return None
    if decl.parent is None or decl.parent.type != "expression_list":
        spec = decl.parent
        if spec is None or spec.type != "var_spec":
            return None
        value = spec.child_by_field_name("value")
        names = spec.children_by_field_name("name")
    else:
        spec = decl.parent.parent
        if spec is None or spec.type != "short_var_declaration":
            return None
        value = spec.child_by_field_name("right")
        names = decl.parent.named_children
    if value is None or len(names) != 1 or value.named_child_count != 1:
        return None
    literal = value.named_children[0]
    return (decl, literal) if literal.type == "composite_literal" else None


def _package_var(ctx: FileContext, name: str) -> Node | None:
    for top in ctx.root.named_children:
        if top.type != "var_declaration":
            continue
        specs = [c for c in top.named_children if c.type == "var_spec"]
        for lst in (c for c in top.named_children if c.type == "var_spec_list"):
            specs.extend(c for c in lst.named_children if c.type == "var_spec")
        for spec in specs:
            for n in spec.children_by_field_name("name"):
                if ctx.text(n) == name:
                    return n
    return None


def _grown(ctx: FileContext, ident: Node, decl: Node) -> bool:
    """Something may give the variable more elements: an `append` to it, or an assignment other than its
    declaration `decl` or a reslice of itself, anywhere in the file (it may be package-level)."""
    name = re.escape(ctx.text(ident))
    if re.search(rb"append\(\s*" + name.encode() + rb"\b", ctx.source) is not None:
        return True
    source = ctx.source
    for m in re.finditer(rb"(?<![\w.])" + name.encode() + rb"\s*=[^=]([^\n]*)", source):
        if m.start() == decl.start_byte or re.match(rb"\s*" + name.encode() + rb"\s*\[", m.group(1)):
            continue  # its declaration, or a reslice of itself
        return True
    return False


def once_guarded(ctx: FileContext, stmt: Node, body: Node) -> bool:
    """`stmt` (inside `body`, the body of the outermost loop around it) sits in `if v == nil { ... v = ...
    }`, `v` declared outside that loop and never set back to nil inside it: it runs at most once."""
    n = stmt.parent
    while n is not None and n != body:
        if n.type == "block" and n.parent is not None and n.parent.type == "if_statement":
            guard = n.parent
            if guard.child_by_field_name("consequence") == n and _sets_once(ctx, guard, n, body):
                return True
        n = n.parent
    return False


def _sets_once(ctx: FileContext, guard: Node, block: Node, body: Node) -> bool:
    cond = guard.child_by_field_name("condition")
    if guard.child_by_field_name("initializer") is not None or cond is None or cond.type != "binary_expression":
        return False
    left, op, right = (cond.child_by_field_name(f) for f in ("left", "operator", "right"))
    if left is None or op is None or right is None or ctx.text(op) != "==" or ctx.text(right) != "nil":
        return False
    if left.type != "identifier":
        return False
    decl = declaration_of(ctx.source, left)
    if decl is not None and within(decl, body):
        return False  # declared in the body: nil again every iteration
    name = re.escape(ctx.text(left))
    assigned = re.compile(rf"(?<![\w.]){name}(\s*,\s*\w+)*\s*=[^=]")
    if not any(assigned.match(ctx.text(s)) for s in statements_of(block)):
        return False
    return re.search(rf"(?<![\w.]){name}\s*=\s*nil\b", ctx.text(body)) is None
