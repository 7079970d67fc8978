"""Reading goroutine profiles and dumps in their text forms.

Understood, alone or concatenated in one file, with LF or CRLF line ends:

- the `goroutineleak` and `goroutine` profiles at debug=1: a header
  `goroutineleak profile: total 5`, then records `5 @ 0x... 0x...` followed by
  `#\t0x4e0815\tmain.timeoutLeak.func1+0x35\t/path/main.go:14` frames;
- the same profiles at debug=2, panics and SIGQUIT dumps (GOTRACEBACK=all or
  higher): `goroutine 22 [chan send (leaked)]:` or
  `goroutine 7 gp=0x... m=nil [chan receive, 12 minutes]:`, function lines
  with their `\t/path/file.go:16 +0x6c` location lines, and the
  `created by main.f in goroutine 1` creation site.

Anything else (a panic message, register dumps, garbage, a truncated last
record) is skipped. The binary (gzipped protobuf) form, debug=0, is handed to
`pprof`, which reads it as a debug=1 profile: it records neither wait reasons
nor wait times nor creation sites (the debug=2 text does).

Parsing is one regular-expression scan over record headers; goroutines of a
debug=2 dump with the same stack are parsed once (100,000 goroutines in well
under a second).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEAK = "goroutineleak"
CLASSIC = "goroutine"


class ProfileError(ValueError):
    """The input is not a profile Plumber can read (corrupt, truncated, too large, of the wrong kind)."""


@dataclass(frozen=True, slots=True)
class Frame:
    func: str
    file: str
    line: int


@dataclass(slots=True)
class Stack:
    """Goroutines of one section with the same stack, wait reason and creation site."""

    leaked: bool  # reported by the runtime's leak detector
    wait: str | None  # wait reason ("chan send"); None where the format does not say (debug=1)
    count: int
    frames: tuple[Frame, ...]  # innermost first
    created_by: Frame | None = None
    minutes: int | None = None  # longest wait among them; None when not recorded
    section: int = 0  # index of the dump this came from, for concatenated files
    debug: int = 2  # 1 for aggregated records (debug=1 text, binary debug=0), 2 for per-goroutine dumps

    @property
    def kind(self) -> str:
        return LEAK if self.leaked else CLASSIC


@dataclass
class Profile:
    stacks: list[Stack] = field(default_factory=list)
    sections: int = 0
    goroutines: int = 0  # goroutines read (debug=1 counts included)
    problems: list[str] = field(default_factory=list)  # what was skipped, for a log line


# One scan finds every record start: a debug=1 section header, a debug=1 record,
# a goroutine header of a debug=2 dump / traceback.
_START = re.compile(
    r"^(?:"
    r"(?P<prof>[\w.-]++) profile: total (?P<total>\d+)"
    r"|(?P<cnt>\d++) @(?: 0x[0-9a-fA-F]++)*+"
    r"|goroutine (?P<goid>\d+)(?: gp=\S+)?(?: m=\S+)?(?: mp=\S+)? \[(?P<status>[^\]\n]*)\][^\n]*?:"
    r")[ \t]*$",
    re.M,
)
# debug=1 frame: "#\t0x4e0815\tmain.f+0x35\t/path/main.go:14"
_FRAME1 = re.compile(r"^#\s+0x[0-9a-fA-F]+\s+(\S+?)\+0x[0-9a-fA-F]+\s+(.+?):(\d+)[ \t]*$", re.M)
# debug=2 frame: a function line, then "\t/path/file.go:16 +0x6c" (fp=/sp=/pc= at GOTRACEBACK=system+)
_FRAME2 = re.compile(
    r"^(created by )?([^\s(][^\n]*?)(?:\((?:[^()\n]|\(\*?[^()\n]*\))*\))?(?: in goroutine \d+)?\n"
    r"\t([^\n]+?):(\d+)(?: \+0x[0-9a-fA-F]+)?(?: fp=\S+ sp=\S+ pc=\S+)?[ \t]*$",
    re.M,
)
_MINUTES = re.compile(r"^(\d+) minutes?$")
# What differs between goroutines with the same stack, removed before stacks are compared:
# arguments, "in goroutine N", and the fp= sp= pc= of GOTRACEBACK=system. Three
# passes, each with a literal prefix, are much faster than one with alternatives.
_ARGS = re.compile(r"\((?:[^()\n]|\(\*?[^()\n]*\))*\)\n\t")
_IN_GOROUTINE = re.compile(r" in goroutine \d+\n\t")
_FP = re.compile(r" fp=\S+ sp=\S+ pc=\S+")


def decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if "\r" in data:
        data = data.replace("\r\n", "\n").replace("\r", "\n")
    data = _ARGS.sub("()\n\t", data)
    if " in goroutine " in data:
        data = _IN_GOROUTINE.sub("\n\t", data)
    if " fp=" in data:
        data = _FP.sub("", data)
    return data


def _status(status: str, cache: dict) -> tuple[str, bool, int | None]:
    """("chan send", leaked, minutes) from "chan send (leaked)" / "chan receive, 12 minutes, locked to thread"."""
    got = cache.get(status)
    if got is None:
        parts = status.split(", ")
        head = parts[0]
        leaked = False
        for suffix in (" (scan)", " (leaked)"):
            while head.endswith(suffix):
                head = head[: -len(suffix)]
                leaked = leaked or suffix == " (leaked)"
        if " (leaked)" in status:
            leaked = True
        minutes = None
        for p in parts[1:]:
            m = _MINUTES.match(p.strip())
            if m:
                minutes = int(m.group(1))
        got = cache[status] = (head.strip(), leaked, minutes)
    return got


def _frames2(body: str) -> tuple[tuple[Frame, ...], Frame | None]:
    frames: list[Frame] = []
    created = None
    for m in _FRAME2.finditer(body):
        fr = Frame(m.group(2).strip(), m.group(3), int(m.group(4)))
        if m.group(1):
            created = fr
        else:
            frames.append(fr)
    return tuple(frames), created


def parse_text(data: bytes | str) -> Profile:
    """Every goroutine stack in the text forms of `data`, grouped per section; never raises on bad text."""
    text = decode(data)
    prof = Profile()
    starts = list(_START.finditer(text))
    section = -1
    section_kind: str | None = None  # LEAK / CLASSIC / other profile name, for debug=1 sections
    in_dump = False  # inside a debug=2 / traceback section
    seen_goids: set[str] = set()
    groups: dict[tuple, Stack] = {}
    status_cache: dict = {}

    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[m.end() : end]
        blank = body.find("\n\n", 1)
        if blank >= 0:
            body = body[: blank + 1]
        if m.group("prof") is not None:
            section += 1
            section_kind = m.group("prof")
            in_dump = False
            continue
        if m.group("cnt") is not None:
            if in_dump or section < 0:
                section += 1
                section_kind = CLASSIC
                in_dump = False
            if section_kind not in (LEAK, CLASSIC):
                continue  # threadcreate, ... records: not goroutines
            frames = tuple(Frame(f.group(1), f.group(2), int(f.group(3))) for f in _FRAME1.finditer(body))
            count = int(m.group("cnt"))
            prof.goroutines += count
            if not frames:
                prof.problems.append(f"record with no frames near offset {m.start()}")
                continue
            key = (section, section_kind, frames)
            st = groups.get(key)
            if st is None:
                groups[key] = Stack(section_kind == LEAK, None, count, frames, None, None, section, 1)
            else:
                st.count += count
            continue
        # a goroutine of a debug=2 dump or a traceback
        goid = m.group("goid")
        if not in_dump or goid in seen_goids:
            section += 1
            in_dump = True
            section_kind = None
            seen_goids = set()
        seen_goids.add(goid)
        prof.goroutines += 1
        wait, leaked, minutes = _status(m.group("status"), status_cache)
        dump_key = (section, leaked, wait, body)
        st = groups.get(dump_key)
        if st is None:
            frames, created = _frames2(body)
            if not frames:
                continue  # "stack unavailable", a truncated record: nothing to place
            groups[dump_key] = Stack(leaked, wait, 1, frames, created, minutes, section, 2)
        else:
            st.count += 1
            if minutes is not None and (st.minutes is None or minutes > st.minutes):
                st.minutes = minutes
    prof.sections = section + 1
    prof.stacks = list(groups.values())
    return prof
