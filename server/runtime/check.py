"""`leaked-goroutine`: the registered check whose findings come from goroutine profiles, not from the code.

It has no static part (`run` is None): the registry lists it so that its
code can be configured, suppressed and documented, and named in SARIF.
"""

from __future__ import annotations

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Severity

CODE = "leaked-goroutine"
DOCS = "runtime.md"  # the page of both run-time checks, relative to the docs directory

DOC = """a goroutine leak reported at run time by a goroutine profile or dump

Goroutines of a goroutineleak profile (or a goroutine profile, blocked for long) placed at their first \
frame in workspace code.
"""

LEAKED_GOROUTINE = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=DOC,
    run=None,
    category=Category.RUNTIME,
    fix=FixAvailability.NEVER,
    docs_page=DOCS,
)
HEAP_DOC = """memory held or grown at this line, from a heap profile

Heap profile samples placed on their innermost frame in workspace code; with a base profile, the growth \
since then (as go tool pprof -base computes it).
"""

HEAP_GROWTH = Check(
    code="heap-growth",
    severity=Severity.INFORMATION,
    doc=HEAP_DOC,
    run=None,
    category=Category.RUNTIME,
    fix=FixAvailability.NEVER,
    docs_page=DOCS,
)
CHECKS = [LEAKED_GOROUTINE, HEAP_GROWTH]
