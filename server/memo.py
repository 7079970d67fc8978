"""Per-declaration memoisation of whole-file facts.

Package-wide checks summarise the whole file on every run, and in the editor
a run follows every keystroke. A fact that depends only on one top-level
declaration (and on the file's imports) is the same whenever that
declaration's text is, so it is computed once per change of the declaration,
not once per keystroke anywhere in the file. Computed values must not hold
absolute positions: make them relative to the declaration's start.

Memory stays bounded: per (fact, file) only the declarations of the file's
latest run are kept, for the most recently analysed files.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, TypeVar

from tree_sitter import Node

from plumber.context import FileContext

T = TypeVar("T")

MAX_FILES = 64  # (fact, file) pairs kept; the CLI sees each file once, an editor a few at a time

_memo: OrderedDict[tuple[str, str], dict[tuple, object]] = OrderedDict()
_lock = threading.Lock()


def per_declaration(ctx: FileContext, key: str, compute: Callable[[FileContext, Node], T]) -> list[tuple[Node, T]]:
    """(declaration, compute(ctx, declaration)) for every top-level node of the file, memoised.

    `compute` must read only the declaration it is given (pass it as the
    query node: it is not subject to a restricted run's ranges) and the imports.
    """
    src = ctx.source
    decls = ctx.root.named_children
    if ctx.path is None:
        return [(d, compute(ctx, d)) for d in decls]
    slot = (key, ctx.path)
    with _lock:
        previous = _memo.pop(slot, {})
    imports = ctx.imports.signature
    current: dict[tuple, object] = {}
    out = []
    for decl in decls:
        k = (imports, decl.type, src[decl.start_byte:decl.end_byte])
        value = current.get(k, previous.get(k, _MISSING))
        if value is _MISSING:
            value = compute(ctx, decl)
        current[k] = value
        out.append((decl, value))
    with _lock:
        _memo[slot] = current
        while len(_memo) > MAX_FILES:
            _memo.popitem(last=False)
    return out


_MISSING = object()
