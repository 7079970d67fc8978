"""Mapping a dump's frames (paths of the build machine) onto workspace files.

A frame `/build/src/example.com/svc/cmd/api/main.go:16` in `main.serve` maps
to the workspace file with the same base name whose path shares the longest
suffix of path components with it (`cmd/api/main.go`), never by the absolute
path alone. A candidate must also agree with the frame's function: its
package's import path (module path from the nearest go.mod plus the
directory) prefixes the function name (`example.com/svc/cmd/api.serve`), or
the function is in `main` and the file is a `package main` file. So the
standard library's `server.go` never lands on a workspace `server.go`.
A frame that maps to no workspace file is skipped; one that maps equally
well to several is ambiguous: reported, not guessed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from plumber.runtime.parse import Frame
from plumber.syntax.files import read_regular

SKIP_DIRS = {"vendor", "node_modules"}
_PACKAGE = re.compile(rb"^\s*package\s+(\w+)", re.M)
_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"]+)", re.M)


def components(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.replace("\\", "/").split("/") if p and p != ".")


def common_suffix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True)
class Ambiguous:
    frame: Frame
    candidates: tuple[str, ...]

    def describe(self) -> str:
        names = ", ".join(self.candidates)
        return (
            f"{self.frame.file}:{self.frame.line} ({self.frame.func}) matches "
            f"{len(self.candidates)} workspace files equally well: {names}; not placed"
        )


class Workspace:
    """The Go files under the workspace roots, indexed by base name."""

    def __init__(self, roots: list[str], files: list[str] | None = None):
        self.roots = [os.path.abspath(r) for r in roots]
        self._by_base: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._import: dict[str, str | None] = {}
        self._pkg: dict[str, str | None] = {}
        self._cache: dict[tuple[str, str], str | Ambiguous | None] = {}
        for path in files if files is not None else self._walk():
            path = os.path.abspath(path)
            self._by_base.setdefault(os.path.basename(path), []).append((components(path), path))

    def _walk(self):
        for root in self.roots:
            if os.path.isfile(root):
                yield root
                continue
            for d, dirs, names in os.walk(root):
                dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
                for n in sorted(names):
                    if n.endswith(".go"):
                        yield os.path.join(d, n)

    def _import_path(self, directory: str) -> str | None:
        """Import path of the package in `directory`, from the nearest go.mod's module line."""
        if directory in self._import:
            return self._import[directory]
        d, rel = directory, list[str]()
        result = None
        while True:
            gomod = os.path.join(d, "go.mod")
            if os.path.isfile(gomod):
                try:
                    m = _MODULE.search(read_regular(gomod))
                except OSError:
                    m = None
                if m:
                    result = "/".join([m.group(1).decode("utf-8", "replace")] + rel[::-1])
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            rel.append(os.path.basename(d))
            d = parent
        self._import[directory] = result
        return result

    def _package_name(self, path: str) -> str | None:
        if path not in self._pkg:
            try:
                head = read_regular(path)[:16384]
                m = _PACKAGE.search(head)
                self._pkg[path] = m.group(1).decode() if m else None
            except OSError:
                self._pkg[path] = None
        return self._pkg[path]

    def _agrees(self, func: str, path: str) -> bool:
        """Whether a frame in function `func` can come from the file at `path`."""
        if func.startswith("main."):
            return self._package_name(path) == "main"
        ip = self._import_path(os.path.dirname(path))
        if ip is None:  # no go.mod: the package's last path element must be the directory's name
            pkg = func.rsplit("/", 1)[-1].split(".", 1)[0].removesuffix("_test")
            return pkg == os.path.basename(os.path.dirname(path)) or pkg == self._package_name(path)
        return func.startswith(ip + ".") or func.startswith(ip + "_test.")

    def resolve(self, frame: Frame) -> str | Ambiguous | None:
        """The workspace file of a frame, an Ambiguous, or None (not workspace code)."""
        key = (frame.func, frame.file)
        if key in self._cache:
            return self._cache[key]
        comps = components(frame.file)
        result: str | Ambiguous | None = None
        if comps:
            scored = [
                (common_suffix(comps, c), p) for c, p in self._by_base.get(comps[-1], ()) if self._agrees(frame.func, p)
            ]
            if scored:
                best = max(s for s, _ in scored)
                top = sorted(p for s, p in scored if s == best)
                result = top[0] if len(top) == 1 else Ambiguous(frame, tuple(top))
        self._cache[key] = result
        return result
