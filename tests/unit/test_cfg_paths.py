"""Path questions on the CFG (plumber.analysis.paths): escaping_path, lostcancel's "not used on all paths"
search with ordered nodes, edge pruning and a choice of exits, and reachable.

In these tests a value is released at any node that mentions its name (lostcancel's notion of a use); the start
is the statement that makes it.
"""

from __future__ import annotations

import pytest
from cfgutil import find, graph, shape, text

from plumber.analysis.cfg import Exit, Kind
from plumber.analysis.paths import escaping_path, reachable


def mentions(name: str, source: bytes):
    """stops(node): some identifier in node is `name` (function literals included, as lostcancel does)."""
    wanted = name.encode()

    def stops(node) -> bool:
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type == "identifier" and source[n.start_byte : n.end_byte] == wanted:
                return True
            stack.extend(n.children)
        return False

    return stops


def witness(go: str, start: str, name: str = "f", **options):
    """(cfg, source, the witness block or None) for the value made by the node `start`."""
    cfg, source = graph(go)
    block = escaping_path(cfg, find(cfg, source, start), stops=mentions(name, source), **options)
    return cfg, source, block


def last_text(source: bytes, block) -> str:
    return text(source, block.nodes[-1]) if block.nodes else ""


def test_released_on_one_branch_only_the_other_branchs_return_is_the_witness():
    cfg, source, block = witness(
        """
        func f(p string) error {
            f := open(p)
            if p == "" {
                f.Close()
                return nil
            }
            return errors.New("empty")
        }
    """,
        "f := open(p)",
    )
    assert block.exit is Exit.RETURN and text(source, block.return_statement) == 'return errors.New("empty")'


def test_released_on_every_path_has_no_witness():
    go_defer = """
        func f(p string) error {
            f := open(p)
            defer f.Close()
            if p == "" {
                return nil
            }
            return errors.New("empty")
        }
    """
    assert witness(go_defer, "f := open(p)")[2] is None
    go_both = """
        func f(p string) {
            f := open(p)
            if p == "" {
                f.Close()
            } else {
                g(f)
            }
        }
    """
    assert witness(go_both, "f := open(p)")[2] is None


def test_the_implicit_return_at_the_closing_brace_is_a_witness_without_a_return_statement():
    cfg, source, block = witness(
        """
        func f() {
            f := open()
            work()
        }
    """,
        "f := open()",
    )
    assert block is cfg.blocks[0] and block.return_statement is None and source[cfg.end : cfg.end + 1] == b"}"


def test_only_nodes_after_start_count_in_its_own_block():
    released_after = """
        func f() {
            f := open()
            f.Close()
        }
    """
    assert witness(released_after, "f := open()")[2] is None
    released_before = """
        func f(f *File) {
            f.Close()
            f = open()
        }
    """
    cfg, _source, block = witness(released_before, "f = open()")
    assert block is cfg.blocks[0]


def test_an_error_edge_on_which_the_value_is_nil_can_be_pruned():
    go = """
        func f(p string) error {
            f, err := os.Open(p)
            if verbose {
                log(p)
            }
            if err != nil {
                return err
            }
            defer f.Close()
            return use(f)
        }
    """
    cfg, source, block = witness(go, "f, err := os.Open(p)")
    assert text(source, block.return_statement) == "return err"  # unpruned: the error return escapes

    def not_on_error(block, i):
        return not (block.cond is not None and text(source, block.cond) == "err != nil" and i == 0)

    assert (
        escaping_path(cfg, find(cfg, source, "f, err := os.Open(p)"), stops=mentions("f", source), follow=not_on_error)
        is None
    )


def test_follow_is_asked_for_every_edge_taken_in_successor_order():
    cfg, source = graph("""
        func f() {
            f := open()
            switch {
            case a:
                f.Close()
            case b:
            }
        }
    """)
    asked = []

    def follow(block, i):
        asked.append((block.index, i))
        return True

    block = escaping_path(cfg, find(cfg, source, "f := open()"), stops=mentions("f", source), follow=follow)
    assert block is not None and block.kind is Kind.SWITCH_DONE
    assert asked[:2] == [(0, 1), (0, 0)]  # asked for both, pushed in reverse so that succs[0] is searched first


def test_release_inside_a_loop_that_can_end_without_it_escapes_through_the_loop_exit():
    cfg, source, block = witness(
        """
        func f(n int) {
            f := open()
            for i := 0; i < n; i++ {
                if i == 3 {
                    f.Close()
                    break
                }
            }
        }
    """,
        "f := open()",
    )
    assert block.kind is Kind.FOR_DONE and block.exit is Exit.RETURN
    only_way_out = """
        func f() {
            f := open()
            for {
                if done() {
                    f.Close()
                    return
                }
            }
        }
    """
    assert witness(only_way_out, "f := open()")[2] is None


def test_start_inside_a_loop_with_the_release_before_it_in_the_body():
    # the Close releases the previous iteration's value; the last one leaves by the loop's condition
    cfg, source, block = witness(
        """
        func f(n int) {
            var f *File
            for i := 0; i < n; i++ {
                f.Close()
                f = open(i)
            }
        }
    """,
        "f = open(i)",
    )
    start_block = cfg.block_of(find(cfg, source, "f = open(i)"))[0]
    assert start_block.kind is Kind.FOR_BODY and text(source, start_block.nodes[0]) == "f.Close()"
    assert block.kind is Kind.FOR_DONE
    endless = """
        func f() {
            var f *File
            for {
                f.Close()
                f = open()
            }
        }
    """
    assert witness(endless, "f = open()")[2] is None  # no way out: nothing escapes


def test_panic_and_no_return_exits_are_not_witnesses_unless_asked_for():
    go = """
        func f() {
            f := open()
            if bad {
                panic("bad")
            }
            if worse {
                os.Exit(1)
            }
            f.Close()
        }
    """

    def may_return(call):
        return call.child_by_field_name("function").text != b"os.Exit"

    cfg, source = graph(go, may_return=may_return)
    start = find(cfg, source, "f := open()")
    stops = mentions("f", source)
    assert escaping_path(cfg, start, stops=stops) is None
    panic_block = escaping_path(cfg, start, stops=stops, exits=(Exit.RETURN, Exit.PANIC))
    assert panic_block.exit is Exit.PANIC and last_text(source, panic_block) == 'panic("bad")'
    exit_block = escaping_path(cfg, start, stops=stops, exits=(Exit.NO_RETURN,))
    assert last_text(source, exit_block) == "os.Exit(1)"


def test_select_cases_are_separate_paths():
    cfg, source, block = witness(
        """
        func f(ctx context.Context) {
            f := open()
            select {
            case <-ctx.Done():
                return
            case r := <-results:
                f.Write(r)
            }
        }
    """,
        "f := open()",
    )
    assert text(source, block.return_statement) == "return" and block.kind is Kind.SELECT_CASE_BODY


def test_the_search_is_depth_first_in_successor_order():
    go = """
        func f(x int) {
            f := open()
            if x > 0 {
                return
            } else {
                return
            }
        }
    """
    cfg, source, block = witness(go, "f := open()")
    assert block.kind is Kind.IF_THEN  # succs[0] of the condition first


def test_a_start_inside_a_statement_starts_after_that_statement():
    cfg, source = graph("""
        func f() {
            f := open()
            f.Close()
        }
    """)
    start = find(cfg, source, "f := open()")
    call = start.child_by_field_name("right").named_child(0)
    assert call.type == "call_expression"
    assert escaping_path(cfg, call, stops=mentions("f", source)) is None


def test_a_start_outside_the_graph_is_an_error():
    cfg, source = graph("func f() {\n}\n")
    with pytest.raises(ValueError):
        escaping_path(cfg, cfg.fn.parent.child(0), stops=lambda n: False)


# -- reachable --

REACH = """
    func f(x int) {
        a()
        if x > 0 {
            b()
        } else {
            c()
        }
        for i := 0; i < x; i++ {
            d()
            e()
        }
        return
        dead()
    }
"""


def test_reachable_follows_control_forward_only():
    cfg, source = graph(REACH)
    node = {t: find(cfg, source, t) for t in ("a()", "b()", "c()", "d()", "e()", "return", "dead()")}
    assert shape(cfg, source).count("\n") > 4
    assert reachable(cfg, node["a()"], node["b()"]) and reachable(cfg, node["a()"], node["c()"])
    assert not reachable(cfg, node["b()"], node["a()"])
    assert not reachable(cfg, node["b()"], node["c()"])  # the other branch
    assert reachable(cfg, node["e()"], node["d()"]) and reachable(cfg, node["d()"], node["d()"])  # a loop
    assert reachable(cfg, node["d()"], node["return"])
    assert not reachable(cfg, node["a()"], node["dead()"]) and not reachable(cfg, node["a()"], node["a()"])
