"""The fix proof's report: a text table and the same facts as JSON."""

from __future__ import annotations

import dataclasses


def _vet(v) -> str:
    return "-" if v is None else ("ok" if v.ok else "FAIL")


def _cause(c) -> str:
    if c.line is None:
        return f"{c.rel} (its fixes together; no single first-round fix reproduces it)"
    return f"{c.rel}:{c.line} {c.code}: {c.title}"


def render_text(report: dict) -> str:
    results = report["results"]
    counts = report["fix_counts"]
    nfiles = len(report["files"])
    dirs = {r.directory for r in results}
    tested = [r for r in results if r.mode == "vet+test"]
    out = [
        f"Plumber fix proof on {report['src']}",
        f"  go test {'-short ' if report['short'] else ''}tests={report['tests']}; cgo "
        f"{'on' if report['cgo'] else 'off'}"
        + (f"; --only {report['only']}" if report["only"] else "")
        + (f"; --packages {','.join(report['packages'])}" if report["packages"] else ""),
        f"fixes applied: {sum(counts.values())} in {nfiles} files, {len(dirs)} directories: "
        + ", ".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))),
    ]
    if report["unfixed"]:
        out.append(
            f"safe fixes still offered after --fix ({len(report['unfixed'])}): "
            + ", ".join(f"{f['path']}:{f['line']} {f['code']}" for f in report["unfixed"])
        )
    out.append(
        "gofmt -l on the fixed files: "
        + (", ".join(report["gofmt_unclean"]) + " NOT CLEAN" if report["gofmt_unclean"] else "clean")
    )
    out.append(
        f"packages: {len(tested)} vetted and tested, {len(results) - len(tested)} vetted only "
        "(files the host does not build)"
    )
    out.append("")
    width = max([len(r.import_path or r.directory) for r in results] + [7])
    out.append(f"{'package':<{width}}  {'files':>5} {'fixes':>5}  {'vet':<4} {'baseline':<24} {'with fixes':<24} mode")
    for r in results:
        tb = r.test_baseline.summary() if r.test_baseline else "-"
        tf = r.test_fixed.summary() if r.test_fixed else "-"
        vet = _vet(r.vet_fixed) + ("" if r.vet_baseline is None or r.vet_baseline.ok else "*")
        secs = sum(x.seconds for x in (r.vet_baseline, r.vet_fixed, r.test_baseline, r.test_fixed) if x)
        out.append(
            f"{r.import_path or r.directory:<{width}}  {len(r.files):>5} {r.fixes:>5}  {vet:<4} "
            f"{_short(tb):<24} {_short(tf):<24} {r.mode} ({secs:.0f} s)"
        )
    out.append("  (vet *: fails at baseline too)")
    failures = [r for r in results if r.failed]
    out.append("")
    if not failures:
        out.append("No regressions: every fixed package vets clean and passes the tests it passes without the fixes.")
    for r in failures:
        for line in r.vet_new:
            out.append(f"VET {r.import_path} ({r.mode}): {line}")
        if r.missing:
            out.append(
                f"MISSING {r.import_path}: {', '.join(r.missing)} passed without the fixes and did not "
                "run to a pass or a failure with them (skipped?)"
            )
        for reg in r.regressions:
            name = reg.test or "(the package: build, TestMain or timeout)"
            out.append(f"REGRESSION {r.import_path} {name}")
            for c in reg.causes or []:
                out.append(f"    cause: {_cause(c)}")
            if not reg.causes:
                out.append("    cause: not bisected")
            out.extend("    | " + x for x in _trim(reg.output))
    for r in results:
        for t, why in sorted(r.flaky.items()):
            out.append(f"FLAKY {r.import_path} {t}: {why}")
        real = [t for t in r.baseline_failures if t not in r.flaky]
        if real:
            out.append(
                f"BASELINE {r.import_path}: {', '.join(real)} fail without the fixes "
                "(not counted; list them in bench/fixproof_known.txt)"
            )
        if r.skipped_known:
            out.append(f"SKIPPED {r.import_path}: {', '.join(r.skipped_known)} (bench/fixproof_known.txt)")
    s = report["seconds"]
    out.append(
        f"wall time: {s['total']:.0f} s (plumber --fix {s['plumber']:.0f} s, go vet/test "
        f"{s['total'] - s['plumber']:.0f} s)"
    )
    return "\n".join(out) + "\n"


def _short(s: str, n: int = 24) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def _trim(lines: list[str], n: int = 12) -> list[str]:
    lines = [x for x in lines if x.strip()]
    return lines[-n:]


def to_json(report: dict) -> dict:
    data = dict(report)
    data["results"] = [dataclasses.asdict(r) | {"failed": r.failed} for r in report["results"]]
    for r in data["results"]:
        for key in ("test_baseline", "test_fixed"):
            if r[key]:
                r[key]["passed"] = sorted(r[key]["passed"])
                r[key]["failed"] = sorted(r[key]["failed"])
    return data
