"""What a file's own boolean helper says of an error it is given: true only where the error is not nil.

Tests route their error checks through helpers (os/root_test.go):

    f, err := root.Open(test.open)
    if errEndsTest(t, err, test.wantError, "root.Open(%q)", test.open) {
        return
    }
    defer f.Close()

`errEndsTest` returns true only when the error is set, or after `t.Fatalf` (which never returns) when
it is nil. So on the path where the call succeeded the branch is not taken, and the `return` is no leak
path. This reads the helper's body with the error bound to nil: every `return` that may give true must be
unreachable, behind a condition that is false there or after a call that never returns. Anything the
reading does not follow (a loop, a switch, a `defer`, the error assigned again) answers "may be true".
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.syntax.exits import is_exit_statement
from plumber.syntax.nodes import parameter_names, statements_of, unparen

_PLAIN = frozenset({"expression_statement", "short_var_declaration", "assignment_statement", "var_declaration",
                    "inc_statement", "dec_statement", "empty_statement"})  # fmt: skip
_DEPTH = 4


def true_only_if_set(
    ctx: FileContext, fn: Node, index: int, holds_with: Callable[[str], Callable[[Node], object]]
) -> bool:
    """Whether `fn`, a function of one bool result, returns true only where its parameter `index` is not
    nil. `holds_with(name)` gives a condition's evaluator with that parameter bound to nil (True, False,
    or anything else for unknown)."""
    result = fn.child_by_field_name("result")
    body = fn.child_by_field_name("body")
    names = parameter_names(fn, ctx.source)
    if result is None or ctx.text(result) != "bool" or body is None or index >= len(names):
        return False
    name = names[index]
    if name == "_" or _assigned(ctx, body, name):
        return False
    may_be_true, _ = _walk(ctx, statements_of(body), holds_with(name))
    return not may_be_true


def _assigned(ctx: FileContext, body: Node, name: str) -> bool:
    for n in ctx.captures("[(short_var_declaration) (assignment_statement)] @a", body).get("a", []):
        left = n.child_by_field_name("left")
        if left is not None and any(ctx.text(i) == name for i in left.named_children):
            return True
    return False


def _walk(ctx: FileContext, stmts: list[Node], holds: Callable[[Node], object]) -> tuple[bool, bool]:
    """(may return true, may run on past the statements) of a statement list read with `holds`."""
    for s in stmts:
        if s.type == "return_statement":
            values = [v for v in s.named_children if v.type != "comment"]
            if len(values) == 1 and values[0].type == "expression_list":
                values = values[0].named_children
            return (len(values) != 1 or holds(unparen(values[0])) is not False), False
        if s.type == "expression_statement" and is_exit_statement(ctx.source, s):
            return False, False  # `t.Fatalf(...)`: no return on this path
        if s.type == "block":
            true, on = _walk(ctx, statements_of(s), holds)
        elif s.type == "if_statement":
            true, on = _branch(ctx, s, holds)
        elif s.type in _PLAIN:
            continue
        else:
            return True, True  # a loop, a switch, a defer...: not followed
        if true:
            return True, True
        if not on:
            return False, False
    return False, True


def _branch(ctx: FileContext, s: Node, holds: Callable[[Node], object]) -> tuple[bool, bool]:
    cond = s.child_by_field_name("condition")
    if s.child_by_field_name("initializer") is not None or cond is None:
        return True, True
    value = holds(cond)
    then, other = s.child_by_field_name("consequence"), s.child_by_field_name("alternative")

    def arm(node: Node | None) -> tuple[bool, bool]:
        if node is None:
            return False, True
        return _walk(ctx, [node] if node.type == "if_statement" else statements_of(node), holds)

    if value is True:
        return arm(then)
    if value is False:
        return arm(other)
    (t1, on1), (t2, on2) = arm(then), arm(other)
    return t1 or t2, on1 or on2
