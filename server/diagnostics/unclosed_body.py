"""an HTTP response body is never closed

Until `resp.Body.Close()` is called, the response's connection cannot go
back to the pool and its read buffers stay allocated; a client making many
requests leaks a connection (and a goroutine pair) per request.

Flags `resp, err := http.Get/Head/Post/PostForm(...)` and the same methods
and `Do` on a client (`http.DefaultClient`, a `http.Client` the function
declares or receives, or any receiver whose result is used as a response:
`resp.Body`, `resp.StatusCode`, `resp.Header`) when nothing calls
`resp.Body.Close()` and neither `resp` nor `resp.Body` escapes. Reading the
body with `io.ReadAll`, `io.Copy` or `json.NewDecoder` does not close it.
A response discarded with `_` always leaks, unless the request is meant
to fail (`if err == nil { t.Fatal(...) }` right after it). `Head` is
flagged too: `Client.Do` promises a non-nil Body "which the user is
expected to close", and a custom `RoundTripper` may well return a real one.

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

import re
from typing import Iterator

from tree_sitter import Node

from plumber.check import Check, Finding, Severity, finding
from plumber.context import FileContext
from plumber.escape import Resource
from plumber.resource import Binding, bind, defer_fix, expects_failure, unreleased
from plumber.scope import declaration_of, declaring_scope, find_uses

CODE = "unclosed-body"
HTTP = "net/http"
PACKAGE_FUNCS = frozenset({"Get", "Head", "Post", "PostForm"})
CLIENT_METHODS = PACKAGE_FUNCS | {"Do"}
QUERY = ("(call_expression function: (selector_expression operand: (_) @recv field: (field_identifier) @name"
         " (#any-of? @name \"Get\" \"Head\" \"Post\" \"PostForm\" \"Do\"))) @call")
BODY = Resource(field="Body")
RESPONSE_FIELDS = frozenset({"Body", "StatusCode", "Header"})


def run(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.imports.has(HTTP):
        return
    for m in ctx.matches(QUERY):
        call, recv, name = m["call"][0], m["recv"][0], m["name"][0]
        target = ctx.call_target(call)
        if target is not None:
            if target != (HTTP, ctx.text(name)) or target[1] not in PACKAGE_FUNCS:
                continue
        b = bind(ctx, call, 0)
        if b is None:
            continue
        if target is None and not (_is_client(ctx, recv) or _used_as_response(ctx, b)):
            continue
        if not unreleased(ctx, b, BODY) or expects_failure(ctx, b):
            continue
        if b.target is None:
            yield finding(CODE, call, "the response is discarded and its Body never closed: the connection "
                                      "is not reused and its buffers stay allocated")
            continue
        var = ctx.text(b.target)
        fix = defer_fix(ctx, b, f"{var}.Body.Close()", nil_safe=False)
        yield finding(CODE, call, f"{var}.Body is never closed: the connection is not reused and its "
                                  "buffers stay allocated", fixes=[fix] if fix else [])


def _is_client(ctx: FileContext, recv: Node) -> bool:
    """http.DefaultClient, or a variable declared as / from an http.Client."""
    names = ctx.imports.names_of(HTTP)
    if not names:
        return False
    alias = "|".join(re.escape(n) for n in names)
    if recv.type == "selector_expression":
        operand, field = recv.child_by_field_name("operand"), recv.child_by_field_name("field")
        return (operand is not None and field is not None and ctx.package_ref(operand) == HTTP
                and ctx.text(field) == "DefaultClient")
    if recv.type != "identifier":
        return False
    decl = declaration_of(ctx.source, recv)
    if decl is None:
        return False
    holder = decl.parent
    while holder is not None and holder.type not in ("short_var_declaration", "var_spec", "parameter_declaration",
                                                     "assignment_statement"):
        holder = holder.parent
    if holder is None:
        return False
    return re.search(rf"(?<![\w.])({alias})\.(Client\b|DefaultClient\b)", ctx.text(holder)) is not None


def _used_as_response(ctx: FileContext, b: Binding) -> bool:
    if b.decl is None:
        return False
    for use in find_uses(ctx.source, ctx.root, declaring_scope(b.decl), b.decl, b.stmt.end_byte):
        p = use.parent
        if p is not None and p.type == "selector_expression" and p.child_by_field_name("operand") == use:
            field = p.child_by_field_name("field")
            if field is not None and ctx.text(field) in RESPONSE_FIELDS:
                return True
    return False


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run)
