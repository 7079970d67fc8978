"""Every check against its annotated test data and golden fix files."""

import os

import pytest
from analysistest import TESTDATA, check_expectations, data_files, fix_all, golden_files, vet_sources

from plumber.diagnostics import CHECKS
from plumber.syntax.parser import query

CASES = [(c, p) for c in CHECKS for p in data_files(c.code)]
GOLDEN = [(c, p) for c in CHECKS for p in golden_files(c.code)]
# Test data that imports modules other than the standard library cannot be compiled offline;
# it is still checked against its expectations and golden files, just not vetted.
NOT_VETTED = {
    os.path.join("unclosed-conn", "grpc.go"),  # imports google.golang.org/grpc
    os.path.join("unclosed-conn", "testify_test.go"),  # imports github.com/stretchr/testify
    os.path.join("lost-cancel", "xnet.go"),  # imports golang.org/x/net/context
    os.path.join("endless-goroutine", "cli", "cmd.go"),  # imports github.com/spf13/cobra
}


def _vetted(path: str) -> bool:
    rel = os.path.relpath(path, TESTDATA)
    return rel.removesuffix(".golden") not in NOT_VETTED


def test_every_check_has_test_data_and_docs():
    root = os.path.dirname(os.path.dirname(TESTDATA))
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
    """Every golden file, in place of its original in the test data module, is gofmt-clean and vets."""
    files = {}
    for check, path in CASES:
        if "cgo" in check.code or not _vetted(path):
            continue  # cgo: vetted in test_cgo.py with cgo on, where a C compiler is present
        golden = path + ".golden"
        with open(golden if os.path.exists(golden) else path, "rb") as f:
            files[os.path.relpath(path, TESTDATA)] = f.read()
    assert any(os.path.exists(os.path.join(TESTDATA, rel + ".golden")) for rel in files)
    # The files without a golden (and unsafe fixes left out) still hold the leaks go vet's lostcancel reports.
    status, out = vet_sources(files, vet_flags=("-lostcancel=false",), module="example.com/testdata")
    assert status == 0, out


def test_lost_cancel_golden_has_no_lost_cancel():
    """go vet's own lostcancel finds nothing left in the file fixed with Plumber's safe fixes."""
    golden = os.path.join(TESTDATA, "lost-cancel", "fix.go.golden")
    with open(golden, "rb") as f:
        status, out = vet_sources({"fix/fix.go": f.read()})
    assert status == 0, out


def test_testdata_compiles_before_fixes():
    """The fixes must compile wherever the original did: the originals compile."""
    files = {}
    for check, path in CASES:
        if "cgo" in check.code or not _vetted(path):
            continue
        with open(path, "rb") as f:
            files[os.path.relpath(path, TESTDATA)] = f.read()
    # The test data is one module (example.com/testdata): packages import each other by path.
    # The originals hold the very leaks go vet's lostcancel reports: compile them, vet the rest.
    status, out = vet_sources(files, vet_flags=("-lostcancel=false",), module="example.com/testdata")
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
