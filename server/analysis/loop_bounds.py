"""How often a loop can run, where the syntax says so: a handful of iterations, or once.

`small_bound` proves a loop runs at most `SMALL_LOOP` times: `for i := 0; i < 5; i++`, `for range 3`, or
a `range` over a composite literal of at most that many elements, written in place or held by a
variable declared with it (in the function or at package level) that nothing replaces (reslicing it,
`probes = probes[:1]`, only shrinks it) and nothing appends to but a local's one-element appends
outside loops, each counted, or a parameter of an unexported function, never set in its body, to
which every caller in the package passes such a literal (`createTestDir([]templateFile{...})`).
`once_guarded` proves a statement of a loop body runs at most once: it sits in `if v == nil { ... v =
... }`, with `v` declared outside the loop and never set back to nil in it (the lazy first-use setup
of a value kept across iterations).
Anything else is not known: None or False, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaration_of
from plumber.syntax.nodes import PACKAGE_VAR_SPECS, enclosing_function, inside_loop, statements_of, within
from plumber.syntax.parser import captures

SMALL_LOOP = 8  # iterations whose deferred calls pile up harmlessly: a few fixed cases, retries, probes
_INT = re.compile(r"[0-9]+")


# (function name, parameter index) -> the largest composite literal every caller passes there, or None
CallerBound = Callable[[str, int], "int | None"]


def small_bound(ctx: FileContext, loop: Node, callers: CallerBound | None = None) -> int | None:
    """How many times the loop runs at most, when that is at most SMALL_LOOP; else None. `callers`
    bounds a `range` over a parameter of an unexported function by what every caller passes."""
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
            bound = literal_elements(right)
        elif right is not None and right.type == "identifier":
            declared = _declared_literal(ctx, right)
            extra = _appended(ctx, right, declared[0]) if declared is not None else None
            if declared is not None and extra is not None:
                bound = literal_elements(declared[1]) + extra
            elif declared is None and callers is not None:
                bound = _parameter_bound(ctx, right, callers)
    return bound if bound is not None and bound <= SMALL_LOOP else None


def _parameter_bound(ctx: FileContext, ident: Node, callers: CallerBound) -> int | None:
    """A parameter of an unexported top-level function that its body never sets: bounded by its callers."""
    decl = declaration_of(ctx.source, ident)
    param = decl.parent if decl is not None else None
    plist = param.parent if param is not None else None
    fn = plist.parent if plist is not None else None
    if param is None or param.type != "parameter_declaration" or fn is None or fn.type != "function_declaration":
        return None
    if plist is None or plist != fn.child_by_field_name("parameters"):
        return None  # a result parameter
    name = ctx.text(fn.child_by_field_name("name"))
    if not name or not (name[0].islower() or name[0] == "_"):
        return None  # exported: callers outside the package
    index = 0
    for p in plist.named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        names = p.children_by_field_name("name")
        if p == param:
            index += next(i for i, n in enumerate(names) if n == decl)
            break
        index += max(1, len(names))
    var = re.escape(ctx.text(ident))
    changed = re.compile(rf"(?<![\w.]){var}\s*(,[^=]*)?(=[^=]|\+=)|append\(\s*{var}\b")
    if changed.search(ctx.text(fn.child_by_field_name("body"))):
        return None  # set or grown in the body: the callers' literal is not what it ranges over
    return callers(name, index)


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


def literal_elements(literal: Node | None) -> int:
    """The elements of a composite literal (comments aside); more than SMALL_LOOP when it has no body."""
    if literal is None:
        return 0
    body = literal.child_by_field_name("body")
    return sum(1 for c in body.named_children if c.type != "comment") if body is not None else SMALL_LOOP + 1


def _declared_literal(ctx: FileContext, ident: Node) -> tuple[Node, Node | None] | None:
    """(declaring identifier, composite literal) when `ident` was declared with one (`x := []T{...}`,
    `var x = []T{...}`), or (identifier, None) with none (`var x []T`), in the function or at the
    package level of this file."""
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
        if value is None and len(names) == 1 and spec.child_by_field_name("type") is not None:
            return decl, None  # `var roots []string`: no elements yet
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
    for m in ctx.matches(PACKAGE_VAR_SPECS, ctx.root):
        for n in m["spec"][0].children_by_field_name("name"):
            if ctx.text(n) == name:
                return n
    return None


APPENDS = "(call_expression function: (identifier) @f arguments: (argument_list . (identifier) @first)) @call"


def _appended(ctx: FileContext, ident: Node, decl: Node) -> int | None:
    """How many elements may be added to the variable after its declaration `decl`: one per
    `v = append(v, x)` of a local outside any loop (zoneinfo's roots: a literal and one conditional
    append); None when something else may add or replace them (an append in a loop, a variadic or
    several-element append, an assignment other than a reslice of itself, anywhere in the file for a
    package-level variable)."""
    name = ctx.text(ident)
    fn = enclosing_function(decl)
    counted: set[int] = set()
    for m in captures(APPENDS, fn if fn is not None else ctx.root).get("call", []):
        first = m.child_by_field_name("arguments")
        if ctx.text(m.child_by_field_name("function")) != "append" or first is None:
            continue
        args = [c for c in first.named_children if c.type != "comment"]
        if not args or ctx.text(args[0]) != name:
            continue
        stmt = m.parent.parent if m.parent is not None else None
        if (fn is None or enclosing_function(m) != fn or len(args) != 2 or ctx.text(first).rstrip(")").endswith("...")
                or stmt is None or stmt.type != "assignment_statement" or inside_loop(stmt, fn) is not None
                or ctx.text(stmt.child_by_field_name("left")) != name):  # fmt: skip
            return None
        counted.add(stmt.start_byte)
    pattern = re.escape(name).encode()
    scope = fn if fn is not None else ctx.root  # a local is assigned only in its function
    assignment = re.compile(rb"(?<![\w.])" + pattern + rb"\s*=[^=]([^\n]*)")
    for found in assignment.finditer(ctx.source, scope.start_byte, scope.end_byte):
        at, rest = found.start(), found.group(1)
        if at == decl.start_byte or at in counted or re.match(rb"\s*" + pattern + rb"\s*\[", rest):
            continue  # its declaration, an append counted, or a reslice of itself
        return None
    return len(counted)


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
