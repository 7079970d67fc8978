"""`plumber serve` with one extra test-only check that never finishes on files containing SLOW (it
spins until the analysis is cut), after the registered checks: the time budget and abandoning
superseded work are what let the server publish anyway."""

from __future__ import annotations

import sys
import time

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Severity
from plumber.driver.engine import registry
from plumber.lsp.server import start
from plumber.syntax.nodes import ancestors


def endless(ctx):
    if b"SLOW" not in ctx.source:
        return []
    node = ctx.root.descendant_for_byte_range(ctx.source.index(b"SLOW"), ctx.source.index(b"SLOW") + 1)
    while True:  # a check stuck in deep walks: only the budget (checked in the walks) stops it
        for _ in ancestors(node):
            pass
        time.sleep(0.001)


SLOW_CHECK = Check(
    "slow-test",
    Severity.HINT,
    "never finishes on files containing SLOW\n",
    endless,
    category=Category.RESOURCE,
    fix=FixAvailability.NEVER,
    scope="file",  # after the registered whole-file and package-wide checks, which run after the per-declaration ones
)

if __name__ == "__main__":
    sys.exit(start(registry=[*registry(), SLOW_CHECK]))
