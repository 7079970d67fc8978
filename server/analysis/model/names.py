"""What names mean where the model reads Go: the scope both of its readers (types and expressions) consult.

`Names` says what an identifier means at one place of a file: an import, a
local variable, a type parameter, a type declared in the function or in the
package (or one a dot import brings in). `read_types` and `read_exprs` read
nodes under one; the facts, the inference and the summaries build them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from plumber.analysis.model.types import Type


@dataclass
class Names:
    """What names mean in one file (and, inside a function, at one place).

    `imports`: local package name -> import path (blank and dot imports left
    out); `locals`: a callable giving the declaring offset of a local
    variable an identifier refers to, or None; `type_params`: the type
    parameters in scope; `local_types`: types declared in the function.
    """

    source: bytes
    pkg_path: str
    imports: dict[str, str]
    dot_imports: tuple[str, ...] = ()
    type_params: frozenset[str] = frozenset()
    local_types: dict[str, Type] = field(default_factory=dict)
    locals: object = None  # Callable[[Node], int | None]; None at package level
    dot: object = None  # Callable[[str], str | None]: the package an exported name comes from, with dot imports
    cores: dict[str, Type] = field(default_factory=dict)  # type parameter -> its core type, where one is written

    def text(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def local(self, ident: Node) -> int | None:
        return self.locals(ident) if callable(self.locals) else None

    def unqualified(self, name: str) -> str | None:
        """The package path of a package-level name written unqualified: this package's, or with dot imports
        (which bring exported names only) the one `dot` names; None when that is not known."""
        if not self.dot_imports or not name[:1].isupper():
            return self.pkg_path
        return self.dot(name) if callable(self.dot) else None

    def package(self, ident: Node) -> str | None:
        """The import path an identifier names, unless a local shadows it."""
        path = self.imports.get(self.text(ident))
        if path is None or self.local(ident) is not None:
            return None
        return path


def named_children(n: Node) -> list[Node]:
    """The named children of a node, comments left out."""
    return [c for c in n.named_children if c.type != "comment"]
