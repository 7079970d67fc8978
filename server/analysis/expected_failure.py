"""Calls meant to fail: a test that wants the error holds nothing the call could have returned.

`_, err := DialTCP(network, nil, bad)` then `if err == nil { t.Errorf("should fail") }` leaks only on
the path where the call succeeded, and that path is the test failing. Instead of matching the texts of
such checks, the error check after the call is evaluated on the success path: there the error is nil
and the resource is not. A check whose condition then holds and whose branch reports a test failure, or
one that would panic (`err.Error()` on a nil error), says the call is meant to fail:
`if err == nil`, `if err != context.Canceled`, `if !errors.Is(err, ErrClosed)`,
`if got := fmt.Sprint(err); got != want` with `want` a message, `if ue, ok := err.(*url.Error); !ok`;
also a tagless `switch` whose first case that holds reports it (`case err == nil:`), and in a test, a
goroutine's send of a new error (`errc <- errors.New("expected error")`) is its report. A function
literal of a test's table that returns the error (`_, err := r.Open(name); return err`) is checked where
the loop calls it (table_calls), declarations on the way evaluated (`pe, ok := err.(*os.PathError)`).
Where the evaluation does not know a value, it stays unknown and the call is not excused.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tree_sitter import Node

from plumber.analysis.bool_helpers import true_only_if_set
from plumber.analysis.context import FileContext
from plumber.analysis.error_checks import (
    ASSERT_ERROR,
    ASSERT_FALSE,
    ASSERT_TRUE,
    PLAIN,
    assertion,
    check_after,
    mentions,
    tagless_switch,
)
from plumber.analysis.resources import Binding
from plumber.analysis.scope import is_local, short_declaration
from plumber.analysis.table_calls import call_sites
from plumber.syntax.nodes import enclosing_function, following, statements_of, unparen

# Calls that report a test failure (and nothing else): a branch made of them is the test failing.
TEST_FAILURE = re.compile(r"^(\w+\.(Error|Errorf|Fatal|Fatalf|Fail|FailNow)|panic|log\.(Fatal|Fatalf|Fatalln))\(")
# Calls that only tell someone (a helper process's output stands for its test's failure report).
_REPORT = re.compile(r"^(fmt\.(Print|Println|Printf|Fprint|Fprintln|Fprintf)|log\.(Print|Println|Printf)|println)\(")
# A literal argument that names something missing: `os.Open("non-existing")` wants the error.
MISSING = re.compile(r"(?i)non-?exist|not-?exist|no-?such|missing")
# A named value that is a non-nil error by convention: `io.EOF`, `context.Canceled`, `ErrClosed`, `errBad`.
_SENTINEL = re.compile(r"^(\w+\.)?(Err\w*|err[A-Z]\w*|EOF|Canceled|DeadlineExceeded)$")
# os.IsNotExist(err), isTimeout(err), testenv.SyscallIsNotSupported(err): false on a nil error
_PREDICATE = re.compile(r"^(\w+\.)?(\w*Is|is)[A-Z]\w*$")
_NEW_ERROR = frozenset({("errors", "New"), ("fmt", "Errorf")})
_SPRINT = frozenset({"fmt.Sprint", "fmt.Sprintf", "fmt.Sprintln"})


class _Value:
    """A value on the success path that is neither a bool nor a string."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


NIL = _Value("nil")  # the error, or an explicit nil
NON_NIL = _Value("non-nil")  # the acquired value, a sentinel error
NIL_TEXT = _Value("<nil> text")  # fmt.Sprint of a nil error: "<nil>"
PANIC = _Value("panic")  # evaluating it on the success path panics (a method of a nil error)
UNKNOWN = None


def meant_to_fail(ctx: FileContext, b: Binding) -> bool:
    """Whether the call of `b` is meant to fail (the test reports its success), by its error check."""
    if b.target is None and _names_missing(ctx, b.call):
        return True  # `_, _ = Listen("tcp", "[fe80::1%nonexistent]:0")`, `os.Open("non-existing")`
    errs = [ctx.text(o) for o in b.others if ctx.text(o) != "_"]
    if not errs:
        return False
    names: dict[str, object] = dict.fromkeys(errs, NIL)
    if b.target is not None:
        names[ctx.text(b.target)] = NON_NIL
    # a print in the branch reports only where nothing was kept: `if err == nil { fmt.Println(f.Name()) }` uses f
    if _Success(ctx, names, prints_report=b.target is None).fails_after(b.stmt):
        return True
    sites = _returned_to(ctx, b.stmt, errs[0]) if b.target is None and len(errs) == 1 else None
    return sites is not None and all(_Success(ctx, {n: NIL}, prints_report=True).fails_after(s) for s, n in sites)


def _returned_to(ctx: FileContext, stmt: Node, err: str) -> list[tuple[Node, str]] | None:
    """Where a table's function literal that returns the error (`_, err := r.Open(name); return err`) is
    called, when the model sees every call (table_calls)."""
    fn = enclosing_function(stmt)
    if fn is None or fn.type != "func_literal" or stmt.parent is None:
        return None
    for sib in following(stmt, stmt.parent):
        if mentions(ctx, sib, {err}):
            values = sib.named_children[0] if sib.type == "return_statement" and sib.named_children else None
            returns_err = values is not None and values.named_child_count == 1 and ctx.text(values) == err
            return call_sites(ctx, fn) if returns_err else None
        if sib.type not in PLAIN:
            return None
    return None


def failure_edge(
    ctx: FileContext, cond: Node, is_err: Callable[[Node], bool], is_value: Callable[[Node], bool]
) -> int | None:
    """The successor of a branch on `cond` (0: true, 1: false) taken only where the call failed (the value is
    nil there), by evaluating `cond` where it succeeded: false there means the true edge is failure
    (`err != nil`, `v == nil`, `err != nil && ...`, `os.IsNotExist(err)`), true the false edge. None when
    the condition says nothing of it."""

    def lookup(ident: Node) -> object:
        return NIL if is_err(ident) else (NON_NIL if is_value(ident) else UNKNOWN)

    holds = _Success(ctx, {}, lookup=lookup).eval(cond)
    return 0 if holds is False else (1 if holds is True else None)


class _Success:
    """The error check evaluated where the call succeeded: the errors are nil, the value is not."""

    def __init__(
        self,
        ctx: FileContext,
        names: dict[str, object],
        prints_report: bool = False,
        lookup: Callable[[Node], object] | None = None,
        depth: int = 0,
    ):
        self.ctx, self.depth = ctx, depth  # depth: helpers read inside helpers (bool_helpers)
        self.names = dict(names)  # by name: the results, and what the `if`'s initializer binds
        self.prints_report = prints_report
        self.lookup = lookup  # by identity: the results' variables, told from shadowing ones

    def fails_after(self, stmt: Node) -> bool:
        """The first check after `stmt` reports a failure; declarations on the way (`pe, ok := err.(*PathError)`)
        are evaluated into the names."""
        check = check_after(self.ctx, stmt, set(self.names))
        for _ in range(4):
            if check is None or check.type != "short_var_declaration":
                break
            self._bind(check)
            check = check_after(self.ctx, check, set(self.names))
        return check is not None and check.type != "short_var_declaration" and self.fails(check, stmt)

    def fails(self, check: Node, call_stmt: Node) -> bool:
        found = assertion(self.ctx, check)
        if found is not None:
            return self._assertion_fails(*found)
        if tagless_switch(check):
            return self._switch_fails(check)
        init = check.child_by_field_name("initializer")
        if init is not None and init != call_stmt and self._bind(init) is PANIC:
            return True  # `if got := err.Error(); ...`: success would panic, so the test wants the error
        cond = check.child_by_field_name("condition")
        holds = self.eval(cond) if cond is not None else UNKNOWN
        if holds is PANIC:
            return True
        return holds is True and self._reports_failure(check.child_by_field_name("consequence"))

    def _switch_fails(self, switch: Node) -> bool:
        """`switch { case err == nil: errc <- errors.New("expected error"); ... }`: the first case that holds
        on the success path reports a failure; a case before it that may hold says nothing is known."""
        for case in switch.named_children:
            body = next((c for c in case.named_children if c.type == "statement_list"), None)
            if case.type == "default_case":
                return self._reports_failure(body)
            if case.type != "expression_case":
                continue
            values = case.child_by_field_name("value")
            held = [self.eval(v) for v in (values.named_children if values is not None else [])]
            if PANIC in held:
                return True
            if True in held:
                return self._reports_failure(body)
            if any(h is not False for h in held):
                return False
        return False

    def _assertion_fails(self, name: str, args: list[Node]) -> bool:
        """`require.Truef(t, IsClosedConnError(err))`, `assert.Error(t, err)`: the assertion fails on success."""
        if len(args) < 2:
            return False
        value = self.eval(args[1])
        if value is PANIC:
            return True
        if name in ASSERT_TRUE:
            return value is False
        if name in ASSERT_FALSE:
            return value is True
        return name in ASSERT_ERROR and value is NIL

    def _bind(self, init: Node) -> object:
        """Evaluate the `if`'s short declaration into the names; PANIC when a value panics."""
        if init.type != "short_var_declaration":
            return UNKNOWN
        left = init.child_by_field_name("left")
        right = init.child_by_field_name("right")
        if left is None or right is None:
            return UNKNOWN
        lhs, rhs = left.named_children, right.named_children
        if len(rhs) == 1 and len(lhs) == 2 and unparen(rhs[0]).type == "type_assertion_expression":
            asserted = self.eval(unparen(rhs[0]).child_by_field_name("operand"))
            values = [NIL, False] if asserted is NIL else [UNKNOWN, UNKNOWN]  # `v, ok := err.(T)`
        elif len(lhs) == len(rhs):
            values = [self.eval(r) for r in rhs]
        else:
            values = [UNKNOWN] * len(lhs)
        for name, value in zip(lhs, values, strict=True):
            self.names[self.ctx.text(name)] = value
        return PANIC if PANIC in values else UNKNOWN

    def eval(self, node: Node | None) -> object:
        if node is None:
            return UNKNOWN
        node = unparen(node)
        kind = node.type
        if kind == "identifier":
            return self._identifier(node)
        if kind in ("nil", "true", "false"):
            return {"nil": NIL, "true": True, "false": False}[kind]
        if kind in ("interpreted_string_literal", "raw_string_literal"):
            return self.ctx.text(node)[1:-1]
        if kind == "selector_expression":
            operand = self.eval(node.child_by_field_name("operand"))
            if operand is NIL or operand is PANIC:
                return PANIC  # a field of a nil pointer
            field = node.child_by_field_name("field")
            if operand is NON_NIL and field is not None and self.ctx.text(field) == "Body":
                return NON_NIL  # "the Client and Transport guarantee that Body is always non-nil"
            return NON_NIL if _SENTINEL.match(self.ctx.text(node)) else UNKNOWN
        if kind == "call_expression":
            return self._call(node)
        if kind == "unary_expression":
            op = node.child_by_field_name("operator")
            value = self.eval(node.child_by_field_name("operand"))
            if op is None or self.ctx.text(op) != "!":
                return UNKNOWN
            return PANIC if value is PANIC else (not value if isinstance(value, bool) else UNKNOWN)
        if kind == "binary_expression":
            return self._binary(node)
        return UNKNOWN

    def _identifier(self, node: Node) -> object:
        if self.lookup is not None:
            known = self.lookup(node)
            if known is not UNKNOWN:
                return known
        name = self.ctx.text(node)
        if name in self.names:
            return self.names[name]
        if _SENTINEL.match(name):
            return NON_NIL
        value = _declared_value(self.ctx, node)  # `want := "no Host in request URL"` declared earlier
        if value is None:
            return UNKNOWN
        if value.type in ("interpreted_string_literal", "raw_string_literal"):
            return self.ctx.text(value)[1:-1]
        if value.type == "call_expression" and self.ctx.call_target(value) in _NEW_ERROR:
            return NON_NIL  # `wantErr := errors.New("some error")`
        return UNKNOWN

    def _call(self, node: Node) -> object:
        fn = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        args = args_node.named_children if args_node is not None else []
        if fn is None:
            return UNKNOWN
        name = self.ctx.text(fn)
        if fn.type == "selector_expression":
            field = fn.child_by_field_name("field")
            operand = self.eval(fn.child_by_field_name("operand"))
            if operand is PANIC or (operand is NIL and field is not None and self.ctx.text(field) == "Error"):
                return PANIC  # err.Error() on a nil error
        values = [self.eval(a) for a in args]
        if PANIC in values:
            return PANIC
        if name in ("errors.Is", "errors.As") and values and values[0] is NIL:
            return False
        if _PREDICATE.match(name) and len(values) == 1 and values[0] is NIL:
            return False
        if name in _SPRINT and NIL in values:
            return NIL_TEXT
        if name == "strings.Contains" and len(values) == 2 and values[0] is NIL_TEXT and isinstance(values[1], str):
            return "<nil>" in values[1]
        if fn.type == "identifier" and NIL in values and self.depth < 3 and not is_local(self.ctx.source, fn):
            return self._helper(name, values)
        return UNKNOWN

    def _helper(self, name: str, values: list[object]) -> object:
        """`errEndsTest(t, err, ...)` with err nil: False when the file's helper returns true only where it
        is set (bool_helpers)."""
        decl = self.ctx.file_function(name)
        if decl is None:
            return UNKNOWN

        def holds_with(param: str) -> Callable[[Node], object]:
            return _Success(self.ctx, {param: NIL}, depth=self.depth + 1).eval

        if any(v is NIL and true_only_if_set(self.ctx, decl, i, holds_with) for i, v in enumerate(values)):
            return False
        return UNKNOWN

    def _binary(self, node: Node) -> object:
        op_node = node.child_by_field_name("operator")
        op = self.ctx.text(op_node) if op_node is not None else ""
        left = self.eval(node.child_by_field_name("left"))
        if op in ("&&", "||"):
            if left is PANIC:
                return PANIC
            if left is (op == "||"):
                return left  # short-circuit: true || ..., false && ...
            right = self.eval(node.child_by_field_name("right"))
            if right is PANIC and isinstance(left, bool):
                return PANIC
            if left is UNKNOWN:
                return right if right is (op == "||") else UNKNOWN
            return right if isinstance(right, bool) else UNKNOWN
        if op not in ("==", "!="):
            return UNKNOWN
        right = self.eval(node.child_by_field_name("right"))
        if PANIC in (left, right):
            return PANIC
        equal = _equal(left, right)
        return UNKNOWN if equal is UNKNOWN else (equal if op == "==" else not equal)

    def _new_error(self, send: Node) -> bool:
        value = send.child_by_field_name("value")
        return value is not None and value.type == "call_expression" and self.ctx.call_target(value) in _NEW_ERROR

    def _reports_failure(self, body: Node | None) -> bool:
        """The branch reports a test failure: failure calls (t.Errorf, t.Fatal, panic, a print), perhaps releasing what
        the odd success acquired and leaving (continue, return), and nothing else."""
        stmts = statements_of(body)
        failed = False
        for s in stmts:
            text = self.ctx.text(s)
            if s.type == "expression_statement" and (
                TEST_FAILURE.match(text) or (self.prints_report and _REPORT.match(text))
            ):
                failed = True
            elif s.type == "send_statement" and self.ctx.is_test_file and self._new_error(s):
                failed = True  # a test's goroutine hands the failure to the test: `errc <- errors.New("...")`
            elif s.type in ("continue_statement", "return_statement", "break_statement"):
                break
            elif not _releases_only(self.ctx, s):
                return False
        return failed


def _equal(a: object, b: object) -> object:
    """Whether two success-path values are equal; UNKNOWN when that is not known."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if NIL_TEXT in (a, b):
        other = b if a is NIL_TEXT else a
        return UNKNOWN if not isinstance(other, str) or "<nil>" in other else False
    if NIL in (a, b):
        other = b if a is NIL else a
        return True if other is NIL else (False if other is NON_NIL else UNKNOWN)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, bool) and isinstance(b, bool):
        return a == b
    return UNKNOWN


def _declared_value(ctx: FileContext, ident: Node) -> Node | None:
    """The value `x := value` (one of a parallel declaration) gave the local `ident` names."""
    found = short_declaration(ctx.source, ident)
    if found is None:
        return None
    decl, names, values = found
    return values[names.index(decl)] if len(values) == len(names) else None


def _releases_only(ctx: FileContext, stmt: Node) -> bool:
    """`c.Close()`, or `if err == nil { c.Close() }`: the odd success's value released in the failure branch."""
    if stmt.type == "expression_statement":
        return re.fullmatch(r"[\w.]+\.(Close|Stop)\(\)", ctx.text(stmt).strip()) is not None
    if stmt.type == "if_statement" and stmt.child_by_field_name("alternative") is None:
        inner = statements_of(stmt.child_by_field_name("consequence"))
        return bool(inner) and all(_releases_only(ctx, s) for s in inner)
    return False


def _names_missing(ctx: FileContext, call: Node) -> bool:
    args = call.child_by_field_name("arguments")
    return args is not None and any(
        a.type in ("interpreted_string_literal", "raw_string_literal") and MISSING.search(ctx.text(a)) is not None
        for a in args.named_children
    )
