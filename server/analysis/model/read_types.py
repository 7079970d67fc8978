"""Reading the model's types off tree-sitter-go nodes.

`type_of_node` turns a type expression into a `types.Type` (None for what it
does not understand); beside it, what declarations write about types:
signatures and parameter lists, struct fields (and their tags, whence string
literals' values), interfaces, type parameters and the core types their
constraints write. Names are resolved through `names.Names`.
"""

from __future__ import annotations

from tree_sitter import Node

from plumber.analysis.model.names import Names, named_children
from plumber.analysis.model.types import (
    ALIASES,
    EMPTY_INTERFACE,
    ERROR,
    PREDECLARED_BASIC,
    RECV_ONLY,
    SEND_ONLY,
    SEND_RECV,
    UNSAFE_POINTER,
    Array,
    Basic,
    Chan,
    Interface,
    Map,
    Named,
    Pointer,
    Signature,
    Slice,
    Struct,
    Type,
    TypeParam,
    Var,
)


def type_of_node(node: Node | None, names: Names) -> Type | None:
    """The type a type expression denotes, or None."""
    if node is None:
        return None
    t = node.type
    if t == "type_identifier":
        return type_name(names.text(node), names)
    if t == "qualified_type":
        pkg = node.child_by_field_name("package")
        name = node.child_by_field_name("name")
        path = names.imports.get(names.text(pkg)) if pkg is not None else None
        if path is None or name is None:
            return None
        if path == "unsafe" and names.text(name) == "Pointer":
            return UNSAFE_POINTER
        return Named(path, names.text(name))
    if t == "generic_type":
        base = type_of_node(node.child_by_field_name("type"), names)
        args_node = node.child_by_field_name("type_arguments")
        args = type_args_of(args_node, names)
        if not isinstance(base, Named) or args is None:
            return None
        return Named(base.path, base.name, args)
    if t == "pointer_type":
        elem = type_of_node(named_children(node)[0] if named_children(node) else None, names)
        return Pointer(elem) if elem is not None else None
    if t == "slice_type":
        elem = type_of_node(node.child_by_field_name("element"), names)
        return Slice(elem) if elem is not None else None
    if t == "array_type":
        elem = type_of_node(node.child_by_field_name("element"), names)
        length = node.child_by_field_name("length")
        n = _int_literal(length, names)
        return Array(n, elem) if elem is not None else None
    if t == "implicit_length_array_type":
        return None  # [...]T: the length comes from the literal
    if t == "map_type":
        k = type_of_node(node.child_by_field_name("key"), names)
        v = type_of_node(node.child_by_field_name("value"), names)
        return Map(k, v) if k is not None and v is not None else None
    if t == "channel_type":
        elem = type_of_node(node.child_by_field_name("value"), names)
        if elem is None:
            return None
        tokens = [c.type for c in node.children if not c.is_named]
        if tokens and tokens[0] == "<-":
            return Chan(elem, RECV_ONLY)
        if "<-" in tokens:
            return Chan(elem, SEND_ONLY)
        return Chan(elem, SEND_RECV)
    if t == "function_type":
        return signature_of(node, names)
    if t == "struct_type":
        return _struct(node, names)
    if t == "interface_type":
        return _interface(node, names)
    if t == "parenthesized_type":
        inner = named_children(node)
        return type_of_node(inner[0], names) if inner else None
    if t == "type_elem":
        inner = named_children(node)
        return type_of_node(inner[0], names) if len(inner) == 1 else None
    return None


def type_name(name: str, names: Names) -> Type | None:
    if name in names.type_params:
        return TypeParam(name, names.cores.get(name))
    if name in names.local_types:
        return names.local_types[name]
    if name in PREDECLARED_BASIC:
        return Basic(name)
    if name in ALIASES:
        return Basic(ALIASES[name])
    if name == "error":
        return ERROR
    if name == "any":
        return EMPTY_INTERFACE
    if name == "comparable":
        return Named("", "comparable")
    path = names.unqualified(name)  # with dot imports, it may come from an imported package
    return Named(path, name) if path is not None else None


def type_args_of(node: Node | None, names: Names) -> tuple[Type, ...] | None:
    if node is None:
        return None
    out = []
    for c in named_children(node):
        ty = type_of_node(c, names)
        if ty is None:
            return None
        out.append(ty)
    return tuple(out)


def _int_literal(node: Node | None, names: Names) -> int | None:
    if node is None or node.type != "int_literal":
        return None
    try:
        return int(names.text(node).replace("_", ""), 0)
    except ValueError:
        return None


def params_of(plist: Node | None, names: Names) -> tuple[tuple[Var, ...], bool] | None:
    """(parameters, variadic) of a parameter_list; None when a type is unknown."""
    if plist is None:
        return (), False
    out: list[Var] = []
    variadic = False
    for p in named_children(plist):
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        ty = type_of_node(p.child_by_field_name("type"), names)
        if ty is None:
            return None
        if p.type == "variadic_parameter_declaration":
            ty, variadic = Slice(ty), True
        idents = p.children_by_field_name("name")
        if idents:
            out.extend(Var(names.text(i), ty) for i in idents)
        else:
            out.append(Var("", ty))
    return tuple(out), variadic


def signature_of(node: Node, names: Names) -> Signature | None:
    """The signature of a function declaration, method, literal or function type."""
    params = params_of(node.child_by_field_name("parameters"), names)
    if params is None:
        return None
    result = node.child_by_field_name("result")
    if result is None:
        results: tuple[Var, ...] = ()
    elif result.type == "parameter_list":
        got = params_of(result, names)
        if got is None:
            return None
        results = got[0]
    else:
        ty = type_of_node(result, names)
        if ty is None:
            return None
        results = (Var("", ty),)
    return Signature(params[0], results, params[1])


def _struct(node: Node, names: Names) -> Struct | None:
    fields: list[Var] = []
    body = next((c for c in node.named_children if c.type == "field_declaration_list"), None)
    for fd in named_children(body) if body is not None else []:
        if fd.type != "field_declaration":
            continue
        tnode = fd.child_by_field_name("type")
        idents = fd.children_by_field_name("name")
        tag_node = fd.child_by_field_name("tag")
        tag = string_value(tag_node, names) if tag_node is not None else ""
        if tag is None:
            return None
        if idents:
            ty = type_of_node(tnode, names)
            if ty is None:
                return None
            fields.extend(Var(names.text(i), ty, tag=tag) for i in idents)
        else:  # embedded: T, *T, pkg.T, T[X] (the `*` of *T is a token of the field declaration)
            base = type_of_node(tnode, names)
            if not isinstance(base, Named):
                return None
            pointer = any(c.type == "*" for c in fd.children)
            fields.append(Var(base.name, Pointer(base) if pointer else base, embedded=True, tag=tag))
    return Struct(tuple(fields))


_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}


def string_value(node: Node, names: Names) -> str | None:
    """The value of a string literal (raw or interpreted); None for another node or a malformed one."""
    text = names.source[node.start_byte : node.end_byte]
    if node.type == "raw_string_literal" and len(text) >= 2:
        return text[1:-1].replace(b"\r", b"").decode("utf-8", "replace")
    if node.type != "interpreted_string_literal" or len(text) < 2:
        return None
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != 0x5C:  # a backslash
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(body):
            return None
        e = chr(body[i + 1])
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
            i += 2
        elif e in "xuU01234567":
            width = {"x": 2, "u": 4, "U": 8}.get(e, 3)
            digits = body[i + 1 : i + 1 + width] if e.isdigit() else body[i + 2 : i + 2 + width]
            try:
                value = int(digits, 8 if e.isdigit() else 16)
            except ValueError:
                return None
            if e in "uU":
                if value > 0x10FFFF:
                    return None
                out.extend(chr(value).encode("utf-8", "surrogatepass"))
            else:
                out.append(value & 0xFF)
            i += (1 if e.isdigit() else 2) + width
        else:
            return None
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _interface(node: Node, names: Names) -> Interface | None:
    methods: list[tuple[str, Signature]] = []
    embeds: list[Type] = []
    for el in named_children(node):
        if el.type == "method_elem":
            sig = signature_of(el, names)
            name = el.child_by_field_name("name")
            if sig is None or name is None:
                return None
            methods.append((names.text(name), sig))
        elif el.type == "type_elem":
            terms = named_children(el)
            if len(terms) != 1:
                embeds.append(EMPTY_INTERFACE)  # a union of terms: a constraint, not a method set
                continue
            ty = type_of_node(terms[0], names)
            if ty is None:
                return None
            embeds.append(ty)
    methods.sort(key=lambda m: m[0])  # go/types lists an interface's methods sorted
    return Interface(tuple(methods), tuple(embeds))


def type_params_of(node: Node | None, names: Names) -> tuple[str, ...]:
    if node is None:
        return ()
    out: list[str] = []
    for d in named_children(node):
        if d.type == "type_parameter_declaration":
            out.extend(names.text(i) for i in d.children_by_field_name("name"))
    return tuple(out)


_CORE_LITERALS = frozenset({"slice_type", "map_type", "channel_type", "array_type", "pointer_type", "function_type"})


def type_param_cores(node: Node | None, names: Names) -> dict[str, Type]:
    """The core types written as constraints of a type parameter list: `[S ~[]E]` or `[M interface{ ~map[K]V }]`
    (one term, a type literal); none for named constraints, unions and method sets."""
    out: dict[str, Type] = {}
    for d in named_children(node) if node is not None else []:
        if d.type != "type_parameter_declaration":
            continue
        constraint = d.child_by_field_name("type")
        terms = named_children(constraint) if constraint is not None else []
        if len(terms) == 1 and terms[0].type == "interface_type":
            elems = named_children(terms[0])
            terms = named_children(elems[0]) if len(elems) == 1 and elems[0].type == "type_elem" else []
        if len(terms) != 1:
            continue
        term = terms[0]
        if term.type == "negated_type":
            inner = named_children(term)
            term = inner[0] if len(inner) == 1 else term
        if term.type not in _CORE_LITERALS:
            continue
        core = type_of_node(term, names)
        if core is not None:
            out.update((names.text(i), core) for i in d.children_by_field_name("name"))
    return out
