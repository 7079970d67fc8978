"""Adopting Plumber on an old code base: --write-baseline / --baseline, and --new-from-rev with real git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from cliutil import LEAKY, LINE, run, write

MORE = """
func again(name string) {
	g, _ := os.Open(name)
	_ = g
}
"""


def codes_and_lines(out: str) -> list[tuple[str, int]]:
    return [(m["code"], int(m["line"])) for m in map(LINE.match, out.splitlines())]


def test_baseline_reports_only_new_findings_and_survives_shifts(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    path = write(module / "pkg" / "l.go", LEAKY)
    status, out, err = run(["--write-baseline", "plumber-baseline.json"], capsys)
    assert status == 0 and out == "" and "wrote 2 findings to plumber-baseline.json" in err
    doc = json.load(open(module / "plumber-baseline.json"))
    assert doc["version"] == 1
    assert [(e["code"], e["path"], e["line"]) for e in doc["findings"]] == [
        ("unclosed-file", "pkg/l.go", 9),
        ("unclosed-body", "pkg/l.go", 18),
    ]
    status, out, err = run(["--baseline", "plumber-baseline.json"], capsys)
    assert (status, out) == (0, "") and "no findings; 2 more in the baseline" in err
    # code added above and a re-indent: the known findings stay known
    shifted = LEAKY.replace("import (", "// Package leaky leaks.\n\nimport (").replace(
        "\tresp, err := http.Get(url)", "\t\tresp, err :=   http.Get(url)"
    )
    write(path, shifted + MORE)
    status, out, _ = run(["--baseline", "plumber-baseline.json"], capsys)
    assert status == 1 and codes_and_lines(out) == [("unclosed-file", 28)]  # only the new one
    # the same baseline from another working directory (paths are relative to the baseline file)
    monkeypatch.chdir(module / "pkg")
    status, out, _ = run(["--baseline", str(module / "plumber-baseline.json"), "."], capsys)
    assert status == 1 and codes_and_lines(out) == [("unclosed-file", 28)]


def test_identical_lines_are_counted(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    one = LEAKY + MORE
    write(module / "l.go", one)
    run(["--write-baseline", "b.json"], capsys)
    two = one + MORE.replace("again", "twice")  # a second identical `g, _ := os.Open(name)`
    write(module / "l.go", two)
    status, out, _ = run(["--baseline", "b.json"], capsys)
    last = two.splitlines().index("\tg, _ := os.Open(name)", 26) + 1
    assert status == 1 and codes_and_lines(out) == [("unclosed-file", last)]  # one more: the last one is new


@pytest.mark.parametrize("content", ["", "not json", '{"version": 7, "findings": []}', "[" * 5000])
def test_a_bad_baseline_is_a_usage_error(module, capsys, content):
    write(module / "b.json", content)
    status, out, err = run(["--baseline", str(module / "b.json"), str(module)], capsys)
    assert status == 2 and out == "" and "b.json" in err
    status, _, err = run(["--baseline", str(module / "missing.json"), str(module)], capsys)
    assert status == 2 and "cannot read" in err


# -- --new-from-rev -----------------------------------------------------------------------------------


def git(cwd, *args: str) -> str:
    env = dict(
        os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t"
    )
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_new_from_rev_keeps_findings_on_changed_lines(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    git(module, "init", "-q")
    git(module, "config", "diff.noprefix", "true")  # a user's config must not change what we parse
    path = write(module / "sub dir" / "l.go", LEAKY)
    git(module, "add", ".")
    git(module, "commit", "-qm", "old code")
    assert run(["--new-from-rev", "HEAD"], capsys)[:2] == (0, "")
    edited = LEAKY.replace("func open", "// a line above moves everything\nfunc open") + MORE
    write(path, edited)
    write(module / "new" / "n.go", LEAKY)  # untracked: every line is new
    status, out, err = run(["--new-from-rev", "HEAD"], capsys)
    assert status == 1
    assert [(m["path"], m["code"], int(m["line"])) for m in map(LINE.match, out.splitlines())] == [
        ("new/n.go", "unclosed-file", 9),
        ("new/n.go", "unclosed-body", 18),
        ("sub dir/l.go", "unclosed-file", edited.splitlines().index("\tg, _ := os.Open(name)") + 1),
    ]
    assert "2 more on lines unchanged since HEAD" in err
    status, _, err = run(["--new-from-rev", "no-such-rev"], capsys)
    assert status == 2 and "no-such-rev" in err


@needs_git
def test_new_from_rev_outside_a_repository_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    path = write(tmp_path / "l.go", LEAKY)
    status, out, err = run(["--new-from-rev", "HEAD", path], capsys)
    assert status == 2 and out == ""
    assert "--new-from-rev:" in err and "is not in a git repository" in err
