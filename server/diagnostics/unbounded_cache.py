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
guarded by `len(m)`; maps from descriptors to their files
(`map[uintptr]*os.File`: the kernel bounds the numbers); anything in test
files. In a command (package main, an internal package of a command's
directory, the Go distribution's `cmd` tree) package-level state lives as
long as one run of the tool: only a cache-named map written by an HTTP
handler or a `handle*`/`serve*` function is flagged there.

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
from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.lifetime import REQUEST_FUNC, in_lazy_init, in_once, serves_requests
from plumber.analysis.package_maps import DECLARATION_FACTS, WRITES, Decl, candidates, is_init, summarize, top_function
from plumber.analysis.process_lifetime import in_command
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Related, Severity, finding

CODE = "unbounded-cache"

LENS = '(call_expression function: (identifier) @f arguments: (argument_list . (identifier) @m .) (#eq? @f "len"))'

CACHE_NAME = re.compile(r"(?i)(cache|memo|history)")
REGISTRY_FUNC = re.compile(r"(?i)register|^(must)?(install|define|declare|setup|init)")


def _guarded_by_len(ctx: FileContext, fn: Node, name: str, stmt: Node) -> bool:
    """The function looks at `len(m)` (compared, or kept for a later check: `n := len(m) + 1;
    if n > max`) outside the write itself: the writer bounds the size."""
    for m in ctx.matches(LENS, fn):
        if ctx.text(m["m"][0]) != name:
            continue
        args = m["m"][0].parent  # len(m): the identifier, its argument list, the call
        call = args.parent if args is not None else None
        if call is None:
            continue
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


def _http_handler(ctx: FileContext, fn: Node) -> bool:
    params = fn.child_by_field_name("parameters")
    return params is not None and "ResponseWriter" in ctx.text(params) and ctx.imports.has("net/http")


def _panics(ctx: FileContext, fn: Node) -> bool:
    return b"panic(" in ctx.source[fn.start_byte : fn.end_byte]


def _set_value(ctx: FileContext, stmt: Node) -> bool:
    right = stmt.child_by_field_name("right")
    return right is not None and ctx.text(right).replace(" ", "") in ("true", "struct{}{}")


def run(ctx: FileContext) -> Iterator[Finding]:
    if ctx.is_test_file:
        return
    if b"append(" not in ctx.source and b"] = " not in ctx.source:
        return
    cands = list(candidates(ctx))
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
    command: bool | None = None
    for name, kind, stmt, _target in cands:
        if name in reported or name in touched:
            continue
        where = decls.get(name)
        if where is None or where[1].kind != kind:
            continue
        fn = top_function(stmt)
        if fn is None or is_init(ctx, fn) or in_once(ctx, stmt, fn) or in_lazy_init(ctx, stmt, name):
            continue
        if kind == "map" and not CACHE_NAME.search(name) and _set_value(ctx, stmt):
            continue  # a dedup set (seen[k] = true): membership, bounded by what the program meets
        fname_node = fn.child_by_field_name("name")
        fname = ctx.text(fname_node) if fname_node is not None else ""
        if REGISTRY_FUNC.search(fname) or _panics(ctx, fn) or _guarded_by_len(ctx, fn, name, stmt):
            continue
        if not (CACHE_NAME.search(name) or serves_requests(ctx, fn, fname)):
            continue
        if command is None:
            command = in_command(ctx)
        if command and not (CACHE_NAME.search(name) and (_http_handler(ctx, fn) or REQUEST_FUNC.match(fname))):
            continue  # a tool's memo or a command's state: it lives as long as one run
        reported.add(name)
        path, d = where
        what = "map" if kind == "map" else "slice"
        action = "deletes from" if kind == "map" else "truncates"
        yield finding(
            CODE,
            stmt,
            f"the package-level {what} {name} only grows: {fname} adds to it and nothing in the package "
            f"{action}, clears or replaces it, so every entry stays in memory for the life of the "
            f"program; bound its size or expire entries (e.g. an LRU cache or a TTL)",
            related=[Related(d.start, d.end, f"{name} is declared here", path)],
        )


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.MEMORY,
    fix=FixAvailability.NEVER,
    requires=(DECLARATION_FACTS, WRITES),
    summarize=summarize,
    package_wide=True,
)
