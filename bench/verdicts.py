"""Verdict files: keys that survive line shifts, reading and writing the TSV, matching findings to verdicts.

The format (also in tests/accuracy/README.md): one TSV file per corpus, UTF-8, a header row, then one row
per judged finding, sorted by (path, code, text, n):

    code    path    text    n    verdict    class    reason

- code: the check code (`unclosed-body`);
- path: the file, relative to the corpus root, with `/` separators (`net/http/client_test.go`);
- text: the source line the finding starts on, whitespace collapsed to single spaces;
- n: 0 for the first finding with this (code, path, text) in file order, 1 for the next, ...;
- verdict: TP, FP, DEBATABLE, or `?` (not judged yet: written by --write-missing for a human to fill);
- class: for FP and DEBATABLE one of CLASSES below; `-` for TP and `?`;
- reason: one line a reviewer can check against the code (no tabs).

The key (code, path, text, n) has no line number, so an edit elsewhere in the file keeps the verdict; an
edit of the finding's own line makes it NEW (no verdict) and its old row GONE (judged, no longer found).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

COLUMNS = ("code", "path", "text", "n", "verdict", "class", "reason")
VERDICTS = ("TP", "FP", "DEBATABLE")
UNJUDGED = "?"
NO_CLASS = "-"

# Why a finding is not (or not clearly) a leak. Keep this list short and fixed: a report counts by class.
CLASSES = {
    "test-subject": "the leak is what the test is testing, or the test's own subject holds it on purpose",
    "used-after-loop": "defer in a loop over values kept and used after the loop (closed at return on purpose)",
    "process-lifetime": "a goroutine, ticker or cache meant to live as long as the process, started once",
    "released-later": "released later on the same path (the defer or the check misses a release that does happen)",
    "process-exits": "the process exits (os.Exit, log.Fatal, syscall.Exec) right after, or it is a short main",
    "tool-memo": "a memo of a short-lived tool (package main, a compiler or generator): bounded by the run",
    "expected-failure": "the call is meant to fail (the test checks for the error); nothing was acquired",
    "ownership-handoff": "the value is handed to something that owns and releases it (a field, a closure, a callee)",
    "not-a-resource": "the value holds nothing that needs releasing (a fake, a no-op Close, an empty body, a path)",
    "failed-test-path": "the leak happens only on a path where the test has already failed (t.Fatal, a timeout case)",
    "runtime-collects": "module at go 1.23 or later: the runtime collects an unreferenced, unstopped ticker or timer",
    "registry": "a package-level map that is the program's state on purpose (a registry or a store), not a cache",
    "loop-ends-function": "the loop is the last thing the function does: its deferred releases run right after it",
    "bounded": "the loop, map or goroutine count is bounded by construction (a few fixed keys, a short fixed loop)",
    "other": "any other reason; the reason column says which",
}


class Key(NamedTuple):
    code: str
    path: str
    text: str
    n: int


@dataclass(frozen=True)
class Finding:
    key: Key
    line: int
    column: int
    message: str

    @property
    def in_test(self) -> bool:
        return self.key.path.endswith("_test.go")

    @property
    def where(self) -> str:
        return f"{self.key.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Verdict:
    key: Key
    verdict: str  # one of VERDICTS or UNJUDGED
    cls: str  # one of CLASSES, or NO_CLASS
    reason: str

    @property
    def judged(self) -> bool:
        return self.verdict in VERDICTS


class VerdictError(ValueError):
    pass


def collapse(text: str) -> str:
    return " ".join(text.split())


def keyed(raw: Iterable[dict], root: str, lines_of=None) -> list[Finding]:
    """Findings (plumber's JSON objects) keyed against the corpus root.

    `lines_of(abs_path)` returns the file's lines (by default read from disk); the occurrence index
    counts findings with the same (code, path, text) in (line, column) order.
    """
    lines_of = lines_of or _read_lines
    cache: dict[str, list[str]] = {}
    rows = []
    for f in raw:
        abspath = os.path.abspath(f["path"] if os.path.isabs(f["path"]) else os.path.join(root, f["path"]))
        if abspath not in cache:
            cache[abspath] = lines_of(abspath)
        lines = cache[abspath]
        text = collapse(lines[f["line"] - 1]) if 0 < f["line"] <= len(lines) else ""
        rel = os.path.relpath(abspath, os.path.abspath(root)).replace(os.sep, "/")
        rows.append((rel, f["line"], f["column"], f["code"], text, f.get("message", "")))
    rows.sort()
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for rel, line, column, code, text, message in rows:
        n = seen.get((code, rel, text), 0)
        seen[(code, rel, text)] = n + 1
        out.append(Finding(Key(code, rel, text, n), line, column, message))
    return out


def _read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def parse_verdicts(text: str, origin: str = "<verdicts>") -> dict[Key, Verdict]:
    out: dict[Key, Verdict] = {}
    lines = text.splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise VerdictError(f"{origin}:1: the header must be {' '.join(COLUMNS)} (tab-separated)")
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            raise VerdictError(f"{origin}:{no}: {len(cells)} cells, want {len(COLUMNS)}")
        code, path, text_, n, verdict, cls, reason = cells
        if not n.isdigit():
            raise VerdictError(f"{origin}:{no}: n must be a number, got {n!r}")
        if verdict not in VERDICTS and verdict != UNJUDGED:
            raise VerdictError(f"{origin}:{no}: verdict must be one of {', '.join(VERDICTS)} or ?, got {verdict!r}")
        if verdict in ("FP", "DEBATABLE") and cls not in CLASSES:
            raise VerdictError(f"{origin}:{no}: class must be one of {', '.join(CLASSES)}, got {cls!r}")
        if verdict in ("TP", UNJUDGED) and cls != NO_CLASS:
            raise VerdictError(f"{origin}:{no}: class must be - for {verdict}, got {cls!r}")
        if verdict in VERDICTS and not reason.strip():
            raise VerdictError(f"{origin}:{no}: a judged row needs a reason")
        key = Key(code, path, text_, int(n))
        if key in out:
            raise VerdictError(f"{origin}:{no}: duplicate key {key}")
        out[key] = Verdict(key, verdict, cls, reason.strip())
    return out


def read_verdicts(path: str) -> dict[Key, Verdict]:
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return parse_verdicts(f.read(), path)


def format_verdicts(verdicts: Iterable[Verdict]) -> str:
    rows = sorted(verdicts, key=lambda v: (v.key.path, v.key.code, v.key.text, v.key.n))
    out = ["\t".join(COLUMNS)]
    for v in rows:
        k = v.key
        out.append("\t".join((k.code, k.path, k.text, str(k.n), v.verdict, v.cls, v.reason)))
    return "\n".join(out) + "\n"


def write_verdicts(path: str, verdicts: Iterable[Verdict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(format_verdicts(verdicts))


def with_missing(verdicts: dict[Key, Verdict], findings: list[Finding]) -> list[Verdict]:
    """The verdicts plus a `?` row for every finding that has no row yet (existing rows unchanged)."""
    out = dict(verdicts)
    for f in findings:
        if f.key not in out:
            out[f.key] = Verdict(f.key, UNJUDGED, NO_CLASS, "")
    return list(out.values())


@dataclass
class Match:
    judged: list[tuple[Finding, Verdict]]  # found and judged (TP, FP, DEBATABLE)
    unjudged: list[Finding]  # found, with no row or a `?` row: NEW
    gone: list[Verdict]  # a row (judged or `?`) whose finding is no longer reported: GONE


def match(findings: list[Finding], verdicts: dict[Key, Verdict]) -> Match:
    judged, unjudged = [], []
    found = set()
    for f in findings:
        found.add(f.key)
        v = verdicts.get(f.key)
        if v is not None and v.judged:
            judged.append((f, v))
        else:
            unjudged.append(f)
    gone = [v for k, v in sorted(verdicts.items()) if k not in found]
    return Match(judged, unjudged, gone)
