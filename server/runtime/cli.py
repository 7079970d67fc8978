"""`plumber profile FILE|URL`: a goroutine profile or dump, placed on the workspace's code.

Prints the `leaked-goroutine` findings in the formats of `plumber check`
(text, json, sarif, github). Exit status: 0 nothing placed, 1 findings,
2 when the profile cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass

from plumber.check import Severity
from plumber.runtime.aggregate import CODE, DEFAULT_MIN_COUNT, DEFAULT_MIN_WAIT_MINUTES, Options

PROFILE_HELP = """\
Read a goroutine profile or dump and show where its goroutines block in the
workspace's code.

SOURCE is a file or an http://127.0.0.1 / http://localhost URL (no other hosts),
e.g. http://localhost:6060/debug/pprof/goroutineleak?debug=1. Understood: the
goroutineleak and goroutine profiles at debug=1 and debug=2, and panic or
SIGQUIT tracebacks (GOTRACEBACK=all), alone or concatenated.

Frames are matched to the Go files under --root (default: the current
directory) by the longest common suffix of their paths, so a dump from another
machine lands on your checkout; frames matching several files equally well
are reported on stderr and not placed.

Goroutines the runtime's leak detector reported are warnings. Goroutines of a
classic profile are information, when they block on a channel or lock, number
at least --min-count and have waited at least --min-wait minutes (debug=1
profiles do not record the wait: the count alone decides).

Exit status: 0 nothing found, 1 findings, 2 the profile could not be read.
"""


@dataclass(frozen=True)
class RuntimeRule:
    """The SARIF rule of `leaked-goroutine` (a runtime finding, not a registered check)."""

    code: str = CODE
    severity: Severity = Severity.WARNING
    enabled: bool = True
    title: str = "a goroutine leak reported at run time by a goroutine profile or dump"
    doc: str = ("a goroutine leak reported at run time by a goroutine profile or dump\n\n"
                "Goroutines of a goroutineleak profile (or a goroutine profile, blocked for long) "
                "placed at their first frame in workspace code.\n")

    @property
    def url(self) -> str:
        from plumber.runtime import DOCS

        return DOCS


def add_parser(sub) -> None:
    p = sub.add_parser("profile", help="show a goroutine profile or dump on the code",
                       description=PROFILE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", metavar="FILE|URL", help="a profile or dump file, or a localhost URL")
    p.add_argument("--root", action="append", metavar="DIR",
                   help="workspace directory to place frames in (repeatable; default: the current directory)")
    p.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    p.add_argument("--min-wait", type=int, default=DEFAULT_MIN_WAIT_MINUTES, metavar="MINUTES",
                   help=f"classic profiles: report goroutines blocked at least this long (default "
                        f"{DEFAULT_MIN_WAIT_MINUTES})")
    p.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT, metavar="N",
                   help=f"classic profiles: report places with at least N goroutines (default {DEFAULT_MIN_COUNT})")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.set_defaults(func=cmd_profile)


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def cmd_profile(args: argparse.Namespace) -> int:
    from plumber import cli
    from plumber.runtime import ProfileError, analyze

    roots = args.root or [os.getcwd()]
    for r in roots:
        if not os.path.isdir(r):
            print(f"plumber profile: error: --root {r}: not a directory", file=sys.stderr)
            return 2
    if args.min_wait < 0 or args.min_count < 1:
        print("plumber profile: error: --min-wait must be >= 0 and --min-count >= 1", file=sys.stderr)
        return 2
    try:
        profile, result = analyze(args.source, roots, Options(args.min_wait, args.min_count))
    except ProfileError as e:
        print(f"plumber profile: error: {e}", file=sys.stderr)
        return 2
    for a in result.ambiguous:
        print(f"plumber: warning: {a.describe()}", file=sys.stderr)
    if profile.goroutines == 0:
        print(f"plumber: warning: {args.source}: no goroutine profile or dump found in it", file=sys.stderr)

    findings = []
    indexes: dict[str, cli.LineIndex] = {}

    def index(path: str) -> cli.LineIndex:
        if path not in indexes:
            with open(path, "rb") as fh:
                indexes[path] = cli.LineIndex(fh.read())
        return indexes[path]

    for path, f in result.all():
        shown = _display(path)
        ix = index(path)
        related = []
        for r in f.related:
            rpath = r.path or path
            related.append(cli.RelatedOut(_display(rpath), index(rpath).span(r.start, r.end), r.message))
        findings.append(cli.FindingOut(shown, ix.span(f.start, f.end), f.code, int(f.severity), f.message,
                                       tuple(related), ()))
    findings = cli._sorted(findings)
    rule = RuntimeRule()
    out = sys.stdout
    if args.format == "text":
        out.write(cli.format_text(findings))
    elif args.format == "json":
        out.write(cli.format_json(findings, {CODE: rule.url}))
    elif args.format == "sarif":
        out.write(json.dumps(cli.sarif_log(findings, [rule], True), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(cli.format_github(findings))
    out.flush()
    if args.format == "text":
        placed = sum(int(f.message.split(" ", 1)[0]) for f in findings if f.message[:1].isdigit())
        print(f"plumber: {profile.goroutines} goroutine{'s' if profile.goroutines != 1 else ''} read, "
              f"{placed} placed in {len(findings)} finding{'s' if len(findings) != 1 else ''}"
              + (f", {len(result.ambiguous)} ambiguous frame{'s' if len(result.ambiguous) != 1 else ''}"
                 if result.ambiguous else ""), file=sys.stderr)
    return 1 if findings and not args.exit_zero else 0
