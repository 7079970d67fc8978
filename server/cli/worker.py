"""Analysing files for `plumber check`, in this process or spread over a process pool.

Large trees are spread over every core with a process pool: files are
grouped by directory so that package-wide checks share one package index
per worker, each worker builds its own `FileAnalyzer` (`analyzer.py`: an
Engine and a parser), and results come back as plain tuples. Here: the
pool, its workers' lives (signals, dying with the parent), the progress
line, and stopping a run on SIGINT or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Sequence

from plumber.cli.analyzer import FileAnalyzer, FileResult, Options, failed
from plumber.core.checks import Check
from plumber.report.model import display_path

PARALLEL_MIN_FILES = 48  # below this, starting worker processes costs more than it saves


class Interrupted(Exception):
    """SIGINT or SIGTERM during a run: the results so far (with the files already rewritten)."""

    def __init__(self, signum: int, results: list[FileResult]):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.results = results


_WORKER: FileAnalyzer | None = None


def _worker_init(opts: Options, registry: Sequence[Check] | None, written, parent: int) -> None:
    """A pool worker: default signal handling, and it dies with its parent (however the parent died)."""
    global _WORKER
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent(parent)
    _WORKER = FileAnalyzer(opts, registry, lambda path, fixed: written.put((path, fixed)))


PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    try:  # Linux: the kernel sends SIGTERM when the parent exits
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass

    def watch() -> None:  # elsewhere (and as a backstop): notice being orphaned
        # A process-directed SIGTERM goes to any thread that does not block it; were it this one,
        # the default action would kill the process in the middle of a write the main thread masked.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, name="plumber-orphan-watch", daemon=True).start()


def _worker_run(paths: list[str]) -> list[FileResult]:
    assert _WORKER is not None
    return list(_WORKER.files(paths))


def _groups(files: list[str], target: int) -> list[list[str]]:
    """Files grouped by directory, a directory never split (a package stays on one worker and
    shares its package index); small directories are batched together up to `target` files."""
    by_dir: dict[str, list[str]] = {}
    for f in files:
        by_dir.setdefault(os.path.dirname(f), []).append(f)
    groups: list[list[str]] = []
    small: list[str] = []
    for fs in by_dir.values():
        if len(fs) >= target:
            groups.append(fs)
        else:
            small.extend(fs)
            if len(small) >= target:
                groups.append(small)
                small = []
    if small:
        groups.append(small)
    groups.sort(key=len, reverse=True)  # the longest first, for a short tail
    return groups


class Progress:
    """`[n/N] path` on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.done = 0
        self.enabled = enabled and total > 1
        self._last = 0.0

    def advance(self, n: int, path: str) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.05 and self.done < self.total:
            return
        self._last = now
        width = 60
        name = path if len(path) <= width else "..." + path[-width + 3 :]
        sys.stderr.write(f"\r\x1b[K[{self.done}/{self.total}] {name}")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def analyze_files(
    files: list[str], opts: Options, jobs: int, progress: Progress, registry: Sequence[Check] | None = None
) -> list[FileResult]:
    """The results of every file; raises Interrupted on SIGINT or SIGTERM (the pool stopped first)."""
    results: list[FileResult] = []
    with _signals_interrupt() as stopped:
        try:
            if jobs <= 1 or len(files) < PARALLEL_MIN_FILES:
                analyzer = FileAnalyzer(opts, registry)
                for p, result in zip(files, analyzer.files(files), strict=True):
                    results.append(result)
                    progress.advance(1, p)
                return results
            return _analyze_in_pool(files, opts, jobs, progress, registry, results)
        except (KeyboardInterrupt, _Stop) as e:
            raise Interrupted(stopped[0] or signal.SIGINT, results) from e


class _Stop(BaseException):
    pass


class _signals_interrupt:
    """SIGTERM handled like SIGINT while files are analysed: raise, so that the pool is stopped."""

    def __enter__(self) -> list[int]:
        self.stopped = [0]
        self.previous = {}

        def handler(signum, _frame):
            self.stopped[0] = signum
            raise _Stop

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self.previous[sig] = signal.signal(sig, handler)
        return self.stopped

    def __exit__(self, *exc) -> None:
        for sig, old in self.previous.items():
            signal.signal(sig, old)


def _analyze_in_pool(files, opts, jobs, progress, registry, results: list[FileResult]) -> list[FileResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    written: multiprocessing.SimpleQueue = (
        multiprocessing.SimpleQueue()
    )  # (path, fixed) of each file rewritten, as it happens
    groups = _groups(files, max(8, min(64, len(files) // (jobs * 8) or 1)))
    pool = ProcessPoolExecutor(
        max_workers=jobs, initializer=_worker_init, initargs=(opts, registry, written, os.getpid())
    )
    done: set[str] = set()
    try:
        futures = {pool.submit(_worker_run, g): g for g in groups}
        for fut in as_completed(futures):
            group = futures[fut]
            try:
                got = fut.result()
            except BrokenProcessPool as e:
                got = [failed(display_path(p), f"{p}: a worker process died: {e}") for p in group]
            except Exception as e:
                got = [failed(display_path(p), f"{p}: internal error: {type(e).__name__}: {e}") for p in group]
            results.extend(got)
            done.update(display_path(p) for p in group)
            progress.advance(len(group), group[-1])
    except BaseException:
        _stop_pool(pool)
        # files rewritten in groups that did not finish: report them, they are changed on disk
        while not written.empty():
            path, fixed = written.get()
            if path not in done:
                results.append(FileResult(path, (), (), (), (), fixed))
        raise
    pool.shutdown(wait=True)
    return results


def _stop_pool(pool) -> None:
    """Stop every worker now (SIGTERM: a worker writing a file finishes the rename first)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        try:
            proc.terminate()
        except (OSError, AttributeError):
            pass
    for proc in processes:
        # a worker in the middle of a write finishes it first (signals masked); on a loaded disk the
        # fsync may take seconds, and a SIGKILL then would leave its temporary file behind
        proc.join(timeout=15)
        if proc.is_alive():
            proc.kill()
