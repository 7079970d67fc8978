"""What a check is, and what a shared analysis is: the specs the registry holds.

As in golang.org/x/tools/go/analysis, a check is metadata plus a `run` over
one file's context, and names the shared analyses it reads (`requires`);
the driver computes each analysis once per file, in dependency order,
memoises it and isolates its failures. Checks know nothing of LSP or of the
command line.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from plumber.core.findings import Finding, Severity


class Category(str, enum.Enum):
    """What kind of leak a check reports."""

    RESOURCE = "resource"  # a file, body, connection, timer, cancel function or C allocation
    GOROUTINE = "goroutine"  # a goroutine blocked or spinning for ever
    MEMORY = "memory"  # memory kept alive by a reference
    RUNTIME = "runtime"  # seen in a profile of the running program, not in the code


class FixAvailability(str, enum.Enum):
    """Whether a check's findings come with a quick fix."""

    ALWAYS = "always"
    SOMETIMES = "sometimes"  # where the fix is proven to keep the program's meaning
    NEVER = "never"  # the message says what to change


@dataclass(frozen=True, eq=False)
class Analysis:
    """A shared pass: a fact about one file that several checks read.

    `run(ctx)` computes it from a file context; with `per_declaration`,
    `run(ctx, declaration)` computes it for one top-level declaration, and
    the driver memoises the value by the declaration's text across runs
    (a keystroke recomputes only the declaration it touched), so the value
    must not hold absolute positions or nodes of the tree. Results are read
    with `ctx.result(analysis)`; a check may read only what it `requires`
    (directly or through another analysis).
    """

    name: str
    doc: str
    run: Callable[..., Any]
    requires: tuple[Analysis, ...] = ()
    per_declaration: bool = False

    def __repr__(self) -> str:
        return f"Analysis({self.name})"


@dataclass(frozen=True)
class Check:
    """One leak check: metadata plus `run`, a pure function of a file context.

    `doc` is the module docstring: its first line is the title, the rest the
    documentation page. `summarize`, when set, computes a per-file summary
    that the package index caches, so package-wide checks read sibling files
    without re-parsing them on every keystroke. A check with `run` None has
    no static part: its findings come from run-time profiles (the registry
    still lists it for configuration, documentation and SARIF rules).
    """

    code: str
    severity: Severity
    doc: str
    run: Callable[[Any], Iterable[Finding]] | None
    category: Category
    fix: FixAvailability
    requires: tuple[Analysis, ...] = ()
    summarize: Callable[[Any], Any] | None = None
    # Its summary is computed only for the files a run asks it of (a rare question: defer-in-loop's callers
    # of a function that loops over a parameter), not with the other checks' at every read of a sibling.
    summary_on_demand: bool = False
    enabled: bool = True  # enabled by default
    package_wide: bool = False  # reads sibling files through ctx.package
    # What a finding may depend on. "declaration": only the top-level
    # declaration it starts in, plus the file's package clause, imports and
    # other non-function top-level declarations; the incremental analyzer then
    # reruns it only on the declarations an edit touched. "file": anything in
    # the file (e.g. another function); rerun on the whole file at every edit.
    # Package-wide checks are always treated as "file".
    scope: str = "declaration"
    # Its documentation page, relative to the docs directory, when not checks/<code>.md
    # (plumber.report.docs.page_url links it: the configured docsUrl, else the page shipped in the package).
    docs_page: str | None = None
    # The run-time profiles that can show this check's leak ("goroutine", "heap"); None: by category.
    evidence: frozenset[str] | None = None

    @property
    def profiles(self) -> frozenset[str]:
        """Kinds of run-time profile whose findings confirm this check's (see plumber.runtime.confirm)."""
        if self.evidence is not None:
            return self.evidence
        return {
            Category.GOROUTINE: frozenset({"goroutine"}),
            Category.MEMORY: frozenset({"heap"}),
            Category.RESOURCE: frozenset({"heap"}),
        }.get(self.category, frozenset())

    @property
    def static(self) -> bool:
        return self.run is not None

    @property
    def per_declaration(self) -> bool:
        return self.scope == "declaration" and not self.package_wide

    @property
    def title(self) -> str:
        return self.doc.strip().splitlines()[0].strip()

    @property
    def page(self) -> str:
        return self.docs_page or f"checks/{self.code}.md"


def required_closure(roots: Iterable[Analysis]) -> list[Analysis]:
    """`roots` and everything they require, each once, requirements first."""
    out: list[Analysis] = []
    seen: set[int] = set()

    def visit(a: Analysis, path: tuple[str, ...]) -> None:
        if a.name in path:
            raise ValueError(f"analysis requirement cycle: {' -> '.join(path + (a.name,))}")
        if id(a) in seen:
            return
        for r in a.requires:
            visit(r, path + (a.name,))
        seen.add(id(a))
        out.append(a)

    for a in roots:
        visit(a, ())
    return out


__all__ = ["Analysis", "Category", "Check", "FixAvailability", "required_closure"]
