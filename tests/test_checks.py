"""Every check against its annotated test data and golden fix files."""

import os

import pytest

from analysistest import (TESTDATA, check_expectations, fix_all, golden_files, data_files, vet_sources)
from plumber.diagnostics import CHECKS
from plumber.golang import query

CASES = [(c, p) for c in CHECKS for p in data_files(c.code)]
GOLDEN = [(c, p) for c in CHECKS for p in golden_files(c.code)]
# Test data that imports modules other than the standard library cannot be compiled offline;
# it is still checked against its expectations and golden files, just not vetted.
NOT_VETTED = {
    os.path.join("unclosed-conn", "grpc.go"),  # imports google.golang.org/grpc
}


def _vetted(path: str) -> bool:
    rel = os.path.relpath(path, TESTDATA)
    return rel.removesuffix(".golden") not in NOT_VETTED


def test_every_check_has_test_data_and_docs():
    root = os.path.dirname(TESTDATA)
    for check in CHECKS:
        assert data_files(check.code), f"{check.code} has no test data"
        assert os.path.exists(os.path.join(root, "..", "docs", "checks", f"{check.code}.md")), check.code


@pytest.mark.parametrize("check,path", CASES, ids=[os.path.relpath(p, TESTDATA) for _, p in CASES])
def test_expectations(check, path):
    problems = check_expectations(path, [check])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("check,golden", GOLDEN, ids=[os.path.relpath(p, TESTDATA) for _, p in GOLDEN])
def test_fixes_match_golden(check, golden):
    with open(golden, "rb") as f:
        want = f.read()
    got = fix_all(golden[: -len(".golden")], [check])
    assert got.decode() == want.decode()


def test_golden_files_are_gofmt_clean_and_vet():
    files = {}
    for check, golden in GOLDEN:
        if "cgo" in check.code or not _vetted(golden):
            continue  # cgo: vetted in test_cgo.py with cgo on, where a C compiler is present
        rel = os.path.relpath(golden[: -len(".golden")], TESTDATA)
        pkgdir = rel.replace(os.sep, "_").replace(".go", "").replace("-", "_")
        with open(golden, "rb") as f:
            files[os.path.join(pkgdir, os.path.basename(rel))] = f.read()
    assert files
    status, out = vet_sources(files)
    assert status == 0, out


def test_testdata_compiles_before_fixes():
    """The fixes must compile wherever the original did: the originals compile."""
    files = {}
    for check, path in CASES:
        if "cgo" in check.code or not _vetted(path):
            continue
        rel = os.path.relpath(path, TESTDATA)
        pkgdir = os.path.dirname(rel).replace(os.sep, "_").replace("-", "_")
        with open(path, "rb") as f:
            files[os.path.join(pkgdir, os.path.basename(rel))] = f.read()
    # The originals hold the very leaks go vet's lostcancel reports: compile them, vet the rest.
    status, out = vet_sources(files, vet_flags=("-lostcancel=false",))
    assert status == 0, out


def test_queries_compile():
    import importlib
    import pkgutil

    import plumber.diagnostics as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"plumber.diagnostics.{info.name}")
        for name, value in vars(mod).items():
            if isinstance(value, str) and value.lstrip().startswith("(") and "@" in value:
                query(value)  # raises QueryError on an impossible pattern
