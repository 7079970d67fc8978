"""`plumber serve` with two extra test-only checks, to exercise what no shipped check does yet:
a check that raises (on files containing BOOM) and one that reports related locations in its
own file and in a sibling file (on files containing RELATED)."""

from __future__ import annotations

import os
import sys

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Related, Severity
from plumber.driver.engine import registry
from plumber.lsp.server import start


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
    return [
        Finding(
            "related-test",
            start,
            start + 7,
            "a finding with related locations",
            related=(
                Related(func, func + 4, "here in this file"),
                Related(17, 22, "and there, in other.go", other),
                Related(0, 1, "in a file that does not exist", other + ".missing"),
            ),
        )
    ]


def goversion(ctx):
    if b"GOVERSION" not in ctx.source:
        return []
    start = ctx.source.index(b"GOVERSION")
    v = ctx.go_version
    return [Finding("goversion-test", start, start + 9, f"go {v[0]}.{v[1]}" if v else "go unknown")]


def count_marks(ctx):
    return ctx.source.count(b"MARK")


def package_marks(ctx):
    """Package-wide: how many MARKs the package's files hold (siblings through the package index)."""
    if b"PKGMARKS" not in ctx.source or ctx.package is None:
        return []
    summaries = ctx.package.summaries(PACKAGE_CHECK)
    start = ctx.source.index(b"PKGMARKS")
    total = sum(v for v in summaries.values() if v)
    return [Finding("package-test", start, start + 8, f"{total} marks in {len(summaries)} files")]


PACKAGE_CHECK = Check(
    "package-test",
    Severity.HINT,
    "counts marks across the package\n",
    package_marks,
    summarize=count_marks,
    package_wide=True,
    category=Category.RESOURCE,
    fix=FixAvailability.NEVER,
)

EXTRA = [
    Check(
        "goversion-test",
        Severity.HINT,
        "reports the go version\n",
        goversion,
        category=Category.RESOURCE,
        fix=FixAvailability.NEVER,
    ),
    PACKAGE_CHECK,
    Check("boom-test", Severity.WARNING, "always fails\n", boom, category=Category.RESOURCE, fix=FixAvailability.NEVER),
    Check(
        "related-test",
        Severity.INFORMATION,
        "reports related locations\n",
        related,
        category=Category.RESOURCE,
        fix=FixAvailability.NEVER,
    ),
]

if __name__ == "__main__":
    start(tcp=sys.argv[1] if len(sys.argv) > 1 else None, registry=registry() + EXTRA)
