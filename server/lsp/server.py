"""The LSP server (pygls 2): wiring only.

The rooms: `documents` (text sync, snapshots, tree memory), `scheduler`
(debounce, the worker, inline incremental runs), `converter` (findings to
diagnostics), `actions` (code actions), `profiles` (the loaded run-time
findings and the goroutine-profile commands), `heap` (the heap-profile
commands), `settings` (the editor's settings). The server knows no check:
findings come from the engine (`driver`), whose registry it is given.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer

from plumber import __version__
from plumber.core.checks import Check
from plumber.core.positions import UTF8, UTF16, UTF32
from plumber.driver.config import CONFIG_FILES
from plumber.driver.engine import Engine, describe_failure
from plumber.lsp.actions import KINDS, CodeActions
from plumber.lsp.commands import COMMAND_CLEAR, COMMAND_LOAD, ProfileCommands
from plumber.lsp.convert import Converter
from plumber.lsp.documents import (
    MAX_DOCUMENT_ENV,
    AnalysisResult,
    Documents,
    OpenDocument,
    Snapshot,
    max_document_bytes,
    uri_path,
)
from plumber.lsp.fastinit import Early
from plumber.lsp.heap_commands import COMMAND_CLEAR_HEAP, COMMAND_COMPARE_HEAP, COMMAND_LOAD_HEAP, HeapCommands
from plumber.lsp.protocol import PlumberProtocol
from plumber.lsp.scheduler import BUDGET_ENV, Scheduler, run_all
from plumber.lsp.settings import CONFIG_SECTION, EditorSettings

log = logging.getLogger("plumber.server")

WATCHED_GLOBS = ("**/go.mod", "**/plumber.toml", "**/.plumber.toml", "**/*.go")
REGISTRATION_WAIT_S = 5.0


class PlumberServer(LanguageServer):
    def __init__(self, registry: Sequence[Check] | None = None) -> None:
        super().__init__(
            "plumber",
            __version__,
            protocol_cls=PlumberProtocol,
            text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
        )
        self.documents = Documents()
        self.engine = Engine(registry, overlay=self.documents.overlay, open_files=self.documents.paths_in)
        self.scheduler = Scheduler(self)
        self.converter = Converter(self)
        self.actions = CodeActions(self)
        self.profiles = ProfileCommands(self)
        self.heap = HeapCommands(self)
        self.settings = EditorSettings(self)
        self.encoding = UTF16

    def capability(self, path: str, default: Any = None) -> Any:
        node: Any = self.client_capabilities
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                return default
        return node

    def log_to_client(self, message: str, kind: T.MessageType = T.MessageType.Info) -> None:
        {T.MessageType.Error: log.error, T.MessageType.Warning: log.warning}.get(kind, log.info)(message)
        try:
            self.window_log_message(T.LogMessageParams(type=kind, message=message))
        except Exception:  # the transport is gone (shutting down)
            pass

    # -- text synchronisation (inline, in message order) ---------------------------------

    def did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        if params.text_document.uri in self.documents.by_uri:
            self.scheduler.cancel(params.text_document.uri)
        od = self.documents.open(params.text_document)
        if od.analyzable:
            if od.oversized:
                self.skip_oversized(od)
                return
            self.scheduler.schedule(od, delay_ms=0)
            self.scheduler.schedule_peers(od)

    def did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        od = self.documents.get(uri)
        if od is None:
            self.log_to_client(f"didChange for {uri}, which is not open: ignored", T.MessageType.Warning)
            return
        od.version = params.text_document.version
        if not od.analyzable:
            return
        was_oversized = od.oversized
        for cold in self.documents.change(od, params, self.encoding):
            if cold.uri not in self.scheduler.tasks:
                self.documents.release_tree(cold)
        if od.oversized:
            if not was_oversized:
                self.skip_oversized(od)
            return
        self.scheduler.schedule(od)
        self.scheduler.schedule_peers(od)

    def did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri not in self.documents.by_uri:
            log.info("didClose for %s, which is not open: ignored", uri)
            return
        self.scheduler.cancel(uri)
        od = self.documents.forget(uri)
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if od.analyzable:
            self.scheduler.schedule_peers(od)  # they now read the file from disk
        if od.path is not None and od.path in self.profiles.loaded.paths():
            self.profiles.publish([od.path])  # a loaded profile's findings outlive the buffer

    # -- publishing ------------------------------------------------------------------

    def publish(self, od: OpenDocument, result: AnalysisResult) -> None:
        if result.warnings:
            self.settings.warn(result.warnings)
        od.debounce_ms = result.settings.debounce_ms
        cut = sorted(f.code for f in result.failures if f.cut)
        if cut:
            log.warning(
                "%s v%s: analysis cut after its time budget (%s): %s not complete; published what the others found",
                od.uri,
                result.snapshot.version,
                BUDGET_ENV,
                ", ".join(cut),
            )
        logged = set()
        for failure in result.failures:
            if failure.cut:
                continue
            msg = describe_failure(failure)
            logged.add(msg)
            if msg not in od.failures_logged:
                log.error("%s\n%s", msg, failure.error)
                self.log_to_client(msg, T.MessageType.Error)
        od.failures_logged = frozenset(logged)
        snap = result.snapshot
        findings = self.profiles.merge(
            od.path, snap.source, lambda: self.documents.snapshot_tree(snap).root_node, result.findings
        )
        od.published = self.converter.document_diagnostics(od, snap, findings, result.settings.docs_url)
        od.result = result
        self.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(uri=od.uri, version=snap.version, diagnostics=[d for d, _ in od.published])
        )
        if od.uri not in self.documents.hot:
            self.documents.release_tree(od)

    def skip_oversized(self, od: OpenDocument) -> None:
        """A document over PLUMBER_MAX_DOCUMENT_MB: say so once, and publish no diagnostics for it."""
        self.scheduler.cancel(od.uri)
        od.result = None
        od.published = []
        od.analyzer = None
        self.log_to_client(
            f"plumber: {od.uri} is {len(od.doc.text) / 1e6:.1f} MB, over {MAX_DOCUMENT_ENV} "
            f"({max_document_bytes() / 1e6:g} MB): not analysed while it stays that large",
            T.MessageType.Warning,
        )
        self.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(uri=od.uri, version=od.snap.version, diagnostics=[])
        )

    def analysis_failed(self, od: OpenDocument, snap: Snapshot) -> None:
        """Never leave the diagnostics of an older version standing after a failed analysis."""
        self.log_to_client(f"plumber: analysis of {od.uri} failed; see the server log", T.MessageType.Error)
        od.result = None
        od.published = []
        self.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(uri=od.uri, version=snap.version, diagnostics=[])
        )

    # -- workspace events ----------------------------------------------------------

    def files_changed(self, paths: Iterable[tuple[str, bool]]) -> None:
        """(path, created_or_deleted) of changed files: the engine drops the caches they govern
        (on the worker, so that no two threads touch them); re-run what they affect: everything
        for go.mod and plumber.toml, the open files of the package for a Go file."""
        paths = list(paths)
        if not paths:
            return
        rerun_all = any(os.path.basename(p) == "go.mod" or os.path.basename(p) in CONFIG_FILES for p, _ in paths)
        self.scheduler.on_worker(run_all, [lambda p=p, s=s: self.engine.file_changed(p, s) for p, s in paths])
        if rerun_all:
            self.scheduler.rerun_all()
            return
        if self.engine.package_wide:
            directories = {os.path.dirname(p) for p, _ in paths if p.endswith(".go")}
            for od in self.documents.in_directories(directories):
                self.scheduler.schedule(od, delay_ms=0)


# --------------------------------------------------------------------------- features


def build_server(registry: Sequence[Check] | None = None) -> PlumberServer:
    server = PlumberServer(registry)

    @server.feature(T.INITIALIZE)
    def initialize(ls: PlumberServer, params: T.InitializeParams) -> None:
        enc = ls.workspace.position_encoding
        ls.encoding = UTF8 if enc == "utf-8" else UTF32 if enc == "utf-32" else UTF16
        ls.settings.from_initialize(params.initialization_options)
        ls.scheduler.config_ready = asyncio.Event()
        if not ls.capability("workspace.configuration", False):
            ls.scheduler.config_ready.set()
        log.info(
            "initialize: position encoding %s, initializationOptions %s", ls.encoding, params.initialization_options
        )

    @server.feature(T.INITIALIZED)
    async def initialized(ls: PlumberServer, params: T.InitializedParams) -> None:
        ls.settings.warn(ls.settings.init_warnings)
        registrations = []
        if ls.capability("workspace.did_change_configuration.dynamic_registration", False):
            registrations.append(
                T.Registration(
                    id=uuid.uuid4().hex,
                    method=T.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=T.DidChangeConfigurationRegistrationOptions(section=CONFIG_SECTION),
                )
            )
        if ls.capability("workspace.did_change_watched_files.dynamic_registration", False):
            registrations.append(
                T.Registration(
                    id=uuid.uuid4().hex,
                    method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=T.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[T.FileSystemWatcher(glob_pattern=g) for g in WATCHED_GLOBS]
                    ),
                )
            )
        try:
            await ls.settings.pull()
        finally:
            if ls.scheduler.config_ready is not None:
                ls.scheduler.config_ready.set()
        if registrations:
            try:
                await asyncio.wait_for(
                    ls.client_register_capability_async(T.RegistrationParams(registrations=registrations)),
                    REGISTRATION_WAIT_S,
                )
            except Exception as e:
                log.info("client/registerCapability failed: %r", e)

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: PlumberServer, params: T.DidChangeConfigurationParams) -> None:
        if ls.capability("workspace.configuration", False):
            await ls.settings.pull()  # like gopls: the payload may be empty or partial; re-pull
        else:
            value = params.settings
            if isinstance(value, dict) and CONFIG_SECTION in value:
                value = value[CONFIG_SECTION]
            ls.settings.set_client(value, "didChangeConfiguration")
        ls.scheduler.rerun_all()

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE, T.SaveOptions(include_text=False))
    def did_save(ls: PlumberServer, params: T.DidSaveTextDocumentParams) -> None:
        path = uri_path(params.text_document.uri)
        if path is not None and os.path.basename(path) in ("go.mod", *CONFIG_FILES):
            ls.files_changed([(path, False)])
        else:
            ls.scheduler.rerun_all()

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: PlumberServer, params: T.DidChangeWatchedFilesParams) -> None:
        changed = []
        for ev in params.changes:
            path = uri_path(ev.uri)
            if path is not None:
                changed.append((path, ev.type != T.FileChangeType.Changed))
        ls.files_changed(changed)

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION, T.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=False))
    async def code_action(ls: PlumberServer, params: T.CodeActionParams):
        return await ls.actions.actions(params)

    @server.command(COMMAND_LOAD)
    async def load_goroutine_profile(ls: PlumberServer, *args):
        return await ls.profiles.load(list(args))

    @server.command(COMMAND_CLEAR)
    def clear_goroutine_profile(ls: PlumberServer, *args):
        return ls.profiles.clear()

    @server.command(COMMAND_LOAD_HEAP)
    async def load_heap_profile(ls: PlumberServer, *args):
        return await ls.heap.load(list(args))

    @server.command(COMMAND_COMPARE_HEAP)
    async def compare_heap_profile(ls: PlumberServer, *args):
        return await ls.heap.compare(list(args))

    @server.command(COMMAND_CLEAR_HEAP)
    def clear_heap_profile(ls: PlumberServer, *args):
        return ls.heap.clear()

    # Code lenses rather than inlay hints for the heap sites: a lens sits on a line of its own above
    # the statement (an inlay hint pushes the code sideways, and editors often hide hints), reads as a
    # sentence, and VS Code turns it into a link to the chart.
    @server.feature(T.TEXT_DOCUMENT_CODE_LENS, T.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: PlumberServer, params: T.CodeLensParams) -> list[T.CodeLens]:
        return ls.profiles.code_lenses(params.text_document.uri)

    @server.feature(T.SHUTDOWN)
    def shutdown(ls: PlumberServer, params: None) -> None:
        ls.scheduler.shutdown()

    return server


def setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("plumber %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if os.environ.get("PLUMBER_LOG", "").lower() != "debug" else logging.DEBUG)
    # pygls logs every message at INFO: far too much for a log people read
    for name in ("pygls", "pygls.protocol", "pygls.server", "pygls.feature_manager"):
        logging.getLogger(name).setLevel(logging.WARNING)


def start(tcp: str | None = None, registry: Sequence[Check] | None = None, early: Early | None = None) -> int:
    """Run the server over stdio, or over TCP when `tcp` is "HOST:PORT"; the exit status. `early`:
    what stdio's first read got (and answered) before this module was imported (`fastinit`)."""
    setup_logging()
    server = build_server(registry)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
        return 0
    from plumber.lsp.fastio import start_io

    if early is not None and early.answered is not None:
        log.info("initialize answered before the server started (%d bytes read)", len(early.data))
    return start_io(server, early)
