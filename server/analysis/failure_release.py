"""A deferred release that runs only when the function fails: `defer func() { if err != nil { cancel() } }()`.

With `err` the function's named error result, the deferred closure sees the value the return statement
gave it: `return conn, nil` leaves err nil, and the release does not run. The idiom is right for a value
the success path hands on (returned, stored: the checks see those uses); for one it does not, every
success leaks it (grpc-go's ALTS ClientHandshake, fixed in 609310837b: "The cancel function for the child
context we create will only be called a non-nil error is returned"). So such a release stops a leaking
path only where the function may fail; a path that returns nil for err passes it.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.model.flow import first_declaration_start
from plumber.syntax.nodes import called_in_place, enclosing_function, unparen


def named_error_result(ctx: FileContext, fn: Node) -> Node | None:
    """The name of `fn`'s last result when it is a named `error` (`(conn net.Conn, err error)`)."""
    results = fn.child_by_field_name("result")
    if results is None or results.type != "parameter_list":
        return None
    params = [p for p in results.named_children if p.type == "parameter_declaration"]
    if not params:
        return None
    last = params[-1]
    names = last.children_by_field_name("name")
    t = last.child_by_field_name("type")
    if not names or t is None or ctx.text(t) != "error":
        return None
    return names[-1]


def failure_only(ctx: FileContext, use: Node, fn: Node) -> bool:
    """`use` runs in a function literal `fn` defers and calls in place, only under `if err != nil` (no
    else; `err` the named error result of `fn`, not another variable of that name)."""
    err = named_error_result(ctx, fn)
    if err is None:
        return False
    guarded = False
    n: Node | None = use.parent
    child = use
    while n is not None and n != fn:
        if n.type == "if_statement" and child == n.child_by_field_name("consequence"):
            guarded = guarded or (n.child_by_field_name("alternative") is None and _tests_failure(ctx, n, err))
        elif n.type == "func_literal":
            call = n.parent
            return (
                guarded
                and called_in_place(n)
                and call is not None
                and call.parent is not None
                and call.parent.type == "defer_statement"
                and enclosing_function(call.parent) == fn
            )
        elif n.type in ("function_declaration", "method_declaration"):
            return False
        child, n = n, n.parent
    return False


def _tests_failure(ctx: FileContext, stmt: Node, err: Node) -> bool:
    """`if err != nil` (no initializer) with `err` the result `err` names."""
    cond = stmt.child_by_field_name("condition")
    if stmt.child_by_field_name("initializer") is not None or cond is None:
        return False
    cond = unparen(cond)
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    if cond.type != "binary_expression" or ctx.text(cond.child_by_field_name("operator")) != "!=":
        return False
    if left is None or right is None or ctx.text(unparen(right)) != "nil" or ctx.text(unparen(left)) != ctx.text(err):
        return False
    left = unparen(left)
    start = first_declaration_start(ctx.source, left) if left.type == "identifier" else -1
    return start == err.start_byte or (start >= 0 and _assigns_result(ctx, start, err))


def _assigns_result(ctx: FileContext, start: int, err: Node) -> bool:
    """The declaration at `start` is `f, err := os.Open(p)` as a statement of the body of the function
    whose result `err` is: it assigns the result (the results' block is the body's: no new variable),
    which the scopes here see as a declaration."""
    decl = ctx.root.descendant_for_byte_range(start, start + len(ctx.text(err)))
    stmt = decl.parent.parent if decl is not None and decl.parent is not None else None
    if stmt is None or stmt.type != "short_var_declaration":
        return False
    fn = enclosing_function(stmt)
    body = fn.child_by_field_name("body") if fn is not None else None
    results = fn.child_by_field_name("result") if fn is not None else None
    if body is None or results is None or not results.start_byte <= err.start_byte < results.end_byte:
        return False
    statements = next((c for c in body.named_children if c.type == "statement_list"), None)
    return stmt.parent in (body, statements)


def returns_success(ctx: FileContext, ret: Node | None, fn: Node) -> bool:
    """`return ..., nil`: the return statement sets `fn`'s named error result to nil (one value per result)."""
    if ret is None:
        return False  # the end of the function, or a bare return: err keeps what it was given
    values = next((c for c in ret.named_children if c.type == "expression_list"), None)
    exprs = [c for c in values.named_children if c.type != "comment"] if values is not None else []
    results = fn.child_by_field_name("result")
    count = sum(
        max(1, len(p.children_by_field_name("name")))
        for p in (results.named_children if results is not None else [])
        if p.type == "parameter_declaration"
    )
    return bool(exprs) and len(exprs) == count and ctx.text(unparen(exprs[-1])) == "nil"
