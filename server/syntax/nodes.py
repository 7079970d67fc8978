"""Small facts about tree-sitter-go nodes that every layer above needs.

What a check needs of a whole function (paths, scopes) lives in the analysis layer.

Ancestor walks: tree-sitter finds `Node.parent` by descending from the root
(O(depth) per call), so a walk up through `.parent` costs O(depth²): 20,000
nested blocks make one walk cost seconds. `parent_of` / `ancestors` take the
first few steps through `.parent` (cheap near the root, and most walks stop
early), then descend once from the tree's root with `child_with_descendant`
(O(depth) in all) and remember each parent on the way, per tree. The root is
the one of the analysis under way (`walking(root)`, set by the engine); a node
of another tree falls back to `.parent`.

`walking` also carries the analysis' deadline and its "still wanted" test:
deep walks check them every few thousand steps and raise `Abandoned`, so
one pathological file gives up instead of stalling the server.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import time
from collections.abc import Callable, Iterator

from tree_sitter import Node

SHALLOW = 24  # steps through Node.parent before descending from the root
CHECK_EVERY = 2048  # walk steps between looks at the deadline


class Abandoned(Exception):
    """The analysis went over its time budget, or its result is no longer wanted."""


class _Walk:
    __slots__ = ("deadline", "memo", "parents", "root", "steps", "wanted")

    def __init__(self, root: Node | None, deadline: float | None, wanted: Callable[[], bool] | None):
        self.root = root
        self.parents: dict[int, Node | None] = {}  # node id -> parent, in `root`'s tree
        self.deadline = deadline
        self.wanted = wanted
        self.steps = 0
        self.memo: dict = {}  # per-analysis caches of the layers above (`walk_memo`)

    def tick(self, n: int) -> None:
        self.steps += n
        if self.steps >= CHECK_EVERY:
            self.steps = 0
            check_budget()


_WALK: contextvars.ContextVar[_Walk | None] = contextvars.ContextVar("plumber_walk", default=None)


@contextlib.contextmanager
def walking(
    root: Node | None = None, deadline: float | None = None, wanted: Callable[[], bool] | None = None
) -> Iterator[None]:
    """Walks below run in `root`'s tree; `deadline` (time.monotonic) and `wanted()` bound the work.
    Nested: an inner call without a deadline keeps the outer one's."""
    outer = _WALK.get()
    if outer is not None:
        deadline = deadline if deadline is not None else outer.deadline
        wanted = wanted if wanted is not None else outer.wanted
        if root is None:
            root = outer.root
    token = _WALK.set(_Walk(root, deadline, wanted))
    try:
        yield
    finally:
        _WALK.reset(token)


def walk_memo() -> dict | None:
    """A dict that lives as long as the analysis under way (`walking`), for caches of facts about its
    nodes; None outside one. Keys must name the tree they are about (an entry should hold the source
    and a node of it, so that no other tree can reuse their ids while the entry lives)."""
    walk = _WALK.get()
    return walk.memo if walk is not None else None


def check_budget() -> None:
    """Raise Abandoned when the analysis under way is past its deadline or no longer wanted."""
    walk = _WALK.get()
    if walk is None:
        return
    if walk.deadline is not None and time.monotonic() > walk.deadline:
        raise Abandoned("over its time budget")
    if walk.wanted is not None and not walk.wanted():
        raise Abandoned("superseded")


def _descend(walk: _Walk, node: Node) -> bool:
    """Record the parents of `node` and its ancestors, descending from the walk's root (False when
    `node` is not in that tree)."""
    root = walk.root
    if root is None:
        return False
    chain = [root]
    n: Node = root
    while n != node:
        child = n.child_with_descendant(node)
        if child is None:
            return False
        chain.append(child)
        n = child
    walk.tick(len(chain))
    parents = walk.parents
    parents[root.id] = None
    for up, down in itertools.pairwise(chain):
        parents[down.id] = up
    return True


def parent_of(node: Node) -> Node | None:
    """`node.parent`, in O(1) once any walk passed by (see the module docstring)."""
    walk = _WALK.get()
    if walk is None or walk.root is None:
        return node.parent
    parents = walk.parents
    if node.id in parents:
        got = parents[node.id]
        if got is None or got.start_byte <= node.start_byte:
            return got
    if _descend(walk, node):
        return parents[node.id]
    return node.parent


def ancestors(node: Node) -> Iterator[Node]:
    """The ancestors of `node`, innermost first: O(depth) in all, however deep."""
    walk = _WALK.get()
    if walk is not None:
        walk.tick(1)
    n: Node | None = node
    for _ in range(SHALLOW):
        n = n.parent  # type: ignore[union-attr]
        if n is None:
            return
        yield n
    while n is not None:
        if walk is not None:
            walk.tick(1)
        n = parent_of(n)
        if n is not None:
            yield n


FUNCTION_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})
BREAKABLE_TYPES = frozenset(
    {"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"}
)


def _identifier_byte(b: int) -> bool:
    return b == 0x5F or 0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A or b >= 0x80


def word_starts(source: bytes, word: bytes) -> Iterator[int]:
    """Where `word` (an identifier) stands in the text as a whole word. (bytes.find: a regular expression
    starting with \\b has no fast scan, 4 ms where this takes 0.2 ms on proc.go.)"""
    at = source.find(word) if word else -1
    end = len(source)
    while at >= 0:
        after = at + len(word)
        if (at == 0 or not _identifier_byte(source[at - 1])) and (after == end or not _identifier_byte(source[after])):
            yield at
        at = source.find(word, at + 1)


def node_text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def enclosing_function(node: Node) -> Node | None:
    """The innermost function declaration, method or function literal holding `node`."""
    for n in ancestors(node):
        if n.type in FUNCTION_TYPES:
            return n
    return None


def top_level(node: Node) -> Node:
    """The top-level declaration (child of source_file) holding `node`."""
    n = node
    for up in ancestors(node):
        if up.type == "source_file":
            return n
        n = up
    return n


def function_name(source: bytes, fn: Node) -> str | None:
    name = fn.child_by_field_name("name")
    return node_text(source, name) if name is not None else None


def inside_loop(node: Node, stop: Node | None = None) -> Node | None:
    """The innermost for statement around `node`, not crossing a function boundary or `stop`."""
    for n in ancestors(node):
        if n is stop or n.type in FUNCTION_TYPES:
            return None
        if n.type == "for_statement":
            return n
    return None


def ancestor_below(node: Node, types: frozenset[str] | set[str], stop: Node) -> Node | None:
    """The innermost ancestor of `node` of one of `types` strictly below `stop` (or None)."""
    for n in ancestors(node):
        if n == stop:
            return None
        if n.type in types:
            return n
    return None


def called_in_place(lit: Node) -> bool:
    """Whether the function literal `lit` is called where it stands: `func() { ... }()`."""
    call = lit.parent
    return call is not None and call.type == "call_expression" and call.child_by_field_name("function") == lit


def in_nested_function(node: Node, top: Node) -> bool:
    """Whether a function literal (or declaration) lies between `node` and its ancestor `top`."""
    for n in ancestors(node):
        if n == top:
            return False
        if n.type in FUNCTION_TYPES:
            return True
    return False


def break_target(jump: Node) -> Node | None:
    """The statement an unlabelled `break` leaves: the innermost for, switch or select in its function."""
    for n in ancestors(jump):
        if n.type in FUNCTION_TYPES:
            return None
        if n.type in BREAKABLE_TYPES:
            return n
    return None


def outer(node: Node) -> Node:
    """`node` with the parentheses around it: the node whose parent says what is done with the value."""
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def unparen(node: Node) -> Node:
    """The expression inside any parentheses around it."""
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def statements_of(block: Node | None) -> list[Node]:
    """The statements of a block (or statement list), comments left out."""
    if block is None:
        return []
    kids = [c for c in block.named_children if c.type != "comment"]
    if len(kids) == 1 and kids[0].type == "statement_list":
        kids = [c for c in kids[0].named_children if c.type != "comment"]
    return kids


def child_containing(parent: Node, node: Node) -> Node | None:
    """The direct child of `parent` that contains `node` (`node` itself when it is one)."""
    if node == parent:
        return None
    child = parent.child_with_descendant(node)  # one step down, O(children)
    if child is not None and (child == node or child.start_byte <= node.start_byte <= node.end_byte <= child.end_byte):
        return child
    n: Node | None = node
    for up in ancestors(node):
        if up == parent:
            return n
        n = up
    return None


def goroutine_literal(go: Node) -> Node | None:
    """The function literal a `go func() {...}()` statement starts, if that is what it starts."""
    call = go.named_children[0] if go.named_children else None
    if call is None or call.type != "call_expression":
        return None
    f = call.child_by_field_name("function")
    return f if f is not None and f.type == "func_literal" else None


def within(node: Node, outer_node: Node) -> bool:
    """`node` lies inside `outer_node`'s span (for nodes of one tree: is `outer_node` or below it)."""
    return outer_node.start_byte <= node.start_byte and node.end_byte <= outer_node.end_byte


def on_the_way(node: Node, use: Node) -> bool:
    """The block holding the statement of `node` (an identifier it assigns, say) also holds `use`: that
    statement runs on the way to `use`, not on a branch beside it."""
    stmt = node.parent.parent if node.parent is not None else None
    block = stmt.parent if stmt is not None else None
    return block is not None and within(use, block)


def following(stmt: Node, parent: Node) -> list[Node]:
    """The statements after `stmt` in its `parent` block, comments left out (`parent` passed in: a
    caller walking `ancestors` has it without the quadratic `.parent` climb)."""
    kids = parent.named_children
    at = next((i for i, k in enumerate(kids) if k.start_byte == stmt.start_byte and k.end_byte == stmt.end_byte), None)
    return [] if at is None else [k for k in kids[at + 1 :] if k.type != "comment"]


def parameter_names(fn: Node, source: bytes) -> list[str]:
    """The parameters' names in order (`_` for an unnamed one)."""
    params = fn.child_by_field_name("parameters")
    out: list[str] = []
    for p in params.named_children if params is not None else []:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        names = [source[c.start_byte : c.end_byte].decode("utf-8", "replace") for c in p.children_by_field_name("name")]
        out.extend(names or ["_"])
    return out


# The package-level `var` specs of a file, one match each (`spec`): a query rooted at the file.
PACKAGE_VAR_SPECS = "(source_file (var_declaration [(var_spec) @spec (var_spec_list (var_spec) @spec)]))"


def file_function(root: Node, source: bytes, name: str) -> Node | None:
    """The top-level function declaration named `name` of the file, if there is exactly one."""
    found = []  # (found from the text: reading every top-level node's name costs 0.4 ms on proc.go)
    word = name.encode()
    for at in word_starts(source, word):
        top = root.first_named_child_for_byte(at)
        if top is not None and top.type == "function_declaration":
            ident = top.child_by_field_name("name")
            if ident is not None and ident.start_byte == at and ident.end_byte == at + len(word):
                found.append(top)
    return found[0] if len(found) == 1 else None
