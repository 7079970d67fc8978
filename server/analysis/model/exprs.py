"""A small expression IR: what an expression computes, with its names resolved, without its tree.

The per-file facts keep package-level initializers in this form (the tree
is dropped once a file is summarised), and local type inference evaluates
the same form, so `var DefaultClient = &Client{}` in another package and
`c := &http.Client{}` in the function at hand go through one evaluator
(`program.Program.type_of`). Anything not understood becomes `Opaque`:
its type is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from plumber.analysis.model.types import Type


@dataclass(frozen=True, slots=True)
class Known:
    """An expression whose type is known on the spot: a literal, a conversion, a composite literal."""

    type: Type


@dataclass(frozen=True, slots=True)
class Global:
    """A package-level name (function, var or const) of package `path`."""

    path: str
    name: str


@dataclass(frozen=True, slots=True)
class Local:
    """A local variable: its declaring identifier's byte offset in the file."""

    decl: int


@dataclass(frozen=True, slots=True)
class Call:
    fn: Expr
    type_args: tuple[Type, ...] = ()
    args: tuple[Expr, ...] = ()  # kept for generic inference from a direct argument


@dataclass(frozen=True, slots=True)
class Select:
    """`base.name`: a field, a method value, or (for a package) a qualified name (resolved to Global)."""

    base: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Builtin:
    """A call of a predeclared function: make/new carry their type, len/cap are int, append keeps its slice."""

    name: str
    type: Type | None = None
    args: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "&", "*" (dereference), "<-" (receive), "-", "!", "^", "+"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Index:
    """`base[i]`: an element of a slice, array, string, map (its value), or a pointer to an array."""

    base: Expr


@dataclass(frozen=True, slots=True)
class SliceOf:
    """`base[i:j]`."""

    base: Expr


@dataclass(frozen=True, slots=True)
class Assert:
    """`x.(T)`."""

    type: Type


@dataclass(frozen=True, slots=True)
class FuncLit:
    type: Type


@dataclass(frozen=True, slots=True)
class Opaque:
    """Not understood: unknown type."""


OPAQUE = Opaque()

Expr = Known | Global | Local | Call | Select | Builtin | Unary | Binary | Index | SliceOf | Assert | FuncLit | Opaque
