"""Findings to LSP diagnostics: one builder for static and run-time findings alike.

Positions are converted here and only here (through `core.positions`), in
the negotiated encoding. Fixes and the suppression fix travel in
`Diagnostic.data`, so that code actions need no second analysis. A
document's converted diagnostics are reused for the next version when
nothing they read (their spans, their fixes, the end of their line) changed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from lsprotocol import types as T
from pygls.uris import from_fs_path
from tree_sitter import Node

from plumber import SOURCE
from plumber.core.findings import Edit, Finding, Fix, Severity
from plumber.core.positions import LspLines
from plumber.driver.suppress import suppression_fix
from plumber.report.docs import page_url
from plumber.syntax.files import read_regular
from plumber.syntax.parser import new_parser

if TYPE_CHECKING:
    from plumber.lsp.documents import OpenDocument, Snapshot
    from plumber.lsp.server import PlumberServer

log = logging.getLogger("plumber.server")


class Positions(Protocol):
    def position(self, offset: int, encoding: str) -> tuple[int, int]: ...


def conversion_limit(source: bytes, f: Finding) -> int:
    """The last byte offset converting `f` depends on (its spans, its fixes, the end of its line,
    which the suppression fix reads), or -1 when it also reads another file."""
    if any(r.path is not None for r in f.related):
        return -1
    line_end = source.find(b"\n", f.start)
    return max(
        [f.end, len(source) if line_end < 0 else line_end]
        + [e.end for fix in f.fixes for e in fix.edits]
        + [r.end for r in f.related]
    )


class Converter:
    def __init__(self, server: PlumberServer):
        self.server = server

    @property
    def encoding(self) -> str:
        return self.server.encoding

    def range(self, positions: Positions, start: int, end: int) -> T.Range:
        s = positions.position(start, self.encoding)
        e = positions.position(end, self.encoding)
        return T.Range(T.Position(*s), T.Position(*e))

    def edit_data(self, positions: Positions, e: Edit) -> dict[str, Any]:
        r = self.range(positions, e.start, e.end)
        return {
            "range": {
                "start": {"line": r.start.line, "character": r.start.character},
                "end": {"line": r.end.line, "character": r.end.character},
            },
            "newText": e.new_text,
        }

    def fix_data(self, positions: Positions, fix: Fix) -> dict[str, Any]:
        return {"title": fix.title, "safe": fix.safe, "edits": [self.edit_data(positions, e) for e in fix.edits]}

    def location(self, path: str, start: int, end: int) -> T.Location | None:
        """A place in a file: an open buffer's current text, else the file on disk."""
        path = os.path.abspath(path)
        od = self.server.documents.by_path.get(path)
        if od is not None and od.analyzable:
            return T.Location(od.uri, self.range(od.doc, start, end))
        try:
            lines = LspLines(read_regular(path))
        except OSError as e:
            log.info("related location in %s dropped: %s", path, e)
            return None
        return T.Location(from_fs_path(path) or path, self.range(lines, start, end))

    def diagnostic(
        self,
        f: Finding,
        uri: str,
        path: str | None,
        positions: Positions,
        source: bytes,
        version: int | None,
        with_data: bool = True,
        root_of: Callable[[], Node] | None = None,
        docs_url: str | None = None,
    ) -> tuple[T.Diagnostic, dict[str, Any] | None]:
        """The diagnostic of `f` in the file (`uri`, `path`) whose text is `source`, placed by `positions`;
        `root_of()` gives its syntax tree (for the suppression fix, which reads comments); its code links
        the check's page under `docs_url` (the file's docsUrl setting), else the page Plumber ships."""
        check = self.server.engine.by_code.get(f.code)
        related = []
        for r in f.related:
            if r.path is None or (path is not None and os.path.abspath(r.path) == path):
                location: T.Location | None = T.Location(uri, self.range(positions, r.start, r.end))
            else:
                location = self.location(r.path, r.start, r.end)
            if location is not None:
                related.append(T.DiagnosticRelatedInformation(location=location, message=r.message))
        data = None
        if with_data:
            root = root_of() if root_of is not None else new_parser().parse(source).root_node
            data = {
                "version": version,
                "fixes": [self.fix_data(positions, fix) for fix in f.fixes],
                "suppress": self.fix_data(positions, suppression_fix(source, root, f)),
            }
        severity = f.severity or (check.severity if check else Severity.WARNING)
        diag = T.Diagnostic(
            range=self.range(positions, f.start, f.end),
            message=f.message,
            severity=T.DiagnosticSeverity(int(severity)),
            code=f.code,
            code_description=T.CodeDescription(href=page_url(check, docs_url)) if check else None,
            source=SOURCE,
            related_information=related or None,
            data=data,
        )
        return diag, data

    def document_diagnostics(
        self, od: OpenDocument, snap: Snapshot, findings: list[Finding], docs_url: str | None = None
    ) -> list[tuple[T.Diagnostic, dict[str, Any]]]:
        """Diagnostics of an open document's findings, reusing last publish's conversions where valid
        (none when the docs URL they link changed)."""
        cache = self._reusable(od, snap) if od.diag_docs == docs_url else {}
        tree: list[Node] = []

        def root_of() -> Node:  # the snapshot's tree, looked up once and only when a finding needs it
            if not tree:
                tree.append(self.server.documents.snapshot_tree(snap).root_node)
            return tree[0]

        kept: dict[Finding, tuple[T.Diagnostic, dict[str, Any], int]] = {}
        published = []
        for f in findings:
            hit = cache.get(f)
            if hit is not None:  # converted for an earlier version, and nothing before it changed
                diag, data, limit = hit
                data["version"] = snap.version
            else:
                try:
                    diag, data = self.diagnostic(
                        f, od.uri, od.path, od.doc, snap.source, snap.version, root_of=root_of, docs_url=docs_url
                    )
                except Exception:
                    log.exception("cannot convert finding %s at %d in %s", f.code, f.start, od.uri)
                    continue
                limit = conversion_limit(snap.source, f)
            published.append((diag, data))
            if limit >= 0:
                kept[f] = (diag, data, limit)
        od.diag_cache, od.diag_seq, od.diag_docs = kept, snap.changes, docs_url
        return published

    def _reusable(self, od: OpenDocument, snap: Snapshot) -> dict:
        """The converted diagnostics of the last publish that are still right for `snap`: those whose
        finding reads no byte at or after the first change since (its positions, its line)."""
        if not od.diag_cache or od.doc is None or snap.changes < 0 or od.diag_seq < 0:
            return {}
        changes = od.doc.changes_between(od.diag_seq, snap.changes)
        if changes is None:
            return {}
        first = min((ev[0] if isinstance(ev, tuple) else ev.start for ev in changes), default=len(snap.source) + 1)
        return {f: v for f, v in od.diag_cache.items() if v[2] < first}
