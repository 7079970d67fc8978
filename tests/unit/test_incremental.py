"""The incremental analyzer equals a fresh full analysis, whatever the edits.

Hypothesis applies random edit sequences to the test data of every check
(plus two synthetic checks: one per-declaration, one that reads the whole
file) and compares, after each analysis, the cached-and-shifted findings
with `Engine.analyze` over a fresh parse of the same text.
"""

from __future__ import annotations

import glob
import os
import random

from analysistest import TESTDATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plumber.analysis.local_types import TYPES
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Related, Severity, finding
from plumber.core.positions import line_starts
from plumber.driver.engine import Engine, registry
from plumber.driver.incremental import IncrementalAnalyzer
from plumber.syntax.document import Document
from plumber.syntax.parser import new_parser

FILES = sorted(glob.glob(os.path.join(TESTDATA, "*", "*.go")))
SOURCES = {p: open(p, "rb").read() for p in FILES}

_CALLS = "(call_expression function: (identifier) @fn) @call"
_FUNCS = "(function_declaration name: (identifier) @name)"


def _local_run(ctx):
    """Per declaration: every call of a plain identifier, with a fix and a related span in the same function."""
    for call in ctx.captures(_CALLS).get("call", []):
        fn = call.child_by_field_name("function")
        yield finding(
            "synthetic-local",
            call,
            f"call of {ctx.text(fn)}",
            fixes=[Fix("wrap", (Edit(call.start_byte, call.start_byte, "("), Edit(call.end_byte, call.end_byte, ")")))],
            related=[Related(fn.start_byte, fn.end_byte, "callee")],
        )


def _file_run(ctx):
    """Whole file: calls of functions declared anywhere in the file."""
    declared = {ctx.text(n) for n in ctx.captures(_FUNCS).get("name", [])}
    for call in ctx.captures(_CALLS).get("call", []):
        name = ctx.text(call.child_by_field_name("function"))
        if name in declared:
            yield finding("synthetic-file", call, f"call of local function {name}")


def _comment_run(ctx):
    """Per declaration, but also at the top level: comments that start with //x."""
    for c in ctx.captures('((comment) @c (#match? @c "^//x"))').get("c", []):
        yield finding("synthetic-comment", c, "an x comment")


COMMENTS = Check(
    code="synthetic-comment",
    severity=Severity.HINT,
    doc="synthetic\n",
    run=_comment_run,
    category=Category.RESOURCE,
    fix=FixAvailability.NEVER,
)
LOCAL = Check(
    code="synthetic-local",
    severity=Severity.HINT,
    doc="synthetic\n",
    run=_local_run,
    category=Category.RESOURCE,
    fix=FixAvailability.NEVER,
)
WHOLE = Check(
    code="synthetic-file",
    severity=Severity.HINT,
    doc="synthetic\n",
    run=_file_run,
    scope="file",
    category=Category.RESOURCE,
    fix=FixAvailability.NEVER,
)

SNIPPETS = [
    "x",
    "f",
    "//x",
    "\n//x top\n",
    "_",
    " ",
    "\n",
    "{",
    "}",
    "(",
    ")",
    '"',
    "/",
    "//",
    "//nolint\n",
    "os.Open(name)",
    "f, err := os.Open(p)\n",
    "defer f.Close()\n",
    "f.Close()",
    "return f\n",
    "go ",
    "helper()",
    "func helper() {}\n",
    'import "os"\n',
    "resp, err := http.Get(u)\n",
    "resp.Body.Close()",
    "var g = 1\n",
    "é",
    "😀",
    "\t",
    "}\n\nfunc z() {\n",
]


def fresh(engine: Engine, path: str, text: bytes) -> list[Finding]:
    ctx = engine.context(path, text, new_parser().parse(text))
    return engine.analyze(ctx)[0]


def reference(engine: Engine, path: str, doc: Document) -> list[Finding]:
    """A full analysis of the document's text, over a fresh parse.

    tree-sitter's incremental reparse can recover from syntax errors differently from a
    fresh parse of the same text (rare; seen on random edits that leave errors). That is
    tree-sitter's, not the analyzer's: then the full analysis runs over the document's own
    tree, and the test still checks that cached-and-shifted equals analysed-from-scratch."""
    tree = new_parser().parse(doc.text)
    if str(tree.root_node) != str(doc.tree.root_node):
        tree = doc.tree
    return engine.analyze(engine.context(path, doc.text, tree))[0]


edit_st = st.tuples(st.floats(0, 1), st.integers(0, 6) | st.integers(0, 300), st.sampled_from(SNIPPETS), st.booleans())


def _char_bounds(text: bytes, start: int, length: int) -> tuple[int, int]:
    """[start, start + length) moved onto UTF-8 character boundaries (as an editor's edits are)."""
    while start < len(text) and (text[start] & 0xC0) == 0x80:
        start += 1
    end = min(len(text), start + length)
    while end < len(text) and (text[end] & 0xC0) == 0x80:
        end += 1
    return start, end


def run_sequence(path: str, edits, checks) -> None:
    engine = Engine(checks)
    doc = Document(SOURCES[path])
    inc = IncrementalAnalyzer(engine, path)
    assert inc.analyze(doc)[0] == reference(engine, path, doc)
    for where, dellen, ins, analyze_now in edits:
        start, end = _char_bounds(doc.text, int(where * len(doc.text)), dellen)
        doc.replace(start, end, ins.encode())
        if analyze_now:
            doc.reparse()
            got = inc.analyze(doc)[0]
            assert got == reference(engine, path, doc), (inc.last_mode, doc.text.decode("utf-8", "replace"))
    got = inc.analyze(doc)[0]
    assert got == reference(engine, path, doc)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES), st.lists(edit_st, min_size=1, max_size=25))
def test_incremental_equals_fresh(path, edits):
    run_sequence(path, edits, registry() + [LOCAL, WHOLE, COMMENTS])


def test_edit_inside_function_reruns_only_that_function():
    path = os.path.join(TESTDATA, "unclosed-file", "basic.go")
    engine = Engine(registry() + [LOCAL])
    doc = Document(SOURCES[path])
    inc = IncrementalAnalyzer(engine, path)
    before = inc.analyze(doc)[0]
    assert before and inc.last_mode == "full"
    tree = doc.tree
    fns = [c for c in tree.root_node.children if c.type == "function_declaration"]
    assert len(fns) >= 3
    # an in-token edit (changed_ranges is empty for it): rename one letter of an identifier in the last function
    body = fns[-1].child_by_field_name("body")
    ident = next(n for n in _walk(body) if n.type == "identifier")
    doc.replace(ident.start_byte, ident.start_byte, b"q")
    doc.reparse()
    after = inc.analyze(doc)[0]
    assert inc.last_mode == "incremental"
    assert len(inc.last_ranges) == 1 and inc.last_ranges[0][0] == fns[-1].start_byte
    assert after == fresh(engine, path, doc.text)
    # an import edit reruns the whole file
    imp = next(c for c in doc.tree.root_node.children if c.type == "import_declaration")
    doc.replace(imp.end_byte, imp.end_byte, b'\nimport "io"')
    doc.reparse()
    assert inc.analyze(doc)[0] == fresh(engine, path, doc.text)
    assert inc.last_mode == "full"


def _walk(node):
    yield node
    for c in node.children:
        yield from _walk(c)


def test_line_index_follows_random_edits():
    rnd = random.Random(7)
    from plumber.syntax.line_index import LineIndex

    old = LineIndex.BLOCK
    LineIndex.BLOCK = 4  # small blocks: exercise splits and edits across blocks
    try:
        doc = Document(b"".join(rnd.choice([b"a", b"\n", b"bc", b"\n\n"]) for _ in range(300)))
        for _ in range(2000):
            n = len(doc.text)
            s = rnd.randint(0, n)
            new = b"".join(rnd.choice([b"x", b"\n", b"yy"]) for _ in range(rnd.choice([0, 1, 1, 2, 5])))
            doc.replace(s, min(n, s + rnd.choice([0, 0, 1, 2, 5, 3])), new)
            assert doc.index.starts() == line_starts(doc.text)
            off = rnd.randint(0, len(doc.text))
            assert doc.point(off)[0] == doc.text.count(b"\n", 0, off)
    finally:
        LineIndex.BLOCK = old


def test_deleting_a_function_drops_its_cached_findings():
    path = os.path.join(TESTDATA, "unclosed-file", "basic.go")
    engine = Engine()
    doc = Document(SOURCES[path])
    inc = IncrementalAnalyzer(engine, path)
    before = inc.analyze(doc)[0]
    assert before
    fn = next(
        c
        for c in doc.tree.root_node.children
        if c.type == "function_declaration" and any(c.start_byte <= f.start < c.end_byte for f in before)
    )
    doc.replace(fn.start_byte, fn.end_byte, b"")
    after = inc.analyze(doc)[0]
    assert inc.last_mode == "incremental"
    assert after == fresh(engine, path, doc.text)
    assert len(after) < len(before)


def test_ambiguity_resolved_differently_after_an_error():
    """A newline typed into a comment turns its tail into code (a syntax error); further on,
    tree-sitter then reads `go handle(i)` as a conversion, not a call, and reports no changed
    range there: findings after the first error must be recomputed, not reused."""
    path = os.path.join(TESTDATA, "unbounded-spawn", "basic.go")
    run_sequence(
        path,
        [(0.5, 0, "x", False), (0.5, 0, "x", False), (0.125, 0, "\n//x top\n", False)],
        registry() + [LOCAL, WHOLE, COMMENTS],
    )


def test_a_syntax_error_reruns_only_what_tree_sitter_parsed_again():
    """An error typed into the first function: the declarations further on that the reparse reused are
    not rerun (their subtrees are the old ones), and the findings still equal a fresh analysis."""
    path = os.path.join(TESTDATA, "unbounded-spawn", "basic.go")
    engine = Engine(registry() + [LOCAL])
    doc = Document(SOURCES[path])
    inc = IncrementalAnalyzer(engine, path)
    inc.analyze(doc)
    fns = [c for c in doc.tree.root_node.children if c.type == "function_declaration"]
    body = fns[0].child_by_field_name("body")
    doc.replace(body.start_byte + 1, body.start_byte + 1, b" x y z ")
    after = inc.analyze(doc)[0]
    assert doc.tree.root_node.has_error and inc.last_mode == "incremental"
    last = [c for c in doc.tree.root_node.children if c.type == "function_declaration"][-1]
    assert all(e <= last.start_byte for _, e in inc.last_ranges), inc.last_ranges
    assert after == reference(engine, path, doc)


READ_HELPER = b"""package dl

import (
	"bufio"
	"os"
)

func read(f *os.File) (*bufio.Reader, error) {
	return bufio.NewReader(f), nil
}

func each(names []string) []*bufio.Reader {
	var out []*bufio.Reader
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		defer f.Close()
		s, _ := read(f)
		out = append(out, s)
	}
	return out
}
"""


def _string_results_run(ctx):
    """Per declaration, reading the program model's types: each call whose first result is a string."""
    from plumber.analysis.model.types import Basic, Tuple

    types = ctx.result(TYPES)
    for call in ctx.captures("(short_var_declaration right: (expression_list (call_expression) @c))").get("c", []):
        t = types.expr_results(call)
        first = t.items[0] if isinstance(t, Tuple) and t.items else t
        if isinstance(first, Basic) and first.name == "string":
            yield finding("synthetic-types", call, "a string result")


TYPED = Check(
    code="synthetic-types",
    severity=Severity.HINT,
    doc="synthetic\n",
    run=_string_results_run,
    category=Category.RESOURCE,
    fix=FixAvailability.NEVER,
    requires=(TYPES,),
)


def test_a_changed_signature_reruns_the_declarations_that_name_it(tmp_path):
    """A per-declaration check reading types reads the type of `s` from `read`'s signature: once `read`
    returns a string, `each` is rerun although the edit is in `read`, and the finding appears there, as
    in a fresh analysis."""
    (tmp_path / "go.mod").write_text("module example.com/dl\n\ngo 1.22\n")
    path = str(tmp_path / "a.go")
    (tmp_path / "a.go").write_bytes(READ_HELPER)
    doc = Document(READ_HELPER)
    inc = IncrementalAnalyzer(Engine([TYPED]), path)
    assert inc.analyze(doc)[0] == []
    at = READ_HELPER.index(b"(*bufio.Reader, error) {")
    doc.replace(at, at + len(b"(*bufio.Reader, error)"), b"(string, error)")
    after = inc.analyze(doc)[0]
    assert inc.last_mode == "incremental"
    assert any(s <= doc.text.index(b"func each") < e for s, e in inc.last_ranges)
    assert [f.code for f in after] == ["synthetic-types"] and after[0].start > doc.text.index(b"func each")
    assert after == fresh(Engine([TYPED]), path, doc.text)


SENDER = b"""package p

func sleepThenSend(done chan<- struct{}) {
	done <- struct{}{}
}

func waitOrGiveUp(d int) bool {
	done := make(chan struct{})
	go sleepThenSend(done)
	if d > 0 {
		return false
	}
	<-done
	return true
}
"""


def test_an_edit_of_a_looked_up_function_reruns_the_declarations_that_name_it():
    """blocked-send reads the sends of `sleepThenSend` on its parameter from `waitOrGiveUp`: once it
    closes the channel instead, or is gone (an edit that swallows it into an error), the finding in
    `waitOrGiveUp` follows although the edit is not there, as in a fresh analysis."""
    engine = Engine(registry())
    doc = Document(SENDER)
    inc = IncrementalAnalyzer(engine, "/nowhere/p/a.go")
    assert [f.code for f in inc.analyze(doc)[0]] == ["blocked-send"]
    at = doc.text.index(b"done <- struct{}{}")
    doc.replace(at, at + len(b"done <- struct{}{}"), b"close(done)")
    assert inc.analyze(doc)[0] == [] and inc.last_mode == "incremental"
    assert any(s <= doc.text.index(b"func waitOrGiveUp") < e for s, e in inc.last_ranges)
    doc.replace(at, at + len(b"close(done)"), b"done <- struct{}{}")
    assert [f.code for f in inc.analyze(doc)[0]] == ["blocked-send"]
    # the function's header deleted: it is no function of the file any more
    start = doc.text.index(b"func sleepThenSend")
    doc.replace(start, doc.text.index(b"{", start) + 1, b"var g = 1\n")
    got = inc.analyze(doc)[0]
    assert got == reference(engine, "/nowhere/p/a.go", doc)
    assert "blocked-send" not in [f.code for f in got]


ONCE = b"""package t

import (
	"sync"
	"time"
)

var setup sync.Once

func startServer() {
	t := time.NewTicker(time.Second)
	for range t.C {
		work()
	}
}

func work() {}

func Start() {
	setup.Do(startServer)
}
"""


def test_an_edit_that_changes_the_functions_run_once_reruns_them(tmp_path):
    """ticker-not-stopped is silent in a function run only through `once.Do` (once per process), a fact
    of the whole file: an edit of that function alone keeps it so, and an edit of `Start` that calls it
    directly brings the finding in `startServer`, as in a fresh analysis (and takes it back)."""
    (tmp_path / "go.mod").write_text("module example.com/t\n\ngo 1.22\n")
    path = str(tmp_path / "a.go")
    (tmp_path / "a.go").write_bytes(ONCE)
    engine = Engine(registry())
    doc = Document(ONCE)
    inc = IncrementalAnalyzer(engine, path)
    assert inc.analyze(doc)[0] == []
    at = doc.text.index(b"work()\n\t}")
    doc.replace(at, at, b"\t")
    assert inc.analyze(doc)[0] == [] and inc.last_mode == "incremental"
    call = b"setup.Do(startServer)"
    at = doc.text.index(call)
    doc.replace(at, at + len(call), b"startServer()")
    got = inc.analyze(doc)[0]
    assert inc.last_mode == "incremental" and [f.code for f in got] == ["ticker-not-stopped"]
    assert got == reference(engine, path, doc)
    doc.replace(at, at + len(b"startServer()"), call)
    assert inc.analyze(doc)[0] == [] and inc.last_mode == "incremental"


SINK = os.path.join(TESTDATA, "unclosed-range", "ticker.go")


def test_an_edit_of_the_stop_in_another_method_reruns_the_range_over_the_ticker():
    """unclosed-range flags the flusher's range over fs.writeTicker.C because Close stops that ticker
    (a fact of the whole file): once the Stop is gone, the finding in startFlushing goes too, and
    comes back with it, though the edits are only in Close."""
    engine = Engine(registry())
    doc = Document(SOURCES[SINK])
    inc = IncrementalAnalyzer(engine, SINK)

    def flusher(findings):
        return [f for f in findings if f.code == "unclosed-range" and b"fs.writeTicker" in doc.text[f.start : f.end]]

    assert len(flusher(inc.analyze(doc)[0])) == 1
    stop = b"fs.writeTicker.Stop()"
    at = doc.text.index(stop)
    doc.replace(at, at + len(stop), b"fs.writeTicker = nil")
    got = inc.analyze(doc)[0]  # (the field's name is in the type declaration too: a whole-file run)
    assert flusher(got) == [] and got == reference(engine, SINK, doc)
    doc.replace(at, at + len(b"fs.writeTicker = nil"), stop)
    assert len(flusher(inc.analyze(doc)[0])) == 1
    # an edit elsewhere in Close that leaves the fact as it was reruns Close alone
    doc.replace(at, at, b" ")
    assert len(flusher(inc.analyze(doc)[0])) == 1 and inc.last_mode == "incremental"


def test_deferred_file_checks_keep_their_shifted_findings_until_the_second_tier():
    """The first tier reruns only the edited declaration and keeps the whole-file checks' last
    findings, moved by the edit; the second tier (no deferral) equals a fresh analysis."""
    text = b"package p\n\nfunc a() { b() }\n\nfunc b() {}\n\nfunc c() { b(); x() }\n"
    engine = Engine([LOCAL, WHOLE])
    doc = Document(text)
    inc = IncrementalAnalyzer(engine, "/tmp/p.go")
    first = inc.analyze(doc)[0]
    assert [f.code for f in first].count("synthetic-file") == 2 and not inc.pending_file_checks
    # insert a declaration of x above c: the first tier still shows the two older whole-file findings,
    # shifted past the insertion; only the second tier knows that x() now calls a local function
    at = text.index(b"func c")
    doc.replace(at, at, b"func x() {}\n\n")
    doc.reparse()
    got = inc.analyze_version(doc, doc.change_seq, doc.text, doc.tree, defer_file_checks=True)[0]
    assert inc.pending_file_checks and inc.last_mode == "incremental"
    shifted = [f for f in got if f.code == "synthetic-file"]
    assert [doc.text[f.start : f.end] for f in shifted] == [b"b()", b"b()"]
    assert got != fresh(engine, "/tmp/p.go", doc.text)
    complete = inc.analyze_version(doc, doc.change_seq, doc.text, doc.tree)[0]
    assert not inc.pending_file_checks
    assert complete == fresh(engine, "/tmp/p.go", doc.text)
    assert [doc.text[f.start : f.end] for f in complete if f.code == "synthetic-file"] == [b"b()", b"b()", b"x()"]


def test_a_deferred_first_run_has_no_whole_file_findings_until_the_second_tier():
    """A document just opened (no earlier run): deferring gives the per-declaration findings alone,
    pending; the second tier, with nothing edited between, equals a fresh analysis."""
    text = b"package p\n\nfunc a() { b() }\n\nfunc b() {}\n"
    engine = Engine([LOCAL, WHOLE])
    doc = Document(text)
    inc = IncrementalAnalyzer(engine, "/tmp/p.go")
    assert inc.file_checks_never_ran
    got = inc.analyze_version(doc, doc.change_seq, doc.text, doc.tree, defer_file_checks=True)[0]
    assert inc.pending_file_checks and inc.file_checks_never_ran
    assert got and all(f.code != "synthetic-file" for f in got)
    complete = inc.analyze_version(doc, doc.change_seq, doc.text, doc.tree)[0]
    assert not inc.pending_file_checks and not inc.file_checks_never_ran
    assert [f.code for f in complete].count("synthetic-file") == 1
    assert complete == fresh(engine, "/tmp/p.go", doc.text)
    # after a reset (settings, go.mod), a deferring run still has them: none may vanish until tier 2
    inc.reset()
    again = inc.analyze_version(doc, doc.change_seq, doc.text, doc.tree, defer_file_checks=True)[0]
    assert again == complete and not inc.pending_file_checks


def test_an_edit_that_reruns_every_declaration_still_defers_the_whole_file_checks():
    """Editing a package-level var makes the per-declaration checks rerun the whole file; the edits are
    known, so the whole-file checks' last findings are moved by them and wait for the second tier
    (a syntax error that leaves an ERROR at the top level does the same, and cost 110-250 ms per
    keystroke on runtime/proc.go before)."""
    text = b"package p\n\nvar g = 1\n\nfunc a() { b() }\n\nfunc b() {}\n"
    engine = Engine([LOCAL, WHOLE])
    doc = Document(text)
    inc = IncrementalAnalyzer(engine, "/tmp/p.go")
    first = inc.analyze(doc)[0]
    at = text.index(b"1")
    doc.replace(at, at + 1, b"12345")
    doc.reparse()
    got = inc.analyze_version(doc, doc.change_seq, doc.text, doc.tree, defer_file_checks=True)[0]
    assert inc.last_mode == "full" and inc.pending_file_checks
    moved = [f for f in got if f.code == "synthetic-file"]
    assert [(f.start - 4, f.end - 4) for f in moved] == [(f.start, f.end) for f in first if f.code == "synthetic-file"]
    assert inc.analyze_version(doc, doc.change_seq, doc.text, doc.tree)[0] == fresh(engine, "/tmp/p.go", doc.text)


UNMARKED = b"""package p

import "os"

func leak() {
	f, _ := os.Open("x")
	_ = f
}

const s = "plain"
"""


def test_suppressions_carried_over_edits_of_an_unmarked_text(tmp_path):
    """A text without any directive's marker is not scanned again after an edit that brings none; an edit
    that completes a marker across the edit's boundary (`nolin` + `t`), or one that turns a marker in a
    string into a comment, is seen: every run equals a fresh analysis."""
    (tmp_path / "go.mod").write_text("module example.com/s\n\ngo 1.22\n")
    path = str(tmp_path / "a.go")
    (tmp_path / "a.go").write_bytes(UNMARKED)
    engine = Engine()
    doc = Document(UNMARKED)
    inc = IncrementalAnalyzer(engine, path)
    assert [f.code for f in inc.analyze(doc)[0]] == ["unclosed-file"]
    line_end = UNMARKED.index(b'os.Open("x")') + len(b'os.Open("x")')

    def step(at: int, removed: int, text: bytes) -> list[Finding]:
        doc.replace(at, at + removed, text)
        got = inc.analyze(doc)[0]
        assert got == fresh(Engine(), path, doc.text)
        return got

    assert [f.code for f in step(line_end, 0, b" // no")] == ["unclosed-file"]  # carried: no marker
    assert engine.suppressions(doc.text, doc.tree.root_node).markers is False
    assert [f.code for f in step(line_end + len(b" // no"), 0, b"lin")] == ["unclosed-file"]
    assert step(line_end + len(b" // nolin"), 0, b"t") == []  # `nolin` + `t`: a directive now
    # the directive removed in one edit (a full scan: the last text had a marker), then a marker put in a
    # string: no directive, but the text is marked now, so no later edit is carried past it unscanned
    at = doc.text.index(b" // nolint")
    assert [f.code for f in step(at, len(b" // nolint"), b"")] == ["unclosed-file"]
    at = doc.text.index(b'"plain"')
    assert [f.code for f in step(at, len(b'"plain"'), b'"x //nolint"')] == ["unclosed-file"]
    assert engine.suppressions(doc.text, doc.tree.root_node).markers is True
    assert [f.code for f in step(doc.text.index(b"func leak"), 0, b"// a\n")] == ["unclosed-file"]
