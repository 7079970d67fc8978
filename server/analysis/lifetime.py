"""Lifetime context shared by the checks: code that runs once per process, code on a request path.

A leak matters when it repeats: per request, per call, per iteration. A
table filled once under a `sync.Once`, a goroutine started from `init` or
`main`, is as long-lived as the process by design.
"""

from __future__ import annotations

import functools
import re

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.core.checks import Analysis
from plumber.syntax.nodes import PACKAGE_VAR_SPECS, ancestors, following, word_starts

REQUEST_FUNC = re.compile(r"(?i)^(handle|serve)")


def serves_requests(ctx: FileContext, fn: Node, fname: str) -> bool:
    """A request path: an HTTP handler, a function taking a context.Context, or a handle*/serve* function."""
    if REQUEST_FUNC.match(fname):
        return True
    params = fn.child_by_field_name("parameters")
    if params is None:
        return False
    text = ctx.text(params)
    return (("ResponseWriter" in text or "http.Request" in text) and ctx.imports.has("net/http")) or (
        "context.Context" in text and ctx.imports.has("context")
    )


_TOOL_PATH = re.compile(r"(^|/)cmd/[^/]+/(internal|pkg)/")


def short_lived_tool(ctx: FileContext) -> bool:
    """A command's code: package main, or a package of a command's own tree (`cmd/compile/internal/...`,
    `cmd/go/internal/...`): it runs as long as one invocation, so a memo it fills is bounded by the run."""
    if ctx.package_name == "main":
        return True
    path = (ctx.path or "").replace("\\", "/")
    return _TOOL_PATH.search(path) is not None


def http_handler(ctx: FileContext, fn: Node) -> bool:
    """A function taking an http.ResponseWriter or *http.Request: it runs per request, even in a command."""
    params = fn.child_by_field_name("parameters")
    text = ctx.text(params) if params is not None else ""
    return ("ResponseWriter" in text or "http.Request" in text) and ctx.imports.has("net/http")


def in_once(ctx: FileContext, node: Node, fn: Node) -> bool:
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


def in_lazy_init(ctx: FileContext, node: Node, name: str) -> bool:
    """Inside `if m == nil { ... }`: the table is filled once, on first use."""
    n = node.parent
    while n is not None and n.type not in ("function_declaration", "method_declaration", "func_literal"):
        if n.type == "if_statement":
            cond = n.child_by_field_name("condition")
            if cond is not None and ctx.text(cond).replace(" ", "") in (f"{name}==nil", f"len({name})==0"):
                return True
        n = n.parent
    return False


# -- the lifetime context of a statement: shared by the resource, ticker, cancel and goroutine checks ---------------

# Calls after which the process is gone: what is held right before them is released by the exit.
_PROCESS_EXIT = re.compile(r"^(os\.Exit|syscall\.Exec|unix\.Exec|log\.(Fatal|Fatalf|Fatalln))\(")
_EXEC = re.compile(r"(?<![\w.])(syscall|unix)\.Exec\(")
_LOOPS = frozenset({"for_statement"})
_FUNCS = frozenset({"function_declaration", "method_declaration", "func_literal"})


class Lifetime:
    """What the code around a statement says about how long what it holds must live.

    - `before_exit(node)`: the statement is followed, in its function's straight-line flow (not across
      a loop or a function boundary), by `os.Exit`, `syscall.Exec` or `log.Fatal*`: the process is gone.
    - `process_lifetime(node)`: the statement runs once per process: in `func init`, in `func main` of
      package main (not inside a loop there), in the function literal or the function of this file (never
      called otherwise) handed to `once.Do`, or in the
      branch taken once of `if x.CompareAndSwap(...)`.
    - `own_package_test(path)`: a test file of the package that declares the API (`context`'s tests of
      `WithTimeout`, `time`'s of `NewTimer`): the unreleased value is the test's subject.
    - `awaited(var, fn)`: `<-v.Done()` in the function: the context's end is awaited, the test is about it.
    """

    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self._main = ctx.package_name == "main"

    def before_exit(self, node: Node, through_loops: bool = False) -> bool:
        """`through_loops`: a statement in a loop the exit follows counts too (goroutines started in a counted
        loop right before `syscall.Exec`); a resource acquired per iteration does not (the loop may run long)."""
        n = node
        for up in ancestors(node):  # (depth-safe: a raw .parent chain is quadratic in the depth)
            if up.type in _FUNCS or (up.type in _LOOPS and not through_loops):
                return False
            if up.type in ("block", "statement_list"):
                for sib in following(n, up):
                    if sib.type == "expression_statement" and _PROCESS_EXIT.match(self.ctx.text(sib)):
                        return True
                    init = sib.child_by_field_name("initializer") if sib.type == "if_statement" else None
                    if init is not None and _EXEC.search(self.ctx.text(init)):
                        return True  # `if err := syscall.Exec(...); err != nil { log.Fatal(err) }`
                    if sib.type == "return_statement" or _has_loop(sib):
                        break
            n = up
        return False

    def process_lifetime(self, node: Node) -> bool:
        for n in ancestors(node):
            if n.type == "func_literal":
                return self._once_literal(n)
            elif n.type in ("function_declaration", "method_declaration"):
                name = n.child_by_field_name("name")
                fname = self.ctx.text(name) if name is not None else ""
                if n.type != "function_declaration":
                    return False
                return fname == "init" or (self._main and fname == "main") or fname in self._once_functions
            elif n.type in _LOOPS:
                return False
            elif n.type == "if_statement" and self._compare_and_swap(n):
                return True
        return False

    def own_package_test(self, path: str) -> bool:
        return bool(path) and self.ctx.is_test_file and self.ctx.pkg_path.removesuffix("_test") == path

    def awaited(self, var: str, fn: Node) -> bool:
        """`<-c.Done()` as a statement of its own (not a select case): the function waits for the end."""
        for stmt in self.ctx.captures("(expression_statement (unary_expression) @u)", fn).get("u", []):
            if re.fullmatch(rf"<-\s*{re.escape(var)}\.Done\(\)", self.ctx.text(stmt).strip()):
                return True
        return False

    def _once_literal(self, lit: Node) -> bool:
        """`once.Do(func() { ... })`."""
        args = lit.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        f = call.child_by_field_name("function") if call is not None else None
        if f is None or f.type != "selector_expression":
            return False
        field, operand = f.child_by_field_name("field"), f.child_by_field_name("operand")
        if field is None or operand is None or self.ctx.text(field) != "Do":
            return False
        if "once" in self.ctx.text(operand).lower():
            return True  # once.Do, s.initOnce.Do
        if operand.type != "identifier":
            return False
        return self.ctx.text(operand) in self._once_vars

    @functools.cached_property
    def _once_functions(self) -> frozenset[str]:
        """Functions of this file run only through `once.Do(name)` (`once.Do(startServer)`), never called:
        read across the file (a call anywhere makes one not so)."""
        return frozenset(self.ctx.read_across("once-functions", _once_functions))

    @functools.cached_property
    def _once_vars(self) -> frozenset[str]:
        return _once_vars(self.ctx)

    def _compare_and_swap(self, stmt: Node) -> bool:
        cond = stmt.child_by_field_name("condition")
        text = self.ctx.text(cond) if cond is not None else ""
        return "||" not in text and re.search(r"(^|[\s(&])[\w.]*\.CompareAndSwap\(", text) is not None


ONCE_DO = (
    "(call_expression function: (selector_expression operand: (_) @recv field: (field_identifier) @f)"
    ' arguments: (argument_list . (identifier) @arg .) (#eq? @f "Do"))'
)
CALLED_NAMES = "(call_expression function: (identifier) @f)"


def _once_functions(ctx: FileContext) -> dict[str, bool]:
    """The functions handed to `once.Do` and never called, over the whole file (whatever ctx.ranges is)."""
    if next(word_starts(ctx.source, b"Do"), None) is None:
        return {}  # (no `.Do(` call: the queries over a large file at every keystroke spared)
    once_vars = _once_vars(ctx)
    handed: set[str] = set()
    for m in ctx.matches(ONCE_DO, ctx.root):
        recv = ctx.text(m["recv"][0])
        if "once" in recv.lower() or recv in once_vars:
            handed.add(ctx.text(m["arg"][0]))
    if handed:
        handed -= {ctx.text(c) for c in ctx.captures(CALLED_NAMES, ctx.root).get("f", [])}
    return dict.fromkeys(handed, True)


def _once_vars(ctx: FileContext) -> frozenset[str]:
    """Package-level `var setup sync.Once` of this file."""
    out: set[str] = set()
    for m in ctx.matches(PACKAGE_VAR_SPECS, ctx.root):
        spec = m["spec"][0]
        t = spec.child_by_field_name("type")
        if t is not None and ctx.text(t) == "sync.Once":
            out.update(ctx.text(n) for n in spec.children_by_field_name("name"))
    return frozenset(out)


def _has_loop(stmt: Node) -> bool:
    """A loop statement, labelled or not: code after it may run long after `stmt`."""
    if stmt.type == "labeled_statement":
        return any(c.type == "for_statement" for c in stmt.named_children)
    return stmt.type == "for_statement"


LIFETIME = Analysis(
    "lifetime",
    "how long what a statement holds must live: process-lifetime code, code right before the process exits, "
    "tests whose subject is the leak, calls meant to fail",
    Lifetime,
)
