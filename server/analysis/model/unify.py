"""Unification for generic calls: binding type parameters from the types of the arguments.

What `program.Program` infers a generic call's type arguments with, when
they are not written out: a parameter type and an argument type of
identical structure bind the type parameters the parameter mentions (go/types'
exact unification; inexact unification through underlying types and
assignability is not modelled).
"""

from __future__ import annotations

from plumber.analysis.model.types import (
    Array,
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
)


def mentions(t: Type | None, tps: frozenset[str]) -> bool:
    """Whether `t` refers to one of the type parameters `tps`."""
    if isinstance(t, TypeParam):
        return t.name in tps
    if isinstance(t, (Pointer, Slice, Array, Chan)):
        return mentions(t.elem, tps)
    if isinstance(t, Map):
        return mentions(t.key, tps) or mentions(t.elem, tps)
    if isinstance(t, Named):
        return any(mentions(a, tps) for a in t.args)
    if isinstance(t, Signature):
        return any(mentions(v.type, tps) for v in t.params + t.results)
    if isinstance(t, Struct):
        return any(mentions(f.type, tps) for f in t.fields)
    return isinstance(t, Interface) and bool(t.methods or t.embeds)  # not unified: treat as mentioning


def unify(p: Type, a: Type, binding: dict[str, Type], tps: frozenset[str]) -> bool:
    """Bind the type parameters in parameter type `p` from argument type `a` where their structures are
    identical (a *T parameter and a *X argument: T is X); False where they differ or a binding disagrees
    (inexact unification through underlying types and assignability is not modelled)."""
    if isinstance(p, TypeParam) and p.name in tps:
        if p.name in binding:
            return binding[p.name] == a
        binding[p.name] = a
        return True
    if not mentions(p, tps):
        return True
    if isinstance(p, (Pointer, Slice, Chan)) and type(a) is type(p):
        return unify(p.elem, a.elem, binding, tps)
    if isinstance(p, Array) and isinstance(a, Array) and p.length == a.length:
        return unify(p.elem, a.elem, binding, tps)
    if isinstance(p, Map) and isinstance(a, Map):
        return unify(p.key, a.key, binding, tps) and unify(p.elem, a.elem, binding, tps)
    if isinstance(p, Named) and isinstance(a, Named) and (p.path, p.name) == (a.path, a.name):
        if len(p.args) != len(a.args):
            return False
        return all(unify(x, y, binding, tps) for x, y in zip(p.args, a.args, strict=True))
    if isinstance(p, Signature) and isinstance(a, Signature):
        if len(p.params) != len(a.params) or len(p.results) != len(a.results) or p.variadic != a.variadic:
            return False
        pairs = zip(p.params + p.results, a.params + a.results, strict=True)
        return all(unify(x.type, y.type, binding, tps) for x, y in pairs)
    return False
