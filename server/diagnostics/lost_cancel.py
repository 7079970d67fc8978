"""the cancel function of a derived context is discarded or not called on every path

`context.WithCancel`, `WithTimeout`, `WithDeadline` and their `...Cause`
variants return a context and the function that cancels it. Until that
function is called, the new context stays registered with its parent (a
goroutine watches it for `WithCancel` on a foreign parent, a runtime timer
holds it for the timeout variants), so everything it references stays
alive: until the parent is cancelled, which for `context.Background()` is
never, or until the deadline passes, which may be hours away.

Flags the cancel function (a `context.CancelFunc` or `CancelCauseFunc`
result of the standard library's constructors, of `golang.org/x/net/context`,
or of the module's own functions that return a fresh one) when it is
discarded with `_`, or not called (or deferred) on every path from the call
to the function's return. Passing `cancel` to a function that calls or
keeps it, storing it in a struct field or a package-level variable,
returning it, sending it on a channel or capturing it in a composite literal
make it someone else's to call: no finding. A cancel deferred in a closure
that calls it only under `if err != nil` (`err` the function's named error
result) does not run when the function returns `..., nil`: such a return
leaks the context (grpc-go's ALTS handshake leaked one per successful
handshake so); a bare `return` or an error value returned may fail, and
counts as cancelled.

Also flags a cancel function stored in a struct field (`ctx, s.cancel =
context.WithCancel(...)`, `s.cancel = cancel`, `&job{cancel: cancel}`)
when no file of the package ever reads a field of that name (`s.cancel()`,
`defer j.cancel()`, `f := s.cancel`): stored, it is nobody's to call.
Test files are not read for the call (production code must cancel its own
contexts); any read of the field name, on any type, keeps it silent. No fix:
where to call it is the program's design.

Fix: `defer cancel()` on the line after the call (`defer cancel(nil)` for a
`CancelCauseFunc`), renaming `_` to `cancel` (or to a free name such as
`cancel2` when `cancel` is already used in the function). Not offered inside
loops, where the defers would pile up until the function returns, nor for a
plain assignment (`=`) of `_`, where the new name would need a declaration.

```go
ctx, _ := context.WithTimeout(parent, time.Second) // want: the cancel function is discarded
ctx, cancel := context.WithTimeout(parent, time.Second) // the fix
defer cancel()
```

`go vet`'s `lostcancel` analyzer reports the same mistake with types and
control flow; this check runs as you type and also follows the module's
own functions.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.leak_finder import Leak
from plumber.analysis.leaks import LEAKS, leak_fix, leaks_of, witness_related
from plumber.analysis.resources import defer_fix
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity, finding
from plumber.syntax.nodes import enclosing_function, inside_loop, top_level

CODE = "lost-cancel"


def _deadline(leak: Leak) -> str:
    """What else ends the context: its deadline, for the timeout and deadline variants."""
    name = leak.callee.rsplit(".", 1)[-1]
    return " or its deadline passes" if "Timeout" in name or "Deadline" in name else ""


# Selector fields read (anything but the left of an assignment) and the context constructors.
FIELDS = "(selector_expression field: (field_identifier) @f) @sel"
STORES = "[(assignment_statement) @assign (keyed_element) @keyed]"
CONSTRUCTORS = frozenset({"WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause",
                          "WithDeadlineCause"})  # fmt: skip
CONTEXT_PATHS = ("context", "golang.org/x/net/context")


def summarize(ctx: FileContext) -> frozenset[str]:
    """The field names the file reads (calls, defers, copies): a stored cancel function of that name may be
    called."""
    out = set()
    for m in ctx.matches(FIELDS):
        sel = m["sel"][0]
        up = sel.parent
        holder = up.parent if up is not None and up.type == "expression_list" else None
        if holder is not None and holder.type == "assignment_statement" and holder.child_by_field_name("left") == up:
            continue  # `s.cancel = cancel`: a store, not a read
        out.add(ctx.text(m["f"][0]))
    return frozenset(out)


def _read_fields(ctx: FileContext) -> set[str]:
    got = set(summarize(ctx))
    if ctx.package is not None:
        for value in ctx.package.summaries(CHECK).values():
            got |= set(value or ())
    return got


def _constructor(ctx: FileContext, node: Node | None) -> str | None:
    """`context.WithCancel` (and the others), by their name, when `node` is a call to one."""
    if node is None or node.type != "call_expression":
        return None
    target = ctx.call_target(node)
    if target is None or target[0] not in CONTEXT_PATHS or target[1] not in CONSTRUCTORS:
        return None
    return f"context.{target[1]}"


def _cancel_locals(ctx: FileContext, fn: Node) -> dict[int, str]:
    """Offsets of the declarations of local cancel functions (`ctx, cancel := context.WithCancel(...)`)."""
    out: dict[int, str] = {}
    for decl in ctx.captures("(short_var_declaration) @d", fn).get("d", []):
        right = decl.child_by_field_name("right")
        left = decl.child_by_field_name("left")
        vals = right.named_children if right is not None else []
        names = left.named_children if left is not None else []
        if len(vals) == 1 and len(names) == 2 and (made := _constructor(ctx, vals[0])) is not None:
            out[names[1].start_byte] = made
    return out


def _stored_in_fields(ctx: FileContext) -> Iterator[tuple[Node, str, str]]:
    """(node, field, constructor) for each cancel function stored in a struct field."""
    from plumber.analysis.scope import declaration_of

    locals_by_fn: dict[int, dict[int, str]] = {}

    def local_cancel(ident: Node) -> str | None:
        if ident.type != "identifier":
            return None
        fn = enclosing_function(ident)
        if fn is None:
            return None
        table = locals_by_fn.setdefault(fn.start_byte, _cancel_locals(ctx, fn))
        decl = declaration_of(ctx.source, ident)
        made = table.get(decl.start_byte) if decl is not None else None
        if made is not None and re.search(rf"(?<![\w.]){re.escape(ctx.text(ident))}\s*\(", ctx.text(fn)):
            return None  # the local itself is called (`defer ccancel()`): the field is a copy
        return made

    for m in ctx.matches(STORES):
        if "assign" in m:
            node = m["assign"][0]
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            lhs = left.named_children if left is not None else []
            rhs = right.named_children if right is not None else []
            if len(lhs) == 2 and len(rhs) == 1 and lhs[1].type == "selector_expression":
                made = _constructor(ctx, rhs[0])
                if made is not None:
                    yield node, ctx.text(lhs[1].child_by_field_name("field")), made
            elif len(lhs) == len(rhs):
                for target, value in zip(lhs, rhs, strict=True):
                    if target.type == "selector_expression" and (made := local_cancel(value)) is not None:
                        yield node, ctx.text(target.child_by_field_name("field")), made
        else:
            node = m["keyed"][0]
            kids = node.named_children
            if len(kids) == 2:
                key, value = kids
                key_id = key.named_children[0] if key.type == "literal_element" and key.named_children else key
                value_id = (
                    value.named_children[0] if value.type == "literal_element" and value.named_children else value
                )
                if key_id.type in ("field_identifier", "identifier") and (made := local_cancel(value_id)) is not None:
                    yield node, ctx.text(key_id), made


def run(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.is_test_file and any(ctx.imports.has(p) for p in CONTEXT_PATHS):
        read: set[str] | None = None
        for node, field, made in _stored_in_fields(ctx):
            if read is None:
                read = _read_fields(ctx)
            if field in read:
                continue
            yield finding(CODE, node, f"the cancel function returned by {made} is stored in the field {field}, "
                                      "which nothing in the package calls: the context and everything it holds "
                                      "stay alive until its parent is cancelled")  # fmt: skip
    for leak in leaks_of(ctx, CODE):
        b = dataclasses.replace(leak.binding, others=())  # the defer goes right after the call: never nil
        if b.target is None:
            fix = _rename_fix(ctx, leak.call, b, leak.kind.release_text)
            yield finding(
                CODE,
                leak.call,
                f"the cancel function returned by {leak.callee} is discarded: the context "
                f"and everything it holds stay alive until its parent is cancelled{_deadline(leak)}",
                fixes=[fix] if fix else [],
            )
            continue
        name = ctx.text(b.target)
        fix = leak_fix(ctx, leak)
        if leak.witness is None:
            message = (f"{name} is never called: the context returned by {leak.callee} and everything it holds "
                       f"stay alive until its parent is cancelled{_deadline(leak)}")  # fmt: skip
        else:
            message = (
                f"{name} is not called on every path: when the function returns this way the context "
                f"returned by {leak.callee} stays alive until its parent is cancelled{_deadline(leak)}"
            )
        yield finding(CODE, leak.call, message, fixes=[fix] if fix else [],
                      related=witness_related(ctx, leak, "called"))  # fmt: skip


def _rename_fix(ctx: FileContext, call: Node, b, release) -> Fix | None:
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
    fix = defer_fix(ctx, named, release(name), nil_safe=True)
    if fix is None:
        return None
    edits = (Edit(blank.start_byte, blank.end_byte, name),) + fix.edits
    return Fix(f"Name the cancel function {name} and defer {release(name)}", edits)


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


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run, category=Category.RESOURCE,
              fix=FixAvailability.SOMETIMES, requires=(LEAKS,), package_wide=True, summarize=summarize,
              evidence=frozenset({"goroutine", "heap"}))  # fmt: skip
