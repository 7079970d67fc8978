"""Helpers for the CFG tests: parse a Go snippet, build one function's graph, print it readably."""

from __future__ import annotations

import textwrap

import tree_sitter as ts
import tree_sitter_go as tsg

from plumber.analysis.cfg import CFG, build

PARSER = ts.Parser(ts.Language(tsg.language()))
FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")


def parse(go: str) -> tuple[bytes, ts.Tree]:
    """`go` is the file's text after `package p`."""
    source = ("package p\n\n" + textwrap.dedent(go)).encode()
    return source, PARSER.parse(source)


def functions(root: ts.Node) -> list[ts.Node]:
    """Every function declaration, method and literal under root, in source order."""
    out, stack = [], [root]
    while stack:
        n = stack.pop()
        if n.type in FUNCTIONS:
            out.append(n)
        stack.extend(reversed(n.children))
    return out


def graph(go: str, which: int = 0, **callbacks) -> tuple[CFG, bytes]:
    """The CFG of the `which`-th function (declarations, methods and literals in source order) of `go`."""
    source, tree = parse(go)
    return build(functions(tree.root_node)[which], source, **callbacks), source


def text(source: bytes, node: ts.Node) -> str:
    return " ".join(source[node.start_byte : node.end_byte].decode().split())


def shape(cfg: CFG, source: bytes) -> str:
    """One line per live block, and per dead block that holds nodes:
    `index KIND: node; node -> successor indices [EXIT]`, dead blocks marked `(dead)`."""
    lines = []
    for b in cfg.blocks:
        if not b.live and not b.nodes:
            continue
        line = f"{b.index} {b.kind.name}{'' if b.live else ' (dead)'}:"
        if b.nodes:
            line += " " + "; ".join(text(source, n) for n in b.nodes)
        if b.succs:
            line += " -> " + " ".join(str(s.index) for s in b.succs)
        if b.exit is not None:
            line += f" [{b.exit.name}]"
        lines.append(line)
    return "\n".join(lines)


def expect(go: str, expected: str, which: int = 0, **callbacks) -> CFG:
    """Build and compare the printed graph with `expected` (dedented); returns the CFG for further checks."""
    cfg, source = graph(go, which, **callbacks)
    assert shape(cfg, source) == textwrap.dedent(expected).strip()
    return cfg


def find(cfg: CFG, source: bytes, snippet: str) -> ts.Node:
    """The first node of the graph whose text is `snippet`."""
    for b in cfg.blocks:
        for n in b.nodes:
            if text(source, n) == snippet:
                return n
    raise AssertionError(f"no node {snippet!r} in the graph")
