"""Path questions on a CFG: does some path from a node reach an exit without passing a stop (lostcancel's search)?

Both searches are depth-first in successor order (so the answer is deterministic) and visit each block at most
once (so they are linear in the graph's size). "After a node" means the nodes that follow it in its block, then
its block's successors. A release before the start in its own block releases an earlier value: a path that loops
back to the start block has to pass the start again, and that continuation was the first one searched.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from plumber.analysis.cfg import CFG, Block, Exit


def _every_edge(block: Block, i: int) -> bool:
    return True


def escaping_path(
    cfg: CFG,
    start: Node,
    *,
    stops: Callable[[Node], bool],
    follow: Callable[[Block, int], bool] = _every_edge,
    exits: tuple[Exit, ...] = (Exit.RETURN,),
) -> Block | None:
    """The first block found that ends the function by one of ``exits`` on a path from just after ``start`` on
    which no node satisfies ``stops`` (the witness), or None when every such path stops or ends otherwise.

    ``start`` is a node of ``cfg`` or lies inside one (then the path starts after that enclosing node).
    ``stops(node)``: the value is released or handed over at ``node``; that path ends there.
    ``follow(block, i)`` is asked before taking ``block.succs[i]`` (for every edge); False prunes the edge,
    e.g. the ``err != nil`` edge on which the value is nil (look at ``block.cond``).
    Raises ValueError when ``start`` is in no block of ``cfg``.
    """
    where = cfg.block_of(start)
    if where is None:
        raise ValueError("start is not inside any block of this CFG")
    first, at = where
    if any(stops(n) for n in first.nodes[at + 1 :]):
        return None
    if not first.succs:
        return first if first.exit in exits else None
    seen: set[int] = set()
    stack = _successors(first, follow)
    while stack:
        block = stack.pop()
        if block.index in seen:
            continue
        seen.add(block.index)
        if block is first:
            # Back at the start block: its nodes before `start` either stop this path or lead to `start` again,
            # and everything after `start` was searched first. Either way nothing new (and nothing is stopped
            # by a release that comes before `start` in the block: that one released an earlier value).
            continue
        if any(stops(n) for n in block.nodes):
            continue
        if not block.succs:
            if block.exit in exits:
                return block
            continue
        stack.extend(_successors(block, follow))
    return None


def _successors(block: Block, follow: Callable[[Block, int], bool]) -> list[Block]:
    """The followed successors, reversed so that popping them visits them in order."""
    return [block.succs[i] for i in range(len(block.succs) - 1, -1, -1) if follow(block, i)]


def reachable(cfg: CFG, a: Node, b: Node) -> bool:
    """Whether control can reach ``b`` after ``a`` (both nodes of ``cfg`` or inside one; False otherwise).
    ``b`` is reachable after itself only through a loop."""
    wa, wb = cfg.block_of(a), cfg.block_of(b)
    if wa is None or wb is None:
        return False
    (block_a, at_a), (block_b, at_b) = wa, wb
    if block_a is block_b and at_b > at_a:
        return True
    seen: set[int] = set()
    stack = list(block_a.succs)
    while stack:
        block = stack.pop()
        if block is block_b:
            return True
        if block.index not in seen:
            seen.add(block.index)
            stack.extend(block.succs)
    return False
