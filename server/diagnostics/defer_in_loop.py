"""a defer directly in a loop body runs only when the function returns

A deferred call runs when the surrounding *function* returns, not at the end
of the loop iteration. A `defer f.Close()` in the body of a `for` loop keeps
every file (connection, lock, response body) of every iteration open until
the whole loop, and the rest of the function, is done, and allocates a defer
record per iteration: seed 000's `ReadFile` loop runs out of file
descriptors on a long list.

Flags a `defer` statement that is a statement of a `for` loop's body (not
nested in an `if`, `switch` or `select` inside it, and not inside a function
literal: `for ... { func() { defer f.Close() }() }` is the cure, not the
disease) when the deferred call releases something the loop body declares:
the file opened in this iteration, say. "Releases" is read from the names
called: `Close`, `Stop`, `cancel`, `Remove`, `Release`, `Free`, `Unlock`,
`Shutdown`, `teardown` (any case, any suffix: `CloseFunc`, `closeConn`),
directly or inside a deferred closure. A deferred `Chmod`, `wg.Wait()` or
`flush()` holds nothing open: no finding. A loop whose body ends with `return`,
`break` or a panic runs its defer at most once, and a body that defers a
call on what it did not create (`for _, c := range closers { defer c.Close() }`,
the idiom that postpones all of them to the function's end on purpose) is
left alone.

Fix: wrap the loop body in a function literal called on the spot,
`func() { ... }()`, so that its defers run at the end of each iteration.
Offered only when the body holds no `return`, `goto`, `break` or
`continue` of its own (a `break` out of a nested `switch`, `select` or
loop, a `continue` of a nested loop, a `return` inside a nested function
literal, and a labelled `break`/`continue` whose label is inside the body
too are fine): inside the literal they would mean something else or not
compile. The body is re-indented by one tab, as gofmt would; no fix when
the body holds a raw string literal or a block comment spanning lines,
whose contents must not be re-indented.

A loop once fixed:

```go
for _, name := range names {
	func() {
		f, err := os.Open(name)
		check(err)
		defer f.Close()
		use(f)
	}()
}
```
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from plumber.check import Check, Edit, Finding, Fix, Severity, finding, related
from plumber.context import FileContext
from plumber.edits import indentation, line_start, newline
from plumber.scope import FUNCTION_TYPES, declared_identifiers, enclosing_function

CODE = "defer-in-loop"
QUERY = "(for_statement body: (block (statement_list (defer_statement) @defer)) @body) @loop"
JUMPS = "[(return_statement) (goto_statement) (break_statement) (continue_statement)] @jump"
LABELS = "(labeled_statement label: (label_name) @label)"
MULTILINE = "[(raw_string_literal) (comment)] @lit"
BREAKABLE = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement",
                       "select_statement"})
# The deferred call releases something: Close, Stop, cancel, os.Remove, Unlock, teardown...
RELEASE = re.compile(r"(?i)(close|stop|remove|release|free|teardown|cancel|unlock|shutdown)\w*\s*\(")
_EXIT = re.compile(r"^(panic|os\.Exit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln))\(")


def run(ctx: FileContext) -> Iterator[Finding]:
    for m in ctx.matches(QUERY):
        defer, body, loop = m["defer"][0], m["body"][0], m["loop"][0]
        stmts = next((c for c in body.named_children if c.type == "statement_list"), None)
        if stmts is None or _runs_once(ctx, stmts, loop):
            continue
        if not _uses_iteration_value(ctx, defer, stmts):
            continue
        fix = _wrap_fix(ctx, loop, body)
        call = ctx.text(defer)[len("defer"):].strip()
        if len(call) > 40 or "\n" in call:
            call = call.split("(", 1)[0] + "(...)"
        yield finding(CODE, defer, f"defer {call} in a loop runs only when the function returns, not at the end "
                                   "of each iteration: what every iteration opens stays open until then",
                      fixes=[fix] if fix else [], related=[related(loop.children[0], "the loop")],
                      end_node=defer.children[0])


def _runs_once(ctx: FileContext, stmts: Node, loop: Node) -> bool:
    """The body's last statement returns, breaks out of this loop or panics: it runs at most once."""
    last = next((c for c in reversed(stmts.named_children) if c.type != "comment"), None)
    if last is None:
        return False
    if last.type == "return_statement":
        return True
    if last.type == "break_statement" and last.named_child_count == 0:
        return True
    return last.type == "expression_statement" and bool(_EXIT.match(ctx.text(last)))


def _uses_iteration_value(ctx: FileContext, defer: Node, stmts: Node) -> bool:
    """The deferred call releases something (Close, Stop, cancel, Remove...) and mentions a name
    declared by a statement of the body before it: a resource of this iteration."""
    names: set[str] = set()
    for stmt in stmts.named_children:
        if stmt.start_byte >= defer.start_byte:
            break
        for ident in declared_identifiers(ctx.source, stmt):
            names.add(ctx.text(ident))
        if stmt.type in ("if_statement", "expression_switch_statement", "type_switch_statement"):
            init = stmt.child_by_field_name("initializer")
            if init is not None:
                names.update(ctx.text(i) for i in declared_identifiers(ctx.source, init))
    names.discard("_")
    if not names:
        return False
    text = ctx.text(defer)
    if not RELEASE.search(text):
        return False
    return any(re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", text) for n in names)


def _wrap_fix(ctx: FileContext, loop: Node, body: Node) -> Fix | None:
    if not _safe_to_wrap(ctx, loop, body):
        return None
    src = ctx.source
    open_brace, close_brace = body.children[0], body.children[-1]
    if open_brace.type != "{" or close_brace.type != "}":
        return None
    # `{` must end its line (a trailing comment may follow) and `}` start its own: gofmt's shape.
    eol = src.find(b"\n", open_brace.end_byte)
    if eol < 0 or eol >= close_brace.start_byte:
        return None
    rest = src[open_brace.end_byte:eol].strip()
    if rest and not rest.startswith(b"//"):
        return None
    close_line = line_start(src, close_brace.start_byte)
    if src[close_line:close_brace.start_byte].strip():
        return None
    nl = newline(src, open_brace.end_byte)
    first_line = src.find(b"\n", open_brace.end_byte) + 1
    inner = src[first_line:close_line].decode("utf-8", "surrogateescape")
    indent = indentation(src, close_brace)
    lines = inner.split("\n")
    out = []
    for ln in lines:
        bare = ln[:-1] if ln.endswith("\r") else ln
        out.append(("\t" + ln) if bare.strip() else ln)
    new_inner = "\n".join(out)
    text = f"{indent}\tfunc() {{{nl}{new_inner}{indent}\t}}(){nl}"
    return Fix("Wrap the loop body in func() { ... }() so that its defers run every iteration",
               (Edit(first_line, close_line, text),))


def _safe_to_wrap(ctx: FileContext, loop: Node, body: Node) -> bool:
    fn = enclosing_function(loop)
    for lit in ctx.captures(MULTILINE, body).get("lit", []):
        if b"\n" in ctx.source[lit.start_byte:lit.end_byte]:
            return False
    inner_labels = {ctx.text(n) for n in ctx.captures(LABELS, body).get("label", [])}
    for jump in ctx.captures(JUMPS, body).get("jump", []):
        if enclosing_function(jump) != fn:
            continue  # inside a nested function literal
        t = jump.type
        if t in ("return_statement", "goto_statement"):
            return False
        label = next((c for c in jump.named_children if c.type == "label_name"), None)
        if label is not None:
            if ctx.text(label) not in inner_labels:
                return False
            continue
        if _target(jump, t, body) is None:
            return False
    return True


def _target(jump: Node, kind: str, body: Node) -> Node | None:
    """The statement inside `body` that an unlabelled break/continue refers to, None when outside."""
    n = jump.parent
    while n is not None and n != body:
        if n.type in FUNCTION_TYPES:
            return None
        if n.type == "for_statement" or (kind == "break_statement" and n.type in BREAKABLE):
            return n
        n = n.parent
    return None


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run)
