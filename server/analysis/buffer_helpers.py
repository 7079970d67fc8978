"""The package's own functions that return a large buffer: always, or when a parameter sizes it.

`helper_of` reads one function declaration: every non-empty return gives a
large buffer of the declared kind (a read file, a large `make`, or
`make([]byte, n)` / `strings.Repeat(s, n)` sized by a parameter, through
locals and conversions). substring-retention computes it per declaration,
and `provenance.expr_origin` follows calls of such helpers.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.provenance import Helper, assigned_elsewhere, byte_slice_type, expr_origin, is_builtin, value_of
from plumber.analysis.scope import declaration_of
from plumber.syntax.nodes import enclosing_function, parameter_names, unparen

_RESULT_KINDS = {"string": "string", "[]byte": "bytes", "[]uint8": "bytes"}
_REPEATS = {("strings", "Repeat"): "string", ("bytes", "Repeat"): "bytes"}


def helper_of(ctx: FileContext, decl: Node) -> tuple[str, Helper] | None:
    """(name, Helper) when the function declaration returns a large buffer on every non-empty return."""
    if decl.type != "function_declaration" or decl.child_by_field_name("type_parameters") is not None:
        return None
    result = decl.child_by_field_name("result")
    body = decl.child_by_field_name("body")
    name = decl.child_by_field_name("name")
    if result is None or body is None or name is None:
        return None
    rtext = ctx.text(result).replace(" ", "")
    if rtext.startswith("(") and rtext.endswith(")") and "," not in rtext:
        rtext = rtext[1:-1]
    kind = _RESULT_KINDS.get(rtext)
    if kind is None:
        return None
    text = ctx.source[body.start_byte : body.end_byte]
    if b"return" not in text or not any(k in text for k in (b"make(", b"Repeat(", b"ReadFile", b"ReadAll")):
        return None
    params = parameter_names(decl, ctx.source)
    found: Helper | None = None
    for ret in ctx.captures("(return_statement) @r", body).get("r", []):
        if enclosing_function(ret) != decl:
            continue
        vals = [c for c in (ret.named_children[0].named_children if ret.named_children else []) if c.type != "comment"]
        if len(vals) != 1:
            return None
        v = unparen(vals[0])
        if ctx.text(v) in ('""', "nil", "``"):
            continue
        h = _helper_value(ctx, v, params, 0)
        if h is None or h.kind != kind or (found is not None and found != h):
            return None
        found = h
    return (ctx.text(name), found) if found is not None else None


def _helper_value(ctx: FileContext, v: Node, params: list[str], depth: int) -> Helper | None:
    if depth > 4:
        return None
    v = unparen(v)
    o = expr_origin(ctx, v)
    if o is not None and not o.pieces and o.kind is not None:
        return Helper(o.kind, o.what)
    if v.type == "identifier":
        decl = declaration_of(ctx.source, v)
        got = value_of(decl) if decl is not None else None
        if got is None or got[1] != 0 or decl is None or assigned_elsewhere(ctx, decl):
            return None
        return _helper_value(ctx, got[0], params, depth + 1)
    if v.type == "type_conversion_expression":
        typ, operand = v.child_by_field_name("type"), v.child_by_field_name("operand")
        if typ is None or operand is None:
            return None
        inner = _helper_value(ctx, operand, params, depth + 1)
        if inner is None or inner.sized_by is None:
            return None
        if ctx.text(typ) == "string" and inner.kind == "bytes":
            return Helper("string", f"string({inner.what})", inner.sized_by)
        if byte_slice_type(ctx, typ) and inner.kind == "string":
            return Helper("bytes", f"[]byte({inner.what})", inner.sized_by)
        return None
    if v.type != "call_expression":
        return None
    fn = v.child_by_field_name("function")
    args = v.child_by_field_name("arguments")
    argv = [a for a in (args.named_children if args is not None else []) if a.type != "comment"]
    if fn is None:
        return None

    def param_index(node: Node) -> int | None:
        node = unparen(node)
        if node.type != "identifier" or ctx.text(node) not in params:
            return None
        decl = declaration_of(ctx.source, node)
        if decl is None or decl.parent is None or decl.parent.type != "parameter_declaration":
            return None
        return params.index(ctx.text(node))

    if is_builtin(ctx, fn, "make") and len(argv) >= 2 and byte_slice_type(ctx, argv[0]):
        i = param_index(argv[1])
        return Helper("bytes", f"make({ctx.text(argv[0])}, {ctx.text(argv[1])})", i) if i is not None else None
    if is_builtin(ctx, fn, "string") and len(argv) == 1:
        inner = _helper_value(ctx, argv[0], params, depth + 1)
        if inner is not None and inner.kind == "bytes" and inner.sized_by is not None:
            return Helper("string", f"string({inner.what})", inner.sized_by)
        return None
    target = ctx.call_target(v)
    if target in _REPEATS and len(argv) == 2:
        i = param_index(argv[1])
        return Helper(_REPEATS[target], f"{ctx.text(fn)}(..., {ctx.text(argv[1])})", i) if i is not None else None
    return None
