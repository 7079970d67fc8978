"""What the LSP server keeps of a loaded goroutine profile (no LSP types here).

The findings of the last `plumber.loadGoroutineProfile` stay until
`plumber.clearGoroutineProfile` or the next load. They were placed on the
files as they were on disk; an open buffer that has been edited since gets
each finding on the line whose text is unchanged (the recorded line, else the
nearest line within 50 with the same text), and loses it when no such line is
left.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from plumber.document import line_starts
from plumber.check import Finding, Related
from plumber.runtime import Options, ProfileError, analyze
from plumber.runtime.confirm import confirm

COMMAND_LOAD = "plumber.loadGoroutineProfile"
COMMAND_CLEAR = "plumber.clearGoroutineProfile"
SEARCH_LINES = 50


@dataclass(frozen=True)
class _Anchor:
    line: int  # 0-based
    text: bytes  # the line's text, stripped


@dataclass
class _Placed:
    finding: Finding
    anchor: _Anchor
    related: tuple[tuple[Related, _Anchor | None], ...]


@dataclass
class Loaded:
    source: str = ""
    goroutines: int = 0
    by_path: dict[str, list[_Placed]] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)


def _anchor(source: bytes, offset: int) -> _Anchor:
    start = source.rfind(b"\n", 0, offset) + 1
    end = source.find(b"\n", offset)
    end = len(source) if end < 0 else end
    return _Anchor(source.count(b"\n", 0, offset), source[start:end].strip())


def _relocate(source: bytes, starts: list[int], anchor: _Anchor) -> tuple[int, int] | None:
    """Byte range of the anchored line's trimmed text in `source`, or None when it is gone."""
    def span(row: int) -> tuple[int, int] | None:
        if not 0 <= row < len(starts):
            return None
        s = starts[row]
        e = starts[row + 1] - 1 if row + 1 < len(starts) else len(source)
        text = source[s:e]
        if text.strip() != anchor.text:
            return None
        lead = len(text) - len(text.lstrip())
        return s + lead, s + lead + len(anchor.text)

    for delta in range(SEARCH_LINES + 1):
        for row in ((anchor.line,) if delta == 0 else (anchor.line - delta, anchor.line + delta)):
            got = span(row)
            if got is not None:
                return got
    return None




def options_from(args: Any) -> tuple[str, Options]:
    """(source, options) from the command's arguments: ["path or URL"] or [{"source": ..., ...}]."""
    first = args[0] if isinstance(args, (list, tuple)) and args else args
    if isinstance(first, str) and first.strip():
        return first.strip(), Options()
    if isinstance(first, dict) and isinstance(first.get("source"), str) and first["source"].strip():
        o = Options()
        wait = first.get("minWaitMinutes", o.min_wait_minutes)
        count = first.get("minCount", o.min_count)
        if not isinstance(wait, int) or not isinstance(count, int) or wait < 0 or count < 1:
            raise ProfileError("minWaitMinutes must be an integer >= 0 and minCount an integer >= 1")
        return first["source"].strip(), Options(wait, count)
    raise ProfileError(f"{COMMAND_LOAD} takes a file path or an http://localhost URL, "
                       "or {\"source\": ..., \"minWaitMinutes\": 10, \"minCount\": 10}")


class RuntimeDiagnostics:
    def __init__(self) -> None:
        self.loaded = Loaded()

    def paths(self) -> set[str]:
        return set(self.loaded.by_path)

    def load(self, source: str, roots: list[str], options: Options = Options()) -> dict[str, Any]:
        """Load a profile (blocking: call it off the event loop); returns a summary. Raises ProfileError."""
        if not roots:
            raise ProfileError("no workspace folder is open: frames cannot be placed")
        profile, result = analyze(source, roots, options)
        loaded = Loaded(source, profile.goroutines, {}, [a.describe() for a in result.ambiguous])
        disk: dict[str, bytes] = {}

        def read(path: str) -> bytes:
            if path not in disk:
                with open(path, "rb") as fh:
                    disk[path] = fh.read()
            return disk[path]

        for path, f in result.all():
            src = read(path)
            rel = []
            for r in f.related:
                rel.append((r, _anchor(src, r.start) if r.path is None else None))
            loaded.by_path.setdefault(path, []).append(_Placed(f, _anchor(src, f.start), tuple(rel)))
        self.loaded = loaded
        n = sum(len(v) for v in loaded.by_path.values())
        return {"source": source, "goroutines": profile.goroutines, "findings": n,
                "files": sorted(loaded.by_path), "ambiguous": loaded.ambiguous}

    def clear(self) -> set[str]:
        """Forget the loaded profile; the paths whose diagnostics must be re-published."""
        paths = self.paths()
        self.loaded = Loaded()
        return paths

    def findings_for(self, path: str | None, source: bytes) -> list[Finding]:
        """The runtime findings of a file, placed on its current text."""
        if path is None:
            return []
        placed = self.loaded.by_path.get(os.path.abspath(path))
        if not placed:
            return []
        starts = line_starts(source)
        out = []
        for p in placed:
            span = _relocate(source, starts, p.anchor)
            if span is None:
                continue
            related = []
            for r, anchor in p.related:
                if anchor is None:
                    related.append(r)
                elif (rs := _relocate(source, starts, anchor)) is not None:
                    related.append(replace(r, start=rs[0], end=rs[1]))
            out.append(replace(p.finding, start=span[0], end=span[1], related=tuple(related)))
        return out

    def merge(self, path: str | None, source: bytes, root_of, static: list[Finding]) -> list[Finding]:
        """What to publish for a file: static findings (confirmed ones say so) and runtime ones.

        `root_of()` gives the file's syntax tree root; it is called only when a profile is loaded
        (the server may have released the tree of a document not being edited)."""
        from plumber.engine import suppressed

        runtime = [f for f in self.findings_for(path, source) if not suppressed(source, f)]
        if not runtime:
            return static
        return sorted(confirm(static, runtime, root_of()) + runtime, key=lambda f: (f.start, f.code))
