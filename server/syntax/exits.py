"""The calls after which control never reaches the next statement: the one table.

Read from the call's text, as written (`os.Exit(1)`, `t.Fatalf(...)`): the
statement-level test the checks use before the program model resolves
callees through imports and types.
"""

from __future__ import annotations

import re

from tree_sitter import Node

# Package functions that never return, by the package's usual name.
PACKAGE_EXITS = {
    "os": ("Exit",),
    "runtime": ("Goexit",),
    "log": ("Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln"),
}
# Methods of testing.T/B/F (any receiver name) that stop the goroutine.
TEST_EXITS = ("Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow")

_EXIT_CALL = re.compile(
    r"^(panic|"
    + "|".join(rf"{pkg}\.({'|'.join(names)})" for pkg, names in PACKAGE_EXITS.items())
    + rf"|\w+\.({'|'.join(TEST_EXITS)}))\("
)


def is_exit_text(text: str) -> bool:
    """Whether a statement's text starts with a call that never returns."""
    return _EXIT_CALL.match(text) is not None


def is_exit_statement(source: bytes, node: Node) -> bool:
    """An expression statement calling panic, os.Exit, runtime.Goexit, log.Fatal*/Panic* or t.Fatal*/Skip*/FailNow."""
    return node.type == "expression_statement" and is_exit_text(
        source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    )
