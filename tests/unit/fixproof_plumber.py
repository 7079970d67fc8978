"""`plumber` with one extra test-only check, `fixproof-break`, whose safe fix is a deliberately
broken edit: it replaces a comment `/* FIXPROOF-BREAK: text */` with `text`. The fix proof
harness (bench/fixproof.py) must catch what such an edit does to a package."""

from __future__ import annotations

import re
import sys

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity
from plumber.driver.engine import registry
from plumber.main import main

_MARK = re.compile(rb"/\* FIXPROOF-BREAK: (.*?) \*/")


def broken_edits(ctx):
    return [
        Finding(
            "fixproof-break",
            m.start(),
            m.end(),
            "a deliberately broken edit",
            fixes=(Fix("Apply the broken edit", (Edit(m.start(), m.end(), m.group(1).decode()),)),),
        )
        for m in _MARK.finditer(ctx.source)
    ]


CHECK = Check("fixproof-break", Severity.WARNING, "applies a deliberately broken edit\n", broken_edits,
              category=Category.RESOURCE, fix=FixAvailability.ALWAYS)  # fmt: skip

if __name__ == "__main__":
    sys.exit(main(None, registry() + [CHECK]))
