"""`plumber profile` on real dumps of a real Go 1.27 program (see runtimeutil.py)."""

import json
import os
import subprocess
import sys

import pytest
from runtimeutil import EXPECTED, FILES, dumps

PLUMBER = [sys.executable, "-m", "plumber"]
LEAK_FILES = ("leak.debug1.txt", "leak.debug2.txt", "stack.txt")
CLASSIC_FILES = ("goroutine.debug1.txt", "goroutine.debug2.txt", "sigquit.txt")


@pytest.fixture(scope="module")
def d():
    return dumps()


def profile(d, name, *flags):
    p = subprocess.run(
        PLUMBER + ["profile", "--format", "json", "--root", d.workspace, *flags, d.path(name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return p.returncode, json.loads(p.stdout or "[]"), p.stderr


def test_the_go_program_wrote_every_dump(d):
    for name in FILES:
        with open(d.path(name)) as f:
            text = f.read()
        assert "patterns.go" in text, name
    assert open(d.path("leak.debug1.txt")).read().startswith("goroutineleak profile: total 19")
    assert "(leaked)" in open(d.path("leak.debug2.txt")).read()
    assert "SIGQUIT: quit" in open(d.path("sigquit.txt")).read()
    assert d.workspace not in open(d.path("leak.debug2.txt")).read()  # paths differ from the workspace's


@pytest.mark.parametrize("name", LEAK_FILES)
def test_leak_profiles_place_every_pattern(d, name):
    status, found, err = profile(d, name)
    assert status == 1, err
    got = {(f["path"], f["line"]): f for f in found}
    assert len(found) == len(EXPECTED), found
    for pattern, (count, wait) in EXPECTED.items():
        f = got[(d.patterns, d.block[pattern])]
        assert f["code"] == "leaked-goroutine" and f["severity"] == "warning"
        noun = "goroutine" if count == 1 else "goroutines"
        assert f["message"] == f"{count} {noun} leaked here, blocked on {wait} (goroutineleak profile)"
        if name != "leak.debug1.txt":  # debug=1 records no creation site
            assert [(r["path"], r["line"]) for r in f["related"]] == [(d.patterns, d.spawn[pattern])]
            assert f["related"][0]["message"].startswith("created by example.com/leaky/patterns.")


@pytest.mark.parametrize("name", CLASSIC_FILES)
def test_classic_profiles_with_thresholds(d, name):
    # fewer than 10 goroutines per place, waiting under a minute: nothing at the defaults
    status, found, _ = profile(d, name)
    assert (status, found) == (0, [])
    status, found, err = profile(d, name, "--min-count", "1", "--min-wait", "0")
    assert status == 1, err
    got = {f["line"]: f for f in found}
    assert len(found) == len(EXPECTED)
    for pattern, (count, wait) in EXPECTED.items():
        f = got[d.block[pattern]]
        assert f["severity"] == "information"
        assert f["message"].startswith(f"{count} goroutines waiting here, blocked on {wait} (goroutine profile")
    status, found, _ = profile(d, name, "--min-count", "4", "--min-wait", "0")
    assert sorted(f["line"] for f in found) == sorted(d.block[p] for p in ("timeout", "receive"))


def test_text_and_sarif(d):
    p = subprocess.run(
        PLUMBER + ["profile", "--root", d.workspace, d.path("leak.debug2.txt")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=d.workspace,
    )
    lines = p.stdout.splitlines()
    rel = os.path.join("leaky", "patterns", "patterns.go")
    assert (
        f"{rel}:{d.block['timeout']}:3: leaked-goroutine: 5 goroutines leaked here, blocked on chan send "
        "(goroutineleak profile)" in lines
    )
    assert "20 goroutines read, 19 placed in 5 findings" in p.stderr
    p = subprocess.run(
        PLUMBER + ["profile", "--format", "sarif", "--root", d.workspace, d.path("leak.debug1.txt")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    run = json.loads(p.stdout)["runs"][0]
    assert run["tool"]["driver"]["rules"][0]["id"] == "leaked-goroutine"
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]) == sorted(
        d.block.values()
    )


def test_bad_sources(d, tmp_path):
    for src in ("http://example.com:6060/debug/pprof/goroutineleak?debug=1", str(tmp_path / "missing.txt")):
        p = subprocess.run(PLUMBER + ["profile", "--root", d.workspace, src], capture_output=True, text=True)
        assert p.returncode == 2 and "plumber profile: error:" in p.stderr
    gz = tmp_path / "profile.pb.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00" + bytes(30))
    p = subprocess.run(PLUMBER + ["profile", "--root", d.workspace, str(gz)], capture_output=True, text=True)
    assert p.returncode == 2 and f"{gz}: corrupt gzip data" in p.stderr
