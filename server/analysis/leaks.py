"""Resource leaks: the one analysis under every resource check (`leak_finder` finds them).

A leak the finder reports is no leak where the lifetime context excuses it:
the process exits right after or holds the value for its whole life, the test
is about the value's own end, a transaction releases it, or the call is meant
to fail (`expected_failure`), or its other end is the function's own
script (`scripted_peers`: an Accept nobody can dial, a faked 204). The checks read the leaks of their code and
build their messages, fixes and related locations with the helpers here.
"""

from __future__ import annotations

from plumber.analysis.context import FileContext
from plumber.analysis.expected_failure import meant_to_fail
from plumber.analysis.http_head import head_request
from plumber.analysis.leak_finder import Leak, LeakFinder
from plumber.analysis.lifetime import LIFETIME, Lifetime
from plumber.analysis.local_types import TYPES
from plumber.analysis.resources import bind
from plumber.analysis.scripted_peers import scripted_bodiless, unreachable_accept
from plumber.analysis.sql_ownership import released_with_transaction
from plumber.core.checks import Analysis
from plumber.syntax.nodes import enclosing_function


def _leaks(ctx: FileContext) -> list[Leak]:
    finder = LeakFinder(ctx)
    life: Lifetime = ctx.result(LIFETIME)
    out = []
    for call, index, kind in finder.acquisitions():
        leak = finder.leak(call, index, kind)
        if leak is not None and not excused(ctx, life, leak):
            out.append(leak)
    return out


def excused(ctx: FileContext, life: Lifetime, leak: Leak) -> bool:
    """The lifetime context says the unreleased value is no leak: the process exits right after or holds it for
    its whole life, the test is about the value's own end (the package's own tests, an awaited `Done`), or the
    call is meant to fail."""
    b = leak.binding
    if life.before_exit(b.stmt) or life.process_lifetime(b.stmt):
        return True
    fn = enclosing_function(leak.call)
    if leak.kind.called and life.own_package_test(leak.callee_path):
        return True  # context's own tests of WithTimeout leave the context to expire: that is their subject
    if leak.kind.called and fn is not None:
        value = bind(ctx, leak.call, 0) if leak.index != 0 else None
        if value is not None and value.target is not None and life.awaited(ctx.text(value.target), fn):
            return True  # `c, _ := WithTimeout(...)` then `<-c.Done()`: the test waits for the deadline
    if leak.kind.code == "unclosed-body" and (head_request(ctx, leak.call) or scripted_bodiless(ctx, leak.call)):
        return True  # a HEAD response's Body is http.NoBody, as is that of a 204 the function scripts itself
    if leak.kind.code == "unclosed-conn" and unreachable_accept(ctx, leak.call):
        return True  # nobody can dial the test's listener: Accept returns only errors
    if released_with_transaction(ctx, ctx.result(TYPES), leak.call, leak.kind):
        return True  # rows of `tx.Query`: the transaction's end closes them
    if not leak.kind.nil_on_error:
        return False
    return meant_to_fail(ctx, b)


LEAKS = Analysis(
    "resource-leaks",
    "every resource the file acquires and does not release on every path (the program model)",
    _leaks,
    requires=(TYPES, LIFETIME),
)


def leaks_of(ctx: FileContext, code: str) -> list[Leak]:
    """The file's leaks a check reports (by its code)."""
    return [leak for leak in ctx.result(LEAKS) if leak.kind.code == code]


def leak_fix(ctx: FileContext, leak: Leak):
    """`defer <release>` after the error check; offered as safe only where the value is released nowhere
    (the defer is then the only release); where some path already releases it, offered but not safe."""
    from dataclasses import replace as _replace

    from plumber.analysis.resources import defer_fix

    b = leak.binding
    if b.target is None or leak.returned:
        return None  # a defer would release what the function returns
    if not leak.kind.nil_on_error:
        b = _replace(b, others=())  # anchored right after the call: the value is never nil
    nil_safe = leak.kind.release_nil_safe or not leak.kind.nil_on_error
    fix = defer_fix(ctx, b, leak.kind.release_text(ctx.text(b.target)), nil_safe=nil_safe)
    if fix is None or not (leak.released_somewhere or leak.in_use_after):
        return fix
    return _replace(fix, safe=False)


def witness_related(ctx: FileContext, leak: Leak, verb: str):
    """The related location naming the path that leaks."""
    from plumber.core.findings import Related

    w = leak.witness
    if w is None:
        return []
    var = ctx.text(leak.binding.target)
    if w.kind == "return" and w.node is not None:
        return [Related(w.node.start_byte, w.node.end_byte, f"returns here without having {verb} {var}")]
    if w.kind == "end":
        return [Related(w.offset, w.offset + 1, f"the function ends here without having {verb} {var}")]
    if w.node is not None:
        what = "acquires it again" if w.kind == "again" else f"assigns {var} again"
        return [Related(w.node.start_byte, w.node.end_byte, f"{what} here before {verb} the earlier one")]
    return []
