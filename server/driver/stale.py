"""Which top-level declarations of a document an edit leaves stale, in the coordinates after it.

The incremental analyzer (`incremental.py`) reruns those and moves the findings of the others by the
edits. Besides the edited ranges: nodes tree-sitter parsed anew without reporting a changed range
(after a syntax error, `parsed_anew`), and declarations that name a function or method whose signature
changed (`mentioning`), since the types a check reads there may differ; the analyzer reruns likewise
the declarations naming a name whose value changed in a fact of the whole file a check read
(`FileContext.read_across`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from plumber.analysis.model import exprs as E
from plumber.analysis.model.packages import PackageFacts
from plumber.core.findings import Edit, Finding, Fix, Related
from plumber.syntax.document import ByteEdit
from plumber.syntax.nodes import word_starts

# Top-level nodes an edit may touch without forcing a whole-file run.
LOCAL_TOP_LEVEL = frozenset({"function_declaration", "method_declaration", "comment"})
_NON_SPACE = re.compile(rb"\S")


def shift(x: int, e: ByteEdit) -> int:
    if x < e.start:
        return x
    if x >= e.old_end:
        return x + (e.new_end - e.old_end)
    return e.start


def shift_finding(f: Finding, e: ByteEdit) -> Finding:
    """`f` with every offset (span, fix edits, related) moved by the edit `e`."""
    s = e.start
    if f.end < s and not f.fixes and not f.related:
        return f
    fixes = tuple(
        Fix(fx.title, tuple(Edit(shift(d.start, e), shift(d.end, e), d.new_text) for d in fx.edits), fx.safe)
        for fx in f.fixes
    )
    rel = tuple(
        r if r.path is not None else Related(shift(r.start, e), shift(r.end, e), r.message, r.path) for r in f.related
    )
    return replace(f, start=shift(f.start, e), end=shift(f.end, e), fixes=fixes, related=rel)


def top_level_from(root, text: bytes, s: int, e: int):
    """A cursor on the first top-level node overlapping [s, e], or None.

    (A cursor: Node.first_child_for_byte crashes past the last child in
    py-tree-sitter 0.26, and goto_first_child_for_byte finds nothing in the
    whitespace between two nodes, which is skipped.)"""
    cursor = root.walk()
    while cursor.goto_first_child_for_byte(s) is None:
        m = _NON_SPACE.search(text, s, e + 1)
        if m is None or m.start() == s:
            return None
        s = m.start()
    return cursor


def package_start(root) -> int:
    """Where the package clause starts (0 when there is none): comments before it are the file's
    header, whose directives (//nolint, "Code generated") govern the whole file."""
    cursor = root.walk()
    if cursor.goto_first_child():
        while cursor.node.type == "comment":
            if not cursor.goto_next_sibling():
                return 0
        if cursor.node.type == "package_clause":
            return cursor.node.start_byte
    return 0


def fixed_spans(tree) -> list[tuple[int, int]]:
    """Spans of the top-level nodes an incremental run must not see edited (O(top-level nodes))."""
    out = []
    cursor = tree.root_node.walk()
    header_end = package_start(tree.root_node)
    if cursor.goto_first_child():
        while True:
            node = cursor.node
            if node.is_named and (node.type not in LOCAL_TOP_LEVEL or node.is_missing or node.end_byte <= header_end):
                out.append((node.start_byte, node.end_byte))
            if not cursor.goto_next_sibling():
                break
    return out


def first_error(root) -> int | None:
    """Start of the first top-level node that holds a syntax error."""
    for node in root.children:
        if node.has_error or node.is_missing:
            return node.start_byte
    return None


def parsed_anew(old, tree, changes: list) -> list[tuple[int, int]] | None:
    """Spans of the top-level nodes of `tree` whose parse differs from that of `old` (the tree of the last
    run, of the text before `changes`), none of whose text an edit touched; None when one of them is not a
    function, method or comment (a whole-file run). (Leaves, the top-level comments, are tokens: the
    edits' ranges cover them.)"""
    edits = [ev for ev in changes if isinstance(ev, ByteEdit)]
    olds = {}
    for node in old.root_node.children:
        if node.child_count:
            s, e, touched = node.start_byte, node.end_byte, False
            for ev in edits:
                touched = touched or (ev.start <= e and ev.old_end >= s)
                s, e = shift(s, ev), shift(e, ev)
            if not touched:
                olds[s] = node
    out = []
    for node in tree.root_node.children:
        if not node.child_count:
            continue
        prior = olds.get(node.start_byte)
        if prior is not None and same_parse(prior, node, node.start_byte - prior.start_byte, [SAME_PARSE_NODES]):
            continue
        if node.type not in LOCAL_TOP_LEVEL or node.is_missing:
            return None
        out.append((node.start_byte, node.end_byte))
    return out


SAME_PARSE_NODES = 256  # nodes compared one by one per top-level node, past which it counts as parsed anew


def same_parse(a, b, delta: int, budget: list[int]) -> bool:
    """Whether `b` is `a` parsed alike (moved by `delta`), on text no edit touched.

    A subtree that tree-sitter's incremental parse reused is the old subtree itself, and a node's children
    live in its subtree's allocation, so the first child's id (the address of its slot) is the old one;
    a subtree built anew is a new allocation, which cannot share an address with the old tree's (alive as
    long as `a`'s tree is). A node built anew over reused children is compared child by child."""
    if a.kind_id != b.kind_id or a.child_count != b.child_count or a.start_byte + delta != b.start_byte:
        return False
    if a.end_byte + delta != b.end_byte or a.is_missing != b.is_missing:
        return False
    if not a.child_count or a.child(0).id == b.child(0).id:
        return True
    budget[0] -= a.child_count
    if budget[0] < 0:
        return False
    return all(same_parse(x, y, delta, budget) for x, y in zip(a.children, b.children, strict=True))


def merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def shift_all(findings: list[Finding], changes: list) -> list[Finding]:
    """`findings` moved through the byte edits of `changes`; those an edit touches are dropped."""
    for ev in changes:
        if isinstance(ev, ByteEdit):
            findings = [shift_finding(f, ev) for f in findings if not (f.start <= ev.old_end and f.end >= ev.start)]
    return findings


def changed_names(before: object, after: object) -> set[str] | None:
    """The functions and methods whose facts differ between two versions of a package's merged
    declarations (`PackageFacts`); None when a type or a package-level value differs, or one names a
    changed function (its type may follow from that function's), or either version is not known."""
    if not isinstance(before, PackageFacts) or not isinstance(after, PackageFacts):
        return None
    if before.types != after.types or before.values != after.values:
        return None
    names = {k for k in before.funcs.keys() | after.funcs.keys() if _differ(before.funcs.get(k), after.funcs.get(k))}
    for recv in before.methods.keys() | after.methods.keys():
        old, new = before.methods.get(recv, {}), after.methods.get(recv, {})
        if old is not new:
            names.update(k for k in old.keys() | new.keys() if _differ(old.get(k), new.get(k)))
    if names and any(_names_any(v.init, names) for v in after.values.values()):
        return None
    return names


def _differ(a: object, b: object) -> bool:
    return a is not b and a != b


def _names_any(x: E.Expr, names: set[str]) -> bool:
    """Whether an initializer names one of `names` (a package-level function or a method)."""
    if isinstance(x, E.Global | E.Select) and x.name in names:
        return True
    return any(_names_any(c, names) for c in _operands(x))


def _operands(x: E.Expr) -> tuple[E.Expr, ...]:
    if isinstance(x, E.Call):
        return (x.fn, *x.args)
    if isinstance(x, E.Builtin):
        return x.args
    if isinstance(x, E.Select | E.Index | E.SliceOf):
        return (x.base,)
    if isinstance(x, E.Unary):
        return (x.operand,)
    if isinstance(x, E.Binary):
        return (x.left, x.right)
    return ()


def mentioning(text: bytes, root, names: set[str]) -> list[tuple[int, int]] | None:
    """Spans of the functions and methods whose text names one of `names` (a word anywhere: a call, a
    method value, a comment); None when a top-level node of another kind does (a whole-file run)."""
    if not names:
        return []
    spans: list[tuple[int, int]] = []
    for at, end in sorted((at, at + len(w)) for w in {n.encode() for n in names} for at in word_starts(text, w)):
        if spans and spans[-1][0] <= at < spans[-1][1]:
            continue
        cursor = top_level_from(root, text, at, end)
        if cursor is None or cursor.node.start_byte > at:
            continue
        node = cursor.node
        if node.type == "comment":
            continue
        if node.type not in LOCAL_TOP_LEVEL or node.is_missing:
            return None
        spans.append((node.start_byte, node.end_byte))
    return merge(spans)
