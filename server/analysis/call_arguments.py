"""What the package passes to its functions: per name called, the largest composite literal each
argument position is given, and which names are used as values (their callers then unknown).

defer-in-loop reads it (as the per-file summary of the package index) to bound a loop over a
parameter by what every caller passes: `createTestDir(files []templateFile)` called only with
literal tables of two or three files runs its loop two or three times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plumber.analysis.context import FileContext
from plumber.analysis.loop_bounds import literal_elements
from plumber.syntax.parser import captures, matches

NOT_A_LITERAL = -1  # an argument position given something else than a composite literal

_CALLS = "(call_expression function: (identifier) @f arguments: (argument_list) @args)"
_VALUES = """
[
  (argument_list (identifier) @v)
  (expression_list (identifier) @v)
  (literal_element (identifier) @v)
]
"""


@dataclass(frozen=True, slots=True)
class CallArguments:
    """One file's calls: name -> the largest literal per argument position (NOT_A_LITERAL where some call
    passes anything else), and the names used as values."""

    sizes: tuple[tuple[str, tuple[int, ...]], ...]
    values: frozenset[str]


def summarize(ctx: FileContext) -> CallArguments:
    sizes: dict[str, list[int]] = {}
    # Every call of the name, a local's of that name too: a superset of the function's calls only makes the
    # bound larger or unknown, never smaller (and no scope lookups: a sibling's summary stays cheap).
    for m in matches(_CALLS, ctx.root):
        f, args = m["f"][0], m["args"][0]
        given = [a for a in args.named_children if a.type != "comment"]
        spread = any(a.type == "variadic_argument" for a in given)  # `f(a, xs...)`
        here = [NOT_A_LITERAL if spread or a.type != "composite_literal" else literal_elements(a) for a in given]
        seen = sizes.setdefault(ctx.text(f), here)
        if seen is not here:
            width = max(len(seen), len(here))
            seen[:] = [_widest(seen, here, i) for i in range(width)]
    values = frozenset(ctx.text(v) for v in captures(_VALUES, ctx.root).get("v", []))
    return CallArguments(tuple((name, tuple(s)) for name, s in sorted(sizes.items())), values)


def literal_bound(files: Iterable[CallArguments | None], name: str, index: int) -> int | None:
    """The largest composite literal that every call of `name`, in `files`, passes at argument `index`; None
    when some call passes anything else (or nothing there), `name` is used as a value, or nothing calls it."""
    bound: int | None = None
    for summary in files:
        if summary is None:
            return None  # a file the index could not read: its calls are unknown
        if name in summary.values:
            return None
        for called, sizes in summary.sizes:
            if called != name:
                continue
            if index >= len(sizes) or sizes[index] == NOT_A_LITERAL:
                return None
            bound = max(bound or 0, sizes[index])
    return bound


def _widest(a: list[int], b: list[int], i: int) -> int:
    """Two calls' sizes at position i: a call with fewer arguments, or a non-literal, makes it unknown."""
    if i >= len(a) or i >= len(b) or NOT_A_LITERAL in (a[i], b[i]):
        return NOT_A_LITERAL
    return max(a[i], b[i])
