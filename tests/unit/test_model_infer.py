"""LocalTypes (infer.py): the type of each form of local variable, and None where the model does not know."""

from __future__ import annotations

import os

import pytest
from modelutil import Snippet, write_module

from plumber.driver.engine import Engine

SRC = """
import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
)

type Store struct {
	mu    sync.Mutex
	files map[string]*os.File
	names []string
	ch    chan *http.Response
}

func (s *Store) Open(name string) (*os.File, error) { return os.Open(name) }

type List[T any] struct{ items []T }

func (l *List[T]) First() (first T, ok bool) {
	for _, it := range l.items {
		return it, true
	}
	return
}

func Get[K comparable, V any](m map[K]V, k K) V { return m[k] }

func forms(s *Store, args ...string) (n int, err error) {
	f, err := os.Open("x")
	r := bufio.NewReader(f)
	g, err2 := s.Open("y")
	line, prefix, rerr := r.ReadLine()
	c := &http.Client{}
	req := http.Request{}
	p := new(strings.Builder)
	var w io.Writer
	var buf = make([]byte, 10)
	var count = 3
	mu := s.mu
	ctx, cancel := context.WithCancel(context.Background())
	list := List[int]{}
	item, ok := list.First()
	got := Get[string, *os.File](s.files, "k")
	inferred := Get(s.files, "k")
	for i, name := range s.names {
	}
	for key, file := range s.files {
	}
	for resp := range s.ch {
	}
	for pos, ch := range "abc" {
	}
	for j := range 10 {
	}
	v, present := s.files["k"]
	closer, isCloser := w.(io.Closer)
	resp2, open := <-s.ch
	fn := func(a int) string { return "" }
	sub := s.names[1:]
	head := s.names[0]
	total := len(s.names) + 1
	half := 1.5
	_ = []any{f, r, g, err2, line, prefix, rerr, c, req, p, w, buf, count, mu, ctx, cancel, list, item, ok, got,
		inferred, v, present, closer, isCloser, resp2, open, fn, sub, head, total, half}
	return
}

func switches(x any, ch chan error, done chan struct{}) {
	switch t := x.(type) {
	case *os.File:
		_ = t
	case io.Reader, io.Writer:
		_ = t
	case nil:
		_ = t
	default:
		_ = t
	}
	select {
	case e, more := <-ch:
		_, _ = e, more
	case <-done:
	}
}
"""


@pytest.fixture(scope="module")
def s() -> Snippet:
    return Snippet(SRC)


@pytest.mark.parametrize(
    ("needle", "want"),
    [
        # parameters, variadic parameters, receivers (generic ones with their own type parameters), named results
        ("args ...string", "[]string"),
        ("n int, err error)", "int"),
        ("err error) {\n\tf", "error"),
        ("first T", "T"),
        # x := f(), x, err := pkg.F(), x := recv.M() (a package function, a method of a std type, of the module)
        ("f, err := os.Open", "*os.File"),
        ("r := bufio", "*bufio.Reader"),
        ("g, err2 :=", "*os.File"),
        ("err2 :=", "error"),
        ("line, prefix, rerr :=", "[]uint8"),
        ("prefix, rerr :=", "bool"),
        ("rerr :=", "error"),
        # composite literals, &T{}, new(T), var x T, var x = e
        ("c := &http", "*net/http.Client"),
        ("req := http", "net/http.Request"),
        ("p := new", "*strings.Builder"),
        ("w io.Writer", "io.Writer"),
        ("buf = make", "[]uint8"),
        ("count = 3", "int"),  # an untyped constant takes its default type
        # fields
        ("mu := s.mu", "sync.Mutex"),
        # a call with several results spread over the left side
        ("ctx, cancel :=", "context.Context"),
        ("cancel :=", "context.CancelFunc"),
        # generic instantiation with the type arguments written, and inferred from an argument
        ("item, ok := list", "int"),
        ("ok := list", "bool"),
        ("got := Get", "*os.File"),
        ("inferred := Get", "*os.File"),  # K and V unified from map[K]V
        # range over typed collections and channels
        ("i, name := range", "int"),
        ("name := range", "string"),
        ("key, file", "string"),
        ("file := range", "*os.File"),
        ("resp := range", "*net/http.Response"),
        ("pos, ch := range", "int"),
        ('ch := range "abc"', "int32"),
        ("j := range 10", "int"),
        ("it := range", "T"),
        # comma-ok forms: map index, type assertion, receive
        ("v, present :=", "*os.File"),
        ("present :=", "bool"),
        ("closer, isCloser :=", "io.Closer"),
        ("isCloser :=", "bool"),
        ("resp2, open :=", "*net/http.Response"),
        ("open := <-", "bool"),
        # other expressions
        ("fn := func", "func(a int) string"),
        ("sub := s", "[]string"),
        ("head := s", "string"),
        ("total :=", "int"),
        ("half :=", "float64"),
    ],
)
def test_forms(s, needle, want):
    assert s.var(needle) == want


def test_receivers_and_module_types(s):
    pkg = s.ctx.pkg_path
    assert s.var("forms(s *Store", "s") == f"*{pkg}.Store"
    assert s.var("l *List[T]", "l") == f"*{pkg}.List[T]"
    assert s.var("list := List[int]") == f"{pkg}.List[int]"


def test_type_switch_clauses(s):
    from plumber.analysis.model.types import type_string

    uses = [n for n in _all(s.tree.root_node) if n.type == "identifier" and s.source[n.start_byte : n.end_byte] == b"t"]
    got = [s.types.ident(n) for n in uses[1:]]
    # the guard's own identifier, then one use per clause: one type, several (the operand's), nil, default
    assert [type_string(t) for t in got] == ["*os.File", "interface{}", "interface{}", "interface{}"]
    cases = [n for n in _all(s.tree.root_node) if n.type in ("type_case", "default_case")]
    assert [type_string(s.types.clause(c)) for c in cases] == ["*os.File", "interface{}", "interface{}", "interface{}"]


def test_select_receive(s):
    assert s.var("e, more :=", "e") == "error"
    assert s.var("more := <-", "more") == "bool"


def test_uses_resolve_to_their_declaration(s):
    # `f` used later in the function: the variable declared by f, err := os.Open
    assert s.var("[]any{f,", "f") == "*os.File"
    assert s.var("r.ReadLine()", "r") == "*bufio.Reader"
    assert s.expr("bufio.NewReader(f)") == "*bufio.Reader"
    assert s.expr("r.ReadLine()") is None  # three results: not one expression's type
    assert s.expr('s.files["k"]') == "*os.File"


UNKNOWN = """
import (
	"os"
	"example.com/elsewhere"
)

func unknowns(m map[string]int) {
	a := elsewhere.New()
	os := fakeOS{}
	b, err := os.Open("x")
	c := undefinedFunc()
	d, e := m["k"], 1
	x, y := twoOrThree()
	arr := [...]int{1, 2}
	_ = []any{a, b, err, c, d, e, x, y, arr}
}

type fakeOS struct{}

func twoOrThree() (int, int, int) { return 0, 0, 0 }
"""


def test_unknown_stays_unknown():
    s = Snippet(UNKNOWN)
    assert s.var("a := elsewhere") is None  # a package the program cannot load
    assert s.var("b, err :=") is None  # `os` is a local here, not the package (fakeOS has no Open)
    assert s.var("c := undefined") is None
    assert s.var("d, e :=") == "int"
    assert s.var("e := m") == "int"
    assert s.var("x, y :=") is None  # three results for two names
    assert s.var("arr :=") is None


def test_redeclared_err_is_the_first_variable():
    s = Snippet(
        """
        import "os"

        func f() error {
            a, err := os.Open("a")
            b, err := os.Create("b")
            _, _ = a, b
            return err
        }
        """
    )
    first = s.node('a, err := os.Open("a")', "err")
    second = s.node('b, err := os.Create("b")', "err")
    assert s.types.ident(second) == s.types.ident(first)
    assert s.var("b, err := os.Create", "b") == "*os.File"


def test_an_opener_in_another_package_of_the_module(tmp_path):
    write_module(
        str(tmp_path),
        {
            "store/store.go": """
                package store

                import "os"

                type Log struct{ f *os.File }

                func OpenLog(name string) (*Log, error) { return nil, nil }

                func (l *Log) File() *os.File { return l.f }
            """,
            "cmd/main.go": "package main\n",
        },
    )
    s = Snippet(
        """
        package main

        import "example.com/m/store"

        func main() {
            l, err := store.OpenLog("x")
            f := l.File()
            _, _ = err, f
        }
        """,
        path=os.path.join(str(tmp_path), "cmd", "main.go"),
        engine=Engine([]),
    )
    assert s.var("l, err :=") == "*example.com/m/store.Log"
    assert s.var("f := l") == "*os.File"


def test_a_sibling_file_of_the_package(tmp_path):
    write_module(str(tmp_path), {"p/db.go": 'package p\n\nimport "database/sql"\n\nvar db *sql.DB\n'})
    s = Snippet(
        """
        package p

        func q() {
            rows, err := db.Query("select 1")
            _, _ = rows, err
        }
        """,
        path=os.path.join(str(tmp_path), "p", "q.go"),
    )
    assert s.var("rows, err :=") == "*database/sql.Rows"


def _all(root):
    stack = [root]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def test_conversions_to_predeclared_types():
    s = Snippet(
        """
        func f(b []byte, r rune) {
            n := int(b[0]) << 8
            c := byte('+')
            u := uint32(r) | 1
            e := error(nil)
            _ = []any{n, c, u, e}
        }
        """
    )
    assert s.var("n := int") == "int"
    assert s.var("c := byte") == "uint8"
    assert s.var("u := uint32") == "uint32"
    assert s.var("e := error") == "error"


def test_a_package_that_declares_a_predeclared_name_shadows_it():
    s = Snippet(
        """
        func int(x byte) string { return "" }

        func f() {
            n := int(1)
            _ = n
        }
        """
    )
    assert s.var("n := int") == "string"


def test_dot_imports_resolve_exported_names_where_one_package_declares_them():
    s = Snippet(
        """
        import . "strings"

        type Local struct{}

        func f() {
            r := NewReader("x")
            var l Local
            var b Builder
            h := helper()
            _ = []any{r, l, b, h}
        }

        func helper() int { return 0 }
        """
    )
    assert s.var("r := NewReader") == "*strings.Reader"
    assert s.var("b Builder") == "strings.Builder"
    assert s.var("l Local") == f"{s.ctx.pkg_path}.Local"
    assert s.var("h := helper") == "int"  # lowercase: never from a dot import


def test_dot_import_of_a_package_the_model_cannot_see():
    s = Snippet(
        """
        import . "example.com/unknown"

        func f() {
            r := NewReader("x")
            var b Builder
            _ = []any{r, b}
        }
        """
    )
    assert s.var("r := NewReader") is None
    assert s.var("b Builder") is None


def test_type_parameters_with_a_core_type():
    s = Snippet(
        """
        func Index[S ~[]E, E comparable](s S, v E) int {
            for i, x := range s {
                first := s[0]
                _, _ = i, first
            }
            return -1
        }

        func Keys[M interface{ ~map[K]V }, K comparable, V any](m M) {
            for k, v := range m {
                _, _ = k, v
            }
        }

        func Max[T cmp.Ordered](xs ...T) {
            var t T
            _ = t
        }
        """
    )
    assert s.var("s S,", "s") == "S"
    assert s.var("i, x := range", "i") == "int"
    assert s.var("x := range", "x") == "E"
    assert s.var("first :=") == "E"
    assert s.var("k, v := range") == "K"
    assert s.var("v := range m") == "V"
    assert s.var("var t T", "t") == "T"
    # the S of Index and of another function are different types
    index_s = s.types.ident(s.node("s S,", "s"))
    assert index_s.core is not None and index_s != type(index_s)("S")


def test_generic_calls_infer_type_arguments_by_unification():
    s = Snippet(
        """
        import "os"

        type Box[T any] struct{ v T }

        func Ptr[T any](p *T) []T { return nil }
        func Unbox[T any](b Box[T]) T { var t T; return t }
        func Apply[A, B any](a A, f func(A) B) B { var b B; return b }
        func Max[T int | float64](x, y T) T { return x }
        func Zero[T any]() T { var t T; return t }

        func f(file *os.File, x float64) {
            a := Ptr(file)
            b := Unbox(Box[string]{})
            c := Apply(1, func(n int) *os.File { return nil })
            d := Max(1, x)
            e := Max(2, 3)
            z := Zero()
            _ = []any{a, b, c, d, e, z}
        }
        """
    )
    assert s.var("a := Ptr") == "[]os.File"  # *T from *os.File: T is os.File
    assert s.var("b := Unbox") == "string"
    assert s.var("c := Apply") == "*os.File"
    assert s.var("d := Max") == "float64"  # the typed argument binds T, not the constant's default type
    assert s.var("e := Max") == "int"
    assert s.var("z := Zero") is None  # nothing to infer T from
