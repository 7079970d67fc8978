"""Go types, as the program model knows them from syntax: a small immutable algebra.

Printed as go/types' `TypeString` with the package path as qualifier
(`*os.File`, `*net/http.Response`, `func(s string) *strings.Reader`), so
that the model can be checked against the real type checker. `None` stands
for "unknown": the model never guesses.

`byte` and `rune` are `uint8` and `int32` here; `any` is the empty
interface (go/types prints aliases by name: callers comparing with it
normalise both).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

PREDECLARED_BASIC = frozenset(
    {
        "bool", "string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
        "uint64", "uintptr", "float32", "float64", "complex64", "complex128",
    }
)  # fmt: skip
ALIASES = {"byte": "uint8", "rune": "int32"}


@dataclass(frozen=True, slots=True)
class Basic:
    name: str  # "int", "string", ..., "untyped int", "untyped nil", "unsafe.Pointer"


@dataclass(frozen=True, slots=True)
class Named:
    """A defined type: `path.name[args]`; path "" for the predeclared `error` and `comparable`."""

    path: str
    name: str
    args: tuple[Type, ...] = ()


@dataclass(frozen=True, slots=True)
class TypeParam:
    """A type parameter; `core` its core type when the constraint is one type literal (`S ~[]E`: `[]E`),
    which ranging, indexing and receiving on it follow. Part of its identity: the `S` of two functions
    are different types."""

    name: str
    core: Type | None = None


@dataclass(frozen=True, slots=True)
class Pointer:
    elem: Type


@dataclass(frozen=True, slots=True)
class Slice:
    elem: Type


@dataclass(frozen=True, slots=True)
class Array:
    length: int | None  # None: a length the model cannot compute (a named constant)
    elem: Type


@dataclass(frozen=True, slots=True)
class Map:
    key: Type
    elem: Type


SEND_RECV, SEND_ONLY, RECV_ONLY = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Chan:
    elem: Type
    dir: int = SEND_RECV


@dataclass(frozen=True, slots=True)
class Var:
    """A parameter, result or struct field: its name ("" when unnamed) and type."""

    name: str
    type: Type
    embedded: bool = False
    tag: str = ""  # a struct field's tag (its value, unquoted)


@dataclass(frozen=True, slots=True)
class Signature:
    params: tuple[Var, ...] = ()
    results: tuple[Var, ...] = ()
    variadic: bool = False  # the last parameter is ...T (its type is []T)
    type_params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Struct:
    fields: tuple[Var, ...] = ()


@dataclass(frozen=True, slots=True)
class Interface:
    methods: tuple[tuple[str, Signature], ...] = ()
    embeds: tuple[Type, ...] = ()  # embedded interfaces and type-set terms


@dataclass(frozen=True, slots=True)
class Tuple:
    """The results of a call with several."""

    items: tuple[Type, ...] = field(default_factory=tuple)


Type = Basic | Named | TypeParam | Pointer | Slice | Array | Map | Chan | Signature | Struct | Interface | Tuple

ERROR = Named("", "error")
BOOL = Basic("bool")
INT = Basic("int")
STRING = Basic("string")
UINT8 = Basic("uint8")
UINTPTR = Basic("uintptr")
INT32 = Basic("int32")
UNTYPED_INT = Basic("untyped int")
UNTYPED_FLOAT = Basic("untyped float")
UNTYPED_RUNE = Basic("untyped rune")
UNTYPED_STRING = Basic("untyped string")
UNTYPED_BOOL = Basic("untyped bool")
UNTYPED_NIL = Basic("untyped nil")
EMPTY_INTERFACE = Interface()
UNSAFE_POINTER = Basic("unsafe.Pointer")


def default_type(t: Type) -> Type:
    """The type an untyped constant takes in `x := c` (the spec's default types)."""
    if isinstance(t, Basic) and t.name.startswith("untyped "):
        return {
            "untyped int": INT,
            "untyped float": Basic("float64"),
            "untyped rune": INT32,
            "untyped string": STRING,
            "untyped bool": BOOL,
            "untyped complex": Basic("complex128"),
        }.get(t.name, t)
    return t


def _vars(vs: tuple[Var, ...], variadic: bool = False) -> str:
    parts = []
    for i, v in enumerate(vs):
        t = v.type
        if variadic and i == len(vs) - 1 and isinstance(t, Slice):
            s = "..." + type_string(t.elem)
        else:
            s = type_string(t)
        parts.append(f"{v.name} {s}" if v.name else s)
    return ", ".join(parts)


def signature_string(sig: Signature, keyword: str = "func") -> str:
    out = f"{keyword}({_vars(sig.params, sig.variadic)})"
    if len(sig.results) == 1 and not sig.results[0].name:
        out += " " + type_string(sig.results[0].type)
    elif sig.results:
        out += f" ({_vars(sig.results)})"
    return out


def type_string(t: Type | None) -> str:
    """go/types' TypeString with the package path as qualifier; "?" for unknown."""
    if t is None:
        return "?"
    if isinstance(t, Basic):
        return t.name
    if isinstance(t, Named):
        base = f"{t.path}.{t.name}" if t.path else t.name
        return base + (f"[{', '.join(type_string(a) for a in t.args)}]" if t.args else "")
    if isinstance(t, TypeParam):
        return t.name
    if isinstance(t, Pointer):
        return "*" + type_string(t.elem)
    if isinstance(t, Slice):
        return "[]" + type_string(t.elem)
    if isinstance(t, Array):
        return f"[{t.length if t.length is not None else '?'}]" + type_string(t.elem)
    if isinstance(t, Map):
        return f"map[{type_string(t.key)}]{type_string(t.elem)}"
    if isinstance(t, Chan):
        elem = type_string(t.elem)
        if t.dir == SEND_ONLY:
            return "chan<- " + elem
        if t.dir == RECV_ONLY:
            return "<-chan " + elem
        # chan (<-chan T) needs parentheses to stay a bidirectional channel of receive-only channels
        return "chan " + (f"({elem})" if isinstance(t.elem, Chan) and t.elem.dir == RECV_ONLY else elem)
    if isinstance(t, Signature):
        return signature_string(t)
    if isinstance(t, Struct):
        return "struct{" + "; ".join(_field(f) for f in t.fields) + "}"
    if isinstance(t, Interface):
        if not t.methods and not t.embeds:
            return "interface{}"
        # go/types: the explicit methods (sorted), then the embedded types
        parts = [signature_string(sig, name) for name, sig in t.methods] + [type_string(e) for e in t.embeds]
        return "interface{" + "; ".join(parts) + "}"
    if isinstance(t, Tuple):
        return "(" + ", ".join(type_string(i) for i in t.items) + ")"
    raise TypeError(f"not a type: {t!r}")


def _field(f: Var) -> str:
    out = type_string(f.type) if f.embedded else f"{f.name} {type_string(f.type)}"
    return out + " " + go_quote(f.tag) if f.tag else out


def go_quote(s: str) -> str:
    """strconv.Quote: a Go interpreted string literal for `s`."""
    out = ['"']
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out) + '"'


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def substitute(t: Type | None, binding: dict[str, Type]) -> Type | None:
    """`t` with its type parameters replaced by `binding` (an instantiation); None when any is unknown."""
    if t is None or not binding:
        return t

    def sub(x: Type) -> Type | None:
        return substitute(x, binding)

    if isinstance(t, TypeParam):
        return binding.get(t.name, t)
    if isinstance(t, Named):
        if not t.args:
            return t
        args = tuple(sub(a) for a in t.args)
        return None if any(a is None for a in args) else Named(t.path, t.name, args)  # type: ignore[arg-type]
    if isinstance(t, Pointer):
        e = sub(t.elem)
        return Pointer(e) if e is not None else None
    if isinstance(t, Slice):
        e = sub(t.elem)
        return Slice(e) if e is not None else None
    if isinstance(t, Array):
        e = sub(t.elem)
        return Array(t.length, e) if e is not None else None
    if isinstance(t, Map):
        k, e = sub(t.key), sub(t.elem)
        return Map(k, e) if k is not None and e is not None else None
    if isinstance(t, Chan):
        e = sub(t.elem)
        return Chan(e, t.dir) if e is not None else None
    if isinstance(t, Signature):
        ps = tuple(replace(v, type=sub(v.type)) for v in t.params)  # type: ignore[arg-type]
        rs = tuple(replace(v, type=sub(v.type)) for v in t.results)  # type: ignore[arg-type]
        if any(v.type is None for v in ps + rs):
            return None
        return Signature(ps, rs, t.variadic)
    if isinstance(t, Struct):
        fs = tuple(replace(f, type=sub(f.type)) for f in t.fields)  # type: ignore[arg-type]
        return None if any(f.type is None for f in fs) else Struct(fs)
    if isinstance(t, Tuple):
        items = tuple(sub(i) for i in t.items)
        return None if any(i is None for i in items) else Tuple(items)  # type: ignore[arg-type]
    return t


def results_of(sig: Signature) -> Type | None:
    """The type of a call: its one result, a Tuple of several, None for none."""
    if not sig.results:
        return None
    if len(sig.results) == 1:
        return sig.results[0].type
    return Tuple(tuple(v.type for v in sig.results))


def deref(t: Type | None) -> Type | None:
    return t.elem if isinstance(t, Pointer) else t
