"""What the LSP server keeps of loaded profiles: one store of run-time findings per kind (no LSP types).

The findings of the last goroutine profile and of the last heap profile
loaded stay, each in its own `LoadedFindings`, until that kind is cleared or
loaded again. They were placed on the files as they were on disk; an open
buffer that has been edited since gets each finding on the line whose text is
unchanged (the recorded line, else the nearest line within 50 with the same
text), and loses it when no such line is left. The same holds for the
related information in the same file (a `created by` site, a call path).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from plumber.core.findings import Finding, Related
from plumber.core.positions import line_starts
from plumber.runtime import Options, ProfileError, RuntimeFindings, analyze
from plumber.syntax.files import read_regular

SEARCH_LINES = 50
GOROUTINE, HEAP = "goroutine", "heap"  # the kinds of run-time findings, as `Check.profiles` names them


@dataclass(frozen=True)
class _Anchor:
    line: int  # 0-based
    text: bytes  # the line's text, stripped


@dataclass
class _Placed:
    finding: Finding
    anchor: _Anchor
    related: tuple[tuple[Related, _Anchor | None], ...]


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
        for row in (anchor.line,) if delta == 0 else (anchor.line - delta, anchor.line + delta):
            got = span(row)
            if got is not None:
                return got
    return None


def _read(path: str) -> bytes:
    try:
        return read_regular(path)
    except OSError:
        return b""


class LoadedFindings:
    """The findings of one kind of loaded profile, anchored on the lines they were placed on."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[_Placed]] = {}

    def paths(self) -> set[str]:
        return set(self.by_path)

    def count(self) -> int:
        return sum(len(v) for v in self.by_path.values())

    def load(self, result: RuntimeFindings) -> None:
        """Keep `result` (placed on the files on disk) instead of what was loaded before.

        Reads the files: call it off the event loop."""
        by_path: dict[str, list[_Placed]] = {}
        for path in result.by_path:
            src = _read(path)
            for f in result.by_path[path]:
                rel = tuple((r, _anchor(src, r.start) if r.path is None else None) for r in f.related)
                by_path.setdefault(path, []).append(_Placed(f, _anchor(src, f.start), rel))
        self.by_path = by_path  # one assignment: the loop thread never sees half a load

    def clear(self) -> set[str]:
        """Forget them; the paths whose diagnostics must be re-published."""
        paths = self.paths()
        self.by_path = {}
        return paths

    def findings_for(self, path: str | None, source: bytes) -> list[Finding]:
        """The findings of a file, placed on its current text."""
        if path is None:
            return []
        placed = self.by_path.get(os.path.abspath(path))
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


class LoadedProfiles:
    """The run-time findings the server shows: one `LoadedFindings` per kind."""

    def __init__(self) -> None:
        self.goroutine = LoadedFindings()
        self.heap = LoadedFindings()

    def kinds(self) -> dict[str, LoadedFindings]:
        return {GOROUTINE: self.goroutine, HEAP: self.heap}

    def paths(self) -> set[str]:
        return self.goroutine.paths() | self.heap.paths()

    def findings_for(self, path: str | None, source: bytes) -> dict[str, list[Finding]]:
        """Per kind, the findings of a file placed on its current text (kinds with none left out)."""
        out = {}
        for kind, store in self.kinds().items():
            found = store.findings_for(path, source)
            if found:
                out[kind] = found
        return out


def load_goroutines(
    store: LoadedFindings, source: str, roots: list[str], options: Options = Options()
) -> dict[str, Any]:
    """Load a goroutine profile into `store` (blocking: call it off the event loop); returns a summary.

    Raises ProfileError."""
    if not roots:
        raise ProfileError("no workspace folder is open: frames cannot be placed")
    profile, result = analyze(source, roots, options)
    store.load(result)
    return {
        "source": source,
        "goroutines": profile.goroutines,
        "findings": store.count(),
        "files": sorted(store.paths()),
        "ambiguous": [a.describe() for a in result.ambiguous],
    }
