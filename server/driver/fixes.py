"""Applying fixes: composing the edits of many fixes, rewriting text, and the one fix loop.

`fix_until_stable` is what `plumber check --fix` (and `--diff`), the editor's
fix-all and the tests' golden files all use: apply every safe fix that
composes, analyse again, repeat until nothing changes (at most
MAX_FIX_ROUNDS). `--unsafe-fixes` runs the same loop with `unsafe=True`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from plumber.core.findings import Edit, Finding, Fix


def compose(fixes: Iterable[Fix]) -> tuple[list[Edit], list[Fix]]:
    """Edits of as many fixes as can go together, and the fixes taken.

    Fixes are taken in order; a fix whose edits overlap an edit already taken
    (other than an identical one, such as the same import) is left for a
    later round.
    """
    taken: list[Fix] = []
    edits: list[Edit] = []
    for fix in fixes:
        new = [e for e in fix.edits if e not in edits]
        if any(_overlaps(e, o) for e in new for o in edits):
            continue
        taken.append(fix)
        edits.extend(new)
    edits.sort(key=lambda e: (e.start, e.end))
    return edits, taken


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return False  # two insertions at one point keep their order; both apply
    return (a.start < b.end and b.start < a.end) or (a.start == b.start and (a.start == a.end or b.start == b.end))


def apply(source: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply non-overlapping edits (byte offsets into `source`)."""
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(source[pos : e.start])
        out.append(e.new_text.encode("utf-8", "surrogateescape"))
        pos = max(pos, e.end)
    out.append(source[pos:])
    return b"".join(out)


def safe_fixes(findings: Iterable[Finding], unsafe: bool = False) -> list[Fix]:
    """The preferred fix of each finding, in document order: the safe ones, or with `unsafe`
    the first fix of each finding whether marked safe or not (the suppression fix is never
    among a finding's fixes: the editor adds it)."""
    return [f.fixes[0] for f in sorted(findings, key=lambda f: f.start) if f.fixes and (unsafe or f.fixes[0].safe)]


MAX_FIX_ROUNDS = 5


@dataclass
class FixResult:
    source: bytes  # the text after the fixes (the input when nothing applied)
    findings: list[Finding]  # the findings of that text
    failures: list = field(default_factory=list)  # check failures of its last analysis
    fixed: Counter[str] = field(default_factory=Counter)  # check code -> fixes applied

    def changed(self, original: bytes) -> bool:
        return self.source != original


def fix_until_stable(
    source: bytes,
    findings: Sequence[Finding],
    analyze: Callable[[bytes], tuple[list[Finding], list]],
    failures: Sequence = (),
    rounds: int = MAX_FIX_ROUNDS,
    unsafe: bool = False,
) -> FixResult:
    """Apply the safe fixes of `findings` to `source`, re-analysing with `analyze(text)` between rounds;
    with `unsafe`, the first fix of each finding (`plumber check --unsafe-fixes`)."""
    result = FixResult(source, list(findings), list(failures))
    for _ in range(rounds):
        code_of = {id(f.fixes[0]): f.code for f in result.findings if f.fixes}
        edits, taken = compose(safe_fixes(result.findings, unsafe))
        if not taken:
            break
        changed = apply(result.source, edits)
        if changed == result.source:
            break
        result.source = changed
        result.fixed.update(code_of[id(fix)] for fix in taken)
        result.findings, result.failures = analyze(changed)
    return result
