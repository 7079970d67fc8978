"""`plumber rules` (every registered check, as a table or JSON) and `plumber explain CODE` (its page)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from plumber.core.checks import Check


def _registry(registry: Sequence[Check] | None) -> list[Check]:
    from plumber.driver.engine import registry as default_registry

    return list(registry) if registry is not None else default_registry()


def rule_rows(checks: Sequence[Check], docs_url: str | None = None) -> list[dict[str, object]]:
    from plumber.report.docs import page_url

    return [
        {
            "code": c.code,
            "category": c.category.value,
            "severity": c.severity.label,
            "enabled": bool(c.enabled),
            "fix": c.fix.value,
            "kind": "static" if c.static else "run-time",
            "title": c.title,
            "url": page_url(c, docs_url),
        }
        for c in checks
    ]


COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "CODE"),
    ("category", "CATEGORY"),
    ("severity", "SEVERITY"),
    ("enabled", "DEFAULT"),
    ("fix", "FIX"),
    ("kind", "KIND"),
    ("title", "TITLE"),
)


def format_table(rows: list[dict[str, object]]) -> str:
    def cell(row: dict[str, object], key: str) -> str:
        value = row[key]
        return ("on" if value else "off") if key == "enabled" else str(value)

    widths = {k: max([len(h)] + [len(cell(r, k)) for r in rows]) for k, h in COLUMNS}
    lines = ["  ".join(h.ljust(widths[k]) for k, h in COLUMNS).rstrip()]
    lines += ["  ".join(cell(r, k).ljust(widths[k]) for k, _ in COLUMNS).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def cwd_docs_url(registry: Sequence[Check] | None = None) -> str | None:
    """The docsUrl of the plumber.toml chain of the working directory (what the CLI links)."""
    from plumber.driver.config import ConfigFiles

    settings, _ = ConfigFiles({c.code for c in _registry(registry)}).for_directory(os.getcwd(), report=False)
    return settings.docs_url


def cmd_rules(args: argparse.Namespace, registry: Sequence[Check] | None = None) -> int:
    rows = rule_rows(_registry(registry), cwd_docs_url(registry))
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_table(rows))
    return 0


def cmd_explain(args: argparse.Namespace, registry: Sequence[Check] | None = None) -> int:
    from plumber.report.docs import explain

    checks = _registry(registry)
    by_code = {c.code: c for c in checks}
    check = by_code.get(args.code)
    if check is None:
        print(
            f"plumber explain: error: unknown check code {args.code!r}; known codes: {', '.join(by_code)}",
            file=sys.stderr,
        )
        return 2
    sys.stdout.write(explain(check))
    return 0


def add_parsers(sub) -> None:
    rules = sub.add_parser(
        "rules",
        help="list every check: code, category, default severity, on by default, fix, kind, title",
        description="List every registered check, the run-time ones (leaked-goroutine, heap-growth) included.",
    )
    rules.add_argument("--format", choices=("text", "json"), default="text", help="a table (default) or JSON")
    rules.set_defaults(func=cmd_rules)
    explain = sub.add_parser("explain", help="show a check's documentation page", description="Show a check's page.")
    explain.add_argument("code", metavar="CODE", help="a check code (see plumber rules)")
    explain.set_defaults(func=cmd_explain)
