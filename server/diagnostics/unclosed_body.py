"""an HTTP response body is not closed on every path

Until `resp.Body.Close()` is called, the response's connection cannot go
back to the pool and its read buffers stay allocated; a client making many
requests leaks a connection (and a goroutine pair) per request.

Flags a call that returns an `*http.Response` the caller owns (`http.Get`,
`Head`, `Post`, `PostForm`, the same methods and `Do` of an `*http.Client`,
`Transport.RoundTrip`, and the module's own functions that return a fresh
response) when its Body is not closed on every path from the call to the
function's return. A path on which the request failed (`if err != nil`)
needs no close: the response is nil there. Reading the body with
`io.ReadAll`, `io.Copy` or `json.NewDecoder` does not close it. A response
handed on (returned, stored, passed to a function that takes or closes it)
is someone else's; passed to a function the model cannot read (another
module's, a function value) while the function defers the Close itself, it
is only lent (`defer resp.Body.Close()` ... `decode(resp.Body)`), so an early
return before that defer leaks it. A response discarded with `_` always leaks, unless the
request is meant to fail: the error check after it reports success as the
test's failure (`if err == nil { t.Fatal(...) }`, `err.Error()` read with no
nil check, the error's text compared with the message the test wants).
A HEAD request (`Head`, or `Do`/`RoundTrip` of a request built by
`http.NewRequest("HEAD", ...)` and never changed) is not flagged: `net/http`
gives its response `http.NoBody` and reuses the connection at once; only a
custom `RoundTripper` could return a real body, which the model cannot see.
Nor is `t.RoundTrip(req)` over a transport the function makes with dials that
return a connection it builds itself (a fake, no network), when every HTTP
status line the function scripts is a 1xx, 204 or 304: such a response has
no body by the protocol (httputil's `DumpRequestOut`).
A response recorded by `httptest` holds its body in memory: not flagged.

Fix: `defer resp.Body.Close()` after the error check that follows the call;
offered only when that check leaves the function, since `resp` is nil when
the request failed.

```go
resp, err := http.Get(url) // want: resp.Body is never closed
if err != nil {
    return err
}
defer resp.Body.Close() // the fix
```
"""

from __future__ import annotations

from collections.abc import Iterator

from plumber.analysis.context import FileContext
from plumber.analysis.leaks import LEAKS, leak_fix, leaks_of, witness_related
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Severity, finding

CODE = "unclosed-body"


def run(ctx: FileContext) -> Iterator[Finding]:
    for leak in leaks_of(ctx, CODE):
        b = leak.binding
        if b.target is None:
            yield finding(CODE, leak.call, "the response is discarded and its Body never closed: the connection "
                                           "is not reused and its buffers stay allocated")  # fmt: skip
            continue
        var = ctx.text(b.target)
        fix = leak_fix(ctx, leak)
        if leak.witness is None:
            message = f"{var}.Body is never closed: the connection is not reused and its buffers stay allocated"
        else:
            message = (f"{var}.Body is not closed on every path: when the function returns this way the "
                       "connection is not reused")  # fmt: skip
        yield finding(CODE, leak.call, message, fixes=[fix] if fix else [],
                      related=witness_related(ctx, leak, "closed the body of"))  # fmt: skip


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run, category=Category.RESOURCE,
              fix=FixAvailability.SOMETIMES, requires=(LEAKS,), package_wide=True)  # fmt: skip
