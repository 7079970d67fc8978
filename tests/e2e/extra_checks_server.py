"""`plumber serve` with two extra test-only checks, to exercise what no shipped check does yet:
a check that raises (on files containing BOOM) and one that reports related locations in its
own file and in a sibling file (on files containing RELATED)."""

from __future__ import annotations

import os
import sys

from plumber import engine, server
from plumber.check import Check, Finding, Related, Severity


def boom(ctx):
    if b"BOOM" in ctx.source:
        raise RuntimeError("boom on purpose")
    return []


def related(ctx):
    if b"RELATED" not in ctx.source:
        return []
    src = ctx.source
    start = src.index(b"RELATED")
    func = src.index(b"func")
    other = os.path.join(os.path.dirname(ctx.path), "other.go")
    # "/* é😀 */ var other": `other` starts at byte 17 of the sibling file on disk
    return [Finding("related-test", start, start + 7, "a finding with related locations",
                    related=(Related(func, func + 4, "here in this file"),
                             Related(17, 22, "and there, in other.go", other),
                             Related(0, 1, "in a file that does not exist", other + ".missing")))]


EXTRA = [Check("boom-test", Severity.WARNING, "always fails\n", boom),
         Check("related-test", Severity.INFORMATION, "reports related locations\n", related)]

_registry = engine.registry
engine.registry = lambda: _registry() + EXTRA

if __name__ == "__main__":
    server.start(tcp=sys.argv[1] if len(sys.argv) > 1 else None)
