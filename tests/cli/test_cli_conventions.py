"""Go teams' CLI conventions: default path and ./..., plumber rules / explain, --fail-level, --diff,
--unsafe-fixes, the summary line, generated files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cliutil import CLEAN, LEAKY, LINE, run, write

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity
from plumber.main import main

ROOT = Path(__file__).resolve().parents[2]


def paths(out: str) -> set[str]:
    return {LINE.match(line)["path"] for line in out.splitlines()}


# -- paths ---------------------------------------------------------------------------------------


def test_no_path_means_dot_and_go_patterns_are_directories(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    write(module / "a" / "l.go", LEAKY)
    write(module / "a" / "b" / "l.go", LEAKY)
    write(module / "c" / "l.go", LEAKY)
    every = {"a/l.go", "a/b/l.go", "c/l.go"}
    assert paths(run([], capsys)[1]) == every
    assert paths(run(["./..."], capsys)[1]) == every
    assert paths(run(["..."], capsys)[1]) == every
    assert paths(run(["a/..."], capsys)[1]) == {"a/l.go", "a/b/l.go"}
    assert paths(run(["./a/b/..."], capsys)[1]) == {"a/b/l.go"}
    status, _, err = run(["nope/..."], capsys)
    assert status == 2 and "nope/...: no such file or directory" in err


# -- plumber rules / explain -----------------------------------------------------------------------


def test_rules_lists_every_check_with_runtime_ones_marked(capsys):
    from plumber.driver.engine import registry

    assert main(["rules"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["CODE", "CATEGORY", "SEVERITY", "DEFAULT", "FIX", "KIND", "TITLE"]
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert set(rows) == {c.code for c in registry()}
    assert rows["unclosed-file"][1:6] == ["resource", "warning", "on", "sometimes", "static"]
    assert rows["leaked-goroutine"][1:6] == ["runtime", "warning", "on", "never", "run-time"]
    assert rows["heap-growth"][5] == "run-time"
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by = {d["code"]: d for d in data}
    check = next(c for c in registry() if c.code == "unclosed-file")
    assert by["unclosed-file"] == {
        "code": "unclosed-file",
        "category": "resource",
        "severity": "warning",
        "enabled": True,
        "fix": "sometimes",
        "kind": "static",
        "title": check.title,
        "url": (ROOT / "docs" / "checks" / "unclosed-file.md").as_uri(),  # the shipped page, no docsUrl set
    }
    assert by["leaked-goroutine"]["kind"] == "run-time"


def test_explain_shows_the_page_and_unknown_codes_fail(capsys):
    from plumber.report import docs

    assert main(["explain", "lost-cancel"]) == 0
    out = capsys.readouterr().out
    check = next(c for c in __import__("plumber.diagnostics", fromlist=["CHECKS"]).CHECKS if c.code == "lost-cancel")
    assert out == docs.render(check).removeprefix(docs.HEADER).lstrip("\n")
    assert out.startswith("# `lost-cancel`: ") and "## What it flags" in out and "<!--" not in out
    assert main(["explain", "leaked-goroutine"]) == 0
    assert "a run-time profile" in capsys.readouterr().out
    assert main(["explain", "unclosed-fil"]) == 2
    err = capsys.readouterr().err
    assert "unknown check code 'unclosed-fil'" in err and "unclosed-file" in err and "leaked-goroutine" in err


# -- --fail-level ------------------------------------------------------------------------------------


def test_fail_level(module, capsys):
    path = write(module / "l.go", LEAKY)  # two warnings
    assert run([path], capsys)[0] == 1  # default: hint, any finding fails
    assert run(["--fail-level", "warning", path], capsys)[0] == 1
    status, out, _ = run(["--fail-level", "error", path], capsys)
    assert status == 0 and len(out.splitlines()) == 2  # still reported, not failing
    write(module / "plumber.toml", '[checks.unclosed-body]\nseverity = "error"\n')
    assert run(["--fail-level", "error", path], capsys)[0] == 1
    with pytest.raises(SystemExit):
        main(["check", "--fail-level", "loud", path])


# -- --diff and --unsafe-fixes ---------------------------------------------------------------------------


def test_diff_writes_nothing_and_patches_to_what_fix_writes(module, capsys, tmp_path_factory, monkeypatch):
    monkeypatch.chdir(module)
    path = write(module / "pkg" / "l.go", LEAKY)
    write(module / "pkg" / "c.go", CLEAN)
    status, out, err = run(["--diff", "pkg"], capsys)
    assert status == 1
    assert open(path).read() == LEAKY  # nothing written
    assert out.startswith("--- a/pkg/l.go\n+++ b/pkg/l.go\n@@ ")
    assert "+\tdefer f.Close()\n" in out and "c.go" not in out
    assert "would fix 2 findings in pkg/l.go" in err
    copy = tmp_path_factory.mktemp("copy")
    write(copy / "pkg" / "l.go", LEAKY)
    subprocess.run(["patch", "-p1", "-s"], cwd=copy, input=out.encode(), check=True)
    run(["--fix", "pkg"], capsys)
    assert (copy / "pkg" / "l.go").read_text() == open(path).read() != LEAKY
    assert run(["--diff", "pkg"], capsys)[:2] == (0, "")  # nothing left to fix: exit 0


def _unsafe_check(ctx):
    start = ctx.source.find(b"os.Open")
    if start >= 0:
        risky = Fix("risky", (Edit(start, start + 2, "OS"),), safe=False)
        yield Finding("unsafe-demo", start, start + 7, "m", fixes=(risky, Fix("other", (Edit(0, 0, "// x\n"),))))
    start = ctx.source.find(b"http.Get")
    if start >= 0:
        yield Finding("unsafe-demo", start, start + 8, "m", fixes=(Fix("fine", (Edit(start, start + 4, "HTTP"),)),))


UNSAFE = Check(
    code="unsafe-demo",
    severity=Severity.WARNING,
    doc="a demo\n\nBody.",
    run=_unsafe_check,
    category=Category.RESOURCE,
    fix=FixAvailability.SOMETIMES,
)


def test_unsafe_fixes_apply_the_first_fix_of_each_finding(module, capsys):
    path = write(module / "l.go", LEAKY)
    status, out, err = run([path], capsys, registry=[UNSAFE])
    assert "2 findings in 1 file (1 fixable with --fix, 1 more with --unsafe-fixes)" in err
    run(["--fix", path], capsys, registry=[UNSAFE])
    text = open(path).read()
    assert "HTTP.Get" in text and "os.Open" in text  # only the safe one
    diff = run(["--diff", "--unsafe-fixes", path], capsys, registry=[UNSAFE])[1]
    assert "+\tf, err := OS.Open(name)" in diff and "// x" not in diff  # the first fix, not the second
    run(["--fix", "--unsafe-fixes", path], capsys, registry=[UNSAFE])
    text = open(path).read()
    assert "OS.Open" in text and not text.startswith("// x")
    assert "//plumber:ignore" not in text and "//nolint" not in text  # never the suppression


def test_summary_line_keeps_the_count_of_files(module, capsys):
    write(module / "a" / "l.go", LEAKY)
    write(module / "b" / "l.go", LEAKY)
    err = run([str(module)], capsys)[2]
    assert "plumber: 4 findings in 2 files (4 fixable with --fix)" in err
    assert run(["--format", "json", str(module)], capsys)[2] == ""  # text format only


# -- generated files ------------------------------------------------------------------------------------

GENERATED = "// Code generated by protoc-gen-go. DO NOT EDIT.\n// source: x.proto\n\n" + LEAKY


@pytest.mark.parametrize(
    "text,skipped",
    [
        (GENERATED, True),
        ("// Copyright 2026\n\n// Code generated by stringer; DO NOT EDIT.\n\n" + LEAKY, True),
        (LEAKY.replace("package leaky\n", "package leaky\n\n// Code generated by x. DO NOT EDIT.\n"), False),
        ("/*\n// Code generated by x. DO NOT EDIT.\n*/\n" + LEAKY, False),  # in a block comment
        ("// Code generated by x. DO NOT EDIT\n" + LEAKY, False),  # no final period: not the convention
    ],
)
def test_generated_files_are_skipped(module, capsys, text, skipped):
    path = write(module / "gen.go", text)
    status, out, err = run([path], capsys)
    assert (out == "") == skipped and status == (0 if skipped else 1)
    if skipped:
        assert "1 generated file skipped (--include-generated)" in err
        assert run(["--include-generated", path], capsys)[0] == 1
        assert run(["--fix", path], capsys)[0] == 0 and open(path).read() == text  # no fixes either
        write(module / "plumber.toml", "generated = true\n")
        assert run([path], capsys)[0] == 1
