"""runtime.SetFinalizer on a type that can form a reference cycle: the cycle is never collected

The garbage collector cannot collect a cycle of objects when one of them
has a finalizer: the finalizer could resurrect the others, so the runtime
keeps the whole cycle, and the finalizer never runs ("If a cyclic structure
includes a block with a finalizer, that cycle is not guaranteed to be
garbage collected", runtime.SetFinalizer). Two objects that both have
finalizers and point at each other leak together (seed 000).

Flags `runtime.SetFinalizer(x, f)` when the struct type of `x` (told by the
finalizer's parameter `func(x *T)`, a method expression `(*T).close`, or
`x` itself: `&T{...}`, `new(T)`, a variable or parameter of type `*T`)
can reach itself through pointer, slice, map or channel fields of types
declared in the package (in any of its files), and, with a second message,
when two types that both get finalizers point at each other.

Not flagged: test files; types whose fields lead only to other packages' types,
interfaces or functions (nothing can be told from syntax there), and calls
where the type cannot be told.

No automatic fix. Since Go 1.24, `runtime.AddCleanup(x, f, arg)` does not
keep `x` reachable and tolerates cycles; otherwise break the cycle (a weak
pointer, an index instead of a pointer, or clearing the back reference).

```go
type Node struct {
    next *Node
}

func newNode() *Node {
    n := &Node{}
    runtime.SetFinalizer(n, func(n *Node) { release(n) }) // want: Node can reach itself
    return n
}
```
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaration_of
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Related, Severity, finding

CODE = "finalizer-cycle"
TYPES = "(source_file (type_declaration (type_spec name: (type_identifier) @name type: (_) @type)))"
CALLS = (
    '(call_expression function: (selector_expression field: (field_identifier) @f (#eq? @f "SetFinalizer")) '
    "arguments: (argument_list . (_) @obj . (_) @fin .)) @call"
)
_INDIRECT = frozenset({"pointer_type", "slice_type", "map_type", "channel_type", "generic_type"})
_OPAQUE = frozenset({"qualified_type", "function_type", "interface_type"})


@dataclass(frozen=True)
class TypeInfo:
    start: int
    end: int
    struct: bool
    edges: tuple  # (field name, target type name, through a pointer/slice/map/chan)


@dataclass(frozen=True)
class Summary:
    types: dict  # name -> TypeInfo
    finalized: tuple  # (type name, start, end) of SetFinalizer calls


_TYPE_KINDS = frozenset(
    {
        "type_identifier",
        "pointer_type",
        "slice_type",
        "array_type",
        "map_type",
        "channel_type",
        "struct_type",
        "generic_type",
        "type_arguments",
        "parenthesized_type",
        "type_elem",
    }
)


def _refs(ctx: FileContext, typ: Node, indirect: bool = False) -> Iterator[tuple[str, bool]]:
    """Named types of this package referenced by a type expression, and whether through indirection.

    Iterative, in document order: a type nested thousands deep neither recurses nor rescans."""
    stack = [(typ, indirect)]
    while stack:
        node, ind = stack.pop()
        t = node.type
        if t == "type_identifier":
            yield ctx.text(node), ind
            continue
        if t in _OPAQUE:
            continue
        if t == "struct_type":  # the struct's own fields (a nested struct's are its own)
            kids = [
                (ft, ind)
                for lst in node.named_children
                if lst.type == "field_declaration_list"
                for f in lst.named_children
                if f.type == "field_declaration" and (ft := f.child_by_field_name("type")) is not None
            ]
        else:
            inner = ind or t in _INDIRECT
            kids = [(c, inner) for c in node.named_children if c.type in _TYPE_KINDS]
        stack.extend(reversed(kids))


def _edges(ctx: FileContext, typ: Node) -> tuple:
    out = []
    if typ.type == "struct_type":
        lst = next((c for c in typ.named_children if c.type == "field_declaration_list"), None)
        for f in lst.named_children if lst is not None else []:
            if f.type != "field_declaration":
                continue
            ft = f.child_by_field_name("type")
            if ft is None:
                continue
            names = f.children_by_field_name("name")
            label = ctx.text(names[0]) if names else ctx.text(ft).lstrip("*")
            for target, ind in _refs(ctx, ft):
                out.append((label, target, ind))
    else:
        for target, ind in _refs(ctx, typ):
            out.append(("", target, ind))
    return tuple(dict.fromkeys(out))


def _finalizer_type(ctx: FileContext, obj: Node, fin: Node) -> str | None:
    """The name T of the finalized value's type *T."""
    if fin.type == "func_literal":
        params = fin.child_by_field_name("parameters")
        decls = [p for p in params.named_children if p.type == "parameter_declaration"] if params else []
        if len(decls) == 1:
            return _pointee(ctx, decls[0].child_by_field_name("type"))
    if fin.type == "selector_expression":  # (*T).close
        operand = fin.child_by_field_name("operand")
        while operand is not None and operand.type == "parenthesized_expression" and operand.named_child_count:
            operand = operand.named_children[0]
        if operand is not None and operand.type in ("pointer_type", "unary_expression"):
            inner = operand.named_children[-1] if operand.named_children else None
            if inner is not None and inner.type in ("type_identifier", "identifier"):
                return ctx.text(inner)
    return _value_type(ctx, obj)


def _pointee(ctx: FileContext, typ: Node | None) -> str | None:
    if typ is not None and typ.type == "pointer_type" and typ.named_child_count == 1:
        inner = typ.named_children[0]
        if inner.type == "type_identifier":
            return ctx.text(inner)
    return None


def _value_type(ctx: FileContext, obj: Node) -> str | None:
    if obj.type == "unary_expression" and ctx.text(obj).startswith("&"):
        operand = obj.child_by_field_name("operand")
        if operand is not None and operand.type == "composite_literal":
            t = operand.child_by_field_name("type")
            return ctx.text(t) if t is not None and t.type == "type_identifier" else None
        return None
    if obj.type == "call_expression" and ctx.text(obj.child_by_field_name("function") or obj) == "new":
        args = obj.child_by_field_name("arguments")
        if args is not None and args.named_child_count == 1 and args.named_children[0].type == "type_identifier":
            return ctx.text(args.named_children[0])
        return None
    if obj.type != "identifier":
        return None
    decl = declaration_of(ctx.source, obj)
    if decl is None or decl.parent is None:
        return None
    p = decl.parent
    if p.type == "parameter_declaration":
        return _pointee(ctx, p.child_by_field_name("type"))
    if p.type == "var_spec":
        declared = _pointee(ctx, p.child_by_field_name("type"))
        if declared is not None:
            return declared
        value = p.child_by_field_name("value")
        names = p.children_by_field_name("name")
        if value is not None and len(value.named_children) == len(names):
            return _value_type(ctx, value.named_children[names.index(decl)])
        return None
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "short_var_declaration":
        right = p.parent.child_by_field_name("right")
        if right is not None and len(right.named_children) == len(p.named_children):
            v = right.named_children[p.named_children.index(decl)]
            if v.type != "identifier":
                return _value_type(ctx, v)
    return None


def _finalizer_calls(ctx: FileContext) -> Iterator[tuple[Node, str]]:
    if b"SetFinalizer" not in ctx.source:
        return
    for m in ctx.matches(CALLS):
        call = m["call"][0]
        if not ctx.is_call_to(call, "runtime", ("SetFinalizer",)) or ctx.text(m["fin"][0]) == "nil":
            continue  # SetFinalizer(x, nil) removes the finalizer
        t = _finalizer_type(ctx, m["obj"][0], m["fin"][0])
        if t is not None:
            yield call, t


def summarize(ctx: FileContext) -> Summary:
    types = {}
    for m in ctx.matches(TYPES):
        name, typ = m["name"][0], m["type"][0]
        if typ.type in _OPAQUE:
            continue
        types[ctx.text(name)] = TypeInfo(name.start_byte, name.end_byte, typ.type == "struct_type", _edges(ctx, typ))
    finalized = tuple((t, call.start_byte, call.end_byte) for call, t in _finalizer_calls(ctx))
    return Summary(types, finalized)


def _cycle(types: dict, start: str) -> list[tuple[str, str]] | None:
    """The shortest path of (type, field) from `start` back to `start`, through at least one indirection."""
    queue: deque[tuple[str, list[tuple[str, str]], bool]] = deque([(start, [], False)])
    seen = set()
    while queue:
        name, path, ind = queue.popleft()
        info = types.get(name)
        if info is None:
            continue
        for field, target, through in info.edges:
            step = path + [(name, field)]
            if target == start and (ind or through):
                return step
            key = (target, ind or through)
            if key in seen or target not in types:
                continue
            seen.add(key)
            queue.append((target, step, ind or through))
    return None


def run(ctx: FileContext) -> Iterator[Finding]:
    if ctx.is_test_file:
        return  # tests make short-lived objects on purpose
    calls = list(_finalizer_calls(ctx))
    if not calls:
        return
    types: dict[str, tuple[str | None, TypeInfo]] = {}
    finalized: dict[str, tuple[str | None, int, int]] = {}
    summaries: dict[str | None, Summary | None] = {}
    if ctx.package is not None:
        summaries.update(ctx.package.summaries(CHECK))
    own = ctx.package.path if ctx.package is not None else None
    if own is None or own not in summaries:  # no package view, or a test file (not in the package's summaries)
        summaries[own] = summarize(ctx)
    for path, s in summaries.items():
        if s is None:
            continue
        where_declared = None if path == own else path
        for name, info in s.types.items():
            types.setdefault(name, (where_declared, info))
        for name, start, end in s.finalized:
            finalized.setdefault(name, (where_declared, start, end))
    plain = {n: i for n, (_, i) in types.items()}
    for call, t in calls:
        where = types.get(t)
        if where is None or not where[1].struct:
            continue
        cycle = _cycle(plain, t)
        if cycle is None:
            continue
        hops = " -> ".join(f"{n}.{f}" if f else n for n, f in cycle) + f" -> {t}"
        rel = [Related(where[1].start, where[1].end, f"{t} is declared here", where[0])]
        partner = next((n for n, _ in cycle[1:] if n != t and n in finalized), None)
        if partner is not None:
            ppath, pstart, pend = finalized[partner]
            rel.append(Related(pstart, pend, f"{partner} gets a finalizer here", ppath))
            msg = (
                f"{t} and {partner} both get finalizers and point at each other ({hops}): objects that refer "
                f"to each other are never collected and neither finalizer runs; use runtime.AddCleanup "
                f"(Go 1.24+) or break the cycle"
            )
        else:
            msg = (
                f"runtime.SetFinalizer on *{t}, which can reach itself ({hops}): if the objects form a "
                f"cycle it is never collected and the finalizer never runs; use runtime.AddCleanup "
                f"(Go 1.24+) or break the cycle"
            )
        yield finding(CODE, call, msg, related=rel)


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.MEMORY,
    fix=FixAvailability.NEVER,
    summarize=summarize,
    package_wide=True,
)
