"""Reading expressions off tree-sitter-go nodes into the IR of `exprs`.

`expr_of_node` turns an expression into the IR (`OPAQUE` for what it does
not understand): literals, names (local, package-level, imported),
selectors, calls and the builtins, conversions (told apart from generic
calls by what the name denotes, later), operators. The types written inside
expressions are read by `read_types`.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.model import exprs as E
from plumber.analysis.model.names import Names, named_children
from plumber.analysis.model.read_types import signature_of, type_args_of, type_name, type_of_node
from plumber.analysis.model.types import (
    UNTYPED_BOOL,
    UNTYPED_FLOAT,
    UNTYPED_INT,
    UNTYPED_NIL,
    UNTYPED_RUNE,
    UNTYPED_STRING,
    Basic,
    Named,
    Pointer,
    Type,
)

BUILTIN_FUNCS = frozenset(
    {
        "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min",
        "new", "panic", "print", "println", "real", "recover",
    }
)  # fmt: skip
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "&&", "||"})


_LITERALS = {
    "int_literal": UNTYPED_INT,
    "float_literal": UNTYPED_FLOAT,
    "rune_literal": UNTYPED_RUNE,
    "interpreted_string_literal": UNTYPED_STRING,
    "raw_string_literal": UNTYPED_STRING,
    "true": UNTYPED_BOOL,
    "false": UNTYPED_BOOL,
    "nil": UNTYPED_NIL,
    "iota": UNTYPED_INT,
}


def expr_of_node(node: Node | None, names: Names) -> E.Expr:
    """The IR of an expression."""
    if node is None:
        return E.OPAQUE
    t = node.type
    lit = _LITERALS.get(t)
    if lit is not None:
        return E.Known(lit)
    if t == "imaginary_literal":
        return E.Known(Basic("untyped complex"))
    if t == "parenthesized_expression":
        inner = named_children(node)
        return expr_of_node(inner[0], names) if len(inner) == 1 else E.OPAQUE
    if t == "identifier":
        decl = names.local(node)
        if decl is not None:
            return E.Local(decl)
        name = names.text(node)
        if name in ("true", "false"):
            return E.Known(UNTYPED_BOOL)
        if name == "nil":
            return E.Known(UNTYPED_NIL)
        path = names.unqualified(name)
        return E.Global(path, name) if path is not None else E.OPAQUE
    if t == "selector_expression":
        operand = node.child_by_field_name("operand")
        name = names.text(node.child_by_field_name("field"))
        if operand is not None and operand.type == "identifier":
            path = names.package(operand)
            if path is not None:
                return E.Global(path, name)
        return E.Select(expr_of_node(operand, names), name)
    if t == "call_expression":
        return _call(node, names)
    if t == "type_conversion_expression":
        return _conversion(node, names)
    if t == "composite_literal":
        ty = type_of_node(node.child_by_field_name("type"), names)
        return E.Known(ty) if ty is not None else E.OPAQUE
    if t == "unary_expression":
        op = names.text(node.child_by_field_name("operator"))
        return E.Unary(op, expr_of_node(node.child_by_field_name("operand"), names))
    if t == "binary_expression":
        op = names.text(node.child_by_field_name("operator"))
        if op in COMPARISONS:
            return E.Known(UNTYPED_BOOL)
        left = expr_of_node(node.child_by_field_name("left"), names)
        right = expr_of_node(node.child_by_field_name("right"), names)
        return E.Binary(op, left, right)
    if t == "index_expression":
        return E.Index(expr_of_node(node.child_by_field_name("operand"), names))
    if t == "slice_expression":
        return E.SliceOf(expr_of_node(node.child_by_field_name("operand"), names))
    if t == "type_assertion_expression":
        ty = type_of_node(node.child_by_field_name("type"), names)
        return E.Assert(ty) if ty is not None else E.OPAQUE
    if t == "func_literal":
        sig = signature_of(node, names)
        return E.FuncLit(sig) if sig is not None else E.OPAQUE
    return E.OPAQUE


def _args(node: Node | None, names: Names) -> tuple[E.Expr, ...]:
    return tuple(expr_of_node(a, names) for a in named_children(node)) if node is not None else ()


def _call(node: Node, names: Names) -> E.Expr:
    fn = node.child_by_field_name("function")
    args_node = node.child_by_field_name("arguments")
    type_args: tuple[Type, ...] = ()
    targs_node = node.child_by_field_name("type_arguments")
    if targs_node is not None:
        got = type_args_of(targs_node, names)
        if got is None:
            return E.OPAQUE
        type_args = got
    if fn is not None and fn.type == "identifier" and names.local(fn) is None:
        name = names.text(fn)
        if name in BUILTIN_FUNCS:
            return _builtin(name, args_node, names)
    if fn is not None and fn.type in ("parenthesized_expression",):
        inner = named_children(fn)
        if (
            len(inner) == 1
            and inner[0].type == "unary_expression"
            and names.text(inner[0].child_by_field_name("operator")) == "*"
        ):
            # (*T)(x): a conversion to a pointer type
            operand = inner[0].child_by_field_name("operand")
            target = _type_from_expr(operand, names)
            return E.Known(Pointer(target)) if target is not None else E.OPAQUE
    return E.Call(expr_of_node(fn, names), type_args, _args(args_node, names))


def _builtin(name: str, args_node: Node | None, names: Names) -> E.Expr:
    args = named_children(args_node) if args_node is not None else []
    if name in ("make", "new"):
        if name == "new" and args and _names_a_local(args[0], names):
            return E.OPAQUE  # new(expr) (Go 1.26), parsed as a type: `new(*p)` where p is a variable
        ty = type_of_node(args[0], names) if args else None
        return E.Builtin(name, ty)
    return E.Builtin(name, None, tuple(expr_of_node(a, names) for a in args))


def _names_a_local(node: Node, names: Names) -> bool:
    """Whether a type expression's unqualified names include a local variable (it is then an expression)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in ("type_identifier", "identifier") and (n.parent is None or n.parent.type != "qualified_type"):
            if names.local(n) is not None:
                return True
        stack.extend(n.named_children)
    return False


def _type_from_expr(node: Node | None, names: Names) -> Type | None:
    """A type written in expression position (`T`, `pkg.T`) as a conversion's target."""
    if node is None:
        return None
    if node.type == "identifier":
        return type_name(names.text(node), names)
    if node.type == "selector_expression":
        operand = node.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier":
            path = names.package(operand)
            if path is not None:
                return Named(path, names.text(node.child_by_field_name("field")))
    return type_of_node(node, names)


def _conversion(node: Node, names: Names) -> E.Expr:
    """`T(x)` parsed as a conversion: a real one for composite types, else `F[T](x)` may be a call."""
    return _convert(node.child_by_field_name("type"), node, names)


def _convert(tnode: Node | None, node: Node, names: Names) -> E.Expr:
    if tnode is not None and tnode.type == "pointer_type":
        # `*T(x)` is `*(T(x))` (the spec: a conversion to *T is written `(*T)(x)`)
        inner = named_children(tnode)
        return E.Unary("*", _convert(inner[0], node, names)) if len(inner) == 1 else E.OPAQUE
    if tnode is not None and tnode.type in ("generic_type", "type_identifier", "qualified_type"):
        ty = type_of_node(tnode, names)
        if isinstance(ty, Named):
            # a generic function instantiated and called, or a conversion to a (generic) type:
            # the evaluator tells them apart by what the name denotes
            ref = E.Global(ty.path, ty.name)
            return E.Call(ref, ty.args, (expr_of_node(node.child_by_field_name("operand"), names),))
        return E.Known(ty) if ty is not None else E.OPAQUE
    ty = type_of_node(tnode, names)
    return E.Known(ty) if ty is not None else E.OPAQUE
