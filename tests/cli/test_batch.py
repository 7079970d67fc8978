"""`plumber check` a directory at a time: one read and parse per file serves its own analysis and its
siblings' facts and summaries; the results are those of analysing each file alone."""

from __future__ import annotations

import os

import pytest
from cliutil import write

from plumber.cli.analyzer import FileAnalyzer, Options

TESTDATA = os.path.join(os.path.dirname(__file__), "..", "checks", "testdata")
OPTS = Options(None, frozenset(), False)


def _testdata_files() -> list[str]:
    out = []
    for d, dirs, names in os.walk(TESTDATA):
        dirs.sort()
        out.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(".go"))
    return out


def _alone(path: str):
    """The result of one file analysed by an analyzer of its own (nothing shared, siblings read from disk)."""
    return FileAnalyzer(OPTS).file(path)


@pytest.mark.parametrize("budget", [None, 0], ids=["trees-kept", "text-only"])
def test_a_directory_at_a_time_equals_each_file_alone(budget):
    files = _testdata_files()
    analyzer = FileAnalyzer(OPTS)
    if budget is not None:
        analyzer.engine.disk.budget = budget  # no tree kept: siblings parsed where needed, texts read once
    batch = list(analyzer.files(files))
    found = 0
    for path, got in zip(files, batch, strict=True):
        want = _alone(path)
        assert got.failures == () and want.failures == (), (path, got.failures, want.failures)
        assert got.path == want.path
        assert got.findings == want.findings, path
        found += len(got.findings)
    assert found > 100  # the test data's findings, cross-file ones included
    if budget is None:
        assert analyzer.engine.sibling_parses == 0  # package-wide summaries from the trees read for the files


SIBLING = """\
package p

var cache = map[string]int{}

func put(k string, v int) { cache[k] = v }
"""
DELETES = """\
package p

func drop(k string) { delete(cache, k) }
"""
OTHER = """\
package p

func get(k string) int { return cache[k] }
"""


def test_a_fix_written_is_seen_by_the_files_analysed_after_it(module):
    # a.go's fix (defer f.Close()) rewrites it; b.go, analysed next, must see a.go as written
    write(module / "p" / "a.go", 'package p\n\nimport "os"\n\nfunc open() {\n\tf, _ := os.Open("x")\n\t_ = f\n}\n')
    write(module / "p" / "b.go", SIBLING)
    analyzer = FileAnalyzer(Options(None, frozenset(), True))
    paths = [str(module / "p" / "a.go"), str(module / "p" / "b.go")]
    results = list(analyzer.files(paths))
    assert dict(results[0].fixed) == {"unclosed-file": 1}
    assert b"defer f.Close()" in (module / "p" / "a.go").read_bytes()
    assert results[1].findings == FileAnalyzer(OPTS).file(paths[1]).findings


def test_package_wide_findings_read_every_sibling(module):
    write(module / "p" / "a.go", SIBLING)
    write(module / "p" / "b.go", OTHER)
    paths = [str(module / "p" / "a.go"), str(module / "p" / "b.go")]
    batch = list(FileAnalyzer(OPTS).files(paths))
    assert [f.code for f in batch[0].findings] == ["unbounded-cache"]
    write(module / "p" / "c.go", DELETES)
    paths.append(str(module / "p" / "c.go"))
    batch = list(FileAnalyzer(OPTS).files(paths))
    assert [f.code for r in batch for f in r.findings] == []  # c.go deletes: the map is bounded
