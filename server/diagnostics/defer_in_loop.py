"""a defer in a loop body runs only when the function returns

A deferred call runs when the surrounding *function* returns, not at the end
of the loop iteration. A `defer f.Close()` in the body of a `for` loop keeps
every file (connection, lock, response body) of every iteration open until
the whole loop, and the rest of the function, is done, and allocates a defer
record per iteration: seed 000's `ReadFile` loop runs out of file
descriptors on a long list.

Flags a `defer` statement anywhere in a `for` loop's body (also nested in an
`if`, `switch` or `select` inside it; not inside a function literal:
`for ... { func() { defer f.Close() }() }` is the cure, not the disease)
that can run more than once: a defer followed, in its block or a block
around it inside the body, by a `return`, a `break` out of this loop or a
panic (or an `if` whose branches all end so) runs at most once.

- **warning** when the deferred call releases a resource of this iteration:
  a `Close`, `Stop`, `cancel`, `Release`, `Free`, `Unlock`, `Shutdown`,
  `teardown` (any case, any suffix) of a value the body declared before the
  defer (the file opened in this iteration, say).
- **information** otherwise: a `defer wg.Done()`, `defer println(i)` or a
  `defer os.Remove(name)` in a loop piles up one deferred call per
  iteration, a surprise worth a note, not an alarm (a removal holds nothing
  open). Not in test files, whose deferred restores in a loop (`defer
  Setenv(...)`, `defer Chmod(d, 0777)`, the defer tests of the runtime) are
  postponed on purpose, nor in `package main` but for an endless `for { }`
  (a command's loop over its input piles them up for one run).

"Releases" is read from the call: a `Close`, `Stop`, `cancel`... whose
receiver (`f.Close()`, `resp.Body.Close()`), function (`cancel()`) or
argument (`close(ch)`, `syscall.Close(fd)`) is the body's own value.

Silent where the defer is what the code means:

- the deferred values outlive the iteration: the resource (or a value made
  from it, `ts.URL`, `cli.Watch(ctx)`) is appended to a container, stored in
  a variable, field or element declared outside the body, sent on a
  channel, or used by a goroutine started in the body; the function's end is
  when it must be released;
- the loop's purpose is to hold them: the loop is all a function literal
  called on the spot does (`func() { for ... }()`, the defers scoped to the
  loop on purpose), or all the function does after the loop is wait (`<-stop`,
  `wg.Wait()`, `select {}`) and return, and the body does nothing with the
  resource but acquire it and defer its release (holding `n` connections
  open at once, until told to stop);
- a comment on the defer's line says so (`defer ln.Close() // yup, defer in
  a loop`, in the runtime's tests);
- the release is also called later in the same iteration, outside the
  defer: the defer covers only the failure paths (`defer w.Close()` ...
  `w.Close()`);
- the process exits right after the loop (`os.Exit`, `log.Fatal`, in the
  function's straight-line flow): the defers never run, and the exit
  releases what the iterations hold;
- the loops around the defer run it a handful of times in all, at most 8,
  as the syntax shows: `for i := 0; i < 5; i++` (retries), `for range 3`, a
  `range` over a composite literal of at most 8 elements, in place or in a
  variable declared with it (or declared empty) that nothing replaces and
  nothing appends to but one-element appends outside loops, each counted
  (net's two probe sockets, a generator's four output files, time's two
  zoneinfo roots), or a parameter of an unexported function, never set in
  its body, to which every call in the package passes such a literal
  (template's `createTestDir` of two or three files); or the defer sits in a
  lazy first-use setup, `if v == nil { v = ...; defer ... }` with `v`
  declared outside the loops and never set back to nil in them, which runs
  once (cmd/compile's write barrier pass);
- the loop releases values it did not create (`for _, c := range closers {
  defer c.Close() }`, the idiom that postpones all of them to the
  function's end on purpose);
- the released values are decompressors (`gzip.NewReader`, `flate`, `lzw`,
  `zlib`), whose Close releases only memory: it does not close the reader
  they read from; or the cancel of a context nobody keeps, made from
  `context.Background()` or `TODO()` (`_, cancel := context.WithCancel(...)`),
  which registers with no parent and starts nothing.

Fix: wrap the loop body in a function literal called on the spot,
`func() { ... }()`, so that its defers run at the end of each iteration.
Offered for warnings only, and marked safe only when the model shows that no
value of the deferred resource is used after the iteration (passed only to
the standard library's functions that leave it with the caller, to the
module's functions whose summary says so, to a test's `t.Log`/`t.Fatal`)
and the body holds no `return`, `goto`, `break` or `continue` of its own (a
`break` out of a nested `switch`, `select` or loop, a `continue` of a nested
loop, a `return` inside a nested function literal, and a labelled
`break`/`continue` whose label is inside the body too are fine): inside the
literal they would mean something else or not compile. Where the
resource is passed to a function the model does not know, the fix is
offered but not applied by "fix all". The body is re-indented by one tab,
as gofmt would; no fix when the body holds a raw string literal or a block
comment spanning lines, whose contents must not be re-indented.

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
from collections.abc import Iterator
from dataclasses import replace

from tree_sitter import Node

from plumber.analysis import call_arguments
from plumber.analysis.context import FileContext
from plumber.analysis.deferred_values import LoopBody
from plumber.analysis.edits import indentation, line_start, newline
from plumber.analysis.lifetime import LIFETIME, Lifetime
from plumber.analysis.local_types import TYPES
from plumber.analysis.loop_bounds import SMALL_LOOP, once_guarded, small_bound
from plumber.analysis.model.infer import LocalTypes
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity, finding, related
from plumber.syntax.exits import is_exit_text
from plumber.syntax.nodes import (
    FUNCTION_TYPES,
    break_target,
    called_in_place,
    enclosing_function,
    inside_loop,
    statements_of,
)

CODE = "defer-in-loop"
QUERY = "(defer_statement) @defer"
JUMPS = "[(return_statement) (goto_statement) (break_statement) (continue_statement)] @jump"
LABELS = "(labeled_statement label: (label_name) @label)"
MULTILINE = "[(raw_string_literal) (comment)] @lit"
BREAKABLE = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"})
REMOVE = re.compile(r"(?i)\bremove(all)?\s*\(")


def run(ctx: FileContext) -> Iterator[Finding]:
    types: LocalTypes = ctx.result(TYPES)
    life: Lifetime = ctx.result(LIFETIME)
    for defer in ctx.captures(QUERY).get("defer", []):
        fn = enclosing_function(defer)
        if fn is None:
            continue
        loop = inside_loop(defer, fn)
        if loop is None:
            continue
        body = loop.child_by_field_name("body")
        if body is None or _runs_once(ctx, defer, body, loop) or _few_times(ctx, defer, loop, fn):
            continue
        if _acknowledged(ctx, defer):
            continue  # `defer ln.Close() // yup, defer in a loop`: its author says so
        if life.before_exit(loop):
            continue  # `os.Exit` right after the loop: the defers never run, the exit releases it all
        scan = LoopBody(ctx, types, body, fn)
        text = ctx.text(defer)
        own = scan.declared_before(defer)
        removes = REMOVE.search(text) is not None
        released = scan.released_values(defer)  # the names a release call of the defer acts on
        releases = bool(released) and not removes
        mentioned = released & own
        if not mentioned and releases:
            continue  # `for _, c := range closers { defer c.Close() }`: postponed to the end on purpose
        if not (mentioned and releases) and ctx.is_test_file:
            continue  # a test's deferred restores (Setenv, Chmod, wg.Wait) in a loop: postponed on purpose
        if mentioned and releases:
            tracked = scan.derived(mentioned)
            held = (_scoped_loop(loop, fn) or _waits_after(ctx, loop, fn)) and scan.only_held(mentioned, defer)
            if held or scan.outlives(tracked, defer) or scan.released_later(defer) or scan.frees_nothing(mentioned):
                continue
        warn = bool(mentioned) and releases
        if not warn and ctx.package_name == "main" and _has_clause(loop):
            continue  # a command's loop over its input: the calls pile up for one run of the program
        call = text[len("defer") :].strip()
        if len(call) > 40 or "\n" in call:
            call = call.split("(", 1)[0] + "(...)"
        fixes: list[Fix] = []
        if warn:
            fix = _wrap_fix(ctx, loop, body)
            if fix is not None:
                fixes.append(fix if scan.stays_local(scan.derived(mentioned), defer) else replace(fix, safe=False))
            message = (f"defer {call} in a loop runs only when the function returns, not at the end "
                       "of each iteration: what every iteration opens stays open until then")  # fmt: skip
        elif removes:
            message = (f"defer {call} in a loop runs only when the function returns, not at the end of each "
                       "iteration: what every iteration creates is removed only then")  # fmt: skip
        else:
            message = (f"defer {call} in a loop runs only when the function returns, not at the end of each "
                       "iteration: one deferred call per iteration piles up until then")  # fmt: skip
        yield finding(
            CODE,
            defer,
            message,
            fixes=fixes,
            related=[related(loop.children[0], "the loop")],
            end_node=defer.children[0],
            severity=Severity.WARNING if warn else Severity.INFORMATION,
        )


def _has_clause(loop: Node) -> bool:
    """A `for` with a range, a three-part clause or a condition: not `for { ... }`."""
    return any(c.type != "block" and c.type != "comment" for c in loop.named_children)


def _few_times(ctx: FileContext, defer: Node, loop: Node, fn: Node) -> bool:
    """The loops around the defer run it at most SMALL_LOOP times in all (a few fixed cases, retries,
    probes), or it sits in a lazy first-use setup that runs once."""
    loops = [loop]
    while (up := inside_loop(loops[-1], fn)) is not None:
        loops.append(up)
    outermost = loops[-1].child_by_field_name("body")
    if outermost is not None and once_guarded(ctx, defer, outermost):
        return True
    total = 1
    for lp in loops:
        bound = small_bound(ctx, lp, lambda name, index: _callers_bound(ctx, name, index))
        if bound is None:
            return False
        total *= bound
    return total <= SMALL_LOOP


def _callers_bound(ctx: FileContext, name: str, index: int) -> int | None:
    """The largest literal every caller of `name` in the package passes at argument `index` (None: unknown)."""
    if ctx.package is None:
        return None
    return call_arguments.literal_bound(ctx.package.callers(CHECK).values(), name, index)


def _runs_once(ctx: FileContext, defer: Node, body: Node, loop: Node) -> bool:
    """After the defer, its block (or a block around it, inside the body) returns, breaks out of this loop or
    panics on the straight path: the defer runs at most once."""
    n: Node | None = defer
    while n is not None and n != body:
        up = n.parent
        if up is not None and up.type in ("block", "statement_list"):
            sib = n.next_named_sibling
            while sib is not None:
                if sib.type == "continue_statement" or (sib.type != "comment" and _may_continue(ctx, sib, loop)):
                    break
                if _leaves(ctx, sib, loop):
                    return True
                sib = sib.next_named_sibling
        n = up
    return False


def _leaves(ctx: FileContext, stmt: Node, loop: Node) -> bool:
    """`stmt` always returns, breaks out of `loop` or exits (Go's terminating statements, for these ends)."""
    if stmt.type == "return_statement" or stmt.type == "goto_statement":
        return True
    if stmt.type == "block":
        last = _last_statement(stmt)
        return last is not None and _leaves(ctx, last, loop)
    if stmt.type == "if_statement":
        # `if err == nil { ...; return b, nil } else { ...; return false, err }`: both ways leave
        branches = [stmt.child_by_field_name("consequence"), stmt.child_by_field_name("alternative")]
        return all(b is not None and _leaves(ctx, b, loop) for b in branches)
    if stmt.type == "break_statement":
        if stmt.named_child_count:  # a labelled break: out of this loop only when the label is the loop's
            label = loop.parent
            return (label is not None and label.type == "labeled_statement"
                    and ctx.text(label.named_children[0]) == ctx.text(stmt.named_children[0]))  # fmt: skip
        return break_target(stmt) == loop
    return stmt.type == "expression_statement" and is_exit_text(ctx.text(stmt))


def _last_statement(block: Node) -> Node | None:
    stmts = statements_of(block)
    return stmts[-1] if stmts else None


def _may_continue(ctx: FileContext, stmt: Node, loop: Node) -> bool:
    """A statement holding a `continue` of this loop: the straight path may skip what follows."""
    for jump in ctx.captures("(continue_statement) @c", stmt).get("c", []):
        if enclosing_function(jump) == enclosing_function(loop) and inside_loop(jump) == loop:
            return True
    return False


def _scoped_loop(loop: Node, fn: Node) -> bool:
    """The loop is all a function literal called on the spot does (`func() { for ... }()`): its author scoped the
    defers to the loop, to hold every iteration's value until it ends."""
    if fn.type != "func_literal" or not called_in_place(fn):
        return False
    stmts = statements_of(fn.child_by_field_name("body"))
    return len(stmts) == 1 and stmts[0] == loop


# `<-stop`, `wg.Wait()`, `select {}`: a statement that only waits
_WAIT = re.compile(r"<-\s*[\w.]+|[\w.]+\.Wait\(\)|select\s*\{\s*\}")
_ACKNOWLEDGED = re.compile(r"(?i)\bdefer\w*\s+in(side)?\s+(a|the|this)\s+loop\b")


def _waits_after(ctx: FileContext, loop: Node, fn: Node) -> bool:
    """After the loop, the function only waits (a receive, a `Wait()`, `select {}`) and returns: it holds
    every iteration's value on purpose until told to stop (a test server keeping `n` connections open)."""
    rest = statements_of(fn.child_by_field_name("body"))
    if loop not in rest:
        return False
    after = [s for s in rest[rest.index(loop) + 1 :] if s.type != "comment"]
    if after and after[-1].type == "return_statement" and not after[-1].named_children:
        after = after[:-1]
    return bool(after) and all(s.type in ("expression_statement", "select_statement") and
                               _WAIT.fullmatch(ctx.text(s)) for s in after)  # fmt: skip


def _acknowledged(ctx: FileContext, defer: Node) -> bool:
    """A comment on the defer's line names it a defer in a loop: its author knows (the runtime's own tests)."""
    src = ctx.source
    eol = src.find(b"\n", defer.end_byte)
    tail = src[defer.end_byte : eol if eol >= 0 else len(src)].decode("utf-8", "replace").strip()
    return tail.startswith("//") and _ACKNOWLEDGED.search(tail) is not None


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
    rest = src[open_brace.end_byte : eol].strip()
    if rest and not rest.startswith(b"//"):
        return None
    close_line = line_start(src, close_brace.start_byte)
    if src[close_line : close_brace.start_byte].strip():
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
    return Fix(
        "Wrap the loop body in func() { ... }() so that its defers run every iteration",
        (Edit(first_line, close_line, text),),
    )


def _safe_to_wrap(ctx: FileContext, loop: Node, body: Node) -> bool:
    fn = enclosing_function(loop)
    for lit in ctx.captures(MULTILINE, body).get("lit", []):
        if b"\n" in ctx.source[lit.start_byte : lit.end_byte]:
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


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.RESOURCE,
    fix=FixAvailability.SOMETIMES,
    requires=(TYPES, LIFETIME),
    package_wide=True,  # a loop over a parameter is bounded by what the package's callers pass
    summarize=call_arguments.summarize,
    summary_on_demand=True,
)
