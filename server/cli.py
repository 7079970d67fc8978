"""The `plumber` command: `check` for CI and the terminal, `serve` for editors.

`plumber check PATH...` analyses Go files and directories (recursively;
vendor/, testdata/ and hidden or `_` directories are skipped unless named
on the command line), prints the findings sorted by path and line, and
exits 0 when clean, 1 with findings, 2 on usage or I/O errors.

Large trees are spread over every core with a process pool: files are
grouped by directory so that package-wide checks share one package index
per worker, each worker builds its own Engine and parser, and results come
back as plain tuples.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from typing import Iterable, Iterator, NamedTuple
from urllib.parse import quote

from plumber.document import line_starts
from plumber import SOURCE, __version__

SKIP_DIRS = {"vendor", "testdata", "node_modules"}
STDIN = "-"
STDIN_NAME = "<stdin>"
MAX_FIX_ROUNDS = 5
PARALLEL_MIN_FILES = 48  # below this, starting worker processes costs more than it saves
FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {1: "error", 2: "warning", 3: "note", 4: "note"}
GITHUB_LEVELS = {1: "error", 2: "warning", 3: "notice", 4: "notice"}
SEVERITY_NAMES = {1: "error", 2: "warning", 3: "information", 4: "hint"}
PROJECT_URL = "https://github.com/plumber-lsp/plumber"


# -- results: plain tuples, so that worker processes can send them back ---------

class Pos(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, in UTF-8 bytes (like go vet)
    column16: int  # 1-based, in UTF-16 code units (SARIF's default column kind)


class Span(NamedTuple):
    start: Pos
    end: Pos


class RelatedOut(NamedTuple):
    path: str  # the display path
    span: Span | None  # None when the related file could not be read
    message: str


class EditOut(NamedTuple):
    span: Span
    new_text: str


class FixOut(NamedTuple):
    title: str
    safe: bool
    edits: tuple[EditOut, ...]


class FindingOut(NamedTuple):
    path: str
    span: Span
    code: str
    severity: int
    message: str
    related: tuple[RelatedOut, ...]
    fixes: tuple[FixOut, ...]


class FileResult(NamedTuple):
    path: str
    findings: tuple[FindingOut, ...]
    errors: tuple[str, ...]  # I/O errors: exit status 2
    failures: tuple[str, ...]  # check failures: reported, not fatal
    warnings: tuple[str, ...]  # configuration warnings
    fixed: tuple[tuple[str, int], ...]  # (code, count) of the fixes applied
    output: bytes | None = None  # the fixed text of stdin, written to stdout


class LineIndex:
    def __init__(self, source: bytes):
        self.source = source
        self.starts = line_starts(source)

    def pos(self, offset: int) -> Pos:
        from bisect import bisect_right

        from plumber.document import bytes_to_units

        offset = max(0, min(offset, len(self.source)))
        row = bisect_right(self.starts, offset) - 1
        start = self.starts[row]
        col = offset - start
        line = self.source[start:offset]
        return Pos(row + 1, col + 1, bytes_to_units(line, col, "utf-16") + 1)

    def span(self, start: int, end: int) -> Span:
        return Span(self.pos(start), self.pos(end))


# -- analysis ---------------------------------------------------------------------

class Options(NamedTuple):
    select: frozenset[str] | None  # None: the checks enabled by configuration
    ignore: frozenset[str]
    fix: bool


class Analyzer:
    """One Engine and parser; analyses (and fixes) one file at a time."""

    def __init__(self, opts: Options):
        from plumber.engine import Engine
        from plumber.golang import new_parser

        self.opts = opts
        self.engine = Engine()
        self.parser = new_parser()
        self._line_cache: dict[str, LineIndex | None] = {}

    def checks_for(self, settings):
        if self.opts.select is not None:  # named on the command line: run even if disabled by default
            checks = [c for c in self.engine.checks if c.code in self.opts.select]
        else:
            checks = self.engine.enabled_checks(settings)
        return [c for c in checks if c.code not in self.opts.ignore]

    def _analyze(self, path: str | None, source: bytes, settings, checks):
        tree = self.parser.parse(source)
        return self.engine.analyze(self.engine.context(path, source, tree), settings, checks)

    def file(self, path: str) -> FileResult:
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as e:
            return FileResult(path, (), (f"{path}: {e.strerror or e}",), (), (), ())
        try:
            result, new_source = self.source(path, path, source)
        except Exception as e:  # never crash on one file
            return FileResult(path, (), (), (f"{path}: internal error: {type(e).__name__}: {e}",), (), ())
        if new_source is not None and new_source != source:
            try:
                with open(path, "wb") as f:
                    f.write(new_source)
            except OSError as e:
                return result._replace(errors=(f"{path}: cannot write the fixes: {e.strerror or e}",))
        return result

    def source(self, display: str, path: str | None, source: bytes) -> tuple[FileResult, bytes | None]:
        """Analyse (and with --fix, fix) one buffer; `path` locates its config, go.mod and package."""
        from plumber.engine import describe_failure
        from plumber.fixes import apply, compose, safe_fixes

        settings, warnings = self.engine.settings_for(path)
        checks = self.checks_for(settings)
        findings, failures = self._analyze(path, source, settings, checks)
        fixed: Counter[str] = Counter()
        new_source = None
        if self.opts.fix:
            original = source
            for _ in range(MAX_FIX_ROUNDS):
                code_of = {id(f.fixes[0]): f.code for f in findings if f.fixes}
                edits, taken = compose(safe_fixes(findings))
                if not taken:
                    break
                changed = apply(source, edits)
                if changed == source:
                    break
                source = changed
                fixed.update(code_of[id(fix)] for fix in taken)
                findings, failures = self._analyze(path, source, settings, checks)
            new_source = source if source != original else None
        index = LineIndex(source) if findings else None  # O(file): only when there is something to place
        out = tuple(self._finding(display, path, index, f) for f in findings)
        return FileResult(display, out, (), tuple(describe_failure(f) for f in failures), tuple(warnings),
                          tuple(sorted(fixed.items()))), new_source

    def _finding(self, display: str, path: str | None, index: LineIndex, f) -> FindingOut:
        related = []
        for r in f.related:
            if r.path is None or (path is not None and os.path.abspath(r.path) == os.path.abspath(path)):
                related.append(RelatedOut(display, index.span(r.start, r.end), r.message))
            else:
                other = self._index_of(r.path)
                related.append(RelatedOut(r.path, other.span(r.start, r.end) if other else None, r.message))
        fixes = tuple(FixOut(fx.title, fx.safe, tuple(EditOut(index.span(e.start, e.end), e.new_text)
                                                        for e in fx.edits)) for fx in f.fixes)
        return FindingOut(display, index.span(f.start, f.end), f.code, int(f.severity or 2), f.message,
                          tuple(related), fixes)

    def _index_of(self, path: str) -> LineIndex | None:
        if path not in self._line_cache:
            try:
                with open(path, "rb") as fh:
                    self._line_cache[path] = LineIndex(fh.read())
            except OSError:
                self._line_cache[path] = None
        return self._line_cache[path]


_WORKER: Analyzer | None = None


def _worker_init(opts: Options) -> None:
    global _WORKER
    _WORKER = Analyzer(opts)


def _worker_run(paths: list[str]) -> list[FileResult]:
    assert _WORKER is not None
    return [_WORKER.file(p) for p in paths]


# -- finding the files ------------------------------------------------------------

def go_files(paths: Iterable[str], errors: list[str] | None = None) -> Iterator[str]:
    """Go files under the given paths, in order; vendor/ and testdata/ are skipped unless named.

    A directory named on the command line is walked even if it is called
    vendor or testdata; below it, such directories (and hidden or `_`
    directories, as the go tool ignores them) are skipped. A file named on the
    command line is checked whatever its name.
    """
    for p in paths:
        if os.path.isdir(p):
            for d, dirs, names in os.walk(p, onerror=lambda e: errors is not None and errors.append(
                    f"{e.filename}: {e.strerror}")):
                dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith((".", "_")))
                for n in sorted(names):
                    if n.endswith(".go") and not n.startswith((".", "_")):
                        yield os.path.join(d, n)
        elif os.path.exists(p):
            yield p
        elif errors is not None:
            errors.append(f"{p}: no such file or directory")


def _groups(files: list[str], target: int) -> list[list[str]]:
    """Files grouped by directory, a directory never split (a package stays on one worker and
    shares its package index); small directories are batched together up to `target` files."""
    by_dir: dict[str, list[str]] = {}
    for f in files:
        by_dir.setdefault(os.path.dirname(f), []).append(f)
    groups: list[list[str]] = []
    small: list[str] = []
    for fs in by_dir.values():
        if len(fs) >= target:
            groups.append(fs)
        else:
            small.extend(fs)
            if len(small) >= target:
                groups.append(small)
                small = []
    if small:
        groups.append(small)
    groups.sort(key=len, reverse=True)  # the longest first, for a short tail
    return groups


class Progress:
    """`[n/N] path` on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.done = 0
        self.enabled = enabled and total > 1
        self._last = 0.0

    def advance(self, n: int, path: str) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.05 and self.done < self.total:
            return
        self._last = now
        width = 60
        name = path if len(path) <= width else "..." + path[-width + 3:]
        sys.stderr.write(f"\r\x1b[K[{self.done}/{self.total}] {name}")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def analyze_files(files: list[str], opts: Options, jobs: int, progress: Progress) -> list[FileResult]:
    results: list[FileResult] = []
    if jobs <= 1 or len(files) < PARALLEL_MIN_FILES:
        analyzer = Analyzer(opts)
        for p in files:
            results.append(analyzer.file(p))
            progress.advance(1, p)
        return results
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    groups = _groups(files, max(8, min(64, len(files) // (jobs * 8) or 1)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(opts,)) as pool:
        futures = {pool.submit(_worker_run, g): g for g in groups}
        for fut in as_completed(futures):
            group = futures[fut]
            try:
                results.extend(fut.result())
            except BrokenProcessPool as e:
                results.extend(FileResult(p, (), (f"{p}: a worker process died: {e}",), (), (), ()) for p in group)
            except Exception as e:
                results.extend(FileResult(p, (), (), (f"{p}: internal error: {type(e).__name__}: {e}",), (), ())
                               for p in group)
            progress.advance(len(group), group[-1])
    return results


# -- output -----------------------------------------------------------------------

def _sorted(findings: Iterable[FindingOut]) -> list[FindingOut]:
    return sorted(findings, key=lambda f: (f.path, f.span.start.line, f.span.start.column, f.code, f.message))


def format_text(findings: list[FindingOut]) -> str:
    return "".join(f"{f.path}:{f.span.start.line}:{f.span.start.column}: {f.code}: {f.message}\n" for f in findings)


def _span_json(span: Span | None) -> dict:
    if span is None:
        return {}
    return {"line": span.start.line, "column": span.start.column,
            "end_line": span.end.line, "end_column": span.end.column}


def format_json(findings: list[FindingOut], urls: dict[str, str]) -> str:
    out = []
    for f in findings:
        out.append({
            "path": f.path, **_span_json(f.span), "code": f.code, "severity": SEVERITY_NAMES.get(f.severity),
            "message": f.message, "url": urls.get(f.code),
            "related": [{"path": r.path, **_span_json(r.span), "message": r.message} for r in f.related],
            "fixes": [{"title": fx.title, "safe": fx.safe,
                       "edits": [{**_span_json(e.span), "new_text": e.new_text} for e in fx.edits]}
                      for fx in f.fixes],
        })
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    if os.path.isabs(path):
        from pathlib import Path

        return Path(path).as_uri()
    return quote(path.replace(os.sep, "/"))


def _region(span: Span) -> dict:
    return {"startLine": span.start.line, "startColumn": span.start.column16,
            "endLine": span.end.line, "endColumn": span.end.column16}


def _location(path: str, span: Span | None) -> dict:
    loc: dict = {"artifactLocation": {"uri": _uri(path)}}
    if span is not None:
        loc["region"] = _region(span)
    return {"physicalLocation": loc}


def sarif_log(findings: list[FindingOut], checks, ok: bool) -> dict:
    """A SARIF 2.1.0 log: one run, the checks as rules, findings as results with their fixes."""
    rules = []
    index = {}
    for i, c in enumerate(checks):
        index[c.code] = i
        body = _doc_body(c.doc)
        rules.append({
            "id": c.code,
            "name": "".join(w.capitalize() for w in c.code.split("-")),
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": body or c.title},
            "helpUri": c.url,
            "help": {"text": body or c.title, "markdown": body or c.title},
            "defaultConfiguration": {"level": SARIF_LEVELS[int(c.severity)], "enabled": bool(c.enabled)},
        })
    results = []
    for f in findings:
        r: dict = {
            "ruleId": f.code,
            "level": SARIF_LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [_location(f.path, f.span)],
        }
        if f.code in index:
            r["ruleIndex"] = index[f.code]
        if f.related:
            r["relatedLocations"] = [{"id": i, **_location(rel.path, rel.span), "message": {"text": rel.message}}
                                     for i, rel in enumerate(f.related)]
        if f.fixes:
            r["fixes"] = [{
                "description": {"text": fx.title},
                "artifactChanges": [{
                    "artifactLocation": {"uri": _uri(f.path)},
                    "replacements": [{"deletedRegion": _region(e.span), "insertedContent": {"text": e.new_text}}
                                     for e in fx.edits],
                }],
            } for fx in f.fixes]
        results.append(r)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": SOURCE, "version": __version__, "semanticVersion": __version__,
                                "informationUri": PROJECT_URL, "rules": rules}},
            "columnKind": "utf16CodeUnits",
            "invocations": [{"executionSuccessful": ok}],
            "results": results,
        }],
    }


def _doc_body(doc: str) -> str:
    from plumber.docs import doc_parts

    _, body, fix = doc_parts(doc)
    return body + (f"\n\nFix: {fix}" if fix else "")


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s


def format_github(findings: list[FindingOut]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's diff."""
    out = []
    for f in findings:
        props = (f"file={_gh_escape(f.path, True)},line={f.span.start.line},col={f.span.start.column},"
                 f"endLine={f.span.end.line},endColumn={f.span.end.column},title={_gh_escape(f.code, True)}")
        out.append(f"::{GITHUB_LEVELS.get(f.severity, 'warning')} {props}::{_gh_escape(f.code + ': ' + f.message)}\n")
    return "".join(out)


# -- the command ------------------------------------------------------------------

class UsageError(Exception):
    pass


def _codes(value: str | None, known: set[str], flag: str) -> frozenset[str] | None:
    if value is None:
        return None
    codes = frozenset(c.strip() for c in value.split(",") if c.strip())
    unknown = sorted(codes - known)
    if unknown:
        raise UsageError(f"{flag}: unknown check code{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(unknown)}; known codes: {', '.join(sorted(known))}")
    return codes


def cmd_check(args: argparse.Namespace) -> int:
    from plumber.engine import registry

    checks = registry()
    known = {c.code for c in checks}
    try:
        select = _codes(args.select, known, "--select")
        ignore = _codes(args.ignore, known, "--ignore") or frozenset()
        if args.paths.count(STDIN) > 1:
            raise UsageError("'-' (standard input) may be given only once")
        if args.jobs is not None and args.jobs < 1:
            raise UsageError("--jobs must be at least 1")
    except UsageError as e:
        print(f"plumber check: error: {e}", file=sys.stderr)
        return 2
    opts = Options(select, ignore, args.fix)
    errors: list[str] = []
    seen: set[str] = set()
    files = []
    for p in go_files([p for p in args.paths if p != STDIN], errors):
        key = os.path.normpath(os.path.abspath(p))
        if key not in seen:  # a file named twice (a/x.go, ./a/x.go) is checked once
            seen.add(key)
            files.append(p)
    jobs = args.jobs or os.cpu_count() or 1
    progress = Progress(len(files), sys.stderr.isatty())
    results = analyze_files(files, opts, jobs, progress)
    progress.finish()
    if STDIN in args.paths:
        results.append(_check_stdin(args, opts))

    findings: list[FindingOut] = []
    warned: set[str] = set()
    status = 0
    for r in results:
        errors.extend(r.errors)
        for w in r.warnings:
            if w not in warned:
                warned.add(w)
                print(f"plumber: warning: {w}", file=sys.stderr)
        for failure in r.failures:
            print(f"plumber: {failure}", file=sys.stderr)
        if r.fixed:
            n = sum(c for _, c in r.fixed)
            detail = ", ".join(f"{code} x{c}" if c > 1 else code for code, c in r.fixed)
            print(f"plumber: fixed {n} finding{'s' if n != 1 else ''} in {r.path} ({detail})", file=sys.stderr)
        if r.output is not None:
            sys.stdout.buffer.write(r.output)
            sys.stdout.flush()
        findings.extend(r.findings)
    for e in errors:
        print(f"plumber: {e}", file=sys.stderr)
    findings = _sorted(findings)

    run_checks = [c for c in checks if (select is None or c.code in select) and c.code not in ignore]
    fixed_stdin = args.fix and STDIN in args.paths
    out = sys.stderr if fixed_stdin else sys.stdout  # stdout carries the fixed text
    if args.format == "text":
        out.write(format_text(findings))
    elif args.format == "json":
        out.write(format_json(findings, {c.code: c.url for c in checks}))
    elif args.format == "sarif":
        out.write(json.dumps(sarif_log(findings, run_checks, not errors), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "github":
        out.write(format_github(findings))
    out.flush()
    if findings and args.format == "text":
        nfiles = len({f.path for f in findings})
        print(f"plumber: {len(findings)} finding{'s' if len(findings) != 1 else ''} in {nfiles} "
              f"file{'s' if nfiles != 1 else ''}", file=sys.stderr)
    if findings and not args.exit_zero:
        status = 1
    if errors:
        status = 2
    return status


def _check_stdin(args: argparse.Namespace, opts: Options) -> FileResult:
    display = args.stdin_filename or STDIN_NAME
    try:
        source = sys.stdin.buffer.read()
    except OSError as e:
        return FileResult(display, (), (f"{display}: cannot read standard input: {e}",), (), (), ())
    analyzer = Analyzer(opts)
    try:
        result, new_source = analyzer.source(display, args.stdin_filename, source)
    except Exception as e:
        return FileResult(display, (), (), (f"{display}: internal error: {type(e).__name__}: {e}",), (), ())
    if opts.fix:
        result = result._replace(output=new_source if new_source is not None else source)
    return result


def cmd_serve(args: argparse.Namespace) -> int:
    from plumber.server import start

    start(tcp=args.tcp)
    return 0


CHECK_HELP = """\
Check Go files and directories for leaks.

Prints one line per finding, sorted by path and line:

    path:line:column: code: message

Lines and columns are 1-based; columns count UTF-8 bytes, as go vet does
(SARIF output uses UTF-16 code units, its default column kind).
Directories are walked recursively; vendor/, testdata/, node_modules/ and
directories whose name starts with "." or "_" are skipped unless named on
the command line.
"-" reads a file from standard input (shown as <stdin>, or as the name given
by --stdin-filename, which also locates its plumber.toml and go.mod).

Each file is checked with the settings of the nearest plumber.toml or
.plumber.toml above it ("enabled" and "severity" per check).

Exit status: 0 no findings, 1 findings, 2 usage or I/O error.
"""


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="plumber", description="Find Go memory, resource and goroutine leaks.")
    ap.add_argument("--version", action="version", version=f"plumber {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="{check,serve,profile}")
    check = sub.add_parser("check", help="check Go files and directories", description=CHECK_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="+", metavar="PATH", help="Go files or directories; - for standard input")
    check.add_argument("--format", choices=FORMATS, default="text",
                       help="output format: text (default), json, sarif (SARIF 2.1.0), github (Actions annotations)")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes in place (re-analysing between rounds) and report them on stderr; "
                            "with -, the fixed text goes to stdout and the findings left to stderr")
    check.add_argument("--select", metavar="CODES",
                       help="comma-separated check codes to run (even checks disabled by default or configuration)")
    check.add_argument("--ignore", metavar="CODES", help="comma-separated check codes not to run")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--stdin-filename", metavar="PATH",
                       help="the path of the file read from standard input (for display, plumber.toml and go.mod)")
    check.add_argument("-j", "--jobs", type=int, metavar="N",
                       help="worker processes for large trees (default: every core)")
    check.set_defaults(func=cmd_check)
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="speak LSP over stdin/stdout (the default)")
    serve.add_argument("--tcp", metavar="HOST:PORT")
    serve.set_defaults(func=cmd_serve)
    from plumber.runtime.cli import add_parser as add_profile_parser

    add_profile_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
