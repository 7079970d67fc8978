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

from plumber.context import FileContext
from plumber.scope import declaration_of, enclosing_function, find_uses, declaring_scope


class Use(enum.Enum):
    LOCAL = "local"  # read, compared, a method called on it: still ours
    CLOSE = "close"  # the release itself (x.Close(), cancel(), C.free(x))
    ESCAPE = "escape"  # handed to someone else


# Functions known to read from (or write to) a value and leave it with the caller.
KEEPERS: dict[str, frozenset[str]] = {
    "io": frozenset({"ReadAll", "Copy", "CopyN", "CopyBuffer", "ReadFull", "ReadAtLeast", "WriteString",
                     "LimitReader", "TeeReader", "MultiReader", "MultiWriter", "NewSectionReader"}),
    "io/ioutil": frozenset({"ReadAll"}),
    "encoding/json": frozenset({"NewDecoder", "NewEncoder"}),
    "encoding/xml": frozenset({"NewDecoder", "NewEncoder"}),
    "encoding/gob": frozenset({"NewDecoder", "NewEncoder"}),
    "encoding/csv": frozenset({"NewReader", "NewWriter"}),
    "bufio": frozenset({"NewReader", "NewReaderSize", "NewScanner", "NewWriter", "NewWriterSize"}),
    "fmt": frozenset({"Fprint", "Fprintf", "Fprintln", "Fscan", "Fscanf", "Fscanln",
                      "Print", "Printf", "Println", "Sprint", "Sprintf", "Sprintln", "Errorf"}),
    "log": frozenset({"Print", "Printf", "Println", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf"}),
    "errors": frozenset({"Is", "As"}),
    "reflect": frozenset({"TypeOf", "ValueOf", "DeepEqual"}),
}
# Builtins that look at a value without keeping it.
LOCAL_BUILTINS = frozenset({"len", "cap", "print", "println"})
# Parents in which a value is only looked at.
LOCAL_PARENTS = frozenset({"binary_expression", "index_expression", "slice_expression", "if_statement",
                           "expression_switch_statement", "inc_statement", "dec_statement", "range_clause"})


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


def _up(node: Node) -> Node:
    """Skip parentheses around a value."""
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _call_of_argument(node: Node) -> Node | None:
    p = node.parent
    if p is not None and p.type == "argument_list" and p.parent is not None and p.parent.type == "call_expression":
        return p.parent
    return None


def _is_keeper_call(ctx: FileContext, call: Node) -> bool:
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "identifier" and ctx.text(fn) in LOCAL_BUILTINS:
        return True
    target = ctx.call_target(call)
    return target is not None and target[1] in KEEPERS.get(target[0], ())


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
    value = _up(use)
    parent = value.parent
    if parent is None:
        return Use.ESCAPE
    # resp.Body: follow the field that holds the resource; other fields are plain data.
    if res.field is not None:
        if parent.type != "selector_expression" or parent.child_by_field_name("operand") != value:
            return _classify_value(ctx, value, res, whole=True)
        field = parent.child_by_field_name("field")
        if field is None or ctx.text(field) != res.field:
            # resp.StatusCode, resp.Header.Get(...): reads, unless resp.Write-like calls take the body.
            return Use.LOCAL
        value = _up(parent)
    return _classify_value(ctx, value, res, whole=False)


def _classify_value(ctx: FileContext, value: Node, res: Resource, whole: bool) -> Use:
    parent = value.parent
    if parent is None:
        return Use.ESCAPE
    t = parent.type
    if t == "selector_expression" and parent.child_by_field_name("operand") == value:
        field = parent.child_by_field_name("field")
        name = ctx.text(field) if field is not None else ""
        if name in res.closers and not whole:
            return Use.CLOSE  # x.Close() or the method value x.Close handed to a cleanup
        return Use.LOCAL
    if t == "call_expression" and parent.child_by_field_name("function") == value:
        return Use.CLOSE if res.called and not whole else Use.LOCAL
    call = _call_of_argument(value)
    if call is not None:
        if _is_free_call(ctx, call, res) and not whole:
            return Use.CLOSE
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and ctx.text(fn) == "append":
            return _classify_append(ctx, call, res)
        if _is_keeper_call(ctx, call) or _is_borrowing_call(ctx, call, res):
            return Use.LOCAL
        # A conversion wrapping the value inside a free call: C.free(unsafe.Pointer(p)).
        outer = _call_of_argument(_up(call))
        if outer is not None and _is_free_call(ctx, outer, res) and _is_conversion(ctx, call) and not whole:
            return Use.CLOSE
        if outer is not None and _is_borrowing_call(ctx, outer, res) and _is_conversion(ctx, call):
            return Use.LOCAL
        return Use.ESCAPE
    if t in LOCAL_PARENTS:
        return Use.LOCAL
    if t == "unary_expression":
        op = parent.child_by_field_name("operator")
        return Use.ESCAPE if op is not None and ctx.text(op) == "&" else Use.LOCAL
    if t == "expression_list":
        holder = parent.parent
        if holder is not None and holder.type in ("assignment_statement", "short_var_declaration"):
            left = holder.child_by_field_name("left")
            right = holder.child_by_field_name("right")
            if left == parent and holder.type == "assignment_statement":
                return Use.LOCAL  # `x, err = ...`: the variable is overwritten, not read
            if right == parent and left is not None:
                idx = right.named_children.index(value) if value in right.named_children else -1
                targets = left.named_children
                if 0 <= idx < len(targets) and len(targets) == len(right.named_children):
                    tgt = targets[idx]
                    if tgt.type == "identifier" and ctx.text(tgt) == "_":
                        return Use.LOCAL
        return Use.ESCAPE
    if t in ("assignment_statement",):
        left = parent.child_by_field_name("left")
        if left == value:
            return Use.LOCAL  # the variable is being assigned, not read
        return Use.ESCAPE
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
    stmt = _up(call).parent
    if stmt is None or stmt.type != "expression_list":
        return Use.ESCAPE
    assign = stmt.parent
    if assign is None or assign.type != "assignment_statement":
        return Use.ESCAPE
    left = assign.child_by_field_name("left")
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
        p = _up(u).parent
        if p is not None and p.type == "argument_list":
            c = p.parent
            f = c.child_by_field_name("function") if c is not None else None
            if f is not None and f.type == "identifier" and ctx.text(f) in ("append", "len", "cap"):
                continue
        if p is not None and p.type == "expression_list" and p.parent is not None \
                and p.parent.type == "assignment_statement" and p.parent.child_by_field_name("left") == p:
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
