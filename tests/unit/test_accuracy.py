"""bench.accuracy and bench.recall: finding keys, verdict files, matching, the report, and the recall run.

The key/matching/report tests use small made-up findings; the two end-to-end tests run the installed
`plumber` CLI on a tiny Go package (and, for recall, on a real git history made here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the bench package

from bench.accuracy import format_report, main, overall, report_json, tally
from bench.recall import is_found, parse_cases, run_cases, statement_lines
from bench.verdicts import (
    CLASSES,
    Key,
    Verdict,
    VerdictError,
    format_verdicts,
    keyed,
    match,
    parse_verdicts,
    with_missing,
)

LEAKY_V1 = """\
package leaky

import "os"

func open(name string) {
	f, err := os.Open(name)
	_ = f
	_ = err
}

func again(name string) {
	f, err := os.Open(name)
	_ = f
	_ = err
}
"""

# The same file after an unrelated edit above both findings: every line below moves down by two.
LEAKY_V2 = LEAKY_V1.replace('import "os"\n', 'import "os"\n\n// Package comment that shifts the lines.\n')


def raw(path: str, line: int, code: str = "unclosed-file", column: int = 2) -> dict:
    return {"path": path, "line": line, "column": column, "code": code, "message": "m"}


def lines_from(text: str):
    return lambda _path: text.splitlines()


def test_key_collapses_whitespace_and_numbers_identical_lines():
    fs = keyed([raw("/r/a.go", 12), raw("/r/a.go", 6)], "/r", lines_from(LEAKY_V1))
    assert [f.key for f in fs] == [
        Key("unclosed-file", "a.go", "f, err := os.Open(name)", 0),
        Key("unclosed-file", "a.go", "f, err := os.Open(name)", 1),
    ]
    assert [f.line for f in fs] == [6, 12]  # occurrence index follows file order, not input order


def test_line_shift_keeps_verdicts():
    before = keyed([raw("/r/a.go", 6), raw("/r/a.go", 12)], "/r", lines_from(LEAKY_V1))
    verdicts = {
        before[0].key: Verdict(before[0].key, "TP", "-", "never closed"),
        before[1].key: Verdict(before[1].key, "FP", "test-subject", "meant to leak"),
    }
    after = keyed([raw("/r/a.go", 8), raw("/r/a.go", 14)], "/r", lines_from(LEAKY_V2))
    m = match(after, verdicts)
    assert [(f.line, v.verdict) for f, v in m.judged] == [(8, "TP"), (14, "FP")]
    assert m.unjudged == [] and m.gone == []


def test_changed_line_is_new_and_its_verdict_gone():
    before = keyed([raw("/r/a.go", 6)], "/r", lines_from(LEAKY_V1))
    verdicts = {before[0].key: Verdict(before[0].key, "TP", "-", "never closed")}
    edited = LEAKY_V1.replace(
        "f, err := os.Open(name)\n\t_ = f\n\t_ = err\n}\n\nfunc again",
        "f, err := os.OpenFile(name, 0, 0)\n\t_ = f\n\t_ = err\n}\n\nfunc again",
    )
    after = keyed([raw("/r/a.go", 6)], "/r", lines_from(edited))
    m = match(after, verdicts)
    assert [f.key.text for f in m.unjudged] == ["f, err := os.OpenFile(name, 0, 0)"]
    assert [v.key.text for v in m.gone] == ["f, err := os.Open(name)"]


def test_tally_counts_per_check_tests_and_precision():
    text = "f, err := os.Open(name)\nresp, err := http.Get(u)\nx\n"
    fs = keyed(
        [
            raw("/r/a.go", 1),
            raw("/r/a_test.go", 1),
            raw("/r/b_test.go", 1),
            raw("/r/a.go", 2, "unclosed-body"),
            raw("/r/c.go", 1),
        ],
        "/r",
        lines_from(text),
    )
    k = {(f.key.path, f.key.code): f.key for f in fs}
    verdicts = {
        k["a.go", "unclosed-file"]: Verdict(k["a.go", "unclosed-file"], "TP", "-", "r"),
        k["a_test.go", "unclosed-file"]: Verdict(k["a_test.go", "unclosed-file"], "FP", "test-subject", "r"),
        k["b_test.go", "unclosed-file"]: Verdict(k["b_test.go", "unclosed-file"], "TP", "-", "r"),
        k["a.go", "unclosed-body"]: Verdict(k["a.go", "unclosed-body"], "DEBATABLE", "bounded", "r"),
        # c.go has no verdict: unjudged; this row has no finding: gone
        Key("unclosed-file", "gone.go", "x", 0): Verdict(Key("unclosed-file", "gone.go", "x", 0), "FP", "other", "r"),
    }
    rep = tally("tiny", "/r", match(fs, verdicts))
    files = rep.checks["unclosed-file"]
    assert (files.findings, files.in_tests, files.outside_tests) == (4, 2, 2)
    assert (files.tp, files.fp, files.debatable, files.unjudged) == (2, 1, 0, 1)
    assert files.precision == pytest.approx(2 / 3)
    assert files.precision_outside == 1.0  # a.go TP; c.go is unjudged, not counted
    assert rep.checks["unclosed-body"].debatable == 1 and rep.checks["unclosed-body"].precision is None
    assert rep.total.findings == 5 and rep.fp_classes == {"test-subject": 1}
    assert [f.key.path for f in rep.new] == ["c.go"] and [v.key.path for v in rep.gone] == ["gone.go"]
    text_report = format_report(rep)
    assert "precision TP/(TP+FP): 67% (2/3); outside tests: 100% (1/1)" in text_report
    assert "FP classes: test-subject 1 (largest: test-subject, 1)" in text_report
    assert "NEW (no verdict): 1" in text_report and "GONE (judged, no longer found): 1" in text_report
    both = overall([rep, rep])
    assert both.total.tp == 4 and both.fp_classes == {"test-subject": 2}
    assert report_json([rep], both)["corpora"]["tiny"]["total"]["unjudged"] == 1


def test_verdict_file_round_trip_sorted_and_validated():
    rows = [
        Verdict(Key("b", "z.go", "t", 0), "TP", "-", "r1"),
        Verdict(Key("a", "a.go", "t", 1), "?", "-", ""),
        Verdict(Key("a", "a.go", "t", 0), "FP", "used-after-loop", "r2"),
    ]
    text = format_verdicts(rows)
    assert text.splitlines()[1:] == [
        "a\ta.go\tt\t0\tFP\tused-after-loop\tr2",
        "a\ta.go\tt\t1\t?\t-\t",
        "b\tz.go\tt\t0\tTP\t-\tr1",
    ]
    assert sorted(parse_verdicts(text).values(), key=lambda v: v.key) == sorted(rows, key=lambda v: v.key)
    header = text.splitlines()[0]
    for bad in (
        "a\ta.go\tt\t0\tFP\tno-such-class\tr",
        "a\ta.go\tt\t0\tTP\tbounded\tr",
        "a\ta.go\tt\t0\tMAYBE\t-\tr",
        "a\ta.go\tt\tx\tTP\t-\tr",
        "a\ta.go\tt\t0\tTP\t-\t",
    ):
        with pytest.raises(VerdictError):
            parse_verdicts(f"{header}\n{bad}\n")
    assert "test-subject" in CLASSES and "used-after-loop" in CLASSES


def test_with_missing_adds_question_rows_and_keeps_judged_ones():
    fs = keyed([raw("/r/a.go", 6), raw("/r/a.go", 12)], "/r", lines_from(LEAKY_V1))
    judged = {fs[0].key: Verdict(fs[0].key, "TP", "-", "r")}
    rows = {v.key: v for v in with_missing(judged, fs)}
    assert rows[fs[0].key].verdict == "TP" and rows[fs[1].key].verdict == "?"


# -- end to end, with the real CLI --------------------------------------------------------


def test_accuracy_main_on_a_tiny_corpus(tmp_path, capsys):
    corpus, verdicts = tmp_path / "corpus", tmp_path / "verdicts"
    corpus.mkdir()
    verdicts.mkdir()
    (corpus / "leaky.go").write_text(LEAKY_V1)
    assert main(["--no-stdlib", "--app", f"tiny={corpus}", "--verdicts", str(verdicts), "--write-missing"]) == 0
    rows = (verdicts / "tiny.tsv").read_text().splitlines()
    assert len(rows) == 3 and all(r.split("\t")[4] == "?" for r in rows[1:])
    # A human judges them; then an edit shifts every line: still all judged, nothing new or gone.
    (verdicts / "tiny.tsv").write_text(
        "\n".join([rows[0]] + [r.replace("\t?\t-\t", "\tTP\t-\tnever closed") for r in rows[1:]]) + "\n"
    )
    (corpus / "leaky.go").write_text(LEAKY_V2)
    out_json = tmp_path / "out.json"
    capsys.readouterr()
    assert (
        main(
            ["--no-stdlib", "--app", f"tiny={corpus}", "--verdicts", str(verdicts), "--strict", "--json", str(out_json)]
        )
        == 0
    )
    assert "precision TP/(TP+FP): 100% (2/2)" in capsys.readouterr().out
    assert json.loads(out_json.read_text())["corpora"]["tiny"]["checks"]["unclosed-file"]["tp"] == 2
    # Fixing one leak makes its verdict GONE, which --strict reports.
    (corpus / "leaky.go").write_text(LEAKY_V2.replace("\t_ = f\n", "\tf.Close()\n", 1))
    assert main(["--no-stdlib", "--app", f"tiny={corpus}", "--verdicts", str(verdicts), "--strict"]) == 1
    assert "GONE (judged, no longer found): 1" in capsys.readouterr().out


def test_statement_lines_and_matching():
    src = b"package p\n\nfunc f() {\n\tgo func() {\n\t\tfor {\n\t\t}\n\t}()\n\tx := 1\n\t_ = x\n}\n"
    assert statement_lines(src, 4) == (4, 7)  # the whole go statement
    assert statement_lines(src, 8) == (8, 8)
    case = parse_cases(
        "\t".join(("repo", "fix", "parent", "path", "line", "code", "shape", "text", "reason"))
        + "\no/n\tf\tp\ta.go\t4\tendless-goroutine\tplain\tgo func() {\tr\n"
    )[0]
    hit = {"code": "endless-goroutine", "path": "/x/a.go", "line": 5, "related": []}
    assert is_found(case, [hit], (4, 7), "/x/a.go")
    assert not is_found(case, [{**hit, "line": 8}], (4, 7), "/x/a.go")
    assert not is_found(case, [{**hit, "code": "blocked-send"}], (4, 7), "/x/a.go")
    assert is_found(case, [{**hit, "line": 20, "related": [{"path": "/x/a.go", "line": 4}]}], (4, 7), "/x/a.go")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_recall_run_on_a_real_fix_history(tmp_path):
    work = tmp_path / "work"
    (work / "pkg").mkdir(parents=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }

    def git(*args: str, cwd=work) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    (work / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (work / "pkg" / "leaky.go").write_text(LEAKY_V1)
    (work / "pkg" / "other.go").write_text("package leaky\n")
    git("add", ".")
    git("commit", "-qm", "leaky")
    parent = git("rev-parse", "HEAD")
    (work / "pkg" / "leaky.go").write_text(LEAKY_V1.replace("\t_ = f\n", "\tdefer f.Close()\n"))
    git("commit", "-qam", "fix fd leak")
    fix = git("rev-parse", "HEAD")
    mirrors = tmp_path / "mirrors"
    (mirrors / "o+n").mkdir(parents=True)
    git("clone", "-q", "--bare", str(work), str(mirrors / "o+n" / "repo"), cwd=tmp_path)
    head = "\t".join(("repo", "fix", "parent", "path", "line", "code", "shape", "text", "reason"))
    rows = [
        ("o/n", fix, parent, "pkg/leaky.go", "6", "unclosed-file", "plain", "f, err := os.Open(name)", "r"),
        ("o/n", fix, parent, "pkg/leaky.go", "12", "defer-in-loop", "plain", "f, err := os.Open(name)", "r"),
        ("o/n", fix, parent, "pkg/leaky.go", "7", "unclosed-file", "plain", "wrong text", "r"),
    ]
    cases = parse_cases(head + "\n" + "\n".join("\t".join(r) for r in rows) + "\n")
    cache = tmp_path / "cache"
    cli = [os.path.join(os.path.dirname(sys.executable), "plumber")]
    outcomes = run_cases(cases, str(mirrors), str(cache), cli)
    assert [(o.found, bool(o.error)) for o in outcomes] == [(True, False), (False, False), (False, True)]
    exported = cache / "o+n" / parent
    assert sorted(p.name for p in (exported / "pkg").iterdir()) == ["leaky.go", "other.go"]
    assert (exported / "go.mod").exists()
    # A second run reuses the export.
    (exported / "pkg" / "other.go").write_text("package leaky // kept\n")
    run_cases(cases[:1], str(mirrors), str(cache), cli)
    assert (exported / "pkg" / "other.go").read_text() == "package leaky // kept\n"
