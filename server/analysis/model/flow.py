"""Released on every path: the one dataflow question every resource check asks, on the control-flow graph.

From the statement that acquires a value, every path to the function's
exit must pass a release of it (or a hand-off). A path that returns first is
a leak (its return is the witness, as go vet's lostcancel names it); so is a
path that reaches an assignment of a new value to the variable, or the
acquisition itself again (a loop), before the release: the old value is
lost. Paths on which the value is nil need nothing: the edge of `if err !=
nil` (err being the call's error result) and of `if v == nil` are not
followed. Paths that end in a panic, a call that never returns or a select
that blocks for ever are not leaks: the process or the goroutine is gone. A
local bool flag set on the path (`isStdout = false`) decides the branches on
it (`if !isStdout { fd.Close() }`): `analysis/bool_flags.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from plumber.analysis.cfg import CFG, Block, Exit
from plumber.analysis.model.infer import _declares
from plumber.analysis.scope import declaration_of, declaring_scope

if TYPE_CHECKING:
    from plumber.analysis.bool_flags import BoolFlags


@dataclass(frozen=True)
class Witness:
    """Where a path leaks: a return (or the end of the function), or the statement that replaces the value."""

    kind: str  # "return", "end" (falls off the closing brace), "reassigned", "again" (the loop comes back)
    node: Node | None  # the return statement or the replacing statement; None for the end of the function
    offset: int  # where to point (the node's start, or the closing brace)


def leak_path(
    cfg: CFG,
    acquisition: Node,
    *,
    stops: Callable[[Node], bool],
    kills: Callable[[Node], bool],
    pruned: Callable[[Block], int | None],
    flags: BoolFlags | None = None,
    on_failure: Callable[[Node], bool] | None = None,
    succeeds: Callable[[Block], bool] | None = None,
) -> Witness | None:
    """The first leaking path's witness from just after `acquisition`, or None when every path releases.

    `stops(node)`: the node releases or hands on the value; `kills(node)`: it assigns the variable a new value;
    `pruned(block)`: the successor index not to follow out of a conditional block (the nil edge); `flags`: the
    function's bool flags, whose values along a path decide the branches on them (a block is then visited once
    per set of known values); `on_failure(node)`: the node defers a release that runs only when the function
    fails (analysis/failure_release.py): past it, only an exit that `succeeds` leaks.
    """
    where = cfg.block_of(acquisition)
    if where is None:
        return None
    first, at = where
    start_node = first.nodes[at]
    known: dict[int, bool] = {}
    for n in first.nodes[at + 1 :]:
        if stops(n):
            return None
        if kills(n):
            return Witness("reassigned", n, n.start_byte)
        _set(flags, n, known, on_failure)
    if not first.succs:
        return _exit_witness(cfg, first, known, succeeds)
    state = _frozen(known)
    seen: set[tuple[int, frozenset]] = set()
    stack = [(b, state) for b in _successors(first, pruned, flags, known)]
    while stack:
        block, state = stack.pop()
        if (block.index, state) in seen:
            continue
        seen.add((block.index, state))
        stopped = False
        known = dict(state)
        for n in block.nodes:
            if n == start_node:
                return Witness("again", n, n.start_byte)  # the loop acquires again before releasing
            if stops(n):
                stopped = True
                break
            if kills(n):
                return Witness("reassigned", n, n.start_byte)
            _set(flags, n, known, on_failure)
        if stopped:
            continue
        if not block.succs:
            w = _exit_witness(cfg, block, known, succeeds)
            if w is not None:
                return w
            continue
        after = _frozen(known)
        stack.extend((b, after) for b in _successors(block, pruned, flags, known))
    return None


# The key of `known` that says the path passed a release deferred for failures only (flags' keys are >= 0).
_FAILURE_RELEASE = -1


def _set(
    flags: BoolFlags | None, node: Node, known: dict[int, bool], on_failure: Callable[[Node], bool] | None = None
) -> None:
    if on_failure is not None and on_failure(node):
        known[_FAILURE_RELEASE] = True
    if flags is None:
        return
    for key, value in flags.assigned(node):
        if value is None:
            known.pop(key, None)
        else:
            known[key] = value


def _frozen(known: dict[int, bool]) -> frozenset:
    return frozenset(known.items())


def _exit_witness(
    cfg: CFG, block: Block, known: dict[int, bool] | None = None, succeeds: Callable[[Block], bool] | None = None
) -> Witness | None:
    if block.exit is not Exit.RETURN:
        return None
    if known and known.get(_FAILURE_RELEASE) and not (succeeds is not None and succeeds(block)):
        return None  # the deferred release may run: the function may be failing here
    ret = block.return_statement
    if ret is not None:
        return Witness("return", ret, ret.start_byte)
    return Witness("end", None, cfg.end)


def _successors(
    block: Block, pruned: Callable[[Block], int | None], flags: BoolFlags | None = None, known: dict | None = None
) -> list[Block]:
    skip = pruned(block) if len(block.succs) == 2 else None
    if skip is None and known and flags is not None and len(block.succs) == 2 and block.cond is not None:
        tested = flags.tested(block.cond)
        if tested is not None and tested[0] in known:
            skip = 1 if known[tested[0]] == tested[1] else 0  # the flag's value on this path picks the edge
    return [block.succs[i] for i in range(len(block.succs) - 1, -1, -1) if i != skip]


__all__ = ["Witness", "first_declaration_start", "leak_path"]


def first_declaration_start(source: bytes, ident: Node) -> int:
    """Where the variable an identifier names is first declared: `x, err := ...` redeclaring err in the same
    scope names the earlier variable (the identifier itself when it is the first declaration)."""
    decl = ident if _declares(source, ident) else declaration_of(source, ident)
    for _ in range(64):
        if decl is None:
            return -1
        holder = decl.parent.parent if decl.parent is not None and decl.parent.type == "expression_list" else None
        if holder is None or holder.type != "short_var_declaration":
            break
        earlier = declaration_of(source, decl)  # what the name meant before this statement
        if earlier is None or declaring_scope(earlier) != declaring_scope(decl):
            break
        decl = earlier
    return decl.start_byte if decl is not None else -1
