"""The control-flow graph of one Go function over tree-sitter-go 0.25 nodes (the scope of golang.org/x/tools/go/cfg).

``build(fn, source)`` takes a ``function_declaration``, ``method_declaration`` or ``func_literal`` and returns a
``CFG``. The contract:

- ``blocks[0]`` is the entry (``Kind.BODY``). A block's ``nodes`` are the function's non-control statements and
  the sub-expressions of its control statements, in execution order: assignments, short variable declarations,
  inc/dec, send, ``go`` (one node: a function literal's body is never entered; build it on its own), empty and
  expression statements, ``defer``, ``return``, one ``var_spec`` per declared spec (``const`` and ``type``
  declarations are dropped); ``if``/``for``/``switch`` initialisers; conditions; a ``switch`` tag; each case
  value (or, in a type switch, each case type); a type switch's operand then its alias; a ``range`` operand (in
  the block before the loop) and its key/value list (first node of the range body); a ``select`` case's
  communication (first node of that case's body). Control statements themselves are never nodes; they are the
  ``stmt`` of the blocks they create (see ``Kind``). Comments are never nodes. All nodes are pairwise disjoint.
- Successors: none (the block ends the function, see ``exit``), one (a jump), two (a conditional: when ``cond``
  is not None it is the block's last node and ``succs[0]`` is taken when it is true, ``succs[1]`` when false;
  for a switch case test, true means "this case value or type matches"), or one per case for the block that
  ends in a ``select`` head. A ``range`` loop head has two successors (body,
  done) and no ``cond``; with ``range_may_end(range_clause)`` False it has only the body.
- ``exit`` says how a block without successors ends: ``RETURN`` (a ``return`` statement, or the last block
  falling off the closing brace: there is no synthetic node, ``CFG.end`` is the brace's byte offset),
  ``PANIC`` (an expression statement calling ``panic``), ``NO_RETURN`` (an expression statement whose call
  ``may_return`` refuses), ``BLOCK`` (``select {}``). A ``for {}`` without ``break`` has no exit at all.
  ``exit`` is None only on blocks with successors and on the target of a jump to an undefined label (code
  that does not compile).
- Code after ``return``, a branch, a no-return call or ``select {}`` goes into a fresh ``Kind.UNREACHABLE``
  block with no predecessors; ``live`` is reachability from the entry.
- ``noreturn``: no live block exits by ``RETURN`` and no live block holds a ``defer`` (as in go/cfg, a
  ``defer`` might ``recover`` and so return).
- ``panic(...)`` as an expression statement always ends its block. ``may_return(call_expression)`` is asked
  about every other call that is a whole expression statement (``f()`` or ``(f())``), in live and dead code,
  never about calls inside expressions. ``range_may_end(range_clause)`` is asked about every range loop.
- ``block_of(node)`` finds a node, or the node of the graph that encloses it; control statements and
  ``var_declaration`` wrappers are in no block (ask about their parts).
- A function whose subtree has an ERROR or MISSING node still builds (``has_error`` is set; also for a
  declaration without body directly followed by an ERROR node, the shape of a body the parser gave up on);
  unknown node kinds become plain nodes. ``build`` never raises and uses no recursion (it runs on an explicit
  work stack), and its cost is linear in the number of statements: it never walks into expressions.

Differences from go/cfg are listed in docs/cfg.md.
"""

from plumber.analysis.cfg_build import build
from plumber.analysis.cfg_graph import CFG, Block, Exit, Kind

__all__ = ["CFG", "Block", "Exit", "Kind", "build"]
