"""The program model's types (types.py), read off the tree (read_types.py, read_exprs.py), and its IR (exprs.py)."""

from __future__ import annotations

import pytest
from modelutil import names, parse

from plumber.analysis.model import exprs as E
from plumber.analysis.model.read_exprs import expr_of_node
from plumber.analysis.model.read_types import string_value, type_of_node
from plumber.analysis.model.types import (
    ERROR,
    INT,
    RECV_ONLY,
    SEND_ONLY,
    STRING,
    UNTYPED_FLOAT,
    UNTYPED_INT,
    UNTYPED_RUNE,
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
    Tuple,
    TypeParam,
    Var,
    default_type,
    go_quote,
    results_of,
    substitute,
    type_string,
)

IMPORTS = {"io": "io", "http": "net/http", "unsafe": "unsafe"}


def declared(go_type: str) -> str | None:
    """The type a `type T <go_type>` declaration reads as, printed; None when unknown."""
    source, tree = parse(f'import (\n\t"io"\n\thttp "net/http"\n\t"unsafe"\n)\n\ntype T {go_type}\n')
    spec = tree.root_node.named_children[-1].named_children[0]
    t = type_of_node(spec.child_by_field_name("type"), names(source, IMPORTS))
    return type_string(t) if t is not None else None


# -- type_string is go/types' TypeString (checked against go/types by test_model_gotypes) ---------------


@pytest.mark.parametrize(
    ("t", "want"),
    [
        (Pointer(Named("os", "File")), "*os.File"),
        (Named("example.com/m", "List", (INT, STRING)), "example.com/m.List[int, string]"),
        (Chan(Chan(INT, RECV_ONLY)), "chan (<-chan int)"),
        (Chan(INT, SEND_ONLY), "chan<- int"),
        (Map(STRING, Slice(Pointer(INT))), "map[string][]*int"),
        (Array(4, Basic("uint8")), "[4]uint8"),
        (Array(None, INT), "[?]int"),
        (Signature((Var("", STRING), Var("", Slice(INT))), (Var("", Basic("bool")),), True),
         "func(string, ...int) bool"),
        (Signature((Var("s", STRING),), (Var("n", INT), Var("err", ERROR))), "func(s string) (n int, err error)"),
        (Struct((Var("A", INT, tag='json:"a"'), Var("Writer", Named("io", "Writer"), True))),
         'struct{A int "json:\\"a\\""; io.Writer}'),
        (Interface((("Close", Signature((), (Var("", ERROR),))),), (Named("io", "Reader"),)),
         "interface{Close() error; io.Reader}"),
        (Interface(), "interface{}"),
        (Tuple((INT, ERROR)), "(int, error)"),
        (None, "?"),
    ],
)  # fmt: skip
def test_type_string(t, want):
    assert type_string(t) == want


def test_go_quote_is_strconv_quote():
    assert go_quote('a"b\\c\n\x01é') == '"a\\"b\\\\c\\n\\x01é"'


def test_default_types_of_untyped_constants():
    assert default_type(UNTYPED_INT) == INT
    assert default_type(UNTYPED_FLOAT) == Basic("float64")
    assert default_type(UNTYPED_RUNE) == Basic("int32")
    assert default_type(STRING) == STRING


def test_substitute_replaces_type_parameters_and_keeps_tags():
    t = Struct((Var("K", TypeParam("K"), tag="k"), Var("V", Slice(TypeParam("V")))))
    got = substitute(t, {"K": STRING, "V": INT})
    assert type_string(got) == 'struct{K string "k"; V []int}'
    assert substitute(Map(TypeParam("K"), TypeParam("X")), {"K": STRING}) == Map(STRING, TypeParam("X"))


def test_results_of():
    assert results_of(Signature()) is None
    assert results_of(Signature((), (Var("", INT),))) == INT
    assert results_of(Signature((), (Var("", INT), Var("", ERROR)))) == Tuple((INT, ERROR))


# -- read_types.py: type expressions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("go", "want"),
    [
        ("*http.Response", "*net/http.Response"),
        ("[]byte", "[]uint8"),
        ("map[rune]any", "map[int32]interface{}"),
        ("[16]int", "[16]int"),
        ("[n]int", "[?]int"),  # a named constant as length: the model does not evaluate it
        ("<-chan error", "<-chan error"),
        ("chan<- struct{}", "chan<- struct{}"),
        ("func(p []byte) (int, error)", "func(p []uint8) (int, error)"),
        ("func(...string)", "func(...string)"),
        ("struct {\n\ta, b int `x:\"y\"`\n\t*http.Client\n\tio.Reader\n}",
         'struct{a int "x:\\"y\\""; b int "x:\\"y\\""; *net/http.Client; io.Reader}'),
        ("interface {\n\tio.Closer\n\tRead(p []byte) (n int, err error)\n}",
         "interface{Read(p []uint8) (n int, err error); io.Closer}"),
        ("Local", "example.com/p.Local"),
        ("List[string]", "example.com/p.List[string]"),
        ("unsafe.Pointer", "unsafe.Pointer"),
        ("(*int)", "*int"),
        ("nope.T", None),  # a package not imported
        ("map[string]nope.T", None),  # unknown inside: unknown as a whole
    ],
)  # fmt: skip
def test_type_of_node(go, want):
    assert declared(go) == want


def test_type_parameters_and_dot_imports_in_type_names():
    source, tree = parse("type T[K comparable] map[K]Elem\n")
    spec = tree.root_node.named_children[-1].named_children[0]
    n = names(source)
    n.type_params = frozenset({"K"})
    assert type_of_node(spec.child_by_field_name("type"), n) == Map(TypeParam("K"), Named("example.com/p", "Elem"))
    n.dot_imports = ("strings",)
    # with a dot import, an unqualified name may be the imported package's: unknown
    assert type_of_node(spec.child_by_field_name("type"), n) is None


@pytest.mark.parametrize(
    ("literal", "want"),
    [('"a\\tb\\x41\\u00e9\\101"', "a\tbAéA"), ("`raw\\n`", "raw\\n"), ('"\\q"', None), ('"\\xff"', None)],
)
def test_string_value(literal, want):
    source, tree = parse(f"var v = {literal}\n")
    value = tree.root_node.named_children[-1].named_children[0].child_by_field_name("value").named_children[0]
    assert string_value(value, names(source)) == want


# -- read_exprs.py: expressions into the IR --------------------------------------------------------------


def ir(expr: str) -> E.Expr:
    source, tree = parse(f'import (\n\t"os"\n\t"unsafe"\n)\n\nvar v = {expr}\n')
    value = tree.root_node.named_children[-1].named_children[0].child_by_field_name("value").named_children[0]
    return expr_of_node(value, names(source, {"os": "os", "unsafe": "unsafe"}))


def test_expressions_become_ir():
    assert ir("42") == E.Known(UNTYPED_INT)
    assert ir("'x'") == E.Known(UNTYPED_RUNE)
    assert ir("a == b") == E.Known(Basic("untyped bool"))
    assert ir("os.Stdin") == E.Global("os", "Stdin")
    assert ir("os.Open(name)") == E.Call(E.Global("os", "Open"), (), (E.Global("example.com/p", "name"),))
    assert ir("f().Name") == E.Select(E.Call(E.Global("example.com/p", "f")), "Name")
    assert ir("&T{}") == E.Unary("&", E.Known(Named("example.com/p", "T")))
    assert ir("new(T)") == E.Builtin("new", Named("example.com/p", "T"))
    assert ir("make(chan int, 1)") == E.Builtin("make", Chan(INT))
    assert ir("len(s)") == E.Builtin("len", None, (E.Global("example.com/p", "s"),))
    assert ir("x.(*os.File)") == E.Assert(Pointer(Named("os", "File")))
    assert ir("<-ch") == E.Unary("<-", E.Global("example.com/p", "ch"))
    assert ir("m[k]") == E.Index(E.Global("example.com/p", "m"))
    assert ir("s[1:]") == E.SliceOf(E.Global("example.com/p", "s"))
    assert ir("Map[string, int](nil)") == E.Call(
        E.Global("example.com/p", "Map"), (STRING, INT), (E.Known(Basic("untyped nil")),)
    )
    assert ir("[]byte(s)") == E.Known(Slice(Basic("uint8")))
    assert ir("(*T)(p)") == E.Known(Pointer(Named("example.com/p", "T")))
    # `*T(p)` is `*(T(p))`: a conversion (or call) dereferenced
    assert ir("*T(p)") == E.Unary("*", E.Call(E.Global("example.com/p", "T"), (), (E.Global("example.com/p", "p"),)))
    assert ir('func(x int) string { return "" }') == E.FuncLit(Signature((Var("x", INT),), (Var("", STRING),)))
    assert ir("x.(nope.T)") == E.OPAQUE
    assert ir("[...]int{1, 2}") == E.OPAQUE  # the length comes from the elements: not counted
