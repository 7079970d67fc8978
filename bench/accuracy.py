"""Plumber's accuracy on real code: every finding compared with a human verdict.

    python -m bench.accuracy                                  # the Go standard library
    python -m bench.accuracy --app caddy=/work/apps/caddy ... # and applications
    make accuracy APPS="caddy=/work/apps/caddy etcd=/work/apps/etcd"
    python -m bench.accuracy --recall                         # recall on real leak fixes (bench/recall.py)

For each corpus (`stdlib` = $(go env GOROOT)/src with the venv's Go, and each `--app NAME=DIR`) it runs the
installed CLI once, `plumber check --format json ROOT`, and compares every finding with the verdict file
tests/accuracy/<corpus>.tsv. Verdict file format (details in bench/verdicts.py and tests/accuracy/README.md):

    code <TAB> path <TAB> text <TAB> n <TAB> verdict <TAB> class <TAB> reason

a header row, then one row per finding sorted by (path, code, text, n). The key is (code, path relative to
the corpus root, the finding's line text with whitespace collapsed, occurrence index among identical keys),
so unrelated edits that shift lines keep the verdict. verdict is TP, FP, DEBATABLE or `?` (to be filled);
class is one of bench.verdicts.CLASSES for FP/DEBATABLE, `-` otherwise; reason is one checkable line.

The report gives, per corpus and overall, per check: findings, in _test.go / outside, TP, FP, debatable,
unjudged; precision TP/(TP+FP) overall and outside tests; FP classes by count; then NEW findings (no
verdict) and GONE verdicts (judged, no longer found). --write-missing adds `?` rows for NEW findings;
--strict exits 1 when anything is unjudged or gone; --json FILE writes the same figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field

from bench.verdicts import (
    Finding,
    Match,
    Verdict,
    VerdictError,
    keyed,
    match,
    read_verdicts,
    with_missing,
    write_verdicts,
)

HERE = os.path.dirname(os.path.abspath(__file__))
VERDICT_DIR = os.path.join(os.path.dirname(HERE), "tests", "accuracy")
CHECK_TIMEOUT_S = 1800


@dataclass
class Tally:
    findings: int = 0
    in_tests: int = 0
    outside_tests: int = 0
    tp: int = 0
    fp: int = 0
    debatable: int = 0
    unjudged: int = 0
    tp_outside: int = 0
    fp_outside: int = 0

    def add(self, f: Finding, v: Verdict | None) -> None:
        self.findings += 1
        self.in_tests += f.in_test
        self.outside_tests += not f.in_test
        verdict = v.verdict if v is not None else None
        if verdict == "TP":
            self.tp += 1
            self.tp_outside += not f.in_test
        elif verdict == "FP":
            self.fp += 1
            self.fp_outside += not f.in_test
        elif verdict == "DEBATABLE":
            self.debatable += 1
        else:
            self.unjudged += 1

    def merge(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def precision_outside(self) -> float | None:
        n = self.tp_outside + self.fp_outside
        return self.tp_outside / n if n else None


@dataclass
class CorpusReport:
    name: str
    root: str
    checks: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    fp_classes: Counter = field(default_factory=Counter)
    debatable_classes: Counter = field(default_factory=Counter)
    new: list[Finding] = field(default_factory=list)
    gone: list[Verdict] = field(default_factory=list)


def tally(name: str, root: str, m: Match) -> CorpusReport:
    rep = CorpusReport(name, root)
    for f, v in m.judged:
        rep.checks.setdefault(f.key.code, Tally()).add(f, v)
        if v.verdict == "FP":
            rep.fp_classes[v.cls] += 1
        elif v.verdict == "DEBATABLE":
            rep.debatable_classes[v.cls] += 1
    for f in m.unjudged:
        rep.checks.setdefault(f.key.code, Tally()).add(f, None)
    for t in rep.checks.values():
        rep.total.merge(t)
    rep.new, rep.gone = list(m.unjudged), list(m.gone)
    return rep


def overall(reports: list[CorpusReport]) -> CorpusReport:
    rep = CorpusReport("overall", "")
    for r in reports:
        for code, t in r.checks.items():
            rep.checks.setdefault(code, Tally()).merge(t)
        rep.total.merge(r.total)
        rep.fp_classes.update(r.fp_classes)
        rep.debatable_classes.update(r.debatable_classes)
    return rep


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{100 * p:.0f}%"


def format_report(r: CorpusReport, lists: bool = True) -> str:
    head = ("check", "findings", "_test", "non-test", "TP", "FP", "DEB", "unjudged", "prec", "prec non-test")
    rows = [(code, t) for code, t in sorted(r.checks.items(), key=lambda x: (-x[1].findings, x[0]))]
    rows.append(("total", r.total))
    table = [head] + [
        (
            c,
            *(str(x) for x in (t.findings, t.in_tests, t.outside_tests, t.tp, t.fp, t.debatable, t.unjudged)),
            _pct(t.precision),
            _pct(t.precision_outside),
        )
        for c, t in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    out = [f"== {r.name}" + (f" ({r.root})" if r.root else "")]
    for row in table:
        out.append(
            "  "
            + row[0].ljust(widths[0])
            + "".join("  " + c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=False))
        )
    t = r.total
    out.append(
        f"  precision TP/(TP+FP): {_pct(t.precision)} ({t.tp}/{t.tp + t.fp}); outside tests: "
        f"{_pct(t.precision_outside)} ({t.tp_outside}/{t.tp_outside + t.fp_outside})"
    )
    for label, classes in (("FP classes", r.fp_classes), ("DEBATABLE classes", r.debatable_classes)):
        if classes:
            ranked = sorted(classes.items(), key=lambda x: (-x[1], x[0]))
            top, n = ranked[0]
            out.append(f"  {label}: " + ", ".join(f"{c} {k}" for c, k in ranked) + f" (largest: {top}, {n})")
    if lists:
        out.append(f"  NEW (no verdict): {len(r.new)}")
        out.extend(f"    {f.where}: {f.key.code}: {f.key.text}" for f in r.new)
        out.append(f"  GONE (judged, no longer found): {len(r.gone)}")
        out.extend(f"    {v.key.path}: {v.key.code} [{v.verdict}] #{v.key.n}: {v.key.text}" for v in r.gone)
    return "\n".join(out) + "\n"


def report_json(reports: list[CorpusReport], total: CorpusReport) -> dict:
    def tally_json(t: Tally) -> dict:
        return {**asdict(t), "precision": t.precision, "precision_outside_tests": t.precision_outside}

    def corpus_json(r: CorpusReport) -> dict:
        return {
            "root": r.root,
            "checks": {c: tally_json(t) for c, t in sorted(r.checks.items())},
            "total": tally_json(r.total),
            "fp_classes": dict(r.fp_classes),
            "debatable_classes": dict(r.debatable_classes),
            "new": [{"where": f.where, **f.key._asdict()} for f in r.new],
            "gone": [{**v.key._asdict(), "verdict": v.verdict} for v in r.gone],
        }

    return {"corpora": {r.name: corpus_json(r) for r in reports}, "overall": corpus_json(total)}


# -- running plumber ------------------------------------------------------------------


def plumber_cli() -> list[str]:
    beside = os.path.join(os.path.dirname(sys.executable), "plumber")
    found = beside if os.path.exists(beside) else shutil.which("plumber")
    if not found:
        raise SystemExit("bench.accuracy: the plumber CLI is not installed (make install)")
    return [found]


def run_check(root: str, paths: list[str] | None = None, cli: list[str] | None = None) -> list[dict]:
    """plumber check --format json on `paths` (default: the whole root), one subprocess, run in `root`."""
    cmd = (cli or plumber_cli()) + ["check", "--format", "json", "--exit-zero"] + (paths or [os.path.abspath(root)])
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    if proc.returncode not in (0, 2) or not proc.stdout.strip():
        raise SystemExit(f"bench.accuracy: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    if proc.returncode == 2:  # I/O errors on some files: the rest is still a result
        print(f"bench.accuracy: plumber reported errors under {root}:\n{proc.stderr[-1000:]}", file=sys.stderr)
    findings = json.loads(proc.stdout)
    for f in findings:  # paths are relative to `root`, where the check ran: make them absolute
        for place in [f, *f.get("related", ())]:
            place["path"] = os.path.join(os.path.abspath(root), place["path"])
    return findings


def corpora(args: argparse.Namespace) -> list[tuple[str, str]]:
    out = []
    if not args.no_stdlib:
        from bench.run import goroot

        out.append(("stdlib", os.path.join(goroot(), "src")))
    for spec in args.app:
        name, sep, root = spec.partition("=")
        if not sep or not name or not os.path.isdir(root):
            raise SystemExit(f"bench.accuracy: --app wants NAME=DIR with an existing DIR, got {spec!r}")
        out.append((name, os.path.abspath(root)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", action="append", default=[], metavar="NAME=DIR", help="an application's source root")
    ap.add_argument("--no-stdlib", action="store_true", help="skip the Go standard library")
    ap.add_argument("--verdicts", default=VERDICT_DIR, metavar="DIR", help="where <corpus>.tsv live")
    ap.add_argument("--write-missing", action="store_true", help="append `?` rows for unjudged findings")
    ap.add_argument("--strict", action="store_true", help="exit 1 when anything is unjudged or gone")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON (- for stdout)")
    ap.add_argument("--save", metavar="DIR", help="keep plumber's raw JSON output per corpus in DIR")
    ap.add_argument("--load", metavar="DIR", help="read plumber's output from DIR/<corpus>.json instead of running")
    ap.add_argument("--show", metavar="VERDICT[:CLASS]", help="list the judged findings with this verdict (and class)")
    ap.add_argument("--recall", action="store_true", help="measure recall on tests/accuracy/recall.tsv instead")
    ap.add_argument("--recall-file", default=os.path.join(VERDICT_DIR, "recall.tsv"), help=argparse.SUPPRESS)
    ap.add_argument("--mirrors", default="/work/.mirror", help="for --recall: where owner+name/repo git dirs are")
    ap.add_argument("--cache", help="for --recall: where exported parent trees are kept (default: a temp dir)")
    args = ap.parse_args(argv)
    if args.recall:
        from bench.recall import run_recall

        return run_recall(args.recall_file, args.mirrors, args.cache, args.json)

    reports = []
    for name, root in corpora(args):
        if args.load:
            with open(os.path.join(args.load, f"{name}.json"), encoding="utf-8") as f:
                raw = json.load(f)
        else:
            raw = run_check(root)
        if args.save:
            os.makedirs(args.save, exist_ok=True)
            with open(os.path.join(args.save, f"{name}.json"), "w", encoding="utf-8") as f:
                json.dump(raw, f)
        findings = keyed(raw, root)
        path = os.path.join(args.verdicts, f"{name}.tsv")
        try:
            verdicts = read_verdicts(path)
        except VerdictError as e:
            print(f"bench.accuracy: {e}", file=sys.stderr)
            return 2
        m = match(findings, verdicts)
        if args.write_missing and m.unjudged:
            write_verdicts(path, with_missing(verdicts, m.unjudged))
            print(
                f"bench.accuracy: {path}: {sum(f.key not in verdicts for f in m.unjudged)} `?` rows added",
                file=sys.stderr,
            )
        rep = tally(name, root, m)
        reports.append(rep)
        print(format_report(rep), end="")
        if args.show:
            verdict, _, cls = args.show.partition(":")
            for f, v in m.judged:
                if v.verdict == verdict and (not cls or v.cls == cls):
                    print(f"    {name}:{f.where}: {f.key.code} [{v.verdict} {v.cls}] {f.key.text}  -- {v.reason}")
    total = overall(reports)
    if len(reports) > 1:
        print(format_report(total, lists=False), end="")
    if args.json:
        text = json.dumps(report_json(reports, total), indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            with open(args.json, "w", encoding="utf-8") as f:
                f.write(text)
    if args.strict and any(r.new or r.gone for r in reports):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
