"""What a check is and what it reports.

Positions are UTF-8 byte offsets into the file's source, the unit tree-sitter
works in; the LSP layer and the CLI convert them at their boundary.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from plumber import DOCS_URL

if TYPE_CHECKING:
    from plumber.context import FileContext


class Severity(enum.IntEnum):
    """Values match LSP's DiagnosticSeverity."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @classmethod
    def parse(cls, name: str) -> "Severity":
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


@dataclass(frozen=True)
class Check:
    """One leak check: metadata plus `run`, a pure function of a file context.

    `doc` is the module docstring: its first line is the title, the rest the
    documentation page. `summarize`, when set, computes a per-file summary
    that the package index caches, so package-wide checks read sibling files
    without re-parsing them on every keystroke.
    """

    code: str
    severity: Severity
    doc: str
    run: Callable[["FileContext"], Iterable[Finding]]
    summarize: Callable[["FileContext"], Any] | None = None
    enabled: bool = True  # enabled by default
    package_wide: bool = False  # reads sibling files through ctx.package
    # What a finding may depend on. "declaration": only the top-level
    # declaration it starts in, plus the file's package clause, imports and
    # other non-function top-level declarations; the incremental analyzer then
    # reruns it only on the declarations an edit touched. "file": anything in
    # the file (e.g. another function); rerun on the whole file at every edit.
    # Package-wide checks are always treated as "file".
    scope: str = "declaration"

    @property
    def per_declaration(self) -> bool:
        return self.scope == "declaration" and not self.package_wide

    @property
    def title(self) -> str:
        return self.doc.strip().splitlines()[0].strip()

    @property
    def url(self) -> str:
        return f"{DOCS_URL}{self.code}.md"


def finding(code: str, node, message: str, *, fixes: Iterable[Fix] = (),
            related: Iterable[Related] = (), severity: Severity | None = None,
            end_node=None) -> Finding:
    """A finding spanning `node` (to `end_node` when given)."""
    end = (end_node or node).end_byte
    return Finding(code, node.start_byte, end, message, severity, tuple(fixes), tuple(related))


def related(node, message: str, path: str | None = None) -> Related:
    return Related(node.start_byte, node.end_byte, message, path)


__all__ = ["Check", "Edit", "Finding", "Fix", "Related", "Severity", "finding", "related"]
