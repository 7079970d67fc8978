"""Calls whose other end the function itself plays: what they return holds nothing.

- **An Accept nobody can dial.** In a test, a listener made in the function on an address no one
  else knows (port 0, or a helper given only a network name: `newLocalListener(t, "tcp")`) whose
  address the test never reads (no `Addr()`, never handed on, stored or returned: only `Accept`,
  `SetDeadline` and `Close` calls on it): no client can connect, so `Accept` returns
  only errors (net's timeout tests, which wait for the deadline). A listener on a fixed address or a
  path can be dialed by anyone who knows it: not excused.
- **A round trip over a conn the function fakes, answered without a body.** `t.RoundTrip(req)` of a
  transport made in the function, `&http.Transport{Dial: func(...) (net.Conn, error) { return
  &fakeConn{...}, nil }}` (every dial returns a value the function builds, no network), where every
  HTTP status line the function scripts (`"HTTP/1.1 204 No Content\r\n..."`) is a 1xx, 204 or 304,
  responses that carry no body by the protocol: net/http gives them `http.NoBody`
  (httputil.DumpRequestOut and its test copy).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.syntax.nodes import enclosing_function, top_level, unparen
from plumber.syntax.parser import captures

_ACCEPTS = frozenset({"Accept", "AcceptTCP", "AcceptUnix"})
_LISTENER_METHODS = _ACCEPTS | {"Close", "SetDeadline"}
_NETWORKS = frozenset({'"tcp"', '"tcp4"', '"tcp6"', '"udp"', '"udp4"', '"udp6"'})
_DIALS = frozenset({"Dial", "DialContext", "DialTLS", "DialTLSContext"})
_STATUS_LINE = re.compile(rb'"HTTP/1\.[01] (\d{3})\b')


def unreachable_accept(ctx: FileContext, call: Node) -> bool:
    """`call` is `ln.Accept()` in a test, on a listener nobody can dial (see the module doc)."""
    if not ctx.is_test_file:
        return False
    ln = _receiver(ctx, call, _ACCEPTS)
    decl = declaration_of(ctx.source, ln) if ln is not None else None
    made = _made_by(decl)
    if decl is None or made is None or not _unknown_address(ctx, made):
        return False
    for use in find_uses(ctx.source, ctx.root, declaring_scope(decl), decl):
        site = use.parent
        if site is not None and site.type == "type_assertion_expression":
            site = site.parent  # `ln.(*TCPListener).SetDeadline(...)`
        field = site.child_by_field_name("field") if site is not None and site.type == "selector_expression" else None
        called = site is not None and site.parent is not None and site.parent.type == "call_expression"
        if field is None or not called or ctx.text(field) not in _LISTENER_METHODS:
            return False  # its address read, or the listener handed on: someone may dial it
    return True


def scripted_bodiless(ctx: FileContext, call: Node) -> bool:
    """`call` is `t.RoundTrip(req)` over a transport whose conns the function fakes, and every status
    line it scripts has no body (see the module doc)."""
    t = _receiver(ctx, call, frozenset({"RoundTrip"}))
    decl = declaration_of(ctx.source, t) if t is not None else None
    made = _made_by(decl)
    if made is None or made.type == "call_expression":
        return False
    literal = made.named_children[0] if made.type == "unary_expression" and made.named_children else made
    if literal.type != "composite_literal" or not ctx.text(literal.child_by_field_name("type")).endswith("Transport"):
        return False
    dials = [v for k, v in _fields(ctx, literal) if k in _DIALS]
    if not dials or not all(_fakes_conns(ctx, v) for v in dials):
        return False
    top = top_level(call)
    statuses = [int(m.group(1)) for m in _STATUS_LINE.finditer(ctx.source, top.start_byte, top.end_byte)]
    return bool(statuses) and all(s < 200 or s in (204, 304) for s in statuses)


def _receiver(ctx: FileContext, call: Node, methods: frozenset[str]) -> Node | None:
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression" or ctx.text(fn.child_by_field_name("field")) not in methods:
        return None
    operand = fn.child_by_field_name("operand")
    return operand if operand is not None and operand.type == "identifier" else None


def _made_by(decl: Node | None) -> Node | None:
    """The value a local was declared with (`x := v`, `var x = v`), one name for one value."""
    if decl is None or decl.parent is None:
        return None
    names = decl.parent
    stmt = names.parent if names.type == "expression_list" else names
    if stmt is None or stmt.type not in ("short_var_declaration", "var_spec"):
        return None
    value = stmt.child_by_field_name("right" if stmt.type == "short_var_declaration" else "value")
    left = stmt.child_by_field_name("left") if stmt.type == "short_var_declaration" else None
    if value is None or value.named_child_count != 1 or (left is not None and left.named_child_count > 2):
        return None
    return unparen(value.named_children[0])


def _unknown_address(ctx: FileContext, made: Node) -> bool:
    """The listener's call names no address anyone could know: string arguments are network names or
    end in ":0" (the system picks the port)."""
    if made.type != "call_expression":
        return False
    args = made.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else []:
        if arg.type in ("interpreted_string_literal", "raw_string_literal"):
            text = ctx.text(arg)
            if text not in _NETWORKS and not re.fullmatch(r'["`][\w.\[\]:-]*:0["`]', text):
                return False
        elif arg.type != "identifier" or ctx.text(arg) not in ("t", "b", "tb"):
            return False  # an address from elsewhere (a variable, a flag): it may be known
    return True


def _fields(ctx: FileContext, literal: Node) -> list[tuple[str, Node]]:
    body = literal.child_by_field_name("body")
    out = []
    for el in body.named_children if body is not None else []:
        if el.type == "keyed_element" and el.named_child_count == 2:
            key, value = el.named_children
            out.append((ctx.text(key), value.named_children[0] if value.type == "literal_element" else value))
    return out


def _fakes_conns(ctx: FileContext, dial: Node) -> bool:
    """A function literal every return of which hands back a value it builds (`&fakeConn{...}`), no network."""
    if dial.type != "func_literal":
        return False
    returns = [r for r in captures("(return_statement) @r", dial).get("r", []) if enclosing_function(r) == dial]
    for r in returns:
        values = r.named_children[0].named_children if r.named_children else []
        first = unparen(values[0]) if values else None
        if first is not None and first.type == "unary_expression" and first.named_children:
            first = first.named_children[0]
        if first is None or first.type != "composite_literal":
            return False
    return bool(returns)
