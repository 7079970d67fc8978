"""The registry: every check Plumber runs, in catalogue order.

Adding a check: its module here (with `CHECK`), its test data under
tests/testdata/<code>/, and one line below.
"""

from plumber.check import Check
from plumber.diagnostics import unclosed_body, unclosed_file
from plumber.diagnostics import blocked_receive, blocked_send, endless_goroutine, ncast_send, unbounded_spawn, unclosed_range

CHECKS: list[Check] = [
    unclosed_file.CHECK,
    unclosed_body.CHECK,
    blocked_send.CHECK,
    ncast_send.CHECK,
    unclosed_range.CHECK,
    blocked_receive.CHECK,
    endless_goroutine.CHECK,
    unbounded_spawn.CHECK,
]
