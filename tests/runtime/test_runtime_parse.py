"""The profile and dump parser, the frame mapping and the aggregation, on text written here."""

import os
import random
import time

import pytest

from plumber.core.findings import Severity
from plumber.runtime import Options, ProfileError, Workspace, check_url, findings, parse
from plumber.runtime.aggregate import infer_wait
from plumber.runtime.parse import Frame

LEAK1 = """goroutineleak profile: total 5
5 @ 0x47f0aa 0x41421c 0x413e17 0x4e0816 0x484f41
#\t0x4e0815\tmain.timeoutLeak.func1+0x35\t/build/app/main.go:16

"""

DUMP2 = """goroutine 1 [running]:
main.main()
\t/build/app/main.go:30 +0x11f

goroutine 22 [chan send (leaked)]:
main.timeoutLeak.func1()
\t/build/app/main.go:16 +0x36
created by main.timeoutLeak in goroutine 1
\t/build/app/main.go:14 +0x76

goroutine 23 [chan send (leaked)]:
main.timeoutLeak.func1()
\t/build/app/main.go:16 +0x36
created by main.timeoutLeak in goroutine 1
\t/build/app/main.go:14 +0x76
"""

CLASSIC2 = """goroutine 7 gp=0xc000102000 m=nil [chan receive, 12 minutes, locked to thread]:
example.com/app/worker.(*Pool).run(0xc0000a4000, {0x5e8150, 0xc0000140a8})
\t/home/ci/src/app/worker/pool.go:8 +0x6c
created by example.com/app/worker.Start in goroutine 1
\t/home/ci/src/app/worker/pool.go:4 +0x2a
"""

MAIN_GO = (
    "package main\n\n"
    + "\n".join(f"// line {i}" for i in range(3, 12))
    + "\nfunc timeoutLeak() {\n\tch := make(chan int)\n\tgo func() {\n\t\tv := 1\n\t\tch <- v\n\t}()\n}\n"
    + "\n".join(f"// line {i}" for i in range(20, 40))
    + "\n"
)


@pytest.fixture
def ws(tmp_path):
    app = tmp_path / "checkout" / "app"
    (app / "worker").mkdir(parents=True)
    (app / "go.mod").write_text("module example.com/app\n\ngo 1.27\n")
    lines = MAIN_GO.split("\n")
    assert lines[15].strip() == "ch <- v" and lines[13].strip().startswith("go func")
    (app / "main.go").write_text(MAIN_GO)
    (app / "worker" / "pool.go").write_text(
        "package worker\n\ntype Pool struct{ in chan int }\n\nfunc Start() { p := &Pool{}; go p.run() }\n"
        "\nfunc (p *Pool) run() {\n\tfor v := range p.in {\n\t\t_ = v\n\t}\n}\n"
    )
    return tmp_path


def place(ws, text, options=Options()):
    res = findings(parse(text), Workspace([str(ws)]), options)
    out = []
    for path, f in res.all():
        src = open(path, "rb").read()
        out.append((os.path.relpath(path, ws), src.count(b"\n", 0, f.start) + 1, f))
    return out, res


def test_debug1_leak_profile(ws):
    prof = parse(LEAK1)
    assert prof.goroutines == 5 and len(prof.stacks) == 1
    st = prof.stacks[0]
    assert st.leaked and st.count == 5 and st.frames == (Frame("main.timeoutLeak.func1", "/build/app/main.go", 16),)
    got, _ = place(ws, LEAK1)
    assert [(p, line, f.severity) for p, line, f in got] == [("checkout/app/main.go", 16, Severity.WARNING)]
    assert got[0][2].message == "5 goroutines leaked here, blocked on chan send (goroutineleak profile)"


def test_debug2_dump_counts_wait_and_creation_site(ws):
    got, _ = place(ws, DUMP2)
    assert len(got) == 1
    _, line, f = got[0]
    assert line == 16 and f.message == "2 goroutines leaked here, blocked on chan send (goroutineleak profile)"
    src = (ws / "checkout/app/main.go").read_bytes()
    assert [(r.path, src.count(b"\n", 0, r.start) + 1, r.message) for r in f.related] == [
        (None, 14, "created by main.timeoutLeak (2 goroutines)")
    ]


def test_crlf_and_concatenated_dumps_are_not_counted_twice(ws):
    text = (LEAK1 + DUMP2 + "\n" + DUMP2).replace("\n", "\r\n")
    prof = parse(text)
    assert prof.sections == 3
    got, _ = place(ws, text)
    assert [(line, f.message.split(" leaked")[0]) for _, line, f in got] == [(16, "5 goroutines")]


def test_classic_profile_thresholds(ws):
    text = CLASSIC2.replace("{", "{{").replace("}", "}}").replace("goroutine 7 ", "goroutine {} ")
    many = "\n".join(text.format(i) for i in range(12))
    got, _ = place(ws, many)
    assert len(got) == 1
    path, line, f = got[0]
    assert (path, line, f.severity) == ("checkout/app/worker/pool.go", 8, Severity.INFORMATION)
    assert f.message == "12 goroutines waiting here, blocked on chan receive for 12+ minutes (goroutine profile)"
    assert place(ws, many, Options(min_wait_minutes=13))[0] == []
    assert place(ws, many, Options(min_count=13))[0] == []
    few = "\n".join(text.format(i) for i in range(3))
    assert place(ws, few)[0] == []
    assert len(place(ws, few, Options(min_count=3))[0]) == 1
    # not blocked on a channel or lock: never reported from a classic profile
    io = many.replace("chan receive, 12 minutes", "IO wait, 40 minutes")
    assert place(ws, io, Options(min_count=1, min_wait_minutes=0))[0] == []


def test_frames_outside_the_workspace_are_skipped(ws):
    text = """goroutine 9 [chan send (leaked)]:
net/http.(*conn).serve(0xc0001)
\t/usr/local/go/src/net/http/server.go:2000 +0x1
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3000 +0x2
"""
    (ws / "checkout/app/server.go").write_text("package main\n" + "\n" * 3100)
    got, res = place(ws, text)
    assert got == [] and res.unplaced == 1 and res.ambiguous == []


def test_ambiguous_frames_are_reported_not_guessed(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d / "cmd").mkdir(parents=True)
        (tmp_path / d / "go.mod").write_text("module example.com/app\n\ngo 1.27\n")
        (tmp_path / d / "cmd" / "main.go").write_text(MAIN_GO)
    text = LEAK1.replace("/build/app/main.go", "/build/x/cmd/main.go")
    got, res = place(tmp_path, text)
    assert got == []
    assert len(res.ambiguous) == 1
    assert "matches 2 workspace files" in res.ambiguous[0].describe()
    # a longer common suffix decides
    (tmp_path / "a" / "cmd").rename(tmp_path / "a" / "tool")
    got, res = place(tmp_path, LEAK1.replace("/build/app/main.go", "/src/b/cmd/main.go"))
    assert [(p, line) for p, line, _ in got] == [("b/cmd/main.go", 16)] and not res.ambiguous


def test_truncated_and_garbled_input_never_raises(ws):
    full = LEAK1 + DUMP2 + CLASSIC2
    for cut in range(0, len(full), 7):
        parse(full[:cut])
        findings(parse(full[:cut]), Workspace([str(ws)]))
    rnd = random.Random(8)
    alphabet = "goroutine [chan send (leaked)]:\n\t/main.go:16 +0x1@#0123456789 created by\r\x00é"
    for _ in range(300):
        junk = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 400)))
        parse(junk)
        parse(junk.encode("utf-8", "replace") + bytes(rnd.randrange(256) for _ in range(50)))
    # a record cut inside its location line keeps the goroutines before it
    cut = DUMP2[: DUMP2.rindex("main.go:16")]
    assert [s.count for s in parse(cut).stacks if s.leaked] == [1]


def test_corrupt_binary_profile_is_refused():
    # the binary form is read by plumber.runtime.pprof (tests/runtime/); garbage after the gzip magic is not
    with pytest.raises(ProfileError, match="corrupt gzip data"):
        parse(b"\x1f\x8b\x08\x00" + bytes(20))


def test_only_localhost_urls():
    assert check_url("http://127.0.0.1:6060/debug/pprof/goroutineleak?debug=1")
    assert check_url("http://localhost:6060/debug/pprof/goroutine?debug=2")
    for bad in (
        "http://example.com/debug/pprof/goroutine",
        "http://127.0.0.1.evil.com/x",
        "ftp://localhost/x",
        "http://user@localhost:1/x",
        "http://10.0.0.1/x",
    ):
        with pytest.raises(ProfileError):
            check_url(bad)


def test_wait_reason_inferred_from_the_blocked_line():
    assert infer_wait("ch <- v") == "chan send"
    assert infer_wait("s.out <- v // send") == "chan send"
    assert infer_wait("v := <-ch") == "chan receive"
    assert infer_wait("for v := range ch {") == "chan receive"
    assert infer_wait("select {") == "select"
    assert infer_wait("mu.Lock()") is None


def test_huge_dump_is_read_fast(ws, capsys):
    """100,000 goroutines over 50 distinct stacks with varying arguments and wait times."""
    parts = []
    for i in range(100_000):
        k = i % 50
        parts.append(
            f"goroutine {i + 2} [chan receive, {i % 30} minutes]:\n"
            f"example.com/app/worker.(*Pool).run(0x{i:x}, {{0x5e8150, 0x{k:x}}})\n"
            f"\t/home/ci/src/app/worker/pool.go:{8 if k == 0 else 100 + k} +0x6c\n"
            f"created by example.com/app/worker.Start in goroutine 1\n"
            f"\t/home/ci/src/app/worker/pool.go:4 +0x2a\n"
        )
    text = "\n".join(parts)
    assert len(text) > 15_000_000
    # CPU time: on this shared 2-core machine the wall clock measures the other tenants too
    t0, c0 = time.perf_counter(), time.process_time()
    prof = parse(text)
    t1, c1 = time.perf_counter(), time.process_time()
    res = findings(prof, Workspace([str(ws)]))
    t2 = time.perf_counter()
    with capsys.disabled():
        print(
            f"\nhuge dump: {len(text) / 1e6:.1f} MB, 100,000 goroutines: parse {c1 - c0:.2f} s CPU "
            f"({t1 - t0:.2f} s wall), place {t2 - t1:.3f} s"
        )
    assert prof.goroutines == 100_000 and sum(s.count for s in prof.stacks) == 100_000
    assert c1 - c0 < 2.0
    assert [f.message for _, f in res.all()] == [
        "2000 goroutines waiting here, blocked on chan receive for 20+ minutes (goroutine profile)"
    ]


def test_confirm_marks_static_goroutine_findings_in_the_same_function():
    from plumber.core.findings import Finding, Related
    from plumber.diagnostics import CHECKS
    from plumber.runtime.confirm import confirm
    from plumber.syntax.parser import new_parser

    src = (
        b"package p\n\nfunc a() {\n\tch := make(chan int)\n\tgo func() { ch <- 1 }()\n}\n\n"
        b"func b() {\n\tx := 1\n\t_ = x\n}\n"
    )
    root = new_parser().parse(src).root_node
    send = src.index(b"ch <- 1")
    mk = src.index(b"make(")
    leak = Finding(
        "leaked-goroutine",
        send,
        send + 7,
        "3 goroutines leaked here, blocked on chan send (goroutineleak profile)",
        Severity.WARNING,
        (),
        (Related(mk, mk + 5, "created by p.a"),),
    )
    static = [
        Finding("blocked-send", mk, mk + 16, "ch is unbuffered"),
        Finding("unclosed-file", mk, mk + 16, "f is never closed"),
        Finding("blocked-send", src.index(b"x := 1"), src.index(b"x := 1") + 6, "elsewhere"),
    ]
    registry = {c.code: c for c in CHECKS}

    def shown(code):  # what the server passes: the registry's metadata, not a list of codes
        return code in registry and "goroutine" in registry[code].profiles

    got = confirm(static, [leak], root, shown)
    assert got[0].message == "ch is unbuffered (confirmed at run time: 3 goroutines leaked, blocked on chan send)"
    assert got[1].message == "f is never closed"  # not a goroutine check
    assert got[2].message == "elsewhere"  # another function
    info = Finding("leaked-goroutine", send, send + 7, "12 goroutines waiting here", Severity.INFORMATION)
    assert confirm(static, [info], root, shown) == static  # a classic profile proves no leak
