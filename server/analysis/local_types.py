"""The `types` analysis: the types of a file's local variables and expressions, from the program model."""

from __future__ import annotations

from plumber.analysis.context import FileContext
from plumber.analysis.model.facts import imports_of
from plumber.analysis.model.infer import LocalTypes
from plumber.core.checks import Analysis


def _local_types(ctx: FileContext) -> LocalTypes:
    imports, dots = imports_of(ctx.source, ctx.root)
    return LocalTypes(ctx.source, ctx.root, ctx.pkg_path, imports, dots, ctx.program)


TYPES = Analysis("types", "the types of the file's local variables and expressions (the program model)", _local_types)
