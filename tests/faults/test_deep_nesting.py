"""Deeply nested files: ancestor walks in O(depth), no recursion limit, a time budget per analysis,
superseded work abandoned, and one pathological document never starves the others."""

from __future__ import annotations

import os
import random
import sys

import pytest
from deepgo import nested_blocks, nested_ifs, nested_types
from faultutil import RawServer, unclosed_files

from plumber.driver.engine import Engine
from plumber.syntax.parser import new_parser

HERE = os.path.dirname(os.path.abspath(__file__))


def _analyze(text: str, codes=None):
    engine = Engine()
    src = text.encode()
    checks = [c for c in engine.static_checks if codes is None or c.code in codes]
    ctx = engine.context("/nonexistent/deep/x.go", src, new_parser().parse(src))
    return engine.analyze(ctx, None, checks)


def test_ancestors_and_parent_of_agree_with_node_parent():
    from plumber.syntax.nodes import ancestors, parent_of, walking

    src = (nested_ifs(60) + nested_blocks(80).replace("package deep", "")).encode()
    tree = new_parser().parse(src)
    nodes = []
    cursor = tree.root_node.walk()
    while True:  # every node, in order
        nodes.append(cursor.node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                break
        else:
            continue
        break
    rng = random.Random(7)
    sample = rng.sample(nodes, 300)
    with walking(tree.root_node):
        for n in sample:
            chain, up = [], n.parent
            while up is not None:
                chain.append(up)
                up = up.parent
            assert list(ancestors(n)) == chain
            assert parent_of(n) == n.parent
    other = new_parser().parse(src)  # a node of another tree: plain .parent, same answer
    with walking(tree.root_node):
        deep = other.root_node.descendant_for_byte_range(src.index(b"os.Open"), src.index(b"os.Open") + 1)
        assert parent_of(deep) == deep.parent


def test_finalizer_cycle_on_a_type_nested_3000_deep_does_not_recurse():
    assert sys.getrecursionlimit() <= 10_000
    findings, failures = _analyze(nested_types(3000), {"finalizer-cycle"})
    assert failures == [], failures[0].error if failures else None


@pytest.mark.parametrize("text", [nested_ifs(2000), nested_blocks(20000)], ids=["2000-ifs", "20000-blocks"])
def test_deep_files_are_analysed_without_failures(text):
    findings, failures = _analyze(text)
    assert failures == []
    assert [f.code for f in findings] == ["unclosed-file"]


def test_a_deep_file_does_not_starve_another_document(tmp_path):
    server = RawServer(env={"PLUMBER_ANALYSIS_BUDGET_S": "3"})
    try:
        server.initialize()
        deep, other = (tmp_path / "deep.go").as_uri(), (tmp_path / "other.go").as_uri()
        server.open(deep, nested_blocks(20000))
        server.open(other, unclosed_files(1))
        got = server.diagnostics(other, 1, timeout=30)  # before: minutes behind the deep file
        assert [d["code"] for d in got["diagnostics"]] == ["unclosed-file"]
        # (a large document: its per-declaration tier is published first, the whole-file checks' next)
        first = server.diagnostics(deep, 1, timeout=60)
        assert first["diagnostics"] == []
        assert [d["code"] for d in server.diagnostics(deep, 1, timeout=60)["diagnostics"]] == ["unclosed-file"]
        assert server.close() == 0
        assert "Traceback" not in server.log
    finally:
        server.kill()


def _slow_server(budget: str) -> RawServer:
    return RawServer(
        env={"PLUMBER_ANALYSIS_BUDGET_S": budget}, command=[sys.executable, os.path.join(HERE, "slow_checks_server.py")]
    )


def test_an_analysis_over_its_budget_publishes_what_it_has_and_names_the_cut_checks(tmp_path):
    server = _slow_server("1")
    try:
        server.initialize()
        uri = (tmp_path / "a.go").as_uri()
        server.open(uri, unclosed_files(1) + "// SLOW\n")
        got = server.diagnostics(uri, 1, timeout=20)
        assert [d["code"] for d in got["diagnostics"]] == ["unclosed-file"]
        assert "cut after its time budget" in server.log and "slow-test" in server.log
        assert server.close() == 0
    finally:
        server.kill()


def test_superseded_work_is_abandoned(tmp_path):
    server = _slow_server("120")  # the budget would hold the worker for two minutes
    try:
        server.initialize()
        uri = (tmp_path / "a.go").as_uri()
        server.open(uri, unclosed_files(1) + "// SLOW\n")
        server.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": unclosed_files(2)}]},
        )
        got = server.diagnostics(uri, 2, timeout=20)
        assert [d["code"] for d in got["diagnostics"]] == ["unclosed-file", "unclosed-file"]
        assert server.close() == 0
    finally:
        server.kill()
