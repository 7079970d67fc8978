"""Adopting Plumber on an old code base: a baseline of known findings, and findings on changed lines only.

`--write-baseline FILE` writes the current findings; `--baseline FILE` then reports only the
findings not in it. An entry matches a finding with the same check code, path (relative to the
baseline file's directory, so the file can be used from any working directory) and fingerprint
(`report.fingerprint`: the normalised text of the finding's line and its occurrence among
identical ones, so code added or removed elsewhere leaves it matched).

`--new-from-rev REV` keeps the findings on lines that `git diff -U0 REV` shows as added or
changed in the file's repository (a file git does not track counts as changed throughout).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence

from plumber import __version__
from plumber.report.fingerprint import fingerprints
from plumber.report.model import FindingOut

BASELINE_VERSION = 1


class BaselineError(Exception):
    pass


def _key_path(path: str, base: str) -> str:
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def write_baseline(file: str, findings: Sequence[FindingOut]) -> int:
    """Write `findings` (sorted) to `file`; returns how many."""
    base = os.path.dirname(os.path.abspath(file))
    entries = [
        {
            "code": f.code,
            "path": _key_path(f.path, base),
            "fingerprint": fp,
            "line": f.span.start.line,
            "message": f.message,
        }
        for f, fp in zip(findings, fingerprints(findings), strict=True)
    ]
    entries.sort(key=lambda e: (e["path"], e["line"], e["code"], e["fingerprint"]))
    doc = {
        "version": BASELINE_VERSION,
        "tool": f"plumber {__version__}",
        "comment": "Findings known when the baseline was written; `plumber check --baseline` reports only new ones. "
        "Matched by code, path and fingerprint; line and message are for people.",
        "findings": entries,
    }
    with open(file, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return len(entries)


def read_baseline(file: str) -> tuple[str, set[tuple[str, str, str]]]:
    """(the directory paths are relative to, {(code, path, fingerprint)})."""
    try:
        with open(file, "rb") as fh:
            doc = json.loads(fh.read().decode("utf-8"))
    except OSError as e:
        raise BaselineError(f"{file}: cannot read: {e.strerror or e}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise BaselineError(f"{file}: not a baseline file (JSON): {e}") from None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{file}: not a version {BASELINE_VERSION} baseline (plumber check --write-baseline)")
    known = set()
    for entry in doc["findings"]:
        if isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("code", "path", "fingerprint")):
            known.add((entry["code"], entry["path"], entry["fingerprint"]))
    return os.path.dirname(os.path.abspath(file)), known


def new_findings(findings: Sequence[FindingOut], baseline: tuple[str, set[tuple[str, str, str]]]) -> list[FindingOut]:
    base, known = baseline
    return [
        f
        for f, fp in zip(findings, fingerprints(findings), strict=True)
        if (f.code, _key_path(f.path, base), fp) not in known
    ]


# -- --new-from-rev ------------------------------------------------------------------------------

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)
_NEW_FILE = re.compile(rb"^\+\+\+ (?:b/(.*?)\t?|/dev/null)$", re.M)  # git adds a tab after names with spaces


def _git(args: list[str], cwd: str) -> bytes:
    try:
        p = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise BaselineError("--new-from-rev needs git, which is not on PATH") from None
    except subprocess.TimeoutExpired:
        raise BaselineError(f"git {' '.join(args)} took more than 120 s") from None
    if p.returncode != 0:
        msg = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaselineError(f"git {' '.join(args)} (in {cwd}): {msg[-1] if msg else f'exit status {p.returncode}'}")
    return p.stdout


def parse_diff(diff: bytes) -> dict[str, set[int]]:
    """{path relative to the repository: the 1-based lines added or changed} of a `git diff -U0`."""
    changed: dict[str, set[int]] = {}
    for part in re.split(rb"(?m)^diff --git ", diff)[1:]:
        m = _NEW_FILE.search(part)
        if m is None or m.group(1) is None:
            continue  # deleted, or binary
        lines = changed.setdefault(m.group(1).decode("utf-8", "surrogateescape"), set())
        for h in _HUNK.finditer(part):
            start, count = int(h.group(1)), int(h.group(2) or 1)
            lines.update(range(start, start + count))
    return changed


class ChangedLines:
    """The lines changed since a revision, per repository (one `git diff` per repository)."""

    def __init__(self, rev: str):
        self.rev = rev
        self._repos: dict[str, tuple[dict[str, set[int]], set[str]]] = {}
        self._toplevel: dict[str, str] = {}

    def _repo_of(self, directory: str) -> str:
        if directory not in self._toplevel:
            try:
                top = _git(["rev-parse", "--show-toplevel"], directory).decode("utf-8", "surrogateescape").strip()
            except BaselineError:
                raise BaselineError(f"--new-from-rev: {directory} is not in a git repository") from None
            self._toplevel[directory] = os.path.realpath(top)
        return self._toplevel[directory]

    def _changes(self, repo: str) -> tuple[dict[str, set[int]], set[str]]:
        if repo not in self._repos:
            # explicit prefixes and no quoting: a user's diff.noprefix or core.quotePath must not matter
            args = ["-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-renames"]
            diff = _git([*args, "--src-prefix=a/", "--dst-prefix=b/", "-U0", self.rev, "--"], repo)
            untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], repo)
            names = {n.decode("utf-8", "surrogateescape") for n in untracked.split(b"\0") if n}
            self._repos[repo] = (parse_diff(diff), names)
        return self._repos[repo]

    def check(self, paths: Iterable[str]) -> None:
        """Raise BaselineError now (before analysing) if a path is outside git or REV is unknown."""
        for p in paths:
            directory = p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
            self._changes(self._repo_of(os.path.abspath(directory)))

    def changed(self, path: str, line: int) -> bool:
        real = os.path.realpath(path)
        repo = self._repo_of(os.path.dirname(real))
        changes, untracked = self._changes(repo)
        rel = os.path.relpath(real, repo).replace(os.sep, "/")
        return rel in untracked or line in changes.get(rel, ())

    def keep(self, findings: Sequence[FindingOut]) -> list[FindingOut]:
        # a buffer without a file name (stdin) cannot be compared: it is kept
        return [f for f in findings if f.path.startswith("<") or self.changed(f.path, f.span.start.line)]
