"""A heap profile loaded for the editor: read, told to be a heap profile, placed, and summed up as JSON.

What `plumber.loadHeapProfile` and `plumber.compareHeapProfile` run (blocking,
off the event loop; no LSP types here). `load_heap` reads the profile and its
base (files or localhost URLs, each bounded in size and time by `fetch`),
refuses what is not a heap profile with what it is, and places the growth on
the workspace (`heap.analyze`). A comparison with a base reuses the profile
already loaded, not a new fetch of its URL: the base is compared with the
profile the user is looking at. `summary` is the JSON the command returns
and the editor draws: the top sites with their bytes (or objects), growth,
share and call path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plumber.core.findings import Finding
from plumber.runtime import ProfileError, RuntimeFindings, read_profile
from plumber.runtime.fetch import DEFAULT_TIMEOUT
from plumber.runtime.heap import DEFAULT_TOP, HeapReport, Site, amount, analyze
from plumber.runtime.pprof import PprofProfile

GOROUTINE_HINT = "; load it with Plumber: Load Goroutine Profile (plumber.loadGoroutineProfile)"


@dataclass(frozen=True)
class HeapRequest:
    source: str
    base: str | None = None
    sample: str | None = None  # None: the profile's own (inuse_space, or alloc_space for allocs profiles)
    top: int = DEFAULT_TOP


@dataclass(frozen=True)
class LoadedHeap:
    request: HeapRequest
    profile: PprofProfile  # kept, so that a later comparison reads the same profile
    report: HeapReport
    result: RuntimeFindings

    def site_findings(self) -> list[tuple[Site, Finding]]:
        """The top sites, largest first, each with its `heap-growth` finding."""
        sites = self.report.top(self.request.top)
        by_site: dict[tuple[str, int], Finding] = {}
        for path, found in self.result.by_path.items():
            lines = sorted(s.line for s in sites if s.path == path)
            assert len(lines) == len(found), (path, lines, found)
            by_site.update(((path, line), f) for line, f in zip(lines, found, strict=True))  # both by position
        return [(s, by_site[(s.path, s.line)]) for s in sites]


def read_heap(source: str, role: str = "", timeout: float = DEFAULT_TIMEOUT) -> PprofProfile:
    """The heap profile at `source`; ProfileError (naming `role` and the source) for anything else."""
    try:
        binary, _ = read_profile(source, timeout)
    except ProfileError as e:
        raise ProfileError(f"{role}{e}") from None
    if binary is None:
        raise ProfileError(f"{role}{source}: a goroutine profile or dump, not a heap profile{GOROUTINE_HINT}")
    if binary.kind != "heap":
        hint = GOROUTINE_HINT if binary.kind in ("goroutine", "goroutineleak") else ""
        raise ProfileError(f"{role}{source}: {binary.describe()}, not a heap profile{hint}")
    return binary


def load_heap(
    request: HeapRequest, roots: list[str], profile: PprofProfile | None = None, timeout: float = DEFAULT_TIMEOUT
) -> LoadedHeap:
    """Read (unless given) and place a heap profile, with its growth since `request.base`."""
    if not roots:
        raise ProfileError("no workspace folder is open: frames cannot be placed")
    if profile is None:
        profile = read_heap(request.source, timeout=timeout)
    base = read_heap(request.base, "the base profile ", timeout) if request.base else None
    try:
        rep, result = analyze(profile, roots, request.sample, base, request.top)
    except ProfileError as e:
        raise ProfileError(f"{request.source}: {e}") from None
    return LoadedHeap(request, profile, rep, result)


def headline(rep: HeapReport) -> str:
    """ "38.8 MiB in use, +35.3 MiB since the base profile; 1.2 MiB of it outside workspace code"."""
    verb = "in use" if rep.sample.startswith("inuse") else "allocated"
    since = f", {amount(rep.growth, rep.unit, True)} since the base profile" if rep.base_total is not None else ""
    whole = rep.growth if rep.base_total is not None else rep.total
    off = f"; {amount(rep.unplaced, rep.unit)} of it outside workspace code" if rep.unplaced > 0 < whole else ""
    return f"{amount(rep.total, rep.unit)} {verb}{since}{off}"


def summary(loaded: LoadedHeap, explained: dict[tuple[str, int], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The JSON of a loaded heap profile: its totals and its top sites, largest first.

    `explained`: per (path, line) of a site, the static findings it confirms ({code, line, message});
    a site with none is one no check explains."""
    rep = loaded.report
    with_base = rep.base_total is not None
    whole = rep.growth if with_base else rep.total
    sites = []
    for site, f in loaded.site_findings():
        part = site.delta if with_base else site.value
        sites.append(
            {
                "path": site.path,
                "line": site.line,
                "function": site.func,
                "value": site.value,
                "base": site.base if with_base else None,
                "delta": site.delta if with_base else None,
                "amount": amount(part, rep.unit, with_base),
                "share": round(part / whole, 4) if whole > 0 else None,
                "message": f.message,
                "callPath": [{"path": s.path, "line": s.line, "function": s.func} for s in site.call_path],
                "callPaths": site.call_paths,
                "static": (explained or {}).get((site.path, site.line), []),
            }
        )
    return {
        "kind": "heap",
        "source": loaded.request.source,
        "base": loaded.request.base,
        "sample": rep.sample,
        "unit": rep.unit,
        "total": rep.total,
        "baseTotal": rep.base_total,
        "growth": rep.growth if with_base else None,
        "unplaced": rep.unplaced,
        "headline": headline(rep),
        "findings": len(sites),
        "files": sorted(loaded.result.by_path),
        "ambiguous": [a.describe() for a in loaded.result.ambiguous],
        "sites": sites,
    }
