"""The package index: what package-wide checks know about the other files of a directory.

Each file of the package contributes a per-check summary (a small, picklable
value computed by the check's `summarize`). Summaries are cached per file and
recomputed only when that file changes: an open buffer by version, a file on
disk by modification time. Sibling files are parsed once, summarized, and
their trees dropped.
"""

from __future__ import annotations

import os
import weakref
from typing import TYPE_CHECKING, Any, Callable

from plumber.golang import new_parser

if TYPE_CHECKING:
    from plumber.check import Check
    from plumber.context import FileContext

# An open buffer: (version key, source bytes, tree), or None when the file is not open.
Overlay = Callable[[str], "tuple[Any, bytes, Any] | None"]


def package_files(directory: str) -> list[str]:
    """The non-test Go files of a directory, sorted."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(os.path.join(directory, n) for n in names
                  if n.endswith(".go") and not n.endswith("_test.go") and not n.startswith((".", "_")))


class PackageIndex:
    def __init__(self, make_context: Callable[[str, bytes, Any], "FileContext"], overlay: Overlay | None = None):
        self._make_context = make_context
        self.overlay = overlay or (lambda path: None)
        # (check code, path) -> (version key, package name, summary)
        self._summaries: dict[tuple[str, str], tuple[Any, str | None, Any]] = {}
        self._parser = new_parser()
        self._listing: dict[str, list[str]] = {}

    def invalidate_directory(self, directory: str) -> None:
        """Forget the file list of a directory (a file was created or deleted)."""
        self._listing.pop(os.path.abspath(directory), None)

    def forget(self, path: str) -> None:
        path = os.path.abspath(path)
        for key in [k for k in self._summaries if k[1] == path]:
            del self._summaries[key]

    def files(self, directory: str) -> list[str]:
        directory = os.path.abspath(directory)
        if directory not in self._listing:
            self._listing[directory] = package_files(directory)
        return self._listing[directory]

    def summary(self, check: "Check", path: str, ctx: "FileContext | None" = None) -> tuple[str | None, Any]:
        """(package name, summary) of one file for one check, from cache when unchanged."""
        path = os.path.abspath(path)
        open_doc = self.overlay(path)
        if open_doc is not None:
            key = ("open", open_doc[0])
        else:
            try:
                key = ("disk", os.stat(path).st_mtime_ns)
            except OSError:
                return None, None
        cached = self._summaries.get((check.code, path))
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
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
            ctx = self._make_context(path, source, tree)
        value = check.summarize(ctx) if check.summarize else None
        self._summaries[(check.code, path)] = (key, ctx.package_name, value)
        return ctx.package_name, value


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

    def summaries(self, check: "Check") -> dict[str, Any]:
        """path -> summary for every non-test file of the package, this file's included (from the live context)."""
        out: dict[str, Any] = {}
        own_pkg = self.ctx.package_name
        if self.path is not None and not self.ctx.is_test_file:
            out[self.path] = check.summarize(self.ctx) if check.summarize else None
        if self.directory is None:
            return out
        for p in self.index.files(self.directory):
            if p == self.path:
                continue
            pkg, value = self.index.summary(check, p)
            if pkg is not None and pkg == own_pkg:
                out[p] = value
        return out
