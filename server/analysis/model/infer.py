"""Types of local variables, from syntax and the program's declarations.

`LocalTypes` answers, for one file, the type of a local variable at a
declaring identifier or at a use, and the type of any expression. The forms
understood: parameters, receivers and named results; `x := e`, `var x T`,
`var x = e`, `a, b := f()` (one call spread over the left side), `v, ok :=
m[k]` / `x.(T)` / `<-ch`; range variables over slices, arrays, strings,
maps, channels, integers and range-over-func; type switch variables (one type
in the case: that type; several or default: the operand's); select receive
cases; range and index over a type parameter's core type (`S ~[]E`). Types
come back with every alias resolved (`Program.unalias`). Checked against
go/types by tests/unit/test_model_gotypes.py (docs/model.md). Everything
else is unknown (None): never a guess.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.model import exprs as E
from plumber.analysis.model.names import Names
from plumber.analysis.model.program import Program
from plumber.analysis.model.read_exprs import expr_of_node
from plumber.analysis.model.read_types import signature_of, type_of_node, type_param_cores, type_params_of
from plumber.analysis.model.types import (
    BOOL,
    INT,
    INT32,
    Array,
    Basic,
    Chan,
    Map,
    Named,
    Pointer,
    Signature,
    Slice,
    Tuple,
    Type,
    TypeParam,
    default_type,
)
from plumber.analysis.scope import declaration_of, declared_identifiers, declaring_scope

FUNCTIONS = frozenset({"function_declaration", "method_declaration", "func_literal"})
_UNKNOWN = object()


def _named(n: Node | None) -> list[Node]:
    return [c for c in n.named_children if c.type != "comment"] if n is not None else []


class LocalTypes:
    """Types of the locals of one file (memoised per declaring identifier)."""

    def __init__(self, source: bytes, root: Node, pkg_path: str, imports: dict[str, str],
                 dot_imports: tuple[str, ...], program: Program):  # fmt: skip
        self.source = source
        self.root = root
        self.pkg_path = pkg_path
        self.imports = imports
        self.dot_imports = dot_imports
        self.program = program
        self._decls: dict[int, Node] = {}  # declaring identifier offset -> node
        self._types: dict[int, object] = {}
        self._busy: set[int] = set()
        self._names: dict[int, Names] = {}  # per top-level declaration (its type parameters)

    # -- names ----------------------------------------------------------------------

    def _top(self, node: Node) -> Node:
        """The top-level declaration holding `node`: one step down from the root, in C (a zero-width node may
        sit between two declarations: it climbs)."""
        top = self.root.child_with_descendant(node) if node.end_byte > node.start_byte else None
        if top is None:
            top = node
            while top.parent is not None and top.parent.type != "source_file":
                top = top.parent
        return top

    def _local(self, ident: Node) -> int | None:
        # a name its top-level declaration does not declare is no local, told at once
        decl = declaration_of(self.source, ident, top=self._top(ident))
        if decl is None:
            return None
        self._decls[decl.start_byte] = decl
        return decl.start_byte

    def names_at(self, node: Node) -> Names:
        top = self._top(node)
        got = self._names.get(top.start_byte)
        if got is None:
            base = Names(self.source, self.pkg_path, self.imports, self.dot_imports)
            tps: tuple[str, ...] = ()
            tparams = top.child_by_field_name("type_parameters") if top.type == "function_declaration" else None
            if tparams is not None:
                tps = type_params_of(tparams, base)
            elif top.type == "method_declaration":
                tps = _receiver_type_params(top, base)
            got = Names(
                self.source, self.pkg_path, self.imports, self.dot_imports, frozenset(tps), {}, self._local, self._dot
            )
            if tparams is not None:
                got.cores = type_param_cores(tparams, got)
            self._names[top.start_byte] = got
        return got

    def _dot(self, name: str) -> str | None:
        """Where an exported name written unqualified in a file with dot imports is declared: this package
        (a clash with a dot-imported name is a compile error) or the one dot-imported package declaring it."""
        found = None
        for path in (self.pkg_path, *self.dot_imports):
            pkg = self.program.package(path)
            if pkg is None:
                return None  # a package the model cannot see may declare it
            if name in pkg.types or name in pkg.funcs or name in pkg.values:
                if found is not None:
                    return None
                found = path
        return found

    # -- queries --------------------------------------------------------------------

    def expr(self, node: Node) -> Type | None:
        """The type of an expression."""
        x = expr_of_node(node, self.names_at(node))
        t = self.program.type_of(x, self._local_type)
        return None if isinstance(t, Tuple) else t

    def expr_results(self, node: Node) -> Type | None:
        """The type of an expression, a Tuple for a call with several results."""
        return self.program.type_of(expr_of_node(node, self.names_at(node)), self._local_type)

    def ident(self, ident: Node) -> Type | None:
        """The type of the local variable an identifier declares or uses (None when not a local)."""
        if _declares(self.source, ident):
            earlier = declaration_of(self.source, ident)
            holder = _holder(ident)
            if (
                holder is not None
                and holder.type == "short_var_declaration"
                and earlier is not None
                and declaring_scope(earlier) == declaring_scope(ident)
            ):
                return self.decl(earlier)  # `x, err := ...` redeclares err: the earlier variable
            return self.decl(ident)
        decl = declaration_of(self.source, ident)
        if decl is None:
            return None
        self._decls[decl.start_byte] = decl
        holder = decl.parent
        if holder is not None and holder.type == "expression_list" and holder.parent is not None:
            holder = holder.parent
        if holder is not None and holder.type == "type_switch_statement" and ident is not decl:
            return self._switch_case_type(holder, ident)
        return self.decl(decl)

    def decl(self, decl: Node) -> Type | None:
        """The type of the variable a declaring identifier declares."""
        key = decl.start_byte
        self._decls[key] = decl
        got = self._types.get(key, _UNKNOWN)
        if got is not _UNKNOWN:
            return got  # type: ignore[return-value]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            t = self.program.unalias(self._infer(decl))
        finally:
            self._busy.discard(key)
        self._types[key] = t
        return t

    def _local_type(self, offset: int) -> Type | None:
        decl = self._decls.get(offset)
        return self.decl(decl) if decl is not None else None

    # -- inference ------------------------------------------------------------------

    def _infer(self, decl: Node) -> Type | None:
        p = decl.parent
        if p is None:
            return None
        if p.type in ("parameter_declaration", "variadic_parameter_declaration"):
            return self._param(decl, p)
        if p.type == "var_spec" or p.type == "const_spec":
            return self._spec(decl, p)
        if p.type == "expression_list" and p.parent is not None:
            holder = p.parent
            idents = p.named_children
            index = idents.index(decl) if decl in idents else -1
            if holder.type in ("short_var_declaration", "assignment_statement"):
                return self._assigned(holder.child_by_field_name("right"), index, len(idents), decl)
            if holder.type == "range_clause":
                return self._range(holder, index)
            if holder.type == "receive_statement":
                return self._received(holder, index)
            if holder.type == "type_switch_statement":
                value = holder.child_by_field_name("value")
                return self.expr(value) if value is not None else None
        return None

    def _param(self, decl: Node, p: Node) -> Type | None:
        names = self.names_at(decl)
        t = type_of_node(p.child_by_field_name("type"), names)
        if t is None:
            return None
        if p.type == "variadic_parameter_declaration":
            return Slice(t)
        plist = p.parent
        fn = plist.parent if plist is not None else None
        if fn is not None and fn.type == "method_declaration" and fn.child_by_field_name("receiver") == plist:
            return self._receiver(p, names) or t
        return t

    def _receiver(self, p: Node, names: Names) -> Type | None:
        """`(t *T[K, V])`: the receiver's type with its own type parameters as arguments."""
        tnode = p.child_by_field_name("type")
        pointer = False
        while tnode is not None and tnode.type in ("pointer_type", "parenthesized_type"):
            pointer = pointer or tnode.type == "pointer_type"
            kids = _named(tnode)
            tnode = kids[0] if kids else None
        if tnode is None or tnode.type != "generic_type":
            return None
        base = type_of_node(tnode.child_by_field_name("type"), names)
        args = tnode.child_by_field_name("type_arguments")
        if not isinstance(base, Named) or args is None:
            return None
        t: Type = Named(base.path, base.name, tuple(TypeParam(names.text(a)) for a in _named(args)))
        return Pointer(t) if pointer else t

    def _spec(self, decl: Node, spec: Node) -> Type | None:
        names = self.names_at(decl)
        tnode = spec.child_by_field_name("type")
        if tnode is not None:
            return type_of_node(tnode, names)
        idents = spec.children_by_field_name("name")
        index = idents.index(decl) if decl in idents else -1
        t = self._assigned(spec.child_by_field_name("value"), index, len(idents), decl)
        if spec.type == "const_spec" and t is not None:
            value = spec.child_by_field_name("value")
            vals = _named(value)
            if len(vals) == len(idents):
                return self.expr(vals[index])  # constants keep their untyped type
        return t

    def _assigned(self, right: Node | None, index: int, count: int, decl: Node) -> Type | None:
        vals = _named(right)
        if index < 0 or not vals:
            return None
        if len(vals) == count:
            t = self.expr(vals[index])
            return default_type(t) if t is not None else None
        if len(vals) != 1:
            return None
        value = vals[0]
        while value.type == "parenthesized_expression" and len(_named(value)) == 1:
            value = _named(value)[0]
        if count == 2 and value.type in ("index_expression", "type_assertion_expression", "unary_expression"):
            if index == 1:
                if value.type == "unary_expression" and self.source[value.start_byte : value.start_byte + 2] != b"<-":
                    return None
                return BOOL  # v, ok := m[k] / x.(T) / <-ch
            t = self.expr(value)
            return default_type(t) if t is not None else None
        t = self.expr_results(value)
        if isinstance(t, Tuple):
            return t.items[index] if index < len(t.items) and len(t.items) == count else None
        return None

    def _range(self, clause: Node, index: int) -> Type | None:
        right = clause.child_by_field_name("right")
        if right is None:
            return None
        t = self.expr(right)
        u = self.program.under(t)
        if isinstance(u, Pointer):
            u = self.program.under(u.elem)
            if not isinstance(u, Array):
                return None
        if isinstance(u, (Slice, Array)):
            return INT if index == 0 else u.elem
        if isinstance(u, Basic):
            if u.name in ("string", "untyped string"):
                return INT if index == 0 else INT32
            if u.name.startswith("untyped"):
                return INT if index == 0 else None
            if u.name.startswith(("int", "uint")):
                return t if index == 0 else None  # range over an integer: its type
        if isinstance(u, Map):
            return u.key if index == 0 else u.elem
        if isinstance(u, Chan):
            return u.elem if index == 0 else None
        if isinstance(u, Signature) and len(u.params) == 1:
            yield_ = self.program.under(u.params[0].type)
            if isinstance(yield_, Signature) and index < len(yield_.params):
                return yield_.params[index].type  # range over func(yield func(K, V) bool)
        return None

    def _received(self, stmt: Node, index: int) -> Type | None:
        right = stmt.child_by_field_name("right")
        if right is None:
            return None
        if index == 1:
            return BOOL
        t = self.expr(right)
        return default_type(t) if t is not None else None

    def _switch_case_type(self, switch: Node, use: Node) -> Type | None:
        """A type switch variable at a use: the case's one type, else the operand's type."""
        n: Node | None = use.parent
        while n is not None and n is not switch and n.type not in ("type_case", "default_case"):
            n = n.parent
        if n is None or n is switch:
            return None
        return self.clause(n)

    def clause(self, case: Node) -> Type | None:
        """The type of a type switch's variable in one clause (a `type_case` or `default_case`): the case's one
        type, else (several types, `nil`, default) the operand's type; None without a variable."""
        switch = case.parent
        if switch is None or switch.type != "type_switch_statement" or switch.child_by_field_name("alias") is None:
            return None
        value = switch.child_by_field_name("value")
        if case.type == "type_case":
            types = case.children_by_field_name("type")
            if len(types) == 1:
                if self.source[types[0].start_byte : types[0].end_byte] == b"nil":  # case nil: the operand's type
                    return self.expr(value) if value is not None else None
                return self.program.unalias(type_of_node(types[0], self.names_at(case)))
        return self.expr(value) if value is not None else None


def _holder(ident: Node) -> Node | None:
    """The statement, spec, clause or parameter that may declare `ident`."""
    p = ident.parent
    if p is not None and p.type in ("expression_list", "identifier_list"):
        p = p.parent
    return p


def _declares(source: bytes, ident: Node) -> bool:
    holder = _holder(ident)
    if holder is None:
        return False
    if holder.type in ("parameter_declaration", "variadic_parameter_declaration"):
        return ident in holder.children_by_field_name("name")
    if holder.type in ("var_spec", "const_spec"):
        return ident in holder.children_by_field_name("name")
    if holder.type in ("short_var_declaration", "range_clause", "receive_statement", "type_switch_statement"):
        return any(d == ident for d in declared_identifiers(source, holder))
    return False


def _receiver_type_params(method: Node, names: Names) -> tuple[str, ...]:
    plist = method.child_by_field_name("receiver")
    params = [c for c in _named(plist) if c.type == "parameter_declaration"]
    if len(params) != 1:
        return ()
    tnode = params[0].child_by_field_name("type")
    while tnode is not None and tnode.type in ("pointer_type", "parenthesized_type"):
        kids = _named(tnode)
        tnode = kids[0] if kids else None
    if tnode is None or tnode.type != "generic_type":
        return ()
    args = tnode.child_by_field_name("type_arguments")
    return tuple(names.text(a) for a in _named(args))


def function_signature(types: LocalTypes, fn: Node) -> Signature | None:
    """The signature of a function declaration, method or literal of the file."""
    return signature_of(fn, types.names_at(fn))


__all__ = ["E", "LocalTypes", "function_signature"]
