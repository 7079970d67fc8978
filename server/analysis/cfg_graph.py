"""The data of a control-flow graph: blocks, their kinds and exits (built by plumber.analysis.cfg_build).

See plumber.analysis.cfg for the contract.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from dataclasses import dataclass, field

from tree_sitter import Node


class Kind(enum.Enum):
    """Why a block exists; ``Block.stmt`` holds the named statement or clause."""

    BODY = "body"  # the entry; stmt: the function's body block
    UNREACHABLE = "unreachable"  # after return/branch/no-return call/select {} (stmt: that statement); undefined label
    IF_THEN = "if.then"  # stmt: the if_statement (also for IF_ELSE, IF_DONE)
    IF_ELSE = "if.else"
    IF_DONE = "if.done"
    FOR_LOOP = "for.loop"  # holds the condition (only when there is one); stmt: the for_statement
    FOR_BODY = "for.body"
    FOR_POST = "for.post"  # holds the update statement (only when there is one); target of continue
    FOR_DONE = "for.done"
    RANGE_LOOP = "range.loop"  # stmt: the for_statement; target of continue
    RANGE_BODY = "range.body"
    RANGE_DONE = "range.done"
    SWITCH_NEXT_CASE = "switch.next"  # the test of a further case value/type; stmt: the case clause
    SWITCH_CASE_BODY = "switch.body"  # stmt: the case clause (expression_case, type_case or default_case)
    SWITCH_DONE = "switch.done"  # stmt: the switch statement
    SELECT_CASE_BODY = "select.body"  # stmt: the communication_case or default_case
    SELECT_DONE = "select.done"  # stmt: the select_statement
    LABEL = "label"  # stmt: the labeled_statement


class Exit(enum.Enum):
    """How a block with no successors ends."""

    RETURN = "return"
    PANIC = "panic"
    NO_RETURN = "no-return"  # a call for which may_return said False (os.Exit, log.Fatal, t.Fatal, ...)
    BLOCK = "block"  # select {}: blocks forever


@dataclass(eq=False, slots=True)
class Block:
    index: int
    kind: Kind
    stmt: Node | None
    nodes: list[Node] = field(default_factory=list)
    succs: list[Block] = field(default_factory=list, repr=False)
    live: bool = False
    exit: Exit | None = None
    _cond: Node | None = field(default=None, repr=False)  # set by the builder with the two-way edge

    @property
    def cond(self) -> Node | None:
        """The condition of a two-way block (its last node); None for any other block."""
        return self._cond

    @property
    def return_statement(self) -> Node | None:
        """The return_statement ending this block, if it ends with one (else: the implicit return, or none)."""
        if self.nodes and self.nodes[-1].type == "return_statement":
            return self.nodes[-1]
        return None

    def __repr__(self) -> str:
        succs = ",".join(str(s.index) for s in self.succs)
        return f"Block({self.index} {self.kind.name} nodes={len(self.nodes)} succs=[{succs}] exit={self.exit})"


@dataclass(eq=False)
class CFG:
    fn: Node  # function_declaration | method_declaration | func_literal
    blocks: list[Block]  # blocks[0] is the entry
    defers: list[Node]  # this function's defer_statement nodes (not those of nested literals), live or not
    end: int  # byte offset of the body's closing brace: where the implicit return is
    noreturn: bool
    has_error: bool  # the function's subtree holds an ERROR or MISSING node
    _spans: tuple[list[int], list[tuple[int, Block, int]]] | None = field(default=None, repr=False)

    def block_of(self, node: Node) -> tuple[Block, int] | None:
        """The block and index of ``node``, or of the node in a block that encloses it (None: in no block)."""
        if self._spans is None:
            entries = sorted(
                ((n.start_byte, n.end_byte, b, i) for b in self.blocks for i, n in enumerate(b.nodes)),
                key=lambda e: e[0],
            )
            self._spans = ([e[0] for e in entries], [e[1:] for e in entries])
        starts, rest = self._spans
        k = bisect_right(starts, node.start_byte) - 1
        if k < 0 or rest[k][0] < node.end_byte:
            return None
        return rest[k][1], rest[k][2]

    def exits(self, *kinds: Exit) -> list[Block]:
        """Live blocks without successors that end in one of ``kinds`` (any exit when none are given)."""
        return [
            b for b in self.blocks if b.live and not b.succs and b.exit is not None and (not kinds or b.exit in kinds)
        ]
