"""Local bool flags along a path: `isStdout = false` ... `if !isStdout { fd.Close() }`.

cmd/cover opens its output only when it is not stdout and records that in a flag:

    fd := os.Stdout
    isStdout := true
    if *output != "" { fd, err = os.Create(*output); ...; isStdout = false }
    ...
    if !isStdout { fd.Close() }

On the path from the `Create`, `isStdout` is false, so the branch that skips the `Close` is not
taken. A flag is a variable of the function assigned `true` or `false` there; on a path its value is
the last literal assigned on that path (another value makes it unknown again). A flag whose address
is taken or that a function literal mentions may change behind the path's back: never known.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.model.flow import first_declaration_start
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.analysis.uses import Role, site_of
from plumber.syntax.nodes import in_nested_function, unparen

_LITERAL_SETS = (
    "[(assignment_statement right: (expression_list [(true) (false)]))"
    " (short_var_declaration right: (expression_list [(true) (false)]))] @set"
)
_ASSIGNS = frozenset({"assignment_statement", "short_var_declaration"})
_BOOLS = {"true": True, "false": False}


class BoolFlags:
    """The flags of one function: what a CFG node assigns them, and which flag a branch condition reads."""

    def __init__(self, ctx: FileContext, fn: Node):
        self.ctx, self.fn = ctx, fn
        self._safe: dict[int, bool] = {}  # by declaration start: nothing changes it off the path

    @staticmethod
    def of(ctx: FileContext, fn: Node) -> BoolFlags | None:
        """The function's flags, or None when it assigns no bool literal (nothing to follow)."""
        return BoolFlags(ctx, fn) if ctx.captures(_LITERAL_SETS, fn).get("set") else None

    def assigned(self, node: Node) -> list[tuple[int, bool | None]]:
        """(flag, value) for each variable `node` assigns: the literal, or None for any other value."""
        if node.type not in _ASSIGNS:
            return []
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return []
        lhs, rhs = left.named_children, right.named_children
        op = node.child_by_field_name("operator")
        plain = op is None or self.ctx.text(op) in ("=", ":=")
        out: list[tuple[int, bool | None]] = []
        for i, target in enumerate(lhs):
            if target.type != "identifier" or self.ctx.text(target) == "_":
                continue
            value = rhs[i].type if plain and len(lhs) == len(rhs) else ""
            out.append((first_declaration_start(self.ctx.source, target), _BOOLS.get(value)))
        return out

    def tested(self, cond: Node) -> tuple[int, bool] | None:
        """(flag, the value that makes `cond` true) for `if x` and `if !x` on a flag of this function."""
        cond = unparen(cond)
        wanted = True
        if cond.type == "unary_expression":
            op = cond.child_by_field_name("operator")
            operand = cond.child_by_field_name("operand")
            if op is None or operand is None or self.ctx.text(op) != "!":
                return None
            cond, wanted = unparen(operand), False
        if cond.type != "identifier":
            return None
        key = first_declaration_start(self.ctx.source, cond)
        return (key, wanted) if key >= 0 and self._known(cond, key) else None

    def _known(self, ident: Node, key: int) -> bool:
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = self._only_set_in_flow(ident)
        return safe

    def _only_set_in_flow(self, ident: Node) -> bool:
        decl = declaration_of(self.ctx.source, ident)
        if decl is None or not (self.fn.start_byte <= decl.start_byte < self.fn.end_byte):
            return False  # a package-level variable, or one of an outer function
        for use in find_uses(self.ctx.source, self.ctx.root, declaring_scope(decl), decl):
            if site_of(use).role is Role.ADDRESS_TAKEN:
                return False
            if in_nested_function(use, self.fn):
                return False
        return True
