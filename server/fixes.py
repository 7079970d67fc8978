"""Applying fixes: composing the edits of many fixes and rewriting text."""

from __future__ import annotations

import re
from typing import Iterable

from plumber.check import Edit, Finding, Fix


def compose(fixes: Iterable[Fix]) -> tuple[list[Edit], list[Fix]]:
    """Edits of as many fixes as can go together, and the fixes taken.

    Fixes are taken in order; a fix whose edits overlap an edit already taken
    (other than an identical one, such as the same import) is left for a
    later round.
    """
    taken: list[Fix] = []
    edits: list[Edit] = []
    for fix in fixes:
        new = [e for e in fix.edits if e not in edits]
        if any(_overlaps(e, o) for e in new for o in edits):
            continue
        taken.append(fix)
        edits.extend(new)
    edits.sort(key=lambda e: (e.start, e.end))
    return edits, taken


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return False  # two insertions at one point keep their order; both apply
    return a.start < b.end and b.start < a.end or (a.start == b.start and (a.start == a.end or b.start == b.end))


def apply(source: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply non-overlapping edits (byte offsets into `source`)."""
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(source[pos:e.start])
        out.append(e.new_text.encode("utf-8", "surrogateescape"))
        pos = max(pos, e.end)
    out.append(source[pos:])
    return b"".join(out)


def safe_fixes(findings: Iterable[Finding]) -> list[Fix]:
    """The preferred fix of each finding, in document order."""
    return [f.fixes[0] for f in sorted(findings, key=lambda f: f.start) if f.fixes and f.fixes[0].safe]


def suppression_fix(source: bytes, f: Finding) -> Fix:
    """Add `//nolint:<code>` for the finding: extend a nolint comment on its line or the line
    above, else put one on a line of its own above (gofmt-clean, unlike a trailing comment that
    gofmt may want to align with its neighbours)."""
    start = source.rfind(b"\n", 0, f.start) + 1
    end = source.find(b"\n", f.start)
    end = len(source) if end < 0 else end
    title = f"Suppress {f.code} on this line"
    candidates = [(start, end)]
    if start > 0:
        pstart = source.rfind(b"\n", 0, start - 1) + 1
        if source[pstart:start - 1].lstrip().startswith(b"//"):
            candidates.append((pstart, start - 1))
    for s, e in candidates:
        m = re.compile(rb"//\s*nolint:([\w,-]+)").search(source, s, e)
        if m:
            return Fix(title, (Edit(m.end(1), m.end(1), "," + f.code),), safe=False)
    indent = re.match(rb"[ \t]*", source[start:end]).group(0).decode()
    nl = "\r\n" if source[end - 1:end] == b"\r" else "\n"
    return Fix(title, (Edit(start, start, f"{indent}//nolint:{f.code}{nl}"),), safe=False)
