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
from typing import TYPE_CHECKING, Any, Callable, Iterable

from plumber.golang import new_parser

if TYPE_CHECKING:
    from plumber.check import Check
    from plumber.context import FileContext

# An open buffer: (version key, source bytes, tree), or None when the file is not open.
Overlay = Callable[[str], "tuple[Any, bytes, Any] | None"]

_MISSING = object()


def package_files(directory: str) -> list[str]:
    """The non-test Go files of a directory, sorted."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(os.path.join(directory, n) for n in names
                  if n.endswith(".go") and not n.endswith("_test.go") and not n.startswith((".", "_")))


class PackageIndex:
    """Per-file summaries of the files of a directory, cached by file version.

    `checks`: the package-wide checks whose summaries are computed together
    whenever a file is read (more are learnt as they ask). `parses` counts the
    sibling files parsed so far (open buffers are never parsed here).
    """

    def __init__(self, make_context: Callable[[str, bytes, Any], "FileContext"], overlay: Overlay | None = None,
                 checks: Iterable["Check"] = ()):
        self._make_context = make_context
        self.overlay = overlay or (lambda path: None)
        # path -> (version key, package name, {check code: summary})
        self._files: dict[str, tuple[Any, str | None, dict[str, Any]]] = {}
        self._checks: dict[str, "Check"] = {c.code: c for c in checks if c.summarize is not None}
        self._parser = new_parser()
        self._listing: dict[str, list[str]] = {}
        self.parses = 0

    # -- keeping fresh ---------------------------------------------------

    def invalidate_directory(self, directory: str) -> None:
        """Forget the file list of a directory (a file was created, deleted or renamed)."""
        self._listing.pop(os.path.abspath(directory), None)

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

    def files(self, directory: str) -> list[str]:
        directory = os.path.abspath(directory)
        if directory not in self._listing:
            self._listing[directory] = package_files(directory)
        return self._listing[directory]

    def _version(self, path: str) -> tuple[Any, Any]:
        """(version key, open buffer or None); key None when the file is gone."""
        open_doc = self.overlay(path)
        if open_doc is not None:
            return ("open", open_doc[0]), open_doc
        try:
            st = os.stat(path)
        except OSError:
            return None, None
        return ("disk", st.st_mtime_ns, st.st_size), None

    def summary(self, check: "Check", path: str, ctx: "FileContext | None" = None) -> tuple[str | None, Any]:
        """(package name, summary) of one file for one check, from cache when unchanged."""
        path = os.path.abspath(path)
        if check.summarize is not None and check.code not in self._checks:
            self._checks[check.code] = check
        key, open_doc = self._version(path)
        if key is None:
            self._files.pop(path, None)
            return None, None
        cached = self._files.get(path)
        if cached is not None and cached[0] == key:
            value = cached[2].get(check.code, _MISSING)
            if value is not _MISSING:
                return cached[1], value
        if ctx is None:
            if open_doc is not None:
                source, tree = open_doc[1], open_doc[2]
                if tree is None:  # an idle open document whose tree was freed
                    tree = self._parser.parse(source)
            else:
                try:
                    with open(path, "rb") as f:
                        source = f.read()
                except OSError:
                    return None, None
                tree = self._parser.parse(source)
                self.parses += 1
            ctx = self._make_context(path, source, tree)
        values = dict(cached[2]) if cached is not None and cached[0] == key else {}
        # Summarize for every known package-wide check at once: one parse serves them all.
        for c in self._checks.values():
            if c.code not in values:
                values[c.code] = c.summarize(ctx)
        if check.code not in values:
            values[check.code] = check.summarize(ctx) if check.summarize else None
        self._files[path] = (key, ctx.package_name, values)
        return ctx.package_name, values[check.code]


class PackageView:
    """The package of one file, as a check sees it."""

    @property
    def ctx(self) -> "FileContext":
        return self._ctx()

    def __init__(self, index: PackageIndex, ctx: "FileContext"):
        self.index = index
        # Weakly: ctx.package is this view, and a ctx <-> view cycle would keep every
        # context's source and tree alive until the cyclic GC ran (megabytes per keystroke).
        self._ctx = weakref.ref(ctx)
        self.path = os.path.abspath(ctx.path) if ctx.path else None
        self.directory = os.path.dirname(self.path) if self.path else None
        self._own: dict[str, Any] = {}
        self._all: dict[str, dict[str, Any]] = {}

    def own_summary(self, check: "Check") -> Any:
        """This file's summary, from the live context (computed once per view)."""
        if check.code not in self._own:
            self._own[check.code] = check.summarize(self.ctx) if check.summarize else None
        return self._own[check.code]

    def summaries(self, check: "Check") -> dict[str, Any]:
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
        if self.directory is not None:
            for p in self.index.files(self.directory):
                if p == self.path:
                    continue
                pkg, value = self.index.summary(check, p)
                if pkg is not None and pkg == own_pkg:
                    out[p] = value
        self._all[check.code] = out
        return out
