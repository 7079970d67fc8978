"""Finding resource leaks on the program model: acquisitions, where each value goes, the leaking path.

For each call that acquires a resource (its result has a resource type of
`model.resource_table` and the callee is an opener: the standard library's
by the table, the module's own by summary), the finder binds the result
to its variable and asks where it goes: released (`f.Close()`, `cancel()`,
`resp.Body.Close()`, a closer of the module), handed on (returned, stored,
sent, passed to a function that takes it), or kept locally (read, passed to a
function that leaves it with the caller). A value handed on is someone
else's. A value kept locally must be released on every path from the
acquisition to the function's exit (`model.flow`); otherwise it leaks, and
the witness path is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from tree_sitter import Node

from plumber.analysis.bool_flags import BoolFlags
from plumber.analysis.cfg import CFG, build
from plumber.analysis.context import FileContext
from plumber.analysis.expected_failure import failure_edge
from plumber.analysis.failure_release import failure_only, returns_success
from plumber.analysis.local_types import TYPES
from plumber.analysis.model import exprs as E
from plumber.analysis.model.flow import Witness, first_declaration_start, leak_path
from plumber.analysis.model.infer import LocalTypes
from plumber.analysis.model.read_exprs import BUILTIN_FUNCS, expr_of_node
from plumber.analysis.model.resource_table import (
    CGO,
    GRPC_CONN,
    KEEPS_IN_USE,
    PIPE,
    TAKES,
    ResourceKind,
    resource_kind,
)
from plumber.analysis.model.types import Signature, Tuple, results_of
from plumber.analysis.ownership import _classify_append
from plumber.analysis.resources import Binding, bind, callee_name, result_stays_local
from plumber.analysis.scope import declaring_scope, find_uses
from plumber.analysis.uses import Role, lending_call, returned_by, runs_deferred, site_of
from plumber.analysis.wrappers import result_releases, wrapped_releases
from plumber.syntax.exits import is_exit_text
from plumber.syntax.nodes import enclosing_function, on_the_way, within

CANDIDATES = "[(short_var_declaration right: (expression_list (call_expression) @call)) (assignment_statement right: (expression_list (call_expression) @call)) (var_spec value: (expression_list (call_expression) @call)) (expression_statement (call_expression) @call)]"  # noqa: E501
# Openers known by name: gRPC's, whose package the model cannot read here (no module cache), and os.Pipe,
# whose two files the catalogue reports as pipe ends.
BY_NAME: dict[tuple[str, str], tuple[tuple[int, ResourceKind], ...]] = {
    ("google.golang.org/grpc", "Dial"): ((0, GRPC_CONN),),
    ("google.golang.org/grpc", "DialContext"): ((0, GRPC_CONN),),
    ("google.golang.org/grpc", "NewClient"): ((0, GRPC_CONN),),
    ("os", "Pipe"): ((0, PIPE), (1, PIPE)),
}
_ASSIGNED = "[(assignment_statement left: (expression_list (identifier) @id)) (short_var_declaration left: (expression_list (identifier) @id))]"  # noqa: E501
_STUB = re.compile(r"^New\w*Client$")
_LOOKING = frozenset(
    {Role.COMPARED, Role.BINARY, Role.INDEXED, Role.LOOKED_AT, Role.RANGED, Role.UNARY, Role.RECEIVED_FROM}
)


class Fate(Enum):
    LOCAL = "local"
    RELEASE = "release"
    ESCAPE = "escape"


@dataclass(frozen=True)
class Leak:
    call: Node  # the acquiring call
    kind: ResourceKind
    index: int  # which result of the call is the resource
    binding: Binding
    callee: str  # the call's function as written (`os.Open`, `openLog`, `c.Do`)
    witness: Witness | None  # None: never released anywhere; else the path that leaks
    released_somewhere: bool
    in_use_after: bool = False  # handed to a function that goes on using it (pprof.StartCPUProfile): no safe fix
    callee_path: str = ""  # the import path of the opener's package, when resolved
    returned: bool = False  # returned on some paths: no `defer` fix (it would close what the caller gets)


class LeakFinder:
    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self.types: LocalTypes = ctx.result(TYPES)
        self.summaries = ctx.summaries
        self._cfgs: dict[int, CFG] = {}
        self._may: dict[str, bool] = {}  # _may_acquire by the text of a callee that names no local

    # -- acquisitions ----------------------------------------------------------------

    def acquisitions(self) -> list[tuple[Node, int, ResourceKind]]:
        """(call, result index, kind) of every call that acquires a resource, in document order."""
        out: list[tuple[Node, int, ResourceKind]] = []
        for call in self.ctx.captures(CANDIDATES).get("call", []):
            out.extend((call, i, k) for i, k in self._acquired(call))
        return out

    def _acquired(self, call: Node) -> list[tuple[int, ResourceKind]]:
        target = self.ctx.call_target(call)
        if target is not None and target in BY_NAME:
            return list(BY_NAME[target])
        if not self._may_acquire(call):
            return []
        t = self.types.expr_results(call)
        items = t.items if isinstance(t, Tuple) else (t,)
        found = []
        ir: E.Expr | None = None
        for i, item in enumerate(items):
            kind = resource_kind(item)
            if kind is None:
                continue
            if ir is None:
                ir = expr_of_node(call, self.types.names_at(call))
            if isinstance(ir, E.Call) and self.summaries.is_opener(ir, i, self.types._local_type):
                if not kind.nil_on_error and self.summaries.nil_with_error(ir, i, self.types._local_type):
                    kind = replace(kind, nil_on_error=True)  # a module's `return nil, nil, err`: no cancel
                found.append((i, kind))
        return found

    def _may_acquire(self, call: Node) -> bool:
        """False when `_acquired` would find no result of a resource type, told from the callee alone:
        a builtin, or a non-generic callee whose results have none. The steps are those of
        `expr_results` (the same typing, in the same order), without the arguments, which only a
        generic callee's results depend on; anything else (conversions, generics, `(*T)(x)`) is True."""
        fn = call.child_by_field_name("function")
        if fn is None or fn.type == "parenthesized_expression" or call.child_by_field_name("type_arguments"):
            return True
        types = self.types
        names = types.names_at(call)
        root = fn.child_by_field_name("operand") if fn.type == "selector_expression" else fn
        # a callee of package-level names (`throw`, `pkg.Open`, `mheap_.alloc`) is typed alike all over
        # the file: once (runtime/proc.go calls 499 callees 1,564 times)
        key = names.text(fn) if root is not None and root.type == "identifier" and names.local(root) is None else None
        known = self._may.get(key) if key is not None else None
        if known is None:
            known = self._may_acquire_typed(fn, names)
            if key is not None:
                self._may[key] = known
        return known

    def _may_acquire_typed(self, fn: Node, names) -> bool:
        types = self.types
        if fn.type == "identifier" and names.local(fn) is None and names.text(fn) in BUILTIN_FUNCS:
            return False  # a builtin call: never an E.Call, never acquired
        program = types.program
        x = expr_of_node(fn, names)
        if isinstance(x, E.Global) and program.is_type(x.path, x.name):
            return True  # a conversion
        sig = program.under(program.type_of(x, types._local_type, 1))  # depth 1: as inside the call's typing
        if not isinstance(sig, Signature):
            return False
        if sig.type_params:
            return True
        t = program.resolve_alias(results_of(sig))
        items = t.items if isinstance(t, Tuple) else (t,)
        return any(resource_kind(item) is not None for item in items)

    # -- where a use takes the value ----------------------------------------------------

    def fate(self, use: Node, kind: ResourceKind) -> Fate:
        site = site_of(use)
        whole = True
        if kind.field is not None:
            if site.role is Role.SELECTED:
                if site.name != kind.field:
                    return Fate.LOCAL  # resp.StatusCode, resp.Header: reads
                site, whole = site_of(site.holder), False
        else:
            whole = False
        role = site.role
        if role is Role.SELECTED:
            return Fate.RELEASE if site.name in kind.methods and not whole else Fate.LOCAL
        if role is Role.CALLED:
            return Fate.RELEASE if kind.called and not whole else Fate.LOCAL
        if role is Role.ARGUMENT:
            return self._argument(site.holder, site.index, kind, whole)
        if role in _LOOKING or role is Role.ASSIGNED or (role is Role.OTHER and site.value.parent is not None
                                                          and site.value.parent.type == "range_clause"):  # fmt: skip
            return Fate.LOCAL
        if role in (Role.ASSIGNED_FROM, Role.DECLARED_FROM):
            t = site.target
            if t is not None and t.type == "identifier" and self.ctx.text(t) == "_":
                return Fate.LOCAL
        return Fate.ESCAPE

    def _argument(self, call: Node, index: int, kind: ResourceKind, whole: bool) -> Fate:
        fn = call.child_by_field_name("function")
        if fn is None:
            return Fate.ESCAPE
        if kind is CGO:
            c_fate = self._c_argument(call)
            if c_fate is not None:
                return c_fate
        if fn.type == "identifier" and self.types.names_at(fn).local(fn) is None:
            name = self.ctx.text(fn)
            if name in ("len", "cap", "print", "println"):
                return Fate.LOCAL
            if name == "append":
                from plumber.analysis.ownership import Resource, Use

                got = _classify_append(self.ctx, call, Resource())
                return Fate.LOCAL if got is Use.LOCAL else Fate.ESCAPE
        fn_ir = expr_of_node(fn, self.types.names_at(fn))
        local = self.types._local_type
        if not whole and self.summaries.releases_argument(fn_ir, index, local):
            return Fate.RELEASE
        if self.summaries.wraps_argument(fn_ir, index, local):
            # the result holds it (a wrapper, a stub): handed on only when the result is
            return Fate.LOCAL if result_stays_local(self.ctx, call) else Fate.ESCAPE
        kept = self.summaries.keeps_argument(fn_ir, index, local)
        if kept:
            return Fate.LOCAL
        if kept is None and kind is GRPC_CONN and self._is_stub(call) and result_stays_local(self.ctx, call):
            return Fate.LOCAL  # a generated stub lent the connection: the stub must not outlive it
        return Fate.ESCAPE

    def _lent(self, use: Node, kept: list[Node], fn: Node, straight: bool = False) -> bool:
        """Passed to a function the model cannot resolve (another module's) by a function that defers its
        release, or (`straight`) returns it later in the same statement list: a loan (`lending_call`)."""
        call = lending_call(use, kept, fn, straight)
        callee = call.child_by_field_name("function") if call is not None else None
        if callee is None:
            return False
        known = self.summaries.callee(expr_of_node(callee, self.types.names_at(callee)), self.types._local_type)
        return known is None or (known not in TAKES and self.summaries.summary(known) is None)

    def _c_argument(self, call: Node) -> Fate | None:
        """C memory passed to `C.free` is released; to another C function, borrowed; through a conversion
        (`unsafe.Pointer(p)`, `(*C.char)(p)`), it goes where the conversion goes."""
        from plumber.analysis.ownership import is_conversion

        target = self.ctx.call_target(call)
        if target is not None and target[0] == "C":
            return Fate.RELEASE if target[1] == "free" else Fate.LOCAL
        if is_conversion(self.ctx, call):
            return self.fate(call, CGO)
        return None

    def _is_stub(self, call: Node) -> bool:
        fn = call.child_by_field_name("function")
        name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        return name is not None and _STUB.match(self.ctx.text(name)) is not None

    # -- the verdict ----------------------------------------------------------------

    def cfg(self, fn: Node) -> CFG:
        got = self._cfgs.get(fn.start_byte)
        if got is None:
            got = self._cfgs[fn.start_byte] = build(fn, self.ctx.source, self._may_return)
        return got

    def _may_return(self, call: Node) -> bool:
        fn = call.child_by_field_name("function")
        if fn is None or is_exit_text(self.ctx.text(call)):
            return fn is None  # `os.Exit(1)`, `t.Fatal(err)`: no
        callee = self.summaries.callee(expr_of_node(fn, self.types.names_at(fn)), self.types._local_type)
        return callee is None or not self.summaries.never_returns(callee)

    def leak(self, call: Node, index: int, kind: ResourceKind) -> Leak | None:
        """The leak of one acquisition, or None when it is released on every path or handed on."""
        b = bind(self.ctx, call, index)
        if b is None:
            return None  # stored into a field or an element, or not bound: someone else's
        return self.verdict(call, index, kind, b)

    def verdict(self, call: Node, index: int, kind: ResourceKind, b: Binding) -> Leak | None:
        """The leak of the value `b` binds (result `index` of `call`, perhaps through a conversion)."""
        fn_node = call.child_by_field_name("function")
        resolved = None
        if fn_node is not None:
            resolved = self.summaries.callee(expr_of_node(fn_node, self.types.names_at(fn_node)),
                                             self.types._local_type)  # fmt: skip
        callee = callee_name(resolved, self.ctx.pkg_path, self.ctx, call)
        target = self.ctx.call_target(call)
        path = resolved[0] if resolved is not None else (target[0] if target is not None else "")
        if b.target is None:
            return Leak(call, kind, index, b, callee, None, False, callee_path=path)
        fn = enclosing_function(call)
        if b.decl is None or fn is None or enclosing_function(b.decl) != fn:
            return None  # a package-level variable, or one captured from an outer function
        if b.decl.parent is not None and b.decl.parent.type in ("parameter_declaration",
                                                                  "variadic_parameter_declaration"):  # fmt: skip
            return None  # a (named) result: it leaves with the call
        uses = [u for u in find_uses(self.ctx.source, self.ctx.root, declaring_scope(b.decl), b.decl) if u != b.target]
        releases: list[Node] = []
        failure_releases: list[Node] = []  # deferred to run only when the function fails
        kills: list[Node] = []
        fates = [self.fate(u, kind) for u in uses]
        deferred = [u for u, f in zip(uses, fates, strict=True) if f is Fate.RELEASE and runs_deferred(u, fn)]
        # `return f, nil` hands it to the caller on that path only. Not in tests (their error paths fail the
        # test), nor where the variable gets another value (`conn = NewLoggingConn(conn)` may hold the first).
        returns = [u for u, f in zip(uses, fates, strict=True) if f is Fate.ESCAPE and returned_by(u, fn)]
        if returns and (self.ctx.is_test_file or any(site_of(u).role is Role.ASSIGNED for u in uses)):
            returns = []
        for u, f in zip(uses, fates, strict=True):
            if not within(u, fn):  # (perhaps in a function literal nested in it, a closure over the variable)
                return None
            if u in returns:
                continue
            if f is Fate.ESCAPE and (self._lent(u, deferred, fn) or self._lent(u, returns, fn, straight=True)):
                continue  # `process(resp.Body)` where `defer resp.Body.Close()`: lent, not handed on
            if f is Fate.ESCAPE:
                return None
            if f is Fate.RELEASE:
                if runs_deferred(u, fn) and u.start_byte < b.stmt.start_byte:
                    return None  # a defer registered before the acquisition releases it on every path out
                # a deferred release covers the paths that pass its defer statement (failing ones, for some)
                (failure_releases if failure_only(self.ctx, u, fn) else releases).append(u)
            elif site_of(u).role is Role.ASSIGNED and not within(u, b.stmt):
                kills.append(u)
        is_release = lambda u: self.fate(u, kind) is Fate.RELEASE  # noqa: E731
        acquires = lambda c: [i for i, _ in self._acquired(c)]  # noqa: E731
        through = wrapped_releases(self.ctx, call, resolved, b.stmt, is_release, acquires)
        if through is None:
            return None
        releases += through + returns
        for u in uses:  # `ll := SharedLimitListener(l, sem)`: `ll.Close()` closes l
            if self._wraps(u):
                releases += result_releases(self.ctx, site_of(u).holder, is_release)
        in_use = any(self._keeps_in_use(u) for u in uses)
        if not releases and not failure_releases:
            return Leak(call, kind, index, b, callee, None, False, in_use, path)
        cfg = self.cfg(fn)
        if cfg.has_error:
            return None
        stop_nodes = {self._node_of(cfg, u) for u in releases}
        failure_nodes = {self._node_of(cfg, u) for u in failure_releases} - {None}
        kill_nodes = {self._node_of(cfg, u) for u in kills}
        stop_nodes.discard(None)
        kill_nodes.discard(None)
        source = self.ctx.source
        err_decls = (
            {first_declaration_start(source, o) for o in b.others if self.ctx.text(o) != "_"}
            if kind.nil_on_error
            else set()
        )
        value_decls = {b.decl.start_byte}
        # where the call's error variable is given another value (`size, err := f.Read(buf)`): after that, a
        # branch on err says nothing of the call
        # (only where the assignment is on the straight path to the branch: its block holds the branch)
        err_reassigned = [
            i
            for i in self.ctx.captures(_ASSIGNED, fn).get("id", [])
            if i.start_byte > b.stmt.end_byte and first_declaration_start(source, i) in err_decls
        ]

        def is_err(ident: Node) -> bool:
            return first_declaration_start(source, ident) in err_decls and not any(
                at.start_byte < ident.start_byte and on_the_way(at, ident) for at in err_reassigned
            )

        def pruned(block):
            if block.cond is None:
                return None
            return failure_edge(self.ctx, block.cond, is_err,
                                lambda ident: first_declaration_start(source, ident) in value_decls)  # fmt: skip

        witness = leak_path(
            cfg,
            b.stmt,
            stops=lambda n: n.id in stop_nodes,
            kills=lambda n: n.id in kill_nodes,
            pruned=pruned,
            flags=BoolFlags.of(self.ctx, fn),
            on_failure=lambda n: n.id in failure_nodes,
            succeeds=lambda block: returns_success(self.ctx, block.return_statement, fn),
        )
        if witness is None:
            return None
        return Leak(call, kind, index, b, callee, witness, True, in_use, path, returned=bool(returns))

    def _wraps(self, use: Node) -> bool:
        """`use` is an argument of a module's wrapper (its result holds it) whose result stays local."""
        site = site_of(use)
        fn = site.holder.child_by_field_name("function") if site.role is Role.ARGUMENT else None
        if fn is None:
            return False
        wraps = self.summaries.wraps_argument(expr_of_node(fn, self.types.names_at(fn)), site.index,
                                              self.types._local_type)  # fmt: skip
        return wraps and result_stays_local(self.ctx, site.holder)  # the memoised summary first, the scope walk after

    def _keeps_in_use(self, use: Node) -> bool:
        site = site_of(use)
        return site.role is Role.ARGUMENT and self.ctx.call_target(site.holder) in KEEPS_IN_USE

    @staticmethod
    def _node_of(cfg: CFG, node: Node) -> int | None:
        where = cfg.block_of(node)
        return where[0].nodes[where[1]].id if where is not None else None
