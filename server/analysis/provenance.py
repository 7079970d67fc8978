"""Provenance: which large buffer a string or byte slice shares memory with.

What substring-retention reads: a small slice of a large buffer that is kept
(`outlives.kept`) keeps the whole buffer alive. `origin` and `expr_origin`
follow a value back through locals, reslicing, conversions (which copy), the
trimming and splitting functions (which share), to a read file, a large
`make([]byte, N)` or array, or a function of the package that returns one
(`buffer_helpers.helper_of`). Its building blocks (`assigned_elsewhere`,
`value_of`, `is_builtin`, ...) serve those two modules as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses, is_local
from plumber.analysis.uses import Role, site_of
from plumber.syntax.nodes import enclosing_function, unparen

LARGE = 16 * 1024  # bytes: a make([]byte, N) at least this large is a large buffer (not a 4 KiB read buffer)
MAX_DEPTH = 10

# (import path, name) -> kind of result 0
READERS = {
    ("os", "ReadFile"): "bytes",
    ("io/ioutil", "ReadFile"): "bytes",
    ("io", "ReadAll"): "bytes",
    ("io/ioutil", "ReadAll"): "bytes",
}
# Calls whose result shares the memory of their first argument.
SHARING = {
    "strings": frozenset({"TrimSpace", "Trim", "TrimLeft", "TrimRight", "TrimPrefix", "TrimSuffix", "TrimFunc"}),
    "bytes": frozenset({"TrimSpace", "Trim", "TrimLeft", "TrimRight", "TrimPrefix", "TrimSuffix", "TrimFunc"}),
}
# Calls returning pieces ([]string / [][]byte) that share the memory of their first argument.
SPLITTERS = {
    "strings": frozenset({"Split", "SplitN", "SplitAfter", "SplitAfterN", "Fields", "FieldsFunc"}),
    "bytes": frozenset({"Split", "SplitN", "SplitAfter", "SplitAfterN", "Fields", "FieldsFunc"}),
}


@dataclass(frozen=True)
class Origin:
    kind: str | None  # "string", "bytes", or None when unknown
    what: str  # "os.ReadFile", "make([]byte, 1<<20)"
    node: Node  # where the large buffer is made
    pieces: bool = False  # a []string / [][]byte of pieces of the buffer


@dataclass(frozen=True)
class Helper:
    """A function of the package that returns a large buffer: always (`sized_by` None) or when its
    parameter `sized_by` is a large constant (`make([]byte, n)`, `strings.Repeat(s, n)`)."""

    kind: str  # "string" or "bytes"
    what: str
    sized_by: int | None = None


# name -> the helper it is, for the package's own functions (None: not known to return a large buffer)
Helpers = Callable[[str], Helper | None]


def const_int(ctx: FileContext, node: Node) -> int | None:
    """The value of an integer constant expression made of literals, or None."""
    node = unparen(node)
    if node.type == "int_literal":
        try:
            return int(ctx.text(node).replace("_", ""), 0)
        except ValueError:
            return None
    if node.type == "binary_expression":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        op = node.child_by_field_name("operator")
        if left is None or right is None or op is None:
            return None
        a, b = const_int(ctx, left), const_int(ctx, right)
        if a is None or b is None:
            return None
        o = ctx.text(op)
        if o == "<<" and b < 64:
            return a << b
        if o == "*":
            return a * b
        if o == "+":
            return a + b
    return None


def is_builtin(ctx: FileContext, fn: Node, name: str) -> bool:
    return fn.type == "identifier" and ctx.text(fn) == name and declaration_of(ctx.source, fn) is None


def byte_slice_type(ctx: FileContext, node: Node) -> bool:
    return node.type == "slice_type" and ctx.text(node).replace(" ", "") in ("[]byte", "[]uint8")


def assigned_elsewhere(ctx: FileContext, decl: Node, allow_self_reslice: bool = True) -> bool:
    """Whether the variable declared at `decl` is assigned anywhere but its declaration."""
    name = ctx.text(decl)
    for u in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl):
        site = site_of(u)
        if site.parent is not None and site.parent.type == "expression_list" and site.holder is not None:
            if site.holder.type == "range_clause":
                return True  # for _, s = range ...
            if site.role is Role.ASSIGNED:
                right = site.holder.child_by_field_name("right")
                vals = right.named_children if right is not None else []
                if allow_self_reslice and len(vals) == 1 and len(site.parent.named_children) == 1:
                    val = unparen(vals[0])
                    if val.type == "slice_expression":
                        op = val.child_by_field_name("operand")
                        if op is not None and ctx.text(op) == name:
                            continue  # s = s[:n]: still the same buffer
                return True
        if site.role is Role.ADDRESS_TAKEN:
            return True
    return False


def value_of(decl: Node) -> tuple[Node, int, int] | None:
    """(value node, index of decl on the left, count of values) for `decl`'s declaring statement."""
    left = decl.parent
    if left is None:
        return None
    if left.type == "expression_list" and left.parent is not None and left.parent.type == "short_var_declaration":
        stmt = left.parent
        idx = left.named_children.index(decl) if decl in left.named_children else -1
        right = stmt.child_by_field_name("right")
        if right is None or idx < 0:
            return None
        vals = right.named_children
        if len(vals) == len(left.named_children):
            return vals[idx], 0, 1
        if len(vals) == 1:
            return vals[0], idx, len(left.named_children)
        return None
    if left.type == "var_spec":
        names = left.children_by_field_name("name")
        value = left.child_by_field_name("value")
        if value is None or decl not in names:
            return None
        idx = names.index(decl)
        vals = value.named_children
        if len(vals) == len(names):
            return vals[idx], 0, 1
        if len(vals) == 1:
            return vals[0], idx, len(names)
    return None


def origin(ctx: FileContext, use: Node, depth: int = 0, helpers: Helpers | None = None) -> Origin | None:
    """Where the value of the variable `use` comes from, when it is a large buffer."""
    if depth > MAX_DEPTH:
        return None
    decl = declaration_of(ctx.source, use)
    if decl is None or enclosing_function(decl) is None:
        return None
    if decl.parent is not None and decl.parent.type in ("parameter_declaration", "variadic_parameter_declaration"):
        return None
    if (
        decl.parent is not None
        and decl.parent.type == "expression_list"
        and decl.parent.parent is not None
        and decl.parent.parent.type == "range_clause"
    ):
        rc = decl.parent.parent
        left = rc.child_by_field_name("left")
        right = rc.child_by_field_name("right")
        if right is None or left is None or left.named_children.index(decl) != 1:
            return None
        o = expr_origin(ctx, right, 0, depth + 1, helpers)
        if o is None or not o.pieces or assigned_elsewhere(ctx, decl):
            return None
        return Origin(o.kind, o.what, o.node)
    if decl.parent is not None and decl.parent.type == "var_spec" and decl.parent.child_by_field_name("value") is None:
        # var buf [1 << 20]byte: slicing a large array shares it.
        typ = decl.parent.child_by_field_name("type")
        if typ is not None and typ.type == "array_type":
            elem = typ.child_by_field_name("element")
            length = typ.child_by_field_name("length")
            size = const_int(ctx, length) if length is not None else None
            if elem is not None and ctx.text(elem) in ("byte", "uint8") and size is not None and size >= LARGE:
                return Origin("bytes", f"var {ctx.text(decl)} {ctx.text(typ)}", decl.parent)
        return None
    got = value_of(decl)
    if got is None or assigned_elsewhere(ctx, decl):
        return None
    value, index, _ = got
    return expr_origin(ctx, value, index, depth + 1, helpers)


def expr_origin(
    ctx: FileContext, value: Node, index: int = 0, depth: int = 0, helpers: Helpers | None = None
) -> Origin | None:
    """The large buffer an expression's value (its result `index`) shares memory with."""
    if depth > MAX_DEPTH:
        return None
    value = unparen(value)
    t = value.type
    if t == "identifier" and index == 0:
        return origin(ctx, value, depth + 1, helpers)
    if t == "slice_expression" and index == 0:
        op = value.child_by_field_name("operand")
        o = expr_origin(ctx, op, 0, depth + 1, helpers) if op is not None else None
        return o if o is not None and not o.pieces else None
    if t == "type_conversion_expression" and index == 0:
        typ = value.child_by_field_name("type")
        operand = value.child_by_field_name("operand")
        if typ is None or operand is None or not byte_slice_type(ctx, typ):
            return None
        o = expr_origin(ctx, operand, 0, depth + 1, helpers)
        if o is not None and not o.pieces and o.kind == "string":
            # []byte(s) copies s: the copy is itself a large buffer.
            return Origin("bytes", ctx.text(value), value)
        return None
    if t != "call_expression":
        return None
    fn = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    if fn is None or args is None:
        return None
    argv = [a for a in args.named_children if a.type != "comment"]
    target = ctx.call_target(value)
    if target is not None:
        kind = READERS.get(target)
        if kind is not None:
            return Origin(kind, f"{ctx.text(fn)}", value) if index == 0 else None
        if index == 0 and argv:
            pkg, name = target
            if name in SHARING.get(pkg, ()):
                o = expr_origin(ctx, argv[0], 0, depth + 1, helpers)
                return o if o is not None and not o.pieces else None
            if name in SPLITTERS.get(pkg, ()):
                o = expr_origin(ctx, argv[0], 0, depth + 1, helpers)
                if o is not None and not o.pieces:
                    return Origin(o.kind, o.what, o.node, pieces=True)
        return None
    if index != 0:
        return None
    if helpers is not None and fn.type == "identifier" and not is_local(ctx.source, fn):
        h = helpers(ctx.text(fn))
        if h is not None:
            if h.sized_by is None:
                return Origin(h.kind, f"{ctx.text(fn)}, which returns {h.what}", value)
            size = const_int(ctx, argv[h.sized_by]) if h.sized_by < len(argv) else None
            if size is not None and size >= LARGE:
                return Origin(h.kind, f"{ctx.text(value)}, which returns {h.what}", value)
            return None
    if is_builtin(ctx, fn, "make") and len(argv) >= 2 and byte_slice_type(ctx, argv[0]):
        sizes = [const_int(ctx, a) for a in argv[1:3]]
        if any(s is not None and s >= LARGE for s in sizes):
            return Origin("bytes", f"make({ctx.text(argv[0])}, {ctx.text(argv[1])})", value)
        return None
    if is_builtin(ctx, fn, "string") and len(argv) == 1:
        o = expr_origin(ctx, argv[0], 0, depth + 1, helpers)
        if o is not None and not o.pieces and o.kind == "bytes":
            # string(b) copies b: the string is itself a large buffer.
            return Origin("string", f"string({ctx.text(argv[0])})", value)
    return None
