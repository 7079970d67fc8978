"""The builder's branching statements: switch, type switch, select, labels, break/continue/goto/fallthrough.

A mixin of the iterative builder in cfg_build (its `new`, `jump`, `branch`, `schedule`, ... and state).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from plumber.analysis.cfg_graph import Block, Exit, Kind

_SWITCH_CLAUSES = frozenset({"expression_case", "type_case", "default_case"})
_SELECT_CLAUSES = frozenset({"communication_case", "default_case"})

# Node type names by kind_id (of the one Go grammar), learnt from the nodes themselves: reading Node.type
# allocates a new string, and the builder asks for every statement's type.
_NAMES: dict[int, str] = {}


def _learn(node: Node) -> str:
    name = _NAMES[node.kind_id] = sys.intern(node.type)
    return name


def _type_of(node: Node) -> str:
    return _NAMES.get(node.kind_id) or _learn(node)


class _Label:
    __slots__ = ("brk", "cont", "defined", "goto")

    def __init__(self, goto: Block):
        self.goto: Block = goto
        self.brk: Block | None = None
        self.cont: Block | None = None
        self.defined = False


class _Branches:
    if TYPE_CHECKING:  # what the builder (cfg_build._Builder) provides
        labels: dict[bytes, _Label]
        targets: list[tuple[Block | None, Block | None, Block | None]]
        todo: list
        current: Block

        def new(self, kind: Kind, stmt: Node | None) -> Block: ...
        def add(self, node: Node, _label: Any = None) -> None: ...
        def jump(self, target: Block, _unused: Any = None) -> None: ...
        def branch(self, then: Block, other: Block, cond: Node | None) -> None: ...
        def enter(self, block: Block, _unused: Any = None) -> None: ...
        def end_block(self, exit: Exit, stmt: Node) -> None: ...
        def push_targets(self, targets: Any, _unused: Any = None) -> None: ...
        def pop_targets(self, _a: Any = None, _b: Any = None) -> None: ...
        def schedule(self, steps: list) -> None: ...
        def text(self, node: Node) -> bytes: ...
        def stmt(self, s: Node | None, label: _Label | None = None) -> None: ...
        def simple(self, s: Node) -> None: ...
        def statements(self, container: Node, _unused: Any = None) -> None: ...

    def switch_statement(self, s: Node, label: _Label | None) -> None:
        """Expression and type switches: one test block per case value (or type), the default tested last
        wherever it stands; fallthrough (expression switches only) goes to the next body in source order."""
        typed = _type_of(s) == "type_switch_statement"
        init = s.child_by_field_name("initializer")
        if init is not None:
            self.simple(init)
        heads = (
            (s.child_by_field_name("value"), s.child_by_field_name("alias"))
            if typed  # operand, then alias
            else (s.child_by_field_name("value"),)
        )  # the tag
        for head in heads:
            if head is not None:
                self.add(head)
        done = self.new(Kind.SWITCH_DONE, s)
        if label is not None:
            label.brk = done
        clauses = [c for c in s.named_children if _type_of(c) in _SWITCH_CLAUSES]
        bodies = [self.new(Kind.SWITCH_CASE_BODY, c) for c in clauses]
        default: Block | None = None
        for clause, body in zip(clauses, bodies, strict=False):
            if _type_of(clause) == "default_case":
                default = body
                continue
            if typed:
                tests = [t for t in clause.children_by_field_name("type") if t.is_named]
            else:
                values = clause.child_by_field_name("value")
                tests = values.named_children if values is not None else []
            for test in tests:  # true: this case's body; false: the next test
                if _type_of(test) == "comment":
                    continue
                following = self.new(Kind.SWITCH_NEXT_CASE, clause)
                self.add(test)
                self.branch(body, following, test)
                self.current = following
        self.jump(default if default is not None else done)
        steps: list[tuple[Any, Any, Any]] = []
        for i, (clause, body) in enumerate(zip(clauses, bodies, strict=False)):
            fallthrough = None if typed else bodies[i + 1] if i + 1 < len(bodies) else done
            steps += [
                (self.enter, body, None),
                (self.push_targets, (done, None, fallthrough), None),
                (self.statements, clause, None),
                (self.pop_targets, None, None),
                (self.jump, done, None),
            ]
        steps.append((self.enter, done, None))
        self.schedule(steps)

    def select_statement(self, s: Node, label: _Label | None) -> None:
        clauses = [c for c in s.named_children if _type_of(c) in _SELECT_CLAUSES]
        if not clauses:  # select {}
            self.end_block(Exit.BLOCK, s)
            return
        done = self.new(Kind.SELECT_DONE, s)
        if label is not None:
            label.brk = done
        bodies = [self.new(Kind.SELECT_CASE_BODY, c) for c in clauses]
        self.current.succs.extend(bodies)  # one edge per case; without default the head waits for one of them
        self.current = None  # type: ignore[assignment]
        steps: list[tuple[Any, Any, Any]] = []
        for clause, body in zip(clauses, bodies, strict=False):
            steps.append((self.enter, body, None))
            comm = clause.child_by_field_name("communication")
            if comm is not None:
                steps.append((self.add, comm, None))
            steps += [
                (self.push_targets, (done, None, None), None),
                (self.statements, clause, None),
                (self.pop_targets, None, None),
                (self.jump, done, None),
            ]
        steps.append((self.enter, done, None))
        self.schedule(steps)

    def label_named(self, name: bytes) -> _Label:
        lb = self.labels.get(name)
        if lb is None:  # first seen in a forward goto, or at its definition
            lb = self.labels[name] = _Label(self.new(Kind.LABEL, None))
        return lb

    def labeled_statement(self, s: Node, _label) -> None:
        name = s.child_by_field_name("label")
        lb = self.label_named(self.text(name)) if name is not None else None
        if lb is None or lb.defined:  # no name (syntax error) or a duplicate label: a block of its own
            lb = _Label(self.new(Kind.LABEL, s))
        lb.defined = True
        lb.goto.stmt = s
        self.jump(lb.goto)
        self.current = lb.goto
        inner = next((c for c in s.named_children if _type_of(c) not in ("label_name", "comment")), None)
        if inner is not None:
            self.todo.append((self.stmt, inner, lb))

    def branch_statement(self, s: Node, _label) -> None:
        t = _type_of(s)
        name_node = next((c for c in s.named_children if _type_of(c) == "label_name"), None)
        name = self.text(name_node) if name_node is not None else None
        target = None
        if t == "goto_statement":
            if name is not None:
                target = self.label_named(name).goto
        elif name is not None:  # labelled break/continue
            lb = self.labels.get(name)
            if lb is not None:
                target = lb.brk if t == "break_statement" else lb.cont
        else:  # the innermost construct that has this kind of target
            slot = {"break_statement": 0, "continue_statement": 1, "fallthrough_statement": 2}[t]
            target = next((ts[slot] for ts in reversed(self.targets) if ts[slot] is not None), None)
        if target is None:  # undefined label or a branch outside its construct
            target = self.new(Kind.UNREACHABLE, s)
        self.jump(target)
        self.current = self.new(Kind.UNREACHABLE, s)
