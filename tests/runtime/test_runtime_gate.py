"""The test leak gate code action: its edits (gofmt-clean, vetted) and, for real, `go test`
failing on a leaky package with the goroutineleak profile's text and passing once Plumber's
static quick fixes are applied."""

import os
import shutil
import subprocess
import tempfile

import pytest
from analysistest import fix_all, go_binary, go_env, gofmt_binary
from runtimeutil import LEAKY

from plumber.diagnostics import CHECKS
from plumber.driver.engine import Engine
from plumber.driver.fixes import apply
from plumber.runtime.gate import leak_gate
from plumber.syntax.parser import new_parser

HEADER = 'package p\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n'


def ctx_for(path):
    with open(path, "rb") as f:
        source = f.read()
    engine = Engine()
    return engine.context(path, source, new_parser().parse(source))


def module(tmp_path, files, go="1.27", require=""):
    (tmp_path / "go.mod").write_text(f"module example.com/p\n\ngo {go}\n{require}")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def gate(tmp_path, name="p_test.go"):
    siblings = [ctx_for(str(p)) for p in sorted(tmp_path.glob("*_test.go")) if p.name != name]
    return leak_gate(ctx_for(str(tmp_path / name)), siblings)


def applied(fix):
    with open(fix.path, "rb") as f:
        return apply(f.read(), fix.edits).decode()


def vet(tmp_path):
    env = go_env(str(tmp_path))
    fmt = subprocess.run([gofmt_binary(), "-l", "."], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert fmt.stdout == "" and fmt.returncode == 0, fmt.stdout + fmt.stderr
    v = subprocess.run([go_binary(), "vet", "./..."], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr


CASES = {
    "new": (HEADER, "code := m.Run()"),
    "exit-run": (
        HEADER + "\nfunc TestMain(m *testing.M) {\n\tsetup()\n\tos.Exit(m.Run())\n}\n\nfunc setup() {}\n",
        "code := m.Run()",
    ),
    "code-var": (
        HEADER + "\nfunc TestMain(m *testing.M) {\n\tcode := m.Run()\n\tteardown()\n\tos.Exit(code)\n}\n"
        "\nfunc teardown() {}\n",
        "teardown()\n\t// Fail when",
    ),
    "run-only": (HEADER + "\nfunc TestMain(m *testing.M) {\n\tm.Run()\n}\n", "m.Run()\n\t// Fail when"),
}


@pytest.mark.parametrize("case", CASES)
def test_gate_edits_compile(tmp_path, case):
    text, marker = CASES[case]
    if "os.Exit" in text:
        text = text.replace('import "testing"', 'import (\n\t"os"\n\t"testing"\n)')
    module(tmp_path, {"p_test.go": text})
    fix = gate(tmp_path)
    assert fix is not None and fix.title == "Fail tests that leak goroutines" and fix.kind == "goroutineleak"
    out = applied(fix)
    assert marker in out and 'Lookup("goroutineleak")' in out and "prof.WriteTo(&leaks, 1)" in out
    assert out.count("func TestMain") == 1
    (tmp_path / "p_test.go").write_text(out)
    vet(tmp_path)
    assert gate(tmp_path) is None  # already gated: no action


def test_sibling_test_main_is_extended(tmp_path):
    module(
        tmp_path,
        {
            "p_test.go": HEADER,
            "main_test.go": 'package p\n\nimport (\n\t"os"\n\t"testing"\n)\n\n'
            "func TestMain(m *testing.M) { os.Exit(m.Run()) }\n",
        },
    )
    fix = gate(tmp_path)
    assert fix.path == str(tmp_path / "main_test.go")
    (tmp_path / "main_test.go").write_text(applied(fix))
    vet(tmp_path)


def test_not_offered(tmp_path):
    module(tmp_path, {"p_test.go": HEADER, "p.go": "package p\n"}, go="1.26")
    assert gate(tmp_path) is None  # no goroutineleak profile before Go 1.27
    module(tmp_path, {}, go="1.27")
    assert leak_gate(ctx_for(str(tmp_path / "p.go"))) is None  # not a test file


def test_goleak_when_required(tmp_path):
    """go.uber.org/goleak is not in this offline module cache: the text is checked, and gofmt."""
    module(tmp_path, {"p_test.go": HEADER}, require="\nrequire go.uber.org/goleak v1.3.0\n")
    fix = gate(tmp_path)
    assert fix.kind == "goleak"
    out = applied(fix)
    assert "func TestMain(m *testing.M) {\n\tgoleak.VerifyTestMain(m)\n}\n" in out
    assert '"go.uber.org/goleak"' in out
    (tmp_path / "p_test.go").write_text(out)
    fmt = subprocess.run([gofmt_binary(), "-l", str(tmp_path)], capture_output=True, text=True)
    assert fmt.stdout == ""
    module(
        tmp_path,
        {"p_test.go": CASES["exit-run"][0].replace('import "testing"', 'import (\n\t"os"\n\t"testing"\n)')},
        require="\nrequire go.uber.org/goleak v1.3.0\n",
    )
    out = applied(gate(tmp_path))
    assert (
        "code := m.Run()\n\t// Fail when the tests leaked goroutines.\n\tif err := goleak.Find(); err != nil {" in out
    )


def test_go_test_fails_on_leaks_then_passes_after_the_static_fixes():
    """The real thing: the gate makes `go test` fail with the profile's text; Plumber's quick fixes
    for blocked-send, ncast-send, unclosed-range and blocked-receive make it pass."""
    root = tempfile.mkdtemp(prefix="plumber-gate-")
    try:
        mod = os.path.join(root, "leaky")
        shutil.copytree(LEAKY, mod)
        pkg = os.path.join(mod, "patterns")
        test_file = os.path.join(pkg, "patterns_test.go")
        with open(test_file, "w") as f:
            f.write(
                'package patterns\n\nimport "testing"\n\nfunc TestPatterns(t *testing.T) {\n'
                "\t_ = PrematureReturn(true)\n\tTimeout()\n\tNCast([]int{1, 2, 3})\n\tRangeNoClose([]int{1})\n"
                "\tReceiveNoSender()\n}\n"
            )
        fix = leak_gate(ctx_for(test_file))
        assert fix is not None and fix.path == test_file
        with open(test_file, "rb") as f:
            gated = apply(f.read(), fix.edits)
        with open(test_file, "wb") as f:
            f.write(gated)
        env = go_env(root)
        run = subprocess.run(
            [go_binary(), "test", "-count=1", "./patterns/"],
            cwd=mod,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        out = run.stdout + run.stderr
        assert run.returncode != 0, out
        assert "tests leaked goroutines:\ngoroutineleak profile: total " in out, out
        leaked = [
            fn
            for fn in ("PrematureReturn", "Timeout", "NCast", "RangeNoClose", "ReceiveNoSender")
            if f"example.com/leaky/patterns.{fn}.func1" in out
        ]
        print(f"gate: go test failed, reporting {leaked}:\n{out}")
        assert leaked

        # Plumber's static quick fixes, as `plumber check --fix` applies them
        src = os.path.join(pkg, "patterns.go")
        fixed = fix_all(src, CHECKS)
        with open(src, "wb") as f:
            f.write(fixed)
        run = subprocess.run(
            [go_binary(), "test", "-count=1", "./patterns/"],
            cwd=mod,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "make(chan int, 1)" in fixed.decode() and "make(chan int, len(items))" in fixed.decode()
    finally:
        shutil.rmtree(root, ignore_errors=True)
