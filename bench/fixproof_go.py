"""The Go side of the fix proof: `go list`, `go vet` and `go test -json` with an overlay, and gofmt.

Every command runs offline (GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off) with a GOCACHE of
ours, in the package's own directory with the pattern `.`, so that the same code serves the
standard library (GOROOT/src is the `std` and `cmd` modules) and any module tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

# GOOS values tried, in order, for a fixed file the host does not build (net/unixsock_windows_test.go):
# such a file is vetted under the first GOOS that builds it; its tests cannot run here.
OTHER_GOOS = [
    ("windows", "amd64"),
    ("darwin", "arm64"),
    ("plan9", "amd64"),
    ("freebsd", "amd64"),
    ("openbsd", "amd64"),
    ("netbsd", "amd64"),
    ("dragonfly", "amd64"),
    ("solaris", "amd64"),
    ("illumos", "amd64"),
    ("aix", "ppc64"),
    ("android", "arm64"),
    ("ios", "arm64"),
    ("js", "wasm"),
    ("wasip1", "wasm"),
]
OUTPUT_TAIL = 40  # lines of a failing test's output kept for the report


def go_env(gocache: str, gopath: str, cgo: bool) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("GOOS", "GOARCH", "GOFLAGS", "GOROOT", "GOPATH", "GOWORK"):
        env.pop(k, None)
    env.update(
        GOTOOLCHAIN="local",
        GOFLAGS="-mod=mod",
        GOPROXY="off",
        GOSUMDB="off",
        GOWORK="off",
        GOCACHE=gocache,
        GOPATH=gopath,
        CGO_ENABLED="1" if cgo else "0",
    )
    return env


def cgo_available(go: str, env: dict[str, str]) -> bool:
    """What the toolchain would pick by itself: cgo when its C compiler is on PATH."""
    cc = subprocess.run([go, "env", "CC"], capture_output=True, text=True, env={**env, "CGO_ENABLED": "1"})
    return bool(cc.stdout.strip()) and shutil.which(cc.stdout.strip().split()[0]) is not None


@dataclass
class Package:
    directory: str
    import_path: str
    name: str
    files: set[str]  # base names the host builds, tests included
    error: str | None = None


def list_package(go: str, env: dict[str, str], directory: str, goos: tuple[str, str] | None = None) -> Package:
    if goos:
        env = {**env, "GOOS": goos[0], "GOARCH": goos[1], "CGO_ENABLED": "0"}
    out = subprocess.run([go, "list", "-e", "-json", "."], cwd=directory, env=env, capture_output=True, text=True)
    if out.returncode:
        return Package(directory, "", "", set(), out.stderr.strip() or f"go list exit {out.returncode}")
    data = json.loads(out.stdout)
    files = set()
    for key in ("GoFiles", "CgoFiles", "TestGoFiles", "XTestGoFiles"):
        files.update(data.get(key) or [])
    err = (data.get("Error") or {}).get("Err")
    return Package(directory, data.get("ImportPath", ""), data.get("Name", ""), files, err)


def goos_building(go: str, env: dict[str, str], directory: str, base: str) -> tuple[str, str] | None:
    for goos in OTHER_GOOS:
        if base in list_package(go, env, directory, goos).files:
            return goos
    return None


@dataclass
class VetResult:
    ok: bool
    output: str
    seconds: float


def vet(
    go: str,
    env: dict[str, str],
    directory: str,
    overlay: str | None,
    goos: tuple[str, str] | None = None,
    files: list[str] | None = None,
    timeout: float = 900,
) -> VetResult:
    """`go vet` of the package in `directory` (or of the named files: a `//go:build ignore` generator)."""
    if goos:
        env = {**env, "GOOS": goos[0], "GOARCH": goos[1], "CGO_ENABLED": "0"}
    cmd = [go, "vet"] + ([f"-overlay={overlay}"] if overlay else []) + (files or ["."])
    t = time.monotonic()
    try:
        out = subprocess.run(cmd, cwd=directory, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return VetResult(False, f"go vet timed out after {timeout:.0f} s", time.monotonic() - t)
    return VetResult(out.returncode == 0, (out.stdout + out.stderr).strip(), time.monotonic() - t)


@dataclass
class TestRun:
    ok: bool  # the package passed (exit 0)
    seconds: float
    passed: set[str] = field(default_factory=set)  # top-level test names
    failed: set[str] = field(default_factory=set)  # top-level test names (a failing subtest fails its parent)
    output: dict[str, list[str]] = field(default_factory=dict)  # per failed test: its last lines
    problem: str = ""  # a failure no test is named for: build failure, panic in TestMain, timeout

    def summary(self) -> str:
        if self.ok:
            return f"ok ({len(self.passed)} tests)"
        names = ", ".join(sorted(self.failed)) or "no test named"
        return f"FAIL: {names}" + (f" [{self.problem.splitlines()[0]}]" if self.problem else "")


def _regexp(names: set[str] | list[str]) -> str:
    return "^(" + "|".join(sorted(names)) + ")$"


def test(
    go: str,
    env: dict[str, str],
    directory: str,
    overlay: str | None,
    *,
    short: bool,
    timeout: float,
    parallel: int,
    run: set[str] | None = None,
    skip: set[str] | None = None,
) -> TestRun:
    """`go test -json -count=1` of one package; `run`/`skip`: top-level test names."""
    cmd = [go, "test", "-json", "-count=1", f"-p={parallel}", f"-timeout={int(timeout)}s"]
    cmd += ["-short"] if short else []
    cmd += [f"-overlay={overlay}"] if overlay else []
    cmd += [f"-run={_regexp(run)}"] if run else []
    cmd += [f"-skip={_regexp(skip)}"] if skip else []
    cmd.append(".")
    t = time.monotonic()
    try:
        # The test binary panics at -timeout and names the running tests; the wall limit is for the build.
        out = subprocess.run(cmd, cwd=directory, env=env, capture_output=True, text=True, timeout=timeout + 600)
    except subprocess.TimeoutExpired as e:
        stdout = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        result = parse_test_json(stdout, 1, time.monotonic() - t)
        result.problem = f"go test killed after {timeout + 600:.0f} s"
        return result
    result = parse_test_json(out.stdout, out.returncode, time.monotonic() - t)
    if not result.ok and not result.failed and not result.problem:
        result.problem = out.stderr.strip() or f"go test exit {out.returncode}"
    return result


def parse_test_json(stdout: str, returncode: int, seconds: float) -> TestRun:
    result = TestRun(returncode == 0, seconds)
    lines: dict[str, list[str]] = {}
    loose: list[str] = []  # output not tied to a test (build errors, panics outside tests)
    for raw in stdout.splitlines():
        try:
            ev = json.loads(raw)
        except ValueError:
            loose.append(raw)
            continue
        action, name = ev.get("Action"), ev.get("Test")
        if action in ("output", "build-output"):
            text = (ev.get("Output") or "").rstrip("\n")
            (lines.setdefault(name.split("/")[0], []) if name else loose).append(text)
        elif name and action == "fail":
            result.failed.add(name.split("/")[0])
        elif name and action == "pass" and "/" not in name:
            result.passed.add(name)
    result.passed -= result.failed
    for name in result.failed:
        result.output[name] = lines.get(name, [])[-OUTPUT_TAIL:]
    if not result.ok:
        tail = [x for x in loose if x.strip() and not x.startswith(("FAIL", "ok ", "=== ", "PASS"))]
        if not result.failed or any("panic:" in x or "build failed" in x for x in tail):
            result.problem = "\n".join(tail[-OUTPUT_TAIL:])
    return result


# `dir/x.go:12:3: msg` and `./x.go:9:3: msg` are the same finding: compare "x.go: msg" (fixes shift lines;
# a file replaced by the overlay is named by its own path, the others relative to the package).
_POSITION = re.compile(r"(?:[^\s:]*/)?([^\s/:]+\.go)(?::\d+){1,2}")


def new_vet_lines(fixed: str, baseline: str) -> list[str]:
    """The lines of go vet's output with the fixes that it lacks without them."""

    def lines(out: str) -> list[str]:
        return [x for x in out.splitlines() if x.strip() and not x.startswith("#")]

    old = {_POSITION.sub(r"\1", x).strip() for x in lines(baseline)}
    return [x for x in lines(fixed) if _POSITION.sub(r"\1", x).strip() not in old]


def gofmt_unclean(gofmt: str, paths: list[str]) -> list[str]:
    """The paths `gofmt -l` lists (not gofmt-clean, or not parsable)."""
    if not paths:
        return []
    out = subprocess.run([gofmt, "-l", *paths], capture_output=True, text=True)
    listed = [p for p in out.stdout.splitlines() if p.strip()]
    if out.returncode and not listed:  # a parse error names the file on stderr
        listed = [p for p in paths if p in out.stderr]
    return listed
