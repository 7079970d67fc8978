"""Heap profiles of a real Go 1.27 program placed on its code, checked against `go tool pprof -base`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from heapleakutil import BODY, ENTRY, PAIRS, PINNED_TEXT, REQUESTS, pinned

from plumber.core.findings import Severity
from plumber.runtime import ProfileError, Workspace, heap, pprof
from plumber.runtime.heap_confirm import confirm

PLUMBER = [sys.executable, "-m", "plumber"]


def decoded(h, name):
    with open(h.path(name), "rb") as f:
        return pprof.decode(f.read())


def pprof_at(top, line):
    """go tool pprof's (flat, cum) for main.go:line of the program."""
    got = [v for (file, ln), v in top.lines.items() if file.endswith("/heapleak/main.go") and ln == line]
    assert len(got) == 1, top.text
    return got[0]


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_growth_on_the_map_insert_and_the_substring_within_10_percent_of_go_tool_pprof(heapleak, pair):
    print(
        f"\nheapleak fixture: go build {heapleak.build_seconds:.1f} s, profiling (incl. go test -memprofile) "
        f"{heapleak.profile_seconds:.1f} s, go tool pprof x2 {heapleak.pprof_seconds:.1f} s"
    )
    before, after = (decoded(heapleak, n) for n in PAIRS[pair])
    rep, result = heap.analyze(after, [heapleak.workspace], base=before)
    top = heapleak.top[pair]
    by_line = {s.line: s for s in rep.sites if s.path == heapleak.main}
    for name, minimum in (("map", REQUESTS * ENTRY), ("substring", REQUESTS * BODY)):
        line = heapleak.grow[name]
        flat, cum = pprof_at(top, line)
        ours = by_line[line].delta
        print(f"\n{pair} {name} main.go:{line}: plumber {ours} B, go tool pprof flat {flat} B cum {cum} B")
        assert abs(ours - flat) <= 0.1 * flat and abs(ours - cum) <= 0.1 * cum
        assert ours >= minimum  # each request keeps at least this much there
    print(f"{pair} total growth: plumber {rep.growth} B, go tool pprof {top.total} B")
    assert abs(rep.growth - top.total) <= 0.1 * top.total
    # the two leaks are the two largest findings, with the words of the issue
    grown = rep.top(2)
    assert [s.line for s in grown] == [heapleak.grow["substring"], heapleak.grow["map"]]
    fs = {f.start: f for f in result.by_path[heapleak.main]}
    with open(heapleak.main, "rb") as f:
        source = f.read()
    for s in grown:
        f = next(f for f in fs.values() if source.count(b"\n", 0, f.start) + 1 == s.line)
        assert f.code == "heap-growth" and f.severity == Severity.INFORMATION
        share = round(100 * s.delta / rep.growth)
        assert (
            f.message == f"{heap.amount(s.delta, 'bytes', True)} in use since the base profile, {share}% of the growth"
        ), f.message
        assert source[f.start : f.end].decode().startswith(("cache[key] = make", "doc := string(raw)"))
        # the call path, from main.main down to the allocating call
        assert next(r.message for r in f.related) == "1. main.main calls main.serve"
        assert [r.message for r in f.related][-1].startswith("3. main.grow calls main.")
    # every allocation is sampled (MemProfileRate = 1): the bytes go tool pprof charges to the line and below it
    substring = by_line[heapleak.grow["substring"]]
    assert pinned(substring.delta) and substring.delta == pprof_at(top, heapleak.grow["substring"])[1]


def test_without_a_base_the_lines_holding_most(heapleak):
    after = decoded(heapleak, "file-after.pb.gz")
    rep = heap.report(after, Workspace([heapleak.workspace]))
    assert rep.base_total is None and rep.total == sum(s.values[after.index("inuse_space")] for s in after.samples)
    first, second = rep.top(2)
    assert (first.line, second.line) == (heapleak.grow["substring"], heapleak.grow["map"])
    assert first.value >= (200 + REQUESTS) * BODY
    assert heap.message(first, rep).endswith("% of the heap in use")


@pytest.mark.parametrize("sample", ["inuse_objects", "alloc_space", "alloc_objects"])
def test_other_sample_types(heapleak, sample):
    before, after = decoded(heapleak, "file-before.pb.gz"), decoded(heapleak, "file-after.pb.gz")
    rep = heap.report(after, Workspace([heapleak.workspace]), sample, before)
    by_line = {s.line: s for s in rep.sites}
    subst, cached = by_line[heapleak.grow["substring"]], by_line[heapleak.grow["map"]]
    if sample == "alloc_space":  # each request also allocated and dropped the 40 KiB raw buffer
        assert pinned(subst.delta) and cached.delta >= REQUESTS * ENTRY
    else:
        assert pinned(subst.delta, objects=True)  # one string per request
        assert REQUESTS <= cached.delta < REQUESTS * 1.2  # one slice per request, and the map's tables
    verb = "in use" if sample.startswith("inuse") else "allocated"
    assert heap.message(subst, rep).startswith(
        f"+{subst.delta:,} objects {verb}" if "objects" in sample else PINNED_TEXT
    )


def test_go_test_memprofile(heapleak):
    """go test -memprofile writes the allocs profile: alloc_space by default, as go tool pprof shows it."""
    mem = decoded(heapleak, "mem.pb.gz")
    assert mem.kind == "heap" and mem.default_sample_type == "alloc_space"
    rep, result = heap.analyze(mem, [heapleak.workspace], top=2)
    assert rep.sample == "alloc_space"
    by_line = {s.line: s for s in rep.top(2)}
    # TestGrow's 500 requests: a 40 KiB string and a 4 KiB cache entry each (and a few small objects)
    assert 500 * BODY <= by_line[heapleak.grow["substring"]].value < 1.01 * 500 * BODY
    assert by_line[heapleak.grow["map"]].value >= 500 * ENTRY
    messages = [f.message for _, f in result.all()]
    assert all(" allocated here, " in m and m.endswith("% of all allocations") for m in messages)
    status, out, err = profile_cli(heapleak, "--top", "2", "--sample", "inuse_space", heapleak.path("mem.pb.gz"))
    assert status == 1 and {f["line"] for f in json.loads(out)} == set(heapleak.grow.values())
    assert all(" in use here, " in f["message"] for f in json.loads(out))


def test_growth_can_be_negative(heapleak):
    before, after = decoded(heapleak, "file-before.pb.gz"), decoded(heapleak, "file-after.pb.gz")
    rep = heap.report(before, Workspace([heapleak.workspace]), base=after)  # time reversed: it shrank
    by_line = {s.line: s for s in rep.sites}
    assert pinned(-by_line[heapleak.grow["substring"]].delta)
    assert by_line[heapleak.grow["map"]].delta < -REQUESTS * ENTRY
    assert rep.growth < 0
    # findings only where something grew: not on the two leaks (a few small buffers of serve may)
    top = rep.top()
    assert all(s.delta > 0 for s in top) and not {s.line for s in top} & set(heapleak.grow.values())
    assert len(heap.findings(rep).all()) == len(top)


def test_wrong_kinds_are_refused(heapleak):
    cpu = decoded(heapleak, "cpu.pb.gz")
    assert cpu.kind == "cpu"
    with pytest.raises(
        ProfileError,
        match=r"a CPU profile \(sample types samples/count, cpu/nanoseconds\), "
        r"not a heap profile",
    ):
        heap.report(cpu, Workspace([heapleak.workspace]))
    after = decoded(heapleak, "file-after.pb.gz")
    with pytest.raises(ProfileError, match="the base profile is a CPU profile"):
        heap.report(after, Workspace([heapleak.workspace]), base=cpu)
    with pytest.raises(ProfileError, match="unknown sample type"):
        heap.report(after, Workspace([heapleak.workspace]), "cpu")


def test_static_findings_confirmed_by_the_heap_profile(heapleak):
    from analysistest import analyze_file

    from plumber.diagnostics import CHECKS

    source, static = analyze_file(heapleak.main, list(CHECKS))
    by_code = {c.code: c for c in CHECKS}

    def shown(code):  # the registry's metadata, as the server passes it
        return "heap" in by_code[code].profiles

    codes = sorted(f.code for f in static)
    assert codes == ["substring-retention", "unbounded-cache"]
    before, after = decoded(heapleak, "file-before.pb.gz"), decoded(heapleak, "file-after.pb.gz")
    _, grown = heap.analyze(after, [heapleak.workspace], base=before)
    confirmed = {f.code: f.message for f in confirm(static, grown.by_path[heapleak.main], shown)}
    assert confirmed["unbounded-cache"].endswith(" (confirmed: +4.0 MiB live here in the heap profile)")
    assert confirmed["substring-retention"].endswith(
        f" (confirmed: {PINNED_TEXT} live in the heap profile where the large string is made)"
    )
    # allocations are no retention: alloc_space findings confirm nothing
    _, allocated = heap.analyze(after, [heapleak.workspace], "alloc_space", base=before)
    assert [f.message for f in confirm(static, allocated.by_path[heapleak.main], shown)] == [f.message for f in static]
    # nothing grew between a profile and itself: no findings, nothing confirmed
    _, same = heap.analyze(after, [heapleak.workspace], base=after)
    assert same.all() == [] and confirm(static, [], shown) == static


def profile_cli(h, *args, fmt="json"):
    p = subprocess.run(
        PLUMBER + ["profile", "--format", fmt, "--root", h.workspace, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=h.workspace,
    )
    return p.returncode, p.stdout, p.stderr


def test_cli_heap_profile_with_base(heapleak):
    status, out, err = profile_cli(
        heapleak, "--base", heapleak.path("file-before.pb.gz"), heapleak.path("file-after.pb.gz")
    )
    assert status == 1, err
    found = json.loads(out)
    lines = [f["line"] for f in found]
    assert heapleak.grow["map"] in lines and heapleak.grow["substring"] in lines
    assert all(f["code"] == "heap-growth" and f["severity"] == "information" for f in found)
    status, out, err = profile_cli(
        heapleak,
        "--top",
        "1",
        "--base",
        heapleak.path("http-before.pb.gz"),
        heapleak.path("http-after.pb.gz"),
        fmt="text",
    )
    assert status == 1
    assert out.splitlines() == [
        f"main.go:{heapleak.grow['substring']}:2: heap-growth: {PINNED_TEXT} in use since the "
        f"base profile, {out.split(', ')[1].split('%')[0]}% of the growth"
    ]
    assert "plumber: heap profile (inuse_space): " in err and "since the base profile" in err
    status, out, _ = profile_cli(
        heapleak, "--sample", "alloc_space", "--top", "2", heapleak.path("file-after.pb.gz"), fmt="sarif"
    )
    run = json.loads(out)["runs"][0]
    assert run["tool"]["driver"]["rules"][0]["id"] == "heap-growth"
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]) == sorted(
        heapleak.grow.values()
    )
    assert all(r["level"] == "note" and len(r["relatedLocations"]) == 3 for r in run["results"])
    status, out, _ = profile_cli(heapleak, "--top", "1", heapleak.path("file-after.pb.gz"), fmt="github")
    assert status == 1 and out.startswith("::notice file=main.go,line=")


def test_cli_heap_profile_from_the_live_server(heapleak):
    # the server's profile now against the one written before the last 1,000 requests
    status, out, err = profile_cli(
        heapleak, "--base", heapleak.path("file-before.pb.gz"), heapleak.url("/debug/pprof/heap")
    )
    assert status == 1, err
    lines = {f["line"]: f["message"] for f in json.loads(out)}
    assert lines[heapleak.grow["substring"]].startswith(f"{PINNED_TEXT} in use since the base profile")


def test_cli_refusals(heapleak):
    status, _, err = profile_cli(heapleak, heapleak.path("cpu.pb.gz"))
    assert status == 2 and "a CPU profile (sample types samples/count, cpu/nanoseconds)" in err
    assert "plumber profile reads goroutine, goroutineleak and heap profiles" in err
    status, _, err = profile_cli(heapleak, "--base", heapleak.path("cpu.pb.gz"), heapleak.path("file-after.pb.gz"))
    assert status == 2 and f"--base {heapleak.path('cpu.pb.gz')}: a CPU profile" in err and "not a heap profile" in err
    status, _, err = profile_cli(heapleak, "--base", heapleak.path("file-after.pb.gz"), heapleak.path("cpu.pb.gz"))
    assert status == 2 and "--base applies only to heap profiles" in err and "is a CPU profile" in err
    status, _, err = profile_cli(heapleak, "--sample", "bogus", heapleak.path("file-after.pb.gz"))
    assert status == 2 and "invalid choice" in err
    status, _, err = profile_cli(heapleak, "--top", "0", heapleak.path("file-after.pb.gz"))
    assert status == 2 and "--top >= 1" in err
    heap_text = os.path.join(heapleak.out, "heap.txt")
    with open(heap_text, "w") as f:
        f.write("heap profile: 1: 4096 [2: 8192] @ heap/1\n1: 4096 [2: 8192] @ 0x401000\n")
    status, _, err = profile_cli(heapleak, heap_text)
    assert status == 2 and "heap profile in its text form (debug=1)" in err
