"""a network connection, listener, database handle or gRPC connection is not closed on every path

Connections hold a socket (and, for gRPC, goroutines and buffers) until
`Close` is called; database rows hold a pooled connection until they are
closed or read to the end, prepared statements hold server-side state, and
a transaction holds its connection until `Commit` or `Rollback`. A function
that opens one and forgets it leaks one per call; seed 001's case is a gRPC
connection opened inside a goroutine and never closed.

Flags a call that opens one (its result is a `net.Conn`, `net.Listener`,
`net.PacketConn` or one of their concrete types, a `*tls.Conn`, a
`*sql.Rows`, `*sql.Stmt`, `*sql.Conn` or `*sql.Tx`, a
`*grpc.ClientConn`; the standard library's dialers, listeners, `Accept`,
`Query`, `Prepare`, `Begin`..., and the module's own functions that return a
fresh one) when it is not released on every path from the call to the
function's return. The `*sql.DB` a query runs on may be declared anywhere in
the package. A path on which the call failed (`if err != nil`) needs
nothing. A value handed on is someone else's: returned, stored in a field,
a package-level variable or a container that escapes, sent on a channel,
passed to a function that takes it (`http.Serve(l, h)`, a module function
that closes or keeps it; a function the model cannot read only borrows a
value whose release the function defers itself). Handing a gRPC connection to a generated stub
(`pb.NewGreeterClient(conn)`) does not count as handing it on unless the
stub escapes: a stub used and dropped in the function leaves its
connection open for ever. Rows and statements made through a `*sql.Tx`
(`tx.Query`, `tx.Prepare`, a statement of it) are closed when the
transaction ends, and a transaction begun on a context the function cancels
is rolled back by the cancellation: neither is reported on its own. A
result discarded with `_` is a leak, unless the call is meant to fail: the
error check after it reports success as the test's failure
(`if err == nil { t.Fatal(...) }`, `if !errors.Is(err, ErrClosed)`). In a
test, `Accept` on a listener nobody can dial is not flagged: made in the
function on port 0 (or by a helper given only a network name), its address
never read and the listener never handed on, only accepted on, given a
deadline and closed (net's timeout tests): it returns only errors.

Fix: `defer x.Close()` (`defer tx.Rollback()` for a transaction: a no-op
after `Commit`) after the `if err != nil { ... }` block that follows the
call, offered only when that block leaves the function (a failed open
returns a nil value), and not inside loops.

```go
conn, err := net.Dial("tcp", addr) // want: conn is never closed
if err != nil {
    return err
}
defer conn.Close() // the fix
```
"""

from __future__ import annotations

from collections.abc import Iterator

from plumber.analysis.context import FileContext
from plumber.analysis.leak_finder import Leak
from plumber.analysis.leaks import LEAKS, leak_fix, leaks_of, witness_related
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Severity, finding

CODE = "unclosed-conn"
CONSEQUENCE = {
    "rows": "its database connection is not returned to the pool",
    "statement": "its prepared statement stays allocated on the server and in the pool",
    "listener": "its port and socket stay bound",
    "transaction": "its database connection stays held until it commits or rolls back",
    "database connection": "it is not returned to the pool",
}


def run(ctx: FileContext) -> Iterator[Finding]:
    for leak in leaks_of(ctx, CODE):
        b = leak.binding
        what = leak.kind.what
        consequence = CONSEQUENCE.get(what, "its socket and buffers stay allocated")
        if what == "pipe end":
            yield _pipe(ctx, leak)
            continue
        if b.target is None:
            yield finding(CODE, leak.call, f"the {what} opened by {leak.callee} is discarded and never closed: "
                                           f"{consequence}")  # fmt: skip
            continue
        name = ctx.text(b.target)
        fix = leak_fix(ctx, leak)
        verb = "stay" if what == "rows" else "stays"
        released = "closed" if what != "transaction" else "committed or rolled back"
        if leak.witness is None:
            message = f"{name} is never {released}: the {what} opened by {leak.callee} {verb} open; {consequence}"
        else:
            message = (f"{name} is not {released} on every path: when the function returns this way the {what} "
                       f"opened by {leak.callee} {verb} open")  # fmt: skip
        yield finding(CODE, leak.call, message, fixes=[fix] if fix else [],
                      related=witness_related(ctx, leak, released))  # fmt: skip


def _pipe(ctx: FileContext, leak: Leak) -> Finding:
    end = "read" if leak.index == 0 else "write"
    b = leak.binding
    if b.target is None:
        return finding(CODE, leak.call, f"the {end} end of os.Pipe is discarded and never closed: its file "
                                        "descriptor stays open until the process exits")  # fmt: skip
    name = ctx.text(b.target)
    fix = leak_fix(ctx, leak)
    how = "never closed" if leak.witness is None else "not closed on every path"
    return finding(CODE, leak.call, f"{name} is {how}: the {end} end of os.Pipe keeps its file descriptor open "
                                    "until the process exits", fixes=[fix] if fix else [],
                   related=witness_related(ctx, leak, "closed"))  # fmt: skip


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run, category=Category.RESOURCE,
              fix=FixAvailability.SOMETIMES, requires=(LEAKS,), package_wide=True)  # fmt: skip
