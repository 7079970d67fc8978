"""The file's imports: which local names mean which packages."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from plumber.syntax.parser import captures

IMPORT_SPECS = "(import_spec) @spec"


def default_name(path: str) -> str:
    """The name a package is known by when imported without an alias.

    Go uses the package clause, which we cannot see; the last path element,
    minus a major-version suffix ("/v2") or a "go-" prefix or ".vN" suffix,
    is right for the standard library and the usual module layouts.
    """
    parts = path.split("/")
    last = parts[-1]
    if len(parts) > 1 and last.startswith("v") and last[1:].isdigit():
        last = parts[-2]
    if last.startswith("go-"):
        last = last[3:]
    for suffix in (".go", "-go"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
    if "." in last and last.rsplit(".", 1)[1].startswith("v"):
        last = last.rsplit(".", 1)[0]  # gopkg.in/yaml.v3
    return last.replace("-", "_")


def unvendored(path: str) -> str:
    """The package a vendored import path names: `m/vendor/golang.org/x/net/context` is
    `golang.org/x/net/context` (the go command's vendor rule), and so is a godep workspace's
    `m/Godeps/_workspace/src/golang.org/x/net/context` (the import rewriting of `godep save -r`)."""
    for marker in ("/Godeps/_workspace/src/", "/vendor/"):
        i = path.rfind(marker)
        if i >= 0:
            return path[i + len(marker) :]
    return path[len("vendor/") :] if path.startswith("vendor/") else path


@dataclass(frozen=True, slots=True)
class Import:
    path: str
    name: str  # the local name: alias, default name, "." or "_"
    node: Node  # the import_spec


class ImportTable:
    def __init__(self, source: bytes, root: Node):
        self.imports: list[Import] = []
        self.by_name: dict[str, str] = {}
        self.dot_paths: list[str] = []
        self.decls: list[Node] = [c for c in root.children if c.type == "import_declaration"]
        if not self.decls:
            return
        for spec in captures(IMPORT_SPECS, root, 0, self.decls[-1].end_byte).get("spec", []):
            path_node = spec.child_by_field_name("path")
            if path_node is None:
                continue
            path = unvendored(source[path_node.start_byte + 1 : path_node.end_byte - 1].decode("utf-8", "replace"))
            name_node = spec.child_by_field_name("name")
            name = source[name_node.start_byte : name_node.end_byte].decode() if name_node else default_name(path)
            self.imports.append(Import(path, name, spec))
            if name == ".":
                self.dot_paths.append(path)
            elif name != "_":
                self.by_name[name] = path

    @property
    def signature(self) -> tuple:
        """What the imports bind, comparable across versions of a file."""
        return tuple((i.name, i.path) for i in self.imports)

    def path_of(self, name: str) -> str | None:
        """Import path bound to a local package name."""
        return self.by_name.get(name)

    def names_of(self, path: str) -> list[str]:
        return [i.name for i in self.imports if i.path == path and i.name not in (".", "_")]

    def has(self, path: str) -> bool:
        return any(i.path == path for i in self.imports)

    def imports_any(self, *paths: str) -> bool:
        """Cheap pre-filter: does the file import (or dot-import) any of these?"""
        return any(i.path in paths for i in self.imports)
