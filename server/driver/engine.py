"""Running the checks over a file: settings, shared analyses, suppression, isolation of failures.

The engine knows checks only through their `Check` specs, and knows nothing
of LSP; the server and the CLI are its two drivers and reach it only
through the methods below.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tree_sitter import Node, Tree

from plumber.analysis.context import FileContext
from plumber.analysis.local_types import TYPES
from plumber.analysis.model.packages import PackageFacts
from plumber.core.checks import Check, required_closure
from plumber.core.findings import Finding
from plumber.core.settings import Problem, Settings
from plumber.driver.config import CONFIG_FILES, ConfigFiles
from plumber.driver.gomod import GoModCache
from plumber.driver.modindex import ModuleIndex
from plumber.driver.packages import DiskTrees, DiskVersions, OpenFiles, Overlay, PackageIndex, PackageView
from plumber.driver.passes import AnalysisFailed, Passes
from plumber.driver.suppress import Suppressions, generated_file
from plumber.syntax.imports import ImportTable
from plumber.syntax.nodes import Abandoned, check_budget, top_level, walking

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckFailure:
    code: str
    path: str | None
    error: str  # the formatted traceback
    cut: bool = False  # not a failure: the analysis went over its time budget (or was superseded)


def registry() -> list[Check]:
    """Every registered check: the static ones in catalogue order, then the run-time ones."""
    from plumber.diagnostics import CHECKS
    from plumber.runtime.check import CHECKS as RUNTIME_CHECKS

    return list(CHECKS) + list(RUNTIME_CHECKS)


class _Unknown:
    """Declarations that could not be read: equal to no other run's."""


class Engine:
    """Owns the caches shared by every file: go.mod, config files, the package index, analyses.

    `checks` is the registry (default: `registry()`); only its static checks run.
    `batch`: a driver that tells the engine of every change on disk (`file_changed`), as the CLI
    does; file versions are then asked of the disk once, and `disk` holds the files the driver
    read and parsed, for the package and module indexes to reuse (`read`).
    """

    def __init__(
        self,
        checks: Sequence[Check] | None = None,
        overlay: Overlay | None = None,
        open_files: OpenFiles | None = None,
        batch: bool = False,
    ):
        self.checks = list(checks) if checks is not None else registry()
        self.by_code = {c.code: c for c in self.checks}
        self.static_checks = [c for c in self.checks if c.static]
        self._gomod = GoModCache()
        self._config = ConfigFiles(set(self.by_code), self._gomod)
        self._passes = Passes()
        self.versions = DiskVersions(cached=batch)
        self.disk = DiskTrees(self.versions)
        self._packages = PackageIndex(
            self._plain_context,
            overlay,
            [c for c in self.static_checks if c.package_wide],
            open_files,
            versions=self.versions,
            parsed=self.disk,
        )
        self._modules = ModuleIndex(self._gomod, overlay, open_files, versions=self.versions, parsed=self.disk)
        self._suppressions: Suppressions | None = None
        self._closures = {c.code: frozenset(required_closure(c.requires)) for c in self.static_checks}

    @property
    def package_wide(self) -> bool:
        """Whether some check reads other files of the package (edits then concern their peers)."""
        return any(c.package_wide for c in self.static_checks)

    @property
    def sibling_parses(self) -> int:
        """Sibling files the package index has parsed so far (open buffers are never parsed there)."""
        return self._packages.parses

    @property
    def module_parses(self) -> int:
        """Files the module index has parsed so far for their facts and summaries."""
        return self._modules.parses

    def _plain_context(
        self, path: str | None, source: bytes, tree: Tree, imports: ImportTable | None = None
    ) -> FileContext:
        return FileContext(
            source,
            tree,
            path,
            self._gomod.go_version(path),
            requires_module=lambda m: self._gomod.requires(path, m),
            imports=imports,
            results=self._passes,
            program=lambda: self._modules.model_for(path, source, tree),
        )

    def context(self, path: str | None, source: bytes, tree: Tree, imports: ImportTable | None = None) -> FileContext:
        """The context checks run over; `imports` may reuse an earlier run's table (same imports)."""
        ctx = self._plain_context(path, source, tree, imports)
        if path is not None:
            ctx.package = PackageView(self._packages, ctx)
        return ctx

    def test_file_contexts(self, path: str) -> list[FileContext]:
        """Contexts of the other `_test.go` files of `path`'s directory (open buffers as they are)."""
        directory = os.path.dirname(os.path.abspath(path))
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith("_test.go"))
        except OSError:
            return []
        out = []
        for name in names:
            other = os.path.join(directory, name)
            if other == os.path.abspath(path):
                continue
            got = self._packages.read(other)
            if got is not None:
                out.append(self.context(other, got[0], got[1]))
        return out

    def go_version(self, path: str | None) -> tuple[int, int] | None:
        """The `go` directive of the go.mod governing `path`."""
        return self._gomod.go_version(path)

    def go_mod(self, path: str) -> str | None:
        """The go.mod governing the file at `path`, or None."""
        return self._gomod.nearest(os.path.dirname(os.path.abspath(path)))

    def settings_for(
        self, path: str | None, editor: Settings | None = None, report: bool = True
    ) -> tuple[Settings, list[Problem]]:
        """Effective settings of a file: its plumber.toml chain, overridden by the editor's settings;
        and the problems of the config files read for it (each reported once; none without `report`)."""
        file_settings, problems = self._config.for_file(path, report)
        return (file_settings.merged(editor) if editor is not None else file_settings), problems

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        """Whether the `exclude` patterns of the config chain governing `path` match it."""
        return self._config.excluded(path, is_dir)

    def skipped(self, ctx: FileContext, settings: Settings) -> str | None:
        """Why the file is not analysed at all ("excluded", "generated"), or None: the one place
        that decides it, for the CLI and the server alike."""
        if ctx.path is not None and settings.excludes(os.path.abspath(ctx.path)):
            return "excluded"
        if not settings.include_generated and generated_file(ctx.source, ctx.root):
            return "generated"
        return None

    def package_declarations(self, ctx: FileContext, checks: Iterable[Check]) -> PackageFacts | _Unknown | None:
        """The merged declarations of the file's package (the program model's facts, the same object while
        none changed) when one of `checks` reads types from them, else None: a per-declaration finding may
        then depend on another declaration's signature."""
        if not any(TYPES in self._closures.get(c.code, ()) for c in checks):
            return None
        try:
            return ctx.program.package(ctx.pkg_path) or _Unknown()
        except Exception:  # the checks report it; here, a value no other run has
            return _Unknown()

    def enabled_checks(self, settings: Settings) -> list[Check]:
        return [c for c in self.static_checks if settings.enabled(c.code, c.enabled)]

    def file_changed(self, path: str, created_or_deleted: bool = False) -> str | None:
        """A file changed on disk: drop what it governs. Returns what to analyse again:
        "all" (a go.mod or plumber.toml), "package" (a Go file: its package's open files) or None."""
        name = os.path.basename(path)
        self.versions.forget(path)
        if name == "go.mod":
            self._gomod.invalidate(path)
            self._config.invalidate()  # a module root moved: the config chains change
            return "all"
        if name in CONFIG_FILES:
            self._config.invalidate()
            return "all"
        if name.endswith(".go"):
            self._packages.refresh(path, created_or_deleted)
            self._modules.forget(path)
            return "package"
        return None

    def unmarked(self, source: bytes) -> None:
        """`source` is known to hold no directive's marker (the driver saw an edit of a text without any
        bring none): its suppressions need no scan."""
        self._suppressions = Suppressions(source, None, unmarked=True)

    def suppressions(self, source: bytes, root: Node) -> Suppressions:
        """The suppression directives of `source` (the last text's are kept: a run asks twice)."""
        cached = self._suppressions
        if cached is None or cached.source is not source:
            cached = self._suppressions = Suppressions(source, root)
        return cached

    def analyze(
        self, ctx: FileContext, settings: Settings | None = None, checks: Iterable[Check] | None = None
    ) -> tuple[list[Finding], list[CheckFailure]]:
        """Findings of the enabled checks (severity resolved, suppressions applied) and check failures."""
        with walking(ctx.root):  # ancestor walks in O(depth) (syntax/nodes.py)
            return self._analyze(ctx, settings, checks)

    def _analyze(
        self, ctx: FileContext, settings: Settings | None, checks: Iterable[Check] | None
    ) -> tuple[list[Finding], list[CheckFailure]]:
        settings = settings or Settings()
        findings: list[Finding] = []
        failures: list[CheckFailure] = []
        if self.skipped(ctx, settings) is not None:
            return findings, failures
        for check in checks if checks is not None else self.enabled_checks(settings):
            if check.run is None:
                continue
            ctx.allowed = self._closures.get(check.code) or frozenset(required_closure(check.requires))
            try:
                check_budget()  # past the deadline: the checks left are cut, not run
                found = list(check.run(ctx))
                if ctx.ranges is not None:  # a restricted run owns only the findings that start in its ranges
                    found = [f for f in found if ctx.in_ranges(f.start)]
            except Abandoned as e:
                failures.append(CheckFailure(check.code, ctx.path, f"cut: {e}", cut=True))
                continue
            except AnalysisFailed as e:  # a shared analysis failed: every check reading it fails alike
                failures.append(CheckFailure(check.code, ctx.path, f"{e}\n{e.error}"))
                continue
            except Exception:  # one broken check must not silence the others
                failures.append(CheckFailure(check.code, ctx.path, traceback.format_exc()))
                continue
            finally:
                ctx.allowed = None
            cs = settings.checks.get(check.code)
            override = cs.severity if cs is not None else None
            for f in found:
                sev = override or f.severity or check.severity
                findings.append(f if f.severity == sev else replace(f, severity=sev))
        findings = [f for f in findings if not in_error_region(ctx.root, f)]
        findings = self.suppressions(ctx.source, ctx.root).filter(findings)
        findings.sort(key=lambda f: (f.start, f.code))
        return findings, failures


def in_error_region(root: Node, f: Finding) -> bool:
    """Findings inside a top-level declaration with syntax errors are guesses: drop them."""
    if not root.has_error:
        return False
    node = root.descendant_for_byte_range(f.start, max(f.start, f.end - 1))
    if node is None:
        return True
    node = top_level(node)
    return node.has_error or node.type == "ERROR"


def describe_failure(failure: CheckFailure) -> str:
    lines = failure.error.strip().splitlines()
    first = lines[0] if lines and lines[0].startswith("analysis ") else None
    last = first or (lines[-1] if lines else "error")
    return f"check {failure.code} failed on {failure.path or '<buffer>'}: {last}"
