"""Per-declaration memoisation of whole-file facts.

Package-wide checks summarise the whole file on every run, and in the editor
a run follows every keystroke. A fact that depends only on one top-level
declaration (and on the file's imports) is the same whenever that
declaration's text is, so it is computed once per change of the declaration,
not once per keystroke anywhere in the file. Computed values must not hold
absolute positions: make them relative to the declaration's start.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from tree_sitter import Node

from plumber.context import FileContext

T = TypeVar("T")

_MEMO: dict[tuple, object] = {}
_LIMIT = 100_000  # entries; cleared wholesale past it (a few open packages need far fewer)


def per_declaration(ctx: FileContext, key: str, compute: Callable[[FileContext, Node], T]) -> list[tuple[Node, T]]:
    """(declaration, compute(ctx, declaration)) for every top-level node of the file, memoised.

    `compute` must read only the declaration it is given (pass it as the
    query node: it is not subject to a restricted run's ranges) and the imports.
    """
    imports = ctx.imports.signature
    src = ctx.source
    out = []
    for decl in ctx.root.named_children:
        k = (key, imports, decl.type, src[decl.start_byte:decl.end_byte])
        try:
            value = _MEMO[k]
        except KeyError:
            value = compute(ctx, decl)
            if len(_MEMO) >= _LIMIT:
                _MEMO.clear()
            _MEMO[k] = value
        out.append((decl, value))
    return out
