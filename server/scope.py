"""Syntax-only name resolution: functions, declarations, uses and shadowing.

Plumber reads no types, so "the variable f" is an identifier plus the scope
that declares it. These helpers find the declaring scope, the uses of a name
that really refer to that declaration (not a shadowing one in an inner
block or closure), and the function a node belongs to.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

FUNCTION_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})
# Nodes that open a scope in which a name can be redeclared.
SCOPE_TYPES = frozenset({
    "block", "statement_list", "func_literal", "function_declaration", "method_declaration",
    "for_statement", "if_statement", "expression_switch_statement", "type_switch_statement",
    "select_statement", "expression_case", "type_case", "communication_case", "default_case",
})


def node_text(source: bytes, node: Node) -> str:
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")


def enclosing_function(node: Node) -> Node | None:
    """The innermost function declaration, method or function literal holding `node`."""
    n = node.parent
    while n is not None:
        if n.type in FUNCTION_TYPES:
            return n
        n = n.parent
    return None


def top_level(node: Node) -> Node:
    """The top-level declaration (child of source_file) holding `node`."""
    n = node
    while n.parent is not None and n.parent.type != "source_file":
        n = n.parent
    return n


def function_name(source: bytes, fn: Node) -> str | None:
    name = fn.child_by_field_name("name")
    return node_text(source, name) if name is not None else None


def inside_loop(node: Node, stop: Node | None = None) -> Node | None:
    """The innermost for statement around `node`, not crossing a function boundary or `stop`."""
    n = node.parent
    while n is not None and n is not stop and n.type not in FUNCTION_TYPES:
        if n.type == "for_statement":
            return n
        n = n.parent
    return None


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
    elif t == "range_clause":
        if any(c.type == ":=" for c in node.children):
            yield from _names_in(source, node.child_by_field_name("left"))
    elif t == "receive_statement":
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


def _scope_declares(source: bytes, scope: Node, name: str, before: int) -> Node | None:
    """The identifier declaring `name` directly in `scope` before byte `before`, if any."""
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
    decl = None
    for c in candidates:
        for ident in declared_identifiers(source, c):
            if ident.end_byte - ident.start_byte == len(name) and node_text(source, ident) == name:
                # Inside the declaring statement itself the old binding is still visible (x := x + 1).
                if c.type in ("short_var_declaration", "var_declaration") and c.end_byte > before:
                    continue
                decl = ident
    return decl


def declaration_of(source: bytes, use: Node, name: str | None = None, stop: Node | None = None) -> Node | None:
    """The identifier that declares the variable `use` refers to, searching outward.

    Returns None when the declaration is not found below `stop` (default: the
    file), e.g. for package-level names, imports and builtins.
    """
    name = name or node_text(source, use)
    before = use.start_byte
    n = use.parent
    while n is not None and n is not stop:
        if n.type in SCOPE_TYPES:
            d = _scope_declares(source, n, name, before)
            if d is not None:
                return d
        n = n.parent
    return None


def is_local(source: bytes, use: Node, name: str | None = None) -> bool:
    """True when `use` names something declared inside a function (shadowing a package, say)."""
    return declaration_of(source, use, name) is not None


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
    n = decl.parent
    while n is not None and n.type not in SCOPE_TYPES:
        n = n.parent
    return n if n is not None else decl


BREAKABLE_TYPES = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement",
                             "select_statement"})


def in_nested_function(node: Node, top: Node) -> bool:
    """Whether a function literal (or declaration) lies between `node` and its ancestor `top`."""
    n = node.parent
    while n is not None and n != top:
        if n.type in FUNCTION_TYPES:
            return True
        n = n.parent
    return False


def break_target(jump: Node) -> Node | None:
    """The statement an unlabelled `break` leaves: the innermost for, switch or select in its function."""
    n = jump.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        if n.type in BREAKABLE_TYPES:
            return n
        n = n.parent
    return None
