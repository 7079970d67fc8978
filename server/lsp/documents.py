"""The open documents: our own incremental text sync, snapshots for the worker, and tree memory.

pygls 2 applies every didChange to its own TextDocument before a feature
handler runs, re-splitting the whole text per change. The protocol's
didOpen/didChange/didClose are overridden instead (lsp/protocol.py), so pygls
keeps no copy: each change is applied, in order, to our `Document` (bytes,
line index, tree), with one `Tree.edit` per change and one incremental
reparse per notification.

Trees (about 20x the text) are kept for the documents edited most recently;
the others keep text, line index and findings, and are parsed again on their
next edit or analysis.
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types as T
from pygls.uris import to_fs_path
from tree_sitter import Parser, Tree

from plumber.core.findings import Finding
from plumber.core.positions import UTF8, bytes_to_units
from plumber.core.settings import Problem, Settings
from plumber.driver.engine import CheckFailure
from plumber.driver.incremental import IncrementalAnalyzer
from plumber.syntax.document import Document
from plumber.syntax.parser import new_parser

log = logging.getLogger("plumber.server")

HOT_TREES = 4
SLOW_S = 0.5
MAX_DOCUMENT_ENV = "PLUMBER_MAX_DOCUMENT_MB"
DEFAULT_MAX_DOCUMENT_MB = 16.0  # as PLUMBER_MAX_FILE_MB: what is not read from disk is not analysed open


def max_document_bytes() -> int:
    """Open documents larger than this (PLUMBER_MAX_DOCUMENT_MB, default 16 MB) are kept in step but
    neither parsed nor analysed: they publish no diagnostics, and the log says so."""
    try:
        mb = float(os.environ.get(MAX_DOCUMENT_ENV, "") or DEFAULT_MAX_DOCUMENT_MB)
    except ValueError:
        mb = DEFAULT_MAX_DOCUMENT_MB
    return int((mb if mb > 0 else DEFAULT_MAX_DOCUMENT_MB) * 1_000_000)


_SNAPSHOT_SEQ = itertools.count()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable view of one version of an open document, safe to hand to another thread."""

    uri: str
    path: str | None
    version: int | None
    source: bytes
    tree: Tree | None  # None once freed (an idle document): `Documents.snapshot_tree` parses again
    seq: int = field(default_factory=lambda: next(_SNAPSHOT_SEQ))  # unique across reopenings
    changes: int = -1  # the document's change_seq when taken (for incremental analysis)


@dataclass(slots=True)
class AnalysisResult:
    snapshot: Snapshot
    findings: list[Finding]
    failures: list[CheckFailure]
    settings: Settings
    warnings: list[Problem]  # of the config files read for this run
    pending_file_checks: bool = False  # the whole-file checks' findings are older: a second run follows


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
    diag_docs: str | None = None  # the docsUrl the cached diagnostics link
    fix_all: tuple[Snapshot, Any] | None = None  # the fix-all action computed for a snapshot

    @property
    def oversized(self) -> bool:
        """Over the size limit: text kept in step, nothing parsed or analysed."""
        return self.doc is not None and self.doc.text_only

    def take_snapshot(self) -> None:
        doc = self.doc
        tree = doc.tree.copy() if doc.tree is not None else None
        self.snap = Snapshot(self.uri, self.path, self.version, doc.text, tree, changes=doc.change_seq)


def encode_text(text: str, uri: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        log.warning("%s: text holds unpaired surrogates; replaced with '?'", uri)
        return text.encode("utf-8", "replace")


def uri_path(uri: str) -> str | None:
    if not uri.startswith("file:"):
        return None
    try:
        path = to_fs_path(uri)
    except Exception:  # a malformed URI is not a file
        return None
    return os.path.abspath(path) if path else None


def is_go(uri: str, language_id: str) -> bool:
    return language_id == "go" or uri.endswith(".go")


def log_slow(uri: str, what: str, started: float, size: int) -> None:
    elapsed = time.perf_counter() - started
    if elapsed > SLOW_S:
        log.info("%s: %s took %.1f s (%.1f MB)", uri, what, elapsed, size / 1e6)


def _fmt_range(r: T.Range) -> str:
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


class Documents:
    """The open documents by URI and by path. Text sync runs on the event loop, in message order."""

    def __init__(self) -> None:
        self.by_uri: dict[str, OpenDocument] = {}
        self.by_path: dict[str, OpenDocument] = {}
        self.hot: collections.OrderedDict[str, None] = collections.OrderedDict()  # most recently edited last
        self.parser = new_parser()  # shared by the documents: all their parsing happens on the loop thread
        self._parsers = threading.local()  # a parser per thread, for snapshots whose tree was freed

    def get(self, uri: str) -> OpenDocument | None:
        return self.by_uri.get(uri)

    def __iter__(self):
        return iter(list(self.by_uri.values()))

    def analyzable(self) -> list[OpenDocument]:
        return [od for od in self.by_uri.values() if od.analyzable]

    def open(self, td: T.TextDocumentItem) -> OpenDocument:
        if td.uri in self.by_uri:
            log.info("didOpen for an open document %s: replacing it", td.uri)
            self.forget(td.uri)
        path = uri_path(td.uri)
        analyzable = is_go(td.uri, td.language_id)
        started = time.perf_counter()
        text = encode_text(td.text, td.uri) if analyzable else b""
        doc = Document(text, td.version, parser=self.parser, parse=len(text) <= max_document_bytes())
        od = OpenDocument(td.uri, path, td.language_id, doc, td.version, None, analyzable)  # type: ignore[arg-type]
        od.take_snapshot()
        log_slow(td.uri, "open", started, len(doc.text))
        self.by_uri[td.uri] = od
        if path is not None:
            self.by_path[path] = od
        return od

    def change(self, od: OpenDocument, params: T.DidChangeTextDocumentParams, encoding: str) -> list[OpenDocument]:
        """Apply the changes; returns the documents whose trees may now be freed (cooled off)."""
        doc = od.doc
        started = time.perf_counter()
        for change in params.content_changes:
            if isinstance(change, T.TextDocumentContentChangePartial):
                self._check_range(od, change.range, encoding)
                try:
                    doc.apply_lsp_change(change.range, change.text, encoding)
                except UnicodeEncodeError:  # unpaired surrogates: keep the unit count, lose the character
                    doc.apply_lsp_change(change.range, encode_text(change.text, od.uri).decode("utf-8"), encoding)
            else:
                doc.set_text(encode_text(change.text, od.uri))
        limit = max_document_bytes()
        if doc.text_only and len(doc.text) <= limit:
            doc.start_parsing()
            log.info("%s: %.1f MB, within %s again: analysed", od.uri, len(doc.text) / 1e6, MAX_DOCUMENT_ENV)
        elif not doc.text_only and len(doc.text) > limit:
            doc.stop_parsing()
        else:
            doc.reparse()
        doc.version = od.version
        od.take_snapshot()
        log_slow(od.uri, f"change to v{od.version}", started, len(doc.text))
        self.hot.pop(od.uri, None)
        self.hot[od.uri] = None
        cooled = []
        while len(self.hot) > HOT_TREES:
            cold = self.by_uri.get(self.hot.popitem(last=False)[0])
            if cold is not None:
                cooled.append(cold)
        return cooled

    def _check_range(self, od: OpenDocument, rng: T.Range, encoding: str) -> None:
        doc = od.doc
        last = doc.lsp_line_count() - 1
        for pos in (rng.start, rng.end):
            if pos.line < 0 or pos.character < 0 or pos.line > last:
                log.warning(
                    "%s v%s: change range %s is outside the document (%d lines): clamped",
                    od.uri,
                    od.version,
                    _fmt_range(rng),
                    last + 1,
                )
                return
            raw = doc.lsp_line_bytes(pos.line).rstrip(b"\r")
            width = len(raw) if encoding == UTF8 else bytes_to_units(raw, len(raw), encoding)
            if pos.character > width:
                log.warning(
                    "%s v%s: change range %s goes past the end of line %d: clamped",
                    od.uri,
                    od.version,
                    _fmt_range(rng),
                    pos.line,
                )
                return

    def forget(self, uri: str) -> OpenDocument:
        od = self.by_uri.pop(uri)
        if od.path is not None and self.by_path.get(od.path) is od:
            del self.by_path[od.path]
        od.result = None
        od.published = []
        od.doc = None  # type: ignore[assignment]  # free the tree
        od.analyzer = None
        od.diag_cache = {}
        od.fix_all = None
        self.hot.pop(uri, None)
        od.snap = None  # type: ignore[assignment]
        return od

    def peers(self, od: OpenDocument) -> list[OpenDocument]:
        """The other open Go documents of the same directory (its package)."""
        if od.path is None:
            return []
        directory = os.path.dirname(od.path)
        return [
            p
            for p in self.by_uri.values()
            if p is not od and p.analyzable and p.path and os.path.dirname(p.path) == directory
        ]

    def in_directories(self, directories: set[str]) -> list[OpenDocument]:
        return [
            od for od in self.by_uri.values() if od.analyzable and od.path and os.path.dirname(od.path) in directories
        ]

    def paths_in(self, directory: str) -> list[str]:
        """The paths of the open Go buffers in `directory` (for the package index; any thread)."""
        return [p for p, od in list(self.by_path.items()) if od.analyzable and os.path.dirname(p) == directory]

    def overlay(self, path: str):
        """What the package index reads of an open buffer: (version key, text, tree or None)."""
        od = self.by_path.get(os.path.abspath(path))
        if od is None or not od.analyzable or od.oversized:
            return None
        snap = od.snap
        return (snap.seq, snap.source, snap.tree)  # the tree may be None (freed): the index parses

    def release_tree(self, od: OpenDocument) -> None:
        """Free an idle document's tree (document, snapshot, analyzer); its next edit parses again."""
        doc, snap = od.doc, od.snap
        if od.analyzer is not None:
            # also when the snapshot's tree is gone already: a later run (the second tier) parsed its own
            od.analyzer.drop_tree_refs()
        if doc is None or snap is None or doc.edits or snap.tree is None:
            return
        doc.drop_tree()
        object.__setattr__(snap, "tree", None)  # same snapshot (identity matters), no tree

    def thread_parser(self) -> Parser:
        """A parser of the calling thread's own (parsers are not shared across threads)."""
        parser = getattr(self._parsers, "parser", None)
        if parser is None:
            parser = self._parsers.parser = new_parser()
        return parser

    def snapshot_tree(self, snap: Snapshot) -> Tree:
        """The snapshot's tree, or a fresh parse of its text when the tree was freed (any thread)."""
        return snap.tree if snap.tree is not None else self.thread_parser().parse(snap.source)
