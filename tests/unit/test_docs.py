"""docs/checks/<code>.md is generated from each check's docstring and must be up to date."""

import os

from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Severity
from plumber.diagnostics import CHECKS
from plumber.report import docs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGES = os.path.join(ROOT, "docs", "checks")


def test_every_check_page_is_up_to_date():
    stale = docs.stale(PAGES)
    assert not stale, f"out of date: {stale}; run `python -m plumber.report.docs` (or `make docs`)"


def test_no_page_without_a_check():
    codes = {c.code for c in CHECKS}
    orphans = [n for n in os.listdir(PAGES) if n.endswith(".md") and n[:-3] not in codes]
    assert not orphans, f"pages of unregistered checks: {orphans}"


def test_page_content():
    for check in CHECKS:
        page = docs.render(check)
        title, body, fix = docs.doc_parts(check.doc)
        assert page.splitlines()[2] == f"# `{check.code}`: {check.title}"
        assert f"| Default severity | {check.severity.label} |" in page
        assert body.splitlines()[0] in page
        assert f"//plumber:ignore {check.code}" in page and f"//nolint:{check.code}" in page
        assert (fix is not None) == ("| Quick fix | yes |" in page)


def test_doc_parts_and_generator(tmp_path):
    check = Check(
        code="demo-check",
        severity=Severity.HINT,
        enabled=False,
        run=lambda ctx: [],
        category=Category.MEMORY,
        fix=FixAvailability.SOMETIMES,
        doc="a demo title\n\nWhat it flags.\n\n```go\n\tx := 1\n```\n\nFix: insert `y`.\n",
    )
    title, body, fix = docs.doc_parts(check.doc)
    assert (title, fix) == ("a demo title", "insert `y`.")
    assert "\tx := 1" in body and "Fix:" not in body  # tabs kept, Fix paragraph moved
    page = docs.render(check)
    assert "| Enabled by default | no |" in page and "| Default severity | hint |" in page
    assert "## Quick fix\n\ninsert `y`." in page
    out = str(tmp_path / "pages")
    assert docs.stale(out, [check]) == [os.path.join(out, "demo-check.md")]
    assert docs.write(out, [check]) == [os.path.join(out, "demo-check.md")]
    assert docs.stale(out, [check]) == []
    with open(os.path.join(out, "demo-check.md"), "a") as f:
        f.write("edited by hand\n")
    assert docs.stale(out, [check]) and docs.main(["--check", "--out", out]) == 1
    no_fix = Check(
        code="x",
        severity=Severity.WARNING,
        run=lambda ctx: [],
        doc="t\n\nbody\n",
        category=Category.MEMORY,
        fix=FixAvailability.NEVER,
    )
    assert "| Quick fix | none |" in docs.render(no_fix)
