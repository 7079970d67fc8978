"""C memory from C.CString, C.CBytes or C.malloc is never freed

Memory that cgo allocates in the C heap is invisible to Go's garbage
collector: `C.CString(s)` and `C.CBytes(b)` copy into `malloc`ed memory, and
`C.malloc(n)` is malloc itself. Nothing frees it but `C.free`, so a function
that forgets leaks the allocation on every call (seed 002).

Flags `p := C.CString(...)`, `C.CBytes(...)` and `C.malloc(...)` (also
through a conversion, `p := (*C.char)(C.malloc(n))`) in a file that imports
"C", when `p` is not freed (`C.free(p)`, `C.free(unsafe.Pointer(p))`) on
every path from the call to the function's return (the program model's
control flow: a free on one branch only is named with the path that
misses it) and does not escape: it is not returned, stored in a field, a
package-level variable or a container that escapes, sent on a channel, or
passed to a Go function that may keep it (the module's functions by
summary: one that frees its argument frees it). Passing `p` to C functions
(`C.puts(p)`, `C.use(unsafe.Pointer(p))`) and `C.GoString(p)` only borrow it:
they do not free it. A result that is not bound to a variable
(`C.puts(C.CString(s))`) always leaks.

Fix (where it is never freed): `defer C.free(unsafe.Pointer(p))` on the line after the call, adding
`import "unsafe"` when the file lacks it (inside an existing parenthesised
import block, sorted; as a declaration of its own otherwise; never between
`import "C"` and its preamble comment). `C.free` needs `<stdlib.h>`: the fix
is offered only when the preamble includes it or the file already calls
`C.free`. Not offered inside loops, where the defers would pile up.

```go
// #include <stdlib.h>
import "C"

cs := C.CString(s) // want: cs is never freed
defer C.free(unsafe.Pointer(cs)) // the fix
C.puts(cs)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.edits import import_for
from plumber.analysis.leak_finder import LeakFinder
from plumber.analysis.leaks import excused, witness_related
from plumber.analysis.lifetime import LIFETIME, Lifetime
from plumber.analysis.local_types import TYPES
from plumber.analysis.model.resource_table import CGO
from plumber.analysis.ownership import is_conversion
from plumber.analysis.resources import bind, calls_query, defer_fix, opening_calls
from plumber.core.checks import Category, Check, FixAvailability
from plumber.core.findings import Finding, Fix, Severity, finding

CODE = "cgo-not-freed"
ALLOCATORS = {"C": frozenset({"CString", "CBytes", "malloc"})}
QUERY = calls_query(ALLOCATORS["C"])
_FREE_CALL = re.compile(rb"(?<![\w.])C\.free\s*\(")


def run(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.imports.has("C"):
        return
    finder: LeakFinder | None = None
    life: Lifetime | None = None
    for call in opening_calls(ctx, QUERY, ALLOCATORS):
        func = ctx.called_name(call)
        value = _through_conversions(ctx, call)
        b = bind(ctx, value, 0)
        if b is None:
            if _unbound_leak(ctx, value):
                yield finding(
                    CODE,
                    call,
                    f"the memory C.{func} allocates is passed on and never freed: the C heap is not garbage collected",
                )
            continue
        if b.target is None:
            yield finding(
                CODE,
                call,
                f"the memory C.{func} allocates is discarded and never freed: the C heap is not garbage collected",
            )
            continue
        if finder is None:
            finder, life = LeakFinder(ctx), ctx.result(LIFETIME)
        assert life is not None
        leak = finder.verdict(call, 0, CGO, b)
        if leak is None or excused(ctx, life, leak):
            continue  # freed on every path, or handed on
        name = ctx.text(b.target)
        if leak.witness is None:
            fix = _free_fix(ctx, b, name)
            yield finding(CODE, call, f"{name} is never freed: the memory C.{func} allocates in the C heap is not "
                                      "garbage collected; call C.free", fixes=[fix] if fix else [])  # fmt: skip
        else:
            yield finding(CODE, call, f"{name} is not freed on every path: when the function returns this way the "
                                      f"memory C.{func} allocates stays in the C heap",
                          related=witness_related(ctx, leak, "freed"))  # fmt: skip


def _through_conversions(ctx: FileContext, call: Node) -> Node:
    """`(*C.char)(C.malloc(n))` or `unsafe.Pointer(C.CString(s))`: the conversion holds the pointer."""
    node = call
    while True:
        up = node
        while up.parent is not None and up.parent.type == "parenthesized_expression":
            up = up.parent
        args = up.parent
        if args is None or args.type != "argument_list" or args.named_child_count != 1:
            return node
        outer = args.parent
        if outer is None or outer.type != "call_expression" or not is_conversion(ctx, outer):
            return node
        node = outer


def _unbound_leak(ctx: FileContext, value: Node) -> bool:
    """`C.f(C.CString(s))`: handed straight to a C function, which only borrows it."""
    args = value.parent
    if args is None or args.type != "argument_list" or args.parent is None:
        return False
    target = ctx.call_target(args.parent)
    return target is not None and target[0] == "C" and target[1] != "free"


def _free_fix(ctx: FileContext, b, name: str) -> Fix | None:
    if not _has_free(ctx):
        return None
    unsafe = import_for(ctx, "unsafe")
    if unsafe is None:
        return None
    pkg, import_edit = unsafe
    fix = defer_fix(ctx, b, f"C.free({pkg}.Pointer({name}))", nil_safe=True)
    if fix is None:
        return None
    return Fix(fix.title, fix.edits + ((import_edit,) if import_edit else ()))


def _has_free(ctx: FileContext) -> bool:
    """C.free is declared: the preamble includes <stdlib.h>, or the file already calls it."""
    for imp in ctx.imports.imports:
        if imp.path != "C":
            continue
        decl = imp.node.parent
        if decl is not None and decl.type == "import_spec_list":
            decl = decl.parent
        prev = decl.prev_sibling if decl is not None else None
        while prev is not None and prev.type == "comment":
            if b"stdlib.h" in ctx.source[prev.start_byte : prev.end_byte]:
                return True
            prev = prev.prev_sibling
    return _FREE_CALL.search(ctx.source) is not None


CHECK = Check(
    code=CODE,
    severity=Severity.WARNING,
    doc=__doc__,
    run=run,
    category=Category.RESOURCE,
    fix=FixAvailability.SOMETIMES,
    scope="file",
    requires=(TYPES, LIFETIME),
)  # the fix depends on C.free calls anywhere in the file
