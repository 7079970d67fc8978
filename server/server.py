"""The LSP server (pygls 2): incremental text sync, debounced analysis, diagnostics, code actions.

Text sync. pygls 2 applies every didChange to its own TextDocument before a
feature handler runs, re-splitting the whole text per change. We override the
built-in didOpen/didChange/didClose of the protocol instead, so pygls keeps no
copy: each change is applied, in order, to our `Document` (bytes, line index,
tree), with one `Tree.edit` per change and one incremental reparse per
notification.

Scheduling. Each URI has at most one analysis task: a change cancels the
pending one and starts a new one after `debounce` ms. Analyses run one at a
time on a worker thread, over an immutable snapshot (bytes + a copy of the
tree), so the event loop keeps reading messages. A result is published only
if its snapshot is still the document's current one, with its version.

The server knows nothing of any check: findings come from `analyze_document`,
the single seam between the LSP layer and the engine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import collections
import itertools
import logging
import os
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import attrs
from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import from_fs_path, to_fs_path
from tree_sitter import Tree

from plumber import SOURCE, __version__
from plumber.check import Edit, Finding, Fix, Severity
from plumber.config import Settings, parse_settings
from plumber.document import UTF8, UTF16, UTF32, Document, bytes_to_units
from plumber.engine import CheckFailure, Engine, describe_failure
from plumber.fixes import compose, safe_fixes, suppression_fix
from plumber.golang import new_parser
from plumber.incremental import IncrementalAnalyzer
from plumber.runtime import CODE as RUNTIME_CODE, DOCS as RUNTIME_DOCS, ProfileError
from plumber.runtime.lsp import COMMAND_CLEAR, COMMAND_LOAD, RuntimeDiagnostics, options_from

log = logging.getLogger("plumber.server")

FIX_ALL_KIND = "source.fixAll.plumber"
LEAK_GATE_KIND = "source.plumber.leakGate"
CONFIG_SECTION = "plumber"
CONFIG_FILE_NAMES = ("plumber.toml", ".plumber.toml")
WATCHED_GLOBS = ("**/go.mod", "**/plumber.toml", "**/.plumber.toml", "**/*.go")
CONFIG_WAIT_S = 5.0  # how long analyses wait for the first workspace/configuration answer
# Trees (about 20x the text) are kept for the documents edited most recently; the others keep
# text, line index and findings, and are parsed again on their next edit or analysis.
HOT_TREES = 4
_SNAPSHOT_SEQ = itertools.count()


# --------------------------------------------------------------------------- documents

@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable view of one version of an open document, safe to hand to another thread."""

    uri: str
    path: str | None
    version: int | None
    source: bytes
    tree: Tree
    seq: int = field(default_factory=lambda: next(_SNAPSHOT_SEQ))  # unique across reopenings
    changes: int = -1  # the document's change_seq when taken (for incremental analysis)


@dataclass(slots=True)
class AnalysisResult:
    snapshot: Snapshot
    findings: list[Finding]
    failures: list[CheckFailure]
    settings: Settings
    warnings: list[str]


@dataclass(eq=False)
class OpenDocument:
    uri: str
    path: str | None
    language_id: str
    doc: Document
    version: int | None
    snap: Snapshot
    analyzable: bool
    debounce_ms: int | None = None  # from the file's effective settings at its last analysis
    result: AnalysisResult | None = None  # last published analysis
    published: list[tuple[T.Diagnostic, dict[str, Any]]] = field(default_factory=list)
    failures_logged: frozenset[str] = frozenset()
    analyzer: IncrementalAnalyzer | None = None  # keeps the last findings, reruns what an edit touched
    # finding -> (diagnostic, data, the last byte its conversion read), as published at change_seq diag_seq
    diag_cache: dict = field(default_factory=dict)
    diag_seq: int = -1

    def take_snapshot(self) -> None:
        doc = self.doc
        self.snap = Snapshot(self.uri, self.path, self.version, doc.text, doc.tree.copy(), changes=doc.change_seq)


def _encode(text: str, uri: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        log.warning("%s: text holds unpaired surrogates; replaced with '?'", uri)
        return text.encode("utf-8", "replace")


def _uri_path(uri: str) -> str | None:
    if not uri.startswith("file:"):
        return None
    try:
        path = to_fs_path(uri)
    except Exception:  # a malformed URI is not a file
        return None
    return os.path.abspath(path) if path else None


def _is_go(uri: str, language_id: str) -> bool:
    return language_id == "go" or uri.endswith(".go")


class DaemonWorker(concurrent.futures.Executor):
    """One daemon thread running submitted calls in order. Unlike ThreadPoolExecutor, whose
    threads are joined at interpreter exit, it never holds up `exit` behind a long analysis."""

    def __init__(self, name: str):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn, /, *args, **kwargs) -> concurrent.futures.Future:
        if self._closed:
            raise RuntimeError("the analysis worker is shut down")
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((future, fn, args, kwargs))
        return future

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as e:
                future.set_exception(e)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        self._queue.put(None)
        if wait:
            self._thread.join()


# --------------------------------------------------------------------------- protocol

class PlumberProtocol(LanguageServerProtocol):
    """pygls' protocol with our own text synchronisation (no pygls TextDocument copies)."""

    _server: "PlumberServer"

    @lsp_method(T.INITIALIZE)
    def lsp_initialize(self, params: T.InitializeParams):
        # Prefer utf-8 whenever the client offers it (as ruff does), else utf-16, the LSP default.
        caps = params.capabilities
        offered = list((caps.general.position_encodings if caps.general else None) or [])
        chosen = T.PositionEncodingKind.Utf8 if any(e == "utf-8" for e in offered) else T.PositionEncodingKind.Utf16
        general = caps.general or T.GeneralClientCapabilities()
        params.capabilities = attrs.evolve(caps, general=attrs.evolve(general, position_encodings=[chosen]))
        return (yield from super().lsp_initialize(params))

    @lsp_method(T.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        self._server.did_open(params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        self._server.did_change(params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        self._server.did_close(params)


# --------------------------------------------------------------------------- server

class PlumberServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("plumber", __version__, protocol_cls=PlumberProtocol,
                         text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.docs: dict[str, OpenDocument] = {}
        self.by_path: dict[str, OpenDocument] = {}
        self.tasks: dict[str, asyncio.Task] = {}
        self.engine = Engine(overlay=self._overlay)
        self.known_codes = set(self.engine.by_code)
        self.package_wide = any(c.package_wide for c in self.engine.checks)
        # One worker: analyses run one at a time, and every use of the engine's caches is on it.
        self.worker = DaemonWorker("plumber-analysis")
        self.parser = new_parser()  # shared by the documents: all parsing happens on the loop thread
        self.init_settings = Settings()
        self.client_settings = Settings()
        self.encoding = UTF16
        self._config_ready: asyncio.Event | None = None
        self.worker_jobs = 0  # jobs submitted to the worker and not yet done (loop thread only)
        self.hot: collections.OrderedDict[str, None] = collections.OrderedDict()  # most recently edited last
        self._parsers = threading.local()  # a parser per thread, for snapshots whose tree was freed
        self._shown_settings_warning = False
        self._init_warnings: list[str] = []
        self.runtime = RuntimeDiagnostics()  # the loaded goroutine profile's findings

    # -- settings -------------------------------------------------------------------

    @property
    def editor_settings(self) -> Settings:
        """initializationOptions overridden by workspace/configuration (plumber.toml comes under both)."""
        return self.init_settings.merged(self.client_settings)

    def _settings_warnings(self, warnings: Sequence[str]) -> None:
        for w in warnings:
            self.log_to_client(w, T.MessageType.Warning)
        if warnings and not self._shown_settings_warning:
            self._shown_settings_warning = True
            more = f" (and {len(warnings) - 1} more; see the log)" if len(warnings) > 1 else ""
            self.window_show_message(T.ShowMessageParams(
                type=T.MessageType.Warning, message=f"plumber: bad settings ignored: {warnings[0]}{more}"))

    def _capability(self, path: str, default: Any = None) -> Any:
        node: Any = self.client_capabilities
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                return default
        return node

    async def pull_configuration(self) -> None:
        if not self._capability("workspace.configuration", False):
            return
        try:
            result = await asyncio.wait_for(self.workspace_configuration_async(T.ConfigurationParams(
                items=[T.ConfigurationItem(section=CONFIG_SECTION)])), CONFIG_WAIT_S)
        except Exception as e:  # a client that answers badly or not at all keeps the old settings
            log.warning("workspace/configuration failed: %r", e)
            return
        value = result[0] if isinstance(result, (list, tuple)) and result else None
        settings, warnings = parse_settings(value, "workspace/configuration (plumber)", self.known_codes)
        self.client_settings = settings
        self._settings_warnings(warnings)
        log.info("settings from workspace/configuration: %s", value)

    def log_to_client(self, message: str, kind: T.MessageType = T.MessageType.Info) -> None:
        {T.MessageType.Error: log.error, T.MessageType.Warning: log.warning}.get(kind, log.info)(message)
        try:
            self.window_log_message(T.LogMessageParams(type=kind, message=message))
        except Exception:  # the transport is gone (shutting down)
            pass

    # -- overlay for the package index (called on the worker thread) -------------------

    def _overlay(self, path: str):
        od = self.by_path.get(os.path.abspath(path))
        if od is None or not od.analyzable:
            return None
        snap = od.snap
        return (snap.seq, snap.source, snap.tree)  # the tree may be None (freed): the index parses

    # -- text synchronisation (inline, in message order) ---------------------------------

    def did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        td = params.text_document
        if td.uri in self.docs:
            log.info("didOpen for an open document %s: replacing it", td.uri)
            self._forget(td.uri)
        path = _uri_path(td.uri)
        analyzable = _is_go(td.uri, td.language_id)
        started = time.perf_counter()
        doc = Document(_encode(td.text, td.uri) if analyzable else b"", td.version, parser=self.parser)
        od = OpenDocument(td.uri, path, td.language_id, doc, td.version, None, analyzable)  # type: ignore[arg-type]
        od.take_snapshot()
        _log_slow(td.uri, "open", started, len(doc.text))
        self.docs[td.uri] = od
        if path is not None:
            self.by_path[path] = od
        if analyzable:
            self.schedule(od, delay_ms=0)
            self.schedule_peers(od)

    def did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        od = self.docs.get(uri)
        if od is None:
            self.log_to_client(f"didChange for {uri}, which is not open: ignored", T.MessageType.Warning)
            return
        od.version = params.text_document.version
        if not od.analyzable:
            return
        doc = od.doc
        started = time.perf_counter()
        for change in params.content_changes:
            if isinstance(change, T.TextDocumentContentChangePartial):
                self._check_range(od, change.range)
                try:
                    doc.apply_lsp_change(change.range, change.text, self.encoding)
                except UnicodeEncodeError:  # unpaired surrogates: keep the unit count, lose the character
                    doc.apply_lsp_change(change.range, _encode(change.text, uri).decode("utf-8"), self.encoding)
            else:
                doc.set_text(_encode(change.text, uri))
        doc.reparse()
        doc.version = od.version
        od.take_snapshot()
        _log_slow(uri, f"change to v{od.version}", started, len(doc.text))
        self.hot.pop(uri, None)
        self.hot[uri] = None
        while len(self.hot) > HOT_TREES:
            cold = self.docs.get(self.hot.popitem(last=False)[0])
            if cold is not None and cold.uri not in self.tasks:
                self.release_tree(cold)
        self.schedule(od)
        self.schedule_peers(od)

    def _check_range(self, od: OpenDocument, rng: T.Range) -> None:
        doc = od.doc
        last = len(doc.lines) - 1
        for pos in (rng.start, rng.end):
            if pos.line < 0 or pos.character < 0 or pos.line > last:
                log.warning("%s v%s: change range %s is outside the document (%d lines): clamped",
                            od.uri, od.version, _fmt_range(rng), last + 1)
                return
            raw = doc.line_bytes(pos.line).rstrip(b"\r")
            width = len(raw) if self.encoding == UTF8 else bytes_to_units(raw, len(raw), self.encoding)
            if pos.character > width:
                log.warning("%s v%s: change range %s goes past the end of line %d: clamped",
                            od.uri, od.version, _fmt_range(rng), pos.line)
                return

    def did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri not in self.docs:
            log.info("didClose for %s, which is not open: ignored", uri)
            return
        od = self.docs[uri]
        self._forget(uri)
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if od.analyzable:
            self.schedule_peers(od)  # they now read the file from disk
        if od.path is not None and od.path in self.runtime.paths():
            self.publish_runtime([od.path])  # a loaded profile's findings outlive the buffer

    def _forget(self, uri: str) -> None:
        task = self.tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        od = self.docs.pop(uri)
        if od.path is not None and self.by_path.get(od.path) is od:
            del self.by_path[od.path]
        od.result = None
        od.published = []
        od.doc = None  # type: ignore[assignment]  # free the tree
        od.analyzer = None
        od.diag_cache = {}
        self.hot.pop(uri, None)
        od.snap = None  # type: ignore[assignment]

    # -- scheduling ------------------------------------------------------------------

    def debounce_ms(self, od: OpenDocument) -> int:
        if od.debounce_ms is not None:
            return od.debounce_ms
        return self.editor_settings.debounce_ms

    def on_worker(self, fn, *args) -> asyncio.Future:
        """Run fn(*args) on the analysis worker; `worker_jobs` counts the jobs not yet done."""
        self.worker_jobs += 1
        fut = asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)
        fut.add_done_callback(self._worker_job_done)  # runs on the loop thread
        return fut

    def _worker_job_done(self, _fut) -> None:
        self.worker_jobs -= 1

    def can_analyze_inline(self, od: OpenDocument) -> bool:
        """An analysis cheap enough to run right here, in the didChange handler: an incremental
        one (a few declarations) while the worker is idle and the settings are known. It saves
        the hand-off to the worker and back (two thread wake-ups, a loop iteration), which
        costs more than the analysis itself."""
        return (self.worker_jobs == 0 and od.analyzer is not None and od.snap is not None
                and (self._config_ready is None or self._config_ready.is_set())
                and od.analyzer.can_continue(od.doc, od.snap.changes))

    def analyze_inline(self, od: OpenDocument) -> None:
        snap = od.snap
        try:
            result = self._analyze_snapshot(od, snap)
            if result is not None:
                self.publish(od, result)
        except Exception:
            log.exception("analysis of %s failed", od.uri)
            self.log_to_client(f"plumber: analysis of {od.uri} failed; see the server log", T.MessageType.Error)
            od.result = None
            od.published = []
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
                uri=od.uri, version=snap.version, diagnostics=[]))

    def schedule(self, od: OpenDocument, delay_ms: int | None = None) -> None:
        old = self.tasks.pop(od.uri, None)
        if old is not None:
            old.cancel()
        delay = self.debounce_ms(od) if delay_ms is None else delay_ms
        if delay <= 0 and self.can_analyze_inline(od):
            self.analyze_inline(od)
            return
        self.tasks[od.uri] = asyncio.ensure_future(self._analyze_later(od, delay))

    def invalidate_analyses(self) -> None:
        """Something besides the text changed (go.mod, settings, a saved file): the next analysis of
        every document runs in full. On the worker, behind any analysis in flight (the inline path
        never runs while the worker has jobs), so no analyzer is reset under a running analysis."""
        analyzers = [od.analyzer for od in self.docs.values() if od.analyzer is not None]
        if analyzers:
            self.on_worker(_run_all, [a.reset for a in analyzers])

    def schedule_peers(self, od: OpenDocument) -> None:
        """Package-wide checks read sibling buffers: re-run the other open files of the directory."""
        if od.path is None or not self.package_wide:
            return
        directory = os.path.dirname(od.path)
        for peer in list(self.docs.values()):
            if peer is not od and peer.analyzable and peer.path and os.path.dirname(peer.path) == directory:
                self.schedule(peer)

    def rerun_all(self) -> None:
        self.invalidate_analyses()
        for od in list(self.docs.values()):
            if od.analyzable:
                od.debounce_ms = None
                self.schedule(od, delay_ms=0)

    async def _analyze_later(self, od: OpenDocument, delay_ms: int) -> None:
        me = asyncio.current_task()
        try:
            if delay_ms > 0:
                await asyncio.sleep(delay_ms / 1000)
            if self._config_ready is not None and not self._config_ready.is_set():
                try:
                    await asyncio.wait_for(self._config_ready.wait(), CONFIG_WAIT_S)
                except asyncio.TimeoutError:
                    pass
            if self.docs.get(od.uri) is not od:
                return
            snap = od.snap
            started = time.perf_counter()
            result = await self.on_worker(self._analyze_snapshot, od, snap)
            _log_slow(od.uri, f"analysis of v{snap.version}", started, len(snap.source))
            if result is None or self.docs.get(od.uri) is not od or od.snap is not snap:
                return  # superseded by a newer version, or closed: never publish an outdated one
            self.publish(od, result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("analysis of %s failed", od.uri)
            if self.docs.get(od.uri) is od:
                self.log_to_client(f"plumber: analysis of {od.uri} failed; see the server log",
                                   T.MessageType.Error)
                od.result = None
                od.published = []
                # never leave the diagnostics of an older version standing
                self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
                    uri=od.uri, version=od.snap.version, diagnostics=[]))
        finally:
            if self.tasks.get(od.uri) is me:
                del self.tasks[od.uri]

    def is_current(self, snap: Snapshot) -> bool:
        """Whether `snap` is still its document's current version (safe to call from the worker:
        a long analysis may poll it and give up early; its result would be dropped anyway)."""
        od = self.docs.get(snap.uri)
        return od is not None and od.snap is snap

    def _analyze_snapshot(self, od: OpenDocument, snap: Snapshot) -> AnalysisResult | None:
        """On the worker thread: skip superseded snapshots, else run the engine."""
        if od.snap is not snap:
            return None
        settings, warnings = self.engine.settings_for(snap.path, self.editor_settings)
        findings, failures = self.analyze_document(snap, settings, od)
        return AnalysisResult(snap, findings, failures, settings, warnings)

    def analyze_document(self, snap: Snapshot, settings: Settings,
                         od: OpenDocument | None = None) -> tuple[list[Finding], list[CheckFailure]]:
        """The one seam between the server and the engine: findings of one document version.

        With the snapshot's open document, incrementally: its analyzer reruns only
        the declarations changed since the version it analysed last."""
        doc = od.doc if od is not None else None
        if doc is None or snap.changes < 0:
            return self.engine.analyze(self.engine.context(snap.path, snap.source, self.snapshot_tree(snap)), settings)
        if od.analyzer is None:
            od.analyzer = IncrementalAnalyzer(self.engine, snap.path)
        return od.analyzer.analyze_version(doc, snap.changes, snap.source, self.snapshot_tree(snap), settings)

    async def current_result(self, od: OpenDocument) -> AnalysisResult | None:
        """The analysis of the document's current version: the published one, else run and published now."""
        if od.result is not None and od.result.snapshot is od.snap:
            return od.result
        snap = od.snap
        result = await self.on_worker(self._analyze_snapshot, od, snap)
        if result is None or self.docs.get(od.uri) is not od or od.snap is not snap:
            return None  # changed again meanwhile
        self.publish(od, result)
        return result

    # -- publishing ------------------------------------------------------------------

    def publish(self, od: OpenDocument, result: AnalysisResult) -> None:
        if result.warnings:
            self._settings_warnings(result.warnings)
        od.debounce_ms = result.settings.debounce_ms
        logged = set()
        for failure in result.failures:
            msg = describe_failure(failure)
            logged.add(msg)
            if msg not in od.failures_logged:
                log.error("%s\n%s", msg, failure.error)
                self.log_to_client(msg, T.MessageType.Error)
        od.failures_logged = frozenset(logged)
        published = []
        snap = result.snapshot
        findings = self.runtime.merge(od.path, snap.source, self.snapshot_tree(snap).root_node, result.findings)
        cache = self._diagnostic_cache(od, snap)
        kept: dict[Finding, tuple[T.Diagnostic, dict[str, Any], int]] = {}
        for f in findings:
            hit = cache.get(f)
            if hit is not None:  # converted for an earlier version, and nothing before it changed
                diag, data, limit = hit
                data["version"] = snap.version
            else:
                try:
                    diag, data = self.to_diagnostic(od, snap, f)
                except Exception:
                    log.exception("cannot convert finding %s at %d in %s", f.code, f.start, od.uri)
                    continue
                limit = _conversion_limit(snap.source, f)
            published.append((diag, data))
            if limit >= 0:
                kept[f] = (diag, data, limit)
        od.diag_cache, od.diag_seq = kept, snap.changes
        od.result = result
        od.published = published
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
            uri=od.uri, version=result.snapshot.version, diagnostics=[d for d, _ in published]))
        if od.uri not in self.hot:
            self.release_tree(od)

    def release_tree(self, od: OpenDocument) -> None:
        """Free an idle document's tree (document, snapshot, analyzer); its next edit parses again."""
        doc, snap = od.doc, od.snap
        if doc is None or snap is None or doc.edits or snap.tree is None:
            return
        doc.drop_tree()
        object.__setattr__(snap, "tree", None)  # same snapshot (identity matters), no tree
        if od.analyzer is not None:
            od.analyzer.drop_tree_refs()

    def snapshot_tree(self, snap: Snapshot) -> Tree:
        """The snapshot's tree, or a fresh parse of its text when the tree was freed (any thread)."""
        tree = snap.tree
        if tree is None:
            parser = getattr(self._parsers, "parser", None)
            if parser is None:
                parser = self._parsers.parser = new_parser()
            tree = parser.parse(snap.source)
        return tree

    def _diagnostic_cache(self, od: OpenDocument, snap: Snapshot) -> dict:
        """The converted diagnostics of the last publish that are still right for `snap`: those whose
        finding reads no byte at or after the first change since (its positions, its line)."""
        if not od.diag_cache or od.doc is None or snap.changes < 0 or od.diag_seq < 0:
            return {}
        changes = od.doc.changes_between(od.diag_seq, snap.changes)
        if changes is None:
            return {}
        first = min((ev[0] if isinstance(ev, tuple) else ev.start for ev in changes), default=len(snap.source) + 1)
        return {f: v for f, v in od.diag_cache.items() if v[2] < first}

    def lsp_range(self, doc: Document, start: int, end: int) -> T.Range:
        s = doc.position(start, self.encoding)
        e = doc.position(end, self.encoding)
        return T.Range(T.Position(*s), T.Position(*e))

    def to_diagnostic(self, od: OpenDocument, snap: Snapshot, f: Finding) -> tuple[T.Diagnostic, dict[str, Any]]:
        doc = od.doc
        check = self.engine.by_code.get(f.code)
        related = []
        for r in f.related:
            if r.path is None or (od.path is not None and os.path.abspath(r.path) == od.path):
                location = T.Location(od.uri, self.lsp_range(doc, r.start, r.end))
            else:
                location = self.other_file_location(r.path, r.start, r.end)
                if location is None:
                    continue
            related.append(T.DiagnosticRelatedInformation(location=location, message=r.message))
        data = {
            "version": snap.version,
            "fixes": [self.fix_data(doc, fix) for fix in f.fixes],
            "suppress": self.fix_data(doc, suppression_fix(snap.source, f)),
        }
        severity = f.severity or (check.severity if check else Severity.WARNING)
        diag = T.Diagnostic(
            range=self.lsp_range(doc, f.start, f.end),
            message=f.message,
            severity=T.DiagnosticSeverity(int(severity)),
            code=f.code,
            code_description=(T.CodeDescription(href=check.url) if check else
                              T.CodeDescription(href=RUNTIME_DOCS) if f.code == RUNTIME_CODE else None),
            source=SOURCE,
            related_information=related or None,
            data=data,
        )
        return diag, data

    def fix_data(self, doc: Document, fix: Fix) -> dict[str, Any]:
        return {"title": fix.title, "safe": fix.safe, "edits": [self.edit_data(doc, e) for e in fix.edits]}

    def edit_data(self, doc: Document, e: Edit) -> dict[str, Any]:
        (sl, sc), (el, ec) = doc.position(e.start, self.encoding), doc.position(e.end, self.encoding)
        return {"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
                "newText": e.new_text}

    def other_file_location(self, path: str, start: int, end: int) -> T.Location | None:
        path = os.path.abspath(path)
        od = self.by_path.get(path)
        if od is not None and od.analyzable:
            return T.Location(od.uri, self.lsp_range(od.doc, start, end))
        try:
            with open(path, "rb") as fh:
                source = fh.read()
        except OSError as e:
            log.info("related location in %s dropped: %s", path, e)
            return None
        s = _position(source, start, self.encoding)
        e_ = _position(source, end, self.encoding)
        return T.Location(from_fs_path(path) or path, T.Range(T.Position(*s), T.Position(*e_)))

    # -- code actions ----------------------------------------------------------------

    def workspace_edit(self, uri: str, version: int | None, edits: list[T.TextEdit]) -> T.WorkspaceEdit:
        if self._capability("workspace.workspace_edit.document_changes", False):
            return T.WorkspaceEdit(document_changes=[T.TextDocumentEdit(
                text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits)])
        return T.WorkspaceEdit(changes={uri: edits})

    def cached_data(self, od: OpenDocument, d: T.Diagnostic) -> dict[str, Any] | None:
        for diag, data in od.published:
            if diag.code == d.code and diag.range == d.range:
                return data
        return None

    async def code_actions(self, params: T.CodeActionParams) -> list[T.CodeAction] | None:
        uri = params.text_document.uri
        od = self.docs.get(uri)
        if od is None or not od.analyzable:
            log.info("codeAction for %s, which is not an open Go document: no actions", uri)
            return None
        only = params.context.only or None  # an empty list asks for nothing in particular

        def wanted(kind: str) -> bool:
            return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)

        actions: list[T.CodeAction] = []
        if wanted(T.CodeActionKind.QuickFix):
            suppressions: list[T.CodeAction] = []
            seen: set[str] = set()
            for d in params.context.diagnostics:
                if d.source != SOURCE:
                    continue
                data = d.data if _valid_data(d.data) else None
                if data is None or data.get("version") != od.version:
                    # no data, or data of an older version: the edits would land in the wrong place;
                    # use the current analysis if the diagnostic is still there
                    data = self.cached_data(od, d) if await self.current_result(od) is not None else None
                if data is None:
                    log.info("codeAction: no fixes known for %s at %s in %s", d.code, _fmt_range(d.range), uri)
                    continue
                version = data.get("version")
                for fix in data["fixes"]:
                    actions.append(T.CodeAction(
                        title=fix["title"], kind=T.CodeActionKind.QuickFix, diagnostics=[d],
                        is_preferred=bool(fix.get("safe")),
                        edit=self.workspace_edit(uri, version, _text_edits(fix["edits"]))))
                sup = data.get("suppress")
                if sup:
                    key = repr((sup["title"], sup["edits"]))
                    if key in seen:
                        continue
                    seen.add(key)
                    suppressions.append(T.CodeAction(
                        title=sup["title"], kind=T.CodeActionKind.QuickFix, diagnostics=[d], is_preferred=False,
                        edit=self.workspace_edit(uri, version, _text_edits(sup["edits"]))))
            actions.extend(suppressions)
        if wanted(FIX_ALL_KIND):
            # asked for explicitly (on save, from a menu): analyse the current version now if need be;
            # in the catch-all requests sent as the cursor moves, offer it only when already known
            action = await self.fix_all_action(od, compute=only is not None)
            if action is not None:
                actions.append(action)
        if wanted(LEAK_GATE_KIND) and od.path is not None and od.path.endswith("_test.go"):
            action = await self.leak_gate_action(od)
            if action is not None:
                actions.append(action)
        return actions

    async def leak_gate_action(self, od: OpenDocument) -> T.CodeAction | None:
        """"Fail tests that leak goroutines": add or extend the package's TestMain (runtime/gate.py)."""
        snap = od.snap
        fix = await asyncio.get_running_loop().run_in_executor(self.worker, self._leak_gate, snap)
        if fix is None or self.docs.get(od.uri) is not od or od.snap is not snap:
            return None
        gate, holder_source = fix
        target = self.by_path.get(gate.path) if gate.path else od
        if target is not None and target.analyzable:
            edits = [T.TextEdit(range=self.lsp_range(target.doc, e.start, e.end), new_text=e.new_text)
                     for e in gate.edits]
            uri, version = target.uri, target.version
        else:
            edits = [T.TextEdit(range=T.Range(T.Position(*_position(holder_source, e.start, self.encoding)),
                                              T.Position(*_position(holder_source, e.end, self.encoding))),
                                new_text=e.new_text) for e in gate.edits]
            uri, version = from_fs_path(gate.path) or gate.path, None
        return T.CodeAction(title=gate.title, kind=LEAK_GATE_KIND, edit=self.workspace_edit(uri, version, edits))

    def _leak_gate(self, snap: Snapshot):
        """On the worker: the gate's edits for this test file's package, and the edited file's text."""
        from plumber.runtime.gate import leak_gate

        ctx = self.engine.context(snap.path, snap.source, self.snapshot_tree(snap))
        parser = new_parser()  # parsers are not shared across threads
        siblings = []
        directory = os.path.dirname(snap.path)
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith("_test.go"))
        except OSError:
            names = []
        for name in names:
            path = os.path.join(directory, name)
            if path == snap.path:
                continue
            od = self.by_path.get(path)
            if od is not None and od.analyzable:
                source, tree = od.snap.source, od.snap.tree
                if tree is None:  # an idle document whose tree was freed
                    tree = parser.parse(source)
            else:
                try:
                    with open(path, "rb") as fh:
                        source = fh.read()
                except OSError:
                    continue
                tree = parser.parse(source)
            siblings.append(self.engine.context(path, source, tree))
        gate = leak_gate(ctx, siblings)
        if gate is None:
            return None
        holder = next((s for s in siblings if s.path == gate.path), ctx)
        return gate, holder.source

    async def fix_all_action(self, od: OpenDocument, compute: bool = True) -> T.CodeAction | None:
        if not compute and (od.result is None or od.result.snapshot is not od.snap):
            return None
        result = await self.current_result(od)
        if result is None:
            return None
        edits, taken = compose(safe_fixes(result.findings))
        if not edits:
            return None
        doc = od.doc
        text_edits = [T.TextEdit(range=self.lsp_range(doc, e.start, e.end), new_text=e.new_text) for e in edits]
        n = len(taken)
        return T.CodeAction(
            title=f"Fix all plumber problems ({n} fix{'es' if n != 1 else ''})", kind=FIX_ALL_KIND,
            edit=self.workspace_edit(od.uri, result.snapshot.version, text_edits))

    # -- goroutine profiles (plumber.loadGoroutineProfile / clearGoroutineProfile) ----

    def workspace_roots(self) -> list[str]:
        roots = [p for f in (self.workspace.folders or {}).values() if (p := _uri_path(f.uri))]
        if not roots and self.workspace.root_path:
            roots = [self.workspace.root_path]
        return roots

    async def load_profile(self, args) -> dict[str, Any]:
        try:
            source, options = options_from(args)
            before = self.runtime.paths()
            summary = await asyncio.get_running_loop().run_in_executor(
                None, self.runtime.load, source, self.workspace_roots(), options)
        except ProfileError as e:
            self.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=f"plumber: {e}"))
            raise
        for a in summary["ambiguous"]:
            self.log_to_client(f"plumber: goroutine profile: {a}", T.MessageType.Warning)
        n, files = summary["findings"], len(summary["files"])
        self.window_show_message(T.ShowMessageParams(type=T.MessageType.Info, message=(
            f"plumber: {summary['goroutines']} goroutines read from {source}: {n} place{'s' if n != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}"
            + (f"; {len(summary['ambiguous'])} ambiguous frames not placed (see the log)"
               if summary["ambiguous"] else ""))))
        self.publish_runtime(before | self.runtime.paths())
        return summary

    def clear_profile(self) -> dict[str, Any]:
        paths = self.runtime.clear()
        self.publish_runtime(paths)
        return {"cleared": len(paths)}

    def publish_runtime(self, paths: Iterable[str]) -> None:
        """Re-publish the files a loaded (or cleared) profile touches, open or not."""
        for path in paths:
            od = self.by_path.get(path)
            if od is not None and od.analyzable:
                if od.result is not None and od.result.snapshot is od.snap:
                    self.publish(od, od.result)
                else:
                    self.schedule(od, delay_ms=0)
                continue
            try:
                with open(path, "rb") as fh:
                    source = fh.read()
            except OSError:
                source = b""
            diagnostics = []
            for f in self.runtime.findings_for(path, source):
                related = [T.DiagnosticRelatedInformation(location=loc, message=r.message) for r in f.related
                           if (loc := self.other_file_location(r.path or path, r.start, r.end)) is not None]
                diagnostics.append(T.Diagnostic(
                    range=T.Range(T.Position(*_position(source, f.start, self.encoding)),
                                  T.Position(*_position(source, f.end, self.encoding))),
                    message=f.message, severity=T.DiagnosticSeverity(int(f.severity or Severity.WARNING)),
                    code=f.code, code_description=T.CodeDescription(href=RUNTIME_DOCS), source=SOURCE,
                    related_information=related or None))
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
                uri=from_fs_path(path) or path, diagnostics=diagnostics))

    # -- workspace events ----------------------------------------------------------

    def files_changed(self, paths: Iterable[tuple[str, bool]]) -> None:
        """(path, created_or_deleted) of changed files: drop the caches they govern, re-run
        what they affect: everything for go.mod and plumber.toml, the open files of the
        package for a Go file (only package-wide checks read other files)."""
        invalidations = []
        rerun_all = False
        directories: set[str] = set()
        for path, structural in paths:
            name = os.path.basename(path)
            if name == "go.mod":
                invalidations.append(lambda p=path: self.engine.gomod.invalidate(p))
                rerun_all = True
            elif name in CONFIG_FILE_NAMES:
                invalidations.append(self.engine.config_files.invalidate)
                rerun_all = True
            elif name.endswith(".go"):
                invalidations.append(lambda p=path: self.engine.packages.forget(p))
                if structural:
                    invalidations.append(lambda p=path: self.engine.packages.invalidate_directory(os.path.dirname(p)))
                if self.package_wide:
                    directories.add(os.path.dirname(path))
        if invalidations:
            # on the worker, so the engine's caches are never touched by two threads
            self.on_worker(_run_all, invalidations)
        if rerun_all:
            self.rerun_all()
            return
        for od in list(self.docs.values()):
            if od.analyzable and od.path and os.path.dirname(od.path) in directories:
                self.schedule(od, delay_ms=0)


def _run_all(funcs) -> None:
    for fn in funcs:
        try:
            fn()
        except Exception:
            log.exception("cache invalidation failed")


SLOW_S = 0.5


def _log_slow(uri: str, what: str, started: float, size: int) -> None:
    elapsed = time.perf_counter() - started
    if elapsed > SLOW_S:
        log.info("%s: %s took %.1f s (%.1f MB)", uri, what, elapsed, size / 1e6)


def _position(source: bytes, offset: int, encoding: str) -> tuple[int, int]:
    offset = max(0, min(offset, len(source)))
    line = source.count(b"\n", 0, offset)
    start = source.rfind(b"\n", 0, offset) + 1
    return line, bytes_to_units(source[start:offset], offset - start, encoding)


def _conversion_limit(source: bytes, f: Finding) -> int:
    """The last byte offset converting `f` depends on (its spans, its fixes, the end of its line,
    which the suppression fix reads), or -1 when it also reads another file."""
    if any(r.path is not None for r in f.related):
        return -1
    line_end = source.find(b"\n", f.start)
    return max([f.end, len(source) if line_end < 0 else line_end]
               + [e.end for fix in f.fixes for e in fix.edits] + [r.end for r in f.related])


def _fmt_range(r: T.Range) -> str:
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


def _valid_data(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("fixes"), list)
            and all(isinstance(f, dict) and "edits" in f and "title" in f for f in data["fixes"]))


def _text_edits(edits: list[dict[str, Any]]) -> list[T.TextEdit]:
    out = []
    for e in edits:
        r = e["range"]
        out.append(T.TextEdit(
            range=T.Range(T.Position(r["start"]["line"], r["start"]["character"]),
                          T.Position(r["end"]["line"], r["end"]["character"])),
            new_text=e["newText"]))
    return out


# --------------------------------------------------------------------------- features

def build_server() -> PlumberServer:
    server = PlumberServer()

    @server.feature(T.INITIALIZE)
    def initialize(ls: PlumberServer, params: T.InitializeParams) -> None:
        enc = ls.workspace.position_encoding
        ls.encoding = UTF8 if enc == "utf-8" else UTF32 if enc == "utf-32" else UTF16
        opts = params.initialization_options
        settings, warnings = parse_settings(opts, "initializationOptions", ls.known_codes)
        ls.init_settings = settings
        ls._init_warnings = warnings
        ls._config_ready = asyncio.Event()
        if not ls._capability("workspace.configuration", False):
            ls._config_ready.set()
        log.info("initialize: position encoding %s, initializationOptions %s", ls.encoding, opts)

    @server.feature(T.INITIALIZED)
    async def initialized(ls: PlumberServer, params: T.InitializedParams) -> None:
        ls._settings_warnings(ls._init_warnings)
        registrations = []
        if ls._capability("workspace.did_change_configuration.dynamic_registration", False):
            registrations.append(T.Registration(id=uuid.uuid4().hex, method=T.WORKSPACE_DID_CHANGE_CONFIGURATION,
                                                register_options=T.DidChangeConfigurationRegistrationOptions(
                                                    section=CONFIG_SECTION)))
        if ls._capability("workspace.did_change_watched_files.dynamic_registration", False):
            registrations.append(T.Registration(
                id=uuid.uuid4().hex, method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=T.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[T.FileSystemWatcher(glob_pattern=g) for g in WATCHED_GLOBS])))
        try:
            await ls.pull_configuration()
        finally:
            if ls._config_ready is not None:
                ls._config_ready.set()
        if registrations:
            try:
                await asyncio.wait_for(ls.client_register_capability_async(
                    T.RegistrationParams(registrations=registrations)), CONFIG_WAIT_S)
            except Exception as e:
                log.info("client/registerCapability failed: %r", e)

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: PlumberServer, params: T.DidChangeConfigurationParams) -> None:
        if ls._capability("workspace.configuration", False):
            await ls.pull_configuration()  # like gopls: the payload may be empty or partial; re-pull
        else:
            value = params.settings
            if isinstance(value, dict) and CONFIG_SECTION in value:
                value = value[CONFIG_SECTION]
            settings, warnings = parse_settings(value, "didChangeConfiguration", ls.known_codes)
            ls.client_settings = settings
            ls._settings_warnings(warnings)
        ls.rerun_all()

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE, T.SaveOptions(include_text=False))
    def did_save(ls: PlumberServer, params: T.DidSaveTextDocumentParams) -> None:
        path = _uri_path(params.text_document.uri)
        if path is not None and os.path.basename(path) in ("go.mod", *CONFIG_FILE_NAMES):
            ls.files_changed([(path, False)])
        else:
            ls.rerun_all()

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: PlumberServer, params: T.DidChangeWatchedFilesParams) -> None:
        changed = []
        for ev in params.changes:
            path = _uri_path(ev.uri)
            if path is not None:
                changed.append((path, ev.type != T.FileChangeType.Changed))
        ls.files_changed(changed)

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION, T.CodeActionOptions(
        code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL_KIND, LEAK_GATE_KIND], resolve_provider=False))
    async def code_action(ls: PlumberServer, params: T.CodeActionParams):
        return await ls.code_actions(params)

    @server.command(COMMAND_LOAD)
    async def load_goroutine_profile(ls: PlumberServer, *args):
        return await ls.load_profile(list(args))

    @server.command(COMMAND_CLEAR)
    def clear_goroutine_profile(ls: PlumberServer, *args):
        return ls.clear_profile()

    @server.feature(T.SHUTDOWN)
    def shutdown(ls: PlumberServer, params: None) -> None:
        for task in ls.tasks.values():
            task.cancel()
        ls.tasks.clear()
        ls.worker.shutdown(wait=False, cancel_futures=True)

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


def start(tcp: str | None = None) -> None:
    """Run the server over stdio, or over TCP when `tcp` is "HOST:PORT"."""
    setup_logging()
    server = build_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        from plumber.fastio import start_io

        start_io(server)
