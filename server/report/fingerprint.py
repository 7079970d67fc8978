"""Fingerprints of findings that survive line shifts: for `--baseline` and SARIF's partialFingerprints.

A finding's fingerprint is `<line hash>:<occurrence>`:

- the line hash: the first 16 hex digits of the SHA-256 of the finding's first line with runs
  of white space made one space and the ends stripped (so re-indenting, or code added above
  or below, leaves it unchanged);
- the occurrence: its index among the findings of the same file and check code whose line
  hash is the same, in the order of the file (so two identical lines keep two fingerprints).

A baseline entry matches a finding with the same check code, path and fingerprint. Editing
the finding's own line, or adding an identical line with the same finding above it, makes it
new; that is the price of surviving every other edit.
"""

from __future__ import annotations

from collections.abc import Sequence

from plumber.report.model import FindingOut, line_hash


def fingerprints(findings: Sequence[FindingOut]) -> list[str]:
    """The fingerprint of each finding (the list in the order `sort_findings` gives)."""
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for f in findings:
        key = (f.path, f.code, f.line_hash)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(f"{f.line_hash}:{n}")
    return out


__all__ = ["fingerprints", "line_hash"]
