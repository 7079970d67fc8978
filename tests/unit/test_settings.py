"""Settings validation (every value, short messages, counted unknown keys) and exclude's globs."""

from __future__ import annotations

import math
import os

import pytest

from plumber.core.globs import GlobError, compile_glob, excluded
from plumber.core.settings import MAX_DEBOUNCE_MS, Settings, parse_settings
from plumber.driver.config import ConfigFiles


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e400, 1e30, -1, MAX_DEBOUNCE_MS + 1, True, "200"])
def test_bad_debounce_values(value):
    settings, problems = parse_settings({"debounce": value}, "editor")
    assert settings.debounce is None and settings.debounce_ms == 200
    [p] = problems
    assert p.error and p.key == "debounce" and str(p).startswith("editor: debounce: must be a number")


@pytest.mark.parametrize("value,ms", [(0, 0), (250.4, 250), (MAX_DEBOUNCE_MS, MAX_DEBOUNCE_MS)])
def test_good_debounce_values(value, ms):
    assert parse_settings({"debounce": value}, "editor") == (Settings(debounce=ms), [])


def test_unknown_keys_are_one_warning_with_a_count():
    obj = {f"k{i}": i for i in range(20_000)} | {"checks": {"nope": True, "unclosed-file": {"colour": 1}}}
    settings, problems = parse_settings(obj, "editor", {"unclosed-file"})
    assert [(p.error, str(p)) for p in problems] == [
        (False, "editor: 20001 unknown keys ignored: 'k0', 'k1', 'k2', 'k3', 'k4' and 19996 more"),
        (False, "editor: 1 unknown check code ignored: 'nope'"),
    ]


def test_deep_and_huge_values_are_shown_short():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    _, problems = parse_settings({"debounce": deep, "generated": "x" * 10_000, "checks": deep}, "editor")
    assert [p.key for p in problems] == ["debounce", "generated", "checks"]
    assert all(len(str(p)) < 200 for p in problems)
    assert "an array of 1" in str(problems[0])


def test_exclude_only_from_files():
    _, problems = parse_settings({"exclude": ["gen/**"]}, "workspace/configuration")
    assert [p.key for p in problems] == ["exclude"] and "plumber.toml files only" in problems[0].message
    settings, problems = parse_settings({"exclude": ["gen/**", 3, "[a"]}, "f.toml", base="/m")
    assert settings.exclude == (("/m", "gen/**"),)
    assert [p.key for p in problems] == ["exclude[1]", "exclude[2]"]


@pytest.mark.parametrize(
    "pattern,path,is_dir,hit",
    [
        ("*_mock.go", "a/b/x_mock.go", False, True),
        ("*_mock.go", "x.go", False, False),
        ("gen", "a/gen/x.go", False, True),  # a name at any depth, and everything below it
        ("gen/", "a/gen", True, True),
        ("gen/", "a/gen", False, False),  # a file called gen: directories only
        ("/tools", "tools/x.go", False, True),
        ("/tools", "a/tools/x.go", False, False),  # anchored by the slash
        ("internal/gen/*.go", "internal/gen/x.go", False, True),
        ("internal/gen/*.go", "a/internal/gen/x.go", False, False),
        ("**/testutil/**", "a/b/testutil/c/d.go", False, True),
        ("**/testutil/**", "testutil", True, False),  # /** is what is inside
        ("a/**/b.go", "a/b.go", False, True),  # **/ is zero or more directories
        ("a/**/b.go", "a/x/y/b.go", False, True),
        ("x?.go", "xy.go", False, True),
        ("x[0-9].go", "x7.go", False, True),
        ("x[!0-9].go", "x7.go", False, False),
        ("*.go", "../outside.go", False, False),  # never above its base
    ],
)
def test_globs(pattern, path, is_dir, hit):
    base = os.path.abspath("/base")
    assert excluded(base, pattern, os.path.join(base, path), is_dir) is hit


@pytest.mark.parametrize("pattern", ["", "  ", "!gen", "/", "x[ab"])
def test_bad_globs(pattern):
    with pytest.raises(GlobError):
        compile_glob(pattern)


def test_config_chain_reports_each_problem_once(tmp_path):
    (tmp_path / "go.mod").write_text("module m\n")
    (tmp_path / "plumber.toml").write_text("debounce = nan\n")
    (tmp_path / "a").mkdir()
    config = ConfigFiles()
    assert config.excluded(str(tmp_path / "a" / "x.go")) is False  # reads the file, reports nothing
    _, first = config.for_file(str(tmp_path / "a" / "x.go"))
    _, again = config.for_file(str(tmp_path / "x.go"))
    assert [p.key for p in first] == ["debounce"] and again == []


@pytest.mark.parametrize(
    "value,url",
    [
        ("https://example.com/plumber/docs/", "https://example.com/plumber/docs/"),
        ("https://example.com/plumber/docs", "https://example.com/plumber/docs/"),
        ("file:///opt/plumber/docs", "file:///opt/plumber/docs/"),
        ("", None),  # VS Code's empty default: the shipped pages
    ],
)
def test_docs_url_values(value, url):
    assert parse_settings({"docsUrl": value}, "editor") == (Settings(docs_url=url), [])


@pytest.mark.parametrize("value", ["docs/", "ftp://x.org/docs/", 3, True, " https://x.org/", ["https://x.org/"]])
def test_bad_docs_url_values(value):
    settings, [p] = parse_settings({"docsUrl": value}, "plumber.toml")
    assert settings.docs_url is None and p.error and p.key == "docsUrl"
    assert "the pages shipped with Plumber are linked" in p.message


def test_docs_url_nearest_wins_and_an_unset_one_keeps_the_farther():
    far = Settings(docs_url="https://far.example/docs/")
    assert far.merged(Settings()).docs_url == "https://far.example/docs/"
    assert far.merged(Settings(docs_url="https://near.example/")).docs_url == "https://near.example/"
