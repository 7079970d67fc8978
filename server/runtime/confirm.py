"""Static findings confirmed at run time.

A static finding of a check whose leak a goroutine profile can show (blocked-send, lost-cancel, ...) whose top-level
function also holds a leak that the runtime reported (the blocked frame or
the `created by` site of a `leaked-goroutine` warning) says so in its message.
The server applies this to the findings of a file before publishing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from plumber.core.findings import Finding, Severity
from plumber.runtime.check import CODE

SUFFIX = " (confirmed at run time: {})"


def _top_level(root, offset: int):
    """The top-level declaration holding a byte offset (root: the tree's root node)."""
    node = root.descendant_for_byte_range(offset, offset)
    while node is not None and node.parent is not None and node.parent.type != "source_file":
        node = node.parent
    if node is None or node.type not in ("function_declaration", "method_declaration"):
        return None
    return node


def confirm(
    static: Iterable[Finding], runtime: Iterable[Finding], root, shown_by_goroutines: Callable[[str], bool]
) -> list[Finding]:
    """`static` with the messages of runtime-confirmed findings extended; order kept.

    `shown_by_goroutines(code)`: whether a goroutine profile can show that check's leak
    (the registry says: `Check.profiles`)."""
    leaks: dict[tuple[int, int], Finding] = {}
    for r in runtime:
        if r.code != CODE or r.severity != Severity.WARNING:
            continue
        offsets = [r.start] + [rel.start for rel in r.related if rel.path is None]
        for off in offsets:
            decl = _top_level(root, off)
            if decl is not None:
                leaks.setdefault((decl.start_byte, decl.end_byte), r)
    out = []
    for f in static:
        if leaks and shown_by_goroutines(f.code):
            decl = _top_level(root, f.start)
            leak = leaks.get((decl.start_byte, decl.end_byte)) if decl is not None else None
            if leak is not None:
                what = leak.message.split(" (goroutineleak")[0].replace(" leaked here", " leaked")
                f = replace(f, message=f.message + SUFFIX.format(what))
        out.append(f)
    return out
