"""What a database/sql transaction releases for its caller.

A transaction owns what is made through it: its `Commit` or `Rollback` cancels the
transaction's context, which closes the rows of every query run in it (`tx.Query`, a
statement of `tx.Prepare` or `tx.Stmt`) and the statements it prepared. So rows and
statements of a `*sql.Tx` are no leak of their own; the transaction is one, and
`unclosed-conn` reports it when it is never ended. And a transaction begun with
`db.BeginTx(ctx, ...)` on a context this function cancels is rolled back by the
cancellation ("If the context is canceled, the sql package will roll back the
transaction").
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.model.infer import LocalTypes
from plumber.analysis.model.resource_table import ROWS, STATEMENT, TX, ResourceKind
from plumber.analysis.model.types import Named, Pointer
from plumber.analysis.scope import short_declaration
from plumber.syntax.nodes import enclosing_function, unparen

_MADE_IN_TX = frozenset({"Prepare", "PrepareContext", "Stmt", "StmtContext"})
_CANCELLABLE = frozenset({"WithCancel", "WithCancelCause", "WithTimeout", "WithTimeoutCause", "WithDeadline",
                          "WithDeadlineCause"})  # fmt: skip


def released_with_transaction(ctx: FileContext, types: LocalTypes, call: Node, kind: ResourceKind) -> bool:
    """Rows or a statement made through a transaction, or a transaction its cancelled context rolls back."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return False
    receiver, method = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if receiver is None or method is None:
        return False
    if kind in (ROWS, STATEMENT):
        if _is_sql(types.expr(receiver), "Tx"):
            return True
        return _is_sql(types.expr(receiver), "Stmt") and _stmt_of_tx(ctx, types, receiver)
    if kind is TX and ctx.text(method) == "BeginTx":
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        return first is not None and _cancelled_here(ctx, unparen(first))
    return False


def _is_sql(t, name: str) -> bool:
    if isinstance(t, Pointer):
        t = t.elem
    return isinstance(t, Named) and t.path == "database/sql" and t.name == name


def _defining_call(ctx: FileContext, ident: Node) -> tuple[Node, Node, list[Node]] | None:
    """(the call, the declared identifier, all names declared) of `x, ... := call(...)` declaring `ident`'s local."""
    found = short_declaration(ctx.source, ident) if ident.type == "identifier" else None
    if found is None:
        return None
    decl, names, values = found
    if len(values) != 1 or unparen(values[0]).type != "call_expression":
        return None
    return unparen(values[0]), decl, names


def _stmt_of_tx(ctx: FileContext, types: LocalTypes, stmt: Node) -> bool:
    """`stmt, err := tx.Prepare(...)`: a statement of a transaction (closed with it)."""
    found = _defining_call(ctx, unparen(stmt))
    fn = found[0].child_by_field_name("function") if found is not None else None
    if fn is None or fn.type != "selector_expression":
        return False
    method, receiver = fn.child_by_field_name("field"), fn.child_by_field_name("operand")
    return (
        method is not None
        and receiver is not None
        and ctx.text(method) in _MADE_IN_TX
        and _is_sql(types.expr(receiver), "Tx")
    )


def _cancelled_here(ctx: FileContext, arg: Node) -> bool:
    """`ctx, cancel := context.WithCancel(...)` declares the argument, and `cancel` is used (called, deferred)."""
    found = _defining_call(ctx, arg)
    if found is None:
        return False
    call, decl, names = found
    target = ctx.call_target(call)
    if target is None or target[0] not in ("context", "golang.org/x/net/context") or target[1] not in _CANCELLABLE:
        return False
    if len(names) != 2 or names[0] != decl or ctx.text(names[1]) == "_":
        return False
    fn = enclosing_function(decl)
    cancel = ctx.text(names[1])
    body = fn.child_by_field_name("body") if fn is not None else None
    return body is not None and any(
        ctx.text(c) == cancel and c.start_byte > decl.end_byte
        for c in ctx.captures("(call_expression function: (identifier) @f)", body).get("f", [])
    )
