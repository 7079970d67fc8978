"""What one Go file declares at package level: the per-file facts the module index is built from.

Computed once per parse (an open buffer: once per version; a file on disk:
once per modification), small and picklable, free of tree nodes, so that the
index keeps them for every file of the module and the standard library table
ships them (`stdlib.py`). Offsets are the file's byte offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from plumber.analysis.model import exprs as E
from plumber.analysis.model.names import Names
from plumber.analysis.model.read_exprs import expr_of_node
from plumber.analysis.model.read_types import signature_of, type_of_node, type_params_of
from plumber.analysis.model.types import Pointer, Signature, Type
from plumber.syntax.imports import default_name


@dataclass(frozen=True, slots=True)
class FuncFacts:
    name: str
    sig: Signature | None  # None when a parameter or result type is not understood
    recv: str | None = None  # the receiver's base type name, for a method
    recv_pointer: bool = False
    recv_type_params: tuple[str, ...] = ()
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class TypeFacts:
    name: str
    underlying: Type | None  # the type expression on the right (struct, interface, another type)
    alias: bool = False
    type_params: tuple[str, ...] = ()
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class ValueFacts:
    """A package-level var or const: its declared type, or the initializer to infer it from."""

    name: str
    const: bool
    type: Type | None
    init: E.Expr = E.OPAQUE
    index: int = 0  # which result of a multi-valued initializer (`var a, b = f()`)
    start: int = 0
    end: int = 0


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
    has_error: bool = False

    @property
    def is_test(self) -> bool:
        return self.path.endswith("_test.go")


def imports_of(source: bytes, root: Node) -> tuple[dict[str, str], tuple[str, ...]]:
    names: dict[str, str] = {}
    dots: list[str] = []
    for decl in root.named_children:
        if decl.type != "import_declaration":
            if decl.type not in ("package_clause", "comment"):
                break
            continue
        specs = [c for c in decl.named_children if c.type == "import_spec"]
        for lst in (c for c in decl.named_children if c.type == "import_spec_list"):
            specs.extend(c for c in lst.named_children if c.type == "import_spec")
        for spec in specs:
            p = spec.child_by_field_name("path")
            if p is None:
                continue
            path = source[p.start_byte + 1 : p.end_byte - 1].decode("utf-8", "replace")
            n = spec.child_by_field_name("name")
            name = source[n.start_byte : n.end_byte].decode() if n is not None else default_name(path)
            if name == ".":
                dots.append(path)
            elif name != "_":
                names[name] = path
    return names, tuple(dots)


def package_name(source: bytes, root: Node) -> str | None:
    for c in root.named_children:
        if c.type == "package_clause":
            for n in c.named_children:
                return source[n.start_byte : n.end_byte].decode("utf-8", "replace")
    return None


def file_facts(path: str, source: bytes, root: Node, pkg_path: str) -> FileFacts:
    """The package-level declarations of one file; `pkg_path` is its package's import path."""
    imports, dots = imports_of(source, root)
    facts = FileFacts(path, package_name(source, root), imports, dots, has_error=root.has_error)
    names = Names(source, pkg_path, imports, dots)
    for decl in root.named_children:
        t = decl.type
        if t == "function_declaration":
            _func(facts, decl, names)
        elif t == "method_declaration":
            _method(facts, decl, names)
        elif t == "type_declaration":
            for spec in decl.named_children:
                if spec.type in ("type_spec", "type_alias"):
                    _type(facts, spec, names)
        elif t in ("var_declaration", "const_declaration"):
            _values(facts, decl, names, t == "const_declaration")
    return facts


def _func(facts: FileFacts, decl: Node, names: Names) -> None:
    name = names.text(decl.child_by_field_name("name"))
    tps = type_params_of(decl.child_by_field_name("type_parameters"), names)
    scoped = Names(names.source, names.pkg_path, names.imports, names.dot_imports, frozenset(tps))
    sig = signature_of(decl, scoped)
    if sig is not None and tps:
        sig = Signature(sig.params, sig.results, sig.variadic, tps)
    if name != "_" and name != "init":
        facts.funcs[name] = FuncFacts(name, sig, start=decl.start_byte, end=decl.end_byte)


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
    facts.methods.setdefault(base, {})[name] = FuncFacts(
        name, sig, base, pointer, tparams, decl.start_byte, decl.end_byte
    )


def _type(facts: FileFacts, spec: Node, names: Names) -> None:
    name = names.text(spec.child_by_field_name("name"))
    tps = type_params_of(spec.child_by_field_name("type_parameters"), names)
    scoped = Names(names.source, names.pkg_path, names.imports, names.dot_imports, frozenset(tps))
    under = type_of_node(spec.child_by_field_name("type"), scoped)
    facts.types[name] = TypeFacts(name, under, spec.type == "type_alias", tps, spec.start_byte, spec.end_byte)


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
            facts.values[name] = ValueFacts(name, const, declared, init, index, spec.start_byte, spec.end_byte)


# -- which files a build includes (GOOS=linux, GOARCH=amd64, cgo off: the go/types defaults here) ----

GOOS = "linux"
GOARCH = "amd64"
KNOWN_OS = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "js",
        "linux",
        "nacl",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
        "zos",
    ]
)
KNOWN_ARCH = frozenset(
    [
        "386",
        "amd64",
        "amd64p32",
        "arm",
        "armbe",
        "arm64",
        "arm64be",
        "loong64",
        "mips",
        "mipsle",
        "mips64",
        "mips64le",
        "mips64p32",
        "mips64p32le",
        "ppc",
        "ppc64",
        "ppc64le",
        "riscv",
        "riscv64",
        "s390",
        "s390x",
        "sparc",
        "sparc64",
        "wasm",
    ]
)
UNIX = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "linux",
        "netbsd",
        "openbsd",
        "solaris",
    ]
)
_GO_BUILD = re.compile(rb"^//go:build (.+)$", re.M)
_PACKAGE = re.compile(rb"^package\s", re.M)
_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[\w.]+)")


# The experiments on by default (Go 1.27's internal/buildcfg baseline for linux/amd64): go/build's
# Default.ToolTags, so `//go:build goexperiment.jsonv2` files are the ones encoding/json is built from.
EXPERIMENTS = frozenset(
    "goexperiment." + x
    for x in (
        "regabiwrappers", "regabiargs", "dwarf5", "randomizedheapbase64", "greenteagc", "jsonv2",
        "sizespecializedmalloc",
    )
)  # fmt: skip


def _tag_true(tag: str, go_minor: int) -> bool:
    if tag in (GOOS, GOARCH, "gc") or tag in EXPERIMENTS:
        return True
    if tag == "unix":
        return GOOS in UNIX
    if tag.startswith("go1."):
        try:
            return int(tag[4:]) <= go_minor
        except ValueError:
            return False
    return False  # cgo, other OSes and architectures, custom tags


def _eval(expr: str, go_minor: int) -> bool:
    tokens = [m.group(1) for m in _TOKEN.finditer(expr)]
    pos = 0

    def parse_or() -> bool:
        nonlocal pos
        v = parse_and()
        while pos < len(tokens) and tokens[pos] == "||":
            pos += 1
            v = parse_and() or v
        return v

    def parse_and() -> bool:
        nonlocal pos
        v = parse_not()
        while pos < len(tokens) and tokens[pos] == "&&":
            pos += 1
            v = parse_not() and v
        return v

    def parse_not() -> bool:
        nonlocal pos
        if pos < len(tokens) and tokens[pos] == "!":
            pos += 1
            return not parse_not()
        if pos < len(tokens) and tokens[pos] == "(":
            pos += 1
            v = parse_or()
            pos += 1  # ")"
            return v
        tok = tokens[pos] if pos < len(tokens) else ""
        pos += 1
        return _tag_true(tok, go_minor)

    return parse_or()


def in_build(filename: str, head: bytes, go_minor: int = 27) -> bool:
    """Whether the go tool builds this file for linux/amd64 without cgo (name suffixes and //go:build)."""
    stem = filename[:-3] if filename.endswith(".go") else filename
    if stem.endswith("_test"):
        stem = stem[:-5]
    parts = stem.split("_")
    if len(parts) >= 2:
        last, prev = parts[-1], parts[-2] if len(parts) >= 3 else None
        if last in KNOWN_ARCH:
            if last != GOARCH:
                return False
            if prev is not None and prev in KNOWN_OS and prev != GOOS:
                return False
        elif last in KNOWN_OS and last != GOOS:
            return False
    # the constraint sits before the package clause
    clause = _PACKAGE.search(head)
    m = _GO_BUILD.search(head, 0, clause.start() if clause is not None else len(head))
    return m is None or _eval(m.group(1).decode("utf-8", "replace"), go_minor)


__all__ = ["FileFacts", "FuncFacts", "Pointer", "TypeFacts", "ValueFacts", "file_facts", "in_build"]
