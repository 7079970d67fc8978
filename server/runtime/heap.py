"""Heap profiles placed on the workspace's code: where memory is held, and where it grew.

A heap profile (binary pprof, what `/debug/pprof/heap`, `WriteHeapProfile`
and `go test -memprofile` write) holds per allocation stack four values:
inuse_space, inuse_objects, alloc_space, alloc_objects. Each sample is placed
on its innermost frame in workspace code (frames mapped to files by path
suffix, as goroutine stacks are in `mapping`), so memory allocated inside the
standard library on behalf of `cache[key] = v` lands on that line. Samples
with no workspace frame count as unplaced.

With a base profile (an earlier profile of the same program) every line gets
the growth between the two, as `go tool pprof -base` computes it: the
profile's value minus the base's, negative where memory was freed. Shares
are of the net growth of the whole profile (go tool pprof divides by the sum
of the absolute changes per stack instead, so its percentages run a little
lower where memory was also freed), or of the whole profile without a base.
The values are inuse_space unless asked otherwise, or alloc_space where the
profile says so (the allocs profile, `go test -memprofile`), as in pprof.

The top N lines that grew become `heap-growth` findings of information
severity, "+412 MiB in use since the base profile, 61% of the growth". Their
related information is the call path that brought the most memory there, in
story order: from the outermost workspace caller down to the call that
allocates, one entry per workspace frame ("1. main.main calls main.serve").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from plumber.core.findings import Finding, Related, Severity
from plumber.core.positions import line_starts
from plumber.runtime.aggregate import RuntimeFindings
from plumber.runtime.check import HEAP_GROWTH
from plumber.runtime.mapping import Ambiguous, Workspace
from plumber.runtime.parse import Frame, ProfileError
from plumber.runtime.pprof import HEAP_TYPES, PprofProfile
from plumber.syntax.files import read_regular

DEFAULT_SAMPLE = "inuse_space"
DEFAULT_TOP = 10
MAX_PATH = 8  # workspace callers shown per finding, the ones nearest the allocation


@dataclass(frozen=True, slots=True)
class Step:
    """A workspace frame of a call path."""

    path: str
    line: int
    func: str


@dataclass(frozen=True)
class Site:
    """One workspace line that allocated memory."""

    path: str
    line: int
    func: str
    value: int  # in the profile
    base: int  # in the base profile; 0 without one
    call_path: tuple[Step, ...]  # the heaviest path's workspace callers, outermost first
    call_paths: int  # distinct workspace call paths to this line
    path_value: int  # what the heaviest path contributes (to the growth, with a base)

    @property
    def delta(self) -> int:
        return self.value - self.base


@dataclass(frozen=True)
class HeapReport:
    sample: str  # inuse_space, ...
    unit: str  # bytes or count
    total: int
    base_total: int | None  # None without a base profile
    sites: tuple[Site, ...]  # largest growth first
    unplaced: int  # growth (or value) with no frame in workspace code
    ambiguous: tuple[Ambiguous, ...] = ()

    @property
    def growth(self) -> int:
        return self.total - (self.base_total or 0)

    def top(self, n: int = DEFAULT_TOP) -> list[Site]:
        return [s for s in self.sites if s.delta > 0][:n]


def default_sample(profile: PprofProfile) -> str:
    """The profile's own default, as go tool pprof takes it: alloc_space for the allocs profile
    (and go test -memprofile), else inuse_space."""
    return profile.default_sample_type if profile.default_sample_type in HEAP_TYPES else DEFAULT_SAMPLE


def sample_index(profile: PprofProfile, sample: str, what: str = "the profile") -> int:
    if profile.kind != "heap":
        raise ProfileError(f"{what} is {profile.describe()}, not a heap profile")
    if sample not in HEAP_TYPES:
        raise ProfileError(f"unknown sample type {sample!r}: one of {', '.join(HEAP_TYPES)}")
    i = profile.index(sample)
    if i is None:
        have = ", ".join(t.type for t in profile.sample_types)
        raise ProfileError(f"{what} has no {sample} values (it has {have})")
    return i


@dataclass
class _Acc:
    func: str
    value: int = 0
    base: int = 0
    paths: dict[tuple[Step, ...], list[int]] = field(default_factory=dict)  # path -> [value, base]


def _short(func: str) -> str:
    return func.rsplit("/", 1)[-1]


class _Placer:
    """Stacks to (site, workspace callers), memoised per frame and per stack.

    The memos are keyed by object identity: the profile view shares one Frame object per place
    (and one tuple per stack), and the frames are kept alive here so that no identity is reused."""

    def __init__(self, workspace: Workspace, has_line: Callable[[str, int], bool]):
        self.workspace = workspace
        self.has_line = has_line
        self.ambiguous: dict[tuple[str, int], Ambiguous] = {}
        self._steps: dict[int, Step | bool | None] = {}
        self._stacks: dict[tuple[int, ...], tuple[Step, tuple[Step, ...]] | None] = {}
        self._alive: list[tuple[Frame, ...]] = []

    def _step(self, fr: Frame) -> Step | bool | None:
        """The frame's workspace line, None (not workspace code) or False (ambiguous)."""
        if id(fr) in self._steps:
            return self._steps[id(fr)]
        got: Step | bool | None
        r = self.workspace.resolve(fr)
        if r is None:
            got = None
        elif isinstance(r, Ambiguous):
            self.ambiguous.setdefault((fr.file, fr.line), r)
            got = False
        else:
            got = Step(r, fr.line, fr.func) if self.has_line(r, fr.line) else None
        self._steps[id(fr)] = got
        return got

    def place(self, frames: tuple[Frame, ...]) -> tuple[Step, tuple[Step, ...]] | None:
        key = tuple(map(id, frames))
        if key in self._stacks:
            return self._stacks[key]
        self._alive.append(frames)
        got = None
        steps = list(map(self._step, frames))
        for i, site in enumerate(steps):
            if site is False:
                break
            if not isinstance(site, Step):
                continue
            callers: list[Step] = []
            for st in steps[i + 1 :]:
                if (
                    isinstance(st, Step)
                    and (st.path, st.line) != (site.path, site.line)
                    and (not callers or (callers[-1].path, callers[-1].line) != (st.path, st.line))
                ):
                    callers.append(st)
            got = (site, tuple(reversed(callers[:MAX_PATH])))
            break
        self._stacks[key] = got
        return got


def _read(path: str) -> bytes | None:
    try:
        return read_regular(path)
    except OSError:
        return None


class _Sources:
    """Workspace files' bytes and line starts, read once."""

    def __init__(self, read: Callable[[str], bytes | None] = _read):
        self.read = read
        self._files: dict[str, tuple[bytes, list[int]] | None] = {}

    def _get(self, path: str):
        if path not in self._files:
            src = self.read(path)
            self._files[path] = (src, line_starts(src)) if src is not None else None
        return self._files[path]

    def placed_span(self, path: str, line: int) -> tuple[int, int]:
        """The span of a line a site was placed on (the placer keeps only lines that have one)."""
        got = self.span(path, line)
        assert got is not None
        return got

    def span(self, path: str, line: int) -> tuple[int, int] | None:
        """Byte range of a 1-based line's text without indentation and line end."""
        got = self._get(path)
        if got is None:
            return None
        src, starts = got
        if line < 1 or line > len(starts):
            return None
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(src)
        text = src[start:end].rstrip(b"\r\n \t")
        if not text.strip():
            return None
        lead = len(text) - len(text.lstrip(b" \t"))
        return start + lead, start + len(text)


def report(
    profile: PprofProfile,
    workspace: Workspace,
    sample: str | None = None,
    base: PprofProfile | None = None,
    sources: _Sources | None = None,
) -> HeapReport:
    """Per workspace line, the profile's `sample` values (default: `default_sample`) and their growth
    since `base`."""
    sample = sample or default_sample(profile)
    i = sample_index(profile, sample)
    j = sample_index(base, sample, "the base profile") if base is not None else None
    sources = sources or _Sources()
    placer = _Placer(workspace, lambda p, ln: sources.span(p, ln) is not None)
    acc: dict[tuple[str, int], _Acc] = {}
    unplaced = [0, 0]
    totals = [0, 0]
    for which, prof, k in ((0, profile, i), (1, base, j)):
        if prof is None or k is None:
            continue
        for smp in prof.samples:
            v = smp.values[k]
            if not v:
                continue
            totals[which] += v
            placed = placer.place(smp.frames)
            if placed is None:
                unplaced[which] += v
                continue
            site, callers = placed
            a = acc.get((site.path, site.line))
            if a is None:
                a = acc[(site.path, site.line)] = _Acc(site.func)
            per_path = a.paths.setdefault(callers, [0, 0])
            per_path[which] += v
            if which:
                a.base += v
            else:
                a.value += v
    sites = []
    for (path, line), a in acc.items():
        heaviest, (pv, pb) = max(a.paths.items(), key=lambda kv: (kv[1][0] - kv[1][1], kv[1][0]))
        sites.append(Site(path, line, a.func, a.value, a.base, heaviest, len(a.paths), pv - pb))
    sites.sort(key=lambda s: (-s.delta, s.path, s.line))
    unit = profile.sample_types[i].unit
    return HeapReport(
        sample,
        unit,
        totals[0],
        totals[1] if base is not None else None,
        tuple(sites),
        unplaced[0] - unplaced[1],
        tuple(placer.ambiguous.values()),
    )


def amount(value: int, unit: str, sign: bool = False) -> str:
    """412 MiB, 4.0 KiB, 12 B, 1,024 objects; with a + before growth when `sign`."""
    plus = "+" if sign and value > 0 else ""
    if unit != "bytes":
        return f"{plus}{value:,} object{'' if abs(value) == 1 else 's'}"
    v, prefix = float(value), ""
    for p in ("Ki", "Mi", "Gi", "Ti"):
        if abs(v) < 1024:
            break
        v, prefix = v / 1024, p
    if not prefix:
        return f"{plus}{value} B"
    return f"{plus}{v:.0f} {prefix}B" if abs(v) >= 100 else f"{plus}{v:.1f} {prefix}B"


def _share(part: int, whole: int) -> str:
    pct = 100 * part / whole
    return "<1%" if 0 < pct < 1 else f"{pct:.0f}%"


def message(site: Site, rep: HeapReport) -> str:
    verb = "in use" if rep.sample.startswith("inuse") else "allocated"
    if rep.base_total is None:
        what = {
            "inuse_space": "the heap in use",
            "inuse_objects": "the objects in use",
            "alloc_space": "all allocations",
            "alloc_objects": "all allocated objects",
        }[rep.sample]
        share = f", {_share(site.value, rep.total)} of {what}" if rep.total > 0 else ""
        return f"{amount(site.value, rep.unit)} {verb} here{share}"
    if rep.growth > 0:
        share = f", {_share(site.delta, rep.growth)} of the growth"
    else:
        share = f" (the whole profile changed by {amount(rep.growth, rep.unit, True)})"
    return f"{amount(site.delta, rep.unit, True)} {verb} since the base profile{share}"


def findings(
    rep: HeapReport,
    top: int = DEFAULT_TOP,
    read: Callable[[str], bytes | None] = _read,
    sources: _Sources | None = None,
) -> RuntimeFindings:
    """`heap-growth` findings at the `top` lines that grew most (or hold most, without a base)."""
    sources = sources or _Sources(read)
    out = RuntimeFindings(ambiguous=list(rep.ambiguous), unplaced=rep.unplaced)
    for site in rep.top(top):
        start, end = sources.placed_span(site.path, site.line)
        related = []
        chain = site.call_path
        for n, step in enumerate(chain):
            callee = chain[n + 1].func if n + 1 < len(chain) else site.func
            text = f"{n + 1}. {_short(step.func)} calls {_short(callee)}"
            if n == 0 and site.call_paths > 1:
                text += (
                    f" (the heaviest of {site.call_paths} call paths: "
                    f"{amount(site.path_value, rep.unit, rep.base_total is not None)})"
                )
            rs, re_ = sources.placed_span(step.path, step.line)
            related.append(Related(rs, re_, text, None if step.path == site.path else step.path))
        out.by_path.setdefault(site.path, []).append(
            Finding(HEAP_GROWTH.code, start, end, message(site, rep), Severity.INFORMATION, (), tuple(related))
        )
    for fs in out.by_path.values():
        fs.sort(key=lambda f: f.start)
    return out


def analyze(
    profile: PprofProfile,
    roots: list[str],
    sample: str | None = None,
    base: PprofProfile | None = None,
    top: int = DEFAULT_TOP,
) -> tuple[HeapReport, RuntimeFindings]:
    """Place a heap profile (and its growth since `base`) on the workspace: what the CLI and LSP share."""
    sources = _Sources()
    rep = report(profile, Workspace(roots), sample, base, sources)
    return rep, findings(rep, top, sources=sources)
