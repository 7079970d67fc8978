"""The program: every package the analysed code can name, and what its names and expressions are.

`Program` is `packages.Packages` (the packages by import path, and the
lookups over their declared types: underlying types, aliases, selectors)
with the types of what code computes: a package-level function's, var's or
const's (from its declaration or its initializer), and any expression of the
IR (`exprs`): calls (conversions, generic calls with their type arguments
inferred, `unsafe`), builtins, operators, indexing and slicing. Anything not
found is None: the model never guesses.
"""

from __future__ import annotations

from collections.abc import Callable

from plumber.analysis.model import exprs as E
from plumber.analysis.model.packages import MAX_DEPTH, PackageFacts, Packages
from plumber.analysis.model.types import (
    ALIASES,
    EMPTY_INTERFACE,
    ERROR,
    INT,
    PREDECLARED_BASIC,
    STRING,
    UINT8,
    UINTPTR,
    UNSAFE_POINTER,
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
    results_of,
    substitute,
)
from plumber.analysis.model.unify import mentions, unify

_UNTYPED_RANK = {"untyped int": 1, "untyped rune": 2, "untyped float": 3, "untyped complex": 4}


class Program(Packages):
    """Packages by import path, loaded on demand; lookups over them, and the types of expressions."""

    def __init__(self, load: Callable[[str], PackageFacts | None]):
        super().__init__(load)
        self._globals: dict[tuple[str, str], Type | None] = {}
        self._busy: set[tuple[str, str]] = set()

    def add(self, pkg: PackageFacts) -> None:
        """Use `pkg` for its path (the package under analysis, built from live buffers)."""
        super().add(pkg)
        self._globals = {k: v for k, v in self._globals.items() if k[0] != pkg.path}

    def global_type(self, path: str, name: str) -> Type | None:
        """The type of a package-level function, var or const."""
        key = (path, name)
        if key in self._globals:
            return self._globals[key]
        if key in self._busy:
            return None  # an initializer that refers to itself
        self._busy.add(key)
        try:
            got = self._global_type(path, name)
        finally:
            self._busy.discard(key)
        self._globals[key] = got
        return got

    def _global_type(self, path: str, name: str) -> Type | None:
        pkg = self.package(path) if path != "unsafe" else None  # unsafe's functions: `_unsafe`
        if pkg is None:
            return None
        fn = pkg.funcs.get(name)
        if fn is not None:
            return fn.sig
        val = pkg.values.get(name)
        if val is None:
            return None
        if val.type is not None:
            return self.resolve_alias(val.type)
        t = self.type_of(val.init, _no_locals)
        if isinstance(t, Tuple):
            return t.items[val.index] if val.index < len(t.items) else None
        if val.index != 0:
            return None
        return t if val.const else default_type(t) if t is not None else None

    # -- expressions -------------------------------------------------------------

    def type_of(self, x: E.Expr, local: Callable[[int], Type | None], depth: int = 0) -> Type | None:
        """The type of an expression (a Tuple for a call with several results), or None."""
        if depth > 4 * MAX_DEPTH:
            return None
        t = self._type_of(x, local, depth + 1)
        return self.unalias(t)

    def _type_of(self, x: E.Expr, local: Callable[[int], Type | None], depth: int) -> Type | None:
        if isinstance(x, E.Known):
            return x.type
        if isinstance(x, E.Local):
            return local(x.decl)
        if isinstance(x, E.Global):
            return self.global_type(x.path, x.name)
        if isinstance(x, E.Call):
            return self._call(x, local, depth)
        if isinstance(x, E.Select):
            got = self.select(self.type_of(x.base, local, depth), x.name)
            return got[1] if got is not None else None
        if isinstance(x, E.Builtin):
            return self._builtin(x, local, depth)
        if isinstance(x, E.Unary):
            t = self.type_of(x.operand, local, depth)
            if t is None:
                return None
            if x.op == "&":
                return Pointer(t)
            if x.op == "*":
                return t.elem if isinstance(t, Pointer) else None
            if x.op == "<-":
                u = self.under(t)
                return u.elem if isinstance(u, Chan) else None
            return t
        if isinstance(x, E.Binary):
            return self._binary(x, local, depth)
        if isinstance(x, E.Index):
            t = self.type_of(x.base, local, depth)
            u = self.under(t)
            if isinstance(u, Pointer):
                u = self.under(u.elem)
                if not isinstance(u, Array):
                    return None
            if isinstance(u, (Slice, Array)):
                return u.elem
            if isinstance(u, Map):
                return u.elem
            if isinstance(u, Basic) and u.name in ("string", "untyped string"):
                return UINT8
            return None
        if isinstance(x, E.SliceOf):
            t = self.type_of(x.base, local, depth)
            u = self.under(t)
            if isinstance(u, Basic) and u.name == "untyped string":
                return STRING
            if isinstance(u, Basic) and u.name == "string":
                return t
            if isinstance(u, Slice):
                return t
            if isinstance(u, Array):
                return Slice(u.elem)
            if isinstance(u, Pointer):
                arr = self.under(u.elem)
                return Slice(arr.elem) if isinstance(arr, Array) else None
            return None
        if isinstance(x, E.Assert):
            return x.type
        if isinstance(x, E.FuncLit):
            return x.type
        return None

    def _call(self, x: E.Call, local: Callable[[int], Type | None], depth: int) -> Type | None:
        fn = x.fn
        if isinstance(fn, E.Global) and fn.path == "unsafe":
            return self._unsafe(fn.name, x, local, depth)
        if isinstance(fn, E.Global) and self.is_type(fn.path, fn.name):
            return Named(fn.path, fn.name, x.type_args)  # a conversion T(x) or T[A](x)
        if isinstance(fn, E.Global) and fn.name in PREDECLARED_TYPES and not x.type_args:
            # int(x), byte(c), error(nil): a conversion, unless the package declares the name itself
            pkg = self.package(fn.path)
            if pkg is not None and not any(fn.name in d for d in (pkg.funcs, pkg.values, pkg.types)):
                return PREDECLARED_TYPES[fn.name]
        ft = self.type_of(fn, local, depth)
        sig = self.under(ft)
        if not isinstance(sig, Signature):
            return None
        if sig.type_params:
            binding = self._bind(sig, x, local, depth)
            if binding is None:
                return None
            sig2 = substitute(sig, binding)
            return results_of(sig2) if isinstance(sig2, Signature) else None
        return results_of(sig)

    def _unsafe(self, name: str, x: E.Call, local: Callable[[int], Type | None], depth: int) -> Type | None:
        """The functions of package unsafe (its declarations in GOROOT are documentation, not signatures)."""
        if name in ("Sizeof", "Alignof", "Offsetof"):
            return UINTPTR
        if name == "String":
            return STRING
        if name == "StringData":
            return Pointer(UINT8)
        if name == "Add":
            return UNSAFE_POINTER
        arg = self.type_of(x.args[0], local, depth) if len(x.args) >= 1 else None
        if name == "Slice" and isinstance(arg, Pointer):
            return Slice(arg.elem)
        u = self.under(arg)
        if name == "SliceData" and isinstance(u, Slice):
            return Pointer(u.elem)
        return None

    def _bind(self, sig: Signature, x: E.Call, local, depth: int) -> dict[str, Type] | None:
        """Type arguments of a generic call: those written out, then those the arguments' types give by
        unifying them with the parameters' (typed arguments first, untyped constants' default types last, as
        go/types infers); None when one is left unbound or two disagree."""
        if len(x.type_args) > len(sig.type_params):
            return None
        binding: dict[str, Type] = dict(zip(sig.type_params, x.type_args, strict=False))
        tps = frozenset(sig.type_params)
        untyped: dict[str, Type] = {}
        for i, arg in enumerate(x.args):
            if i >= len(sig.params) or (sig.variadic and i == len(sig.params) - 1):
                break  # a variadic tail (the IR does not say whether it is spread with ...)
            p = sig.params[i].type
            if all(tp in binding for tp in tps) or not mentions(p, tps):
                continue
            at = self.type_of(arg, local, depth)
            if at is None or isinstance(at, Tuple):
                continue  # unknown: another argument may still bind it
            if isinstance(p, TypeParam) and isinstance(at, Basic) and at.name.startswith("untyped"):
                if untyped.setdefault(p.name, default_type(at)) != default_type(at):
                    return None  # 1 and 1.5 for one T: float64, the larger kind; not modelled
                continue
            if not unify(p, at, binding, tps):
                return None
        for name, t in untyped.items():
            binding.setdefault(name, t)
        if any(tp not in binding for tp in sig.type_params):
            return None
        return binding

    def _builtin(self, x: E.Builtin, local, depth: int) -> Type | None:
        if x.name == "make":
            return x.type
        if x.name == "new":
            base = x.type
            while isinstance(base, (Pointer, Slice)):
                base = base.elem
            if isinstance(base, Named) and base.path and (pkg := self.package(base.path)) is not None:
                if base.name not in pkg.types:
                    return None  # new(v) of a package-level variable (Go 1.26's new(expr)), or a local type
            return Pointer(x.type) if x.type is not None else None
        if x.name in ("len", "cap", "copy"):
            return INT
        if x.name in ("append", "min", "max") and x.args:
            t = self.type_of(x.args[0], local, depth)
            return t if x.name == "append" else (default_type(t) if t is not None else None)
        if x.name == "recover":
            return EMPTY_INTERFACE
        return None

    def _binary(self, x: E.Binary, local, depth: int) -> Type | None:
        left = self.type_of(x.left, local, depth)
        if x.op in ("<<", ">>"):
            return left
        right = self.type_of(x.right, local, depth)
        if left is None or right is None:
            return None
        lu = isinstance(left, Basic) and left.name.startswith("untyped")
        ru = isinstance(right, Basic) and right.name.startswith("untyped")
        if lu and ru:
            assert isinstance(left, Basic) and isinstance(right, Basic)
            if left.name == right.name:
                return left
            rl, rr = _UNTYPED_RANK.get(left.name), _UNTYPED_RANK.get(right.name)
            if rl is None or rr is None:
                return None
            return left if rl >= rr else right
        if lu:
            return right
        if ru:
            return left
        return left if left == right else None


PREDECLARED_TYPES: dict[str, Type] = {
    **{name: Basic(name) for name in PREDECLARED_BASIC},
    **{name: Basic(basic) for name, basic in ALIASES.items()},
    "error": ERROR,
    "any": EMPTY_INTERFACE,
}


def _no_locals(_decl: int) -> Type | None:
    return None


__all__ = ["Program"]
