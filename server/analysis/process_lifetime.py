"""Process lifetime: code that runs once per process, and code right before the process ends.

The goroutine and memory checks (endless-goroutine, unbounded-cache) read this;
the resource checks' test and expected-failure context is `lifetime.py`'s.

A goroutine that never returns is a leak when it is started again and again:
per request, per connection, per call. One started once for the life of the
process is a daemon, by design:

- from the process's entry points: `init`, `main` of package main (and the
  runtime's own `main`), a cobra command's `Run` function
  (`func(cmd *cobra.Command, args []string)`: one command runs per process),
  an `Example` function of a test file (it shows a program's `main`);
- under a `sync.Once`'s `Do`, in the branch of an `if` whose condition wins a
  `CompareAndSwap`, or after a lazy guard `if G != nil { return }` on a
  package-level variable the function then sets;
- in a function every caller of which (in the package, which sees them all:
  the function is unexported, or the package is a command) calls it once from
  such a place, outside loops and function literals;
- right before the process ends: the statements after it reach `os.Exit`,
  `syscall.Exec` or `log.Fatal*` with no `return` on the way.

The runtime's own goroutines (package runtime) are the process's by construction.

A goroutine started in a loop whose condition is a package-level counter the
loop itself increments (`for workers < max { go work(); workers++ }`) belongs
to a pool bounded for the process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from sys import intern

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import is_local
from plumber.syntax.nodes import FUNCTION_TYPES, called_in_place, statements_of, top_level
from plumber.syntax.parser import captures

# Calls that end the process (not only the goroutine): what runs after them never matters.
PROCESS_EXITS = {
    "os": frozenset({"Exit"}),
    "syscall": frozenset({"Exec"}),
    "log": frozenset({"Fatal", "Fatalf", "Fatalln"}),
}
_EXIT_NAMES = tuple({name.encode() for names in PROCESS_EXITS.values() for name in names})  # (text prefilters)
_COBRA = "github.com/spf13/cobra"
_COBRA_RUN = re.compile(r"^\(\s*\w+\s+\*\s*(\w+)\.Command\s*,\s*\w+\s+\[\]string\s*\)$")
_EXAMPLE = re.compile(r"^Example($|_|[A-Z])")

# Call sites of the package's functions and methods, and places where a function or method value
# escapes (handed on, stored, returned: callers unknown), per declaration: one query for both.
_REFS = """
(call_expression function: (identifier) @call)
(call_expression function: (selector_expression field: (field_identifier) @mcall))
[
  (argument_list (identifier) @v)
  (expression_list (identifier) @v)
  (literal_element (identifier) @v)
  (argument_list (selector_expression field: (field_identifier) @mv))
  (expression_list (selector_expression field: (field_identifier) @mv))
  (literal_element (selector_expression field: (field_identifier) @mv))
]
"""

_NAME = re.compile(rb"\b([A-Za-z_]\w*)\b")
ONCE = "once"  # a call site that runs once per run of its caller
REPEATED = "repeated"  # in a loop or a function literal: may run many times
GUARDED = "guarded"  # once per process whatever the caller (sync.Once, CompareAndSwap, before exit)
VALUE = "value"  # the function is used as a value: its callers are unknown


@dataclass(frozen=True, slots=True)
class DeclRefs:
    """One top-level declaration: its key (`f`, `.m` for a method, None), whether it is an entry
    point, and the package names it calls or takes as values: (key, kind)."""

    key: str | None
    entry: str | None  # "init", "main", "cobra" or None
    refs: tuple[tuple[str, str], ...]


_NO_REFS = DeclRefs(None, None, ())  # a type, a constant, an import: one instance for all of them


def _key(ctx: FileContext, decl: Node) -> str | None:
    if decl.type not in ("function_declaration", "method_declaration"):
        return None
    name = decl.child_by_field_name("name")
    if name is None:
        return None
    return ("." if decl.type == "method_declaration" else "") + ctx.text(name)


def entry_point(ctx: FileContext, decl: Node) -> str | None:
    """What runs `decl` once per process: "init", "main", "cobra", "example"; None otherwise."""
    if decl.type != "function_declaration":
        return None
    name = ctx.text(decl.child_by_field_name("name"))
    params = decl.child_by_field_name("parameters")
    if name == "init" and params is not None and params.named_child_count == 0:
        return "init"
    if name == "main" and params is not None and params.named_child_count == 0:
        return "main"
    if ctx.is_test_file and _EXAMPLE.match(name) and params is not None and params.named_child_count == 0:
        return "example"
    if params is not None:
        m = _COBRA_RUN.match(ctx.text(params))
        if m and ctx.imports.path_of(m.group(1)) == _COBRA:
            return "cobra"
    return None


def _is_main_entry(ctx: FileContext, entry: str | None) -> bool:
    if entry == "main":
        return ctx.package_name == "main" or ctx.pkg_path == "runtime"
    return entry is not None


def declaration_refs(ctx: FileContext, decl: Node) -> DeclRefs:
    """The call sites and value uses in one top-level declaration (a per-declaration analysis)."""
    key = _key(ctx, decl)
    entry = entry_point(ctx, decl)
    refs: list[tuple[str, str]] = []
    text = ctx.source[decl.start_byte : decl.end_byte]
    if decl.type not in ("function_declaration", "method_declaration"):
        if decl.type != "var_declaration":
            return _NO_REFS if key is None and entry is None else DeclRefs(key, entry, ())
        # a package-level initializer: every name in it counts as a value (callers unknown), read
        # from the text (no query per declaration: a file may hold thousands of them)
        names = {m.group(1).decode() for m in _NAME.finditer(text)}
        return DeclRefs(
            None, None, tuple((n, VALUE) for n in sorted(names)) + tuple(("." + n, VALUE) for n in sorted(names))
        )
    if b"(" not in text:
        return DeclRefs(key, entry, ())
    got = captures(_REFS, decl)
    sites = DeclSites(ctx, decl, text)
    # (names interned: a package's declarations name the same few functions thousands of times)
    for ident in got.get("call", []):
        if not is_local(ctx.source, ident, top=decl):
            refs.append((intern(ctx.text(ident)), _site_kind(ctx, ident, decl, sites)))
    for field in got.get("mcall", []):
        refs.append((intern("." + ctx.text(field)), _site_kind(ctx, field, decl, sites)))
    for ident in got.get("v", []):
        if not is_local(ctx.source, ident, top=decl):
            refs.append((intern(ctx.text(ident)), VALUE))
    for field in got.get("mv", []):
        refs.append((intern("." + ctx.text(field)), VALUE))
    return DeclRefs(key, entry, tuple(dict.fromkeys(refs)))


def _site_kind(ctx: FileContext, node: Node, top: Node, sites: DeclSites) -> str:
    if guarded(ctx, node, top, sites) or exits_after(ctx, node, top, sites):
        return GUARDED
    return REPEATED if _repeats(node, top) else ONCE


class DeclSites:
    """What the call sites of one top-level declaration share, computed once for all of them (a
    declaration of the runtime has hundreds of calls): which guards its text can hold at all (the
    names they need), and per block, what ends the statements after each of its statements."""

    def __init__(self, ctx: FileContext, top: Node, text: bytes | None = None):
        text = text if text is not None else ctx.source[top.start_byte : top.end_byte]
        self.may_do = b"Do" in text
        self.may_cas = b"CompareAndSwap" in text
        self.may_lazy = b"nil" in text and b"return" in text
        self.may_exit = any(name in text for name in _EXIT_NAMES)
        self._lazy_from: dict[int, int | None] = {}
        self._ends: dict[int, dict[int, bool | None]] = {}
        self._cas: dict[int, bool] = {}

    def wins_cas(self, ctx: FileContext, cond: Node) -> bool:
        if cond.id not in self._cas:
            self._cas[cond.id] = _wins_cas(ctx, cond)
        return self._cas[cond.id]

    def lazy_guarded(self, ctx: FileContext, body: Node, node: Node) -> bool:
        if body.id not in self._lazy_from:
            self._lazy_from[body.id] = _lazy_guard_set(ctx, body)
        start = self._lazy_from[body.id]
        return start is not None and start < node.start_byte

    def end_after(self, ctx: FileContext, block: Node, stmt: Node) -> bool | None:
        """True: the statements after `stmt` in `block` end the process first; False: a return or
        jump comes first; None: neither (the block runs on)."""
        ends = self._ends.get(block.id)
        if ends is None:
            ends = self._ends[block.id] = {}
            verdict: bool | None = None
            for s in reversed(statements_of(block)):
                ends[s.id] = verdict
                if any(_process_exit(ctx, c) for c in _calls_in_head(s)):
                    verdict = True
                elif s.type in _JUMPS or captures("(return_statement) @r", s).get("r"):
                    verdict = False
        return ends.get(stmt.id)


def _repeats(node: Node, top: Node) -> bool:
    """A loop or a function literal lies between `node` and `top` (a literal called or started in
    place, `func() {...}()` or `go func() {...}()`, runs once)."""
    n = node.parent
    while n is not None and n != top:
        if n.type == "for_statement":
            return True
        if n.type == "func_literal" and not called_in_place(n):
            return True
        n = n.parent
    return False


def guarded(ctx: FileContext, node: Node, top: Node, sites: DeclSites | None = None) -> bool:
    """Under a sync.Once's Do, in the branch of an `if` that won a CompareAndSwap, or after a lazy
    guard on a package-level variable: once per process (or per Once)."""
    sites = sites or DeclSites(ctx, top)
    n = node.parent
    child = node
    while n is not None and n != top:
        if n.type == "call_expression" and sites.may_do:
            f = n.child_by_field_name("function")
            if f is not None and f.type == "selector_expression" and ctx.text(f.child_by_field_name("field")) == "Do":
                return True
        if n.type == "if_statement" and sites.may_cas and child == n.child_by_field_name("consequence"):
            cond = n.child_by_field_name("condition")
            if cond is not None and sites.wins_cas(ctx, cond):
                return True
        if n.type == "block" and n.parent == top and sites.may_lazy and sites.lazy_guarded(ctx, n, node):
            return True
        child = n
        n = n.parent
    return False


def _wins_cas(ctx: FileContext, cond: Node) -> bool:
    """The condition calls `x.CompareAndSwap(...)` (alone or in `&&`), not negated."""
    for call in captures("(call_expression) @c", cond).get("c", []):
        f = call.child_by_field_name("function")
        if f is None or f.type != "selector_expression":
            continue
        if not ctx.text(f.child_by_field_name("field")).startswith("CompareAndSwap"):
            continue
        p = call.parent
        while p is not None and p != cond.parent:
            if p.type == "unary_expression" or (
                p.type == "binary_expression" and ctx.text(p.child_by_field_name("operator")) != "&&"
            ):
                return False
            p = p.parent
        return True
    return False


def _lazy_guard_set(ctx: FileContext, body: Node) -> int | None:
    """Where, in a function body, a package-level G is first set after `if G != nil { return }`:
    what starts past it runs once per process. None: nowhere."""
    guards: set[str] = set()
    for s in statements_of(body):
        if s.type == "if_statement" and s.child_by_field_name("initializer") is None:
            cond = s.child_by_field_name("condition")
            cons = s.child_by_field_name("consequence")
            m = re.fullmatch(r"(\w+)\s*!=\s*nil", ctx.text(cond)) if cond is not None else None
            body_stmts = statements_of(cons)
            if (
                m
                and cond is not None
                and len(body_stmts) == 1
                and body_stmts[0].type == "return_statement"
                and not is_local(ctx.source, cond.named_children[0])
            ):
                guards.add(m.group(1))
        elif s.type == "assignment_statement":
            left = s.child_by_field_name("left")
            if left is not None and ctx.text(left) in guards:
                return s.start_byte
    return None


def _process_exit(ctx: FileContext, call: Node) -> bool:
    target = ctx.call_target(call)
    return target is not None and target[1] in PROCESS_EXITS.get(target[0], ())


def _calls_in_head(stmt: Node) -> Iterator[Node]:
    """The calls a statement makes before anything else: an expression statement's call, an `if`'s
    initializer and condition."""
    if stmt.type == "expression_statement" and stmt.named_children:
        c = stmt.named_children[0]
        if c.type == "call_expression":
            yield c
    if stmt.type == "if_statement":
        for part in (stmt.child_by_field_name("initializer"), stmt.child_by_field_name("condition")):
            if part is None:
                continue
            yield from captures("(call_expression) @c", part).get("c", [])


_JUMPS = frozenset({"return_statement", "break_statement", "continue_statement", "goto_statement"})


def exits_after(ctx: FileContext, node: Node, top: Node, sites: DeclSites | None = None) -> bool:
    """The statements after `node`, up to `top`, end the process before any return or jump."""
    sites = sites or DeclSites(ctx, top)
    if not sites.may_exit:
        return False
    n: Node = node
    while n != top and n.parent is not None:
        parent = n.parent
        if parent.type in FUNCTION_TYPES:
            return False
        if parent.type in ("block", "statement_list"):
            end = sites.end_after(ctx, parent, n)
            if end is not None:
                return end
        elif parent.type == "for_statement" and n != parent.child_by_field_name("body"):
            return False
        n = parent
    return False


def bounded_pool(ctx: FileContext, go: Node, top: Node) -> bool:
    """In `for G < limit { ... G++ }` with G package-level: the pool never grows past the limit."""
    n = go.parent
    while n is not None and n != top:
        if n.type in FUNCTION_TYPES:
            return False
        if n.type == "for_statement":
            cond = next((c for c in n.named_children if c.type == "binary_expression"), None)
            body = n.child_by_field_name("body")
            if cond is not None and body is not None:
                left = cond.child_by_field_name("left")
                op = cond.child_by_field_name("operator")
                if (
                    left is not None
                    and op is not None
                    and left.type == "identifier"
                    and ctx.text(op) in ("<", "<=")
                    and not is_local(ctx.source, left)
                ):
                    name = ctx.text(left)
                    for inc in captures("(inc_statement) @i", body).get("i", []):
                        if ctx.text(inc).replace(" ", "") == f"{name}++":
                            return True
            return False
        n = n.parent
    return False


def started_once_here(ctx: FileContext, go: Node) -> bool:
    """What the go statement's own function says: an entry point, a guard, the process ending after.
    In package runtime every goroutine is one of the runtime's own (finalizers, cleanups, GC workers,
    the scavenger, signal handling): the process's, by construction."""
    if ctx.pkg_path == "runtime":
        return True
    top = top_level(go)
    if _is_main_entry(ctx, entry_point(ctx, top)) and not _repeats(go, top):
        return True
    return guarded(ctx, go, top) or exits_after(ctx, go, top) or bounded_pool(ctx, go, top)


def function_key(ctx: FileContext, go: Node) -> str | None:
    """The key of the declaration holding the go statement, when the go runs once per call of it."""
    top = top_level(go)
    if _repeats(go, top):
        return None
    return _key(ctx, top)


MAX_CALLER_DEPTH = 6


def called_once(
    key: str,
    decls: Callable[[], list[DeclRefs]],
    package_main: bool,
    is_entry: Callable[[str | None], bool],
) -> bool:
    """Every caller in the package calls `key` once from a function that runs once per process.

    `decls` lists the package's declarations (all non-test files). An exported name of a
    library package has callers the package cannot see: unknown, so False."""
    all_decls = decls()
    callers: dict[str, list[tuple[str | None, str]]] = {}
    entries: dict[str, str | None] = {}
    for d in all_decls:
        if d.key is not None:
            entries.setdefault(d.key, d.entry)
        for name, kind in d.refs:
            callers.setdefault(name, []).append((d.key, kind))

    def once(k: str, depth: int, seen: frozenset[str]) -> bool:
        if is_entry(entries.get(k)):
            return True
        bare = k.lstrip(".")
        if depth > MAX_CALLER_DEPTH or k in seen or not bare or (bare[0].isupper() and not package_main):
            return False
        sites = callers.get(k, [])
        if not sites:
            return False
        for caller, kind in sites:
            if kind == GUARDED:
                continue
            if kind != ONCE or caller is None or not once(caller, depth + 1, seen | {k}):
                return False
        return True

    return once(key, 0, frozenset())


def in_command(ctx: FileContext) -> bool:
    """The file belongs to a command: package main, an internal package of a command's directory
    (only the command can import it: `cmd/go/internal/load`), or the Go distribution's `cmd`
    module. Its package-level state lives as long as one run of the tool."""
    if ctx.package_name == "main":
        return True
    path = ctx.pkg_path
    if path == "cmd" or path.startswith("cmd/"):
        return True
    parts = path.split("/")
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] != "internal":
            continue
        pkg = ctx.program.package("/".join(parts[:i]))
        if pkg is not None and pkg.name == "main":
            return True
    return False
