"""`plumber check [PATH...]`: Go files and directories checked for leaks, for CI and the terminal.

The files come from `cli.paths` (default `.`; `./...` accepted); the findings are printed
sorted by path and line, in the chosen format; `--baseline` and `--new-from-rev` narrow them to
the new ones (`cli.baseline`); `--fix` / `--diff` run the one fix loop (`driver.fixes`).
The exit status is 0 when clean, 1 with findings at or above `--fail-level` (or a diff with
`--diff`), 2 on usage, I/O, configuration or internal errors.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from plumber.cli.analyzer import FileAnalyzer, FileResult, Options, failed
from plumber.cli.baseline import BaselineError, ChangedLines, new_findings, read_baseline, write_baseline
from plumber.cli.paths import DEFAULT_PATHS, go_files
from plumber.cli.worker import Interrupted, Progress, analyze_files
from plumber.core.checks import Check
from plumber.core.findings import Severity
from plumber.core.settings import Problem
from plumber.report import FORMATS, emit, render
from plumber.report.model import FindingOut, display_path, sort_findings

STDIN = "-"
STDIN_NAME = "<stdin>"
FAIL_LEVELS = ("error", "warning", "information", "hint")

__all__ = ["CHECK_HELP", "add_parser", "cmd_check", "go_files"]


class UsageError(Exception):
    pass


def _codes(value: str | None, known: set[str], flag: str) -> frozenset[str] | None:
    if value is None:
        return None
    codes = frozenset(c.strip() for c in value.split(",") if c.strip())
    unknown = sorted(codes - known)
    if unknown:
        raise UsageError(
            f"{flag}: unknown check code{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}; known codes: {', '.join(sorted(known))}"
        )
    return codes


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary(findings: Sequence[FindingOut], unsafe: bool, notes: Sequence[str]) -> str:
    """ "12 findings in 3 files (7 fixable with --fix, 2 more with --unsafe-fixes)", and notes."""
    files = len({f.path for f in findings})
    head = f"{_plural(len(findings), 'finding')} in {_plural(files, 'file')}" if findings else "no findings"
    safe = sum(1 for f in findings if f.fixes and f.fixes[0].safe)
    more = sum(1 for f in findings if f.fixes and not f.fixes[0].safe)
    if unsafe and safe + more:
        head += f" ({safe + more} fixable with --fix --unsafe-fixes)"
    elif safe and more:
        head += f" ({safe} fixable with --fix, {more} more with --unsafe-fixes)"
    elif safe:
        head += f" ({safe} fixable with --fix)"
    elif more:
        head += f" ({more} fixable with --fix --unsafe-fixes)"
    return "; ".join([head, *notes])


def cmd_check(args: argparse.Namespace, registry: Sequence[Check] | None = None) -> int:
    from plumber.driver.config import ConfigFiles
    from plumber.driver.engine import registry as default_registry

    checks = list(registry) if registry is not None else default_registry()
    known = {c.code for c in checks}
    paths = list(args.paths) or list(DEFAULT_PATHS)
    baseline = changed = None
    try:
        select = _codes(args.select, known, "--select")
        ignore = _codes(args.ignore, known, "--ignore") or frozenset()
        if paths.count(STDIN) > 1:
            raise UsageError("'-' (standard input) may be given only once")
        if args.jobs is not None and args.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        if args.baseline and args.write_baseline:
            raise UsageError("--baseline and --write-baseline exclude each other")
        if args.baseline:
            baseline = read_baseline(args.baseline)
        if args.new_from_rev:
            changed = ChangedLines(args.new_from_rev)
            named = [p for p in paths if p != STDIN] + ([args.stdin_filename] if args.stdin_filename else [])
            changed.check(p for p in named if os.path.exists(p))
    except (UsageError, BaselineError) as e:
        print(f"plumber check: error: {e}", file=sys.stderr)
        return 2
    diff_mode = bool(args.diff)
    roots = tuple(os.path.realpath(p) for p in paths if p != STDIN)
    opts = Options(
        select, ignore, args.fix and not diff_mode, args.unsafe_fixes, diff_mode, args.include_generated, roots
    )
    errors: list[str] = []
    config = ConfigFiles(known)
    files = list(go_files([p for p in paths if p != STDIN], errors, config.excluded))
    cores = os.cpu_count() or 1
    jobs = args.jobs or cores
    if jobs > cores and not args.force_jobs:
        print(
            f"plumber: warning: -j {jobs} is more than the {cores} cores: using {cores} (--force-jobs to insist)",
            file=sys.stderr,
        )
        jobs = cores
    progress = Progress(len(files), sys.stderr.isatty())
    try:
        results = analyze_files(files, opts, jobs, progress, registry)
    except Interrupted as stop:
        progress.finish()
        return _interrupted(stop)
    progress.finish()
    if STDIN in paths:
        results.append(_check_stdin(args, opts, registry))

    findings: list[FindingOut] = []
    reported: set[Problem] = set()
    config_errors = failures = 0
    diffs: list[str] = []
    skipped: Counter[str] = Counter()
    for r in results:
        errors.extend(r.errors)
        for problem in r.problems:
            if problem not in reported:
                reported.add(problem)
                config_errors += problem.error
                kind = "config error" if problem.error else "warning"
                shown = (
                    replace(problem, origin=display_path(problem.origin)) if os.path.isabs(problem.origin) else problem
                )
                print(f"plumber: {kind}: {shown}", file=sys.stderr)
        for failure in r.failures:
            failures += 1
            print(f"plumber: {failure}", file=sys.stderr)
        if r.fixed:
            _print_fixed(r, "would fix" if diff_mode else "fixed")
        if r.output is not None:
            sys.stdout.buffer.write(r.output)
            sys.stdout.flush()
        if r.diff:
            diffs.append(r.diff)
        if r.skipped:
            skipped[r.skipped] += 1
        findings.extend(r.findings)
    for error in errors:
        print(f"plumber: {error}", file=sys.stderr)
    findings = sort_findings(findings)
    notes = []
    if skipped["generated"]:
        notes.append(f"{_plural(skipped['generated'], 'generated file')} skipped (--include-generated)")
    if baseline is not None:
        before = len(findings)
        findings = new_findings(findings, baseline)
        if before - len(findings):
            notes.append(f"{before - len(findings)} more in the baseline")
    if changed is not None:
        before = len(findings)
        try:
            findings = changed.keep(findings)
        except BaselineError as e:
            errors.append(str(e))
            print(f"plumber: {e}", file=sys.stderr)
        if before - len(findings):
            notes.append(f"{before - len(findings)} more on lines unchanged since {args.new_from_rev}")
    broken = bool(errors or failures or config_errors)

    if args.write_baseline:
        n = write_baseline(args.write_baseline, findings)
        print(f"plumber: wrote {_plural(n, 'finding')} to {display_path(args.write_baseline)}", file=sys.stderr)
        return 2 if broken else 0
    if diff_mode:
        sys.stdout.write("".join(diffs))
        sys.stdout.flush()
        return 2 if broken else (1 if diffs else 0)

    run_checks = [c for c in checks if c.static and (select is None or c.code in select) and c.code not in ignore]
    fixed_stdin = args.fix and STDIN in paths
    out = sys.stderr if fixed_stdin else sys.stdout  # stdout carries the fixed text
    # JSON links every code to its page; SARIF lists the checks that ran as its rules
    docs_url = config.for_directory(os.getcwd(), report=False)[0].docs_url
    emit(out, render(findings, args.format, checks if args.format == "json" else run_checks, not broken, docs_url))
    if args.format == "text" and (findings or notes):
        print(f"plumber: {summary(findings, args.unsafe_fixes, notes)}", file=sys.stderr)
    if broken:
        return 2
    level = Severity.parse(args.fail_level)
    if not args.exit_zero and any(f.severity <= level for f in findings):
        return 1
    return 0


def _print_fixed(r: FileResult, verb: str = "fixed") -> None:
    n = sum(c for _, c in r.fixed)
    detail = ", ".join(f"{code} x{c}" if c > 1 else code for code, c in r.fixed)
    print(f"plumber: {verb} {_plural(n, 'finding')} in {r.path} ({detail})", file=sys.stderr)


def _interrupted(stop: Interrupted) -> int:
    """Stopped by SIGINT or SIGTERM: say which files were rewritten (they are changed on disk); 128 + signal."""
    rewritten = 0
    for r in stop.results:
        if r.fixed:
            rewritten += 1
            _print_fixed(r)
    what = "terminated" if stop.signum == signal.SIGTERM else "interrupted"
    print(
        f"plumber: {what} ({signal.Signals(stop.signum).name}): {len(stop.results)} files checked, "
        f"{rewritten} rewritten; the others are unchanged",
        file=sys.stderr,
    )
    return 128 + stop.signum


def _check_stdin(args: argparse.Namespace, opts: Options, registry: Sequence[Check] | None) -> FileResult:
    display = display_path(args.stdin_filename) if args.stdin_filename else STDIN_NAME
    try:
        source = sys.stdin.buffer.read()
    except OSError as e:
        return FileResult(display, (), (f"{display}: cannot read standard input: {e}",), (), (), ())
    analyzer = FileAnalyzer(opts, registry)
    try:
        result, new_source = analyzer.source(display, args.stdin_filename, source)
    except Exception as e:
        return failed(display, f"{display}: internal error: {type(e).__name__}: {e}")
    if opts.diff and new_source is not None:
        from plumber.cli.analyzer import unified_diff

        return result._replace(diff=unified_diff(display, source, new_source))
    if opts.fix:
        result = result._replace(output=new_source if new_source is not None else source)
    return result


CHECK_HELP = """\
Check Go files and directories for leaks.

Prints one line per finding, sorted by path and line:

    path:line:column: code: message

Paths are relative to the working directory (absolute outside it). Lines and
columns are 1-based; columns count UTF-8 bytes, as go vet does (SARIF output
uses UTF-16 code units, its default column kind). On stderr, a summary:
"12 findings in 3 files (7 fixable with --fix, 2 more with --unsafe-fixes)".

PATH defaults to "."; Go's "./..." and "dir/..." mean the directory and
everything below it, as a plain directory does. vendor/, testdata/,
node_modules/ and directories whose name starts with "." or "_" are skipped
below a directory given. Files that say they are generated (a "// Code
generated ... DO NOT EDIT." line before the package clause) are skipped unless
--include-generated (or generated = true in plumber.toml).
"-" reads a file from standard input (shown as <stdin>, or as the name given
by --stdin-filename, which also locates its plumber.toml and go.mod).

Each file is checked with the plumber.toml / .plumber.toml files from its
module root down to its directory (nearest wins; root = true stops the
search; exclude = [...] skips paths). A bad value there is a config error.

Adopting on an old code base: --write-baseline FILE records today's findings,
--baseline FILE then reports only new ones (matched by code, path and the
text of the finding's line, so they survive code moving up or down);
--new-from-rev REV reports only findings on lines changed since REV.

Exit status: 0 no findings (at or above --fail-level), 1 findings (with --diff:
fixes to apply), 2 usage, I/O, configuration or internal error, 128 + the
signal when stopped by SIGINT or SIGTERM (the files already rewritten are listed).
"""


def add_parser(sub) -> None:
    check = sub.add_parser(
        "check",
        help="check Go files and directories",
        description=CHECK_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="Go files, directories or ./... patterns (default: .); - for stdin"
    )
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="output format: text (default), json, sarif (SARIF 2.1.0), github (Actions annotations)",
    )
    check.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes in place (re-analysing between rounds) and report them on stderr; "
        "with -, the fixed text goes to stdout and the findings left to stderr",
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes --fix would apply as a unified diff, write nothing; exit 1 when there is one",
    )
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff, also apply the fixes not marked safe (the first fix of each finding)",
    )
    check.add_argument(
        "--fail-level",
        choices=FAIL_LEVELS,
        default="hint",
        help="exit 1 only for findings of this severity or above (default: hint, i.e. any finding)",
    )
    check.add_argument(
        "--select",
        metavar="CODES",
        help="comma-separated check codes to run (even checks disabled by default or configuration)",
    )
    check.add_argument("--ignore", metavar="CODES", help="comma-separated check codes not to run")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument(
        "--include-generated", action="store_true", help="also check files marked '// Code generated ... DO NOT EDIT.'"
    )
    check.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline file")
    check.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="write the findings to FILE as a baseline and exit 0 (no findings printed)",
    )
    check.add_argument(
        "--new-from-rev", metavar="REV", help="report only findings on lines changed since REV (git diff REV)"
    )
    check.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="the path of the file read from standard input (for display, plumber.toml and go.mod)",
    )
    check.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes for large trees (default and most: every core)"
    )
    check.add_argument("--force-jobs", action="store_true", help="use the -j given even when it is more than the cores")
    check.set_defaults(func=cmd_check)
