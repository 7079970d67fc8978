"""the cancel function of a derived context is discarded or never called

`context.WithCancel`, `WithTimeout`, `WithDeadline` and their `...Cause`
variants return a context and the function that cancels it. Until that
function is called, the new context stays registered with its parent (a
goroutine watches it for `WithCancel` on a foreign parent, a runtime timer
holds it for the timeout variants), so everything it references stays
alive: until the parent is cancelled, which for `context.Background()` is
never, or until the deadline passes, which may be hours away.

Flags `ctx, cancel := context.WithCancel(parent)` (and the other five
constructors, under the package's import alias or a dot import) when the
cancel function is discarded with `_`, or bound to a variable that nothing
in the function calls, defers or hands on. Passing `cancel` to another
function, storing it in a struct field or a package-level variable,
returning it, sending it on a channel or capturing it in a composite literal
make it someone else's to call: no finding.

Fix: `defer cancel()` on the line after the call, renaming `_` to `cancel`
(or to a free name such as `cancel2` when `cancel` is already used in the
function). Not offered inside loops, where the defers would pile up until
the function returns, nor for a plain assignment (`=`) of `_`, where the
new name would need a declaration.

```go
ctx, _ := context.WithTimeout(parent, time.Second) // want: the cancel function is discarded
ctx, cancel := context.WithTimeout(parent, time.Second) // the fix
defer cancel()
```

`go vet`'s `lostcancel` analyzer reports the same mistake with types and
control flow; this check needs neither and so also runs as you type, but
it does not track paths: a cancel called on one path only is not reported.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterator

from tree_sitter import Node

from plumber.check import Check, Edit, Finding, Fix, Severity, finding
from plumber.context import FileContext
from plumber.escape import Resource
from plumber.resource import bind, calls_query, defer_fix, opening_calls, unreleased
from plumber.scope import enclosing_function, inside_loop, top_level

CODE = "lost-cancel"
CONTEXT = "context"
CONSTRUCTORS = frozenset({"WithCancel", "WithTimeout", "WithDeadline",
                          "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause"})
OPENERS = {CONTEXT: CONSTRUCTORS}
QUERY = calls_query(CONSTRUCTORS)
DOT_QUERY = ("(call_expression function: (identifier) @name"
             " (#any-of? @name " + " ".join(f'"{n}"' for n in sorted(CONSTRUCTORS)) + ")) @call")
CANCEL = Resource(closers=frozenset(), called=True)


def _calls(ctx: FileContext) -> Iterator[Node]:
    yield from opening_calls(ctx, QUERY, OPENERS)
    if CONTEXT in ctx.imports.dot_paths:
        yield from opening_calls(ctx, DOT_QUERY, OPENERS)


def run(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.imports.has(CONTEXT):
        return
    for call in _calls(ctx):
        b = bind(ctx, call, 1)
        if b is None or not unreleased(ctx, b, CANCEL):
            continue
        func = ctx.call_target(call)[1]
        # Anchor the defer right after the call: the context is never nil.
        b = dataclasses.replace(b, others=())
        if b.target is None:
            fix = _rename_fix(ctx, call, b)
            yield finding(CODE, call, f"the cancel function returned by context.{func} is discarded: the context "
                                      "and everything it holds stay alive until its parent is cancelled"
                                      + (" or its deadline passes" if "Cancel" not in func else ""),
                          fixes=[fix] if fix else [])
            continue
        name = ctx.text(b.target)
        fix = defer_fix(ctx, b, f"{name}()", nil_safe=True)
        yield finding(CODE, call, f"{name} is never called: the context returned by context.{func} and "
                                  "everything it holds stay alive until its parent is cancelled"
                                  + (" or its deadline passes" if "Cancel" not in func else ""),
                      fixes=[fix] if fix else [])


def _rename_fix(ctx: FileContext, call: Node, b) -> Fix | None:
    """Name the discarded cancel function and defer it."""
    if b.stmt.type not in ("short_var_declaration", "var_declaration"):
        return None
    blank = _blank(ctx, b.stmt, call)
    if blank is None:
        return None
    fn = enclosing_function(call)
    if fn is None or inside_loop(b.stmt, fn) is not None:
        return None
    name = free_name(ctx, call, "cancel")
    named = dataclasses.replace(b, target=blank)
    fix = defer_fix(ctx, named, f"{name}()", nil_safe=True)
    if fix is None:
        return None
    edits = (Edit(blank.start_byte, blank.end_byte, name),) + fix.edits
    return Fix(f"Name the cancel function {name} and defer {name}()", edits)


def _blank(ctx: FileContext, stmt: Node, call: Node) -> Node | None:
    """The `_` that receives the cancel function (second name on the left)."""
    if stmt.type == "short_var_declaration":
        left = stmt.child_by_field_name("left")
        names = left.named_children if left is not None else []
    else:
        spec = call.parent
        while spec is not None and spec.type != "var_spec":
            spec = spec.parent
        names = spec.children_by_field_name("name") if spec is not None else []
    if len(names) != 2 or ctx.text(names[1]) != "_":
        return None
    return names[1]


def free_name(ctx: FileContext, node: Node, base: str) -> str:
    """`base`, or `base2`, `base3`...: the first name not used anywhere in the declaration holding `node`."""
    text = ctx.text(top_level(node))
    for i in range(1, 100):
        name = base if i == 1 else f"{base}{i}"
        if not re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) and ctx.imports.path_of(name) is None:
            return name
    return base + "_"


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run)
