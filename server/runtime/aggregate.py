"""From parsed stacks to `leaked-goroutine` findings on workspace files.

Stacks are placed at their first frame in workspace code and grouped there by
kind (leak profile or classic profile) and wait reason; counts add up within
one dump and take the largest across concatenated dumps (the same goroutines
written twice, at debug=1 and debug=2, are not counted twice).

- goroutines the runtime's leak detector reported (`goroutineleak` profile,
  `(leaked)` in a dump): a warning;
- goroutines of a classic profile: information, where they block on a channel
  or a lock (not IO, sleep, syscalls, running), number at least `min_count`,
  and have waited at least `min_wait_minutes` (debug=2 and tracebacks record
  the wait; a debug=1 profile does not, so count alone decides there).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from plumber.core.findings import Finding, Related, Severity
from plumber.core.positions import line_starts
from plumber.runtime.check import CODE
from plumber.runtime.mapping import Ambiguous, Workspace
from plumber.runtime.parse import Frame, Profile
from plumber.syntax.files import read_regular

DEFAULT_MIN_WAIT_MINUTES = 10
DEFAULT_MIN_COUNT = 10

# wait reasons of goroutines blocked on a channel or a lock: what a classic profile is searched for
BLOCKING = {
    "chan send",
    "chan receive",
    "select",
    "chan send (nil chan)",
    "chan receive (nil chan)",
    "select (no cases)",
    "sync.Mutex.Lock",
    "sync.RWMutex.Lock",
    "sync.RWMutex.RLock",
    "sync.WaitGroup.Wait",
    "sync.Cond.Wait",
    "semacquire",
}

# Below the workspace frame, the functions a goroutine blocks in say why, under the names the
# runtime gives at debug=2 ("goroutine 6 [sync.WaitGroup.Wait (leaked)]"): a debug=1 profile
# records no wait reason, but it keeps the frames of package sync (not the runtime's).
BLOCKING_FRAMES = {
    "sync.(*WaitGroup).Wait": "sync.WaitGroup.Wait",
    "sync.(*Cond).Wait": "sync.Cond.Wait",
    "sync.(*Mutex).Lock": "sync.Mutex.Lock",
    "sync.(*RWMutex).Lock": "sync.RWMutex.Lock",
    "sync.(*RWMutex).RLock": "sync.RWMutex.RLock",
    "runtime.chansend1": "chan send",
    "runtime.chanrecv1": "chan receive",
    "runtime.chanrecv2": "chan receive",
    "runtime.selectgo": "select",
    "runtime.block": "select (no cases)",
}

_SEND = re.compile(r"^[\w.\[\]()*]+\s*<-")
_RECV = re.compile(r"<-\s*[\w.(]")
_RANGE = re.compile(r"^for\b.*\brange\b")
_SELECT = re.compile(r"^select\s*\{")


@dataclass(frozen=True)
class Options:
    min_wait_minutes: int = DEFAULT_MIN_WAIT_MINUTES
    min_count: int = DEFAULT_MIN_COUNT


@dataclass
class RuntimeFindings:
    by_path: dict[str, list[Finding]] = field(default_factory=dict)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    unplaced: int = 0  # goroutines with no frame in workspace code

    def all(self) -> list[tuple[str, Finding]]:
        return [(p, f) for p in sorted(self.by_path) for f in self.by_path[p]]


def infer_wait(line: str) -> str | None:
    """The wait reason a blocked statement implies, from its source line (for debug=1 profiles)."""
    s = line.strip()
    if _SELECT.match(s):
        return "select"
    if _RANGE.match(s):
        return "chan receive"
    if _SEND.match(s) and not s.startswith(("case ", "for ", "if ", "return")):
        return "chan send"
    if s.startswith("case ") and "<-" in s:
        return "select"
    if _RECV.search(s):
        return "chan receive"
    return None


def wait_from_frames(frames: tuple[Frame, ...], placed: Frame) -> str | None:
    """The wait reason the frames inside `placed` (the first workspace frame) imply, if any."""
    wait = None
    for fr in frames:
        if fr is placed:
            break
        wait = BLOCKING_FRAMES.get(fr.func, wait)  # the one nearest the workspace code wins
    return wait


def _read(path: str) -> bytes | None:
    try:
        return read_regular(path)
    except OSError:
        return None


class _Lines:
    def __init__(self, source: bytes):
        self.source = source
        self.starts = line_starts(source)

    def span(self, line: int) -> tuple[int, int] | None:
        """Byte range of a 1-based line's text, without indentation and line end."""
        if line < 1 or line > len(self.starts):
            return None
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.source)
        text = self.source[start:end]
        stripped = text.rstrip(b"\r\n \t")
        lead = len(stripped) - len(stripped.lstrip(b" \t"))
        return start + lead, start + len(stripped)

    def text(self, line: int) -> str:
        sp = self.span(line)
        return self.source[sp[0] : sp[1]].decode("utf-8", "replace") if sp else ""


@dataclass
class _Group:
    leaked: bool
    path: str
    line: int
    wait: str | None = None
    per_section: dict[int, int] = field(default_factory=dict)
    minutes: int | None = None
    debug1_only: bool = True
    created: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)  # (path, line) -> (func, count)

    @property
    def count(self) -> int:
        return max(self.per_section.values())


def findings(
    profile: Profile, workspace: Workspace, options: Options = Options(), read: Callable[[str], bytes | None] = _read
) -> RuntimeFindings:
    out = RuntimeFindings()
    lines: dict[str, _Lines | None] = {}

    def lines_of(path: str) -> _Lines | None:
        if path not in lines:
            src = read(path)
            lines[path] = _Lines(src) if src is not None else None
        return lines[path]

    seen_ambiguous: set[tuple[str, int]] = set()

    def place(frames: tuple[Frame, ...]) -> tuple[str, Frame] | bool | None:
        for fr in frames:
            r = workspace.resolve(fr)
            if r is None:
                continue
            if isinstance(r, Ambiguous):
                if (fr.file, fr.line) not in seen_ambiguous:
                    seen_ambiguous.add((fr.file, fr.line))
                    out.ambiguous.append(r)
                return False
            return r, fr
        return None

    groups: dict[tuple, _Group] = {}
    for st in profile.stacks:
        placed = place(st.frames)
        if not isinstance(placed, tuple):  # no workspace frame, or an ambiguous one
            out.unplaced += st.count
            continue
        path, fr = placed
        lx = lines_of(path)
        if lx is None or lx.span(fr.line) is None:
            out.unplaced += st.count
            continue
        wait = st.wait or wait_from_frames(st.frames, fr) or infer_wait(lx.text(fr.line))
        key = (st.leaked, path, fr.line, wait if not st.leaked else None)
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Group(st.leaked, path, fr.line)
        if wait and not g.wait:
            g.wait = wait
        g.per_section[st.section] = g.per_section.get(st.section, 0) + st.count
        if st.minutes is not None:
            g.minutes = max(g.minutes or 0, st.minutes)
        if st.debug != 1:
            g.debug1_only = False
        if st.created_by is not None:
            cp = workspace.resolve(st.created_by)
            if isinstance(cp, str) and (lc := lines_of(cp)) is not None and lc.span(st.created_by.line):
                k = (cp, st.created_by.line)
                func, n = g.created.get(k, (st.created_by.func, 0))
                g.created[k] = (func, n + st.count)

    for g in groups.values():
        count = g.count
        if not g.leaked:
            if g.wait not in BLOCKING or count < options.min_count:
                continue
            if not g.debug1_only and (g.minutes or 0) < options.min_wait_minutes:
                continue
        lx = lines_of(g.path)
        span = lx.span(g.line) if lx is not None else None
        assert span is not None  # groups are made only on lines that exist
        start, end = span
        noun = "goroutine" if count == 1 else "goroutines"
        on = f", blocked on {g.wait}" if g.wait else ""
        if g.leaked:
            msg = f"{count} {noun} leaked here{on} (goroutineleak profile)"
            sev = Severity.WARNING
        else:
            waited = (f" for {g.minutes}+ minutes" if g.minutes else "") if not g.debug1_only else ""
            note = "goroutine profile" + ("; wait time not recorded at debug=0 or 1" if g.debug1_only else "")
            msg = f"{count} {noun} waiting here{on}{waited} ({note})"
            sev = Severity.INFORMATION
        related = []
        for (cpath, cline), (func, n) in sorted(g.created.items()):
            lc = lines_of(cpath)
            cspan = lc.span(cline) if lc is not None else None
            assert cspan is not None  # creation sites are kept only on lines that exist
            cs, ce = cspan
            related.append(
                Related(
                    cs,
                    ce,
                    f"created by {func} ({n} {'goroutine' if n == 1 else 'goroutines'})",
                    None if cpath == g.path else cpath,
                )
            )
        out.by_path.setdefault(g.path, []).append(Finding(CODE, start, end, msg, sev, (), tuple(related)))
    for fs in out.by_path.values():
        fs.sort(key=lambda f: (f.start, f.severity))
    return out
