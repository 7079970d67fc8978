"""Running the checks over a file: settings, suppression, isolation of failures.

The engine knows checks only through the registry's `Check` objects and
knows nothing of LSP; the server and the CLI are its two drivers.
"""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from tree_sitter import Node, Tree

from plumber.check import Check, Finding
from plumber.config import ConfigFiles, Settings
from plumber.context import FileContext
from plumber.gomod import GoModCache
from plumber.package import Overlay, PackageIndex, PackageView

log = logging.getLogger(__name__)

_NOLINT = re.compile(rb"//\s*nolint(?::([\w,\s-]+))?")


@dataclass(frozen=True)
class CheckFailure:
    code: str
    path: str | None
    error: str  # the formatted traceback


def registry() -> list[Check]:
    from plumber.diagnostics import CHECKS

    return list(CHECKS)


class Engine:
    """Owns the caches shared by every file: go.mod, config files, the package index."""

    def __init__(self, checks: Sequence[Check] | None = None, overlay: Overlay | None = None):
        self.checks = list(checks) if checks is not None else registry()
        self.by_code = {c.code: c for c in self.checks}
        self.gomod = GoModCache()
        self.config_files = ConfigFiles(set(self.by_code))
        self.packages = PackageIndex(self._plain_context, overlay, [c for c in self.checks if c.package_wide])

    def _plain_context(self, path: str | None, source: bytes, tree: Tree) -> FileContext:
        return FileContext(source, tree, path, self.gomod.go_version(path),
                           requires_module=lambda m: self.gomod.requires(path, m))

    def context(self, path: str | None, source: bytes, tree: Tree) -> FileContext:
        ctx = self._plain_context(path, source, tree)
        if path is not None:
            ctx.package = PackageView(self.packages, ctx)
        return ctx

    def settings_for(self, path: str | None, editor: Settings | None = None) -> tuple[Settings, list[str]]:
        """Effective settings of a file: its plumber.toml, overridden by the editor's settings."""
        file_settings, warnings = self.config_files.for_file(path)
        return (file_settings.merged(editor) if editor is not None else file_settings), warnings

    def enabled_checks(self, settings: Settings) -> list[Check]:
        return [c for c in self.checks if settings.enabled(c.code, c.enabled)]

    def analyze(self, ctx: FileContext, settings: Settings | None = None,
                checks: Iterable[Check] | None = None) -> tuple[list[Finding], list[CheckFailure]]:
        """Findings of the enabled checks (severity resolved, suppressions applied) and check failures."""
        settings = settings or Settings()
        findings: list[Finding] = []
        failures: list[CheckFailure] = []
        for check in (checks if checks is not None else self.enabled_checks(settings)):
            try:
                found = list(check.run(ctx))
                if ctx.ranges is not None:  # a restricted run owns only the findings that start in its ranges
                    found = [f for f in found if ctx.in_ranges(f.start)]
            except Exception:  # one broken check must not silence the others
                failures.append(CheckFailure(check.code, ctx.path, traceback.format_exc()))
                continue
            cs = settings.checks.get(check.code)
            override = cs.severity if cs is not None else None
            for f in found:
                sev = override or f.severity or check.severity
                findings.append(f if f.severity == sev else replace(f, severity=sev))
        findings = [f for f in findings if not in_error_region(ctx.root, f) and not suppressed(ctx.source, f)]
        findings.sort(key=lambda f: (f.start, f.code))
        return findings, failures


def in_error_region(root: Node, f: Finding) -> bool:
    """Findings inside a top-level declaration with syntax errors are guesses: drop them."""
    if not root.has_error:
        return False
    node = root.descendant_for_byte_range(f.start, max(f.start, f.end - 1))
    while node is not None and node.parent is not None and node.parent.type != "source_file":
        node = node.parent
    return node is None or node.has_error or node.type == "ERROR"


def nolint_codes(source: bytes, line_start: int, line_end: int) -> set[str] | None:
    """Codes a `//nolint` comment on this line suppresses; {"*"} for all; None when there is none."""
    m = _NOLINT.search(source, line_start, line_end)
    if m is None:
        return None
    if m.group(1) is None:
        return {"*"}
    return {c.strip() for c in m.group(1).decode("utf-8", "replace").split(",") if c.strip()}


def _line_bounds(source: bytes, offset: int) -> tuple[int, int]:
    start = source.rfind(b"\n", 0, offset) + 1
    end = source.find(b"\n", offset)
    return start, (len(source) if end < 0 else end)


def suppressed(source: bytes, f: Finding) -> bool:
    """`//nolint`, `//nolint:code` or `//nolint:a,b` on the finding's line, or alone on the line before."""
    start, end = _line_bounds(source, f.start)
    codes = nolint_codes(source, start, end)
    if codes is None and start > 0:
        pstart, pend = _line_bounds(source, start - 1)
        if source[pstart:pend].lstrip().startswith(b"//"):
            codes = nolint_codes(source, pstart, pend)
    return codes is not None and ("*" in codes or f.code in codes or "all" in codes)


def describe_failure(failure: CheckFailure) -> str:
    last = failure.error.strip().splitlines()[-1] if failure.error.strip() else "error"
    return f"check {failure.code} failed on {failure.path or '<buffer>'}: {last}"


