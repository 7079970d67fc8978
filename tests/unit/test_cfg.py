"""The control-flow graph of a Go function (plumber.analysis.cfg), statement kind by statement kind.

Each test writes a small Go function and compares the printed graph (see cfgutil.shape):
`index KIND: node; node -> successor indices [EXIT]`, one line per live block and per dead block that holds
nodes. Block indices are creation order, as in go/cfg: a construct creates its blocks before their contents.
"""

from __future__ import annotations

import time

import pytest
from cfgutil import expect, find, graph, shape, text

from plumber.analysis.cfg import Exit, Kind

# -- straight-line code --


def test_simple_statements_are_nodes_in_order_and_declarations_one_per_var_spec():
    cfg = expect(
        """
        func f() {
            a()
            b := 1
            b++
            b--
            ch <- b
            go g()
            ;
            x, y = y, x
            // a comment is no node
            var c, d = 1, 2
            var (
                e int
                g = h()
            )
            const k = 1
            type T int
            {
                inner()
            }
        }
    """,
        """
        0 BODY: a(); b := 1; b++; b--; ch <- b; go g(); ;; x, y = y, x; c, d = 1, 2; e int; g = h(); inner() [RETURN]
    """,
    )
    assert cfg.blocks[0].kind is Kind.BODY and not cfg.noreturn and not cfg.has_error


def test_empty_function_returns_at_its_closing_brace():
    cfg, source = graph("func f() {}\n")
    assert shape(cfg, source) == "0 BODY: [RETURN]"
    assert cfg.end == source.rindex(b"}")
    assert cfg.exits(Exit.RETURN) == [cfg.blocks[0]] and cfg.blocks[0].return_statement is None


def test_a_declaration_without_body_is_assumed_to_return():
    cfg, source = graph("func nanotime() int64\n")
    assert shape(cfg, source) == "0 BODY: [RETURN]" and not cfg.noreturn


def test_method_declarations_build_like_functions():
    expect(
        """
        func (t *T) m() error {
            return t.err
        }
    """,
        """
        0 BODY: return t.err [RETURN]
    """,
    )


# -- if --


def test_if_without_else_joins_at_if_done():
    cfg = expect(
        """
        func f(x int) {
            if x > 0 {
                a()
            }
            b()
        }
    """,
        """
        0 BODY: x > 0 -> 1 2
        1 IF_THEN: a() -> 2
        2 IF_DONE: b() [RETURN]
    """,
    )
    head = cfg.blocks[0]
    assert head.cond is head.nodes[-1] and head.succs[0].kind is Kind.IF_THEN


def test_else_if_chain_with_initializer_nests_each_if_in_the_previous_else():
    expect(
        """
        func f(x int) {
            a()
            if y := g(); y > 0 {
                b()
            } else if x < 0 {
                c()
            } else {
                d()
            }
            e()
        }
    """,
        """
        0 BODY: a(); y := g(); y > 0 -> 1 3
        1 IF_THEN: b() -> 2
        2 IF_DONE: e() [RETURN]
        3 IF_ELSE: x < 0 -> 4 6
        4 IF_THEN: c() -> 5
        5 IF_DONE: -> 2
        6 IF_ELSE: d() -> 5
    """,
    )


# -- for --


def test_for_with_init_condition_and_post():
    cfg = expect(
        """
        func f() {
            for i := 0; i < 3; i++ {
                a()
            }
            b()
        }
    """,
        """
        0 BODY: i := 0 -> 3
        1 FOR_BODY: a() -> 4
        2 FOR_DONE: b() [RETURN]
        3 FOR_LOOP: i < 3 -> 1 2
        4 FOR_POST: i++ -> 3
    """,
    )
    loop = cfg.blocks[3]
    assert loop.cond is loop.nodes[-1] and loop.cond.type == "binary_expression"


def test_for_without_post_jumps_back_to_the_condition():
    expect(
        """
        func f() {
            for i := 0; i < 3; {
                a()
            }
        }
    """,
        """
        0 BODY: i := 0 -> 3
        1 FOR_BODY: a() -> 3
        2 FOR_DONE: [RETURN]
        3 FOR_LOOP: i < 3 -> 1 2
    """,
    )


def test_for_with_condition_only():
    expect(
        """
        func f() {
            for more() {
                a()
            }
        }
    """,
        """
        0 BODY: -> 3
        1 FOR_BODY: a() -> 3
        2 FOR_DONE: [RETURN]
        3 FOR_LOOP: more() -> 1 2
    """,
    )


def test_for_without_condition_only_break_reaches_done():
    cfg = expect(
        """
        func f() {
            for ; ; i++ {
                a()
            }
            b()
        }
    """,
        """
        0 BODY: -> 1
        1 FOR_BODY: a() -> 3
        2 FOR_DONE (dead): b() [RETURN]
        3 FOR_POST: i++ -> 1
    """,
    )
    assert cfg.noreturn


def test_infinite_for_without_break_never_reaches_the_code_after_it():
    cfg = expect(
        """
        func f() {
            for {
                a()
            }
            b()
        }
    """,
        """
        0 BODY: -> 1
        1 FOR_BODY: a() -> 1
        2 FOR_DONE (dead): b() [RETURN]
    """,
    )
    assert cfg.noreturn and cfg.exits() == []


def test_infinite_for_with_break_and_continue():
    cfg = expect(
        """
        func f() {
            for {
                if a() {
                    break
                }
                continue
            }
            b()
        }
    """,
        """
        0 BODY: -> 1
        1 FOR_BODY: a() -> 3 4
        2 FOR_DONE: b() [RETURN]
        3 IF_THEN: -> 2
        4 IF_DONE: -> 1
    """,
    )
    assert not cfg.noreturn


def test_unlabelled_break_and_continue_go_to_the_innermost_loop():
    expect(
        """
        func f() {
            for i := 0; i < n; i++ {
                if i == 2 {
                    continue
                }
                if i == 5 {
                    break
                }
                work(i)
            }
        }
    """,
        """
        0 BODY: i := 0 -> 3
        1 FOR_BODY: i == 2 -> 5 6
        2 FOR_DONE: [RETURN]
        3 FOR_LOOP: i < n -> 1 2
        4 FOR_POST: i++ -> 3
        5 IF_THEN: -> 4
        6 IF_DONE: i == 5 -> 8 9
        8 IF_THEN: -> 2
        9 IF_DONE: work(i) -> 4
    """,
    )


# -- range --


def test_range_evaluates_its_operand_before_the_loop_and_assigns_key_value_in_the_body():
    cfg = expect(
        """
        func f(m map[string]int) {
            for k, v := range m {
                use(k, v)
            }
            done()
        }
    """,
        """
        0 BODY: m -> 1
        1 RANGE_LOOP: -> 2 3
        2 RANGE_BODY: k, v; use(k, v) -> 1
        3 RANGE_DONE: done() [RETURN]
    """,
    )
    assert cfg.blocks[1].cond is None  # two successors, but no condition node


def test_range_over_an_integer_and_without_variables():
    expect(
        """
        func f() {
            for i := range 10 {
                use(i)
            }
            for range n {
            }
        }
    """,
        """
        0 BODY: 10 -> 1
        1 RANGE_LOOP: -> 2 3
        2 RANGE_BODY: i; use(i) -> 1
        3 RANGE_DONE: n -> 4
        4 RANGE_LOOP: -> 5 6
        5 RANGE_BODY: -> 4
        6 RANGE_DONE: [RETURN]
    """,
    )


def test_range_that_may_not_end_has_no_edge_to_done():
    asked = []

    def range_may_end(clause):
        asked.append(clause.text.decode())
        return "time.Tick" not in clause.text.decode()

    go = """
        func f(d time.Duration) {
            for t := range time.Tick(d) {
                work(t)
            }
            after()
        }
    """
    cfg = expect(
        go,
        """
        0 BODY: time.Tick(d) -> 1
        1 RANGE_LOOP: -> 2
        2 RANGE_BODY: t; work(t) -> 1
        3 RANGE_DONE (dead): after() [RETURN]
    """,
        range_may_end=range_may_end,
    )
    assert asked == ["t := range time.Tick(d)"] and cfg.noreturn
    # a break still leaves such a loop
    expect(
        """
        func f(c chan int) {
            for v := range c {
                if v == 0 {
                    break
                }
            }
            after()
        }
    """,
        """
        0 BODY: c -> 1
        1 RANGE_LOOP: -> 2
        2 RANGE_BODY: v; v == 0 -> 4 5
        3 RANGE_DONE: after() [RETURN]
        4 IF_THEN: -> 3
        5 IF_DONE: -> 1
    """,
        range_may_end=lambda clause: False,
    )


# -- labels, goto --


def test_labelled_break_and_continue_leave_nested_loops():
    expect(
        """
        func f() {
        outer:
            for i := 0; i < n; i++ {
                for j := range m {
                    if j == i {
                        continue outer
                    }
                    if j > i {
                        break outer
                    }
                }
            }
            done()
        }
    """,
        """
        0 BODY: -> 1
        1 LABEL: i := 0 -> 4
        2 FOR_BODY: m -> 6
        3 FOR_DONE: done() [RETURN]
        4 FOR_LOOP: i < n -> 2 3
        5 FOR_POST: i++ -> 4
        6 RANGE_LOOP: -> 7 8
        7 RANGE_BODY: j; j == i -> 9 10
        8 RANGE_DONE: -> 5
        9 IF_THEN: -> 5
        10 IF_DONE: j > i -> 12 13
        12 IF_THEN: -> 3
        13 IF_DONE: -> 6
    """,
    )


def test_labelled_break_out_of_select_and_switch():
    expect(
        """
        func f() {
        sel:
            select {
            case <-c:
                break sel
            }
            a()
        sw:
            switch {
            default:
                for {
                    break sw
                }
            }
        }
    """,
        """
        0 BODY: -> 1
        1 LABEL: -> 3
        2 SELECT_DONE: a() -> 5
        3 SELECT_CASE_BODY: <-c -> 2
        5 LABEL: -> 7
        6 SWITCH_DONE: [RETURN]
        7 SWITCH_CASE_BODY: -> 8
        8 FOR_BODY: -> 6
    """,
    )


def test_goto_forward_skips_code_into_a_label_block():
    cfg = expect(
        """
        func f() {
            a()
            goto end
            b()
        end:
            c()
        }
    """,
        """
        0 BODY: a() -> 1
        1 LABEL: c() [RETURN]
        2 UNREACHABLE (dead): b() -> 1
    """,
    )
    assert cfg.blocks[1].stmt.type == "labeled_statement"


def test_goto_backward_makes_a_loop():
    expect(
        """
        func f() {
            i := 0
        loop:
            i++
            if i < 10 {
                goto loop
            }
        }
    """,
        """
        0 BODY: i := 0 -> 1
        1 LABEL: i++; i < 10 -> 2 3
        2 IF_THEN: -> 1
        3 IF_DONE: [RETURN]
    """,
    )


def test_a_label_on_nothing_at_the_end():
    expect(
        """
        func f() {
            a()
        end:
        }
    """,
        """
        0 BODY: a() -> 1
        1 LABEL: [RETURN]
    """,
    )


def test_undefined_labels_go_to_a_fresh_unreachable_block_without_raising():
    cfg = expect(
        """
        func f() {
            goto nowhere
            a()
        }
    """,
        """
        0 BODY: -> 1
        1 UNREACHABLE:
        2 UNREACHABLE (dead): a() [RETURN]
    """,
    )
    assert cfg.blocks[1].exit is None and cfg.noreturn
    expect(
        """
        func f() {
            break
            continue nowhere
        }
    """,
        """
        0 BODY: -> 1
        1 UNREACHABLE:
    """,
    )


# -- switch --


def test_switch_with_init_tag_fallthrough_and_default_in_the_middle():
    # the default is tested last wherever it stands; fallthrough goes to the next body in source order
    cfg = expect(
        """
        func f() {
            switch x := g(); x {
            case 1:
                a()
                fallthrough
            // a comment between clauses is no node
            default:
                b()
                fallthrough
            case 2, 3:
                c()
                break
                dead()
            }
        }
    """,
        """
        0 BODY: x := g(); x; 1 -> 2 5
        1 SWITCH_DONE: [RETURN]
        2 SWITCH_CASE_BODY: a() -> 3
        3 SWITCH_CASE_BODY: b() -> 4
        4 SWITCH_CASE_BODY: c() -> 1
        5 SWITCH_NEXT_CASE: 2 -> 4 6
        6 SWITCH_NEXT_CASE: 3 -> 4 7
        7 SWITCH_NEXT_CASE: -> 3
        10 UNREACHABLE (dead): dead() -> 1
    """,
    )
    assert [cfg.blocks[i].stmt.type for i in (2, 3, 4)] == ["expression_case", "default_case", "expression_case"]


def test_tagless_and_empty_switches():
    expect(
        """
        func f() {
            switch {
            case x > 0:
                a()
            }
            switch y {
            }
        }
    """,
        """
        0 BODY: x > 0 -> 2 3
        1 SWITCH_DONE: y -> 4
        2 SWITCH_CASE_BODY: a() -> 1
        3 SWITCH_NEXT_CASE: -> 1
        4 SWITCH_DONE: [RETURN]
    """,
    )


def test_type_switch_adds_operand_and_alias_then_tests_each_listed_type():
    expect(
        """
        func f(x any) {
            switch v := x.(type) {
            case int, uint:
                a(v)
            case nil:
                break
            default:
                b()
            }
            c()
        }
    """,
        """
        0 BODY: x; v; int -> 2 5
        1 SWITCH_DONE: c() [RETURN]
        2 SWITCH_CASE_BODY: a(v) -> 1
        3 SWITCH_CASE_BODY: -> 1
        4 SWITCH_CASE_BODY: b() -> 1
        5 SWITCH_NEXT_CASE: uint -> 2 6
        6 SWITCH_NEXT_CASE: nil -> 3 7
        7 SWITCH_NEXT_CASE: -> 4
    """,
    )


# -- select --


def test_select_head_has_one_edge_per_case_and_each_case_starts_with_its_communication():
    cfg = expect(
        """
        func f() {
            select {
            case v := <-in:
                a(v) // a trailing comment is no node
            // nor one between clauses
            case out <- 1:
            default:
                b()
            }
            c()
        }
    """,
        """
        0 BODY: -> 2 3 4
        1 SELECT_DONE: c() [RETURN]
        2 SELECT_CASE_BODY: v := <-in; a(v) -> 1
        3 SELECT_CASE_BODY: out <- 1 -> 1
        4 SELECT_CASE_BODY: b() -> 1
    """,
    )
    assert cfg.blocks[0].cond is None


def test_select_without_default_waits_for_one_of_its_cases():
    expect(
        """
        func f() {
            select {
            case <-done:
                return
            case v := <-in:
                use(v)
            }
            after()
        }
    """,
        """
        0 BODY: -> 2 3
        1 SELECT_DONE: after() [RETURN]
        2 SELECT_CASE_BODY: <-done; return [RETURN]
        3 SELECT_CASE_BODY: v := <-in; use(v) -> 1
    """,
    )


def test_break_inside_select_or_switch_leaves_only_that_statement_and_continue_goes_to_the_loop():
    expect(
        """
        func f() {
            for {
                select {
                case <-c:
                    break
                case <-d:
                    continue
                }
                switch {
                case x:
                    continue
                case y:
                    break
                }
                after()
            }
        }
    """,
        """
        0 BODY: -> 1
        1 FOR_BODY: -> 4 5
        3 SELECT_DONE: x -> 9 11
        4 SELECT_CASE_BODY: <-c -> 3
        5 SELECT_CASE_BODY: <-d -> 1
        8 SWITCH_DONE: after() -> 1
        9 SWITCH_CASE_BODY: -> 1
        10 SWITCH_CASE_BODY: -> 8
        11 SWITCH_NEXT_CASE: y -> 10 12
        12 SWITCH_NEXT_CASE: -> 8
    """,
    )


def test_empty_select_blocks_forever():
    cfg = expect(
        """
        func f() {
            a()
            select {}
            b()
        }
    """,
        """
        0 BODY: a() [BLOCK]
        1 UNREACHABLE (dead): b() [RETURN]
    """,
    )
    assert cfg.noreturn and cfg.exits(Exit.BLOCK) == [cfg.blocks[0]]


# -- defer, panic, no-return calls, dead code --


def test_defer_is_a_node_recorded_in_defers_and_the_function_is_never_noreturn():
    cfg = expect(
        """
        func f() {
            defer a()
            defer func() {
                defer inner()
            }()
            panic("x")
        }
    """,
        """
        0 BODY: defer a(); defer func() { defer inner() }(); panic("x") [PANIC]
    """,
    )
    assert [" ".join(d.text.decode().split()) for d in cfg.defers] == ["defer a()", "defer func() { defer inner() }()"]
    assert not cfg.noreturn  # a deferred call may recover


def test_panic_ends_its_block_and_a_function_that_always_panics_is_noreturn():
    cfg = expect(
        """
        func f() {
            if bad {
                panic("bad")
            }
            ok()
        }
    """,
        """
        0 BODY: bad -> 1 2
        1 IF_THEN: panic("bad") [PANIC]
        2 IF_DONE: ok() [RETURN]
    """,
    )
    assert not cfg.noreturn and [b.index for b in cfg.exits(Exit.PANIC)] == [1]
    assert graph('func f() {\n\tpanic("always")\n}\n')[0].noreturn


def _no_return(call) -> bool:
    callee = call.child_by_field_name("function").text.decode()
    return callee not in ("os.Exit", "log.Fatal")


def test_may_return_is_asked_only_for_calls_that_are_whole_statements():
    asked = []

    def may_return(call):
        asked.append(call.text.decode())
        return _no_return(call)

    cfg = expect(
        """
        func f() {
            x := os.Exit(1)
            if err != nil {
                log.Fatal(err)
                after()
            }
            (os.Exit(2))
            panic("not asked")
        }
    """,
        """
        0 BODY: x := os.Exit(1); err != nil -> 1 2
        1 IF_THEN: log.Fatal(err) [NO_RETURN]
        2 IF_DONE: (os.Exit(2)) [NO_RETURN]
        3 UNREACHABLE (dead): after() -> 2
        4 UNREACHABLE (dead): panic("not asked") [PANIC]
    """,
        may_return=may_return,
    )
    assert asked == ["log.Fatal(err)", "after()", "os.Exit(2)"]  # dead code is asked about too
    assert cfg.noreturn


def test_a_no_return_callback_cuts_an_error_branch():
    cfg = expect(
        """
        func main() {
            if err := run(); err != nil {
                fmt.Println(err)
                os.Exit(1)
            }
            fmt.Println("ok")
        }
    """,
        """
        0 BODY: err := run(); err != nil -> 1 2
        1 IF_THEN: fmt.Println(err); os.Exit(1) [NO_RETURN]
        2 IF_DONE: fmt.Println("ok") [RETURN]
    """,
        may_return=_no_return,
    )
    assert [b.index for b in cfg.exits(Exit.NO_RETURN)] == [1] and not cfg.noreturn


def test_dead_code_after_return_goes_into_unreachable_blocks():
    cfg = expect(
        """
        func f() (int, error) {
            return 0, nil
            dead()
            if x {
                dead2()
            }
        }
    """,
        """
        0 BODY: return 0, nil [RETURN]
        1 UNREACHABLE (dead): dead(); x -> 2 3
        2 IF_THEN (dead): dead2() -> 3
    """,
    )
    assert cfg.blocks[0].return_statement is cfg.blocks[0].nodes[-1]
    assert cfg.exits() == [cfg.blocks[0]]  # only live blocks are exits


# -- function literals and go --


def test_function_literals_are_not_entered_but_build_on_their_own():
    go = """
        func f() {
            go func() {
                for {
                }
            }()
            g := func() { return }
            g()
        }
    """
    outer = expect(
        go,
        """
        0 BODY: go func() { for { } }(); g := func() { return }; g() [RETURN]
    """,
    )
    assert not outer.noreturn
    goroutine = expect(
        go,
        """
        0 BODY: -> 1
        1 FOR_BODY: -> 1
    """,
        which=1,
    )
    assert goroutine.fn.type == "func_literal" and goroutine.noreturn
    expect(go, "0 BODY: return [RETURN]", which=2)


# -- robustness --


def test_a_syntax_error_builds_and_sets_has_error():
    cfg, source = graph("""
        func f() {
            if x {
                a(
            }
            b()
        }
    """)
    assert cfg.has_error
    assert shape(cfg, source) == "0 BODY: x -> 1 2\n1 IF_THEN: a; ( -> 2\n2 IF_DONE: b() [RETURN]"  # ERRORs: nodes
    cfg, source = graph("""
        func f() {
            select {
            case x := <-:
            }
            go
            defer
        }
    """)
    assert cfg.has_error and cfg.blocks[0].live
    # a body the parser could not attach: the declaration ends at its signature, an ERROR node follows
    cfg, source = graph("func f() {\n\tfor i := 0; i < n; i++ {\n\t\tswitch x {\n\t\tcase 1:\n\t\t\ta()\n\t}\n")
    assert cfg.fn.child_by_field_name("body") is None and cfg.has_error
    assert not graph("func nanotime() int64\n")[0].has_error


@pytest.mark.parametrize(
    "nest",
    [
        ("if x {\n", "}\n"),
        ("{\n", "}\n"),
        ("for x {\n", "}\n"),
        ("switch {\ncase x:\n", "}\n"),
        ("select {\ncase <-c:\n", "}\n"),
    ],
    ids=["if", "block", "for", "switch", "select"],
)
def test_2000_deep_nesting_builds_without_recursion_in_linear_time(nest):
    open_, close = nest
    go = "func f() {\n" + open_ * 2000 + "a()\n" + close * 2000 + "}\n"
    t0 = time.perf_counter()
    cfg, source = graph(go)
    assert not cfg.has_error
    innermost = find(cfg, source, "a()")
    assert cfg.block_of(innermost)[0].live and cfg.exits(Exit.RETURN)
    assert time.perf_counter() - t0 < 5  # about 0.1 s here; work quadratic in the depth would take far longer


def test_2000_deep_else_if_chain():
    go = "func f() {\nif x {\n" + "} else if x {\n" * 2000 + "}\n}\n"
    cfg, source = graph(go)
    assert sum(b.kind is Kind.IF_ELSE for b in cfg.blocks) == 2000 and cfg.exits(Exit.RETURN)


# -- queries --


def test_block_of_finds_a_node_or_the_node_of_the_graph_that_encloses_it():
    cfg, source = graph("""
        func f() {
            x := open()
            if x != nil {
                go func() { x.Close() }()
            }
        }
    """)
    source_text = source.decode()
    root = cfg.fn
    close_call = root.descendant_for_byte_range(source_text.index("x.Close()"), source_text.index("x.Close()") + 9)
    block, i = cfg.block_of(close_call)
    assert block.kind is Kind.IF_THEN and text(source, block.nodes[i]).startswith("go func()")
    cond = find(cfg, source, "x != nil")
    assert cfg.block_of(cond) == (cfg.blocks[0], 1)
    if_statement = cond.parent
    assert if_statement.type == "if_statement" and cfg.block_of(if_statement) is None  # control statements are no nodes
    assert cfg.block_of(cfg.fn.parent.child(0)) is None  # the package clause


def test_kinds_and_stmts_name_the_construct_of_every_block():
    cfg, source = graph("""
        func f() {
            for i := 0; i < 1; i++ {
            }
        }
    """)
    for_statement = cfg.blocks[1].stmt
    assert for_statement.type == "for_statement"
    assert [(b.kind, b.stmt) for b in cfg.blocks[1:]] == [
        (Kind.FOR_BODY, for_statement),
        (Kind.FOR_DONE, for_statement),
        (Kind.FOR_LOOP, for_statement),
        (Kind.FOR_POST, for_statement),
    ]
    assert cfg.blocks[0].stmt.type == "block"  # the entry's stmt is the body
