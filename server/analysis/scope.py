"""Syntax-only name resolution: functions, declarations, uses and shadowing.

Plumber reads no types, so "the variable f" is an identifier plus the scope
that declares it. These helpers find the declaring scope, the uses of a name
that really refer to that declaration (not a shadowing one in an inner
block or closure), and the function a node belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from plumber.syntax.nodes import ancestors, node_text, walk_memo

# Nodes that open a scope in which a name can be redeclared.
SCOPE_TYPES = frozenset(
    {
        "block",
        "statement_list",
        "func_literal",
        "function_declaration",
        "method_declaration",
        "for_statement",
        "if_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
        "expression_case",
        "type_case",
        "communication_case",
        "default_case",
    }
)


def _names_in(source: bytes, node: Node | None) -> Iterator[Node]:
    """Identifiers directly listed by a declaration's left side (expression_list or identifier)."""
    if node is None:
        return
    if node.type == "identifier":
        yield node
    elif node.type in ("expression_list", "identifier_list"):
        for c in node.named_children:
            if c.type == "identifier":
                yield c


def declared_identifiers(source: bytes, node: Node) -> Iterator[Node]:
    """Identifiers a statement or clause declares in its enclosing scope."""
    t = node.type
    if t == "short_var_declaration":
        yield from _names_in(source, node.child_by_field_name("left"))
    elif t in ("var_declaration", "const_declaration"):
        for spec in node.named_children:
            if spec.type in ("var_spec", "const_spec"):
                yield from (c for c in spec.children_by_field_name("name"))
            elif spec.type == "var_spec_list":
                for s in spec.named_children:
                    if s.type == "var_spec":
                        yield from s.children_by_field_name("name")
    elif t == "range_clause" or t == "receive_statement":
        if any(c.type == ":=" for c in node.children):
            yield from _names_in(source, node.child_by_field_name("left"))
    elif t == "parameter_list":
        for p in node.named_children:
            if p.type in ("parameter_declaration", "variadic_parameter_declaration"):
                yield from p.children_by_field_name("name")
    elif t == "type_switch_statement":
        alias = node.child_by_field_name("alias")
        if alias is not None:
            yield from _names_in(source, alias)
    elif t in ("function_declaration",):
        pass


def _candidates(scope: Node, before: int) -> list[Node]:
    """The statements, clauses and parameter lists of `scope` that may declare a name in it (for a
    statement list, those that start before byte `before`)."""
    t = scope.type
    candidates: list[Node] = []
    if t == "statement_list":
        for stmt in scope.named_children:
            if stmt.start_byte >= before:
                break
            if stmt.type in ("short_var_declaration", "var_declaration", "const_declaration"):
                candidates.append(stmt)
    elif t in ("func_literal", "function_declaration", "method_declaration"):
        for field in ("receiver", "parameters", "result"):
            p = scope.child_by_field_name(field)
            if p is not None and p.type == "parameter_list":
                candidates.append(p)
    elif t == "for_statement":
        for c in scope.named_children:
            if c.type == "for_clause":
                init = c.child_by_field_name("initializer")
                if init is not None:
                    candidates.append(init)
            elif c.type == "range_clause":
                candidates.append(c)
    elif t in ("if_statement", "expression_switch_statement", "type_switch_statement"):
        init = scope.child_by_field_name("initializer")
        if init is not None:
            candidates.append(init)
        if t == "type_switch_statement":
            candidates.append(scope)
    elif t == "communication_case":
        comm = scope.child_by_field_name("communication")
        if comm is not None:
            candidates.append(comm)
    return candidates


def _scope_declares(source: bytes, scope: Node, name: str, before: int) -> Node | None:
    """The identifier declaring `name` directly in `scope` before byte `before`, if any."""
    decl = None
    for c in _candidates(scope, before):
        for ident in declared_identifiers(source, c):
            if ident.end_byte - ident.start_byte == len(name) and node_text(source, ident) == name:
                # Inside the declaring statement itself the old binding is still visible (x := x + 1).
                if c.type in ("short_var_declaration", "var_declaration") and c.end_byte > before:
                    continue
                decl = ident
    return decl


_ALWAYS = -1  # a candidate outside a statement list: it declares whatever the use's offset

# Every identifier `declared_identifiers` can yield, wherever it sits (a superset of what any scope
# declares): a name not among them is declared nowhere in the top-level declaration.
_DECLARED = (
    "[(short_var_declaration left: (expression_list (identifier) @n))"
    " (range_clause left: (expression_list (identifier) @n))"
    " (receive_statement left: (expression_list (identifier) @n))"
    " (type_switch_statement alias: (expression_list (identifier) @n))"
    " (var_spec name: (identifier) @n) (const_spec name: (identifier) @n)"
    " (parameter_declaration name: (identifier) @n) (variadic_parameter_declaration name: (identifier) @n)]"
)


class _FileScopes:
    """What `declaration_of` learns about one text during one analysis (`walk_memo`): the names
    declared anywhere in it, each scope's declarations by name, and the answers given."""

    __slots__ = ("declared", "parameters", "results", "root", "scopes", "source")

    def __init__(self, source: bytes, root: Node):
        self.source = source  # held: `id(source)` keys this object and must stay unique
        self.root = root  # held: the tree's node ids stay unique while this lives
        # per top-level declaration (by span), the names declared in it: a run restricted to the declarations
        # an edit touched reads only theirs (the whole file's, from every whole-tree query run at once, took 17 ms
        # on proc.go, 26 incremental reparses, in a run of one declaration)
        self.declared: dict[tuple[int, int], set[str]] = {}
        self.parameters: dict[tuple[int, int], frozenset[str]] = {}
        self.scopes: dict[int, tuple[Node, dict[str, list[tuple[Node, int, int]]]]] = {}
        self.results: dict[tuple[int, int, int, str], Node | None] = {}

    def declared_in(self, top: Node) -> set[str]:
        """The names declared anywhere in the top-level declaration `top`."""
        key = (top.start_byte, top.end_byte)
        got = self.declared.get(key)
        if got is None:
            from plumber.syntax.parser import captures

            got = self.declared[key] = {node_text(self.source, n) for n in captures(_DECLARED, top).get("n", ())}
        return got

    def parameters_of(self, top: Node) -> frozenset[str]:
        """The names a top-level function or method declares for all of its body: its receiver,
        parameters and named results."""
        key = (top.start_byte, top.end_byte)
        got = self.parameters.get(key)
        if got is None:
            lists = [top.child_by_field_name(f) for f in ("receiver", "parameters", "result")]
            got = self.parameters[key] = frozenset(
                node_text(self.source, ident)
                for pl in lists
                if pl is not None and pl.type == "parameter_list"
                for ident in declared_identifiers(self.source, pl)
            )
        return got

    def index(self, scope: Node) -> dict[str, list[tuple[Node, int, int]]]:
        """name -> (identifier, start, visible_from) of every declaration `_scope_declares` could
        return in `scope`, in order: `start` the candidate statement's start (`_ALWAYS` outside a
        statement list), `visible_from` the end of a var or := statement (its own text still sees
        the old binding), else `_ALWAYS`."""
        got = self.scopes.get(scope.id)
        if got is not None and got[0].start_byte == scope.start_byte:
            return got[1]
        source = self.source
        index: dict[str, list[tuple[Node, int, int]]] = {}
        in_list = scope.type == "statement_list"
        for c in _candidates(scope, scope.end_byte + 1):
            start = c.start_byte if in_list else _ALWAYS
            visible = c.end_byte if c.type in ("short_var_declaration", "var_declaration") else _ALWAYS
            for ident in declared_identifiers(source, c):
                index.setdefault(node_text(source, ident), []).append((ident, start, visible))
        self.scopes[scope.id] = (scope, index)
        return index

    def declares(self, scope: Node, name: str, before: int) -> Node | None:
        """`_scope_declares`, from the scope's index: the last declaration of `name` visible at `before`."""
        entries = self.index(scope).get(name)
        if not entries:
            return None
        for ident, start, visible in reversed(entries):
            if start >= before or visible > before:
                continue
            if ident.end_byte - ident.start_byte == len(name):  # as `_scope_declares` compares lengths
                return ident
        return None


def _file_scopes(source: bytes, use: Node) -> _FileScopes | None:
    memo = walk_memo()
    if memo is None:
        return None
    key = ("scopes", id(source))
    got = memo.get(key)
    if got is None:
        root = use
        for n in ancestors(use):
            root = n
        got = memo[key] = _FileScopes(source, root)
    return got


def declaration_of(
    source: bytes, use: Node, name: str | None = None, stop: Node | None = None, top: Node | None = None
) -> Node | None:
    """The identifier that declares the variable `use` refers to, searching outward.

    Returns None when the declaration is not found below `stop` (default: the
    file), e.g. for package-level names, imports and builtins. `top`: the
    top-level declaration holding `use`, when the caller knows it (a name it
    does not declare is answered without walking up).
    """
    name = name or node_text(source, use)
    before = use.start_byte
    scopes = _file_scopes(source, use)
    if scopes is None:
        for n in ancestors(use):
            if n is stop:
                break
            if n.type in SCOPE_TYPES:
                d = _scope_declares(source, n, name, before)
                if d is not None:
                    return d
        return None
    # by the node's id too: two trees of one text (parsed twice) each get their own answers; an answer
    # found holds its tree (so no other tree reuses the id), an answer None is the text's
    if top is not None and name not in scopes.declared_in(top):
        return None
    key = (use.id, before, use.end_byte, name)
    if stop is None and key in scopes.results:
        return scopes.results[key]
    chain = list(ancestors(use))
    top = chain[-2] if len(chain) >= 2 else use  # the top-level declaration: every scope searched is in it
    if name not in scopes.declared_in(top):
        return None
    found = None
    for n in chain:
        if n is stop:
            break
        if n.type in SCOPE_TYPES:
            found = scopes.declares(n, name, before)
            if found is not None:
                break
    if stop is None:
        scopes.results[key] = found
    return found


def is_local(source: bytes, use: Node, name: str | None = None, top: Node | None = None) -> bool:
    """True when `use` names something declared inside a function (shadowing a package, say).
    `top`: the top-level declaration holding `use`, when the caller knows it (a parameter's name
    used in the body is answered at once: the parameter, or a closer local, declares it)."""
    if top is not None and top.type in ("function_declaration", "method_declaration"):
        body = top.child_by_field_name("body")
        scopes = _file_scopes(source, use)
        if body is not None and scopes is not None and use.start_byte >= body.start_byte:
            if (name or node_text(source, use)) in scopes.parameters_of(top):
                return True
    return declaration_of(source, use, name, top=top) is not None


def find_uses(source: bytes, root: Node, scope: Node, decl: Node, after: int | None = None) -> list[Node]:
    """Identifiers inside `scope` that refer to the variable declared by `decl`.

    Matching is textual, then every candidate is resolved: one that a closer
    declaration shadows is someone else's.
    """
    name = node_text(source, decl)
    start = decl.end_byte if after is None else after
    if start >= scope.end_byte:
        return []
    pattern = re.compile(rb"(?<![\w.])" + re.escape(name.encode()) + rb"(?!\w)")
    out = []
    for m in pattern.finditer(source, start, scope.end_byte):
        node = root.descendant_for_byte_range(m.start(), m.end())
        if node is None or node.type != "identifier" or node.start_byte != m.start() or node.end_byte != m.end():
            continue
        if declaration_of(source, node, name) == decl:
            out.append(node)
    return out


def declaring_scope(decl: Node) -> Node:
    """The node within which a declared identifier is visible (its statement's parent)."""
    return next((n for n in ancestors(decl) if n.type in SCOPE_TYPES), decl)


def short_declaration(source: bytes, ident: Node) -> tuple[Node, list[Node], list[Node]] | None:
    """(the declaring identifier, the names declared, the values) of the `a, b := x, y` that declares the
    local `ident` names; None when another kind of declaration (or none in the file) declares it."""
    decl = declaration_of(source, ident)
    names = decl.parent if decl is not None else None
    holder = names.parent if names is not None else None
    if decl is None or names is None or holder is None:
        return None
    if names.type != "expression_list" or holder.type != "short_var_declaration":
        return None
    right = holder.child_by_field_name("right")
    return decl, names.named_children, (right.named_children if right is not None else [])
