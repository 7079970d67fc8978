"""Building blocks for fixes: gofmt-clean line insertions and the import editor.

Every helper returns `Edit`s against the unchanged source, so fixes computed
from one snapshot combine (identical edits, such as the same import added by
two fixes, are merged by `fixes.compose`).
"""

from __future__ import annotations

import itertools

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.core.findings import Edit


def line_start(source: bytes, offset: int) -> int:
    return source.rfind(b"\n", 0, offset) + 1


def line_end(source: bytes, offset: int) -> int:
    """Offset of the line's end (before its "\\n" or "\\r\\n")."""
    end = source.find(b"\n", offset)
    if end < 0:
        return len(source)
    return end - 1 if end > 0 and source[end - 1 : end] == b"\r" else end


def newline(source: bytes, offset: int = 0) -> str:
    end = source.find(b"\n", offset)
    return "\r\n" if end > 0 and source[end - 1 : end] == b"\r" else "\n"


def indentation(source: bytes, node: Node) -> str:
    """The leading whitespace of the line on which `node` starts."""
    start = line_start(source, node.start_byte)
    i = start
    while i < len(source) and source[i] in b" \t":
        i += 1
    return source[start:i].decode()


def insert_line_after(ctx: FileContext, node: Node, line: str, indent_like: Node | None = None) -> Edit:
    """Insert `line` as a new line after the line where `node` ends (after any trailing comment)."""
    src = ctx.source
    indent = indentation(src, indent_like or node)
    end = line_end(src, node.end_byte)
    rest = src[node.end_byte : end].strip()
    at = end if (not rest or rest.startswith(b"//")) else node.end_byte
    return Edit(at, at, newline(src, node.end_byte) + indent + line)


# -- imports ---------------------------------------------------------------


def import_name(ctx: FileContext, path: str) -> str | None:
    """The name under which `path` is usable in the file, if imported."""
    names = ctx.imports.names_of(path)
    return names[0] if names else None


def add_import(ctx: FileContext, path: str) -> Edit | None:
    """An edit importing `path`, gofmt-clean; None when it is already imported under a usable name.

    Joins the first parenthesised import block (its standard-library group,
    in sorted position, above any comment lines that belong to the spec it
    precedes), never the `import "C"` declaration, whose preamble comment must
    stay attached to it; otherwise adds a declaration of its own after the
    last import (after `import "C"` when that is the only one), or after the
    package clause when there is none. A blank (`_`) or dot import does not
    make the package's name usable, so a plain import is still added.
    Edits of two fixes adding the same import are identical, so
    `fixes.compose` applies one of them.
    """
    if ctx.imports.names_of(path):
        return None
    src = ctx.source
    nl = newline(src)
    decls = [d for d in ctx.imports.decls if not _is_cgo_import(ctx, d)]
    quoted = f'"{path}"'
    for decl in decls:
        spec_list = next((c for c in decl.named_children if c.type == "import_spec_list"), None)
        if spec_list is None:
            continue
        specs = [c for c in spec_list.named_children if c.type == "import_spec"]
        if not specs:
            open_paren, close = spec_list.children[0], spec_list.children[-1]
            if b"\n" not in src[open_paren.end_byte : close.start_byte]:  # import ()
                return Edit(open_paren.end_byte, close.start_byte, nl + "\t" + quoted + nl)
            return Edit(line_start(src, close.start_byte), line_start(src, close.start_byte), "\t" + quoted + nl)
        group = _first_group(ctx, specs)
        for spec in group:
            if _spec_path(ctx, spec) > path:
                at = _above_comments(src, spec)
                return Edit(at, at, indentation(src, spec) + quoted + newline(src, spec.start_byte))
        return insert_line_after(ctx, group[-1], quoted)
    anchor = (decls or ctx.imports.decls)[-1] if ctx.imports.decls else None
    if anchor is None:
        anchor = next((c for c in ctx.root.children if c.type == "package_clause"), None)
        if anchor is None:
            return None
    at = line_end(src, anchor.end_byte)
    return Edit(at, at, nl + nl + "import " + quoted)


def import_for(ctx: FileContext, path: str) -> tuple[str, Edit | None] | None:
    """The name to write for package `path` in a fix, and the edit importing it if needed.

    None when the package cannot be named: its default name is already bound
    to another import.
    """
    from plumber.syntax.imports import default_name

    name = import_name(ctx, path)
    if name is not None:
        return name, None
    name = default_name(path)
    if ctx.imports.path_of(name) not in (None, path):
        return None
    return name, add_import(ctx, path)


def _above_comments(src: bytes, spec: Node) -> int:
    """The start of the comment lines directly above `spec` (its own line when there are none)."""
    at = line_start(src, spec.start_byte)
    while at > 0:
        prev = line_start(src, at - 1)
        if not src[prev:at].strip().startswith(b"//"):
            break
        at = prev
    return at


def _is_cgo_import(ctx: FileContext, decl: Node) -> bool:
    return any(_spec_path(ctx, s) == "C" for s in _specs(decl))


def _specs(decl: Node) -> list[Node]:
    out = []
    for c in decl.named_children:
        if c.type == "import_spec":
            out.append(c)
        elif c.type == "import_spec_list":
            out.extend(s for s in c.named_children if s.type == "import_spec")
    return out


def _spec_path(ctx: FileContext, spec: Node) -> str:
    p = spec.child_by_field_name("path")
    return ctx.text(p).strip('"`') if p is not None else ""


def _first_group(ctx: FileContext, specs: list[Node]) -> list[Node]:
    """The specs of the first blank-line-separated run that holds standard-library paths, else the first run."""
    src = ctx.source
    groups: list[list[Node]] = [[specs[0]]]
    for prev, spec in itertools.pairwise(specs):
        between = src[prev.end_byte : spec.start_byte].replace(b"\r", b"")
        if any(not line.strip() for line in between.split(b"\n")[1:-1]):
            groups.append([])
        groups[-1].append(spec)
    for g in groups:
        if any("." not in _spec_path(ctx, s).split("/")[0] for s in g):
            return g
    return groups[0]
