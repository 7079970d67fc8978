"""a small slice of a large string or byte slice is kept: the whole buffer stays in memory

A slice expression `s[i:j]` shares the backing array of `s`. When `s` is a
large buffer (a file read with `os.ReadFile`, a body read with `io.ReadAll`,
a `make([]byte, 1<<20)` filled by a read) and only a few bytes of it are
kept beyond the function, the whole buffer stays reachable as long as the
small slice does: a 5-byte header pins a 10 MB file.

Flags `s[i:j]` (also `s[:j]` and `s[i:j:k]`; a tail `s[i:]` keeps most of
the buffer anyway and is not flagged) where `s` comes from `os.ReadFile`,
`ioutil.ReadFile`, `io.ReadAll`, `ioutil.ReadAll`, `make([]byte, N)` with a
constant `N` of at least 16 KiB (or a local `var buf [N]byte` array), `string(...)` of one of those, a trimmed or
resliced copy of one, or an element of `strings.Split/Fields` (`bytes.Split/
Fields`) of one, and the slice is kept beyond the function: returned (also
through a local variable or a named result), assigned or appended to a
package-level variable, stored in a package-level map, in a field, or in a
composite literal that is itself kept.

Not flagged: slices used within the function, slices converted with
`string(b[i:j])` or copied (`copy(dst, s[i:j])`, `append([]byte(nil),
s[i:j]...)`, `strings.Clone`, `bytes.Clone`), buffers of unknown size
(parameters, `make([]byte, n)`), buffers under 16 KiB.

The buffer may come from a function of the package (any of its files): one
whose every non-empty return is such a buffer (`return os.ReadFile(p)`), or
one that returns `make([]byte, n)`, `string(make([]byte, n))` or
`strings.Repeat(s, n)` sized by a parameter, called with a constant of at
least 16 KiB (seed 000's `createStringWithLengthOnHeap(1 << 20)`). A smaller
buffer, the 4 KiB of a `Read` into `make([]byte, 4096)` returned as `b[:n]`,
is what reading costs, not a leak.

Fix: copy the slice so that the buffer can be collected:
`strings.Clone(s[i:j])` for a string; `bytes.Clone(s[i:j])` for a byte slice
where go.mod says `go 1.20` or later, else `append([]byte(nil), s[i:j]...)`.
The import is added when missing. No fix where the kind of `s` cannot be told.

```go
func header() []byte {
    data, _ := os.ReadFile("large.dat") // 10 MB
    return data[:5] // want: data[:5] keeps the whole buffer alive
}
// fixed:
    return bytes.Clone(data[:5])
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.buffer_helpers import helper_of
from plumber.analysis.context import FileContext
from plumber.analysis.edits import add_import, import_name
from plumber.analysis.outlives import kept
from plumber.analysis.provenance import Helper, origin
from plumber.analysis.scope import declaration_of
from plumber.core.checks import Analysis, Category, Check, FixAvailability
from plumber.core.findings import Edit, Finding, Fix, Severity, finding, related

CODE = "substring-retention"
QUERY = "(slice_expression operand: (identifier) @s) @slice"
_PREFILTER = (b"ReadFile", b"ReadAll", b"make([]byte", b"make([]uint8")


def _small(ctx: FileContext, sl: Node, name: str) -> bool:
    """A slice with an upper bound that is not `len(s)-k`: a piece, not most of the buffer."""
    end = sl.child_by_field_name("end")
    if end is None:
        return False
    text = ctx.text(end).replace(" ", "")
    return not text.startswith(f"len({name})")


def fix_for(ctx: FileContext, sl: Node, kind: str | None) -> Fix | None:
    text = ctx.text(sl)
    if kind is None:
        return None
    if kind == "string":
        pkg, path, fn = "strings", "strings", "Clone"
    elif ctx.go_at_least(1, 20):
        pkg, path, fn = "bytes", "bytes", "Clone"
    else:
        return Fix(f"Copy the slice: append([]byte(nil), {text}...)", _wrap(sl, "append([]byte(nil), ", "...)"))
    name = import_name(ctx, path)
    edits = []
    if name is None:
        if (
            ctx.imports.path_of(pkg) is not None
            or declaration_of(ctx.source, sl, pkg) is not None
            or _declared_at_top(ctx, pkg)
        ):
            return None  # the name is taken: the import could not be added as is
        imp = add_import(ctx, path)
        if imp is None:
            return None
        edits.append(imp)
        name = pkg
    elif declaration_of(ctx.source, sl, name) is not None:
        return None  # shadowed here
    edits.extend(_wrap(sl, f"{name}.{fn}(", ")"))
    return Fix(f"Copy the slice with {name}.{fn}", tuple(edits))


def _declared_at_top(ctx: FileContext, name: str) -> bool:
    for c in ctx.root.children:
        if c.type in ("var_declaration", "const_declaration", "function_declaration", "type_declaration"):
            for ident in ctx.captures("[(identifier) (type_identifier)] @n", c).get("n", []):
                if (
                    ctx.text(ident) == name
                    and ident.parent is not None
                    and ident.parent.type in ("var_spec", "const_spec", "function_declaration", "type_spec")
                ):
                    return True
    return False


def _wrap(node: Node, before: str, after: str) -> tuple[Edit, Edit]:
    """Two insertions around `node`: the smallest edit, and it keeps any comment inside intact."""
    return Edit(node.start_byte, node.start_byte, before), Edit(node.end_byte, node.end_byte, after)


def summarize(ctx: FileContext) -> dict[str, Helper]:
    """The file's functions that return a large buffer (always, or sized by a parameter)."""
    if not any(k in ctx.source for k in _HELPER_HINTS):
        return {}  # no declaration can be one: skip the per-declaration pass
    return {found[0]: found[1] for _decl, found in ctx.result(HELPERS) if found is not None}


def _helpers(ctx: FileContext):
    table: dict[str, Helper | None] | None = None

    def lookup(name: str) -> Helper | None:
        nonlocal table
        if table is None:
            table = {}
            found: list[dict[str, Helper] | None] = (
                list(ctx.package.summaries(CHECK).values()) if ctx.package is not None else []
            )
            if not found or ctx.is_test_file:  # a test file sees its package but is not in its view
                found.append(summarize(ctx))
            for s in found:
                for k, h in (s or {}).items():
                    table[k] = h if k not in table else None  # declared twice (build tags): unknown
        return table.get(name)

    return lookup


def run(ctx: FileContext) -> Iterator[Finding]:
    if b"[" not in ctx.source:
        return
    helpers = _helpers(ctx)
    if not any(p in ctx.source for p in _PREFILTER) and not _calls_a_helper(ctx):
        return  # the whole-file query only where a large buffer can come from
    for m in ctx.matches(QUERY):
        sl, s = m["slice"][0], m["s"][0]
        name = ctx.text(s)
        if not _small(ctx, sl, name):
            continue
        o = origin(ctx, s, helpers=helpers)
        if o is None:
            continue
        how = kept(ctx, sl)
        if how is None:
            continue
        fix = fix_for(ctx, sl, o.kind)
        what = {"string": "string", "bytes": "byte slice"}.get(o.kind or "", "buffer")
        yield finding(
            CODE,
            sl,
            f"{ctx.text(sl)} is {how} but shares the backing array of {name} (from {o.what}): "
            f"the whole {what} stays in memory as long as the slice does; copy it",
            fixes=[fix] if fix else [],
            related=[related(o.node, f"the large {what} is made here")],
        )


_SLICES = re.compile(rb"\[[^\]\[\n]*:")  # a slice expression's `[...:`, in the text
_HELPER_HINTS = (b"make(", b"Repeat(", b"ReadFile", b"ReadAll")


def _calls_a_helper(ctx: FileContext) -> bool:
    """The file calls a function of the package that returns a large buffer (its name, in the text;
    the package's summaries, kept per file version, only for a file with a slice expression)."""
    names = set(summarize(ctx))
    if ctx.package is not None and _SLICES.search(ctx.source):
        for summary in ctx.package.summaries(CHECK).values():
            names.update(summary or {})
    return any((n + "(").encode() in ctx.source for n in names)


HELPERS = Analysis(
    "substring-retention/helpers",
    "per top-level function: whether it returns a large buffer (always, or sized by a parameter)",
    helper_of,
    per_declaration=True,
)

CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.MEMORY,
    fix=FixAvailability.SOMETIMES,
    requires=(HELPERS,),
    summarize=summarize,
    package_wide=True,
    scope="file",
)  # the fix reads top-level names, other functions included
