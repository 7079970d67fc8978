"""The registry: every check Plumber runs, in catalogue order.

Adding a check: its module here (with `CHECK`), its test data under
tests/testdata/<code>/, and one line below.
"""

from plumber.core.checks import Check
from plumber.diagnostics import (
    blocked_receive,
    blocked_send,
    cgo_not_freed,
    defer_in_loop,
    endless_goroutine,
    finalizer_cycle,
    lost_cancel,
    ncast_send,
    substring_retention,
    ticker_not_stopped,
    unbounded_cache,
    unbounded_spawn,
    unclosed_body,
    unclosed_conn,
    unclosed_file,
    unclosed_range,
)

CHECKS: list[Check] = [
    unclosed_file.CHECK,
    unclosed_body.CHECK,
    unclosed_conn.CHECK,
    defer_in_loop.CHECK,
    ticker_not_stopped.CHECK,
    cgo_not_freed.CHECK,
    lost_cancel.CHECK,
    blocked_send.CHECK,
    ncast_send.CHECK,
    unclosed_range.CHECK,
    blocked_receive.CHECK,
    endless_goroutine.CHECK,
    unbounded_spawn.CHECK,
    substring_retention.CHECK,
    unbounded_cache.CHECK,
    finalizer_cycle.CHECK,
]
