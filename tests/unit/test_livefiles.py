"""The program model of a document being edited, kept per declaration, equals the model read afresh.

`LiveFiles` rereads only the declarations whose text changed, and hands back the last version's
facts object when no declaration's facts can have changed (so the package merged from it stands).
Hypothesis edits the test data of every check at random and compares, after each edit, its facts
and summaries with `file_facts` / `file_summaries` of a fresh parse of the same text.
"""

from __future__ import annotations

import glob
import os

from analysistest import TESTDATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plumber.analysis.model.facts import file_facts
from plumber.analysis.model.summarize import file_summaries
from plumber.driver.livefiles import LiveFiles
from plumber.syntax.document import Document
from plumber.syntax.nodes import walking
from plumber.syntax.parser import new_parser

FILES = sorted(glob.glob(os.path.join(TESTDATA, "*", "*.go")))
SOURCES = {p: open(p, "rb").read() for p in FILES}
SNIPPETS = ["x", " ", "\n", "{", "}", "(", ")", "*", "error", ", err error", "[]byte", "func h() int { return 1 }\n",
            "type T struct{ f *os.File }\n", "var v = 1\n", "const (\n\ta = iota\n\tb\n)\n", "(r *T) ", "[T any]",
            'import "os"\n', "//", "é"]  # fmt: skip
PKG = "example.com/live"


def _fresh(path: str, text: bytes):
    tree = new_parser().parse(text)
    with walking(tree.root_node):
        return file_facts(path, text, tree.root_node, PKG), file_summaries(text, tree.root_node, PKG)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40), st.sampled_from(SNIPPETS)),
                                        min_size=1, max_size=12))  # fmt: skip
def test_live_facts_and_summaries_equal_fresh_ones(path, edits):
    live = LiveFiles()
    doc = Document(SOURCES[path])
    for where, length, ins in edits:
        start = int(where * len(doc.text))
        while start < len(doc.text) and (doc.text[start] & 0xC0) == 0x80:
            start += 1
        end = min(len(doc.text), start + length)
        while end < len(doc.text) and (doc.text[end] & 0xC0) == 0x80:
            end += 1
        doc.replace(start, end, ins.encode())
        tree = doc.reparse()
        if str(tree.root_node) != str(new_parser().parse(doc.text).root_node):
            continue  # tree-sitter's incremental reparse recovered from an error otherwise than a fresh parse
        with walking(tree.root_node):
            facts = live.facts(path, doc.text, tree.root_node, PKG)
            sums = live.summaries(path, doc.text, tree.root_node, PKG)
        want_facts, want_sums = _fresh(path, doc.text)
        assert facts == want_facts
        assert sums == want_sums


BASE = b"""package p

import "os"

func open(name string) (*os.File, error) {
	return os.Open(name)
}

func use() {
	f, _ := open("x")
	_ = f
}
"""


def _facts(live: LiveFiles, doc: Document):
    tree = doc.reparse()
    with walking(tree.root_node):
        return live.facts("/m/p/a.go", doc.text, tree.root_node, PKG)


def test_an_edit_inside_a_body_keeps_the_facts_object():
    live = LiveFiles()
    doc = Document(BASE)
    before = _facts(live, doc)
    at = BASE.index(b"_ = f")
    doc.replace(at, at, b"println(1)\n\t")
    assert _facts(live, doc) is before  # nothing merged from it is rebuilt


def test_a_signature_edit_gives_new_facts():
    live = LiveFiles()
    doc = Document(BASE)
    before = _facts(live, doc)
    at = BASE.index(b"(*os.File, error)")
    doc.replace(at, at + len(b"(*os.File, error)"), b"*os.File")
    after = _facts(live, doc)
    assert after is not before
    assert after.funcs["open"] != before.funcs["open"]
    assert after.funcs["use"] is before.funcs["use"]  # read once, kept by its text


def test_an_error_in_a_body_keeps_the_facts_object_but_not_one_in_a_signature():
    live = LiveFiles()
    doc = Document(BASE)
    before = _facts(live, doc)
    at = BASE.index(b"_ = f")
    doc.replace(at, at, b"if {\n\t")  # a syntax error inside use's body
    assert doc.reparse().root_node.has_error
    assert _facts(live, doc) is before
    at = doc.text.index(b"name string")
    doc.replace(at, at, b"(")  # and one in open's parameters
    assert _facts(live, doc) is not before
