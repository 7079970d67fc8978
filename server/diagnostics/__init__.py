"""The registry: every check Plumber runs, in catalogue order.

Adding a check: its module here (with `CHECK`), its test data under
tests/testdata/<code>/, and one line below.
"""

from plumber.check import Check
from plumber.diagnostics import finalizer_cycle, substring_retention, unbounded_cache, unclosed_body, unclosed_file

CHECKS: list[Check] = [
    unclosed_file.CHECK,
    unclosed_body.CHECK,
    substring_retention.CHECK,
    unbounded_cache.CHECK,
    finalizer_cycle.CHECK,
]
