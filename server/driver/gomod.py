"""The `go` directive of the nearest go.mod, cached and refreshed when go.mod changes."""

from __future__ import annotations

import os
import re

from plumber.syntax.files import read_regular

_GO_LINE = re.compile(rb"^\s*go\s+(\d+)\.(\d+)", re.M)
_MODULE_LINE = re.compile(rb"^\s*module\s+(\S+)", re.M)


def parse_go_version(text: bytes) -> tuple[int, int] | None:
    m = _GO_LINE.search(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


class GoModCache:
    """Finds the nearest go.mod above a directory; re-reads it when its mtime changes."""

    def __init__(self) -> None:
        self._dir_to_mod: dict[str, str | None] = {}
        self._mods: dict[str, tuple[float, bytes]] = {}

    def nearest(self, directory: str) -> str | None:
        directory = os.path.abspath(directory)
        if directory in self._dir_to_mod:
            return self._dir_to_mod[directory]
        seen = []
        found = None
        d = directory
        while True:
            if d in self._dir_to_mod:
                found = self._dir_to_mod[d]
                break
            seen.append(d)
            candidate = os.path.join(d, "go.mod")
            if os.path.isfile(candidate):
                found = candidate
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        for s in seen:
            self._dir_to_mod[s] = found
        return found

    def _content(self, gomod: str) -> bytes:
        try:
            mtime = os.stat(gomod).st_mtime
        except OSError:
            return b""
        cached = self._mods.get(gomod)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            data = read_regular(gomod)
        except OSError:
            data = b""
        self._mods[gomod] = (mtime, data)
        return data

    def go_version(self, path: str | None) -> tuple[int, int] | None:
        """The `go` version governing the file at `path` (None when unknown)."""
        if not path:
            return None
        gomod = self.nearest(os.path.dirname(os.path.abspath(path)))
        return parse_go_version(self._content(gomod)) if gomod else None

    def module(self, path: str) -> tuple[str, str] | None:
        """(module root directory, module path) of the go.mod governing the file at `path`."""
        gomod = self.nearest(os.path.dirname(os.path.abspath(path)))
        if gomod is None:
            return None
        m = _MODULE_LINE.search(self._content(gomod))
        if m is None:
            return None
        return os.path.dirname(gomod), m.group(1).decode("utf-8", "replace").strip('"')

    def requires(self, path: str | None, module: str) -> bool:
        if not path:
            return False
        gomod = self.nearest(os.path.dirname(os.path.abspath(path)))
        if not gomod:
            return False
        return re.search(rb"(^|\s)" + re.escape(module.encode()) + rb"\s+v", self._content(gomod)) is not None

    def invalidate(self, path: str | None = None) -> None:
        """Forget cached go.mod locations and contents (a go.mod was created, saved or deleted)."""
        self._dir_to_mod.clear()
        if path is None:
            self._mods.clear()
        else:
            self._mods.pop(os.path.abspath(path), None)
