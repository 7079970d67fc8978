"""a file opened with os.Open, OpenFile, Create or CreateTemp is never closed

Every open file holds a file descriptor until `Close` is called; a process
that forgets runs out of them ("too many open files") and keeps the kernel's
buffers alive meanwhile. The garbage collector's finalizer on `*os.File` is
no substitute: it runs late, or never while the file is reachable.

Flags `f, err := os.Open(...)` (also `OpenFile`, `Create`, `CreateTemp`,
with the file's import alias or a dot import) when nothing in the function
calls `f.Close()` (a `defer`, a nested closure or a goroutine counts) and `f`
does not escape: it is not returned, stored in a field, a package-level
variable or a container that escapes, sent on a channel, or passed to a
function that may take ownership. Reading through `io.ReadAll(f)`,
`bufio.NewScanner(f)` or `fmt.Fprintf(f, ...)` leaves it with the caller.
A file discarded with `_` is always a leak, unless the call is meant to
fail: a literal path that names a missing file (`os.Open("non-existing")`),
or an error check that treats success as the odd case (`if err == nil {
t.Fatal(...) }`, `if !errors.Is(err, fs.ErrNotExist)`), as tests do. A file
stored straight into a field or an element (`s.f, err = os.Create(...)`)
is the owner's to close.

Fix: `defer f.Close()` on the line after the `if err != nil { ... }` block
that follows the call (not offered inside loops, where it would pile up).

```go
f, err := os.Open(name) // want: f is never closed
if err != nil {
	return err
}
defer f.Close() // the fix
```
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from plumber.check import Check, Finding, Severity, finding
from plumber.context import FileContext
from plumber.escape import Resource
from plumber.resource import bind, calls_query, defer_fix, expects_failure, opening_calls, unreleased

CODE = "unclosed-file"
OPENERS = {"os": frozenset({"Open", "OpenFile", "Create", "CreateTemp"})}
QUERY = calls_query(OPENERS["os"])
FILE = Resource()
# A literal path that says the file is not there: `_, err := os.Open("non-existing")` wants the error.
MISSING = re.compile(r"(?i)non-?exist|not-?exist|no-?such|missing")


def run(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.imports.has("os"):
        return
    for call in opening_calls(ctx, QUERY, OPENERS):
        b = bind(ctx, call, 0)
        if b is None or not unreleased(ctx, b, FILE) or expects_failure(ctx, b):
            continue
        func = ctx.call_target(call)[1]
        if b.target is None:
            if _names_missing_file(ctx, call):
                continue
            yield finding(CODE, call, f"the file opened by os.{func} is discarded and never closed: "
                                      "its descriptor stays open until the process exits")
            continue
        name = ctx.text(b.target)
        fix = defer_fix(ctx, b, f"{name}.Close()", nil_safe=True)
        yield finding(CODE, call, f"{name} is never closed: the file descriptor opened by os.{func} "
                                  "stays open until the process exits",
                      fixes=[fix] if fix else [])


def _names_missing_file(ctx: FileContext, call: Node) -> bool:
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    return (first is not None and first.type in ("interpreted_string_literal", "raw_string_literal")
            and MISSING.search(ctx.text(first)) is not None)


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run)
