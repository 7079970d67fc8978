"""examples/: one package per check holding its seed pattern; `make demo` runs the CLI on it."""

import os
import re
import subprocess
import sys

import pytest
from analysistest import go_binary, go_env

from plumber.diagnostics import CHECKS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z-]+): ")
DIRS = sorted(d for d in os.listdir(EXAMPLES) if os.path.isdir(os.path.join(EXAMPLES, d)))


def test_every_check_has_an_example():
    missing = [c.code for c in CHECKS if c.code not in DIRS]
    assert not missing, f"add examples/<code>/ holding the seed pattern of: {missing}"


def test_every_example_directory_is_a_check():
    codes = {c.code for c in CHECKS}
    assert [d for d in DIRS if d not in codes] == []


@pytest.fixture(scope="module")
def findings():
    p = subprocess.run([sys.executable, "-m", "plumber", "check", "examples"], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 1, p.stderr  # what `make demo` shows: findings, exit status 1
    return [LINE.match(line) for line in p.stdout.splitlines()]


@pytest.mark.parametrize("code", DIRS)
def test_example_is_flagged_where_marked(code, findings):
    marked = set()
    directory = os.path.join(EXAMPLES, code)
    for name in sorted(os.listdir(directory)):
        if name.endswith(".go"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                for i, line in enumerate(f, 1):
                    if "// leak:" in line:
                        marked.add((f"examples/{code}/{name}", i))
    got = {(m["path"], int(m["line"])) for m in findings if m["path"].startswith(f"examples/{code}/")}
    assert marked, f"examples/{code}/ marks no line with // leak:"
    assert got == marked
    assert code in {m["code"] for m in findings if m["path"].startswith(f"examples/{code}/")}


def test_examples_build(tmp_path):
    env = go_env(str(tmp_path))
    env["CGO_ENABLED"] = "1" if any("cgo" in d for d in DIRS) else env["CGO_ENABLED"]
    p = subprocess.run([go_binary(), "build", "./..."], cwd=EXAMPLES, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
