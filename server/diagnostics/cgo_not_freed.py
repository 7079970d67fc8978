"""stub"""
from plumber.check import Check, Severity
CHECK = Check(code="stub-cgo_not_freed", severity=Severity.WARNING, doc=__doc__, run=lambda ctx: ())
