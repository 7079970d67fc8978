"""a package-level map or slice used as a cache only grows: nothing ever removes its entries

A package-level map lives as long as the program. When functions keep adding
entries keyed by runtime data (`cache[key] = value` on every request) and no
code of the package ever deletes them, the map grows without bound: a slow
leak that ends in an out-of-memory kill. The same holds for a package-level
slice that is only ever appended to.

Flags a write `m[k] = v` (or `s = append(s, ...)`) in a function of the
package, where `m` is a package-level variable declared empty
(`make(map[K]V)`, `map[K]V{}`, `var m map[K]V`, `var s []T`) in any file
of the package, when:

- no non-test file of the package deletes from it, clears it, reassigns it
  (outside `init` and lazy `if m == nil { m = make(...) }` initialisation),
  or hands it to other code (a call argument, an alias, a return value),
  any of which may bound it; and
- the write looks like a cache on a request path, not a registry or a
  memo table of a batch program: the variable is named as a cache (`cache`,
  `memo`, `history` in its name), or the writing function serves requests
  (an HTTP handler, a `context.Context` parameter, a `handle*`/`serve*`
  name). Memoisation alone (`if v, ok := m[k]; ok { return v }` then
  `m[k] = v`) is not enough: in the Go distribution every such table
  belongs to a compiler, a linker or the go command, where it lives exactly
  as long as it should.

Not flagged: writes in `init`, in `sync.Once` callbacks, and in
registration functions (`Register*`, `Install*`, `Define*`, `Setup*`, or a
function that panics on a duplicate): their keys come from the program's own
code and are bounded by it; maps initialised with entries (tables); writes
guarded by `len(m)`; anything in test files.

No automatic fix: the message points at the write and suggests a size
bound or a TTL (e.g. an LRU cache); the related information points at the
declaration, possibly in another file of the package.

```go
var cache = make(map[string]string)

func handleRequest(key string) string {
	if val, ok := cache[key]; ok {
		return val
	}
	val := compute(key)
	cache[key] = val // want: cache only grows
	return val
}
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from tree_sitter import Node

from plumber.check import Check, Finding, Related, Severity, finding
from plumber.context import FileContext
from plumber.memo import per_declaration
from plumber.scope import declaration_of

CODE = "unbounded-cache"

MAP_WRITES = ("(assignment_statement left: (expression_list (index_expression operand: (identifier) @m)) "
              "operator: \"=\") @stmt")
APPENDS = ("(assignment_statement left: (expression_list . (identifier) @s .) operator: \"=\" "
           "right: (expression_list . (call_expression function: (identifier) @f "
           "arguments: (argument_list . (identifier) @s2)) .) (#eq? @f \"append\")) @stmt")
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
LENS = "(call_expression function: (identifier) @f arguments: (argument_list . (identifier) @m .) (#eq? @f \"len\"))"

CACHE_NAME = re.compile(r"(?i)(cache|memo|history)")
REQUEST_FUNC = re.compile(r"(?i)^(handle|serve)")
REGISTRY_FUNC = re.compile(r"(?i)register|^(must)?(install|define|declare|setup|init)")
_READONLY_CALLS = frozenset({"len", "cap"})


@dataclass(frozen=True)
class Decl:
    kind: str  # "map" or "slice"
    start: int
    end: int


@dataclass(frozen=True)
class Summary:
    decls: dict  # name -> Decl, package-level empty maps and slices declared in the file
    touched: frozenset  # names that the file may shrink, replace or hand on


def _top_function(node: Node) -> Node | None:
    n = node
    while n.parent is not None and n.parent.type != "source_file":
        n = n.parent
    return n if n.type in ("function_declaration", "method_declaration") else None


def _is_init(ctx: FileContext, fn: Node | None) -> bool:
    if fn is None or fn.type != "function_declaration":
        return fn is None  # outside any function: a package-level initializer
    name = fn.child_by_field_name("name")
    return name is not None and ctx.text(name) == "init"


def _decl_kind(ctx: FileContext, spec: Node) -> str | None:
    """"map"/"slice" for a package-level var declared empty; None for tables and anything else."""
    typ = spec.child_by_field_name("type")
    value = spec.child_by_field_name("value")
    if value is None:
        if typ is None:
            return None
        return {"map_type": "map", "slice_type": "slice"}.get(typ.type)
    vals = value.named_children
    if len(vals) != 1 or len(spec.children_by_field_name("name")) != 1:
        return None
    v = vals[0]
    if v.type == "composite_literal":
        t = v.child_by_field_name("type")
        body = v.child_by_field_name("body")
        if t is None or body is None or body.named_child_count:
            return None  # a table with entries
        return {"map_type": "map", "slice_type": "slice"}.get(t.type)
    if v.type == "call_expression":
        fn = v.child_by_field_name("function")
        args = v.child_by_field_name("arguments")
        if fn is None or args is None or fn.type != "identifier" or ctx.text(fn) != "make" or not args.named_children:
            return None
        t = args.named_children[0]
        if t.type == "map_type":
            return "map"
        if t.type == "slice_type" and len(args.named_children) >= 2 and ctx.text(args.named_children[1]) == "0":
            return "slice"
    return None


def _self_append(ctx: FileContext, stmt: Node, name: str) -> bool:
    right = stmt.child_by_field_name("right")
    if right is None or right.named_child_count != 1:
        return False
    call = right.named_children[0]
    if call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    return (fn is not None and args is not None and ctx.text(fn) == "append" and args.named_children
            and args.named_children[0].type == "identifier" and ctx.text(args.named_children[0]) == name)


def _initialization(ctx: FileContext, stmt: Node, name: str) -> bool:
    """`m = make(...)` / `m = map[K]V{}` in init, or under `if m == nil`: a first value, not a reset."""
    right = stmt.child_by_field_name("right")
    if right is None or right.named_child_count != 1:
        return False
    v = right.named_children[0]
    fresh = (v.type == "composite_literal" or
             (v.type == "call_expression" and ctx.text(v.child_by_field_name("function") or v) == "make"))
    if not fresh:
        return False
    if _is_init(ctx, _top_function(stmt)):
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
        if fn is not None and fn.type == "identifier":
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
    for decl, (found, names) in per_declaration(ctx, CODE, _declaration_facts):
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
    touched = set()
    for ident in ctx.captures(TOUCHES, decl).get("id", []):
        name = ctx.text(ident)
        if name in touched or name == "_":
            continue
        if not _touch_is_harmless(ctx, ident):
            touched.add(name)
    return tuple(found), frozenset(touched)


def _guarded_by_len(ctx: FileContext, fn: Node, name: str, stmt: Node) -> bool:
    """The function looks at `len(m)` (compared, or kept for a later check: `n := len(m) + 1;
    if n > max`) outside the write itself: the writer bounds the size."""
    for m in ctx.matches(LENS, fn):
        if ctx.text(m["m"][0]) != name:
            continue
        call = m["m"][0].parent.parent
        if not (stmt.start_byte <= call.start_byte < stmt.end_byte):
            return True
        p = call.parent
        while p is not None and p.type == "parenthesized_expression":
            p = p.parent
        if p is not None and p.type == "binary_expression":
            op = p.child_by_field_name("operator")
            if op is not None and ctx.text(op) in ("<", "<=", ">", ">=", "==", "!="):
                return True
    return False


def _serves_requests(ctx: FileContext, fn: Node, fname: str) -> bool:
    """A request path: an HTTP handler, a function taking a context.Context, or a handle*/serve* function."""
    if REQUEST_FUNC.match(fname):
        return True
    params = fn.child_by_field_name("parameters")
    if params is None:
        return False
    text = ctx.text(params)
    return (("ResponseWriter" in text or "http.Request" in text) and ctx.imports.has("net/http")) or \
        ("context.Context" in text and ctx.imports.has("context"))


def _panics(ctx: FileContext, fn: Node) -> bool:
    return b"panic(" in ctx.source[fn.start_byte:fn.end_byte]


def _in_once(ctx: FileContext, node: Node, fn: Node) -> bool:
    """Inside a func literal handed to x.Do(...) (sync.Once)."""
    n = node.parent
    while n is not None and n != fn:
        if n.type == "func_literal" and n.parent is not None and n.parent.type == "argument_list":
            call = n.parent.parent
            f = call.child_by_field_name("function") if call is not None else None
            if f is not None and f.type == "selector_expression":
                field = f.child_by_field_name("field")
                if field is not None and ctx.text(field) == "Do":
                    return True
        n = n.parent
    return False


def _in_lazy_init(ctx: FileContext, node: Node, name: str) -> bool:
    """Inside `if m == nil { ... }`: the table is filled once, on first use."""
    n = node.parent
    while n is not None and n.type not in ("function_declaration", "method_declaration", "func_literal"):
        if n.type == "if_statement":
            cond = n.child_by_field_name("condition")
            if cond is not None and ctx.text(cond).replace(" ", "") in (f"{name}==nil", f"len({name})==0"):
                return True
        n = n.parent
    return False


def _set_value(ctx: FileContext, stmt: Node) -> bool:
    right = stmt.child_by_field_name("right")
    return right is not None and ctx.text(right).replace(" ", "") in ("true", "struct{}{}")


def _candidates(ctx: FileContext) -> Iterator[tuple[str, str, Node, Node]]:
    """(name, kind, write statement, the written node) in document order."""
    for decl, writes in per_declaration(ctx, CODE + "/writes", _has_writes):
        if not writes:
            continue  # most declarations write no package-level map or slice: skip the queries
        out = []
        for m in ctx.matches(MAP_WRITES, decl):
            ix = m["m"][0].parent
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
    text = ctx.source[decl.start_byte:decl.end_byte]
    if b"append(" not in text and b"] = " not in text:
        return False
    return bool(ctx.matches(MAP_WRITES, decl) or ctx.matches(APPENDS, decl))


def run(ctx: FileContext) -> Iterator[Finding]:
    if ctx.is_test_file:
        return
    if b"append(" not in ctx.source and b"] = " not in ctx.source:
        return
    cands = list(_candidates(ctx))
    if not cands:
        return
    own = ctx.package.path if ctx.package is not None else None
    summaries = ctx.package.summaries(CHECK) if ctx.package is not None else {None: summarize(ctx)}
    decls: dict[str, tuple[str | None, Decl]] = {}
    touched: set[str] = set()
    for path, s in summaries.items():
        if s is None:
            continue
        touched |= s.touched
        for name, d in s.decls.items():
            decls.setdefault(name, (None if path == own else path, d))
    reported: set[str] = set()
    for name, kind, stmt, target in cands:
        if name in reported or name in touched:
            continue
        where = decls.get(name)
        if where is None or where[1].kind != kind:
            continue
        fn = _top_function(stmt)
        if fn is None or _is_init(ctx, fn) or _in_once(ctx, stmt, fn) or _in_lazy_init(ctx, stmt, name):
            continue
        if kind == "map" and not CACHE_NAME.search(name) and _set_value(ctx, stmt):
            continue  # a dedup set (seen[k] = true): membership, bounded by what the program meets
        fname_node = fn.child_by_field_name("name")
        fname = ctx.text(fname_node) if fname_node is not None else ""
        if REGISTRY_FUNC.search(fname) or _panics(ctx, fn) or _guarded_by_len(ctx, fn, name, stmt):
            continue
        if not (CACHE_NAME.search(name) or _serves_requests(ctx, fn, fname)):
            continue
        reported.add(name)
        path, d = where
        what = "map" if kind == "map" else "slice"
        action = "deletes from" if kind == "map" else "truncates"
        yield finding(CODE, stmt,
                      f"the package-level {what} {name} only grows: {fname} adds to it and nothing in the package "
                      f"{action}, clears or replaces it, so every entry stays in memory for the life of the "
                      f"program; bound its size or expire entries (e.g. an LRU cache or a TTL)",
                      related=[Related(d.start, d.end, f"{name} is declared here", path)])


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run, summarize=summarize,
              package_wide=True)
