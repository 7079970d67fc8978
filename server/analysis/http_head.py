"""HEAD requests: their responses carry no body to close.

`net/http` gives the response to a HEAD request `http.NoBody` and puts the connection back in the
pool before returning it (`transfer.go`: no body is expected for HEAD), so an unclosed Body of
`http.Head(url)`, `c.Head(url)` or `c.Do(req)` with `req` made by `http.NewRequest("HEAD", ...)`
holds nothing. Only a custom `RoundTripper` could return a real one, and the model does not know
the transport: it stays silent.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaring_scope, find_uses, short_declaration
from plumber.analysis.uses import Role, site_of

HTTP = "net/http"
# The request constructors, by the index of their method argument.
_NEW_REQUEST = {(HTTP, "NewRequest"): 0, (HTTP, "NewRequestWithContext"): 1}
_SENDS = frozenset({"Do", "RoundTrip"})


def head_request(ctx: FileContext, call: Node) -> bool:
    """`call` (which returns an `*http.Response`) makes a HEAD request: `Head(url)`, or `Do(req)` /
    `RoundTrip(req)` of a local `req` built by `NewRequest("HEAD", ...)` and never changed."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    name = fn.child_by_field_name("field") if fn.type == "selector_expression" else fn
    if name is None:
        return False
    method = ctx.text(name)
    if method == "Head":
        return True
    args = call.child_by_field_name("arguments")
    values = args.named_children if args is not None else []
    return method in _SENDS and len(values) == 1 and values[0].type == "identifier" and _built_as_head(ctx, values[0])


def _built_as_head(ctx: FileContext, req: Node) -> bool:
    declared = short_declaration(ctx.source, req)
    if declared is None:
        return False
    decl, names, values = declared
    if len(names) < 1 or names[0] != decl or len(values) != 1 or values[0].type != "call_expression":
        return False  # `req, err := http.NewRequest(...)`: the request is the first result
    index = _NEW_REQUEST.get(ctx.call_target(values[0]) or ("", ""))
    args = values[0].child_by_field_name("arguments")
    given = args.named_children if args is not None else []
    if index is None or len(given) <= index or not _is_head(ctx, given[index]):
        return False
    return not any(_changes(ctx, use) for use in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl))


def _is_head(ctx: FileContext, method: Node) -> bool:
    if method.type == "interpreted_string_literal":
        return ctx.text(method) == '"HEAD"'
    target = ctx.call_target(method) if method.type in ("selector_expression", "identifier") else None
    return target == (HTTP, "MethodHead")


def _changes(ctx: FileContext, use: Node) -> bool:
    """`req = ...`, `req.Method = ...`, `&req`: the request may not be a HEAD one when sent."""
    site = site_of(use)
    if site.role in (Role.ADDRESS_TAKEN, Role.UNARY):
        return True
    if site.role is Role.SELECTED:
        if site.name != "Method":
            return False  # `req.Cancel = ch`, `req.Header.Set(...)`: still a HEAD request
        site = site_of(site.holder)
    return site.role is Role.ASSIGNED
