"""a small slice of a large string or byte slice is kept: the whole buffer stays in memory

A slice expression `s[i:j]` shares the backing array of `s`. When `s` is a
large buffer (a file read with `os.ReadFile`, a body read with `io.ReadAll`,
a `make([]byte, 1<<20)` filled by a read) and only a few bytes of it are
kept beyond the function, the whole buffer stays reachable as long as the
small slice does: a 5-byte header pins a 10 MB file.

Flags `s[i:j]` (also `s[:j]` and `s[i:j:k]`; a tail `s[i:]` keeps most of
the buffer anyway and is not flagged) where `s` comes from `os.ReadFile`,
`ioutil.ReadFile`, `io.ReadAll`, `ioutil.ReadAll`, `make([]byte, N)` with a
constant `N` of at least 4 KiB (or a local `var buf [N]byte` array), `string(...)` of one of those, a trimmed or
resliced copy of one, or an element of `strings.Split/Fields` (`bytes.Split/
Fields`) of one, and the slice is kept beyond the function: returned (also
through a local variable or a named result), assigned or appended to a
package-level variable, stored in a package-level map, in a field, or in a
composite literal that is itself kept.

Not flagged: slices used within the function, slices converted with
`string(b[i:j])` or copied (`copy(dst, s[i:j])`, `append([]byte(nil),
s[i:j]...)`, `strings.Clone`, `bytes.Clone`), buffers of unknown size
(parameters, `make([]byte, n)`).

Fix: copy the slice so that the buffer can be collected:
`strings.Clone(s[i:j])` for a string; `bytes.Clone(s[i:j])` for a byte slice
where go.mod says `go 1.20` or later, else `append([]byte(nil), s[i:j]...)`.
The import is added when missing. No fix where the kind of `s` cannot be told.

```go
func header() []byte {
	data, _ := os.ReadFile("large.dat") // 10 MB
	return data[:5] // want: data[:5] keeps the whole buffer alive
}
// fixed:
	return bytes.Clone(data[:5])
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from tree_sitter import Node

from plumber.check import Check, Edit, Finding, Fix, Severity, finding, related
from plumber.context import FileContext
from plumber.edits import add_import, import_name
from plumber.scope import declaration_of, declaring_scope, enclosing_function, find_uses

CODE = "substring-retention"
QUERY = "(slice_expression operand: (identifier) @s) @slice"
LARGE = 4096  # bytes: a make([]byte, N) at least this large is a large buffer
_DEPTH = 10

# (import path, name) -> kind of result 0
READERS = {("os", "ReadFile"): "bytes", ("io/ioutil", "ReadFile"): "bytes",
           ("io", "ReadAll"): "bytes", ("io/ioutil", "ReadAll"): "bytes"}
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
_PREFILTER = (b"ReadFile", b"ReadAll", b"make([]byte", b"make([]uint8")


@dataclass(frozen=True)
class Origin:
    kind: str | None  # "string", "bytes", or None when unknown
    what: str  # "os.ReadFile", "make([]byte, 1<<20)"
    node: Node  # where the large buffer is made
    pieces: bool = False  # a []string / [][]byte of pieces of the buffer


def _up(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _down(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def const_int(ctx: FileContext, node: Node) -> int | None:
    """The value of an integer constant expression made of literals, or None."""
    node = _down(node)
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


def _is_builtin(ctx: FileContext, fn: Node, name: str) -> bool:
    return fn.type == "identifier" and ctx.text(fn) == name and declaration_of(ctx.source, fn) is None


def _byte_slice_type(ctx: FileContext, node: Node) -> bool:
    return node.type == "slice_type" and ctx.text(node).replace(" ", "") in ("[]byte", "[]uint8")


def _assigned_elsewhere(ctx: FileContext, decl: Node, allow_self_reslice: bool = True) -> bool:
    """Whether the variable declared at `decl` is assigned anywhere but its declaration."""
    name = ctx.text(decl)
    for u in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl):
        v = _up(u)
        p = v.parent
        if p is not None and p.type == "expression_list" and p.parent is not None \
                and p.parent.type in ("assignment_statement", "range_clause") \
                and p.parent.child_by_field_name("left") == p:
            stmt = p.parent
            if stmt.type == "range_clause":
                return True
            right = stmt.child_by_field_name("right")
            vals = right.named_children if right is not None else []
            if allow_self_reslice and len(vals) == 1 and len(p.named_children) == 1:
                val = _down(vals[0])
                if val.type == "slice_expression":
                    op = val.child_by_field_name("operand")
                    if op is not None and ctx.text(op) == name:
                        continue  # s = s[:n]: still the same buffer
            return True
        if p is not None and p.type == "unary_expression" and ctx.text(p).startswith("&"):
            return True
    return False


def _value_of(decl: Node) -> tuple[Node, int, int] | None:
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


def origin(ctx: FileContext, use: Node, depth: int = 0) -> Origin | None:
    """Where the value of the variable `use` comes from, when it is a large buffer."""
    if depth > _DEPTH:
        return None
    decl = declaration_of(ctx.source, use)
    if decl is None or enclosing_function(decl) is None:
        return None
    if decl.parent is not None and decl.parent.type in ("parameter_declaration", "variadic_parameter_declaration"):
        return None
    if decl.parent is not None and decl.parent.type == "expression_list" and decl.parent.parent is not None \
            and decl.parent.parent.type == "range_clause":
        rc = decl.parent.parent
        left = rc.child_by_field_name("left")
        right = rc.child_by_field_name("right")
        if right is None or left is None or left.named_children.index(decl) != 1:
            return None
        o = expr_origin(ctx, right, 0, depth + 1)
        if o is None or not o.pieces or _assigned_elsewhere(ctx, decl):
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
    got = _value_of(decl)
    if got is None or _assigned_elsewhere(ctx, decl):
        return None
    value, index, _ = got
    return expr_origin(ctx, value, index, depth + 1)


def expr_origin(ctx: FileContext, value: Node, index: int = 0, depth: int = 0) -> Origin | None:
    """The large buffer an expression's value (its result `index`) shares memory with."""
    if depth > _DEPTH:
        return None
    value = _down(value)
    t = value.type
    if t == "identifier" and index == 0:
        return origin(ctx, value, depth + 1)
    if t == "slice_expression" and index == 0:
        op = value.child_by_field_name("operand")
        o = expr_origin(ctx, op, 0, depth + 1) if op is not None else None
        return o if o is not None and not o.pieces else None
    if t == "type_conversion_expression" and index == 0:
        typ = value.child_by_field_name("type")
        operand = value.child_by_field_name("operand")
        if typ is None or operand is None or not _byte_slice_type(ctx, typ):
            return None
        o = expr_origin(ctx, operand, 0, depth + 1)
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
                o = expr_origin(ctx, argv[0], 0, depth + 1)
                return o if o is not None and not o.pieces else None
            if name in SPLITTERS.get(pkg, ()):
                o = expr_origin(ctx, argv[0], 0, depth + 1)
                if o is not None and not o.pieces:
                    return Origin(o.kind, o.what, o.node, pieces=True)
        return None
    if index != 0:
        return None
    if _is_builtin(ctx, fn, "make") and len(argv) >= 2 and _byte_slice_type(ctx, argv[0]):
        sizes = [const_int(ctx, a) for a in argv[1:3]]
        if any(s is not None and s >= LARGE for s in sizes):
            return Origin("bytes", f"make({ctx.text(argv[0])}, {ctx.text(argv[1])})", value)
        return None
    if _is_builtin(ctx, fn, "string") and len(argv) == 1:
        o = expr_origin(ctx, argv[0], 0, depth + 1)
        if o is not None and not o.pieces and o.kind == "bytes":
            # string(b) copies b: the string is itself a large buffer.
            return Origin("string", f"string({ctx.text(argv[0])})", value)
    return None


# -- is the slice kept beyond the function? ---------------------------------

def _is_package_level(ctx: FileContext, ident: Node) -> bool:
    return ident.type == "identifier" and ctx.text(ident) != "_" and declaration_of(ctx.source, ident) is None


def _is_result_param(decl: Node) -> bool:
    p = decl.parent
    if p is None or p.type != "parameter_declaration" or p.parent is None:
        return False
    fn = p.parent.parent
    return fn is not None and fn.type in ("function_declaration", "method_declaration", "func_literal") \
        and fn.child_by_field_name("result") == p.parent


def kept(ctx: FileContext, node: Node, depth: int = 0) -> str | None:
    """How the value of `node` outlives the function, or None when it does not (or we cannot tell)."""
    if depth > _DEPTH:
        return None
    v = _up(node)
    p = v.parent
    if p is None:
        return None
    if p.type == "return_statement" or (p.type == "expression_list" and p.parent is not None
                                        and p.parent.type == "return_statement"):
        return "returned"
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement":
        stmt = p.parent
        op = stmt.child_by_field_name("operator")
        left = stmt.child_by_field_name("left")
        if op is None or ctx.text(op) != "=" or left is None or stmt.child_by_field_name("right") != p:
            return None
        if len(left.named_children) != len(p.named_children):
            return None
        target = left.named_children[p.named_children.index(v)]
        return _kept_in(ctx, target, depth)
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "short_var_declaration":
        stmt = p.parent
        left = stmt.child_by_field_name("left")
        if left is None or len(left.named_children) != len(p.named_children):
            return None
        target = left.named_children[p.named_children.index(v)]
        if target.type != "identifier" or ctx.text(target) == "_":
            return None
        if _assigned_elsewhere(ctx, target, allow_self_reslice=False):
            return None
        return _kept_through_local(ctx, target, target, depth)
    if p.type == "argument_list":
        call = p.parent
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and _is_builtin(ctx, fn, "append") and p.named_children.index(v) > 0:
            return kept(ctx, call, depth + 1)
        return None
    if p.type in ("literal_element", "keyed_element"):
        n = p
        while n is not None and n.type in ("literal_element", "keyed_element", "literal_value"):
            n = n.parent
        if n is not None and n.type == "composite_literal":
            if n.parent is not None and n.parent.type == "unary_expression" and ctx.text(n.parent).startswith("&"):
                n = n.parent
            how = kept(ctx, n, depth + 1)
            return f"stored in a composite literal that is {how}" if how else None
    return None


def _kept_in(ctx: FileContext, target: Node, depth: int) -> str | None:
    """How a value assigned to `target` outlives the function."""
    target = _down(target)
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
        operand = _down(operand)
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
        root = _down(root.child_by_field_name("operand") or root)
        if root is None:
            return how
    if root.type != "identifier":
        return how
    decl = declaration_of(ctx.source, root)
    if decl is None or decl.parent is None or enclosing_function(decl) != enclosing_function(sel) \
            or decl.parent.type in ("parameter_declaration", "variadic_parameter_declaration"):
        return how  # a parameter, receiver, captured or package-level value: it outlives the call
    through = _kept_through_local(ctx, decl, root, depth)
    return f"{how}, and {ctx.text(decl)} is {through}" if through else None


def _kept_through_local(ctx: FileContext, decl: Node, skip: Node, depth: int) -> str | None:
    """A local variable holding the slice: kept when one of its uses is kept."""
    for u in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl):
        if u == skip:
            continue
        v = _up(u)
        p = v.parent
        if p is not None and p.type == "expression_list" and p.parent is not None \
                and p.parent.type == "assignment_statement" and p.parent.child_by_field_name("left") == p:
            continue  # out = append(out, ...): the variable assigned, not read
        how = kept(ctx, u, depth + 1)
        if how is not None:
            return f"{how} (through {ctx.text(decl)})" if "through" not in how else how
    return None


# -- the check ---------------------------------------------------------------

def _small(ctx: FileContext, sl: Node, name: str) -> bool:
    """A slice with an upper bound that is not `len(s)-k`: a piece, not most of the buffer."""
    end = sl.child_by_field_name("end")
    if end is None:
        return False
    text = ctx.text(end).replace(" ", "")
    return not text.startswith(f"len({name})")


def fix_for(ctx: FileContext, sl: Node, kind: str | None) -> Fix | None:
    text = ctx.text(sl)
    if kind is None:
        return None
    if kind == "string":
        pkg, path, fn = "strings", "strings", "Clone"
    elif ctx.go_at_least(1, 20):
        pkg, path, fn = "bytes", "bytes", "Clone"
    else:
        return Fix(f"Copy the slice: append([]byte(nil), {text}...)",
                   _wrap(sl, "append([]byte(nil), ", "...)"))
    name = import_name(ctx, path)
    edits = []
    if name is None:
        if ctx.imports.path_of(pkg) is not None or declaration_of(ctx.source, sl, pkg) is not None \
                or _declared_at_top(ctx, pkg):
            return None  # the name is taken: the import could not be added as is
        imp = add_import(ctx, path)
        if imp is None:
            return None
        edits.append(imp)
        name = pkg
    elif declaration_of(ctx.source, sl, name) is not None:
        return None  # shadowed here
    edits.extend(_wrap(sl, f"{name}.{fn}(", ")"))
    return Fix(f"Copy the slice with {name}.{fn}", tuple(edits))


def _declared_at_top(ctx: FileContext, name: str) -> bool:
    for c in ctx.root.children:
        if c.type in ("var_declaration", "const_declaration", "function_declaration", "type_declaration"):
            for ident in ctx.captures("[(identifier) (type_identifier)] @n", c).get("n", []):
                if ctx.text(ident) == name and ident.parent is not None and \
                        ident.parent.type in ("var_spec", "const_spec", "function_declaration", "type_spec"):
                    return True
    return False


def _wrap(node: Node, before: str, after: str) -> tuple[Edit, Edit]:
    """Two insertions around `node`: the smallest edit, and it keeps any comment inside intact."""
    return Edit(node.start_byte, node.start_byte, before), Edit(node.end_byte, node.end_byte, after)


def run(ctx: FileContext) -> Iterator[Finding]:
    if not any(p in ctx.source for p in _PREFILTER):
        return
    for m in ctx.matches(QUERY):
        sl, s = m["slice"][0], m["s"][0]
        name = ctx.text(s)
        if not _small(ctx, sl, name):
            continue
        o = origin(ctx, s)
        if o is None:
            continue
        how = kept(ctx, sl)
        if how is None:
            continue
        fix = fix_for(ctx, sl, o.kind)
        what = {"string": "string", "bytes": "byte slice"}.get(o.kind or "", "buffer")
        yield finding(CODE, sl,
                      f"{ctx.text(sl)} is {how} but shares the backing array of {name} (from {o.what}): "
                      f"the whole {what} stays in memory as long as the slice does; copy it",
                      fixes=[fix] if fix else [],
                      related=[related(o.node, f"the large {what} is made here")])


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run,
              scope="file")  # the fix reads top-level names, other functions included
