"""Program (program.py, over packages.py): packages by import path, declarations, selectors through embedding,
method sets, type arguments, aliases, and the evaluator of the expression IR."""

from __future__ import annotations

import pytest
from modelutil import parse

from plumber.analysis.model import exprs as E
from plumber.analysis.model import stdlib
from plumber.analysis.model.facts import file_facts
from plumber.analysis.model.packages import PackageFacts
from plumber.analysis.model.program import Program
from plumber.analysis.model.types import INT, STRING, Named, Pointer, Slice, Tuple, type_string

BASE = """
package base

type Inner struct{ ID int }

func (i *Inner) Close() error { return nil }

type Outer struct {
	*Inner
	Name string
}

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

func (p Pair[K, V]) Get() V { return p.Val }

func (p *Pair[K, V]) Keys() []K { return nil }

type Left struct{ Dup int }
type Right struct{ Dup string }
type Both struct {
	Left
	Right
}

type Deep struct {
	Both
	Dup bool
}

type Ref = Outer

type GenAlias[T any] = Pair[string, T]

var Default = &Outer{}
var N, Err = count()

func count() (int, error) { return 0, nil }

func Make[T any](v T) []T { return nil }
"""

USE = """
package use

import "example.com/m/base"

var Client = base.Default

type Wrap struct{ base.Outer }
"""


def facts(path: str, src: str) -> PackageFacts:
    source, tree = parse(src)
    return PackageFacts.merge(path, [file_facts(path.rsplit("/", 1)[-1] + ".go", source, tree.root_node, path)])


@pytest.fixture
def program():
    pkgs = {
        "example.com/m/base": facts("example.com/m/base", BASE),
        "example.com/m/use": facts("example.com/m/use", USE),
    }
    loaded: list[str] = []

    def load(path: str):
        loaded.append(path)
        return pkgs.get(path) or stdlib.package(path)

    p = Program(load)
    p.loaded = loaded  # type: ignore[attr-defined]
    return p


def named(name: str, *args) -> Named:
    return Named("example.com/m/base", name, args)


def test_packages_load_once_by_import_path(program):
    assert program.package("example.com/m/base").name == "base"
    program.package("example.com/m/base")
    assert program.loaded == ["example.com/m/base"]
    assert program.package("example.com/nowhere") is None
    assert program.package("os").name == "os"  # the standard library from the shipped table


def test_globals_across_packages(program):
    assert type_string(program.global_type("example.com/m/use", "Client")) == "*example.com/m/base.Outer"
    assert program.global_type("example.com/m/base", "N") == INT
    assert type_string(program.global_type("example.com/m/base", "Err")) == "error"
    assert type_string(program.global_type("example.com/m/base", "count")) == "func() (int, error)"
    assert program.global_type("example.com/m/base", "Missing") is None


def test_selectors_through_embedding(program):
    # a field and a method promoted from the embedded *Inner
    assert program.select(named("Outer"), "ID") == ("field", INT)
    kind, sig = program.select(Pointer(named("Outer")), "Close")
    assert kind == "method" and type_string(sig) == "func() error"
    assert program.select(named("Outer"), "Inner") == ("field", Pointer(named("Inner")))
    # through two levels: Wrap embeds base.Outer, which embeds *Inner
    wrap = Named("example.com/m/use", "Wrap")
    assert program.select(wrap, "ID") == ("field", INT)
    assert program.select(wrap, "Name") == ("field", STRING)


def test_ambiguous_selectors_are_unknown_and_the_shallowest_wins(program):
    assert program.select(named("Both"), "Dup") is None  # Left.Dup and Right.Dup at one depth
    kind, t = program.select(named("Deep"), "Dup")
    assert kind == "field" and type_string(t) == "bool"


def test_type_arguments_are_substituted(program):
    pair = named("Pair", STRING, INT)
    assert program.select(pair, "Key") == ("field", STRING)
    assert type_string(program.select(pair, "Get")[1]) == "func() int"
    assert type_string(program.select(Pointer(pair), "Keys")[1]) == "func() []string"
    assert type_string(program.under(pair)) == "struct{Key string; Val int}"
    assert program.under(named("Pair", STRING)) is None  # the wrong number of type arguments


def test_method_declarations_and_sets(program):
    close = program.method_decl(Pointer(named("Outer")), "Close")
    assert close is None  # promoted, not declared by Outer
    close = program.method_decl(Pointer(named("Inner")), "Close")
    assert close is not None and close.recv == "Inner" and close.recv_pointer


def test_aliases_resolve_deeply(program):
    assert program.resolve_alias(named("Ref")) == named("Outer")
    assert program.unalias(Slice(Pointer(named("Ref")))) == Slice(Pointer(named("Outer")))
    assert program.unalias(named("GenAlias", INT)) == named("Pair", STRING, INT)
    # the standard library's: os.FileInfo is io/fs.FileInfo
    assert type_string(program.unalias(Slice(Named("os", "FileInfo")))) == "[]io/fs.FileInfo"


def test_the_evaluator(program):
    local = {7: Pointer(named("Outer"))}.get
    base = "example.com/m/base"
    assert program.type_of(E.Call(E.Global(base, "count")), local) == Tuple((INT, Named("", "error")))
    assert program.type_of(E.Select(E.Local(7), "ID"), local) == INT
    assert program.type_of(E.Unary("*", E.Local(7)), local) == named("Outer")
    assert program.type_of(E.Call(E.Global(base, "Make"), (STRING,)), local) == Slice(STRING)
    # a type argument inferred from a direct argument
    assert program.type_of(E.Call(E.Global(base, "Make"), (), (E.Local(7),)), local) == Slice(Pointer(named("Outer")))
    assert program.type_of(E.Call(E.Global(base, "Make")), local) is None  # nothing to infer T from
    # a conversion to a package type
    assert program.type_of(E.Call(E.Global(base, "Inner"), (), (E.Local(7),)), local) == named("Inner")
    assert program.type_of(E.Builtin("new", named("Inner")), local) == Pointer(named("Inner"))
    assert program.type_of(E.Builtin("new", named("Default")), local) is None  # new(v) of a variable
    assert type_string(program.type_of(E.Index(E.Known(STRING)), local)) == "uint8"
    assert program.type_of(E.Binary("+", E.Local(7), E.Known(INT)), local) is None  # mismatched operands
    assert program.type_of(E.OPAQUE, local) is None


def test_package_unsafe(program):
    p = E.Known(Pointer(INT))
    assert type_string(program.type_of(E.Call(E.Global("unsafe", "Slice"), (), (p, E.Known(INT))), {}.get)) == "[]int"
    assert type_string(program.type_of(E.Call(E.Global("unsafe", "Sizeof"), (), (p,)), {}.get)) == "uintptr"
    assert type_string(program.type_of(E.Call(E.Global("unsafe", "StringData"), (), (p,)), {}.get)) == "*uint8"
    assert program.global_type("unsafe", "Slice") is None


def test_the_package_under_analysis_replaces_the_loaded_one(program):
    assert program.global_type("example.com/m/use", "Client") is not None
    program.add(facts("example.com/m/use", "package use\n\nvar Client = 1\n"))
    assert program.global_type("example.com/m/use", "Client") == INT
