"""What a check reports: findings, their fixes and related places.

Positions are UTF-8 byte offsets into the file's source, the unit tree-sitter
works in; the LSP layer and the CLI convert them at their boundary.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Extent(Protocol):
    """Anything with a byte extent: a tree-sitter node."""

    @property
    def start_byte(self) -> int: ...
    @property
    def end_byte(self) -> int: ...


class Severity(enum.IntEnum):
    """Values match LSP's DiagnosticSeverity."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @classmethod
    def parse(cls, name: str) -> Severity:
        key = name.strip().upper()
        aliases = {"INFO": "INFORMATION", "WARN": "WARNING"}
        return cls[aliases.get(key, key)]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace source[start:end] with new_text (byte offsets)."""

    start: int
    end: int
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A quick fix. `safe` fixes are preferred and applied by fix-all and --fix."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(frozen=True, slots=True)
class Related:
    """A second place that matters. `path` is None for the finding's own file."""

    start: int
    end: int
    message: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    start: int
    end: int
    message: str
    severity: Severity | None = None  # None: the check's default severity
    fixes: tuple[Fix, ...] = ()
    related: tuple[Related, ...] = ()


def finding(
    code: str,
    node: Extent,
    message: str,
    *,
    fixes: Iterable[Fix] = (),
    related: Iterable[Related] = (),
    severity: Severity | None = None,
    end_node: Extent | None = None,
) -> Finding:
    """A finding spanning `node` (to `end_node` when given)."""
    end = (end_node or node).end_byte
    return Finding(code, node.start_byte, end, message, severity, tuple(fixes), tuple(related))


def related(node: Extent, message: str, path: str | None = None) -> Related:
    return Related(node.start_byte, node.end_byte, message, path)


__all__ = ["Edit", "Finding", "Fix", "Related", "Severity", "finding", "related"]
