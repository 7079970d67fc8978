"""When analyses run: debounce per document, one worker thread, never an outdated publish.

Each URI has at most one analysis task: a change cancels the pending one and
starts a new one after `debounce` ms. Analyses run one at a time on a worker
thread, over an immutable snapshot (bytes + a copy of the tree), so the event
loop keeps reading messages. A result is published only if its snapshot is
still the document's current one, with its version. An incremental analysis
(a few declarations) runs inline in the didChange handler when the worker is
idle: the hand-off to the worker and back costs more than the analysis.

Two tiers: once a large document's whole-file and package-wide checks cost more
than a few tens of ms (`tier2_thresholds`), an edit publishes the per-declaration results at once
with the whole-file checks' last findings (shifted by the edits), and a second
run brings those up to date after `TIER2_DELAY_MS` without further edits. A large document just
opened (its whole-file checks untimed, and cold they build the package and module indexes) gets
its per-declaration results first and the rest right after.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plumber.driver.incremental import IncrementalAnalyzer
from plumber.lsp.documents import AnalysisResult, OpenDocument, Snapshot, log_slow
from plumber.syntax.nodes import walking

if TYPE_CHECKING:
    from plumber.lsp.server import PlumberServer

log = logging.getLogger("plumber.server")

CONFIG_WAIT_S = 5.0  # how long analyses wait for the first workspace/configuration answer
BUDGET_ENV = "PLUMBER_ANALYSIS_BUDGET_S"
DEFAULT_BUDGET_S = 5.0  # one analysis of one document; then it publishes what it has
TIER2_DELAY_MS = 400  # the pause after an edit before the whole-file checks rerun (second tier)
TIER2_ENV = "PLUMBER_TIER2"  # "MIN_BYTES,SLOW_MS": which documents get a second tier (default 16384,50)


def tier2_thresholds() -> tuple[int, float]:
    """(bytes, seconds): documents at least this large whose whole-file checks took at least this
    long publish their per-declaration results first. Small files: one tier, nothing deferred."""
    try:
        size, ms = (float(x) for x in os.environ.get(TIER2_ENV, "").split(","))
        return int(size), ms / 1000
    except ValueError:
        return 16384, 0.05


INLINE_MAX_BYTES = 256_000  # larger documents are analysed on the worker only (the loop stays free)


def analysis_budget() -> float:
    """Seconds one analysis may take (PLUMBER_ANALYSIS_BUDGET_S, default 5): the checks not done by
    then are cut, what the others found is published, and the log names the checks cut."""
    try:
        value = float(os.environ.get(BUDGET_ENV, "") or DEFAULT_BUDGET_S)
    except ValueError:
        value = DEFAULT_BUDGET_S
    return value if value > 0 else DEFAULT_BUDGET_S


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


def run_all(funcs: list[Callable[[], Any]]) -> None:
    for fn in funcs:
        try:
            fn()
        except Exception:
            log.exception("cache invalidation failed")


class Scheduler:
    """Analysis tasks of the open documents; every use of the engine's caches is on the worker."""

    def __init__(self, server: PlumberServer):
        self.server = server
        self.tasks: dict[str, asyncio.Task] = {}
        # One worker: analyses run one at a time, and every use of the engine's caches is on it.
        self.worker = DaemonWorker("plumber-analysis")
        self.worker_jobs = 0  # jobs submitted to the worker and not yet done (loop thread only)
        self.config_ready: asyncio.Event | None = None

    # -- the worker ------------------------------------------------------------------

    def on_worker(self, fn, *args) -> asyncio.Future:
        """Run fn(*args) on the analysis worker; `worker_jobs` counts the jobs not yet done."""
        self.worker_jobs += 1
        fut = asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)
        fut.add_done_callback(self._worker_job_done)  # runs on the loop thread
        return fut

    def _worker_job_done(self, _fut) -> None:
        self.worker_jobs -= 1

    def shutdown(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()
        self.worker.shutdown(wait=False, cancel_futures=True)

    # -- scheduling ------------------------------------------------------------------

    def debounce_ms(self, od: OpenDocument) -> int:
        if od.debounce_ms is not None:
            return od.debounce_ms
        return self.server.settings.editor_settings.debounce_ms

    def cancel(self, uri: str) -> None:
        task = self.tasks.pop(uri, None)
        if task is not None:
            task.cancel()

    def can_analyze_inline(self, od: OpenDocument) -> bool:
        """An incremental analysis while the worker is idle and the settings are known."""
        return (
            self.worker_jobs == 0
            and len(od.snap.source) <= INLINE_MAX_BYTES
            and od.analyzer is not None
            and od.snap is not None
            and (self.config_ready is None or self.config_ready.is_set())
            and od.analyzer.can_continue(od.doc, od.snap.changes)
        )

    def analyze_inline(self, od: OpenDocument) -> None:
        snap = od.snap
        try:
            result = self.analyze_snapshot(od, snap, complete=False)
            if result is not None:
                self.server.publish(od, result)
                self._follow_up(od, result)
        except Exception:
            log.exception("analysis of %s failed", od.uri)
            self.server.analysis_failed(od, snap)

    def schedule(self, od: OpenDocument, delay_ms: int | None = None, complete: bool = False) -> None:
        """Analyse `od` after `delay_ms` (default: its debounce); `complete`: the second tier too."""
        self.cancel(od.uri)
        if od.oversized:
            return  # over PLUMBER_MAX_DOCUMENT_MB: never parsed nor analysed
        delay = self.debounce_ms(od) if delay_ms is None else delay_ms
        if delay <= 0 and not complete and self.can_analyze_inline(od):
            self.analyze_inline(od)
            return
        self.tasks[od.uri] = asyncio.ensure_future(self._analyze_later(od, delay, complete))

    def _follow_up(self, od: OpenDocument, result: AnalysisResult) -> None:
        """A first-tier result: the second tier follows after a pause (an edit meanwhile cancels it)."""
        over_budget = any(f.cut for f in result.failures)  # (a superseded run is never published)
        if result.pending_file_checks and not over_budget and self.server.documents.get(od.uri) is od:
            # right after an open nobody is typing: no pause (after an edit, the usual one)
            analyzer = od.analyzer
            opened = analyzer is not None and analyzer.file_checks_never_ran and analyzer.last_mode == "full"
            self.schedule(od, delay_ms=0 if opened else TIER2_DELAY_MS, complete=True)

    def invalidate_analyses(self) -> None:
        """Something besides the text changed (go.mod, settings, a saved file): the next analysis of
        every document runs in full. On the worker, behind any analysis in flight (the inline path
        never runs while the worker has jobs), so no analyzer is reset under a running analysis."""
        analyzers = [od.analyzer for od in self.server.documents if od.analyzer is not None]
        if analyzers:
            self.on_worker(run_all, [a.reset for a in analyzers])

    def schedule_peers(self, od: OpenDocument) -> None:
        """Package-wide checks read sibling buffers: re-run the other open files of the directory."""
        if not self.server.engine.package_wide:
            return
        for peer in self.server.documents.peers(od):
            self.schedule(peer)

    def rerun_all(self) -> None:
        self.invalidate_analyses()
        for od in self.server.documents.analyzable():
            od.debounce_ms = None
            self.schedule(od, delay_ms=0)

    async def wait_for_config(self) -> None:
        if self.config_ready is not None and not self.config_ready.is_set():
            try:
                await asyncio.wait_for(self.config_ready.wait(), CONFIG_WAIT_S)
            except TimeoutError:
                pass

    async def _analyze_later(self, od: OpenDocument, delay_ms: int, complete: bool = False) -> None:
        me = asyncio.current_task()
        docs = self.server.documents
        try:
            if delay_ms > 0:
                await asyncio.sleep(delay_ms / 1000)
            await self.wait_for_config()
            if docs.get(od.uri) is not od:
                return
            snap = od.snap
            started = time.perf_counter()
            result = await self.on_worker(self.analyze_snapshot, od, snap, complete)
            log_slow(od.uri, f"analysis of v{snap.version}", started, len(snap.source))
            if result is None or docs.get(od.uri) is not od or od.snap is not snap:
                return  # superseded by a newer version, or closed: never publish an outdated one
            self.server.publish(od, result)
            if self.tasks.get(od.uri) is me:
                del self.tasks[od.uri]  # (so that the second tier can take its place)
            self._follow_up(od, result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("analysis of %s failed", od.uri)
            if docs.get(od.uri) is od:
                self.server.analysis_failed(od, od.snap)
        finally:
            if self.tasks.get(od.uri) is me:
                del self.tasks[od.uri]
            # a cancelled task keeps its CancelledError, whose traceback keeps this frame: without `me`
            # that is no cycle, and the snapshot (text and tree) goes as soon as the task does
            me = None

    # -- running the engine (on the worker, or inline when idle) ----------------------

    def analyze_snapshot(self, od: OpenDocument, snap: Snapshot, complete: bool = True) -> AnalysisResult | None:
        """Skip superseded snapshots, else run the engine within the time budget.

        A run whose snapshot is superseded meanwhile (the document changed or closed) is abandoned
        at its next check point and returns None; one over the budget returns what the finished
        checks found (the cut ones are failures marked `cut`)."""
        if od.snap is not snap or od.oversized:
            return None
        docs = self.server.documents

        def wanted() -> bool:
            return od.snap is snap and docs.get(od.uri) is od

        with walking(deadline=time.monotonic() + analysis_budget(), wanted=wanted):
            result = self._run_engine(od, snap, complete)
        # (a cut run's cached findings are the analyzer's to mend: it reruns what was cut)
        if any(f.cut for f in result.failures) and not wanted():
            return None
        return result

    def _run_engine(self, od: OpenDocument, snap: Snapshot, complete: bool = True) -> AnalysisResult:
        server = self.server
        settings, warnings = server.engine.settings_for(snap.path, server.settings.editor_settings)
        doc = od.doc
        tree = server.documents.snapshot_tree(snap)
        if doc is None or snap.changes < 0:
            ctx = server.engine.context(snap.path, snap.source, tree)
            try:
                findings, failures = server.engine.analyze(ctx, settings)
            finally:
                ctx.release()
        else:
            # incrementally: the analyzer reruns only the declarations changed since its last run
            if od.analyzer is None:
                od.analyzer = IncrementalAnalyzer(server.engine, snap.path)
            min_bytes, slow_s = tier2_thresholds()
            # a large document just opened: its whole-file checks are not timed yet, and cold (the
            # package and module indexes are built for them) they cost up to seconds: tier 1 first
            opened = od.analyzer.file_checks_never_ran
            slow = len(snap.source) >= min_bytes and (opened or od.analyzer.file_checks_s >= slow_s)
            findings, failures = od.analyzer.analyze_version(
                doc, snap.changes, snap.source, tree, settings, defer_file_checks=slow and not complete
            )
            return AnalysisResult(snap, findings, failures, settings, warnings, od.analyzer.pending_file_checks)
        return AnalysisResult(snap, findings, failures, settings, warnings)

    async def current_result(self, od: OpenDocument) -> AnalysisResult | None:
        """The analysis of the document's current version: the published one, else run and published now."""
        if od.result is not None and od.result.snapshot is od.snap:
            return od.result
        snap = od.snap
        result = await self.on_worker(self.analyze_snapshot, od, snap)
        if result is None or self.server.documents.get(od.uri) is not od or od.snap is not snap:
            return None  # changed again meanwhile
        self.server.publish(od, result)
        return result
