"""Analysing files for `plumber check` in this process: one engine and parser, a file at a time.

`FileAnalyzer` reads, analyses and (with --fix) fixes and rewrites one file
after another, a directory at a time so that one parse of each file serves
the package-wide checks of its siblings; what it finds comes back as a
`FileResult`, a plain tuple that a pool worker (`worker.py`) can send to
its parent.
"""

from __future__ import annotations

import itertools
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from plumber.core.checks import Check
from plumber.core.positions import Lines
from plumber.core.settings import Problem, Settings
from plumber.report.model import FindingOut, display_path, finding_out
from plumber.syntax.files import read_regular, write_atomic


class FileResult(NamedTuple):
    path: str  # as shown (relative to the working directory)
    findings: tuple[FindingOut, ...]
    errors: tuple[str, ...]  # I/O errors
    failures: tuple[str, ...]  # internal errors and check failures: the gate is not whole, exit status 2
    problems: tuple[Problem, ...]  # of the config files read for this file
    fixed: tuple[tuple[str, int], ...]  # (code, count) of the fixes applied
    output: bytes | None = None  # the fixed text of stdin, written to stdout
    diff: str = ""  # with --diff: the fixes as a unified diff
    skipped: str | None = None  # "excluded" or "generated": not analysed


def failed(path: str, message: str) -> FileResult:
    return FileResult(path, (), (), (message,), (), ())


class Options(NamedTuple):
    select: frozenset[str] | None  # None: the checks enabled by configuration
    ignore: frozenset[str]
    fix: bool
    unsafe: bool = False  # --unsafe-fixes: the first fix of each finding, safe or not
    diff: bool = False  # --diff: run the fixes, write nothing, return their diff
    include_generated: bool = False
    roots: tuple[str, ...] = ()  # real paths of the paths named: --fix writes through a symlink only into them


def unified_diff(display: str, old: bytes, new: bytes) -> str:
    import difflib

    a = old.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    b = new.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, f"a/{display}", f"b/{display}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


class FileAnalyzer:
    """One Engine and parser; analyses (and fixes) one file at a time.

    `on_written(path, fixed)` is told of every file as soon as its fixes are on disk (a pool
    worker sends it to the parent at once, so a run stopped half-way still reports it)."""

    def __init__(self, opts: Options, registry: Sequence[Check] | None = None, on_written=None):
        from plumber.driver.engine import Engine
        from plumber.syntax.parser import new_parser

        self.opts = opts
        self.engine = Engine(registry, batch=True)  # it is told of every file it rewrites
        self.parser = new_parser()
        self._lines: dict[str, Lines | None] = {}
        self.on_written = on_written

    def checks_for(self, settings) -> list[Check]:
        if self.opts.select is not None:  # named on the command line: run even if disabled by default
            checks = [c for c in self.engine.static_checks if c.code in self.opts.select]
        else:
            checks = self.engine.enabled_checks(settings)
        return [c for c in checks if c.code not in self.opts.ignore]

    def files(self, paths: Sequence[str]) -> Iterator[FileResult]:
        """The results of `paths`, in order, a directory at a time: each file of a directory is read
        and parsed once, before any is analysed, and that one parse serves its own analysis and its
        siblings' (the package index's summaries, the module index's facts)."""
        for _directory, group in itertools.groupby(paths, key=lambda p: os.path.dirname(os.path.abspath(p))):
            batch = list(group)
            self.preload(batch)
            try:
                for p in batch:
                    yield self.file(p)
            finally:
                self.engine.disk.clear()

    def preload(self, paths: Sequence[str]) -> None:
        """Read and parse the files of one directory into the engine's `disk` (unreadable ones are
        reported by `file`)."""
        disk = self.engine.disk
        for p in paths:
            try:
                source = read_regular(p)
            except OSError:
                continue
            disk.add(p, source, self.parser.parse(source) if disk.room(len(source)) else None)

    def file(self, path: str) -> FileResult:
        display = display_path(path)
        got = self.engine.disk(os.path.abspath(path))
        tree = None
        if got is not None:
            source, tree = got[1], got[2]
        else:
            try:
                source = read_regular(path)
            except OSError as e:
                return FileResult(display, (), (f"{display}: {e.strerror or e}",), (), (), ())
        try:
            result, new_source = self.source(display, path, source, tree=tree)
            if new_source is None or new_source == source:
                return result
            if self.opts.diff:
                return result._replace(diff=unified_diff(display, source, new_source))
            announce = None if self.on_written is None else (lambda: self.on_written(display, result.fixed))
            error = self.write(path, new_source, announce)
            self.engine.file_changed(path)  # written or not, ask the disk again
            if error is None:
                return result
            # Not written: report the findings of the text on disk, and no "fixed".
            result, _ = self.source(display, path, source, fix=False)
            return result._replace(errors=(f"{display}: {error}",))
        except Exception as e:  # never crash on one file; but the file was not checked: exit status 2
            return failed(display, f"{display}: internal error: {type(e).__name__}: {e}")

    def write(self, path: str, text: bytes, announce: Callable[[], None] | None = None) -> str | None:
        """Write the fixed text in place (atomically); why not, or None once it is on disk.
        `announce` runs once it is, before a pending SIGINT/SIGTERM can end the process: a file
        rewritten is always reported."""
        real = os.path.realpath(path)
        if real != os.path.abspath(path) and not _inside(real, self.opts.roots):
            return f"a symlink to {real}, outside the paths checked: the fixes are not written"
        try:
            mode = os.stat(real).st_mode
        except OSError as e:
            return _cannot_write(e)
        if not mode & 0o222 or not os.access(real, os.W_OK):
            return "read-only: the fixes are not written"
        # SIGINT/SIGTERM wait for the rename (the file is either the old text or the new one)
        # and for its announcement
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            try:
                write_atomic(real, text)
            except OSError as e:
                return _cannot_write(e)
            if announce is not None:
                announce()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return None

    def source(
        self, display: str, path: str | None, source: bytes, fix: bool | None = None, tree=None
    ) -> tuple[FileResult, bytes | None]:
        """Analyse (and with --fix, fix) one buffer; `path` locates its config, go.mod and package;
        `tree`: `source` already parsed."""
        from plumber.driver.engine import describe_failure
        from plumber.driver.fixes import fix_until_stable

        settings, problems = self.engine.settings_for(path)
        if self.opts.include_generated:
            settings = settings.merged(Settings(generated=True))
        checks = self.checks_for(settings)
        engine = self.engine

        def analyze(text: bytes, tree=None):
            ctx = engine.context(path, text, tree or self.parser.parse(text))
            return engine.analyze(ctx, settings, checks)

        if tree is None:
            tree = self.parser.parse(source)
        skipped = engine.skipped(engine.context(path, source, tree), settings)
        if skipped is not None:
            return FileResult(display, (), (), (), tuple(problems), (), skipped=skipped), None
        findings, failures = analyze(source, tree)
        fixed: dict[str, int] = {}
        new_source = None
        if (self.opts.fix or self.opts.diff) if fix is None else fix:
            result = fix_until_stable(source, findings, analyze, failures, unsafe=self.opts.unsafe)
            findings, failures, fixed = result.findings, result.failures, dict(result.fixed)
            new_source = result.source if result.changed(source) else None
            source = result.source
        lines = Lines(source) if findings else None  # O(file): only when there is something to place

        def related_lines(other: str) -> tuple[str, Lines | None]:
            if path is not None and os.path.abspath(other) == os.path.abspath(path):
                return display, lines
            return display_path(other), self._lines_of(other)

        out = tuple(finding_out(display, lines, f, related_lines) for f in findings) if lines else ()
        return FileResult(
            display,
            out,
            (),
            tuple(describe_failure(f) for f in failures),
            tuple(problems),
            tuple(sorted(fixed.items())),
        ), new_source

    def _lines_of(self, path: str) -> Lines | None:
        if path not in self._lines:
            try:
                self._lines[path] = Lines(read_regular(path))
            except OSError:
                self._lines[path] = None
        return self._lines[path]


def _cannot_write(e: OSError) -> str:
    return f"cannot write the fixes: {e.strerror or e}; the file is unchanged"


def _inside(real: str, roots: Sequence[str]) -> bool:
    """Whether the real path `real` is one of `roots` or lies under one."""
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)
