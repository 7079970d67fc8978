"""Code actions: each finding's quick fixes and its suppression, fix-all, and the test leak gate.

Quick fixes come from `Diagnostic.data` (computed with the diagnostics);
fix-all runs the one fix loop (`driver.fixes.fix_until_stable`), the same as
`plumber check --fix`, so the editor and the command line agree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T
from pygls.uris import from_fs_path

from plumber import SOURCE
from plumber.core.positions import LspLines
from plumber.driver.fixes import fix_until_stable

if TYPE_CHECKING:
    from plumber.lsp.documents import AnalysisResult, OpenDocument, Snapshot
    from plumber.lsp.server import PlumberServer

log = logging.getLogger("plumber.server")

FIX_ALL_KIND = "source.fixAll.plumber"
LEAK_GATE_KIND = "source.plumber.leakGate"
KINDS = [T.CodeActionKind.QuickFix, FIX_ALL_KIND, LEAK_GATE_KIND]


def _fmt_range(r: T.Range) -> str:
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


def _range_key(r: T.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def _valid_data(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("fixes"), list)
        and all(isinstance(f, dict) and "edits" in f and "title" in f for f in data["fixes"])
    )


def _text_edits(edits: list[dict[str, Any]]) -> list[T.TextEdit]:
    out = []
    for e in edits:
        r = e["range"]
        out.append(
            T.TextEdit(
                range=T.Range(
                    T.Position(r["start"]["line"], r["start"]["character"]),
                    T.Position(r["end"]["line"], r["end"]["character"]),
                ),
                new_text=e["newText"],
            )
        )
    return out


class CodeActions:
    def __init__(self, server: PlumberServer):
        self.server = server

    def workspace_edit(self, uri: str, version: int | None, edits: list[T.TextEdit]) -> T.WorkspaceEdit:
        if self.server.capability("workspace.workspace_edit.document_changes", False):
            return T.WorkspaceEdit(
                document_changes=[
                    T.TextDocumentEdit(
                        text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits
                    )
                ]
            )
        return T.WorkspaceEdit(changes={uri: edits})

    @staticmethod
    def published_index(od: OpenDocument) -> dict[tuple, dict[str, Any]]:
        """The data of the published diagnostics by (code, range): one lookup per diagnostic asked about."""
        index: dict[tuple, dict[str, Any]] = {}
        for diag, data in od.published:
            index.setdefault((diag.code, _range_key(diag.range)), data)
        return index

    async def actions(self, params: T.CodeActionParams) -> list[T.CodeAction] | None:
        server = self.server
        uri = params.text_document.uri
        od = server.documents.get(uri)
        if od is None or not od.analyzable:
            log.info("codeAction for %s, which is not an open Go document: no actions", uri)
            return None
        only = params.context.only or None  # an empty list asks for nothing in particular

        def wanted(kind: str) -> bool:
            return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)

        actions: list[T.CodeAction] = []
        if wanted(T.CodeActionKind.QuickFix):
            actions.extend(await self.quick_fixes(od, params.context.diagnostics))
        if wanted(FIX_ALL_KIND):
            # asked for explicitly (on save, from a menu): analyse the current version now if need be;
            # in the catch-all requests sent as the cursor moves, offer it only when already known
            action = await self.fix_all(od, compute=only is not None)
            if action is not None:
                actions.append(action)
        if wanted(LEAK_GATE_KIND) and od.path is not None and od.path.endswith("_test.go"):
            action = await self.leak_gate(od)
            if action is not None:
                actions.append(action)
        return actions

    async def quick_fixes(self, od: OpenDocument, diagnostics: Sequence[T.Diagnostic]) -> list[T.CodeAction]:
        actions: list[T.CodeAction] = []
        suppressions: list[T.CodeAction] = []
        seen: set[str] = set()
        asked: set[tuple] = set()
        current: dict[tuple, dict[str, Any]] | None = None  # looked up once, for all stale diagnostics
        for d in diagnostics:
            if d.source != SOURCE:
                continue
            key = (d.code, _range_key(d.range))
            if key in asked:  # the same diagnostic again (a client may send thousands): one set of actions
                continue
            asked.add(key)
            data = d.data if _valid_data(d.data) else None
            if data is None or data.get("version") != od.version:
                # no data, or data of an older version: the edits would land in the wrong place;
                # use the current analysis if the diagnostic is still there
                if current is None:
                    result = await self.server.scheduler.current_result(od)
                    current = self.published_index(od) if result is not None else {}
                data = current.get(key)
            if data is None:
                log.info("codeAction: no fixes known for %s at %s in %s", d.code, _fmt_range(d.range), od.uri)
                continue
            version = data.get("version")
            for fix in data["fixes"]:
                actions.append(
                    T.CodeAction(
                        title=fix["title"],
                        kind=T.CodeActionKind.QuickFix,
                        diagnostics=[d],
                        is_preferred=bool(fix.get("safe")),
                        edit=self.workspace_edit(od.uri, version, _text_edits(fix["edits"])),
                    )
                )
            sup = data.get("suppress")
            if sup:
                sup_key = repr((sup["title"], sup["edits"]))
                if sup_key in seen:
                    continue
                seen.add(sup_key)
                suppressions.append(
                    T.CodeAction(
                        title=sup["title"],
                        kind=T.CodeActionKind.QuickFix,
                        diagnostics=[d],
                        is_preferred=False,
                        edit=self.workspace_edit(od.uri, version, _text_edits(sup["edits"])),
                    )
                )
        return actions + suppressions

    async def fix_all(self, od: OpenDocument, compute: bool = True) -> T.CodeAction | None:
        if not compute and (od.result is None or od.result.snapshot is not od.snap):
            return None
        result = await self.server.scheduler.current_result(od)
        if result is None:
            return None
        snap = result.snapshot
        if od.fix_all is not None and od.fix_all[0] is snap:
            return od.fix_all[1]
        if not any(f.fixes and f.fixes[0].safe for f in result.findings):
            return None
        fixed = await self.server.scheduler.on_worker(self._fix_loop, result)
        if fixed is None or self.server.documents.get(od.uri) is not od or od.snap is not snap:
            return None
        action = None
        if fixed.changed(snap.source):
            start, old_end, new_text = _one_edit(snap.source, fixed.source)
            n = sum(fixed.fixed.values())
            edit = T.TextEdit(range=self.server.converter.range(od.doc, start, old_end), new_text=new_text)
            action = T.CodeAction(
                title=f"Fix all plumber problems ({n} fix{'es' if n != 1 else ''})",
                kind=FIX_ALL_KIND,
                edit=self.workspace_edit(od.uri, snap.version, [edit]),
            )
        od.fix_all = (snap, action)
        return action

    def _fix_loop(self, result: AnalysisResult):
        """On the worker: the document's text after every safe fix, re-analysed between rounds."""
        server = self.server
        snap = result.snapshot
        parser = server.documents.thread_parser()
        engine = server.engine

        def analyze(text: bytes):
            return engine.analyze(engine.context(snap.path, text, parser.parse(text)), result.settings)

        return fix_until_stable(snap.source, result.findings, analyze, result.failures)

    async def leak_gate(self, od: OpenDocument) -> T.CodeAction | None:
        """ "Fail tests that leak goroutines": add or extend the package's TestMain (runtime/gate.py)."""
        server = self.server
        snap = od.snap
        fix = await asyncio.get_running_loop().run_in_executor(server.scheduler.worker, self._leak_gate, snap)
        if fix is None or server.documents.get(od.uri) is not od or od.snap is not snap:
            return None
        gate, holder_source = fix
        target = server.documents.by_path.get(gate.path) if gate.path else od
        if target is not None and target.analyzable:
            positions: Any = target.doc
            uri, version = target.uri, target.version
        else:
            positions = LspLines(holder_source)
            uri, version = from_fs_path(gate.path) or gate.path, None
        edits = [
            T.TextEdit(range=server.converter.range(positions, e.start, e.end), new_text=e.new_text) for e in gate.edits
        ]
        return T.CodeAction(title=gate.title, kind=LEAK_GATE_KIND, edit=self.workspace_edit(uri, version, edits))

    def _leak_gate(self, snap: Snapshot):
        """On the worker: the gate's edits for this test file's package, and the edited file's text."""
        from plumber.runtime.gate import leak_gate

        engine = self.server.engine
        if snap.path is None:
            return None
        ctx = engine.context(snap.path, snap.source, self.server.documents.snapshot_tree(snap))
        siblings = engine.test_file_contexts(snap.path)
        gate = leak_gate(ctx, siblings)
        if gate is None:
            return None
        holder = next((s for s in siblings if s.path == gate.path), ctx)
        return gate, holder.source


def _continuation(data: bytes, i: int) -> bool:
    return i < len(data) and 0x80 <= data[i] < 0xC0


def _one_edit(old: bytes, new: bytes) -> tuple[int, int, str]:
    """(start, old end, replacement) turning `old` into `new`: the span between their common prefix
    and suffix, widened to whole UTF-8 characters."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    while start > 0 and (_continuation(old, start) or _continuation(new, start)):
        start -= 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    while end > 0 and (_continuation(old, len(old) - end) or _continuation(new, len(new) - end)):
        end -= 1
    return start, len(old) - end, new[start : len(new) - end].decode("utf-8", "surrogateescape")
