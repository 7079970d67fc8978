"""Helpers for the program model's unit tests: parse a Go snippet, find a node by the text around it, ask the model."""

from __future__ import annotations

import os
import re
import textwrap

from tree_sitter import Node, Tree

from plumber.analysis.context import FileContext
from plumber.analysis.local_types import TYPES
from plumber.analysis.model.infer import LocalTypes
from plumber.analysis.model.names import Names
from plumber.analysis.model.types import type_string
from plumber.driver.engine import Engine
from plumber.syntax.parser import new_parser

PARSER = new_parser()


def parse(go: str) -> tuple[bytes, Tree]:
    """A file's text (dedented); `package p` is added when it has no package clause."""
    text = textwrap.dedent(go).lstrip()
    if not text.startswith("package "):
        text = "package p\n\n" + text
    source = text.encode()
    return source, PARSER.parse(source)


def node_at(tree: Tree, source: bytes, needle: str, name: str | None = None) -> Node:
    """The smallest named node spanning `name` (default: the needle's first word) inside the one `needle`."""
    data = needle.encode()
    at = source.find(data)
    assert at >= 0 and source.find(data, at + 1) < 0, f"{needle!r} must occur once"
    word = (name or needle.split()[0].rstrip(",:")).encode()
    m = re.search(rb"(?<!\w)" + re.escape(word) + rb"(?!\w)", data)
    assert m is not None, f"{word!r} not in {needle!r}"
    start = at + m.start()
    node = tree.root_node.named_descendant_for_byte_range(start, start + len(word))
    assert node is not None
    return node


class Snippet:
    """A file of package p (or written into a module on disk) and its LocalTypes."""

    def __init__(self, go: str, path: str | None = None, engine: Engine | None = None):
        if path is not None:
            with open(path, "wb") as f:
                f.write(textwrap.dedent(go).lstrip().encode())
            with open(path, "rb") as f:
                self.source = f.read()
            self.tree = PARSER.parse(self.source)
            ctx = (engine or Engine([])).context(path, self.source, self.tree)
        else:
            self.source, self.tree = parse(go)
            ctx = FileContext(self.source, self.tree)
        self.ctx = ctx
        self.types: LocalTypes = ctx.result(TYPES)

    def node(self, needle: str, name: str | None = None) -> Node:
        return node_at(self.tree, self.source, needle, name)

    def var(self, needle: str, name: str | None = None) -> str | None:
        """The type of the variable an identifier declares or uses, as go/types prints it; None: unknown."""
        t = self.types.ident(self.node(needle, name))
        return type_string(t) if t is not None else None

    def expr(self, needle: str) -> str | None:
        """The type of the expression whose text is the one `needle`."""
        data = needle.encode()
        at = self.source.find(data)
        assert at >= 0 and self.source.find(data, at + 1) < 0, f"{needle!r} must occur once"
        node = self.tree.root_node.named_descendant_for_byte_range(at, at + len(data))
        assert node is not None and (node.start_byte, node.end_byte) == (at, at + len(data)), needle
        t = self.types.expr(node)
        return type_string(t) if t is not None else None


def names(source: bytes, imports: dict[str, str] | None = None, pkg: str = "example.com/p") -> Names:
    return Names(source, pkg, imports or {})


def write_module(root: str, files: dict[str, str], module: str = "example.com/m") -> None:
    """A module on disk: go.mod and the files (relative paths)."""
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write(f"module {module}\n\ngo 1.22\n")
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip())
