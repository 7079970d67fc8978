"""a file is opened and not closed on every path

Every open file holds a file descriptor until `Close` is called; a process
that forgets runs out of them ("too many open files") and keeps the kernel's
buffers alive meanwhile. The garbage collector's finalizer on `*os.File` is
no substitute: it runs late, or never while the file is reachable.

Flags a call that opens a file (its result is an `*os.File` or a
`*zip.ReadCloser`: `os.Open`, `OpenFile`, `Create`, `CreateTemp`,
`ioutil.TempFile`, `zip.OpenReader`, and the module's own
functions that return a fresh one, in this file, another file or another
package of the module) when the file is not closed on every path from the
open to the function's return: never closed at all, closed on one branch
only, or replaced by another open before it was closed. A path on which the
open failed (`if err != nil { return err }`) needs no close. A file handed
on is someone else's to close: returned (on that path only: outside tests,
a function that returns the file on success and drops it on a later error
return leaks it there; no fix then), stored in a field, a package-level
variable or a container that escapes, sent on a channel, or passed to a
function that takes it (the module's functions are read to tell; unknown
functions count as taking it, unless the function defers the close itself:
then they only borrow the file). A close deferred in a closure that runs it
only under `if err != nil` (`err` the named error result) covers the failing
returns, not a `return ..., nil` that leaves the file unreturned. Reading through `io.ReadAll(f)`,
`bufio.NewScanner(f)`, `fmt.Fprintf(f, ...)` or a module function that only
reads leaves it with the caller. A file discarded with `_` is always a leak,
unless the call is meant to fail: a literal path that names a missing file
(`os.Open("non-existing")`), or an error check that treats success as the
odd case (`if err == nil { t.Fatal(...) }`), as tests do.

Fix: `defer f.Close()` on the line after the `if err != nil { ... }` block
that follows the call (not offered inside loops, where it would pile up).
Where some path already closes the file the fix is offered but not applied
by fix-all: moving every close to the end of the function is a change the
author should read.

```go
f, err := os.Open(name) // want: f is never closed
if err != nil {
    return err
}
defer f.Close() // the fix
```
"""

from __future__ import annotations

from collections.abc import Iterator

from plumber.analysis.context import FileContext
from plumber.analysis.leaks import LEAKS, leak_fix, leaks_of, witness_related
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Severity, finding

CODE = "unclosed-file"


def run(ctx: FileContext) -> Iterator[Finding]:
    for leak in leaks_of(ctx, CODE):
        b = leak.binding
        what = f"the file descriptor opened by {leak.callee}"
        if b.target is None:
            yield finding(CODE, leak.call, f"the file opened by {leak.callee} is discarded and never closed: its "
                                           "descriptor stays open until the process exits")  # fmt: skip
            continue
        name = ctx.text(b.target)
        fix = leak_fix(ctx, leak)
        if leak.witness is None:
            message = f"{name} is never closed: {what} stays open until the process exits"
        else:
            message = f"{name} is not closed on every path: {what} stays open when the function returns this way"
        yield finding(CODE, leak.call, message, fixes=[fix] if fix else [],
                      related=witness_related(ctx, leak, "closed"))  # fmt: skip


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run, category=Category.RESOURCE,
              fix=FixAvailability.SOMETIMES, requires=(LEAKS,), package_wide=True)  # fmt: skip
