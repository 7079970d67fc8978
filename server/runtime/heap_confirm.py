"""Static memory findings confirmed by a heap profile.

A finding of a check whose leak a heap profile can show (`substring-retention`,
`unbounded-cache`, ...) whose own line, or the
line its related information points at in the same file (where the large
buffer is made, for substring-retention), is a `heap-growth` site of the
loaded profile says so in its message:

    ... bound its size or expire entries (...) (confirmed: +4.0 MiB live here in the heap profile)
    ... copy it (confirmed: +39.1 MiB live in the heap profile where the large string is made)

Only in-use growth confirms (inuse_space or inuse_objects findings): memory
allocated and freed again is no leak. Like `confirm.confirm` for goroutines,
this works on the findings of one file, after the heap findings have been
placed on its current text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from plumber.core.findings import Finding
from plumber.runtime.check import HEAP_GROWTH

_AMOUNT = re.compile(r"^(\+?-?[\d.,]+ (?:B|KiB|MiB|GiB|TiB|objects?)) in use\b")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def confirm(static: Iterable[Finding], heap: Iterable[Finding], shown_by_heap: Callable[[str], bool]) -> list[Finding]:
    """`static` with the messages of heap-confirmed findings extended; order kept.

    `shown_by_heap(code)`: whether a heap profile can show that check's leak (`Check.profiles`)."""
    sites: list[tuple[tuple[int, int], str]] = []
    for h in heap:
        m = _AMOUNT.match(h.message) if h.code == HEAP_GROWTH.code else None
        if m:
            sites.append(((h.start, h.end), m.group(1)))
    out = []
    for f in static:
        if sites and shown_by_heap(f.code):
            where = None
            for span, amount in sites:
                if _overlaps((f.start, max(f.end, f.start + 1)), span):
                    where = f"{amount} live here in the heap profile"
                    break
            if where is None:
                for r in f.related:
                    hit = next((a for s, a in sites if r.path is None and _overlaps((r.start, r.end), s)), None)
                    if hit is not None:
                        where = f"{hit} live in the heap profile where {r.message.removesuffix(' here')}"
                        break
            if where is not None:
                f = replace(f, message=f"{f.message} (confirmed: {where})")
        out.append(f)
    return out
