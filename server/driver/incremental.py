"""Incremental analysis: per-edit cost that follows the edit, not the file.

An `IncrementalAnalyzer` belongs to one open document. It keeps the findings
of the last run and, after an edit, reruns the per-declaration checks only on
the top-level declarations the edit touched: the edited byte ranges (in new
coordinates) united with the ranges tree-sitter reports as changed by the
reparse (`Tree.changed_ranges`, which is empty for an edit inside a token),
widened to whole lines plus the next line (a `//nolint` comment suppresses
findings on its own line and the statement below it), and to the declaration
below an edited top-level comment (a directive in a doc comment covers the
whole function), and to the declarations naming a name whose value changed in
a fact of the whole file a check read there (`FileContext.read_across`: a
goroutine running `worker(ch)` has worker's sends; a function run only through
`once.Do` runs once per process). An edit of the comments before the package clause (which
may suppress the whole file or mark it generated) reruns everything. The other declarations' cached
findings are shifted by the edits' byte deltas and reused.

The whole file is analysed again when the edit touches anything but a
function or method declaration or a comment at the top level (the package
clause, imports, a type/var/const declaration, an ERROR node): checks may
read those from any function. Checks with `scope="file"` and package-wide
checks (the second tier) run on the whole file at every edit, unless the
driver defers them (`defer_file_checks`): then an incremental run returns their
last findings shifted by the edits, `pending_file_checks` is set, and the
driver runs them after a pause (as gopls splits its work; the server does so
for large documents once they cost more than a few tens of ms). A finding of the second tier
stays until the second tier reruns: the published list never flickers.

Invariant (tested by tests/test_incremental.py): the findings equal those
of `Engine.analyze` over a fresh parse of the same text.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterable

from plumber.analysis.context import FileContext
from plumber.core.checks import Check
from plumber.core.findings import Finding
from plumber.core.settings import Settings
from plumber.driver.engine import CheckFailure, Engine
from plumber.driver.stale import (
    LOCAL_TOP_LEVEL,
    changed_names,
    first_error,
    fixed_spans,
    mentioning,
    merge,
    package_start,
    parsed_anew,
    shift,
    shift_all,
    shift_finding,
    top_level_from,
)
from plumber.driver.suppress import marker_near
from plumber.syntax.document import ByteEdit, Document

MAX_EVENTS = 64
IMPORTS_REFRESH = 32


class IncrementalAnalyzer:
    """The findings of one document, kept up to date edit by edit.

    `analyze(doc)` is a drop-in for a full `Engine.analyze` of the document's
    current text. A server that analyses immutable snapshots on another thread
    calls `analyze_version(doc, seq, source, tree)` with the `doc.change_seq`
    recorded when the snapshot was taken: the analyzer asks the document what
    changed since the version it analysed last (`doc.changes_between`), and
    falls back to a whole-file run whenever that is unknown.
    """

    def __init__(self, engine: Engine, path: str | None = None):
        self.engine = engine
        self.path = path
        self._settings: Settings | None = None
        self._checks: tuple[Check, ...] | None = None
        self._doc: Document | None = None
        self._seq = -1  # the document's change_seq at the last run
        self._decl: list[Finding] | None = None  # findings of per-declaration checks
        self._imports = None  # the ImportTable of the last run, reused while no edit comes before its end
        self._imports_end = 0
        self._reused = 0
        self._first_edit = 0  # the smallest start of the edits since the last run
        # spans of the top-level nodes other than functions, methods and comments, as of the last run
        self._fixed: list[tuple[int, int]] = []
        self._whole: list[Finding] | None = None  # findings of the whole-file checks, as of their last run
        self.file_checks_s = 0.0  # how long the whole-file checks took at their last run
        self._whole_completed = False  # a run of them finished uncut (kept across resets)
        self.pending_file_checks = False  # the last run returned the whole-file checks' older findings
        self.last_mode = ""  # "full" or "incremental": what the last run did
        self.last_ranges: list[tuple[int, int]] = []  # the declarations the last incremental run reran
        self._tree = None  # a copy of the tree of the last run (its subtrees are what a reparse may reuse)
        # the package's declarations as of the last run (Engine.package_declarations), weakly: the module
        # index keeps the current ones, and a document of a large package must not pin an old merge
        self._declared: weakref.ref | None = None
        self._unmarked = False  # the last run's text held no directive's marker (suppress.marker_near)
        # the facts of the whole file the per-declaration checks read (FileContext.read_across), as of the last run
        self._facts: dict[str, tuple] = {}

    @property
    def file_checks_never_ran(self) -> bool:
        """No run of the whole-file checks has completed yet (none was published): the document was
        just opened, and its first run deferred them or their runs were cut."""
        return not self._whole_completed

    def reset(self) -> None:
        self._decl = None
        self._whole = None

    def drop_tree_refs(self) -> None:
        """Forget what holds nodes of a tree (the import table), so that an idle document's tree can be freed."""
        self._imports = None
        self._tree = None

    def can_continue(self, doc: Document, seq: int) -> bool:
        """Whether a run at `doc`'s state `seq` can reuse the last one (is incremental, given the
        same settings); a cheap test (no analysis)."""
        return self._decl is not None and doc is self._doc and doc.changes_between(self._seq, seq) is not None

    def analyze(
        self, doc: Document, settings: Settings | None = None, checks: Iterable[Check] | None = None
    ) -> tuple[list[Finding], list[CheckFailure]]:
        """Findings of the document's current text."""
        if doc.edits:
            doc.reparse()
        return self.analyze_version(doc, doc.change_seq, doc.text, doc.tree, settings, checks)

    def analyze_version(
        self,
        doc: Document,
        seq: int,
        source: bytes,
        tree,
        settings: Settings | None = None,
        checks: Iterable[Check] | None = None,
        defer_file_checks: bool = False,
    ) -> tuple[list[Finding], list[CheckFailure]]:
        """Findings of `source`/`tree`, the state of `doc` at `seq` (its change_seq then).

        `defer_file_checks`: when the edits since the last run are known (also when they make the
        per-declaration checks rerun the whole file), the whole-file checks are not run; their last
        findings, shifted by the edits (those an edit touched dropped), stand in for them and
        `pending_file_checks` says so; on the first run, they are not run and none stand in. A run
        without it brings everything up to date."""
        settings = settings or Settings()
        checks = tuple(checks) if checks is not None else tuple(self.engine.enabled_checks(settings))
        ctx = self.engine.context(self.path, source, tree)
        try:
            return self._analyze(ctx, doc, seq, source, tree, settings, checks, defer_file_checks)
        finally:
            ctx.release()

    def _analyze(
        self,
        ctx: FileContext,
        doc: Document,
        seq: int,
        source: bytes,
        tree,
        settings: Settings,
        checks: tuple[Check, ...],
        defer_file_checks: bool,
    ) -> tuple[list[Finding], list[CheckFailure]]:
        decl_checks = [c for c in checks if c.per_declaration]
        file_checks = [c for c in checks if not c.per_declaration]
        ranges = None
        changes = None
        if self._decl is not None and doc is self._doc and settings == self._settings and checks == self._checks:
            changes = doc.changes_between(self._seq, seq)
            if changes is not None:
                self._carry_suppressions(source, changes)
                ranges = self._dirty_declarations(source, tree, changes)
            if ranges is not None and tree.root_node.has_error:
                # After a syntax error tree-sitter may resolve ambiguities differently anywhere
                # further on (`f(x)` a call or a conversion) without reporting a changed range:
                # every declaration it parsed again is rerun, or (not known) all from the first error on.
                if self._tree is not None:
                    reparsed = parsed_anew(self._tree, tree, changes)
                    ranges = merge(list(ranges) + reparsed) if reparsed is not None else None
                else:
                    first = first_error(tree.root_node)
                    if first is not None:
                        ranges = merge(list(ranges) + [(first, len(source))])
        declared = self.engine.package_declarations(ctx, decl_checks) if decl_checks else None
        before = self._declared() if self._declared is not None else None
        if ranges is not None and declared is not before:
            # the package's declarations changed: where a changed signature is named, types may differ
            names = changed_names(before, declared)
            naming = mentioning(source, tree.root_node, names) if names is not None else None
            ranges = merge(list(ranges) + naming) if naming is not None else None
        self._declared = weakref.ref(declared) if declared is not None else None
        if ranges is not None and self._facts:
            # a declaration's findings may hold what it read of the whole file (another function, once.Do's
            # functions): where that changed, the declarations naming a changed name are rerun
            changed = self._changed_facts(ctx)
            naming = mentioning(source, tree.root_node, changed) if changed is not None else None
            ranges = merge(list(ranges) + naming) if naming is not None else None
        failures: list[CheckFailure] = []
        if ranges is None:
            self.last_mode, self.last_ranges = "full", []
            self._fixed = fixed_spans(tree)
            decl, failures = self.engine.analyze(ctx, settings, decl_checks) if decl_checks else ([], [])
        else:
            self.last_mode, self.last_ranges = "incremental", ranges
            assert self._decl is not None  # a run continues only from an earlier one
            decl = self._decl
            self._reused += 1
            if self._imports is not None and self._first_edit >= self._imports_end and self._reused % IMPORTS_REFRESH:
                # import declarations come first and the edits touched none of them: the same
                # table (its nodes belong to an older tree, at the same offsets; that tree is pinned
                # and drifts from the current one, so the table is rebuilt every IMPORTS_REFRESH runs)
                ctx.__dict__["imports"] = self._imports
            if ranges:
                decl = [f for f in decl if not any(s <= f.start < e for s, e in ranges)]
                ctx.ranges = tuple(ranges)
                fresh, failures = self.engine.analyze(ctx, settings, decl_checks) if decl_checks else ([], [])
                ctx.ranges = None
                if fresh:
                    decl = decl + fresh
                    decl.sort(key=lambda f: (f.start, f.code))
        self._decl, self._settings, self._checks, self._doc, self._seq = decl, settings, checks, doc, seq
        if ranges is None:
            self._facts = {}  # a full run read all there are
        self._facts.update(ctx.facts_read)
        self._unmarked = not self.engine.suppressions(source, tree.root_node).markers
        self._tree = tree.copy()  # O(1), and immutable: the document edits its own tree in place
        if any(f.cut for f in failures):
            self._decl = None  # they lack the cut checks' findings: the next run is full
        self._keep_imports(ctx)
        self.pending_file_checks = False
        if not file_checks:
            return list(decl), failures
        more: list[CheckFailure] = []
        if defer_file_checks and changes is not None and self._whole is not None:
            # the edits since the last run are known (`changes`), even when the per-declaration checks
            # reran the whole file: the old findings are moved by them (only a deferred run does so)
            whole = self._whole = shift_all(self._whole, changes)
            self.pending_file_checks = True
        elif defer_file_checks and self.file_checks_never_ran:
            # a document just opened: nothing of the second tier is known yet to stand in (after a
            # reset, they run: dropping their findings until the second tier would flicker)
            whole = []
            self.pending_file_checks = True
        else:
            started = time.perf_counter()
            whole, more = self.engine.analyze(ctx, settings, file_checks)
            self.file_checks_s = time.perf_counter() - started
            if any(f.cut for f in more):
                # cut (over the budget, or superseded by an edit): the last complete findings,
                # moved by the edits, stand in for them until a run completes
                prior = self._whole if ranges is not None else None
                self._whole = shift_all(prior, changes or []) if prior is not None else None
                self.pending_file_checks = True
            else:
                self._whole = whole
                self._whole_completed = True
        self._keep_imports(ctx)
        out = decl + whole
        out.sort(key=lambda f: (f.start, f.code))
        return out, failures + more

    def _carry_suppressions(self, source: bytes, changes: list) -> None:
        """One edit of a text without any directive's marker (not even in a string, which an edit far away
        may turn into a comment) that brings none: the new text has none either, told without scanning it
        (a keystroke in a 250 KB file: 0.3 ms of scans)."""
        edits = [ev for ev in changes if isinstance(ev, ByteEdit)]
        if self._unmarked and len(edits) == 1 and not marker_near(source, edits[0].start, edits[0].new_end):
            self.engine.unmarked(source)

    def _changed_facts(self, ctx: FileContext) -> set[str] | None:
        """The names whose value differs in a fact of the last run computed again over `ctx` (the new
        ones kept); None when one cannot be computed (a whole-file run)."""
        changed: set[str] = set()
        for key, (fact, old) in list(self._facts.items()):
            try:
                new = fact(ctx)
            except Exception:  # the checks will report it; meanwhile nothing cached is trusted
                return None
            changed.update(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))
            self._facts[key] = (fact, new)
        return changed

    def _keep_imports(self, ctx) -> None:
        table = ctx.__dict__.get("imports")
        if table is not None and table is not self._imports:
            self._imports = table
            self._imports_end = table.decls[-1].end_byte if table.decls else 0

    def _dirty_declarations(self, text: bytes, tree, changes: list) -> list[tuple[int, int]] | None:
        """Byte ranges of the declarations to rerun (cached findings shifted meanwhile); None: rerun all."""
        if len(changes) > MAX_EVENTS:
            return None  # a long batch (a paste of many edits): a whole-file run is cheaper
        cached = self._decl
        fixed = self._fixed
        dirty: list[tuple[int, int]] = []
        touched: list[int] = []  # where dropped findings started (current coordinates)
        self._first_edit = min((ev.start for ev in changes if isinstance(ev, ByteEdit)), default=len(text))
        for ev in changes:
            if isinstance(ev, ByteEdit):
                # an edit of the old text's package clause, imports, types, vars, consts or errors
                # (it may have deleted them: the new tree cannot tell) -> the whole file
                if any(ev.start <= fe and ev.old_end >= fs for fs, fe in fixed):  # touching counts
                    return None
                touched = [shift(p, ev) for p in touched]
                if fixed and fixed[-1][1] > ev.start:
                    fixed = [(shift(fs, ev), shift(fe, ev)) for fs, fe in fixed]
                dirty = [(shift(s, ev), shift(e, ev)) for s, e in dirty]
                if cached:
                    kept = []
                    for f in cached:
                        if f.start <= ev.old_end and f.end >= ev.start:
                            # the edit touches the finding: drop it, rerun its declaration if it is still there
                            p = shift(f.start, ev)
                            dirty.append((p, p))
                            touched.append(p)
                        else:
                            kept.append(shift_finding(f, ev))
                    cached = kept
                dirty.append((ev.start, ev.new_end))
            else:
                # a reparse changed this range: if it holds (or touches) an old non-function
                # node, that node may be gone (swallowed by a function, say) -> the whole file
                if any(ev[0] <= fe and ev[1] >= fs for fs, fe in fixed):
                    return None
                dirty.append(ev)
        self._decl, self._fixed = cached, fixed
        root = tree.root_node
        header_end = package_start(root)
        out: list[tuple[int, int]] = []
        for s, e in merge(dirty):
            # whole lines, and the next one (//nolint reaches one line down)
            s = text.rfind(b"\n", 0, s) + 1
            nl = text.find(b"\n", e)
            nl = text.find(b"\n", nl + 1) if nl >= 0 else -1
            e = len(text) if nl < 0 else nl
            cursor = top_level_from(root, text, max(0, s - 1), e)  # a node ending at s counts
            if cursor is None:
                continue
            while True:
                node = cursor.node
                if node.start_byte > e:
                    break
                if node.is_named:
                    if node.type not in LOCAL_TOP_LEVEL or node.is_missing or node.end_byte <= header_end:
                        return None  # (a comment of the file's header: it may suppress the whole file)
                    # a function, a method or a top-level comment: rerun on its span (findings
                    # may start in a comment too)
                    out.append((node.start_byte, node.end_byte))
                    if node.type == "comment":  # a directive there covers the declaration below it
                        e = max(e, node.end_byte + 2)
                if not cursor.goto_next_sibling():
                    break
        return merge(out)


__all__ = ["IncrementalAnalyzer"]
