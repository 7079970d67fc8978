"""What a loop body does with the values a `defer` in it releases (the reading under `defer-in-loop`).

A deferred release in a loop piles up until the function returns; whether that
is a leak depends on the values: made in this iteration (the defer holds them
too long) or made before the loop (the defer postpones on purpose), kept after
the iteration (appended, stored, sent, used by a goroutine: the function's end
is when they must go), released later in the iteration anyway (the defer covers
the failure paths), or passed only to functions that leave them with the
caller (so wrapping the body in a function literal keeps the program's meaning).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.model.infer import LocalTypes
from plumber.analysis.model.read_exprs import expr_of_node
from plumber.analysis.model.resource_table import CLOSE_FREES_NOTHING, KEEPS
from plumber.analysis.model.types import Array, Basic, Named, Slice, Tuple, Type
from plumber.syntax.nodes import Abandoned, ancestor_below, called_in_place, within

_DEFER = frozenset({"defer_statement"})
IDENTS = "(identifier) @id"
_CANCELS = frozenset({("context", "WithCancel"), ("context", "WithCancelCause")})
_ROOT_CONTEXTS = frozenset({("context", "Background"), ("context", "TODO")})
_FREES_NOTHING = ("", "a cancel of a discarded root context")
DECLS = "[(short_var_declaration) (var_declaration) (assignment_statement) (send_statement) (go_statement) (call_expression) (func_literal)] @n"  # noqa: E501
# The deferred call releases something: Close, Stop, cancel, Unlock, teardown...
RELEASE = re.compile(r"(?i)(close|stop|release|free|teardown|cancel|unlock|shutdown)\w*\s*\(")
_NUMERIC = re.compile(r"^(u?int\d*|float\d+|complex\d+|bool|uintptr)$")
_ERRORISH = re.compile(r"(?i)^err|err$")
_CALLS = re.compile(r"[\w.]+\s*\(")
_BUILTINS = frozenset({"len", "cap", "print", "println", "copy", "delete", "close", "string", "panic"})
_TEST_METHODS = frozenset(
    {"Error", "Errorf", "Fatal", "Fatalf", "Log", "Logf", "Skip", "Skipf", "Helper", "Cleanup", "Name"}
)
_TEST_RECEIVERS = frozenset({"t", "b", "tb", "f"})


class LoopBody:
    """What a loop body does with the values it declares (names, read from syntax; nested functions
    included, since a closure over a value keeps it)."""

    def __init__(self, ctx: FileContext, types: LocalTypes, body: Node, fn: Node):
        self.ctx, self.types, self.body, self.fn = ctx, types, body, fn
        self.nodes = ctx.captures(DECLS, body).get("n", [])
        self._declared: list[tuple[int, str]] = []
        for n in self.nodes:
            if n.type == "short_var_declaration":
                left = n.child_by_field_name("left")
                self._declared.extend((n.start_byte, ctx.text(i)) for i in (left.named_children if left else [])
                                      if i.type == "identifier")  # fmt: skip
            elif n.type == "var_declaration":
                for spec in ctx.captures("(var_spec name: (identifier) @id)", n).get("id", []):
                    self._declared.append((n.start_byte, ctx.text(spec)))
        self.local = {name for _, name in self._declared} - {"_"}

    def released_values(self, defer: Node) -> set[str]:
        """The names the defer's release calls act on: the receiver of `x.Close()` (`resp.Body.Close()`: resp),
        the function of `cancel()`, the arguments of `close(ch)`, `syscall.Close(fd)`, `C.free(p)`."""
        out: set[str] = set()
        for call in self.ctx.captures("(call_expression) @c", defer).get("c", []):
            f = call.child_by_field_name("function")
            if f is None:
                continue
            name = f.child_by_field_name("field") if f.type == "selector_expression" else f
            if name is None or not RELEASE.search(self.ctx.text(name) + "("):
                continue
            if f.type == "identifier":
                out.add(self.ctx.text(f))
            elif f.type == "selector_expression":
                root: Node | None = f.child_by_field_name("operand")
                while root is not None and root.type in ("selector_expression", "index_expression", "call_expression"):
                    root = root.child_by_field_name("operand") or root.child_by_field_name("function")
                if root is not None and root.type == "identifier" and self.ctx.package_ref(root) is None:
                    out.add(self.ctx.text(root))
            args = call.child_by_field_name("arguments")
            if args is not None:
                for a in args.named_children:
                    out.update(self.idents(a))
        return out

    def declared_before(self, node: Node) -> set[str]:
        return {name for at, name in self._declared if at < node.start_byte} - {"_"}

    def idents(self, node: Node) -> set[str]:
        return {self.ctx.text(i) for i in self.ctx.captures(IDENTS, node).get("id", [])}

    def derived(self, names: set[str]) -> set[str]:
        """The names and the body's values made from them (`w := cli.Watch(ctx)`), to a fixpoint."""
        tracked = set(names)
        decls = [n for n in self.nodes if n.type in ("short_var_declaration", "assignment_statement")]
        for n in decls:  # `ctx, cancel := ...`: the context goes with its cancel (errors aside)
            left = n.child_by_field_name("left")
            together = {self.ctx.text(i) for i in (left.named_children if left is not None else [])}
            if together & names:
                tracked |= {t for t in together if t in self.local and not _ERRORISH.search(t)}
        for _ in range(8):
            grew = False
            for n in decls:
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is None or right is None or not (self.idents(right) & tracked):
                    continue
                for pos, i in enumerate(left.named_children):
                    name = self.ctx.text(i)
                    if i.type == "identifier" and name in self.local and name not in tracked:
                        if self._plain(right, pos, len(left.named_children)):
                            continue  # `data, err := io.ReadAll(r.Body)`: a copy, it holds nothing of r
                        tracked.add(name)
                        grew = True
            if not grew:
                break
        return tracked

    def _plain(self, right: Node, pos: int, count: int, numeric: bool = False) -> bool:
        """The value at `pos` of the right side is plain data (numbers, strings, bytes, errors, times): it
        cannot hold the resource it was computed from."""
        vals = right.named_children
        if len(vals) == count:
            t = self.types.expr_results(vals[pos])
        elif len(vals) == 1:
            got = self.types.expr_results(vals[0])
            t = got.items[pos] if isinstance(got, Tuple) and pos < len(got.items) else None
        else:
            return False
        if numeric:
            return isinstance(t, Basic) and _NUMERIC.match(t.name) is not None
        return _plain_type(t)

    def outlives(self, tracked: set[str], defer: Node) -> bool:
        """A tracked value is kept past the iteration: stored outside the body, sent, or used by a goroutine."""
        for n in self.nodes:
            if within(n, defer):
                continue
            if n.type in ("short_var_declaration", "assignment_statement"):
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is None or right is None or not (self.idents(right) & tracked):
                    continue
                for pos, i in enumerate(left.named_children):
                    name = self.ctx.text(i)
                    if i.type == "identifier" and (name in self.local or name == "_" or _ERRORISH.search(name)):
                        continue  # the body's own, or an error (`_, err = io.Copy(w, f)` keeps nothing of f)
                    if self._plain(right, pos, len(left.named_children), numeric=True):
                        continue  # `total += st.Size()`: a number keeps nothing (an address string may)
                    return True  # `blocks = append(blocks, b)`, `m[k] = c`, `s.conn = c`
            elif (
                (n.type == "send_statement" and self.idents(n) & tracked)
                or (n.type == "go_statement" and self.idents(n) & tracked)
                or (n.type == "call_expression" and self._stored_by_append(n, tracked))
            ):
                return True
        return False

    def _stored_by_append(self, call: Node, tracked: set[str]) -> bool:
        """`xs = append(xs, c)` is an assignment (seen there); `s.add(append(...))`, an append handed on."""
        f = call.child_by_field_name("function")
        if f is None or self.ctx.text(f) != "append" or call.parent is None:
            return False
        args = call.child_by_field_name("arguments")
        return args is not None and bool(self.idents(args) & tracked) and call.parent.type == "argument_list"

    def only_held(self, names: set[str], defer: Node) -> bool:
        """The body does nothing with the resource but acquire it, check the error and defer its release:
        holding it is the loop's purpose (`n` connections open at once)."""
        for i in self.ctx.captures(IDENTS, self.body).get("id", []):
            if self.ctx.text(i) not in names or within(i, defer):
                continue
            up = i.parent
            if (
                up is not None
                and up.type == "expression_list"
                and up.parent is not None
                and up.parent.type == "short_var_declaration"
                and up == up.parent.child_by_field_name("left")
            ):
                continue  # its declaration
            if up is not None and up.type == "binary_expression" and "nil" in self.ctx.text(up):
                continue  # `rows == nil`
            return False
        return True

    def frees_nothing(self, names: set[str]) -> bool:
        """Every one of `names` is declared in the body from a decompressor (`r, err := gzip.NewReader(buf)`),
        whose Close releases only memory: the defer holds no descriptor (CLOSE_FREES_NOTHING)."""
        if not names:
            return False
        made: dict[str, tuple[str, str] | None] = {}
        for n in self.nodes:
            if n.type != "short_var_declaration":
                continue
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is None or right is None:
                continue
            vals = right.named_children
            target = self._target(vals[0]) if len(vals) == 1 and vals[0].type == "call_expression" else None
            if target in _CANCELS and self._discards_root_context(left, vals[0]):
                target = _FREES_NOTHING
            for i in left.named_children:
                if self.ctx.text(i) in names:  # declared twice in the body: only if both times by such a call
                    made[self.ctx.text(i)] = target if made.get(self.ctx.text(i), target) == target else None
        return all(made.get(name) in CLOSE_FREES_NOTHING or made.get(name) == _FREES_NOTHING for name in names)

    def _discards_root_context(self, left: Node, call: Node) -> bool:
        """`_, cancel := context.WithCancel(context.Background())`: a context nobody keeps, of a parent that is
        never done, registers with nothing and starts nothing: its cancel releases nothing."""
        lhs = left.named_children
        args = call.child_by_field_name("arguments")
        parent = args.named_children[0] if args is not None and args.named_children else None
        return (
            len(lhs) == 2
            and self.ctx.text(lhs[0]) == "_"
            and parent is not None
            and parent.type == "call_expression"
            and self.ctx.call_target(parent) in _ROOT_CONTEXTS
        )

    def _target(self, call: Node) -> tuple[str, str] | None:
        """(path, name) of `pkg.F(...)`, or of `F(...)` of this package (compress/gzip's own tests)."""
        target = self.ctx.call_target(call)
        fn = call.child_by_field_name("function")
        if target is None and fn is not None and fn.type == "identifier" and self.types.names_at(fn).local(fn) is None:
            return self.ctx.pkg_path.removesuffix("_test"), self.ctx.text(fn)
        return target

    def released_later(self, defer: Node) -> bool:
        """A release the defer makes is also made later in the iteration, outside any defer."""
        wanted = {m.group(0).replace(" ", "") for m in _CALLS.finditer(self.ctx.text(defer))
                  if RELEASE.search(m.group(0))}  # fmt: skip
        if not wanted:
            return False
        for n in self.nodes:
            if n.type != "call_expression" or n.start_byte < defer.end_byte or _under_defer(n, self.body):
                continue
            f = n.child_by_field_name("function")
            if f is not None and (self.ctx.text(f).replace(" ", "") + "(") in wanted:
                return True
        return False

    def stays_local(self, tracked: set[str], defer: Node) -> bool:
        """Every use of a tracked value as an argument goes to a function known to leave it with the caller."""
        for n in self.nodes:
            if n.type == "func_literal" and not called_in_place(n):
                if self.idents(n) & tracked:
                    return False
                continue
            if n.type != "call_expression" or within(n, defer):
                continue
            args = n.child_by_field_name("arguments")
            if args is None:
                continue
            for index, a in enumerate(args.named_children):
                if self.idents(a) & tracked and not self._keeps(n, index):
                    return False
        return True

    def _keeps(self, call: Node, index: int) -> bool:
        f = call.child_by_field_name("function")
        if f is None:
            return False
        text = self.ctx.text(f)
        if f.type == "identifier" and text in _BUILTINS:
            return True
        if f.type == "func_literal":
            return True  # called on the spot: its body's uses are seen on their own
        target = self.ctx.call_target(call)
        if target is not None and target in KEEPS:
            keeps = KEEPS[target]
            return keeps is None or index in keeps
        if f.type == "selector_expression":
            operand, field = f.child_by_field_name("operand"), f.child_by_field_name("field")
            if (operand is not None and field is not None and self.ctx.text(operand) in _TEST_RECEIVERS
                    and self.ctx.text(field) in _TEST_METHODS):  # fmt: skip
                return True
        try:
            kept = self.ctx.summaries.keeps_argument(expr_of_node(f, self.types.names_at(f)), index,
                                                     self.types._local_type)  # fmt: skip
        except Abandoned:  # the analysis is cut: no verdict from half a summary
            raise
        except Exception:
            return False
        return kept is True


def _plain_type(t: Type | None, depth: int = 0) -> bool:
    if isinstance(t, Basic):
        return t.name != "unsafe.Pointer"
    if isinstance(t, (Slice, Array)) and depth < 3:
        return _plain_type(t.elem, depth + 1)
    if isinstance(t, Named):
        return (t.path, t.name) in _PLAIN_NAMED
    return False


_PLAIN_NAMED = frozenset({("", "error"), ("", "string"), ("", "byte"), ("", "int"), ("", "bool"), ("time", "Time"),
                          ("time", "Duration")})  # fmt: skip


def _under_defer(node: Node, stop: Node) -> bool:
    return ancestor_below(node, _DEFER, stop) is not None
