"""The profile commands' common part: the loaded run-time findings, merged into what a file publishes.

`ProfileCommands` owns the loaded findings of each kind (`runtime.loaded`),
the goroutine commands (`plumber.loadGoroutineProfile`,
`plumber.clearGoroutineProfile`), how a failed command reaches the user
(window/showMessage, and an error answer; the server keeps running), the
re-publishing of the files a load touches, and the heap code lenses. The heap
commands are in `heap_commands`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T
from pygls.uris import from_fs_path

from plumber.core.findings import Finding
from plumber.core.positions import LspLines
from plumber.lsp.documents import uri_path
from plumber.lsp.protocol import UserError
from plumber.runtime import Options, ProfileError
from plumber.runtime.confirm import confirm
from plumber.runtime.heap_confirm import confirm as heap_confirm
from plumber.runtime.loaded import GOROUTINE, HEAP, LoadedProfiles, load_goroutines
from plumber.syntax.files import read_regular

if TYPE_CHECKING:
    from plumber.lsp.server import PlumberServer

log = logging.getLogger("plumber.server")

COMMAND_LOAD = "plumber.loadGoroutineProfile"
COMMAND_CLEAR = "plumber.clearGoroutineProfile"
# A heap code lens carries no command of the server's: clients show its title; the VS Code extension
# gives it its own "show the chart" command (a client command the server cannot name for every client).
LENS_COMMAND = ""


def options_from(args: Any) -> tuple[str, Options]:
    """(source, options) from the command's arguments: ["path or URL"] or [{"source": ..., ...}]."""
    first = args[0] if isinstance(args, (list, tuple)) and args else args
    if isinstance(first, str) and first.strip():
        return first.strip(), Options()
    if isinstance(first, dict) and isinstance(first.get("source"), str) and first["source"].strip():
        o = Options()
        wait = first.get("minWaitMinutes", o.min_wait_minutes)
        count = first.get("minCount", o.min_count)
        if not isinstance(wait, int) or not isinstance(count, int) or wait < 0 or count < 1:
            raise ProfileError("minWaitMinutes must be an integer >= 0 and minCount an integer >= 1")
        return first["source"].strip(), Options(wait, count)
    raise ProfileError(
        f"{COMMAND_LOAD} takes a file path or an http://localhost URL, "
        'or {"source": ..., "minWaitMinutes": 10, "minCount": 10}'
    )


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def parse_root(source: bytes):
    """The root of a fresh parse (a file that is not open: its text read from disk)."""
    from plumber.syntax.parser import new_parser

    return new_parser().parse(source).root_node


class ProfileCommands:
    """The loaded run-time findings of each kind, the goroutine commands, and what files publish."""

    def __init__(self, server: PlumberServer):
        self.server = server
        self.loaded = LoadedProfiles()

    def workspace_roots(self) -> list[str]:
        ws = self.server.workspace
        roots = [p for f in (ws.folders or {}).values() if (p := uri_path(f.uri))]
        if not roots and ws.root_path:
            roots = [ws.root_path]
        return roots

    def show(self, kind: T.MessageType, message: str) -> None:
        self.server.window_show_message(T.ShowMessageParams(type=kind, message=message))

    async def run_reported(self, command: str, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) off the event loop; a failure is shown to the user and raised as the command's error.

        A profile Plumber cannot read says why; anything else is a bug, logged with its traceback."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
        except ProfileError as e:  # the user's mistake: an error reply, not a logged traceback
            self.show(T.MessageType.Error, f"plumber: {e}")
            raise UserError(str(e)) from None
        except Exception as e:
            log.exception("%s failed", command)
            self.show(T.MessageType.Error, f"plumber: {command} failed ({type(e).__name__}: {e}); see the log")
            raise

    def refused(self, e: ProfileError) -> UserError:
        """Bad arguments: shown like an unreadable profile."""
        self.show(T.MessageType.Error, f"plumber: {e}")
        return UserError(str(e))

    # -- goroutine profiles ------------------------------------------------------------------

    async def load(self, args) -> dict[str, Any]:
        try:
            source, options = options_from(args)
        except ProfileError as e:
            raise self.refused(e) from None
        store = self.loaded.goroutine
        before = store.paths()
        summary = await self.run_reported(COMMAND_LOAD, load_goroutines, store, source, self.workspace_roots(), options)
        for a in summary["ambiguous"]:
            self.server.log_to_client(f"plumber: goroutine profile: {a}", T.MessageType.Warning)
        n, files = summary["findings"], len(summary["files"])
        self.show(
            T.MessageType.Info,
            f"plumber: {summary['goroutines']} goroutines read from {source}: {plural(n, 'place')} "
            f"in {plural(files, 'file')}"
            + (
                f"; {len(summary['ambiguous'])} ambiguous frames not placed (see the log)"
                if summary["ambiguous"]
                else ""
            ),
        )
        self.publish(before | store.paths())
        return summary

    def clear(self) -> dict[str, Any]:
        paths = self.loaded.goroutine.clear()
        self.publish(paths)
        return {"cleared": len(paths)}

    # -- what a file publishes -----------------------------------------------------------------

    def shown_by(self, kind: str) -> Callable[[str], bool]:
        """Whether a profile of `kind` can show a check's leak: the registry's `Check.profiles`."""
        by_code = self.server.engine.by_code

        def shown(code: str) -> bool:
            check = by_code.get(code)
            return check is not None and kind in check.profiles

        return shown

    def runtime_findings(self, path: str | None, source: bytes, root_of) -> dict[str, list[Finding]]:
        """Per kind, the loaded findings of a file on its current text, without the suppressed ones."""
        out = {}
        suppressions = None
        for kind, found in self.loaded.findings_for(path, source).items():
            if suppressions is None:
                suppressions = self.server.engine.suppressions(source, root_of())
            kept = suppressions.filter(found)
            if kept:
                out[kind] = kept
        return out

    def merge(self, path: str | None, source: bytes, root_of, static: list[Finding]) -> list[Finding]:
        """What to publish for a file: static findings (confirmed ones say so) and run-time ones.

        `root_of()` gives the file's syntax tree root; it is called only when a goroutine profile
        has findings here (the server may have released the tree of a document not being edited)."""
        runtime = self.runtime_findings(path, source, root_of)
        if not runtime:
            return static
        if GOROUTINE in runtime:
            static = confirm(static, runtime[GOROUTINE], root_of(), self.shown_by(GOROUTINE))
        if HEAP in runtime:
            static = heap_confirm(static, runtime[HEAP], self.shown_by(HEAP))
        merged = static + [f for found in runtime.values() for f in found]
        return sorted(merged, key=lambda f: (f.start, f.code))

    def publish(self, paths: Iterable[str]) -> None:
        """Re-publish the files a loaded (or cleared) profile touches, open or not."""
        server = self.server
        for path in paths:
            od = server.documents.by_path.get(path)
            if od is not None and od.analyzable:
                if od.result is not None and od.result.snapshot is od.snap:
                    server.publish(od, od.result)
                else:
                    server.scheduler.schedule(od, delay_ms=0)
                continue
            try:
                source = read_regular(path)
            except OSError:
                source = b""
            uri = from_fs_path(path) or path
            lines = LspLines(source)
            docs_url = server.engine.settings_for(path, server.settings.editor_settings, report=False)[0].docs_url
            diagnostics = [
                server.converter.diagnostic(f, uri, path, lines, source, None, with_data=False, docs_url=docs_url)[0]
                for found in self.runtime_findings(path, source, lambda source=source: parse_root(source)).values()
                for f in found
            ]
            server.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    # -- code lenses ---------------------------------------------------------------------------

    def code_lenses(self, uri: str) -> list[T.CodeLens]:
        """A lens above each heap-growth line of an open file: its bytes and share, as in the diagnostic."""
        od = self.server.documents.get(uri)
        if od is None or not od.analyzable:
            return []
        source = od.snap.source
        lenses = []
        snap = od.snap
        for f in self.runtime_findings(
            od.path, source, lambda: self.server.documents.snapshot_tree(snap).root_node
        ).get(HEAP, []):
            line = self.server.converter.range(od.doc, f.start, f.start).start.line
            rng = T.Range(T.Position(line, 0), T.Position(line, 0))
            where = {"path": od.path, "line": line + 1}
            lenses.append(
                T.CodeLens(range=rng, command=T.Command(title=f.message, command=LENS_COMMAND, arguments=[where]))
            )
        return lenses

    def refresh_code_lenses(self) -> None:
        """Ask the client to fetch the lenses again (a load or a clear changed them), where it can."""
        if not self.server.capability("workspace.code_lens.refresh_support", False):
            return
        try:
            self.server.workspace_code_lens_refresh(None)
        except Exception as e:  # the client went away; lenses are a nicety
            log.info("workspace/codeLens/refresh failed: %r", e)
