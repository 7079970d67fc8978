"""Binary (debug=0) goroutine and goroutineleak profiles of the leaky program against their debug=1 text."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from runtimeutil import EXPECTED, dumps

from plumber.runtime import Options, Workspace, findings, parse, pprof

PLUMBER = [sys.executable, "-m", "plumber"]
PAIRS = [("leak.pb.gz", "leak.debug1.txt"), ("goroutine.pb.gz", "goroutine.debug1.txt")]


@pytest.fixture(scope="module")
def d():
    return dumps()


def read(d, name):
    with open(d.path(name), "rb") as f:
        return f.read()


def test_what_the_binary_form_carries(d):
    """Go 1.27.3 writes per distinct stack a goroutine count, and labels only from pprof.Do:
    no wait reason, wait time or creation site; the leak flag is the sample type itself."""
    leak = pprof.decode(read(d, "leak.pb.gz"))
    assert [str(t) for t in leak.sample_types] == ["goroutineleak/count"] and leak.kind == "goroutineleak"
    assert str(leak.period_type) == "goroutineleak/count" and leak.period == 1
    assert all(s.labels == () for s in leak.samples)
    assert sum(s.values[0] for s in leak.samples) == sum(n for n, _ in EXPECTED.values())
    # the runtime frames the debug=1 text leaves out are there: the leaves are runtime.gopark
    assert {s.frames[0].func for s in leak.samples} == {"runtime.gopark"}
    classic = pprof.decode(read(d, "goroutine.pb.gz"))
    assert classic.kind == "goroutine" and [str(t) for t in classic.sample_types] == ["goroutine/count"]
    profile = parse(read(d, "leak.pb.gz"))
    assert all(s.leaked and s.wait is None and s.created_by is None and s.minutes is None for s in profile.stacks)


@pytest.mark.parametrize("binary,text", PAIRS)
def test_same_places_and_counts_as_the_text_form(d, binary, text):
    ws = Workspace([d.workspace])
    options = Options(0, 1)
    bp, tp = parse(read(d, binary)), parse(read(d, text))
    assert bp.goroutines == tp.goroutines
    got = [(p, f.start, f.end, f.message, f.severity) for p, f in findings(bp, ws, options).all()]
    want = [(p, f.start, f.end, f.message, f.severity) for p, f in findings(tp, ws, options).all()]
    assert got == want and len(got) == len(EXPECTED)

    # the innermost workspace frame of every stack is the same in both forms
    def places(prof):
        return sorted(
            (st.count, next(fr.line for fr in st.frames if fr.file.endswith("patterns.go")))
            for st in prof.stacks
            if any(fr.file.endswith("patterns.go") for fr in st.frames)
        )

    assert places(bp) == places(tp) == sorted((n, d.block[p]) for p, (n, _) in EXPECTED.items())


def test_goroutineleak_through_net_http_pprof(heapleak):
    """/debug/pprof/goroutineleak of a live server, binary (the default) and debug=1: the same finding."""
    from heapleakutil import LEAKED

    results = []
    for source in (
        heapleak.path("leak.pb.gz"),
        heapleak.path("leak.debug1.txt"),
        heapleak.url("/debug/pprof/goroutineleak"),
    ):
        p = subprocess.run(
            PLUMBER + ["profile", "--format", "json", "--root", heapleak.workspace, source],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 1, p.stderr
        results.append([(f["path"], f["line"], f["message"]) for f in json.loads(p.stdout)])
    assert (
        results[0]
        == results[1]
        == results[2]
        == [
            (
                heapleak.main,
                heapleak.leak_line,
                f"{LEAKED} goroutines leaked here, blocked on chan send (goroutineleak profile)",
            )
        ]
    )


def test_cli_binary_leak_profile(d):
    p = subprocess.run(
        PLUMBER + ["profile", "--format", "json", "--root", d.workspace, d.path("leak.pb.gz")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 1, p.stderr
    found = {(f["line"], f["message"]) for f in json.loads(p.stdout)}
    assert found == {
        (d.block[pattern], f"{n} goroutines leaked here, blocked on {wait} (goroutineleak profile)")
        for pattern, (n, wait) in EXPECTED.items()
    }
    p = subprocess.run(
        PLUMBER + ["profile", "--base", d.path("leak.pb.gz"), "--root", d.workspace, d.path("leak.pb.gz")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2
    assert "--base applies only to heap profiles; " in p.stderr and "is a goroutineleak profile" in p.stderr
