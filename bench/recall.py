"""Recall on real leak fixes: does Plumber flag the leak in the commit before the fix?

    python -m bench.accuracy --recall [--mirrors DIR] [--cache DIR] [--json FILE]

tests/accuracy/recall.tsv has a header row, then one case per row (coordinates only, no code):

    repo  fix  parent  path  line  code  shape  text  reason

- repo: owner/name on GitHub; its git dir is looked up as <mirrors>/<owner>+<name>/repo;
- fix, parent: the fixing commit and the commit it was applied to (the one that leaks);
- path, line: the leaking line in the parent (the acquisition, the `go` statement, the `make`);
- code: the check that should fire; text: that line with whitespace collapsed (checked, so that a wrong
  coordinate shows up as an error, not as a miss);
- shape: what the leak looks like, from SHAPES below; it is the miss reason reported when the case is missed;
- reason: one line on what leaked and how the fix released it.

For each distinct (repo, parent) the package directories of the cases are exported with `git archive`
(the directory's own files, not subdirectories, plus every go.mod and go.work above it) into a cache
directory that later runs reuse; then one `plumber check --format json` runs on the cases' files. A case is
found when a finding of its code starts inside the statement that begins on the recorded line (or its
related information points there).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass

COLUMNS = ("repo", "fix", "parent", "path", "line", "code", "shape", "text", "reason")

SHAPES = {
    "plain": "the documented pattern of the check: it should be found",
    "some-paths": "released on some paths only (an early return before the Close, cancel only on error)",
    "helper-opener": "acquired through a helper or method that is not in the check's opener list",
    "handoff": "the value is handed to another function, a struct or a callback, or returned",
    "struct-field": "the resource or channel lives in a struct field",
    "goroutine-loop": "a goroutine loop shape the check does not model (`for ; true; <-t.C`)",
    "go-method": "the goroutine runs a method through a field (`go x.y.Run()`)",
    "var-decl": "the channel is made in a `var ( ... )` block",
    "reassigned": "the variable holding the cancel or resource is overwritten before the release",
    "inline": "the acquisition is never assigned (`<-time.NewTimer(d).C`)",
    "x-net-context": "the context comes from golang.org/x/net/context",
    "multi-channel": "several goroutines send on their own channels; one select receives from only one of them",
    "non-owning-call": "passed to a call that does not take ownership (`pb.NewKVClient(conn)`), read as an escape",
    "loop-receive": "the only receive sits in a select inside a loop, left by `break Label` or by the loop ending",
    "nested-block": "the statement sits in a nested block of the loop body (an `if` inside a `select` case)",
    "fatal-exit": "the early exit between the `go` and the receive is t.Fatal, not a return",
}


class RecallError(ValueError):
    pass


@dataclass(frozen=True)
class Case:
    repo: str
    fix: str
    parent: str
    path: str
    line: int
    code: str
    shape: str
    text: str
    reason: str

    @property
    def where(self) -> str:
        return f"{self.repo}@{self.parent[:10]}:{self.path}:{self.line}"


def parse_cases(text: str, origin: str = "<recall>") -> list[Case]:
    lines = text.splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise RecallError(f"{origin}:1: the header must be {' '.join(COLUMNS)} (tab-separated)")
    cases = []
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            raise RecallError(f"{origin}:{no}: {len(cells)} cells, want {len(COLUMNS)}")
        row = dict(zip(COLUMNS, cells, strict=False))
        if not row["line"].isdigit():
            raise RecallError(f"{origin}:{no}: line must be a number")
        if row["shape"] not in SHAPES:
            raise RecallError(f"{origin}:{no}: shape must be one of {', '.join(SHAPES)}, got {row['shape']!r}")
        cases.append(Case(**{**row, "line": int(row["line"])}))
    return cases


def read_cases(path: str) -> list[Case]:
    with open(path, encoding="utf-8") as f:
        return parse_cases(f.read(), path)


# -- exporting a parent commit's packages --------------------------------------------


def git(gitdir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True, check=True).stdout


def package_paths(gitdir: str, commit: str, directory: str) -> list[str]:
    """The files of `directory` itself at `commit`, and every go.mod / go.work from it up to the root."""
    entries = git(gitdir, "ls-tree", commit, *([f"{directory}/"] if directory else [])).decode().splitlines()
    paths = [line.split("\t", 1)[1] for line in entries if line.split()[1] == "blob"]
    parts = directory.split("/") if directory else []
    for i in range(len(parts) + 1):
        up = "/".join(parts[:i])
        for name in ("go.mod", "go.work"):
            candidate = f"{up}/{name}" if up else name
            if (
                candidate not in paths
                and subprocess.run(
                    ["git", "--git-dir", gitdir, "cat-file", "-e", f"{commit}:{candidate}"], stderr=subprocess.DEVNULL
                ).returncode
                == 0
            ):
                paths.append(candidate)
    return paths


def export(gitdir: str, commit: str, directory: str, into: str) -> None:
    """Extract the package directory (and its go.mod ancestors) at `commit` under `into`, once."""
    marker = os.path.join(into, ".exported", (directory or "_root").replace("/", "__"))
    if os.path.exists(marker):
        return
    paths = package_paths(gitdir, commit, directory)
    data = git(gitdir, "archive", "--format=tar", commit, "--", *paths)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    os.makedirs(os.path.dirname(marker), exist_ok=True)
    open(marker, "w").close()


# -- matching ---------------------------------------------------------------------------

LIST_NODES = ("source_file", "block", "statement_list")  # containers that can start on a statement's line


def statement_lines(source: bytes, line: int) -> tuple[int, int]:
    """The first and last line (1-based) of the outermost statement that starts on `line`."""
    import tree_sitter_go
    from tree_sitter import Language, Parser

    tree = Parser(Language(tree_sitter_go.language())).parse(source)
    best = (line, line)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.start_point[0] + 1 > line or node.end_point[0] + 1 < line:
            continue
        if node.start_point[0] + 1 == line and node.is_named and node.type not in LIST_NODES:
            if node.end_point[0] + 1 > best[1]:
                best = (line, node.end_point[0] + 1)
            # the outermost node that starts on the line is the statement: go no deeper
            continue
        stack.extend(node.children)
    return best


def is_found(case: Case, findings: list[dict], span: tuple[int, int], abspath: str) -> bool:
    lo, hi = span
    for f in findings:
        if f["code"] != case.code or os.path.abspath(f["path"]) != abspath:
            continue
        if lo <= f["line"] <= hi:
            return True
        if any(os.path.abspath(r["path"]) == abspath and lo <= r.get("line", 0) <= hi for r in f.get("related", ())):
            return True
    return False


# -- the run ----------------------------------------------------------------------------


@dataclass
class Outcome:
    case: Case
    found: bool
    error: str = ""


def run_cases(cases: list[Case], mirrors: str, cache: str, cli: list[str]) -> list[Outcome]:
    from bench.accuracy import run_check
    from bench.verdicts import collapse

    by_commit: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for c in cases:
        by_commit[(c.repo, c.parent)].append(c)
    outcomes = []
    for (repo, parent), group in sorted(by_commit.items()):
        gitdir = os.path.join(mirrors, repo.replace("/", "+"), "repo")
        into = os.path.join(cache, repo.replace("/", "+"), parent)
        if not os.path.isdir(gitdir):
            outcomes.extend(Outcome(c, False, f"no git dir {gitdir}") for c in group)
            continue
        try:
            for directory in sorted({os.path.dirname(c.path) for c in group}):
                export(gitdir, parent, directory, into)
        except subprocess.CalledProcessError as e:
            outcomes.extend(Outcome(c, False, f"git: {e.stderr.decode(errors='replace').strip()}") for c in group)
            continue
        files = sorted({os.path.join(into, c.path) for c in group})
        findings = run_check(into, files, cli)
        for c in group:
            abspath = os.path.join(into, c.path)
            with open(abspath, "rb") as f:
                source = f.read()
            lines = source.decode("utf-8", "replace").splitlines()
            actual = collapse(lines[c.line - 1]) if 0 < c.line <= len(lines) else ""
            if actual != c.text:
                outcomes.append(Outcome(c, False, f"line {c.line} is {actual!r}, want {c.text!r}"))
                continue
            outcomes.append(Outcome(c, is_found(c, findings, statement_lines(source, c.line), abspath)))
    return outcomes


def format_recall(outcomes: list[Outcome]) -> str:
    per_code: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        per_code[o.case.code][0] += o.found
        per_code[o.case.code][1] += 1
    found = sum(o.found for o in outcomes)
    out = [f"== recall on {len(outcomes)} real leak fixes in {len({o.case.repo for o in outcomes})} repositories"]
    width = max([len(c) for c in per_code] + [5])
    out.append(f"  {'check'.ljust(width)}  found  cases  recall")
    for code, (k, n) in sorted(per_code.items(), key=lambda x: (-x[1][1], x[0])):
        out.append(f"  {code.ljust(width)}  {k:5}  {n:5}  {100 * k / n:5.0f}%")
    out.append(f"  {'total'.ljust(width)}  {found:5}  {len(outcomes):5}  {100 * found / max(1, len(outcomes)):5.0f}%")
    missed = [o for o in outcomes if not o.found]
    reasons = Counter("error" if o.error else o.case.shape for o in missed)
    out.append("  missed, by shape: " + ", ".join(f"{s} {n}" for s, n in reasons.most_common()))
    found_shapes = Counter(o.case.shape for o in outcomes if o.found)
    out.append("  found, by shape: " + ", ".join(f"{s} {n}" for s, n in found_shapes.most_common()))
    out.append(f"  MISSED: {len(missed)}")
    for o in sorted(missed, key=lambda o: (o.case.shape, o.case.code, o.case.where)):
        why = f"ERROR {o.error}" if o.error else o.case.shape
        out.append(f"    {o.case.code} [{why}] {o.case.where}: {o.case.text}  -- {o.case.reason}")
    return "\n".join(out) + "\n"


def recall_json(outcomes: list[Outcome]) -> dict:
    return {
        "cases": [
            {
                "repo": o.case.repo,
                "fix": o.case.fix,
                "parent": o.case.parent,
                "path": o.case.path,
                "line": o.case.line,
                "code": o.case.code,
                "shape": o.case.shape,
                "found": o.found,
                "error": o.error,
            }
            for o in outcomes
        ]
    }


def run_recall(recall_file: str, mirrors: str, cache: str | None, json_out: str | None) -> int:
    from bench.accuracy import plumber_cli

    try:
        cases = read_cases(recall_file)
    except (OSError, RecallError) as e:
        print(f"bench.accuracy: {e}", file=sys.stderr)
        return 2
    cache = cache or os.path.join(tempfile.gettempdir(), "plumber-recall")
    outcomes = run_cases(cases, mirrors, cache, plumber_cli())
    print(format_recall(outcomes), end="")
    if json_out:
        text = json.dumps(recall_json(outcomes), indent=2) + "\n"
        if json_out == "-":
            sys.stdout.write(text)
        else:
            with open(json_out, "w", encoding="utf-8") as f:
                f.write(text)
    return 2 if any(o.error for o in outcomes) else 0
