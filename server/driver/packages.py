"""The package index: what package-wide checks know about the other files of a directory.

Each file of the package contributes a per-check summary (a small, picklable
value computed by the check's `summarize`). Summaries are cached per file and
recomputed only when that file changes: an open buffer by version, a file on
disk by modification time and size. A sibling file is parsed at most once per
change, and all the summaries the index knows how to make are computed from
that one parse; its tree is then dropped.

Keeping it fresh (the server's job; the index never watches the disk itself):
- a file was changed on disk (didChangeWatchedFiles "changed", didSave):
  nothing is required (the mtime key notices), `forget(path)` frees it early;
- a file was created or deleted (didChangeWatchedFiles "created"/"deleted"),
  or renamed: `invalidate_directory(dirname)`, and `forget(path)` for a deleted one;
- a buffer was opened, changed or closed: the overlay answers with the
  buffer's version while it is open, with None after didClose (the disk
  version is read again); `forget(path)` on didClose drops the stale entry.
`refresh(path)` does the right thing for any of these events.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from plumber.syntax.files import read_regular
from plumber.syntax.nodes import check_budget, walking
from plumber.syntax.parser import new_parser

if TYPE_CHECKING:
    from plumber.analysis.context import FileContext
    from plumber.core.checks import Check

# An open buffer: (version key, source bytes, tree), or None when the file is not open.
Overlay = Callable[[str], "tuple[Any, bytes, Any] | None"]
# The paths of the open buffers in a directory (saved or not: a new file may not be on disk yet).
OpenFiles = Callable[[str], Iterable[str]]
# A file as on disk that the driver already read (and parsed): (disk version key, source, tree or None).
Parsed = Callable[[str], "tuple[Any, bytes, Any] | None"]

_MISSING = object()


def disk_version(path: str) -> Any:
    """A key that changes with a file on disk: ("disk", mtime, size); None when it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return ("disk", st.st_mtime_ns, st.st_size)


class DiskVersions:
    """`disk_version` of each file, asked of the disk every time, or (`cached`) once until `forget`:
    for a driver that is told of every change (the CLI, which changes files only by its own fixes)."""

    def __init__(self, cached: bool = False):
        self.cached = cached
        self.generation = 0  # bumped whenever something is forgotten: what was derived from the disk is stale
        self._keys: dict[str, Any] = {}
        self._names: dict[str, list[str]] = {}

    def __call__(self, path: str) -> Any:
        if not self.cached:
            return disk_version(path)
        key = self._keys.get(path, _MISSING)
        if key is _MISSING:
            key = self._keys[path] = disk_version(path)
        return key

    def listdir(self, directory: str) -> list[str]:
        """The names in a directory (empty when unreadable); once per directory when `cached`."""
        got = self._names.get(directory) if self.cached else None
        if got is None:
            try:
                got = os.listdir(directory)
            except OSError:
                got = []
            if self.cached:
                self._names[directory] = got
        return got

    def forget(self, path: str | None = None) -> None:
        """Ask the disk again: for `path` (and its directory's listing), or (None) for every file."""
        self.generation += 1
        if path is None:
            self._keys.clear()
            self._names.clear()
        else:
            path = os.path.abspath(path)
            self._keys.pop(path, None)
            self._names.pop(os.path.dirname(path), None)


class DiskTrees:
    """The files of the directory a driver is analysing, read and parsed once for every use: their
    own analysis, the package index's summaries and the module index's facts (`Parsed`). Trees are
    kept up to `budget` bytes of source (a tree is ~20x its text); past it only the text is kept
    (the file is then parsed again where it is needed, but read once)."""

    def __init__(self, versions: Callable[[str], Any], budget: int = 8_000_000):
        self.versions = versions
        self.budget = budget
        self._files: dict[str, tuple[Any, bytes, Any]] = {}
        self._kept = 0

    def __call__(self, path: str) -> tuple[Any, bytes, Any] | None:
        return self._files.get(path)

    def room(self, size: int) -> bool:
        """Whether the tree of a text of `size` bytes would be kept."""
        return self._kept + size <= self.budget

    def add(self, path: str, source: bytes, tree: Any) -> None:
        """Record a file just read from disk, and its tree (None: not parsed)."""
        path = os.path.abspath(path)
        keep = tree is not None and self.room(len(source))
        self._files[path] = (self.versions(path), source, tree if keep else None)
        if keep:
            self._kept += len(source)

    def clear(self) -> None:
        self._files.clear()
        self._kept = 0


def package_files(directory: str, tests: bool = False) -> list[str]:
    """The non-test Go files of a directory (`tests`: its test files), sorted."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(os.path.join(directory, n) for n in names if _package_file(n, tests))


def _package_file(name: str, tests: bool = False) -> bool:
    return name.endswith(".go") and name.endswith("_test.go") == tests and not name.startswith((".", "_"))


class PackageIndex:
    """Per-file summaries of the files of a directory, cached by file version.

    `checks`: the package-wide checks whose summaries are computed together
    whenever a file is read (more are learnt as they ask; a summary on demand,
    `Check.summary_on_demand`, only for the files asked). `parses` counts the
    sibling files parsed so far (open buffers are never parsed here).
    """

    def __init__(
        self,
        make_context: Callable[[str, bytes, Any], FileContext],
        overlay: Overlay | None = None,
        checks: Iterable[Check] = (),
        open_files: OpenFiles | None = None,
        versions: Callable[[str], Any] | None = None,
        parsed: Parsed | None = None,
    ):
        self._make_context = make_context
        self.overlay = overlay or (lambda path: None)
        self.open_files = open_files or (lambda directory: ())
        self.disk_version = versions or disk_version
        self.parsed: Parsed = parsed or (lambda path: None)
        # path -> (version key, package name, {check code: summary})
        self._files: dict[str, tuple[Any, str | None, dict[str, Any]]] = {}
        self._checks: dict[str, Check] = {
            c.code: c for c in checks if c.summarize is not None and not c.summary_on_demand
        }
        self._parser = new_parser()
        self._listing: dict[tuple[str, bool], list[str]] = {}
        self.parses = 0

    # -- keeping fresh ---------------------------------------------------

    def invalidate_directory(self, directory: str) -> None:
        """Forget the file lists of a directory (a file was created, deleted or renamed)."""
        for tests in (False, True):
            self._listing.pop((os.path.abspath(directory), tests), None)

    def forget(self, path: str) -> None:
        """Drop the cached summaries of one file (changed, closed or deleted)."""
        self._files.pop(os.path.abspath(path), None)

    def refresh(self, path: str, created_or_deleted: bool = False) -> None:
        """One call for any event about `path`: forget it, and its directory's listing when
        the file appeared or disappeared."""
        self.forget(path)
        if created_or_deleted:
            self.invalidate_directory(os.path.dirname(os.path.abspath(path)))

    # -- reading -----------------------------------------------------------

    def files(self, directory: str, tests: bool = False) -> list[str]:
        """The package's files (`tests`: its test files): those on disk and the open buffers of the directory
        not saved yet."""
        directory = os.path.abspath(directory)
        key = (directory, tests)
        if key not in self._listing:
            self._listing[key] = package_files(directory, tests)
        listed = self._listing[key]
        unsaved = [
            p for p in self.open_files(directory) if _package_file(os.path.basename(p), tests) and p not in listed
        ]
        return sorted(listed + unsaved) if unsaved else listed

    def _version(self, path: str) -> Any:
        """A key that changes with the file (the open buffer's version, else mtime and size); None when gone."""
        open_doc = self.overlay(path)
        if open_doc is not None:
            return ("open", open_doc[0])
        return self.disk_version(path)

    def current(self, path: str, source: bytes) -> Any:
        """The version key of `path` when `source` is the very text this index reads for it (an open
        buffer's, or the driver's read of the disk file), else None."""
        open_doc = self.overlay(path)
        if open_doc is not None:
            return ("open", open_doc[0]) if open_doc[1] is source else None
        got = self.parsed(path)
        if got is None or got[1] is not source:
            return None
        key = self.disk_version(path)
        return key if key == got[0] else None

    def summary(self, check: Check, path: str, ctx: FileContext | None = None) -> tuple[str | None, Any]:
        """(package name, summary) of one file for one check, from cache when unchanged."""
        path = os.path.abspath(path)
        if check.summarize is not None and not check.summary_on_demand and check.code not in self._checks:
            self._checks[check.code] = check
        key = self._version(path)
        if key is None:
            self._files.pop(path, None)
            return None, None
        cached = self._files.get(path)
        if cached is not None and cached[0] == key:
            value = cached[2].get(check.code, _MISSING)
            if value is not _MISSING:
                return cached[1], value
        if ctx is None:
            check_budget()  # a check point per sibling parsed: a superseded cold run stops soon
            got = self.read(path, key)
            if got is None:
                return None, None
            # A walk of its own: the per-analysis memo (combined query answers, scopes) of a sibling
            # holds its nodes, so its tree; under the live file's walk, every sibling's would stay
            # until that analysis ends (100 MB at the peak for runtime/).
            ctx = self._make_context(path, got[0], got[1])
            ctx.memoize = False
            with walking(got[1].root_node):
                return self._summarize(check, path, key, cached, ctx)
        return self._summarize(check, path, key, cached, ctx)

    def _summarize(
        self, check: Check, path: str, key: Any, cached: tuple | None, ctx: FileContext
    ) -> tuple[str | None, Any]:
        values = dict(cached[2]) if cached is not None and cached[0] == key else {}
        # Summarize for every known package-wide check at once: one parse serves them all (each reads
        # what it requires: a live context's restriction to the running check is lifted meanwhile).
        allowed, ctx.allowed = ctx.allowed, None
        try:
            for c in self._checks.values():
                if c.code not in values and c.summarize is not None:
                    values[c.code] = c.summarize(ctx)
            if check.code not in values:
                values[check.code] = check.summarize(ctx) if check.summarize else None
        finally:
            ctx.allowed = allowed
        self._files[path] = (key, ctx.package_name, values)
        return ctx.package_name, values[check.code]

    def read(self, path: str, key: Any = None) -> tuple[bytes, Any] | None:
        """(text, tree) of a file: the open buffer's when it is open, else the driver's parse of it
        (when still at version `key`), else parsed from disk; None when unreadable."""
        open_doc = self.overlay(path)
        if open_doc is not None:
            source, tree = open_doc[1], open_doc[2]
            return source, tree if tree is not None else self._parser.parse(source)
        got = self.parsed(path)
        if got is not None and got[0] == (key if key is not None else self.disk_version(path)):
            if got[2] is not None:
                return got[1], got[2]
            source = got[1]
        else:
            try:
                source = read_regular(path)
            except OSError:
                return None
        self.parses += 1
        return source, self._parser.parse(source)


class PackageView:
    """The package of one file, as a check sees it."""

    @property
    def ctx(self) -> FileContext:
        ctx = self._ctx()
        assert ctx is not None, "a package view outlived its file context"
        return ctx

    def __init__(self, index: PackageIndex, ctx: FileContext):
        self.index = index
        # Weakly: ctx.package is this view, and a ctx <-> view cycle would keep every
        # context's source and tree alive until the cyclic GC ran (megabytes per keystroke).
        self._ctx = weakref.ref(ctx)
        self.path = os.path.abspath(ctx.path) if ctx.path else None
        self.directory = os.path.dirname(self.path) if self.path else None
        self._own: dict[str, Any] = {}
        self._all: dict[str, dict[str, Any]] = {}

    def own_summary(self, check: Check) -> Any:
        """This file's summary, from the live context (computed once per view; when the context's
        text is the one the index reads for the file, the index's summary, shared with its siblings)."""
        if check.code not in self._own:
            ctx = self.ctx
            if self.path is not None and check.summarize is not None and self.index.current(self.path, ctx.source):
                self._own[check.code] = self.index.summary(check, self.path, ctx)[1]
            else:
                self._own[check.code] = check.summarize(ctx) if check.summarize else None
        return self._own[check.code]

    def summaries(self, check: Check) -> dict[str, Any]:
        """path -> summary for every non-test file of the package, this file's included (from the live context).

        Siblings are the files of the directory that declare the same package
        name; a test file sees the package it belongs to but adds nothing.
        """
        if check.code in self._all:
            return self._all[check.code]
        out: dict[str, Any] = {}
        own_pkg = self.ctx.package_name
        if own_pkg is not None and own_pkg.endswith("_test"):
            own_pkg = own_pkg[: -len("_test")]
        if self.path is not None and not self.ctx.is_test_file:
            out[self.path] = self.own_summary(check)
        if self.directory is not None and own_pkg is not None:
            self._add_siblings(out, check, self.index.files(self.directory), own_pkg)
        self._all[check.code] = out
        return out

    def callers(self, check: Check) -> dict[str, Any]:
        """path -> summary of every file that can call this file's unexported functions, this file's own from
        the live context: the files of its package clause in the directory, test files included, but for a
        test file only test files (a non-test file cannot name what a test file declares)."""
        key = "callers:" + check.code
        if key in self._all:
            return self._all[key]
        ctx = self.ctx
        out: dict[str, Any] = {}
        if self.path is not None:
            out[self.path] = self.own_summary(check)
        if self.directory is not None and ctx.package_name is not None:
            paths = self.index.files(self.directory, tests=True)
            if not ctx.is_test_file:
                paths = paths + self.index.files(self.directory)
            self._add_siblings(out, check, paths, ctx.package_name)
        self._all[key] = out
        return out

    def _add_siblings(self, out: dict[str, Any], check: Check, paths: list[str], package: str) -> None:
        """The summaries of the files among `paths` (this file's aside) that declare `package`."""
        for p in paths:
            if p == self.path:
                continue
            pkg, value = self.index.summary(check, p)
            if pkg == package:
                out[p] = value
