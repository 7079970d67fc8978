"""Import paths as the go command reads them."""

from __future__ import annotations

import pytest

from plumber.diagnostics import lost_cancel
from plumber.syntax.imports import ImportTable, unvendored
from plumber.syntax.parser import new_parser
from tests.checks.analysistest import analyze_file

REASSIGNED = """package client

import (
	"{path}"
	"time"
)

func do(ctx context.Context, d time.Duration) error {{
	hctx, hcancel := context.WithCancel(ctx)
	if d > 0 {{
		hctx, hcancel = context.WithTimeout(ctx, d)
	}}
	defer hcancel()
	return hctx.Err()
}}
"""


@pytest.mark.parametrize(
    "path, package",
    [
        ("github.com/coreos/etcd/Godeps/_workspace/src/golang.org/x/net/context", "golang.org/x/net/context"),
        ("example.com/m/vendor/golang.org/x/net/context", "golang.org/x/net/context"),
        ("vendor/golang.org/x/net/http2/hpack", "golang.org/x/net/http2/hpack"),
        ("example.com/m/a/vendor/b/vendor/c/d", "c/d"),  # the innermost vendor directory wins
        ("example.com/vendors/x", "example.com/vendors/x"),
        ("context", "context"),
    ],
)
def test_a_vendored_path_names_the_package_it_copies(path, package):
    assert unvendored(path) == package
    source = f'package p\n\nimport "{path}"\n'.encode()
    assert ImportTable(source, new_parser().parse(source).root_node).imports[0].path == package


def test_a_godep_vendored_context_is_the_context_package(tmp_path):
    """etcd's client.go (2015) imported x/net/context through its Godeps workspace: the WithCancel whose
    cancel the WithTimeout replaces on one path is found there as with the plain import."""
    for path in ("golang.org/x/net/context", "github.com/coreos/etcd/Godeps/_workspace/src/golang.org/x/net/context"):
        file = tmp_path / "client.go"
        file.write_text(REASSIGNED.format(path=path))
        _, found = analyze_file(str(file), [lost_cancel.CHECK])
        want = [("lost-cancel", "hcancel is not called on every path")]
        assert [(f.code, f.message.split(":")[0]) for f in found] == want
