"""Package-level maps and slices that may only grow: the facts unbounded-cache reads.

Per top-level declaration (memoised by the driver across edits): the
package-level variables it declares empty (`make(map[K]V)`, `map[K]V{}`,
`var m map[K]V`, `var s []T`; not tables with entries, not maps from
descriptors to files), the names it may shrink, replace or hand on (a call
argument, an alias, a return value, a reset outside `init` and lazy
initialisation), and whether it writes `m[k] = v` or `s = append(s, ...)`
at all. `summarize` gathers a file's for the package index; `candidates`
yields the writes to variables that are not local.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaration_of
from plumber.core.checks import Analysis

MAP_WRITES = (
    '(assignment_statement left: (expression_list (index_expression operand: (identifier) @m)) operator: "=") @stmt'
)
APPENDS = (
    '(assignment_statement left: (expression_list . (identifier) @s .) operator: "=" '
    "right: (expression_list . (call_expression function: (identifier) @f "
    'arguments: (argument_list . (identifier) @s2)) .) (#eq? @f "append")) @stmt'
)
# Places where a name may be shrunk, replaced or handed on.
TOUCHES = """
[
  (argument_list (identifier) @id)
  (expression_list (identifier) @id)
  (literal_element (identifier) @id)
  (send_statement value: (identifier) @id)
  (unary_expression operator: "&" operand: (identifier) @id)
]
"""
_READONLY_CALLS = frozenset({"len", "cap"})
_FD_FILES = re.compile(r"map\[(uintptr|int|int32|uint|uint32)\]\*os\.File")


@dataclass(frozen=True, slots=True)
class Decl:
    kind: str  # "map" or "slice"
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Summary:
    decls: dict  # name -> Decl, package-level empty maps and slices declared in the file
    touched: frozenset  # names that the file may shrink, replace or hand on


def top_function(node: Node) -> Node | None:
    n = node
    while n.parent is not None and n.parent.type != "source_file":
        n = n.parent
    return n if n.type in ("function_declaration", "method_declaration") else None


def is_init(ctx: FileContext, fn: Node | None) -> bool:
    if fn is None or fn.type != "function_declaration":
        return fn is None  # outside any function: a package-level initializer
    name = fn.child_by_field_name("name")
    return name is not None and ctx.text(name) == "init"


def _decl_kind(ctx: FileContext, spec: Node) -> str | None:
    """ "map"/"slice" for a package-level var declared empty; None for tables and anything else."""
    typ = spec.child_by_field_name("type")
    value = spec.child_by_field_name("value")
    if value is None:
        if typ is None:
            return None
        return _kind_of(ctx, typ)
    vals = value.named_children
    if len(vals) != 1 or len(spec.children_by_field_name("name")) != 1:
        return None
    v = vals[0]
    if v.type == "composite_literal":
        t = v.child_by_field_name("type")
        body = v.child_by_field_name("body")
        if t is None or body is None or body.named_child_count:
            return None  # a table with entries
        return _kind_of(ctx, t)
    if v.type == "call_expression":
        fn = v.child_by_field_name("function")
        args = v.child_by_field_name("arguments")
        if fn is None or args is None or fn.type != "identifier" or ctx.text(fn) != "make" or not args.named_children:
            return None
        t = args.named_children[0]
        if t.type == "map_type":
            return _kind_of(ctx, t)
        if t.type == "slice_type" and len(args.named_children) >= 2 and ctx.text(args.named_children[1]) == "0":
            return "slice"
    return None


def _kind_of(ctx: FileContext, typ: Node) -> str | None:
    """ "map"/"slice" for a map or slice type; None for a map from descriptors to their files
    (`map[uintptr]*os.File`): the kernel bounds and reuses descriptor numbers."""
    if typ.type == "map_type":
        return None if _FD_FILES.fullmatch(ctx.text(typ).replace(" ", "")) else "map"
    return "slice" if typ.type == "slice_type" else None


def _self_append(ctx: FileContext, stmt: Node, name: str) -> bool:
    right = stmt.child_by_field_name("right")
    if right is None or right.named_child_count != 1:
        return False
    call = right.named_children[0]
    if call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    return (
        fn is not None
        and args is not None
        and ctx.text(fn) == "append"
        and len(args.named_children) > 0
        and args.named_children[0].type == "identifier"
        and ctx.text(args.named_children[0]) == name
    )


def _initialization(ctx: FileContext, stmt: Node, name: str) -> bool:
    """`m = make(...)` / `m = map[K]V{}` in init, or under `if m == nil`: a first value, not a reset."""
    right = stmt.child_by_field_name("right")
    if right is None or right.named_child_count != 1:
        return False
    v = right.named_children[0]
    fresh = v.type == "composite_literal" or (
        v.type == "call_expression" and ctx.text(v.child_by_field_name("function") or v) == "make"
    )
    if not fresh:
        return False
    if is_init(ctx, top_function(stmt)):
        return True
    n = stmt.parent
    while n is not None and n.type not in ("function_declaration", "method_declaration", "func_literal"):
        if n.type == "if_statement":
            cond = n.child_by_field_name("condition")
            if cond is not None and ctx.text(cond).replace(" ", "") == f"{name}==nil":
                return True
        n = n.parent
    return False


def _touch_is_harmless(ctx: FileContext, ident: Node) -> bool:
    name = ctx.text(ident)
    p = ident.parent
    if p is None:
        return False
    if p.type == "argument_list":
        call = p.parent
        fn = call.child_by_field_name("function") if call is not None else None
        if call is not None and fn is not None and fn.type == "identifier":
            f = ctx.text(fn)
            if f in _READONLY_CALLS:
                return True
            if f == "append" and p.named_children and p.named_children[0] == ident:
                # s = append(s, ...): the growth itself
                rhs = call.parent
                stmt = rhs.parent if rhs is not None else None
                if stmt is not None and stmt.type == "assignment_statement":
                    left = stmt.child_by_field_name("left")
                    return left is not None and ctx.text(left) == name
        return False
    if p.type == "expression_list" and p.parent is not None:
        stmt = p.parent
        if stmt.type == "short_var_declaration" and stmt.child_by_field_name("left") == p:
            return True  # a local of the same name is declared: not our variable
        if stmt.type == "assignment_statement" and stmt.child_by_field_name("left") == p:
            return _self_append(ctx, stmt, name) or _initialization(ctx, stmt, name)
        if stmt.type == "range_clause" and stmt.child_by_field_name("left") == p:
            return True
    return False


def summarize(ctx: FileContext) -> Summary:
    decls: dict[str, Decl] = {}
    touched: set[str] = set()
    for decl, (found, names) in ctx.result(DECLARATION_FACTS):
        for name, kind, start, end in found:
            decls[name] = Decl(kind, decl.start_byte + start, decl.start_byte + end)
        touched |= names
    return Summary(decls, frozenset(touched))


def _declaration_facts(ctx: FileContext, decl: Node) -> tuple[tuple[tuple[str, str, int, int], ...], frozenset[str]]:
    """One top-level node's empty map/slice variables (offsets relative to it) and the names it may
    shrink, replace or hand on."""
    found = []
    if decl.type == "var_declaration":
        specs = [c for c in decl.named_children if c.type == "var_spec"]
        for lst in (c for c in decl.named_children if c.type == "var_spec_list"):
            specs.extend(c for c in lst.named_children if c.type == "var_spec")
        for spec in specs:
            kind = _decl_kind(ctx, spec)
            if kind is None:
                continue
            for name in spec.children_by_field_name("name"):
                found.append((ctx.text(name), kind, name.start_byte - decl.start_byte, name.end_byte - decl.start_byte))
    touched: set[str] = set()
    for ident in ctx.captures(TOUCHES, decl).get("id", []):
        touched_name = ctx.text(ident)
        if touched_name in touched or touched_name == "_":
            continue
        if not _touch_is_harmless(ctx, ident):
            touched.add(touched_name)
    return tuple(found), frozenset(touched)


def candidates(ctx: FileContext) -> Iterator[tuple[str, str, Node, Node]]:
    """(name, kind, write statement, the written node) in document order."""
    for decl, writes in ctx.result(WRITES):
        if not writes:
            continue  # most declarations write no package-level map or slice: skip the queries
        out: list[tuple[str, str, Node, Node, Node]] = []
        for m in ctx.matches(MAP_WRITES, decl):
            ix = m["m"][0].parent
            if ix is None:
                continue
            out.append((ctx.text(m["m"][0]), "map", m["stmt"][0], ix, m["m"][0]))
        for m in ctx.matches(APPENDS, decl):
            if ctx.text(m["s"][0]) == ctx.text(m["s2"][0]):
                out.append((ctx.text(m["s"][0]), "slice", m["stmt"][0], m["s"][0], m["s"][0]))
        out.sort(key=lambda c: c[2].start_byte)
        for name, kind, stmt, target, ident in out:
            if declaration_of(ctx.source, ident) is not None:
                continue  # a local variable
            yield name, kind, stmt, target


def _has_writes(ctx: FileContext, decl: Node) -> bool:
    """Whether a top-level node holds an `m[k] = v` or `s = append(s, ...)` candidate at all."""
    text = ctx.source[decl.start_byte : decl.end_byte]
    if b"append(" not in text and b"] = " not in text:
        return False
    return bool(ctx.matches(MAP_WRITES, decl) or ctx.matches(APPENDS, decl))


DECLARATION_FACTS = Analysis(
    "unbounded-cache/declarations",
    "per top-level declaration: its empty package-level maps and slices, and the names it "
    "may shrink, replace or hand on",
    _declaration_facts,
    per_declaration=True,
)
WRITES = Analysis(
    "unbounded-cache/writes",
    "per top-level declaration: whether it writes a map or appends",
    _has_writes,
    per_declaration=True,
)
