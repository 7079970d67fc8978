"""What reporters print: findings as plain tuples with 1-based positions.

Plain tuples, so that the CLI's worker processes can send them back; built
from byte-offset findings with `core.positions.Lines`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from plumber.core.findings import Finding
from plumber.core.positions import Lines, Pos, Span

SEVERITY_NAMES = {1: "error", 2: "warning", 3: "information", 4: "hint"}


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
    line_hash: str = ""  # of the finding's first line (report.fingerprint)


def display_path(path: str, cwd: str | None = None) -> str:
    """How a path is shown: relative to the working directory (no "./"), absolute outside it."""
    if path.startswith("<"):
        return path  # <stdin>
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, cwd or os.getcwd())
    return absolute if rel == ".." or rel.startswith(".." + os.sep) else rel


_SPACE = re.compile(rb"\s+")


def line_hash(line: bytes) -> str:
    """The first 16 hex digits of the SHA-256 of a line, white space runs made one space, ends stripped."""
    return hashlib.sha256(_SPACE.sub(b" ", line).strip()).hexdigest()[:16]


def sort_findings(findings: Iterable[FindingOut]) -> list[FindingOut]:
    """By path, line, column, code and message: the order every format prints."""
    return sorted(findings, key=lambda f: (f.path, f.span.start.line, f.span.start.column, f.code, f.message))


def finding_out(
    display: str,
    lines: Lines,
    f: Finding,
    related_lines: Callable[[str], tuple[str, Lines | None]] | None = None,
) -> FindingOut:
    """`f` placed on `lines` (the text of its file, shown as `display`).

    `related_lines(path)` gives (display path, Lines or None) of another file a
    related location points into; None when a related location cannot be read.
    """
    related = []
    for r in f.related:
        if r.path is None:
            related.append(RelatedOut(display, lines.span(r.start, r.end), r.message))
        else:
            shown, other = related_lines(r.path) if related_lines is not None else (r.path, None)
            related.append(RelatedOut(shown, other.span(r.start, r.end) if other is not None else None, r.message))
    fixes = tuple(
        FixOut(fx.title, fx.safe, tuple(EditOut(lines.span(e.start, e.end), e.new_text) for e in fx.edits))
        for fx in f.fixes
    )
    row = lines.row(max(0, min(f.start, len(lines.source))))
    end = lines.starts[row + 1] if row + 1 < len(lines.starts) else len(lines.source)
    return FindingOut(
        display,
        lines.span(f.start, f.end),
        f.code,
        int(f.severity or 2),
        f.message,
        tuple(related),
        fixes,
        line_hash(lines.source[lines.starts[row] : end]),
    )


__all__ = [
    "SEVERITY_NAMES",
    "EditOut",
    "FindingOut",
    "FixOut",
    "Pos",
    "RelatedOut",
    "Span",
    "display_path",
    "finding_out",
    "line_hash",
    "sort_findings",
]
