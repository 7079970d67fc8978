"""`plumber check`: output formats, exit codes, --fix, the directory walk, stdin, selection, config."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from analysistest import TESTDATA, vet_sources
from cliutil import CLEAN, LEAKY, LINE, PLUMBER, run, write

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Severity
from plumber.main import main

# -- text output and exit codes ---------------------------------------------------


def test_text_format_sorted_with_byte_columns(module, capsys):
    # A non-ASCII comment before the call: columns count UTF-8 bytes.
    src = LEAKY.replace("\tf, err := os.Open(name)", "\t/* 世界 */ f, err := os.Open(name)")
    b = write(module / "b.go", src)
    a = write(module / "a.go", LEAKY)
    status, out, err = run([str(module)], capsys)
    assert status == 1
    lines = out.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), out
    assert [m["path"] for m in parsed] == [a, a, b, b]
    assert [m["code"] for m in parsed] == ["unclosed-file", "unclosed-body"] * 2
    assert parsed[0]["msg"].startswith("f is never closed")
    line_text = src.splitlines()[8].encode()
    assert int(parsed[2]["line"]) == 9
    assert int(parsed[2]["col"]) == line_text.index(b"os.Open") + 1  # 1-based, UTF-8 bytes
    assert "4 findings in 2 files" in err


def test_exit_codes(module, capsys):
    clean = write(module / "clean" / "c.go", CLEAN)
    leaky = write(module / "leaky" / "l.go", LEAKY)
    assert run([clean], capsys)[0] == 0
    assert run([leaky], capsys)[0] == 1
    assert run(["--exit-zero", leaky], capsys)[0] == 0
    status, _, err = run([str(module / "missing.go")], capsys)
    assert status == 2 and "no such file" in err
    status, out, _ = run([leaky, str(module / "missing")], capsys)
    assert status == 2 and "unclosed-file" in out  # the findings are still printed
    assert run(["--exit-zero", leaky, str(module / "missing")], capsys)[0] == 2


def test_usage_errors(module, capsys):
    leaky = write(module / "l.go", LEAKY)
    status, out, err = run(["--select", "unclosed-file,no-such-check", leaky], capsys)
    assert status == 2 and not out
    assert "unknown check code no-such-check" in err and "unclosed-body" in err
    assert run(["--ignore", "bogus", leaky], capsys)[0] == 2
    with pytest.raises(SystemExit) as e:
        main(["check", "--format", "xml", leaky])
    assert e.value.code == 2


def test_help_documents_columns_and_exit_status():
    out = subprocess.run([*PLUMBER, "check", "--help"], capture_output=True, text=True, check=True).stdout
    assert "UTF-8 bytes" in out and "Exit status" in out and "--stdin-filename" in out
    for flag in ("--fail-level", "--diff", "--unsafe-fixes", "--baseline", "--new-from-rev", "--include-generated"):
        assert flag in out
    assert "./..." in out and "root = true" in out


# -- json, sarif, github ----------------------------------------------------------


def test_json_format(module, capsys):
    path = write(module / "l.go", LEAKY)
    status, out, _ = run(["--format", "json", path], capsys)
    assert status == 1
    data = json.loads(out)
    assert [d["code"] for d in data] == ["unclosed-file", "unclosed-body"]
    f = data[0]
    assert f["path"] == path and f["severity"] == "warning"
    assert (f["line"], f["column"]) == (9, 12) and (f["end_line"], f["end_column"]) == (9, 25)
    assert f["url"].endswith("docs/checks/unclosed-file.md")
    assert f["fixes"][0]["safe"] is True
    edit = f["fixes"][0]["edits"][0]
    assert edit["new_text"] == "\n\tdefer f.Close()" and edit["line"] == 12
    assert json.loads(run(["--format", "json", write(module / "c" / "c.go", CLEAN)], capsys)[1]) == []


def test_sarif_format(module, capsys):
    src = LEAKY.replace('"os"\n)', '"os"\n)\n\n// é: one byte more in UTF-8 than in UTF-16')
    src = src.replace("\tf, err := os.Open(name)", "\t/* é😀 */ f, err := os.Open(name)")
    path = write(module / "s.go", src)
    status, out, _ = run(["--format", "sarif", path], capsys)
    assert status == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    run0 = log["runs"][0]
    driver = run0["tool"]["driver"]
    assert driver["name"] == "plumber"
    rules = {r["id"]: r for r in driver["rules"]}
    from plumber.diagnostics import CHECKS

    for check in CHECKS:
        r = rules[check.code]
        assert r["shortDescription"]["text"] == check.title
        assert r["fullDescription"]["text"] and r["fullDescription"]["text"] != check.title
        assert "helpUri" not in r  # no docsUrl configured: a file on this machine means nothing to code scanning
        assert r["help"]["markdown"]
        assert r["defaultConfiguration"]["level"] == "warning"
    results = run0["results"]
    assert [r["ruleId"] for r in results] == ["unclosed-file", "unclosed-body"]
    res = results[0]
    assert res["level"] == "warning" and res["message"]["text"].startswith("f is never closed")
    assert driver["rules"][res["ruleIndex"]]["id"] == "unclosed-file"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].startswith("file://") and loc["artifactLocation"]["uri"].endswith("/s.go")
    region = loc["region"]
    line = src.splitlines()[region["startLine"] - 1]
    prefix = line[: line.index("os.Open")]
    assert region["startColumn"] == len(prefix.encode("utf-16-le")) // 2 + 1  # SARIF default: UTF-16 units
    assert run0["columnKind"] == "utf16CodeUnits"
    fix = res["fixes"][0]
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == loc["artifactLocation"]["uri"]
    rep = change["replacements"][0]
    assert rep["insertedContent"]["text"] == "\n\tdefer f.Close()"
    deleted = rep["deletedRegion"]
    assert deleted["startLine"] == deleted["endLine"] and deleted["startColumn"] == deleted["endColumn"]
    assert fix["description"]["text"] == "Insert defer f.Close()"
    assert run0["invocations"][0]["executionSuccessful"] is True


def test_sarif_relative_paths_and_no_results(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    write(module / "sub dir" / "c.go", CLEAN)
    status, out, _ = run(["--format", "sarif", "sub dir"], capsys)
    assert status == 0
    log = json.loads(out)
    assert log["runs"][0]["results"] == []
    write(module / "sub dir" / "l.go", LEAKY)
    log = json.loads(run(["--format", "sarif", "sub dir"], capsys)[1])
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "sub%20dir/l.go"


def test_github_format(module, capsys):
    path = write(module / "l.go", LEAKY)
    status, out, _ = run(["--format", "github", path], capsys)
    assert status == 1
    first = out.splitlines()[0]
    assert first.startswith("::warning file=") and ",line=9,col=12," in first
    assert first.endswith(
        "::unclosed-file: f is never closed: the file descriptor opened by os.Open stays open until the process exits"
    )


# -- --fix ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["unclosed-file/alias.go", "unclosed-body/fix.go"])
def test_fix_rewrites_in_place_like_the_golden_file(module, capsys, name):
    src = os.path.join(TESTDATA, name)
    dest = module / "pkg" / os.path.basename(name)
    os.makedirs(dest.parent)
    shutil.copy(src, dest)
    status, out, err = run(["--fix", str(dest)], capsys)
    with open(src + ".golden", "rb") as f:
        golden = f.read()
    fixed = dest.read_bytes()
    assert fixed == golden
    assert re.search(rf"fixed \d+ findings? in {re.escape(str(dest))} \((unclosed-file|unclosed-body)", err), err
    # What is left is reported, and decides the exit status.
    assert status == (1 if out else 0)
    code, vet = vet_sources({"pkg/" + os.path.basename(name): fixed})
    assert code == 0, vet
    # A second run has nothing left to fix.
    status2, _, err2 = run(["--fix", str(dest)], capsys)
    assert "fixed" not in err2 and dest.read_bytes() == golden


def test_fix_with_several_findings_and_gofmt(module, capsys):
    path = write(module / "l.go", LEAKY)
    status, out, err = run(["--fix", path], capsys)
    assert status == 0 and out == ""
    assert "fixed 2 findings in" in err and "unclosed-body" in err and "unclosed-file" in err
    fixed = open(path).read()
    assert "\tdefer f.Close()\n" in fixed and "\tdefer resp.Body.Close()\n" in fixed
    code, vet = vet_sources({"leaky/l.go": fixed.encode()})
    assert code == 0, vet


def test_fix_stdin_writes_fixed_text_to_stdout(module):
    p = subprocess.run([*PLUMBER, "check", "--fix", "-"], input=LEAKY, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "defer f.Close()" in p.stdout and p.stdout.startswith("package leaky")
    assert "fixed 2 findings in <stdin>" in p.stderr


# -- walking directories ----------------------------------------------------------


def test_directory_walk_skips_vendor_testdata_and_hidden(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    for d in ["a", "a/b", "vendor/x", "a/testdata", ".hidden", "_skip", "a/node_modules"]:
        write(module / d / "l.go", LEAKY)
    write(module / "a" / "notgo.txt", "os.Open")
    status, out, _ = run(["."], capsys)
    files = sorted({LINE.match(line)["path"] for line in out.splitlines()})
    assert files == [os.path.join("a", "b", "l.go"), os.path.join("a", "l.go")]  # relative, no "./"
    # Named explicitly, vendor/ and testdata/ are checked.
    out = run(["vendor", "a/testdata/l.go"], capsys)[1]
    assert {LINE.match(line)["path"] for line in out.splitlines()} == {"vendor/x/l.go", "a/testdata/l.go"}
    out = run(["a/testdata"], capsys)[1]
    assert {LINE.match(line)["path"] for line in out.splitlines()} == {"a/testdata/l.go"}
    # A file named twice is checked once.
    out = run(["a/l.go", "./a/l.go", "a/l.go"], capsys)[1]
    assert len(out.splitlines()) == 2


def test_bad_files_do_not_crash(module, capsys):
    write(module / "bin.go", bytes(range(256)) * 4)
    write(module / "latin1.go", "package p\n// caf\xe9\n".encode("latin-1"))
    write(module / "empty.go", b"")
    write(module / "broken.go", LEAKY.replace("return 0, err\n\t}", "return 0, err\n"))
    status, out, err = run([str(module)], capsys)
    assert status in (0, 1), err
    assert "Traceback" not in err


def test_check_failure_is_reported_and_fails_the_run(module, capsys, monkeypatch):
    import plumber.diagnostics

    def boom(ctx):
        raise RuntimeError("kaboom")

    broken = Check(
        code="broken-check",
        severity=Severity.WARNING,
        doc="a check that fails\n\nBody.",
        run=boom,
        category=Category.RESOURCE,
        fix=FixAvailability.NEVER,
    )
    path = write(module / "l.go", LEAKY)
    status, out, err = run([path], capsys, registry=[*plumber.diagnostics.CHECKS, broken])
    assert "unclosed-file" in out  # the other checks still report
    assert "check broken-check failed on" in err and "kaboom" in err
    assert status == 2  # but the gate was not whole: an internal error is never a pass


# -- stdin --------------------------------------------------------------------------


def test_stdin(module):
    p = subprocess.run([*PLUMBER, "check", "-"], input=LEAKY, capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stdout.splitlines()[0].startswith("<stdin>:9:12: unclosed-file: f is never closed")
    # --stdin-filename: shown, and its plumber.toml applies.
    write(module / "plumber.toml", "[checks.unclosed-file]\nenabled = false\n")
    name = str(module / "pkg" / "main.go")
    p = subprocess.run([*PLUMBER, "check", "--stdin-filename", name, "-"], input=LEAKY, capture_output=True, text=True)
    assert p.returncode == 1
    assert [line.split(": ")[1] for line in p.stdout.splitlines()] == ["unclosed-body"]
    assert p.stdout.startswith(name + ":18:")
    p = subprocess.run([*PLUMBER, "check", "-", "-"], input=LEAKY, capture_output=True, text=True)
    assert p.returncode == 2


# -- selection and configuration -----------------------------------------------------


def codes(out: str) -> list[str]:
    return [LINE.match(line)["code"] for line in out.splitlines()]


def test_select_and_ignore(module, capsys):
    path = write(module / "l.go", LEAKY)
    assert codes(run(["--select", "unclosed-body", path], capsys)[1]) == ["unclosed-body"]
    assert codes(run(["--ignore", "unclosed-body", path], capsys)[1]) == ["unclosed-file"]
    assert codes(run(["--select", "unclosed-body,unclosed-file", "--ignore", "unclosed-file", path], capsys)[1]) == [
        "unclosed-body"
    ]
    assert run(["--ignore", "unclosed-body,unclosed-file", path], capsys)[0] == 0


def test_config_file_enabled_and_severity(module, capsys):
    pkg = module / "svc"
    path = write(pkg / "l.go", LEAKY)
    write(
        module / "plumber.toml",
        '[checks.unclosed-file]\nenabled = false\n\n[checks.unclosed-body]\nseverity = "error"\n',
    )
    status, out, _ = run(["--format", "json", path], capsys)
    data = json.loads(out)
    assert [(d["code"], d["severity"]) for d in data] == [("unclosed-body", "error")]
    # --select runs a check the configuration turns off.
    assert codes(run(["--select", "unclosed-file", path], capsys)[1]) == ["unclosed-file"]
    # SARIF levels follow the configured severity.
    res = json.loads(run(["--format", "sarif", path], capsys)[1])["runs"][0]["results"]
    assert [r["level"] for r in res] == ["error"]
    # The nearest config file wins: .plumber.toml in the package directory re-enables the check.
    write(pkg / ".plumber.toml", "[checks]\nunclosed-file = true\n")
    assert codes(run([path], capsys)[1]) == ["unclosed-file", "unclosed-body"]


def test_config_warnings_are_reported_once(module, capsys):
    write(module / "plumber.toml", '[checks.unclosed-file]\nseverity = "loud"\n\n[checks.nope]\nenabled = true\n')
    write(module / "a" / "l.go", LEAKY)
    write(module / "b" / "l.go", LEAKY)
    status, out, err = run([str(module)], capsys)
    assert status == 2  # a bad value is a config error; the findings are still reported
    assert "unclosed-file" in out
    assert err.count("plumber.toml: checks.unclosed-file.severity: must be one of") == 1
    assert err.count("1 unknown check code ignored: 'nope'") == 1


# -- parallelism ----------------------------------------------------------------------


def test_process_pool_gives_the_same_result(module):
    from plumber.cli.worker import PARALLEL_MIN_FILES

    for i in range(PARALLEL_MIN_FILES + 12):
        write(module / f"p{i % 7}" / f"f{i}.go", LEAKY if i % 3 else CLEAN)
    serial = subprocess.run([*PLUMBER, "check", "-j", "1", str(module)], capture_output=True, text=True)
    parallel = subprocess.run([*PLUMBER, "check", "-j", "2", str(module)], capture_output=True, text=True)
    assert serial.returncode == parallel.returncode == 1
    assert parallel.stdout == serial.stdout
    assert len(serial.stdout.splitlines()) == 2 * sum(1 for i in range(PARALLEL_MIN_FILES + 12) if i % 3)
    # Progress goes to stderr only on a terminal.
    assert "[" not in parallel.stderr.replace("[checks", "")


def test_fix_in_parallel(module):
    from plumber.cli.worker import PARALLEL_MIN_FILES

    paths = [write(module / f"p{i % 5}" / f"f{i}.go", LEAKY) for i in range(PARALLEL_MIN_FILES + 2)]
    p = subprocess.run([*PLUMBER, "check", "-j", "2", "--fix", str(module)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stderr.count("fixed 2 findings") == len(paths)
    assert all("defer resp.Body.Close()" in open(q).read() for q in paths)


def test_progress_line_on_a_terminal(module):
    import pty

    for i in range(5):
        write(module / f"f{i}.go", CLEAN)
    master, slave = pty.openpty()
    try:
        p = subprocess.run([*PLUMBER, "check", "-j", "1", str(module)], stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        slave = -1
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert p.returncode == 0 and p.stdout == b""
    assert b"[5/5]" in seen and seen.endswith(b"\r\x1b[K")


def test_related_locations_and_fixes_in_json_and_sarif(module, capsys, monkeypatch):
    """A check with related information (here and in another file) and two fixes."""
    from plumber.core.findings import Edit, Finding, Fix, Related

    other = write(module / "other.go", "package p\n\n// the declaration\nvar x int\n")

    def run_check(ctx):
        start = ctx.source.index(b"os.Open")
        yield Finding(
            "related-demo",
            start,
            start + 7,
            "demo",
            None,
            (Fix("first", (Edit(start, start + 2, "OS"),)), Fix("second", (Edit(0, 0, "// x\n"),), False)),
            (Related(0, 7, "the package clause"), Related(11, 39, "over there", other)),
        )

    demo = Check(
        code="related-demo",
        severity=Severity.INFORMATION,
        doc="a demo\n\nBody.",
        run=run_check,
        category=Category.RESOURCE,
        fix=FixAvailability.SOMETIMES,
    )
    path = write(module / "l.go", LEAKY)
    data = json.loads(run(["--format", "json", path], capsys, registry=[demo])[1])
    assert data[0]["severity"] == "information"
    assert data[0]["related"] == [
        {"path": path, "line": 1, "column": 1, "end_line": 1, "end_column": 8, "message": "the package clause"},
        {"path": other, "line": 3, "column": 1, "end_line": 4, "end_column": 10, "message": "over there"},
    ]
    assert [(f["title"], f["safe"]) for f in data[0]["fixes"]] == [("first", True), ("second", False)]
    log = json.loads(run(["--format", "sarif", path], capsys, registry=[demo])[1])
    res = log["runs"][0]["results"][0]
    assert res["level"] == "note"
    rel = res["relatedLocations"]
    assert [r["id"] for r in rel] == [0, 1]
    assert rel[1]["message"]["text"] == "over there"
    assert rel[1]["physicalLocation"]["artifactLocation"]["uri"].endswith("/other.go")
    assert rel[1]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 10}
    assert [f["description"]["text"] for f in res["fixes"]] == ["first", "second"]
    rep = res["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert rep["deletedRegion"] == {"startLine": 9, "startColumn": 12, "endLine": 9, "endColumn": 14}
    assert rep["insertedContent"] == {"text": "OS"}
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == "note"
    # --fix applies only the safe fix.
    status, out, err = run(["--fix", path], capsys, registry=[demo])
    assert "fixed 1 finding in" in err and "OS.Open" in open(path).read() and "// x" not in open(path).read()
