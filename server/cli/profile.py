"""`plumber profile FILE|URL`: a goroutine or heap profile placed on the workspace's code.

Prints the `leaked-goroutine` or `heap-growth` findings in the formats of
`plumber check` (text, json, sarif, github). The kind of profile is told from
its content: text dumps and binary goroutine/goroutineleak profiles go to the
goroutine findings, binary heap profiles (sample types inuse_space, ...) to
the heap findings. Exit status: 0 nothing placed, 1 findings, 2 when the
profile cannot be read or is of the wrong kind.
"""

from __future__ import annotations

import argparse
import os
import sys

from plumber.core.checks import Check
from plumber.report import FORMATS
from plumber.runtime.aggregate import DEFAULT_MIN_COUNT, DEFAULT_MIN_WAIT_MINUTES, Options
from plumber.runtime.fetch import DEFAULT_TIMEOUT
from plumber.runtime.heap import DEFAULT_SAMPLE, DEFAULT_TOP
from plumber.runtime.pprof import HEAP_TYPES
from plumber.syntax.files import read_regular

PROFILE_HELP = """\
Read a goroutine profile or dump, or a heap profile, and show it on the
workspace's code.

SOURCE is a file or an http://127.0.0.1 / http://localhost URL (no other hosts),
e.g. http://localhost:6060/debug/pprof/goroutineleak?debug=1 or
http://localhost:6060/debug/pprof/heap. Understood: the goroutineleak and
goroutine profiles at debug=0 (binary), 1 and 2, panic or SIGQUIT tracebacks
(GOTRACEBACK=all), alone or concatenated; heap profiles in the binary form
(debug=0, WriteHeapProfile, go test -memprofile). A URL gets --timeout seconds
in all (default 30).

Frames are matched to the Go files under --root (default: the current
directory) by the longest common suffix of their paths, so a profile from
another machine lands on your checkout; frames matching several files equally
well are reported on stderr and not placed.

Goroutines the runtime's leak detector reported are warnings. Goroutines of a
classic profile are information, when they block on a channel or lock, number
at least --min-count and have waited at least --min-wait minutes (debug=0 and
debug=1 profiles do not record the wait: the count alone decides).

Heap profiles: each sample is placed on its innermost frame in workspace code;
the --top lines holding most memory (--sample, default inuse_space; alloc_space
for allocs profiles and go test -memprofile) are information findings. With --base (an earlier heap profile of the same
program), the growth between the two, as `go tool pprof -base` computes it.

Exit status: 0 nothing found, 1 findings, 2 the profile could not be read.
"""


def add_parser(sub) -> None:
    p = sub.add_parser(
        "profile",
        help="show a goroutine or heap profile on the code",
        description=PROFILE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", metavar="FILE|URL", help="a profile or dump file, or a localhost URL")
    p.add_argument(
        "--root",
        action="append",
        metavar="DIR",
        help="workspace directory to place frames in (repeatable; default: the current directory)",
    )
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument(
        "--min-wait",
        type=int,
        default=DEFAULT_MIN_WAIT_MINUTES,
        metavar="MINUTES",
        help=f"classic goroutine profiles: report goroutines blocked at least this long (default "
        f"{DEFAULT_MIN_WAIT_MINUTES})",
    )
    p.add_argument(
        "--min-count",
        type=int,
        default=DEFAULT_MIN_COUNT,
        metavar="N",
        help=f"classic goroutine profiles: report places with at least N goroutines (default {DEFAULT_MIN_COUNT})",
    )
    p.add_argument(
        "--base",
        metavar="FILE|URL",
        help="heap profiles: an earlier heap profile of the same program; report the growth since",
    )
    p.add_argument(
        "--top", type=int, metavar="N", help=f"heap profiles: the N lines that grew most (default {DEFAULT_TOP})"
    )
    p.add_argument(
        "--sample",
        choices=HEAP_TYPES,
        help=f"heap profiles: which values to place (default: the profile's own, as go tool pprof: "
        f"{DEFAULT_SAMPLE}, or alloc_space for allocs profiles and go test -memprofile)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"URLs: give up unless the whole profile arrived within this time (default {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.set_defaults(func=cmd_profile)


def _error(message: str) -> int:
    print(f"plumber profile: error: {message}", file=sys.stderr)
    return 2


def cmd_profile(args: argparse.Namespace, registry=None) -> int:
    from plumber.runtime import ProfileError, Workspace, findings, pprof, read_profile
    from plumber.runtime.check import LEAKED_GOROUTINE

    roots = args.root or [os.getcwd()]
    for r in roots:
        if not os.path.isdir(r):
            return _error(f"--root {r}: not a directory")
    if args.min_wait < 0 or args.min_count < 1 or (args.top is not None and args.top < 1) or not args.timeout > 0:
        return _error("--min-wait must be >= 0, --min-count and --top >= 1, --timeout > 0")
    try:
        binary, profile = read_profile(args.source, args.timeout)
        if binary is not None and binary.kind == "heap":
            return _heap(args, roots, binary)
        heap_flags = [f for f, v in (("--base", args.base), ("--top", args.top), ("--sample", args.sample)) if v]
        if heap_flags:
            kind = binary.describe() if binary is not None else "a goroutine profile or dump"
            verb = "applies" if len(heap_flags) == 1 else "apply"
            return _error(f"{' and '.join(heap_flags)} {verb} only to heap profiles; {args.source} is {kind}")
        if binary is not None:
            try:
                profile = pprof.goroutine_profile(binary)
            except ProfileError as e:
                raise ProfileError(
                    f"{args.source}: {e}; plumber profile reads goroutine, goroutineleak and heap profiles"
                ) from None
    except ProfileError as e:
        return _error(str(e))
    result = findings(profile, Workspace(roots), Options(args.min_wait, args.min_count))
    if profile.goroutines == 0:
        print(f"plumber: warning: {args.source}: no goroutines in it", file=sys.stderr)
    shown = _emit(args, result, LEAKED_GOROUTINE)
    if args.format == "text":
        placed = sum(int(f.message.split(" ", 1)[0]) for f in shown if f.message[:1].isdigit())
        print(
            f"plumber: {profile.goroutines} goroutine{'s' if profile.goroutines != 1 else ''} read, "
            f"{placed} placed in {len(shown)} finding{'s' if len(shown) != 1 else ''}"
            + (
                f", {len(result.ambiguous)} ambiguous frame{'s' if len(result.ambiguous) != 1 else ''}"
                if result.ambiguous
                else ""
            ),
            file=sys.stderr,
        )
    return 1 if shown and not args.exit_zero else 0


def _heap(args: argparse.Namespace, roots: list[str], profile) -> int:
    from plumber.runtime import ProfileError, read_profile
    from plumber.runtime.check import HEAP_GROWTH
    from plumber.runtime.heap import analyze
    from plumber.runtime.heap_load import headline

    base = None
    if args.base:
        base, _ = read_profile(args.base, args.timeout)
        if base is None or base.kind != "heap":
            what = base.describe() if base is not None else "a goroutine profile or dump"
            raise ProfileError(f"--base {args.base}: {what}, not a heap profile")
    try:
        rep, result = analyze(profile, roots, args.sample, base, args.top or DEFAULT_TOP)
    except ProfileError as e:
        raise ProfileError(f"{args.source}: {e}") from None
    shown = _emit(args, result, HEAP_GROWTH)
    if args.format == "text":
        print(
            f"plumber: heap profile ({rep.sample}): {headline(rep)}; "
            f"{len(shown)} finding{'s' if len(shown) != 1 else ''}"
            + (
                f", {len(result.ambiguous)} ambiguous frame{'s' if len(result.ambiguous) != 1 else ''}"
                if result.ambiguous
                else ""
            ),
            file=sys.stderr,
        )
    return 1 if shown and not args.exit_zero else 0


def _emit(args: argparse.Namespace, result, check: Check) -> list:
    """Print the findings in the chosen format; the printed findings."""
    from plumber.core.positions import Lines
    from plumber.report import emit, render
    from plumber.report.model import display_path, finding_out, sort_findings

    for a in result.ambiguous:
        print(f"plumber: warning: {a.describe()}", file=sys.stderr)
    lines: dict[str, Lines] = {}

    def lines_of(path: str) -> Lines:
        if path not in lines:
            lines[path] = Lines(read_regular(path))
        return lines[path]

    shown = sort_findings(
        finding_out(display_path(path), lines_of(path), f, lambda other: (display_path(other), lines_of(other)))
        for path, f in result.all()
    )
    from plumber.cli.rules import cwd_docs_url

    emit(sys.stdout, render(shown, args.format, [check], docs_url=cwd_docs_url()))
    return shown
