"""Suppression directives: the one parser, what each one covers, and the fix that adds one.

Two forms, read from line comments only (comment nodes of the tree, never a string literal):

- `//plumber:ignore CODES [reason]`: Plumber's own directive (CODES is `a` or `a,b`, no spaces;
  `all` or `plumber` for every check). golangci-lint reads only comments that start with
  `nolint`, so it ignores this one without a warning. The editor's "Suppress" action writes it.
- `//nolint`, `//nolint:a,b`, `// nolint:a, b // reason`: golangci-lint's directive, parsed as
  golangci-lint v2 parses it (`NOLINT_PATTERN` below): a bare one, `//nolint:all` and
  `//nolint:plumber` cover every check; otherwise the listed names that are Plumber codes.
  golangci-lint warns "Found unknown linters in //nolint directives" about names it does not
  know (Plumber's codes, and `plumber`), so these stay accepted for compatibility only.

What a directive covers, by where it is:

- its own line (a trailing comment: the statement it ends);
- alone on its line: with the comments right below it (no blank line between), the whole
  syntax node that starts on the next line (a statement, a block, a declaration), as
  golangci-lint expands it; in a function's doc comment, that is the whole function;
- on the line where a function or method declaration starts: the whole function;
- before the package clause (in the file's leading comments) or on its line: the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from plumber.core.findings import Edit, Finding, Fix
from plumber.core.positions import line_bounds

# golangci-lint v2, pkg/result/processors/nolint_filter.go: the comment's text with leading
# '/' and ' ' trimmed (strings.TrimLeft(text, "/ ")) must match this to be a directive.
NOLINT_PATTERN = re.compile(r"nolint( |:|\Z)")
PLUMBER_DIRECTIVE = "//plumber:ignore"
ALL = "*"
ALL_NAMES = frozenset({"all", "plumber"})

_CANDIDATE = re.compile(rb"//[/ ]*nolint|//plumber:ignore")
_NON_SPACE = re.compile(rb"[^ \t\r\n]")
_FUNCTIONS = ("function_declaration", "method_declaration")
# Wrappers that start where their first child starts but reach further: never what a directive expands to.
_NOT_EXPANDED = ("statement_list", "source_file")


@dataclass(frozen=True)
class Parsed:
    """What one comment's text says: its form ("plumber" or "nolint") and the codes it names."""

    form: str
    codes: frozenset[str]  # {ALL} for every check
    list_end: int | None  # offset in the text just after the code list (plumber form), for extending it


def parse_comment(text: str) -> Parsed | None:
    """The directive of one comment's text (starting with `//`), or None."""
    if text.startswith(PLUMBER_DIRECTIVE):
        rest = text[len(PLUMBER_DIRECTIVE) :]
        if rest and rest[0] not in " \t":
            return None  # //plumber:ignored, //plumber:ignore:x
        m = re.match(r"[ \t]+([a-z0-9][a-z0-9,-]*)", rest)
        if m is None:
            return Parsed("plumber", frozenset(), None)  # no codes: suppresses nothing
        names = frozenset(n for n in m.group(1).split(",") if n)
        codes = frozenset({ALL}) if names & ALL_NAMES else names
        return Parsed("plumber", codes, len(PLUMBER_DIRECTIVE) + m.end(1))
    trimmed = text.lstrip("/ ")
    if not NOLINT_PATTERN.match(trimmed):
        return None
    if trimmed.startswith("nolint:all") or not trimmed.startswith("nolint:"):
        return Parsed("nolint", frozenset({ALL}), None)
    listed = trimmed[len("nolint:") :].split("//", 1)[0]
    names = frozenset(n.strip().lower() for n in listed.split(","))
    return Parsed("nolint", frozenset({ALL}) if names & ALL_NAMES else names - {""}, None)


@dataclass(frozen=True)
class Directive:
    comment_start: int
    comment_end: int
    parsed: Parsed
    scope: str  # "line", "below" (the node under it), "function" or "file"
    start: int  # the byte range it covers (whole lines)
    end: int
    below: int | None = None  # for "below": where the covered node starts

    def covers(self, f: Finding) -> bool:
        codes = self.parsed.codes
        return self.start <= f.start <= self.end and (ALL in codes or f.code in codes)


def _comment_at(root: Node, offset: int) -> Node | None:
    node = root.descendant_for_byte_range(offset, offset + 1)
    return node if node is not None and node.type == "comment" else None


def code_start(source: bytes, root: Node, pos: int) -> int:
    """The first byte at or after `pos` that is neither white space nor part of a comment."""
    while True:
        m = _NON_SPACE.search(source, pos)
        if m is None:
            return len(source)
        comment = _comment_at(root, m.start())
        if comment is None:
            return m.start()
        pos = comment.end_byte


def _node_starting_at(root: Node, offset: int) -> Node | None:
    node = root.descendant_for_byte_range(offset, offset)
    if node is None or node.start_byte != offset:
        return None
    while node.parent is not None and node.parent.start_byte == offset and node.parent.type not in _NOT_EXPANDED:
        node = node.parent
    return node


def _package_clause(root: Node) -> Node | None:
    for child in root.children:
        if child.type == "package_clause":
            return child
        if child.type != "comment":
            return None
    return None


def _line_end(source: bytes, offset: int) -> int:
    return line_bounds(source, offset)[1]


def _scope(source: bytes, root: Node, comment: Node, package: Node | None) -> tuple[str, int, int, int | None]:
    start, end = line_bounds(source, comment.start_byte)
    if package is not None and (
        comment.end_byte <= package.start_byte or line_bounds(source, package.start_byte)[0] == start
    ):
        return "file", 0, len(source), None
    if not source[start : comment.start_byte].strip():  # alone on its line
        below = code_start(source, root, comment.end_byte)
        between = source[end : line_bounds(source, below)[0]] if below < len(source) else b""
        node = _node_starting_at(root, below) if below < len(source) else None
        if node is not None and not re.search(rb"\n[ \t]*\r?\n", between):
            return "below", start, _line_end(source, max(node.start_byte, node.end_byte - 1)), node.start_byte
        return "line", start, end, None
    node = comment.parent
    while node is not None and node.type not in _FUNCTIONS:
        node = node.parent
    if node is not None and line_bounds(source, node.start_byte)[0] == start:
        return "function", line_bounds(source, node.start_byte)[0], node.end_byte, None
    return "line", start, end, None


def directives(source: bytes, root: Node) -> list[Directive]:
    """Every suppression directive of a file, in order."""
    out: list[Directive] = []
    package: Node | None = None
    package_known = False
    for m in _CANDIDATE.finditer(source):
        comment = _comment_at(root, m.start())
        if comment is None or comment.start_byte != m.start():
            continue  # inside a string, or not at the start of the comment
        parsed = parse_comment(source[comment.start_byte : comment.end_byte].decode("utf-8", "replace"))
        if parsed is None:
            continue
        if not package_known:
            package, package_known = _package_clause(root), True
        scope, start, end, below = _scope(source, root, comment, package)
        out.append(Directive(comment.start_byte, comment.end_byte, parsed, scope, start, end, below))
    return out


_MARKERS = (b"nolint", b"plumber:ignore")
_MARKER_REACH = max(len(m) for m in _MARKERS) - 1  # how far a marker may stick out of an edited span


def may_hold_directives(source: bytes) -> bool:
    """A fast test before building the directives of a file."""
    return any(m in source for m in _MARKERS)


def marker_near(source: bytes, start: int, end: int) -> bool:
    """Whether a directive's marker overlaps bytes `start:end` of `source` (an edited span)."""
    window = source[max(0, start - _MARKER_REACH) : end + _MARKER_REACH]
    return may_hold_directives(window)


class Suppressions:
    """The directives of one text; `suppressed(f)` tells whether one covers a finding. `markers`: the text
    holds a directive's marker somewhere (in a string, say, when no directive). `unmarked`: the text is
    known to hold no marker at all (an edit of an unmarked text that brings none), so no scan is needed."""

    def __init__(self, source: bytes, root: Node | None, unmarked: bool = False):
        self.source = source
        self.markers = False if unmarked else may_hold_directives(source)
        if self.markers:
            assert root is not None
            self.directives = directives(source, root)
        else:
            self.directives = []

    def suppressed(self, f: Finding) -> bool:
        return any(d.covers(f) for d in self.directives)

    def filter(self, findings: list[Finding]) -> list[Finding]:
        if not self.directives:
            return findings
        return [f for f in findings if not self.suppressed(f)]


def suppressed(source: bytes, root: Node, f: Finding) -> bool:
    return Suppressions(source, root).suppressed(f)


def suppression_fix(source: bytes, root: Node, f: Finding) -> Fix:
    """Suppress `f` with `//plumber:ignore <code>`: extend such a directive of its line (trailing,
    or alone above it), else put one on a line of its own right above the statement's code, after
    any `/* */` comment the line starts with (where gofmt keeps it, next to the statement)."""
    title = f"Suppress {f.code} on this line"
    line_start, line_end = line_bounds(source, f.start)
    for d in directives(source, root) if may_hold_directives(source) else []:
        if d.parsed.form != "plumber" or d.parsed.list_end is None:
            continue
        trailing = d.scope == "line" and d.start == line_start
        above = d.scope == "below" and d.below is not None and line_start <= d.below <= line_end
        if trailing or above:
            at = d.comment_start + d.parsed.list_end  # the directive and its codes are ASCII
            return Fix(title, (Edit(at, at, "," + f.code),), safe=False)
    nl = "\r\n" if source[line_end - 1 : line_end] == b"\r" else "\n"
    directive = f"{PLUMBER_DIRECTIVE} {f.code}"
    pos = line_start + len(source[line_start:line_end]) - len(source[line_start:line_end].lstrip(b" \t"))
    continued = _comment_at(root, pos)
    if continued is not None and continued.start_byte < line_start:
        line_start = line_bounds(source, continued.start_byte)[0]  # the line ends a block comment: start there
        pos = continued.start_byte
    indent = source[line_start:pos].decode("utf-8", "replace")
    if indent.strip(" \t"):
        indent = indent[: len(indent) - len(indent.lstrip(" \t"))]
    last_comment_end = None
    while True:  # the `/* */` comments the statement's line starts with
        comment = _comment_at(root, pos)
        if comment is None:
            break
        last_comment_end = pos = comment.end_byte
        while source[pos : pos + 1] in (b" ", b"\t"):
            pos += 1
    code_on_line = pos < len(source) and source[pos : pos + 1] not in (b"\r", b"\n")
    if last_comment_end is not None and code_on_line:
        # gofmt puts such a comment on a line of its own: the directive goes between it and the code
        return Fix(title, (Edit(last_comment_end, pos, f"{nl}{indent}{directive}{nl}{indent}"),), safe=False)
    return Fix(title, (Edit(line_start, line_start, f"{indent}{directive}{nl}"),), safe=False)


# Go's convention (https://go.dev/s/generatedcode): a line comment before the package clause.
GENERATED = re.compile(r"// Code generated .* DO NOT EDIT\.")


def generated_file(source: bytes, root: Node) -> bool:
    """Whether the file says it is generated, by Go's convention, before its package clause (only
    the comments there are read: a keystroke in a large file does not scan all of it)."""
    cursor = root.walk()  # (not root.children: a list of every top-level node, 0.2 ms on proc.go)
    if not cursor.goto_first_child():
        return False
    while True:
        child = cursor.node
        if child is None or child.type != "comment":
            return False  # the package clause, or whatever stands first
        text = source[child.start_byte : child.end_byte].rstrip(b"\r").decode("utf-8", "replace")
        if GENERATED.fullmatch(text):
            return True
        if not cursor.goto_next_sibling():
            return False
