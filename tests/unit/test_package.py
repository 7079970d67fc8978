"""The package index: cheap (siblings parsed once per change), fresh (overlay, refresh), cross-file findings."""

from __future__ import annotations

import os

from plumber.driver.engine import Engine
from plumber.syntax.parser import new_parser

A = b"""package p

var cache = map[string]int{}

func get(k string) int {
	if v, ok := cache[k]; ok {
		return v
	}
	cache[k] = len(k)
	return len(k)
}
"""
B_EVICTS = b"""package p

func evict(k string) { delete(cache, k) }
"""
B_KEEPS = b"""package p

func keep(k string) int { return len(k) }
"""


def _write(path: str, text: bytes) -> None:
    with open(path, "wb") as f:
        f.write(text)


def _codes(engine: Engine, path: str, source: bytes) -> list[str]:
    ctx = engine.context(path, source, new_parser().parse(source))
    findings, failures = engine.analyze(ctx)
    assert not failures, failures[0].error
    return [f.code for f in findings]


def test_opening_one_file_of_a_300_file_package_parses_each_sibling_once(tmp_path):
    _write(str(tmp_path / "go.mod"), b"module example.com/p\n\ngo 1.22\n")
    for i in range(300):
        _write(
            str(tmp_path / f"f{i:03}.go"),
            b"package p\n\nvar m%d = map[int]int{}\n\nfunc f%d(k int) { m%d[k] = k }\n" % (i, i, i),
        )
    engine = Engine()
    path = str(tmp_path / "f000.go")
    with open(path, "rb") as f:
        source = f.read()
    _codes(engine, path, source)
    assert engine.sibling_parses == 299  # every sibling once, for all package-wide checks together
    for n in range(20):  # keystrokes in the open file
        source = source + b"\n// edit %d\n" % n
        _codes(engine, path, source)
    assert engine.sibling_parses == 299
    # One sibling changes on disk: it alone is read again.
    sibling = str(tmp_path / "f123.go")
    _write(sibling, b"package p\n\nvar m123 = map[int]int{}\n\nfunc f123(k int) { delete(m123, k) }\n")
    os.utime(sibling, ns=(os.stat(sibling).st_atime_ns, os.stat(sibling).st_mtime_ns + 10_000_000))
    _codes(engine, path, source)
    assert engine.sibling_parses == 300


def test_delete_in_a_sibling_clears_and_restores_the_finding(tmp_path):
    a, b = str(tmp_path / "a.go"), str(tmp_path / "b.go")
    _write(a, A)
    _write(b, B_EVICTS)
    engine = Engine()
    assert _codes(engine, a, A) == []
    # b.go edited on disk (no delete any more): the mtime key notices.
    _write(b, B_KEEPS)
    os.utime(b, ns=(os.stat(b).st_atime_ns, os.stat(b).st_mtime_ns + 10_000_000))
    assert _codes(engine, a, A) == ["unbounded-cache"]
    # b.go deleted: the directory listing must be refreshed by the caller.
    _write(b, B_EVICTS)
    os.utime(b, ns=(os.stat(b).st_atime_ns, os.stat(b).st_mtime_ns + 20_000_000))
    assert _codes(engine, a, A) == []
    os.remove(b)
    engine.file_changed(b, created_or_deleted=True)
    assert _codes(engine, a, A) == ["unbounded-cache"]


def test_open_buffers_override_the_disk(tmp_path):
    a, b = str(tmp_path / "a.go"), str(tmp_path / "b.go")
    _write(a, A)
    _write(b, B_KEEPS)
    buffers: dict[str, tuple[int, bytes]] = {}

    def overlay(path):
        if path not in buffers:
            return None
        version, text = buffers[path]
        return version, text, new_parser().parse(text)

    engine = Engine(overlay=overlay)
    assert _codes(engine, a, A) == ["unbounded-cache"]
    buffers[b] = (1, B_EVICTS)  # the user types the delete in b.go, unsaved
    assert _codes(engine, a, A) == []
    buffers[b] = (2, B_KEEPS)  # and removes it again
    assert _codes(engine, a, A) == ["unbounded-cache"]
    assert engine.sibling_parses == 1  # b.go from disk once; buffers are parsed by their owner
    del buffers[b]  # closed: the disk version counts again
    engine.file_changed(b)
    assert _codes(engine, a, A) == ["unbounded-cache"]


def test_related_information_points_at_the_declaration_in_another_file():
    from analysistest import TESTDATA, analyze_file

    from plumber.diagnostics import unbounded_cache

    path = os.path.join(TESTDATA, "unbounded-cache", "both", "b.go")
    _, findings = analyze_file(path, [unbounded_cache.CHECK])
    assert len(findings) == 1
    rel = findings[0].related[0]
    assert rel.path == os.path.join(TESTDATA, "unbounded-cache", "both", "a.go")
    with open(rel.path, "rb") as f:
        assert f.read()[rel.start : rel.end] == b"cache"


def test_finalizer_cycle_sees_types_of_other_files():
    from analysistest import TESTDATA, analyze_file

    from plumber.diagnostics import finalizer_cycle

    path = os.path.join(TESTDATA, "finalizer-cycle", "multi", "fin.go")
    _, findings = analyze_file(path, [finalizer_cycle.CHECK])
    assert len(findings) == 1
    assert findings[0].related[0].path == os.path.join(TESTDATA, "finalizer-cycle", "multi", "types.go")


def test_summaries_are_picklable():
    import pickle

    from analysistest import TESTDATA

    from plumber.diagnostics import CHECKS

    engine = Engine()
    for name in ("basic.go",):
        path = os.path.join(TESTDATA, "unbounded-cache", name)
        with open(path, "rb") as f:
            source = f.read()
        ctx = engine.context(path, source, new_parser().parse(source))
        for check in CHECKS:
            if check.summarize is not None:
                value = check.summarize(ctx)
                assert pickle.loads(pickle.dumps(value)) == value


LOOP = b"""package p

import "os"

func each(names []string) []any {
	var out []any
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		defer f.Close()
		s, _ := read(f)
		out = append(out, s)
	}
	return out
}
"""
KEEPS_THE_FILE = b"""package p

import (
	"bufio"
	"os"
)

func read(f *os.File) (*bufio.Reader, error) { return bufio.NewReader(f), nil }
"""
PLAIN = b"""package p

import "os"

func read(f *os.File) (string, error) { return "", nil }
"""


def test_the_model_trusts_a_sibling_on_disk_until_told_or_for_a_moment(tmp_path, monkeypatch):
    """Per keystroke the program model stats no sibling: what it read of the disk stands for
    DISK_TRUST_S, or until the server is told of a change (a watched-file event: file_changed).
    (defer-in-loop reads `read`'s signature: a reader over the file is kept past the loop.)"""
    from plumber.driver import modindex

    _write(str(tmp_path / "go.mod"), b"module example.com/p\n\ngo 1.22\n")
    a, b = str(tmp_path / "a.go"), str(tmp_path / "b.go")
    _write(a, LOOP)
    _write(b, KEEPS_THE_FILE)
    engine = Engine()
    assert _codes(engine, a, LOOP) == []
    monkeypatch.setattr(modindex, "DISK_TRUST_S", 3600.0)
    _write(b, PLAIN)
    os.utime(b, ns=(os.stat(b).st_atime_ns, os.stat(b).st_mtime_ns + 10_000_000))
    assert _codes(engine, a, LOOP) == []  # not told, and trusted still
    engine.file_changed(b)
    assert _codes(engine, a, LOOP) == ["defer-in-loop"]
    _write(b, KEEPS_THE_FILE)
    os.utime(b, ns=(os.stat(b).st_atime_ns, os.stat(b).st_mtime_ns + 20_000_000))
    monkeypatch.setattr(modindex, "DISK_TRUST_S", 0.0)
    assert _codes(engine, a, LOOP) == []  # past the moment: the disk is asked again


FAKE_LISTENER = b"""package nettest

import "net"

type Listener struct{ conns chan net.Conn }

func NewListener() *Listener { return &Listener{conns: make(chan net.Conn)} }

func (li *Listener) Accept() (net.Conn, error) { return <-li.conns, nil }
"""
FAKE_LISTENER_TEST = b"""package nettest_test

import (
	"internal/nettest"
	"testing"
)

func TestAccept(t *testing.T) {
	li := nettest.NewListener()
	conn, err := li.Accept()
	if err != nil {
		t.Fatal(err)
	}
	_ = conn
}
"""


def test_an_external_test_of_the_standard_library_reads_the_package_under_test(tmp_path):
    """In GOROOT (module std), internal/nettest_test's package under test is read from its code, not
    from the shipped table: its in-memory Listener's Accept hands out no descriptor (the table, with no
    bodies, would take it for a net.Listener's)."""
    src = tmp_path / "src"
    pkg = src / "internal" / "nettest"
    pkg.mkdir(parents=True)
    _write(str(src / "go.mod"), b"module std\n\ngo 1.27\n")
    _write(str(pkg / "listener.go"), FAKE_LISTENER)
    path = str(pkg / "listener_test.go")
    _write(path, FAKE_LISTENER_TEST)
    assert _codes(Engine(), path, FAKE_LISTENER_TEST) == []
    # the same test over a listener the table knows (net's, on a port others can dial): the listener and the conn leak
    real = (
        FAKE_LISTENER_TEST.replace(b'"internal/nettest"', b'"net"')
        .replace(b"nettest.NewListener()", b'net.Listen("tcp", ":8080")')
        .replace(b"li := ", b"li, _ := ")
    )
    assert _codes(Engine(), path, real) == ["unclosed-conn", "unclosed-conn"]
