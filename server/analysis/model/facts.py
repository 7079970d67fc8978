"""What one Go file declares at package level: the per-file facts the module index is built from.

Computed once per parse (an open buffer: once per version; a file on disk:
once per modification), small and picklable, free of tree nodes, so that the
index keeps them for every file of the module and the standard library table
ships them (`stdlib.py`). They hold no offsets: a declaration's facts are those of its text
(its signature, for a function), wherever it stands in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from plumber.analysis.model import exprs as E
from plumber.analysis.model.names import Names
from plumber.analysis.model.read_exprs import expr_of_node
from plumber.analysis.model.read_types import signature_of, type_of_node, type_params_of
from plumber.analysis.model.types import Signature, Type
from plumber.syntax.imports import default_name, unvendored


@dataclass(frozen=True, slots=True)
class FuncFacts:
    name: str
    sig: Signature | None  # None when a parameter or result type is not understood
    recv: str | None = None  # the receiver's base type name, for a method
    recv_pointer: bool = False
    recv_type_params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TypeFacts:
    name: str
    underlying: Type | None  # the type expression on the right (struct, interface, another type)
    alias: bool = False
    type_params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ValueFacts:
    """A package-level var or const: its declared type, or the initializer to infer it from."""

    name: str
    const: bool
    type: Type | None
    init: E.Expr = E.OPAQUE
    index: int = 0  # which result of a multi-valued initializer (`var a, b = f()`)


@dataclass
class FileFacts:
    path: str
    package: str | None
    imports: dict[str, str]  # local name -> import path (blank imports left out)
    dot_imports: tuple[str, ...] = ()
    funcs: dict[str, FuncFacts] = field(default_factory=dict)
    methods: dict[str, dict[str, FuncFacts]] = field(default_factory=dict)  # receiver type -> name -> method
    types: dict[str, TypeFacts] = field(default_factory=dict)
    values: dict[str, ValueFacts] = field(default_factory=dict)

    @property
    def is_test(self) -> bool:
        return self.path.endswith("_test.go")


def _header(root: Node):
    """The top-level nodes up to the first that is not the package clause, an import or a comment (a cursor:
    `named_children` would build every top-level node)."""
    cursor = root.walk()
    if not cursor.goto_first_child():
        return
    while True:
        node = cursor.node
        if node is not None and node.is_named:
            if node.type not in ("package_clause", "import_declaration", "comment"):
                return
            yield node
        if not cursor.goto_next_sibling():
            return


def imports_of(source: bytes, root: Node) -> tuple[dict[str, str], tuple[str, ...]]:
    names: dict[str, str] = {}
    dots: list[str] = []
    for decl in _header(root):
        if decl.type != "import_declaration":
            continue
        specs = [c for c in decl.named_children if c.type == "import_spec"]
        for lst in (c for c in decl.named_children if c.type == "import_spec_list"):
            specs.extend(c for c in lst.named_children if c.type == "import_spec")
        for spec in specs:
            p = spec.child_by_field_name("path")
            if p is None:
                continue
            path = unvendored(source[p.start_byte + 1 : p.end_byte - 1].decode("utf-8", "replace"))
            n = spec.child_by_field_name("name")
            name = source[n.start_byte : n.end_byte].decode() if n is not None else default_name(path)
            if name == ".":
                dots.append(path)
            elif name != "_":
                names[name] = path
    return names, tuple(dots)


def package_name(source: bytes, root: Node) -> str | None:
    for c in _header(root):
        if c.type == "package_clause":
            for n in c.named_children:
                return source[n.start_byte : n.end_byte].decode("utf-8", "replace")
    return None


class DeclarationMemo:
    """What a document's declarations give (their facts, or their summaries), by their text, kept from one
    version to the next; it starts over when the package path or the imports change (`fit`)."""

    def __init__(self) -> None:
        self.context: tuple | None = None  # (package path, imports, dot imports) the parts were read with
        self.parts: dict = {}  # declaration text -> what it gives
        self.keys: list[tuple[str, bytes]] | None = None  # the declarations of the last version, in order
        self.facts: FileFacts | None = None  # the last version's facts
        self.bodies: list[tuple[int, int]] = []  # the byte spans of the last version's function bodies, in order
        self.rereads = False  # a declaration of the last version has no key (its facts hold a syntax error)

    def fit(self, pkg_path: str, imports: dict[str, str], dots: tuple[str, ...]) -> None:
        context = (pkg_path, tuple(imports.items()), dots)
        if context != self.context:
            self.context, self.parts, self.keys, self.facts = context, {}, None, None


def file_facts(path: str, source: bytes, root: Node, pkg_path: str, memo: DeclarationMemo | None = None) -> FileFacts:
    """The package-level declarations of one file; `pkg_path` is its package's import path.

    `memo`: kept from an earlier version of the same file (a document being edited). Only declarations
    whose text is new are read; when every declaration's text
    is the last version's (an edit inside a function body: a function's facts are its signature's), the
    last version's facts themselves are returned, so what was built from them stands."""
    imports, dots = imports_of(source, root)
    facts = FileFacts(path, package_name(source, root), imports, dots)
    names = Names(source, pkg_path, imports, dots)
    if memo is None:
        for decl in root.named_children:
            if decl.type in _DECLARATIONS:
                _declare(facts, decl, names)
        return facts
    memo.fit(pkg_path, imports, dots)
    decls = []
    keys = []
    bodies = []
    for decl in root.named_children:
        t = decl.type
        if t not in _DECLARATIONS:
            continue
        end = decl.end_byte
        body = None
        if t == "function_declaration" or t == "method_declaration":
            body = decl.child_by_field_name("body")
            if body is not None:
                end = body.start_byte
                bodies.append((end, body.end_byte))
        decls.append(decl)
        # (a declaration whose facts hold a syntax error is read again: tree-sitter may read the same text
        # otherwise; one in a function's body is not in its facts)
        if decl.has_error and any(c.has_error or c.is_missing for c in decl.children if c != body):
            keys.append((t, b""))
        else:
            keys.append((t, source[decl.start_byte : end]))
    memo.bodies = bodies
    memo.rereads = any(not k for _, k in keys)
    last = memo.facts
    if last is not None and memo.keys == keys and last.package == facts.package and not memo.rereads:
        return last
    parts: dict = {}
    for decl, key in zip(decls, keys, strict=True):
        part = (parts.get(key) or memo.parts.get(key)) if key[1] else None
        if part is None:
            part = FileFacts(path, None, {})
            _declare(part, decl, names)
        if key[1]:
            parts[key] = part
        if part.funcs:
            facts.funcs.update(part.funcs)
        if part.methods:
            for base, methods in part.methods.items():
                facts.methods.setdefault(base, {}).update(methods)
        if part.types:
            facts.types.update(part.types)
        if part.values:
            facts.values.update(part.values)
    if last is not None and last == facts:
        facts = last  # the same facts (a header's spacing changed, say): what was built from them stands
    memo.parts, memo.keys, memo.facts = parts, keys, facts
    return facts


_DECLARATIONS = frozenset({"function_declaration", "method_declaration", "type_declaration", "var_declaration",
                           "const_declaration"})  # fmt: skip


def _declare(facts: FileFacts, decl: Node, names: Names) -> None:
    """Add what one top-level declaration declares to `facts` (a later one of the same name wins)."""
    t = decl.type
    if t == "function_declaration":
        _func(facts, decl, names)
    elif t == "method_declaration":
        _method(facts, decl, names)
    elif t == "type_declaration":
        for spec in decl.named_children:
            if spec.type in ("type_spec", "type_alias"):
                _type(facts, spec, names)
    else:
        _values(facts, decl, names, t == "const_declaration")


def _func(facts: FileFacts, decl: Node, names: Names) -> None:
    name = names.text(decl.child_by_field_name("name"))
    tps = type_params_of(decl.child_by_field_name("type_parameters"), names)
    scoped = Names(names.source, names.pkg_path, names.imports, names.dot_imports, frozenset(tps))
    sig = signature_of(decl, scoped)
    if sig is not None and tps:
        sig = Signature(sig.params, sig.results, sig.variadic, tps)
    if name != "_" and name != "init":
        facts.funcs[name] = FuncFacts(name, sig)


def _receiver(decl: Node, names: Names) -> tuple[str, bool, tuple[str, ...]] | None:
    plist = decl.child_by_field_name("receiver")
    params = [c for c in plist.named_children if c.type == "parameter_declaration"] if plist is not None else []
    if len(params) != 1:
        return None
    tnode = params[0].child_by_field_name("type")
    pointer = False
    while tnode is not None and tnode.type in ("pointer_type", "parenthesized_type"):
        pointer = pointer or tnode.type == "pointer_type"
        kids = [c for c in tnode.named_children if c.type != "comment"]
        tnode = kids[0] if kids else None
    if tnode is None:
        return None
    tparams: tuple[str, ...] = ()
    if tnode.type == "generic_type":
        args = tnode.child_by_field_name("type_arguments")
        tparams = tuple(names.text(a) for a in args.named_children) if args is not None else ()
        tnode = tnode.child_by_field_name("type")
    if tnode is None or tnode.type != "type_identifier":
        return None
    return names.text(tnode), pointer, tparams


def _method(facts: FileFacts, decl: Node, names: Names) -> None:
    recv = _receiver(decl, names)
    if recv is None:
        return
    base, pointer, tparams = recv
    scoped = Names(names.source, names.pkg_path, names.imports, names.dot_imports, frozenset(tparams))
    name = names.text(decl.child_by_field_name("name"))
    sig = signature_of(decl, scoped)
    facts.methods.setdefault(base, {})[name] = FuncFacts(name, sig, base, pointer, tparams)


def _type(facts: FileFacts, spec: Node, names: Names) -> None:
    name = names.text(spec.child_by_field_name("name"))
    tps = type_params_of(spec.child_by_field_name("type_parameters"), names)
    scoped = Names(names.source, names.pkg_path, names.imports, names.dot_imports, frozenset(tps))
    under = type_of_node(spec.child_by_field_name("type"), scoped)
    facts.types[name] = TypeFacts(name, under, spec.type == "type_alias", tps)


def _values(facts: FileFacts, decl: Node, names: Names, const: bool) -> None:
    specs = [c for c in decl.named_children if c.type in ("var_spec", "const_spec")]
    for lst in (c for c in decl.named_children if c.type in ("var_spec_list", "const_spec_list")):
        specs.extend(c for c in lst.named_children if c.type in ("var_spec", "const_spec"))
    last_type: Type | None = None
    last_values: list[Node] = []
    for spec in specs:
        idents = spec.children_by_field_name("name")
        tnode = spec.child_by_field_name("type")
        value = spec.child_by_field_name("value")
        vals = [c for c in value.named_children if c.type != "comment"] if value is not None else []
        declared = type_of_node(tnode, names) if tnode is not None else None
        if const and not vals and last_values:
            # a const spec without values repeats the previous one's (iota)
            vals, declared = last_values, last_type
        elif const:
            last_values, last_type = vals, declared
        for i, ident in enumerate(idents):
            name = names.text(ident)
            if name == "_":
                continue
            if len(vals) == len(idents):
                init, index = expr_of_node(vals[i], names), 0
            elif len(vals) == 1:
                init, index = expr_of_node(vals[0], names), i
            else:
                init, index = E.OPAQUE, 0
            facts.values[name] = ValueFacts(name, const, declared, init, index)


__all__ = ["DeclarationMemo", "FileFacts", "FuncFacts", "TypeFacts", "ValueFacts", "file_facts"]
