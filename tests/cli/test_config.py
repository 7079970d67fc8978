"""plumber.toml chains (module root down, nearest wins, root = true, exclude) and bad config files:
the gate never turns off (issue 16 items 2 and 12)."""

from __future__ import annotations

import json

import pytest
from cliutil import LEAKY, LINE, run, write

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity


def found(out: str) -> list[tuple[str, str]]:
    return [(m["path"], m["code"]) for m in map(LINE.match, out.splitlines())]


def severities(out: str) -> dict[str, str]:
    return {d["code"]: d["severity"] for d in json.loads(out)}


def test_files_merge_from_the_module_root_down(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    write(
        module / "plumber.toml",
        '[checks.unclosed-file]\nseverity = "error"\n[checks.unclosed-body]\nseverity = "hint"\n',
    )
    write(module / "svc" / ".plumber.toml", '[checks.unclosed-body]\nseverity = "error"\n')
    path = write(module / "svc" / "api" / "l.go", LEAKY)
    # both apply, key by key; the nearer one wins for unclosed-body
    assert severities(run(["--format", "json", path], capsys)[1]) == {
        "unclosed-file": "error",
        "unclosed-body": "error",
    }
    # root = true stops the search above it (extend = false says the same)
    for stop in ("root = true", "extend = false"):
        write(module / "svc" / ".plumber.toml", f'{stop}\n[checks.unclosed-body]\nseverity = "error"\n')
        got = severities(run(["--format", "json", path], capsys)[1])
        assert got == {"unclosed-file": "warning", "unclosed-body": "error"}, stop


def test_the_module_root_bounds_the_search(tmp_path, capsys):
    write(tmp_path / "plumber.toml", "[checks]\nunclosed-body = false\n")  # above the module
    write(tmp_path / "mod" / "go.mod", "module m\n\ngo 1.22\n")
    path = write(tmp_path / "mod" / "l.go", LEAKY)
    # no config file in the module: the nearest one above it is used
    assert [c for _, c in found(run([path], capsys)[1])] == ["unclosed-file"]
    # a config file in the module: the search stops at the module root
    write(tmp_path / "mod" / "plumber.toml", '[checks.unclosed-file]\nseverity = "error"\n')
    assert [c for _, c in found(run([path], capsys)[1])] == ["unclosed-file", "unclosed-body"]


def test_exclude_patterns_relative_to_their_file(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    for p in ["a/l.go", "a/l_mock.go", "a/gen/x.go", "b/gen/y.go", "internal/api/z.go", "internal/api/v2/w.go"]:
        write(module / p, LEAKY)
    write(module / "plumber.toml", 'exclude = ["*_mock.go", "/b/gen/", "internal/**/v2"]\n')
    write(module / "a" / "plumber.toml", 'exclude = ["gen"]\n')
    files = {p for p, _ in found(run([], capsys)[1])}
    assert files == {"a/l.go", "internal/api/z.go"}
    # a file named on the command line is excluded too (pre-commit hooks name files)
    assert run(["a/l_mock.go"], capsys)[:2] == (0, "")


# -- bad config files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "toml,key",
    [
        ("debounce = nan", "debounce"),
        ("debounce = inf", "debounce"),
        ("debounce = 1e400", "debounce"),
        ("debounce = 1e30", "debounce"),
        ("debounce = -1", "debounce"),
        ("debounce = 10001", "debounce"),
        ("debounce = " + "[" * 5000 + "]" * 5000, ""),  # tomllib gives up: the file counts as empty
        ("debounce = [[1]]", "debounce"),
        ("generated = 'yes'", "generated"),
        ("exclude = 'gen'", "exclude"),
        ("exclude = ['!gen']", "exclude[0]"),
        ("root = 1", "root"),
        ("[checks.unclosed-body]\nenabled = 'no'", "checks.unclosed-body.enabled"),
        ("[checks.unclosed-body\nenabled = false", ""),  # TOML syntax error
    ],
)
def test_a_bad_value_is_a_config_error_and_the_gate_stays_on(module, capsys, toml, key):
    write(module / "plumber.toml", toml + "\n")
    path = write(module / "l.go", LEAKY)
    status, out, err = run([path], capsys)
    assert [c for _, c in found(out)] == ["unclosed-file", "unclosed-body"]  # defaults for the bad keys
    assert status == 2  # never "0 findings, exit 0"
    [line] = [e for e in err.splitlines() if "config error" in e]
    config = str(module / "plumber.toml")
    assert line.startswith(f"plumber: config error: {config}: {key + ': ' if key else ''}")
    assert len(line) < 300


def test_non_utf8_bytes(module, capsys):
    write(module / "plumber.toml", b"# caf\xe9\n[checks]\nunclosed-body = false\n")
    status, out, err = run([write(module / "l.go", LEAKY)], capsys)
    assert status == 2 and [c for _, c in found(out)] == ["unclosed-file", "unclosed-body"]
    assert "not UTF-8 (byte 5); ignored" in err


def test_good_keys_beside_a_bad_one_still_apply(module, capsys):
    write(module / "plumber.toml", "debounce = nan\n[checks]\nunclosed-body = false\n")
    status, out, err = run([write(module / "l.go", LEAKY)], capsys)
    assert status == 2 and [c for _, c in found(out)] == ["unclosed-file"]
    assert err.count("config error") == 1


def test_twenty_thousand_unknown_keys_make_one_warning(module, capsys):
    write(module / "plumber.toml", "".join(f"key{i} = {i}\n" for i in range(20_000)))
    write(module / "a" / "l.go", LEAKY)
    write(module / "b" / "l.go", LEAKY)
    status, out, err = run([str(module)], capsys)
    assert status == 1  # unknown keys are a warning, not an error
    warnings = [e for e in err.splitlines() if "warning" in e]
    assert warnings == [
        f"plumber: warning: {module / 'plumber.toml'}: 20000 unknown keys ignored: "
        "'key0', 'key1', 'key2', 'key3', 'key4' and 19995 more"
    ]


def _broken_fix(ctx):
    start = ctx.source.find(b"os.Open")
    if start >= 0:
        yield Finding("broken-fix", start, start + 7, "m", fixes=(Fix("bad", (Edit(start, start + 2, b"OS"),)),))


BROKEN = Check(
    code="broken-fix",
    severity=Severity.WARNING,
    doc="a check whose fix is broken\n\nBody.",
    run=_broken_fix,
    category=Category.RESOURCE,
    fix=FixAvailability.ALWAYS,
)


def test_an_internal_error_is_exit_status_2(module, capsys):
    path = write(module / "l.go", LEAKY)
    status, out, err = run(["--fix", path], capsys, registry=[BROKEN])
    assert status == 2 and "internal error: AttributeError" in err
    assert open(path).read() == LEAKY
