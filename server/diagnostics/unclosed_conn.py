"""a network connection, listener, database handle or pipe is never closed

Connections hold a socket (and, for gRPC, goroutines and buffers) until
`Close` is called; database rows hold a pooled connection until they are
closed or read to the end, and prepared statements hold server-side state;
pipe ends hold file descriptors. A function that opens one and forgets it
leaks one per call; seed 001's case is a gRPC connection opened inside a
goroutine and never closed.

Flags, when the result is neither closed (`x.Close()` anywhere in the
function, nested closures and defers included) nor handed on (returned,
stored in a field, a package-level variable or a container that escapes,
sent on a channel, passed to a function):

- `net.Dial`, `DialTimeout`, `DialTCP`, `DialUDP`, `DialUnix`, `DialIP`,
  `Listen`, `ListenPacket`, `ListenTCP`, `ListenUDP`, `ListenUnix`,
  `ListenUnixgram`, `ListenIP`, `ListenMulticastUDP`;
- `Dial` and `DialContext` on a `net.Dialer`: a literal receiver
  (`(&net.Dialer{...}).Dial`) or a variable declared as or from one;
- `grpc.Dial`, `DialContext` and `NewClient` (`google.golang.org/grpc`).
  Handing the connection to a generated stub (`pb.NewGreeterClient(conn)`,
  any `New...Client` call) does not count as escaping unless the stub
  escapes: a stub used and dropped in the function leaves its connection
  open for ever;
- `Query` and `QueryContext` rows, `Prepare` and `PrepareContext`
  statements of `database/sql`, where the receiver is known to be a
  database handle: a variable (local, or package-level in this file)
  declared from `sql.Open`/`sql.OpenDB` or with type `*sql.DB`, `*sql.Tx`
  or `*sql.Conn`, a parameter of such a type, or a field of such a type of
  a struct declared in the file. `Query` is a common method name: without
  that evidence there is no finding;
- both ends of `os.Pipe()`, each on its own.

A result discarded with `_` is always a leak (for `os.Pipe`, per end).

Fix: `defer x.Close()` after the `if err != nil { ... }` block that follows
the call, offered only when that block leaves the function (a failed open
returns a nil connection, whose `Close` panics; `os.Pipe` files are
nil-safe), and not inside loops.

```go
conn, err := net.Dial("tcp", addr) // want: conn is never closed
if err != nil {
	return err
}
defer conn.Close() // the fix
```
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from plumber.check import Check, Finding, Severity, finding
from plumber.context import FileContext
from plumber.escape import Resource, Use, classify
from plumber.resource import Binding, bind, calls_query, defer_fix, opening_calls, unreleased
from plumber.scope import declaration_of, declaring_scope, enclosing_function, find_uses, node_text

CODE = "unclosed-conn"
NET = "net"
GRPC = "google.golang.org/grpc"
SQL = "database/sql"
OS = "os"
NET_FUNCS = frozenset({"Dial", "DialTimeout", "DialTCP", "DialUDP", "DialUnix", "DialIP", "Listen", "ListenPacket",
                       "ListenTCP", "ListenUDP", "ListenUnix", "ListenUnixgram", "ListenIP", "ListenMulticastUDP"})
GRPC_FUNCS = frozenset({"Dial", "DialContext", "NewClient"})
OPENERS = {NET: NET_FUNCS, GRPC: GRPC_FUNCS, OS: frozenset({"Pipe"})}
DIALER_METHODS = frozenset({"Dial", "DialContext"})
SQL_METHODS = {"Query": "rows", "QueryContext": "rows", "Prepare": "statement", "PrepareContext": "statement"}
QUERY = calls_query(NET_FUNCS | GRPC_FUNCS | {"Pipe"})
METHOD_QUERY = ("(call_expression function: (selector_expression operand: (_) @recv field: (field_identifier) @name"
                " (#any-of? @name \"Dial\" \"DialContext\" \"Query\" \"QueryContext\" \"Prepare\" \"PrepareContext\")))"
                " @call")
FIELD_DECLS = "(field_declaration name: (field_identifier) @name type: (_) @type) @decl"
CLOSABLE = Resource()
WHAT = {"net": "connection", "grpc": "client connection"}


def run(ctx: FileContext) -> Iterator[Finding]:
    imports = ctx.imports
    if imports.imports_any(NET, GRPC, OS):
        for call in opening_calls(ctx, QUERY, OPENERS):
            path, func = ctx.call_target(call)
            if path == OS:
                yield from _pipe(ctx, call)
            else:
                pkg = "grpc" if path == GRPC else "net"
                what = "listener" if func.startswith("Listen") else WHAT[pkg]
                yield from _one(ctx, call, f"{pkg}.{func}", what, grpc=path == GRPC)
    net_ok, sql_ok = imports.has(NET), imports.has(SQL)
    if not (net_ok or sql_ok):
        return
    for m in ctx.matches(METHOD_QUERY):
        call, recv, name = m["call"][0], m["recv"][0], ctx.text(m["name"][0])
        if ctx.call_target(call) is not None:
            continue  # pkg.Dial: handled above
        if name in DIALER_METHODS:
            if net_ok and _is_dialer(ctx, recv):
                yield from _one(ctx, call, f"net.Dialer.{name}", "connection")
        elif sql_ok and _is_sql_handle(ctx, recv):
            yield from _one(ctx, call, f"{ctx.text(recv)}.{name}", SQL_METHODS[name])


def _one(ctx: FileContext, call: Node, opener: str, what: str, grpc: bool = False) -> Iterator[Finding]:
    b = bind(ctx, call, 0)
    if b is None:
        return
    if not unreleased(ctx, b, CLOSABLE) and not (grpc and _only_lent_to_stubs(ctx, b)):
        return
    if b.target is None:
        yield finding(CODE, call, f"the {what} opened by {opener} is discarded and never closed: "
                                  f"{_consequence(what)}")
        return
    name = ctx.text(b.target)
    fix = defer_fix(ctx, b, f"{name}.Close()", nil_safe=False)
    verb = "stay" if what == "rows" else "stays"
    yield finding(CODE, call, f"{name} is never closed: the {what} opened by {opener} {verb} open; "
                              f"{_consequence(what)}", fixes=[fix] if fix else [])


_STUB = re.compile(r"^New\w*Client$")
LOCAL_VALUE = Resource(closers=frozenset())


def _only_lent_to_stubs(ctx: FileContext, b: Binding) -> bool:
    """A gRPC connection handed only to generated stubs (`pb.NewGreeterClient(conn)`) that stay local.

    A stub keeps the connection it is given, so the connection escapes only
    when a stub does; a stub used and dropped in the function leaves the
    connection open for ever (seed 001).
    """
    fn = enclosing_function(b.call)
    if b.target is None or b.decl is None or fn is None or enclosing_function(b.decl) != fn:
        return False
    if b.decl.parent is not None and b.decl.parent.type == "parameter_declaration":
        return False
    lent = False
    for use in find_uses(ctx.source, ctx.root, declaring_scope(b.decl), b.decl, b.decl.end_byte):
        if use == b.target:
            continue
        kind = classify(ctx, use, CLOSABLE)
        if kind is Use.CLOSE:
            return False
        if kind is Use.ESCAPE:
            if not _stub_stays_local(ctx, use):
                return False
            lent = True
    return lent


def _stub_stays_local(ctx: FileContext, use: Node) -> bool:
    args = use.parent
    if args is None or args.type != "argument_list" or args.named_child_count != 1 or args.parent is None:
        return False
    call = args.parent
    fn = call.child_by_field_name("function")
    name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
    if name is None or not _STUB.match(ctx.text(name)):
        return False
    up = call
    while up.parent is not None and up.parent.type == "parenthesized_expression":
        up = up.parent
    if up.parent is not None and up.parent.type == "selector_expression":
        return True  # pb.NewGreeterClient(conn).SayHello(...): used on the spot
    stub = bind(ctx, call, 0)
    return stub is not None and stub.target is not None and unreleased(ctx, stub, LOCAL_VALUE)


def _consequence(what: str) -> str:
    if what == "rows":
        return "its database connection is not returned to the pool"
    if what == "statement":
        return "its prepared statement stays allocated on the server and in the pool"
    if what == "listener":
        return "its port and socket stay bound"
    return "its socket and buffers stay allocated"


def _pipe(ctx: FileContext, call: Node) -> Iterator[Finding]:
    for index, end in ((0, "read"), (1, "write")):
        b = bind(ctx, call, index)
        if b is None or not unreleased(ctx, b, CLOSABLE):
            continue
        if b.target is None:
            yield finding(CODE, call, f"the {end} end of os.Pipe is discarded and never closed: its file "
                                      "descriptor stays open until the process exits")
            continue
        name = ctx.text(b.target)
        fix = defer_fix(ctx, b, f"{name}.Close()", nil_safe=True)
        yield finding(CODE, call, f"{name} is never closed: the {end} end of os.Pipe keeps its file descriptor "
                                  "open until the process exits", fixes=[fix] if fix else [])


def _alias_pattern(ctx: FileContext, path: str) -> str | None:
    names = ctx.imports.names_of(path)
    if not names:
        return None
    return "|".join(re.escape(n) for n in names)


VAR_SPECS = "(var_spec) @spec"


def _declaring_statement(ctx: FileContext, ident: Node) -> Node | None:
    """The declaration of a local variable, or of a package-level one declared in this file."""
    decl = declaration_of(ctx.source, ident)
    if decl is None:
        return _package_var(ctx, ctx.text(ident))
    holder = decl.parent
    while holder is not None and holder.type not in ("short_var_declaration", "var_spec", "parameter_declaration",
                                                     "assignment_statement"):
        holder = holder.parent
    return holder


def _package_var(ctx: FileContext, name: str) -> Node | None:
    found = None
    for spec in ctx.captures(VAR_SPECS, ctx.root).get("spec", []):  # the whole file, even in a restricted run
        decl = spec.parent
        if decl is not None and decl.type == "var_spec_list":
            decl = decl.parent
        if decl is None or decl.parent is None or decl.parent.type != "source_file":
            continue
        if any(ctx.text(n) == name for n in spec.children_by_field_name("name")):
            if found is not None:
                return None
            found = spec
    return found


def _is_dialer(ctx: FileContext, recv: Node) -> bool:
    """`(&net.Dialer{...})`, `net.Dialer{...}`, or a variable declared as or from a net.Dialer."""
    alias = _alias_pattern(ctx, NET)
    if alias is None:
        return False
    dialer = rf"^\(?\s*&?\s*({alias})\.Dialer\s*\{{"
    if recv.type == "parenthesized_expression" or recv.type == "composite_literal":
        return re.search(dialer, ctx.text(recv)) is not None
    if recv.type != "identifier":
        return False
    holder = _declaring_statement(ctx, recv)
    if holder is None:
        return False
    if holder.type == "parameter_declaration" or holder.type == "var_spec":
        typ = holder.child_by_field_name("type")
        if typ is not None and re.fullmatch(rf"\*?({alias})\.Dialer", ctx.text(typ)):
            return True
    value = _value_of(ctx, holder)
    return value is not None and re.search(dialer, value) is not None


def _value_of(ctx: FileContext, holder: Node) -> str | None:
    """The text of the single value a declaration assigns, if it has one."""
    right = holder.child_by_field_name("right") or holder.child_by_field_name("value")
    if right is None or right.named_child_count != 1:
        return None
    return ctx.text(right.named_children[0])


def _is_sql_handle(ctx: FileContext, recv: Node) -> bool:
    """A *sql.DB, *sql.Tx or *sql.Conn: declared from sql.Open/OpenDB or with that type."""
    alias = _alias_pattern(ctx, SQL)
    if alias is None:
        return False
    typ_rx = rf"\*({alias})\.(DB|Tx|Conn)"
    if recv.type == "selector_expression":
        field = recv.child_by_field_name("field")
        return field is not None and _field_has_type(ctx, ctx.text(field), typ_rx)
    if recv.type != "identifier":
        return False
    holder = _declaring_statement(ctx, recv)
    if holder is None:
        return False
    if holder.type in ("parameter_declaration", "var_spec"):
        typ = holder.child_by_field_name("type")
        if typ is not None and re.fullmatch(typ_rx, ctx.text(typ)):
            return True
    value = _value_of(ctx, holder)
    return value is not None and re.match(rf"({alias})\.(Open|OpenDB)\s*\(", value) is not None


def _field_has_type(ctx: FileContext, field: str, typ_rx: str) -> bool:
    """A struct field named `field`, declared in this file, has a type matching typ_rx (and no other type)."""
    found = False
    for m in ctx.matches(FIELD_DECLS, ctx.root):  # the whole file, even in a restricted run
        names = [n for n in m.get("name", []) if node_text(ctx.source, n) == field]
        if not names:
            continue
        if not re.fullmatch(typ_rx, ctx.text(m["type"][0])):
            return False  # another struct has a field of that name with another type
        found = True
    return found


CHECK = Check(code=CODE, severity=Severity.WARNING, doc=__doc__, run=run)
