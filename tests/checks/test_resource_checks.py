"""What the `// want` regexes of the resource checks cannot say: severities per go.mod, fix safety."""

import os

from analysistest import TESTDATA, analyze_file

from plumber.core.findings import Severity
from plumber.diagnostics import ticker_not_stopped
from plumber.driver.engine import Engine
from plumber.syntax.parser import new_parser

TICKER = os.path.join(TESTDATA, "ticker-not-stopped")


def severities(path):
    source, findings = analyze_file(path, [ticker_not_stopped.CHECK])
    return {source.count(b"\n", 0, f.start) + 1: f.severity for f in findings}


def line_of(path, needle):
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if needle in line:
                return i
    raise AssertionError(needle)


def test_ticker_severity_below_go_1_23_is_warning():
    path = os.path.join(TICKER, "go1.22", "basic.go")
    sev = severities(path)
    assert len(sev) == 5
    assert set(sev.values()) == {Severity.WARNING}


def test_ticker_severity_from_go_1_23_is_information_unless_a_goroutine_reads_for_ever():
    path = os.path.join(TICKER, "go1.23", "basic.go")
    sev = severities(path)
    forever = line_of(path, "ticker := time.NewTicker(10 * time.Second)")
    assert sev.pop(forever) == Severity.WARNING
    assert len(sev) == 2  # the two unstopped NewTicker/NewTimer; time.Tick is silent from go 1.23
    assert set(sev.values()) == {Severity.INFORMATION}


def test_each_directory_has_its_own_go_mod():
    engine = Engine([ticker_not_stopped.CHECK])
    for d, want in (("go1.22", (1, 22)), ("go1.23", (1, 23))):
        path = os.path.join(TICKER, d, "basic.go")
        assert engine.go_mod(path) == os.path.join(TICKER, d, "go.mod")
        assert engine.go_version(path) == want


def test_ticker_severity_follows_an_edited_go_mod(tmp_path):
    """The go.mod cache re-reads go.mod when it changes (mtime), so the severity follows it."""
    gomod = tmp_path / "go.mod"
    gomod.write_text("module m\n\ngo 1.21\n")
    src = b'package m\n\nimport "time"\n\nfunc f() {\n\tt := time.NewTimer(time.Hour)\n\t_ = t\n}\n'
    path = str(tmp_path / "a.go")
    engine = Engine([ticker_not_stopped.CHECK])
    tree = new_parser().parse(src)
    (f,), _ = engine.analyze(engine.context(path, src, tree))
    assert f.severity == Severity.WARNING
    gomod.write_text("module m\n\ngo 1.24\n")
    os.utime(gomod, (1, 1))  # a different mtime, whatever the clock's resolution
    (f,), _ = engine.analyze(engine.context(path, src, tree))
    assert f.severity == Severity.INFORMATION


def test_ticker_fix_is_not_safe_when_a_goroutine_reads_the_ticker():
    """Stopping the ticker when the function returns changes what the goroutine sees: offered, not applied."""
    path = os.path.join(TICKER, "go1.22", "basic.go")
    _, findings = analyze_file(path, [ticker_not_stopped.CHECK])
    (seed,) = [f for f in findings if f.message.startswith("ticker is never stopped")]
    assert seed.fixes and not seed.fixes[0].safe


RESOURCE_CODES = ("unclosed-conn", "defer-in-loop", "ticker-not-stopped", "cgo-not-freed", "lost-cancel")


def _golden_cases():
    from analysistest import golden_files

    from plumber.diagnostics import CHECKS

    return [(c, g) for c in CHECKS if c.code in RESOURCE_CODES for g in golden_files(c.code)]


import pytest  # noqa: E402


@pytest.mark.parametrize(
    "check,golden", _golden_cases(), ids=lambda x: getattr(x, "code", None) or os.path.relpath(x, TESTDATA)
)
def test_fixes_keep_crlf_line_endings(check, golden):
    """The same fixes on a CRLF copy give the golden file with CRLF endings."""
    from analysistest import fix_all

    with open(golden[: -len(".golden")], "rb") as f:
        crlf = f.read().replace(b"\n", b"\r\n")
    with open(golden, "rb") as f:
        want = f.read().replace(b"\n", b"\r\n")
    assert fix_all(golden[: -len(".golden")], [check], crlf) == want


def test_defer_in_loop_severity_and_fix_safety():
    """A per-iteration release is a warning with a wrap fix, safe only when the resource stays with the body;
    a deferred call that holds nothing (wg.Done, println, os.Remove) is information, with no fix."""
    from plumber.diagnostics import defer_in_loop

    path = os.path.join(TESTDATA, "defer-in-loop", "kinds.go")
    source, findings = analyze_file(path, [defer_in_loop.CHECK])
    by_line = {source.count(b"\n", 0, f.start) + 1: f for f in findings}
    for needle in ("defer wg.Done()", "defer println(i)", "defer os.Remove(name)"):
        f = by_line[line_of(path, needle)]
        assert f.severity == Severity.INFORMATION and not f.fixes, needle
        assert "stays open" not in f.message
    handed = by_line[line_of(path, "keep(f)") - 1]
    assert handed.severity == Severity.WARNING
    assert [fix.safe for fix in handed.fixes] == [False]  # offered, not applied by fix-all
    read = by_line[line_of(path, "data, _ := io.ReadAll(f)") - 1]
    assert [fix.safe for fix in read.fixes] == [True]


HELPERS = """package net

import (
	"os"
	"testing"
)

func cleanedUp(tb testing.TB) *os.File {
	f, err := os.CreateTemp(tb.TempDir(), "x")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func leftOpen(tb testing.TB) *os.File {
	f, err := os.CreateTemp(tb.TempDir(), "x")
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestUse(t *testing.T) {
	a := cleanedUp(t)
	b := leftOpen(t)
	println(a.Name(), b.Name())
}
"""


def test_the_standard_librarys_own_helpers_are_read_from_their_summaries(tmp_path):
    """Analysing a package of the standard library itself (GOROOT/src is `module std`), its own functions
    are read from their code, not taken for the standard library's openers by their result type: a helper
    whose file the test's Cleanup closes opens nothing for the caller (net/sendfile_test.go's createTempFile)."""
    from plumber.diagnostics import unclosed_file

    (tmp_path / "go.mod").write_text("module std\n\ngo 1.24\n")
    (tmp_path / "net").mkdir()
    path = tmp_path / "net" / "helpers_test.go"
    path.write_text(HELPERS)
    source, findings = analyze_file(str(path), [unclosed_file.CHECK])
    lines = {source.count(b"\n", 0, f.start) + 1 for f in findings}
    assert lines == {HELPERS.splitlines().index("\tb := leftOpen(t)") + 1}, [f.message for f in findings]


OWN_API = """package sql

import "os"

var files = map[string]*os.File{}

// Query is the package's exported API: its contract (the caller owns the result) answers, not its code.
func Query(name string) (*os.File, error) { return files[name], nil }

func useQuery() {
	f, err := Query("q")
	if err != nil {
		return
	}
	println(f.Name())
}
"""

OWN_DECOMPRESSOR = """package gzip

import (
	"bytes"
	"io"
)

type Reader struct{}

func (*Reader) Read(p []byte) (int, error) { return 0, io.EOF }
func (*Reader) Close() error              { return nil }

func NewReader(r io.Reader) (*Reader, error) { return &Reader{}, nil }

func readAll(blobs [][]byte) {
	for _, b := range blobs {
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer r.Close()
		io.Copy(io.Discard, r)
	}
}
"""


OWN_INTERNAL = """package nettest

import "net"

// An in-memory fake (internal/nettest): its exported Accept hands out queued conns it keeps.
type Listener struct{ queue []net.Conn }

func (li *Listener) Accept() (net.Conn, error) { return li.queue[0], nil }

func accepted(li *Listener) net.Conn {
	c, err := li.Accept()
	if err != nil {
		return nil
	}
	println(c.LocalAddr())
	return nil
}
"""


def test_inside_the_standard_library_its_exported_api_keeps_its_contract(tmp_path):
    """In GOROOT/src's own packages, an exported function's result is read by the standard library's contract
    (database/sql's db.Query returns rows the caller must close), and compress/gzip's own NewReader is the
    decompressor whose Close frees nothing: the package's own calls are its API too."""
    from plumber.diagnostics import defer_in_loop, unclosed_file

    (tmp_path / "go.mod").write_text("module std\n\ngo 1.24\n")
    for pkg, source in (
        ("database/sql", OWN_API),
        ("compress/gzip", OWN_DECOMPRESSOR),
        ("internal/nettest", OWN_INTERNAL),
    ):
        (tmp_path / pkg).mkdir(parents=True)
        (tmp_path / pkg / "a.go").write_text(source)
    source, found = analyze_file(str(tmp_path / "database/sql/a.go"), [unclosed_file.CHECK])
    assert [source.count(b"\n", 0, f.start) + 1 for f in found] == [
        OWN_API.splitlines().index('\tf, err := Query("q")') + 1
    ]
    _, found = analyze_file(str(tmp_path / "compress/gzip/a.go"), [defer_in_loop.CHECK])
    assert found == []
    from plumber.diagnostics import unclosed_conn

    _, found = analyze_file(str(tmp_path / "internal/nettest/a.go"), [unclosed_conn.CHECK])
    assert found == []  # an internal package has no public contract: its code answers
