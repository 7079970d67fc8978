"""Building the control-flow graph: go/cfg's builder (x/tools go/cfg/builder.go) over tree-sitter-go nodes, made
iterative. See plumber.analysis.cfg for the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tree_sitter import Node

from plumber.analysis.cfg_branches import _NAMES, _Branches, _Label, _learn, _type_of
from plumber.analysis.cfg_graph import CFG, Block, Exit, Kind


def _calls_return(call: Node) -> bool:
    return True


def _always(range_clause: Node) -> bool:
    return True


def build(
    fn: Node,
    source: bytes,
    may_return: Callable[[Node], bool] = _calls_return,
    range_may_end: Callable[[Node], bool] = _always,
) -> CFG:
    """The CFG of ``fn``. ``panic(...)`` as a statement always ends its block (``Exit.PANIC``); ``may_return`` is
    asked about every other call that is a whole expression statement (``f()`` or ``(f())``), never about
    calls inside expressions; ``range_may_end`` is asked about every ``range_clause``."""
    body = fn.child_by_field_name("body")
    if body is None:  # a declaration without body (assembly, linkname): assumed to return
        entry = Block(0, Kind.BODY, None, [], [], live=True, exit=Exit.RETURN)
        following = fn.next_sibling  # a body the parser could not attach is an ERROR right after the signature
        broken = fn.has_error or (following is not None and following.type == "ERROR")
        return CFG(fn, [entry], [], fn.end_byte, False, broken)
    b = _Builder(source, may_return, range_may_end)
    b.run(body)
    blocks = b.blocks
    stack = [blocks[0]]
    while stack:
        block = stack.pop()
        if not block.live:
            block.live = True
            stack.extend(block.succs)
    noreturn = not any(bl.live and bl.exit is Exit.RETURN for bl in blocks) and not any(
        bl.live for bl in b.defer_blocks
    )
    return CFG(fn, blocks, b.defers, body.end_byte - 1, noreturn, fn.has_error)


_SIMPLE = frozenset(
    {
        "assignment_statement",
        "short_var_declaration",
        "inc_statement",
        "dec_statement",
        "send_statement",
        "go_statement",
        "empty_statement",
        "receive_statement",
    }
)


class _Builder(_Branches):
    """go/cfg's builder made iterative: compound statements push their remaining steps on ``todo``
    (last in, first out), each step a ``(method, argument, argument)`` triple."""

    def __init__(self, source: bytes, may_return, range_may_end):
        self.source = source
        self.may_return = may_return
        self.range_may_end = range_may_end
        self.blocks: list[Block] = []
        self.defers: list[Node] = []
        self.defer_blocks: list[Block] = []
        self.labels: dict[bytes, _Label] = {}
        self.targets: list[tuple[Block | None, Block | None, Block | None]] = []  # break, continue, fallthrough
        self.todo: list[tuple[Any, Any, Any]] = []
        self.current: Block = None  # type: ignore[assignment]

    def run(self, body: Node) -> None:
        self.current = self.new(Kind.BODY, body)
        self.statements(body)
        todo = self.todo
        while todo:
            step, a, b = todo.pop()
            step(a, b)
        self.current.exit = Exit.RETURN  # falls off the closing brace (harmless on a dead block)
        for lb in self.labels.values():
            if not lb.defined:  # only goto named it: an undefined label
                lb.goto.kind = Kind.UNREACHABLE

    # -- primitives --

    def new(self, kind: Kind, stmt: Node | None) -> Block:
        block = Block(len(self.blocks), kind, stmt, [], [])
        self.blocks.append(block)
        return block

    def add(self, node: Node, _label=None) -> None:
        self.current.nodes.append(node)

    def jump(self, target: Block, _unused=None) -> None:
        self.current.succs.append(target)
        self.current = None  # type: ignore[assignment]

    def branch(self, then: Block, other: Block, cond: Node | None) -> None:
        self.current.succs += (then, other)
        self.current._cond = cond
        self.current = None  # type: ignore[assignment]

    def enter(self, block: Block, _unused=None) -> None:
        self.current = block

    def join(self, block: Block, _unused=None) -> None:
        """Jump to ``block`` and continue there."""
        self.current.succs.append(block)
        self.current = block

    def end_block(self, exit: Exit, stmt: Node) -> None:
        self.current.exit = exit
        self.current = self.new(Kind.UNREACHABLE, stmt)

    def push_targets(self, targets, _unused=None) -> None:
        self.targets.append(targets)

    def pop_targets(self, _a=None, _b=None) -> None:
        self.targets.pop()

    def schedule(self, steps: list) -> None:
        self.todo.extend(reversed(steps))

    def text(self, node: Node) -> bytes:
        return self.source[node.start_byte : node.end_byte]

    # -- statements --

    def stmt(self, s: Node | None, label: _Label | None = None) -> None:
        if s is None:
            return
        t = _NAMES.get(s.kind_id) or _learn(s)
        if t == "block":  # a body: run it right away (the caller's remaining steps are already scheduled)
            self.statements(s)
        elif t in _SIMPLE:
            self.current.nodes.append(s)
        else:
            _HANDLERS.get(t, _Builder.add)(self, s, label)

    def sequence(self, stmts: list[Node], i: int) -> None:
        """Run a statement list from ``stmts[i]``: simple statements right here; at a compound one, schedule
        the rest of the list first, so that its own steps (scheduled on top) run before the rest."""
        n = len(stmts)
        while i < n:
            s = stmts[i]
            i += 1
            t = _NAMES.get(s.kind_id) or _learn(s)
            if t in _SIMPLE:
                self.current.nodes.append(s)
            elif t in _COMPOUND:
                if i < n:
                    self.todo.append((self.sequence, stmts, i))
                _HANDLERS[t](self, s, None)
                return
            elif t != "comment":
                _HANDLERS.get(t, _Builder.add)(self, s, None)

    def simple(self, s: Node) -> None:
        """An initialiser or post statement: never compound (anything else is kept as a plain node)."""
        if (_NAMES.get(s.kind_id) or _learn(s)) == "expression_statement":
            self.expression_statement(s, None)
        else:
            self.add(s)

    def simple_step(self, s: Node, loop: Block) -> None:
        self.simple(s)
        self.jump(loop)

    def statements(self, container: Node, _unused=None) -> None:
        """Run the statements of a block (its statement_list, plus stray ERROR nodes) or of a case clause."""
        if container.child_count == 3:  # the common shape: { statement_list }
            middle = container.child(1)
            if (_NAMES.get(middle.kind_id) or _learn(middle)) == "statement_list":
                self.sequence(middle.named_children, 0)
                return
        stmts: list[Node] = []
        is_block = (_NAMES.get(container.kind_id) or _learn(container)) == "block"
        for c in container.named_children:
            t = _NAMES.get(c.kind_id) or _learn(c)
            if t == "statement_list":
                stmts += c.named_children
            elif is_block and t != "comment":
                stmts.append(c)
        if stmts:
            self.sequence(stmts, 0)

    def block(self, s: Node, _label) -> None:
        self.todo.append((self.statements, s, None))  # scheduled, not called: nested blocks must not recurse

    def drop(self, s: Node, _label) -> None:
        pass

    def expression_statement(self, s: Node, _label) -> None:
        self.current.nodes.append(s)
        x = s.named_child(0)
        t = _type_of(x) if x is not None else None
        while t == "parenthesized_expression":
            x = x.named_child(0)
            t = _type_of(x) if x is not None else None
        if t != "call_expression":
            return
        callee = x.child(0)  # the function: the text `panic` is only ever the bare identifier
        if self.source[callee.start_byte : callee.end_byte] == b"panic":
            self.end_block(Exit.PANIC, s)
        elif not self.may_return(x):
            self.end_block(Exit.NO_RETURN, s)

    def return_statement(self, s: Node, _label) -> None:
        self.add(s)
        self.end_block(Exit.RETURN, s)

    def defer_statement(self, s: Node, _label) -> None:
        self.add(s)
        self.defers.append(s)
        self.defer_blocks.append(self.current)

    def var_declaration(self, s: Node, _label) -> None:
        for c in s.named_children:
            if _type_of(c) == "var_spec":
                self.add(c)
            elif _type_of(c) == "var_spec_list":
                for spec in c.named_children:
                    if _type_of(spec) == "var_spec":
                        self.add(spec)

    def if_statement(self, s: Node, _label) -> None:
        init = s.child_by_field_name("initializer")
        if init is not None:
            self.simple(init)
        then = self.new(Kind.IF_THEN, s)
        done = self.new(Kind.IF_DONE, s)
        alt = s.child_by_field_name("alternative")
        other = self.new(Kind.IF_ELSE, s) if alt is not None else done
        cond = s.child_by_field_name("condition")
        if cond is not None:
            self.add(cond)
        self.branch(then, other, cond)
        self.current = then
        steps: list[tuple[Any, Any, Any]] = [(self.stmt, s.child_by_field_name("consequence"), None)]
        if alt is not None:  # a block, or the if_statement of an else-if (built inside the else block)
            steps += [(self.jump, done, None), (self.enter, other, None), (self.stmt, alt, None)]
        steps.append((self.join, done, None))
        self.schedule(steps)

    def for_statement(self, s: Node, label: _Label | None) -> None:
        body = s.child_by_field_name("body")
        clause = cond = None
        for c in s.named_children:
            t = _type_of(c)
            if t == "range_clause":
                return self.range_statement(s, c, body, label)
            if t == "for_clause":
                clause = c
            elif t not in ("block", "comment"):
                cond = c  # `for cond {`
        init = post = None
        if clause is not None:
            init = clause.child_by_field_name("initializer")
            cond = clause.child_by_field_name("condition")
            post = clause.child_by_field_name("update")
        if init is not None:
            self.simple(init)
        loop_body = self.new(Kind.FOR_BODY, s)
        done = self.new(Kind.FOR_DONE, s)  # target of break
        loop = self.new(Kind.FOR_LOOP, s) if cond is not None else loop_body  # target of the back edge
        cont = self.new(Kind.FOR_POST, s) if post is not None else loop  # target of continue
        if label is not None:
            label.brk, label.cont = done, cont
        self.jump(loop)
        self.current = loop
        if cond is not None:
            self.add(cond)
            self.branch(loop_body, done, cond)
            self.current = loop_body
        self.targets.append((done, cont, None))
        steps: list[tuple[Any, Any, Any]] = [
            (self.stmt, body, None),
            (self.pop_targets, None, None),
            (self.jump, cont, None),
        ]
        if post is not None:
            steps += [(self.enter, cont, None), (self.simple_step, post, loop)]
        steps.append((self.enter, done, None))
        self.schedule(steps)

    def range_statement(self, s: Node, clause: Node, body: Node | None, label: _Label | None) -> None:
        operand = clause.child_by_field_name("right")
        if operand is not None:
            self.add(operand)
        loop = self.new(Kind.RANGE_LOOP, s)
        self.jump(loop)
        self.current = loop
        loop_body = self.new(Kind.RANGE_BODY, s)
        done = self.new(Kind.RANGE_DONE, s)
        if self.range_may_end(clause):
            self.branch(loop_body, done, None)
        else:  # never-closed channel, time.Tick: only break leaves
            self.jump(loop_body)
        self.current = loop_body
        left = clause.child_by_field_name("left")
        if left is not None:  # key, value: assigned at the start of every iteration
            self.add(left)
        if label is not None:
            label.brk, label.cont = done, loop
        self.targets.append((done, loop, None))
        self.schedule(
            [(self.stmt, body, None), (self.pop_targets, None, None), (self.jump, loop, None), (self.enter, done, None)]
        )


_HANDLERS = {
    "expression_statement": _Builder.expression_statement,
    "return_statement": _Builder.return_statement,
    "defer_statement": _Builder.defer_statement,
    "var_declaration": _Builder.var_declaration,
    "const_declaration": _Builder.drop,
    "type_declaration": _Builder.drop,
    "comment": _Builder.drop,
    "block": _Builder.block,
    "if_statement": _Builder.if_statement,
    "for_statement": _Builder.for_statement,
    "expression_switch_statement": _Builder.switch_statement,
    "type_switch_statement": _Builder.switch_statement,
    "select_statement": _Builder.select_statement,
    "labeled_statement": _Builder.labeled_statement,
    "break_statement": _Builder.branch_statement,
    "continue_statement": _Builder.branch_statement,
    "goto_statement": _Builder.branch_statement,
    "fallthrough_statement": _Builder.branch_statement,
}
# Statements whose handler schedules further steps: the rest of their statement list must wait for them.
_COMPOUND = frozenset(
    {
        "block",
        "if_statement",
        "for_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
        "labeled_statement",
    }
)
