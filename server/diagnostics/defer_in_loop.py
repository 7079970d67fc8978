"""stub"""
from plumber.check import Check, Severity
CHECK = Check(code="stub-defer_in_loop", severity=Severity.WARNING, doc=__doc__, run=lambda ctx: ())
