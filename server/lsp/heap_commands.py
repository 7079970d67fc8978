"""The heap-profile commands: `plumber.loadHeapProfile`, `plumber.compareHeapProfile`, `plumber.clearHeapProfile`.

A load places the profile's top sites (`runtime.heap_load`) as `heap-growth`
diagnostics, kept in the heap store of `ProfileCommands` and published with
the static findings (which they confirm). The command answers with the JSON
the editor draws (`heap_load.summary`), where each site also names the static
findings it confirms in the file as saved: a growth site that no check
explains is the one to look at first. Those static findings are computed on
the analysis worker, where every use of the engine's caches happens.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T

from plumber.core.findings import Finding
from plumber.runtime import ProfileError
from plumber.runtime.heap import DEFAULT_TOP, Site
from plumber.runtime.heap_confirm import confirm
from plumber.runtime.heap_load import HeapRequest, LoadedHeap, load_heap, summary
from plumber.runtime.loaded import HEAP
from plumber.runtime.pprof import HEAP_TYPES, PprofProfile
from plumber.syntax.files import read_regular

if TYPE_CHECKING:
    from plumber.lsp.server import PlumberServer

log = logging.getLogger("plumber.server")

COMMAND_LOAD_HEAP = "plumber.loadHeapProfile"
COMMAND_COMPARE_HEAP = "plumber.compareHeapProfile"
COMMAND_CLEAR_HEAP = "plumber.clearHeapProfile"

OPTIONS = '{"source": ..., "base": ..., "sample": "inuse_space", "top": 10}'


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _request(d: dict[str, Any], source: str, base: str | None) -> HeapRequest:
    sample, top = d.get("sample"), d.get("top", DEFAULT_TOP)
    if sample is not None and sample not in HEAP_TYPES:
        raise ProfileError(f"sample must be one of {', '.join(HEAP_TYPES)}, not {sample!r}")
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ProfileError(f"top must be an integer >= 1, not {top!r}")
    if d.get("base") is not None and base is None:
        raise ProfileError("base must be a file path or an http://localhost URL")
    return HeapRequest(source, base, sample, top)


def load_request(args: Any) -> HeapRequest:
    """["path or URL"] or [{"source": ..., "base": ..., "sample": ..., "top": N}]."""
    first = args[0] if isinstance(args, (list, tuple)) and args else args
    if (source := _text(first)) is not None:
        return HeapRequest(source)
    if isinstance(first, dict) and (source := _text(first.get("source"))) is not None:
        return _request(first, source, _text(first.get("base")))
    raise ProfileError(f"{COMMAND_LOAD_HEAP} takes a file path or an http://localhost URL, or {OPTIONS}")


def compare_request(args: Any, loaded: LoadedHeap | None) -> tuple[HeapRequest, PprofProfile | None]:
    """(request, the loaded profile to reuse or None) from ["base"], ["profile", "base"] or
    [{"base": ..., "source": ...}] (without "source": the loaded profile)."""
    args = list(args) if isinstance(args, (list, tuple)) else [args]
    first = args[0] if args else None
    source: str | None = None
    if len(args) == 2 and (source := _text(args[0])) is not None and (base := _text(args[1])) is not None:
        return HeapRequest(source, base), None
    if len(args) == 1 and (base := _text(first)) is not None:
        request = HeapRequest("", base)
    elif len(args) == 1 and isinstance(first, dict) and (base := _text(first.get("base"))) is not None:
        source = _text(first.get("source"))
        request = _request(first, source or "", base)
        if source is not None:
            return request, None
    else:
        raise ProfileError(
            f"{COMMAND_COMPARE_HEAP} takes a base profile (for the loaded heap profile), "
            f'a profile and its base, or {{"base": ..., "source": ...}}'
        )
    if loaded is None:
        raise ProfileError(
            "no heap profile is loaded to compare with a base: load one first "
            "(Plumber: Load Heap Profile), or give the profile and its base"
        )
    # the loaded profile, with its sample and top unless given now
    d = first if isinstance(first, dict) else {}
    sample = request.sample if "sample" in d else loaded.request.sample
    top = request.top if "top" in d else loaded.request.top
    return HeapRequest(loaded.request.source, request.base, sample, top), loaded.profile


class HeapCommands:
    def __init__(self, server: PlumberServer):
        self.server = server
        self.current: LoadedHeap | None = None  # the loaded heap profile, for a later comparison

    async def load(self, args: Any) -> dict[str, Any]:
        try:
            request = load_request(args)
        except ProfileError as e:
            raise self.server.profiles.refused(e) from None
        return await self._load(COMMAND_LOAD_HEAP, request, None)

    async def compare(self, args: Any) -> dict[str, Any]:
        try:
            request, profile = compare_request(args, self.current)
        except ProfileError as e:
            raise self.server.profiles.refused(e) from None
        return await self._load(COMMAND_COMPARE_HEAP, request, profile)

    def clear(self) -> dict[str, Any]:
        profiles = self.server.profiles
        self.current = None
        paths = profiles.loaded.heap.clear()
        profiles.publish(paths)
        profiles.refresh_code_lenses()
        return {"cleared": len(paths)}

    async def _load(self, command: str, request: HeapRequest, profile: PprofProfile | None) -> dict[str, Any]:
        profiles = self.server.profiles
        loaded = await profiles.run_reported(command, load_heap, request, profiles.workspace_roots(), profile)
        store = profiles.loaded.heap
        before = store.paths()
        await profiles.run_reported(command, store.load, loaded.result)
        self.current = loaded
        try:
            explained = await self.server.scheduler.on_worker(self.explain, loaded)
        except Exception:  # the chart loses its marks, the diagnostics stand
            log.exception("static findings of the heap sites")
            explained = {}
        out = summary(loaded, explained)
        for a in out["ambiguous"]:
            self.server.log_to_client(f"plumber: heap profile: {a}", T.MessageType.Warning)
        sites, files = out["sites"], out["files"]
        unexplained = sum(1 for s in sites if not s["static"])
        what = f"{request.source} against {request.base}" if request.base else request.source
        profiles.show(
            T.MessageType.Info,
            f"plumber: heap profile {what} ({out['sample']}): {out['headline']}; "
            f"{len(sites)} site{'s' if len(sites) != 1 else ''} in {len(files)} file{'s' if len(files) != 1 else ''}"
            + (f", {unexplained} with no static finding" if sites else ""),
        )
        profiles.publish(before | store.paths())
        profiles.refresh_code_lenses()
        return out

    # -- on the analysis worker ------------------------------------------------------------

    def static_findings(self, path: str, source: bytes) -> list[Finding]:
        server = self.server
        engine = server.engine
        settings, _ = engine.settings_for(path, server.settings.editor_settings)
        tree = server.documents.thread_parser().parse(source)
        found, _ = engine.analyze(engine.context(path, source, tree), settings)
        return found

    def explain(self, loaded: LoadedHeap) -> dict[tuple[str, int], list[dict[str, Any]]]:
        """Per site, the static findings of its file (as saved) that it confirms."""
        shown = self.server.profiles.shown_by(HEAP)
        by_path: dict[str, list[tuple[Site, Finding]]] = {}
        for site, f in loaded.site_findings():
            by_path.setdefault(site.path, []).append((site, f))
        out: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for path, sites in by_path.items():
            try:
                source = read_regular(path)
            except OSError:
                continue
            static = [f for f in self.static_findings(path, source) if shown(f.code)]
            for site, growth in sites:
                confirmed = confirm(static, [growth], shown)
                out[(path, site.line)] = [
                    {"code": old.code, "line": source.count(b"\n", 0, old.start) + 1, "message": old.message}
                    for old, new in zip(static, confirmed, strict=True)
                    if new is not old
                ]
        return out
