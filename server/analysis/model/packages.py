"""The packages the analysed code can name, and the type-level lookups over their declarations.

`Packages` holds per-package facts (`PackageFacts`, merged from the
per-file `facts.FileFacts`), which a loader provides by import path: the
module's own packages (the driver's module index: disk files and open
buffers), the standard library (the shipped API table, `stdlib.py`),
dependencies where their source is on disk. Over their declarations it
answers what types are: a defined type's underlying type, aliases resolved,
and selectors, which pick the field or method at the shallowest depth
through embedded fields (two at that depth: unknown), pointers dereferenced,
type arguments substituted. `program.Program` builds the types of
expressions on these. Anything not found is None: the model never guesses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from plumber.analysis.model.facts import FileFacts, FuncFacts, TypeFacts, ValueFacts
from plumber.analysis.model.types import (
    STRING,
    Array,
    Chan,
    Interface,
    Map,
    Named,
    Pointer,
    Signature,
    Slice,
    Struct,
    Tuple,
    Type,
    TypeParam,
    Var,
    substitute,
)

MAX_DEPTH = 8  # embedding depth searched, and nesting of initializers followed
_UNKNOWN = object()


@dataclass
class PackageFacts:
    """The merged facts of the files of one package (test files of the package included only when asked)."""

    path: str
    name: str | None
    files: list[FileFacts]
    funcs: dict[str, FuncFacts] = field(default_factory=dict)
    methods: dict[str, dict[str, FuncFacts]] = field(default_factory=dict)
    types: dict[str, TypeFacts] = field(default_factory=dict)
    values: dict[str, ValueFacts] = field(default_factory=dict)

    @classmethod
    def merge(cls, path: str, files: list[FileFacts]) -> PackageFacts:
        names = [f.package for f in files if f.package]
        pkg = cls(path, names[0] if names else None, files)
        for f in files:
            for k, v in f.funcs.items():
                pkg.funcs.setdefault(k, v)
            for k, ms in f.methods.items():
                mine = pkg.methods.setdefault(k, {})
                for m, fn in ms.items():
                    mine.setdefault(m, fn)
            for k, t in f.types.items():
                pkg.types.setdefault(k, t)
            for k, val in f.values.items():
                pkg.values.setdefault(k, val)
        return pkg


class Packages:
    """Packages by import path, loaded on demand; lookups of the types their declarations make."""

    def __init__(self, load: Callable[[str], PackageFacts | None]):
        self._load = load
        self._packages: dict[str, PackageFacts | None] = {}
        self._unaliased: dict[Type, object] = {}

    def package(self, path: str) -> PackageFacts | None:
        if path not in self._packages:
            self._packages[path] = self._load(path)
        return self._packages[path]

    def add(self, pkg: PackageFacts) -> None:
        """Use `pkg` for its path (the package under analysis, built from live buffers)."""
        self._packages[pkg.path] = pkg
        self._unaliased.clear()

    # -- declarations ------------------------------------------------------------

    def type_decl(self, t: Named) -> TypeFacts | None:
        if not t.path:
            return None
        pkg = self.package(t.path)
        return pkg.types.get(t.name) if pkg is not None else None

    def is_type(self, path: str, name: str) -> bool:
        pkg = self.package(path)
        return pkg is not None and name in pkg.types

    def func(self, path: str, name: str) -> FuncFacts | None:
        pkg = self.package(path)
        return pkg.funcs.get(name) if pkg is not None else None

    def under(self, t: Type | None, depth: int = 0) -> Type | None:
        """The underlying type: a defined type's declared type expression, through aliases and names (and a
        type parameter's core type, where its constraint writes one)."""
        if isinstance(t, TypeParam) and t.core is not None:
            t = t.core
        while isinstance(t, Named) and depth < MAX_DEPTH:
            if not t.path:
                if t.name == "error":
                    return Interface((("Error", Signature((), (Var("", STRING),))),))
                return None
            decl = self.type_decl(t)
            if decl is None or decl.underlying is None:
                return None
            u: Type | None = decl.underlying
            if decl.type_params:
                if len(t.args) != len(decl.type_params):
                    return None
                u = substitute(u, dict(zip(decl.type_params, t.args, strict=True)))
            t, depth = u, depth + 1
        return t

    def resolve_alias(self, t: Type | None) -> Type | None:
        """`t` with aliases (`type A = B`) replaced by what they stand for."""
        for _ in range(MAX_DEPTH):
            if not isinstance(t, Named):
                return t
            decl = self.type_decl(t)
            if decl is None or not decl.alias:
                return t
            t = decl.underlying
        return None

    def unalias(self, t: Type | None, depth: int = 0) -> Type | None:
        """`t` with every alias in it, not only at its top, replaced by what it stands for (go/types'
        identical type); None when one of them is not understood."""
        if t is None:
            return None
        got = self._unaliased.get(t, _UNKNOWN)
        if got is _UNKNOWN:
            got = self._unalias(t, depth)
            self._unaliased[t] = got
        return got  # type: ignore[return-value]

    def _unalias(self, t: Type, depth: int) -> Type | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(t, Named):
            decl = self.type_decl(t) if t.path else None
            if decl is not None and decl.alias:
                if decl.type_params:  # a generic alias: type A[T any] = B[T]
                    if len(t.args) != len(decl.type_params):
                        return None
                    target = substitute(decl.underlying, dict(zip(decl.type_params, t.args, strict=True)))
                else:
                    target = decl.underlying
                return self.unalias(target, depth + 1)
            if not t.args:
                return t
            args = tuple(self.unalias(a, depth + 1) for a in t.args)
            return None if any(a is None for a in args) else Named(t.path, t.name, args)  # type: ignore[arg-type]
        if isinstance(t, (Pointer, Slice, Array, Chan)):
            e = self.unalias(t.elem, depth + 1)
            if e is None:
                return None
            if isinstance(t, Pointer):
                return Pointer(e)
            if isinstance(t, Slice):
                return Slice(e)
            if isinstance(t, Array):
                return Array(t.length, e)
            return Chan(e, t.dir)
        if isinstance(t, Map):
            k, e = self.unalias(t.key, depth + 1), self.unalias(t.elem, depth + 1)
            return Map(k, e) if k is not None and e is not None else None
        if isinstance(t, (Signature, Struct, Tuple, Interface)):
            return self._unalias_composite(t, depth)
        return t

    def _unalias_composite(self, t: Signature | Struct | Tuple | Interface, depth: int) -> Type | None:
        def vs(vars_: tuple[Var, ...]) -> tuple[Var, ...] | None:
            out = []
            for v in vars_:
                u = self.unalias(v.type, depth + 1)
                if u is None:
                    return None
                out.append(replace(v, type=u))
            return tuple(out)

        if isinstance(t, Signature):
            ps, rs = vs(t.params), vs(t.results)
            return Signature(ps, rs, t.variadic, t.type_params) if ps is not None and rs is not None else None
        if isinstance(t, Struct):
            fs = vs(t.fields)
            return Struct(fs) if fs is not None else None
        if isinstance(t, Tuple):
            items = tuple(self.unalias(i, depth + 1) for i in t.items)
            return None if any(i is None for i in items) else Tuple(items)  # type: ignore[arg-type]
        methods = []
        for name, sig in t.methods:
            u = self.unalias(sig, depth + 1)
            if not isinstance(u, Signature):
                return None
            methods.append((name, u))
        embeds = tuple(self.unalias(e, depth + 1) for e in t.embeds)
        if any(e is None for e in embeds):
            return None
        return Interface(tuple(methods), embeds)  # type: ignore[arg-type]

    # -- selectors ---------------------------------------------------------------

    def select(self, t: Type | None, name: str) -> tuple[str, Type] | None:
        """("field", type) or ("method", signature) for `x.name` where x has type `t`."""
        if t is None:
            return None
        t = self.resolve_alias(t)
        if isinstance(t, Pointer):
            t = self.resolve_alias(t.elem)
        level: list[Type | None] = [t]
        seen: set[str] = set()
        for _ in range(MAX_DEPTH):
            found: list[tuple[str, Type]] = []
            embedded: list[Type | None] = []
            for cur in level:
                if cur is None:
                    continue
                hit, more = self._members(cur, name, seen)
                found.extend(hit)
                embedded.extend(more)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None  # ambiguous at this depth
            if not embedded:
                return None
            level = embedded
        return None

    def _members(self, t: Type, name: str, seen: set[str]) -> tuple[list[tuple[str, Type]], list[Type | None]]:
        """Members named `name` declared directly by `t`, and the types embedded in it."""
        hits: list[tuple[str, Type]] = []
        embedded: list[Type | None] = []
        base = t.elem if isinstance(t, Pointer) else t
        if isinstance(base, Named):
            key = f"{base.path}.{base.name}"
            if key in seen:
                return hits, embedded
            seen.add(key)
            m = self._method(base, name)
            if m is not None:
                hits.append(("method", m))
        u = self.under(base)
        if isinstance(u, Struct):
            for f in u.fields:
                if f.name == name:
                    hits.append(("field", f.type))
                if f.embedded:
                    embedded.append(self.resolve_alias(f.type))
        elif isinstance(u, Interface):
            for mname, sig in u.methods:
                if mname == name:
                    hits.append(("method", sig))
            embedded.extend(self.resolve_alias(e) for e in u.embeds)
        return hits, embedded

    def _method(self, t: Named, name: str) -> Signature | None:
        pkg = self.package(t.path) if t.path else None
        if pkg is None:
            return None
        fn = pkg.methods.get(t.name, {}).get(name)
        if fn is None or fn.sig is None:
            return None
        if fn.recv_type_params:
            if len(fn.recv_type_params) != len(t.args):
                return None
            sig = substitute(fn.sig, dict(zip(fn.recv_type_params, t.args, strict=True)))
            return sig if isinstance(sig, Signature) else None
        return fn.sig

    def method_decl(self, t: Type | None, name: str) -> FuncFacts | None:
        """The declaration of a method of a defined type (through a pointer), not of an interface."""
        t = self.resolve_alias(t.elem if isinstance(t, Pointer) else t)
        if not isinstance(t, Named) or not t.path:
            return None
        pkg = self.package(t.path)
        return pkg.methods.get(t.name, {}).get(name) if pkg is not None else None


__all__ = ["MAX_DEPTH", "PackageFacts", "Packages"]
