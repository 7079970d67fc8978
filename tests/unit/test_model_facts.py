"""Per-file facts (facts.py): what a file declares at package level, and which files a build includes."""

from __future__ import annotations

import pytest
from modelutil import parse

from plumber.analysis.model import exprs as E
from plumber.analysis.model.build import in_build
from plumber.analysis.model.facts import file_facts, imports_of, package_name
from plumber.analysis.model.types import UNTYPED_STRING, type_string

SRC = """
package store

import (
	"os"
	str "strings"
	_ "embed"
)

const (
	A = iota
	B
	C string = "c"
)

var Default, other = open(), 2
var a, b = pair()

type Store struct {
	*os.File
	name string `json:"name"`
}

type Alias = Store

type List[T any] struct{ items []T }

func open() *Store { return nil }

func pair() (int, error) { return 0, nil }

func (s *Store) Name() string { return s.name }

func (l List[T]) At(i int) T { return l.items[i] }

func Map[K comparable, V any](m map[K]V) []K { return nil }

func init() {}
"""


@pytest.fixture(scope="module")
def facts():
    source, tree = parse(SRC)
    return file_facts("store.go", source, tree.root_node, "example.com/m/store")


def test_imports_and_package_name():
    source, tree = parse(SRC)
    assert imports_of(source, tree.root_node) == ({"os": "os", "str": "strings"}, ())
    assert package_name(source, tree.root_node) == "store"


def test_a_dot_import_leaves_exported_unqualified_names_unknown():
    source, tree = parse('import . "strings"\n\nvar r = NewReader("")\n\nfunc f() *Builder { return nil }\n')
    facts = file_facts("p.go", source, tree.root_node, "example.com/p")
    assert imports_of(source, tree.root_node) == ({}, ("strings",))
    assert facts.values["r"].init == E.Call(E.OPAQUE, (), (E.Known(UNTYPED_STRING),))
    assert facts.funcs["f"].sig is None


def test_functions_and_generic_signatures(facts):
    assert type_string(facts.funcs["open"].sig) == "func() *example.com/m/store.Store"
    assert type_string(facts.funcs["pair"].sig) == "func() (int, error)"
    assert facts.funcs["Map"].sig.type_params == ("K", "V")
    assert type_string(facts.funcs["Map"].sig) == "func(m map[K]V) []K"
    assert "init" not in facts.funcs


def test_methods_by_receiver(facts):
    name = facts.methods["Store"]["Name"]
    assert name.recv == "Store" and name.recv_pointer
    assert type_string(name.sig) == "func() string"
    at = facts.methods["List"]["At"]
    assert at.recv_type_params == ("T",) and not at.recv_pointer
    assert type_string(at.sig) == "func(i int) T"


def test_types_aliases_and_embedded_pointers(facts):
    store = facts.types["Store"]
    assert not store.alias
    assert type_string(store.underlying) == 'struct{*os.File; name string "json:\\"name\\""}'
    assert facts.types["Alias"].alias
    assert facts.types["List"].type_params == ("T",)


def test_values_keep_their_initializers(facts):
    assert facts.values["A"].const and type_string(facts.values["A"].init.type) == "untyped int"
    # a const spec without values repeats the previous one's (iota)
    assert facts.values["B"].init == facts.values["A"].init
    assert type_string(facts.values["C"].type) == "string"
    assert facts.values["Default"].init == E.Call(E.Global("example.com/m/store", "open"))
    assert facts.values["other"].init == E.Known(facts.values["A"].init.type)
    # one multi-valued initializer: each name is one of its results
    assert (facts.values["a"].index, facts.values["b"].index) == (0, 1)
    assert facts.values["a"].init == facts.values["b"].init


# -- build constraints: linux/amd64, cgo off, Go 1.27's default experiments ---------------------------------


@pytest.mark.parametrize(
    ("name", "head", "want"),
    [
        ("file.go", b"package p\n", True),
        ("file_linux.go", b"package p\n", True),
        ("file_windows.go", b"package p\n", False),
        ("file_arm64.go", b"package p\n", False),
        ("file_linux_amd64.go", b"package p\n", True),
        ("file_darwin_amd64.go", b"package p\n", False),
        ("file_windows_test.go", b"package p\n", False),
        ("x_unix.go", b"package p\n", True),  # `unix` is no file name suffix
        ("file.go", b"//go:build linux\n\npackage p\n", True),
        ("file.go", b"//go:build unix && !plan9\n\npackage p\n", True),
        ("file.go", b"//go:build windows || darwin\n\npackage p\n", False),
        ("file.go", b"//go:build cgo\n\npackage p\n", False),
        ("file.go", b"//go:build !cgo\n\npackage p\n", True),
        ("file.go", b"//go:build go1.21\n\npackage p\n", True),
        ("file.go", b"//go:build go1.99\n\npackage p\n", False),
        ("file.go", b"//go:build (linux || darwin) && amd64\n\npackage p\n", True),
        ("file.go", b"//go:build ignore\n\npackage p\n", False),
        ("file.go", b"//go:build goexperiment.jsonv2\n\npackage p\n", True),
        ("file.go", b"//go:build !goexperiment.jsonv2\n\npackage p\n", False),
        ("file.go", b"//go:build goexperiment.arenas\n\npackage p\n", False),
        ("file.go", b"// Copyright\n\n//go:build windows\n\npackage p\n", False),
        # a //go:build line after the package clause is no constraint
        ("file.go", b"package p\n\n//go:build windows\n", True),
    ],
)
def test_in_build(name, head, want):
    assert in_build(name, head) is want


def test_in_build_follows_the_go_version():
    head = b"//go:build go1.23\n\npackage p\n"
    assert in_build("f.go", head, go_minor=23)
    assert not in_build("f.go", head, go_minor=22)
