"""Where the check of a call's error is, and which statements are checks: an `if`, a tagless `switch`,
a testify assertion (`require.NoError(t, err)`), after the call in the same flow."""

from __future__ import annotations

import re

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.syntax.nodes import following

# testify's assertions, by what makes them fail: a false condition, a true one, a nil error.
_TESTIFY = frozenset({"github.com/stretchr/testify/require", "github.com/stretchr/testify/assert"})
ASSERT_TRUE = frozenset({"True", "Truef"})
ASSERT_FALSE = frozenset({"False", "Falsef"})
ASSERT_ERROR = frozenset({"Error", "Errorf", "ErrorIs", "ErrorIsf", "ErrorAs", "ErrorAsf", "ErrorContains",
                           "ErrorContainsf", "EqualError", "EqualErrorf"})  # fmt: skip
# Statements that may stand between the call and its check without using either result.
PLAIN = frozenset({"expression_statement", "assignment_statement", "short_var_declaration", "send_statement"})
CASES = frozenset({"expression_case", "default_case", "type_case"})


def check_after(ctx: FileContext, stmt: Node, names: set[str]) -> Node | None:
    """The `if` (tagless `switch`, assertion, or a declaration deriving from them, `pe, ok := err.(*PathError)`)
    that first uses one of `names` after `stmt`: the one `stmt` initializes, or a later one in the same flow
    (statements that use none of them may come between; the end of a `case` goes on after its `switch`, as
    in a table of calls that must fail)."""
    parent = stmt.parent
    if parent is not None and parent.type == "if_statement" and parent.child_by_field_name("initializer") == stmt:
        return parent
    current = stmt
    for _ in range(4):
        for sib in following(current, current.parent) if current.parent is not None else []:
            if mentions(ctx, sib, names):
                checks = sib.type in ("if_statement", "short_var_declaration") or tagless_switch(sib)
                checks = checks or assertion(ctx, sib) is not None
                return sib if checks else None
            if sib.type not in PLAIN:
                return None  # a branch or a loop between: the check may not be on the call's path
        clause = current.parent
        if clause is not None and clause.type == "statement_list":
            clause = clause.parent
        if clause is None or clause.type not in CASES or clause.parent is None:
            return None
        current = clause.parent  # the switch: go on after it
    return None


def tagless_switch(stmt: Node) -> bool:
    return stmt.type == "expression_switch_statement" and stmt.child_by_field_name("value") is None


def assertion(ctx: FileContext, stmt: Node) -> tuple[str, list[Node]] | None:
    """(the assertion, its arguments) of a testify `require.X(t, ...)` / `assert.X(t, ...)` statement."""
    call = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    if call is None or call.type != "call_expression":
        return None
    target = ctx.call_target(call)
    if target is None or target[0] not in _TESTIFY:
        return None
    args = call.child_by_field_name("arguments")
    return target[1], (args.named_children if args is not None else [])


def mentions(ctx: FileContext, node: Node, names: set[str]) -> bool:
    text = ctx.text(node)
    return any(re.search(rf"(?<![\w.]){re.escape(n)}\b", text) for n in names)
