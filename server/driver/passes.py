"""Computing shared analyses for the checks: once per file context, memoised across runs, isolated.

The engine hands every context it makes a `Passes` object (the context's
`ResultSource`). An analysis is computed the first time a check (or an
analysis it requires) asks for it; its requirements first. A failing
analysis is computed once and fails every check that reads it, with the
analysis named in the failure, while the other checks run on.

Per-declaration analyses (`Analysis.per_declaration`) are memoised across
runs: in the editor a run follows every keystroke, and a fact that depends
only on one top-level declaration (and the file's imports) is the same
whenever that declaration's text is, so it is computed once per change of
the declaration. Memory stays bounded: per (analysis, file) only the
declarations of the file's latest run are kept, for the MAX_FILES most
recently analysed files.
"""

from __future__ import annotations

import threading
import traceback
from collections import OrderedDict
from typing import Any

from plumber.analysis.context import FileContext
from plumber.core.checks import Analysis
from plumber.syntax.nodes import Abandoned

MAX_FILES = 64  # (analysis, file) pairs kept; the CLI sees each file once, an editor a few at a time
_MISSING = object()


class AnalysisFailed(RuntimeError):
    """A shared analysis raised; `error` is its formatted traceback."""

    def __init__(self, analysis: Analysis, error: str):
        last = error.strip().splitlines()[-1] if error.strip() else "error"
        super().__init__(f"analysis {analysis.name} failed: {last}")
        self.analysis = analysis
        self.error = error


class Passes:
    """The driver's result source: computes analyses, remembers failures, memoises declarations."""

    def __init__(self) -> None:
        self._memo: OrderedDict[tuple[str, str], dict[tuple, Any]] = OrderedDict()
        self._lock = threading.Lock()  # the server's worker and its inline path may both analyse

    def compute(self, ctx: FileContext, analysis: Analysis) -> Any:
        allowed, ctx.allowed = ctx.allowed, None  # an analysis may read what it requires
        try:
            for req in analysis.requires:
                ctx.result(req)
            try:
                return self._per_declaration(ctx, analysis) if analysis.per_declaration else analysis.run(ctx)
            except (AnalysisFailed, Abandoned):  # Abandoned: the whole analysis is cut, not this pass failed
                raise
            except Exception:
                raise AnalysisFailed(analysis, traceback.format_exc()) from None
        finally:
            ctx.allowed = allowed

    def _per_declaration(self, ctx: FileContext, analysis: Analysis) -> list[tuple[Any, Any]]:
        """(declaration, value) for every top-level node of the file, memoised by its text."""
        decls = ctx.root.named_children
        if ctx.path is None or not ctx.memoize:
            return [(d, analysis.run(ctx, d)) for d in decls]
        slot = (analysis.name, ctx.path)
        with self._lock:
            previous = self._memo.pop(slot, {})
        imports = ctx.imports.signature
        current: dict[tuple, Any] = {}
        out = []
        src = ctx.source
        for decl in decls:
            # by its node count too: after a syntax error elsewhere tree-sitter may read the same text otherwise
            key = (imports, decl.type, src[decl.start_byte : decl.end_byte], decl.descendant_count)
            value = current.get(key, previous.get(key, _MISSING))
            if value is _MISSING:
                value = analysis.run(ctx, decl)
            current[key] = value
            out.append((decl, value))
        with self._lock:
            self._memo[slot] = current
            while len(self._memo) > MAX_FILES:
                self._memo.popitem(last=False)
        return out
