"""The Plumber side of the fix proof: run `plumber check --fix` on a copy of a source tree.

The command itself runs (a subprocess, `python -m plumber check --fix`), on a copy: so the fixed
bytes are by construction what `--fix` writes, through its argument handling, file walk,
per-directory grouping and process pool, and the original tree is never written. In place, a
file fixed earlier in a directory is what a package-wide check of a later file of that directory
reads; on the copy that happens in the same order.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

# What `plumber check` walks past (cli.SKIP_DIRS, hidden and `_` directories): never copied.
SKIP_DIRS = {"vendor", "testdata", "node_modules"}
# What the analysis reads: Go files, go.mod (the language version) and Plumber's settings.
COPIED_NAMES = ("go.mod", "plumber.toml", ".plumber.toml")
_FIXED_LINE = re.compile(r"^plumber: fixed \d+ findings? in (.+) \(([^()]*)\)$")


def copy_sources(src: str, dst: str) -> int:
    """Copy what Plumber reads from `src` to `dst` (real copies: --fix writes through links)."""
    n = 0
    for d, dirs, names in os.walk(src):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith((".", "_")))
        out = os.path.join(dst, os.path.relpath(d, src))
        os.makedirs(out, exist_ok=True)
        for name in names:
            if name.endswith(".go") or name in COPIED_NAMES:
                shutil.copyfile(os.path.join(d, name), os.path.join(out, name))
                n += 1
    return n


def parse_fixed(stderr: str, root: str) -> dict[str, Counter]:
    """`plumber: fixed 3 findings in PATH (defer-in-loop x2, unclosed-body)` -> {rel path: counts}."""
    out: dict[str, Counter] = {}
    for line in stderr.splitlines():
        m = _FIXED_LINE.match(line)
        if not m:
            continue
        counts: Counter = Counter()
        for part in m.group(2).split(", "):
            code, _, times = part.partition(" x")
            counts[code] += int(times or 1)
        out[os.path.relpath(m.group(1), root)] = counts
    return out


@dataclass
class FixRun:
    counts: dict[str, Counter]  # rel path -> {check code: fixes applied}, as --fix reported them
    fixed: dict[str, bytes]  # rel path -> the fixed text
    unfixed: list[dict]  # findings whose safe fix is still offered after --fix (JSON of `plumber check`)
    stderr: str


PLUMBER = [sys.executable, "-m", "plumber"]


def run_fix(
    copy_root: str, rel_targets: list[str] | None, select: str | None, jobs: int, plumber: list[str] = PLUMBER
) -> FixRun:
    """`plumber check --fix` on the copy; `rel_targets`: files to name (default: the whole tree)."""
    targets = [os.path.join(copy_root, t) for t in rel_targets] if rel_targets is not None else [copy_root]
    cmd = plumber + ["check", "--fix", "--exit-zero", "--format", "json", f"-j{jobs}"]
    cmd += [f"--select={select}"] if select else []
    out = subprocess.run(cmd + targets, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"plumber check --fix exit {out.returncode}:\n{out.stderr[-2000:]}")
    counts = parse_fixed(out.stderr, copy_root)
    fixed = {}
    for rel in counts:
        with open(os.path.join(copy_root, rel), "rb") as f:
            fixed[rel] = f.read()
    unfixed = [
        f | {"path": os.path.relpath(f["path"], copy_root)}
        for f in json.loads(out.stdout)
        if f["fixes"] and f["fixes"][0]["safe"]
    ]
    return FixRun(counts, fixed, unfixed, out.stderr)


def changed_files(src: str, copy_root: str) -> set[str]:
    """Rel paths of the copied Go files that now differ from the originals."""
    out = set()
    for d, _, names in os.walk(copy_root):
        for name in names:
            if not name.endswith(".go"):
                continue
            path = os.path.join(d, name)
            rel = os.path.relpath(path, copy_root)
            with open(path, "rb") as a, open(os.path.join(src, rel), "rb") as b:
                if a.read() != b.read():
                    out.add(rel)
    return out


# -- single fixes, for bisecting a failure down to one fix ---------------------------------------


@dataclass
class SingleFix:
    rel: str
    line: int
    code: str
    title: str
    edits: list[dict]  # JSON edits: 1-based line/column (UTF-8 bytes), end_line/end_column, new_text


def first_round_fixes(
    src: str, rels: list[str], select: str | None, plumber: list[str] = PLUMBER
) -> dict[str, list[SingleFix]]:
    """The safe fixes `plumber check` offers on the original files (the first round of --fix).
    Read-only: the originals are only read; a package-wide check reads their siblings as --fix does."""
    if not rels:
        return {}
    cmd = plumber + ["check", "--exit-zero", "--format", "json", "-j1"]
    cmd += [f"--select={select}"] if select else []
    out = subprocess.run(cmd + [os.path.join(src, r) for r in rels], capture_output=True, text=True, check=True)
    fixes: dict[str, list[SingleFix]] = {}
    for f in json.loads(out.stdout):
        if f["fixes"] and f["fixes"][0]["safe"]:
            rel = os.path.relpath(f["path"], src)
            fixes.setdefault(rel, []).append(
                SingleFix(rel, f["line"], f["code"], f["fixes"][0]["title"], f["fixes"][0]["edits"])
            )
    return fixes


def apply_single(source: bytes, fix: SingleFix) -> bytes:
    starts = [0] + [i + 1 for i, c in enumerate(source) if c == 0x0A]

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    out, pos = [], 0
    for e in sorted(fix.edits, key=lambda e: (e["line"], e["column"])):
        start, end = offset(e["line"], e["column"]), offset(e["end_line"], e["end_column"])
        out += [source[pos:start], e["new_text"].encode("utf-8", "surrogateescape")]
        pos = end
    return b"".join(out + [source[pos:]])


# -- which tests a fix can reach -----------------------------------------------------------------

_FUNC = re.compile(rb"^func (\([^)]*\) )?(\w+)")
_TEST_NAME = re.compile(r"^(Test|Example|Fuzz)([A-Z0-9_]|$)")


def enclosing_tests(original: bytes, fixed: bytes) -> set[str] | None:
    """The top-level Test/Example/Fuzz functions whose text the fixes changed, or None when a
    change is outside them (a helper, or a non-test file: every test of the package may reach it)."""
    import difflib

    old, new = original.splitlines(), fixed.splitlines()
    names: set[str] = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for i in range(max(i1 - 1, 0), max(i2, i1 + 1)):
            name = function_at(old, min(i, len(old) - 1))
            if name is None or not _TEST_NAME.match(name):
                return None
            names.add(name)
    return names


def function_at(lines: list[bytes], i: int) -> str | None:
    """The top-level func declaration line `i` is in (gofmt'd code: `func` at column 0, `}` closes)."""
    for j in range(i, -1, -1):
        if lines[j].startswith(b"}") and j < i:
            return None
        m = _FUNC.match(lines[j])
        if m:
            return "" if m.group(1) else m.group(2).decode()  # a method is never a test
    return None
