"""The test leak gate: "Fail tests that leak goroutines", a code action in a `_test.go` file.

Where the module's go.mod requires `go.uber.org/goleak`, the gate is goleak's:
a new `TestMain` calls `goleak.VerifyTestMain(m)`; an existing one gets a
`goleak.Find()` check after `m.Run()`. Otherwise, where the module's `go`
version is 1.27 or later, the gate reads the runtime's `goroutineleak`
profile after `m.Run()` (its count is current once `WriteTo` has run the leak
detection) and fails with its debug=1 text when it holds any goroutine.

A package has one `TestMain`: when a sibling `_test.go` file declares it,
that file is the one edited. The edits are gofmt-clean and compile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tree_sitter import Node

from plumber.analysis.context import FileContext
from plumber.analysis.edits import add_import, indentation, line_end, line_start, newline
from plumber.core.findings import Edit

TITLE = "Fail tests that leak goroutines"
GOLEAK = "go.uber.org/goleak"

_TEST_MAIN = """
(function_declaration
  name: (identifier) @name (#eq? @name "TestMain")
  parameters: (parameter_list) @params
  body: (block) @body) @fn
"""

_PROFILE_GATE = """\
// Fail when the tests leaked goroutines. The goroutineleak profile (Go 1.27)
// is current once WriteTo has run the leak detection; goroutines the tests
// started get a moment to reach the point where they block.
{time}.Sleep(100 * {time}.Millisecond)
if prof := {pprof}.Lookup("goroutineleak"); prof != nil {{
	var leaks {strings}.Builder
	if err := prof.WriteTo(&leaks, 1); err == nil && prof.Count() > 0 {{
		{os}.Stderr.WriteString("tests leaked goroutines:\\n" + leaks.String())
		{os}.Exit(1)
	}}
}}"""

_GOLEAK_GATE = """\
// Fail when the tests leaked goroutines.
if err := {goleak}.Find(); err != nil {{
	{os}.Stderr.WriteString("tests leaked goroutines: " + err.Error() + "\\n")
	{os}.Exit(1)
}}"""


@dataclass(frozen=True)
class GateFix:
    title: str
    path: str | None  # the file the edits apply to (this file or the sibling holding TestMain)
    edits: tuple[Edit, ...]
    kind: str  # "goroutineleak" or "goleak"


def mode(ctx: FileContext) -> str | None:
    if ctx.requires_module(GOLEAK):
        return "goleak"
    if ctx.go_at_least(1, 27):
        return "goroutineleak"
    return None


def test_main(ctx: FileContext) -> dict[str, Node] | None:
    for m in ctx.matches(_TEST_MAIN):
        fn = m["fn"][0]
        if fn.parent is not None and fn.parent.type == "source_file":
            return {k: v[0] for k, v in m.items()}
    return None


def leak_gate(ctx: FileContext, siblings: Iterable[FileContext] = ()) -> GateFix | None:
    """The gate's edits, or None (not a test file, Go < 1.27 without goleak, already gated, odd TestMain)."""
    if not ctx.is_test_file or ctx.root.has_error:
        return None
    kind = mode(ctx)
    if kind is None:
        return None
    holder, tm = ctx, test_main(ctx)
    if tm is None:
        for sib in siblings:
            if sib.is_test_file and (found := test_main(sib)) is not None:
                holder, tm = sib, found
                break
    if tm is None:
        edits = _new_test_main(ctx, kind)
    else:
        if holder.root.has_error:
            return None
        edits = _extend(holder, tm, kind)
    if edits is None:
        return None
    return GateFix(TITLE, holder.path, tuple(edits), kind)


def _names(ctx: FileContext, paths: list[str]) -> tuple[dict[str, str], list[Edit]] | None:
    """Usable names of the packages, and the import edits for those not yet imported."""
    names, missing = {}, []
    for path in sorted(paths):
        usable = ctx.imports.names_of(path)
        if usable:
            names[path] = usable[0]
            continue
        if ctx.imports.has(path):
            return None  # blank or dot import only: leave it to the user
        names[path] = path.rsplit("/", 1)[-1]
        if ctx.imports.path_of(names[path]) is not None:
            return None  # another package under that name
        missing.append(path)
    if not missing:
        return names, []
    decls = ctx.imports.decls
    if (
        len(decls) == 1
        and len(ctx.imports.imports) == 1
        and decls[0].child_count == 2
        and ctx.imports.imports[0].path != "C"
    ):
        # import "testing" alone: one parenthesised block, sorted, rather than a declaration per package
        spec = ctx.imports.imports[0].node
        nl = newline(ctx.source)
        lines = sorted([(ctx.imports.imports[0].path, ctx.text(spec))] + [(p, f'"{p}"') for p in missing])
        block = "import (" + nl + "".join(f"\t{t}{nl}" for _, t in lines) + ")"
        return names, [Edit(decls[0].start_byte, decls[0].end_byte, block)]
    edits = [e for p in missing if (e := add_import(ctx, p)) is not None]
    return names, edits


def _block(kind: str, names: dict[str, str]) -> str:
    if kind == "goleak":
        return _GOLEAK_GATE.format(goleak=names[GOLEAK], os=names["os"])
    return _PROFILE_GATE.format(
        pprof=names["runtime/pprof"], strings=names["strings"], os=names["os"], time=names["time"]
    )


def _indent(text: str, indent: str, nl: str) -> str:
    return nl.join((indent + line) if line else line for line in text.split("\n"))


def _new_test_main(ctx: FileContext, kind: str) -> list[Edit] | None:
    paths = ["testing", "os"] + ([GOLEAK] if kind == "goleak" else ["runtime/pprof", "strings", "time"])
    if kind == "goleak":
        paths.remove("os")
    got = _names(ctx, paths)
    if got is None:
        return None
    names, edits = got
    nl = newline(ctx.source)
    testing = names["testing"]
    if kind == "goleak":
        body = f"\t{names[GOLEAK]}.VerifyTestMain(m)"
    else:
        body = f"\tcode := m.Run(){nl}{_indent(_block(kind, names), chr(9), nl)}{nl}\t{names['os']}.Exit(code)"
    text = f"func TestMain(m *{testing}.M) {{{nl}{body}{nl}}}{nl}"
    src = ctx.source
    end = len(src.rstrip())
    edits.append(Edit(end, len(src), nl + nl + text))
    return edits


def _param_name(ctx: FileContext, params: Node) -> str | None:
    for p in params.named_children:
        if p.type == "parameter_declaration":
            name = p.child_by_field_name("name")
            return ctx.text(name) if name is not None else None
    return None


def _extend(ctx: FileContext, tm: dict[str, Node], kind: str) -> list[Edit] | None:
    body = tm["body"]
    text = ctx.text(body)
    if "goroutineleak" in text or "goleak." in text:
        return None  # already gated
    m = _param_name(ctx, tm["params"])
    if m is None or m == "_" or not re.search(rf"\b{re.escape(m)}\.Run\(\)", text):
        return None
    paths = ["os"] + ([GOLEAK] if kind == "goleak" else ["runtime/pprof", "strings", "time"])
    got = _names(ctx, paths)
    if got is None:
        return None
    names, edits = got
    os_name = names["os"]
    stmts = [
        c
        for c in (next((c for c in body.named_children if c.type == "statement_list"), body)).named_children
        if c.type != "comment"
    ]
    if not stmts:
        return None
    src = ctx.source
    nl = newline(src)
    exit_rx = re.compile(rf"^{re.escape(os_name)}\.Exit\((.*)\)$", re.S)
    last = stmts[-1]
    last_text = ctx.text(last)
    em = exit_rx.match(last_text) if last.type == "expression_statement" else None
    one_line = line_start(src, last.start_byte) == line_start(src, body.start_byte)
    indent = indentation(src, tm["fn"]) + "\t" if one_line else indentation(src, last)
    block = _indent(_block(kind, names), indent, nl)
    if one_line:  # func TestMain(m *testing.M) { os.Exit(m.Run()) }: lay the body out on lines
        lines = [indent + ctx.text(st) for st in stmts[:-1]]
        if em and re.fullmatch(rf"\s*{re.escape(m)}\.Run\(\)\s*", em.group(1)):
            var = "code" if not re.search(r"\bcode\b", text) else "leakGateCode"
            lines += [f"{indent}{var} := {m}.Run()", block, f"{indent}{os_name}.Exit({var})"]
        elif em or last.type == "return_statement":
            lines += [block, indent + last_text]
        else:
            lines += [indent + last_text, block]
        closing = indentation(src, tm["fn"]) + "}"
        edits.append(Edit(body.start_byte, body.end_byte, "{" + nl + nl.join(lines) + nl + closing))
    elif em and re.fullmatch(rf"\s*{re.escape(m)}\.Run\(\)\s*", em.group(1)):
        # os.Exit(m.Run()): keep the status, run the gate between the two
        var = "code" if not re.search(r"\bcode\b", text) else "leakGateCode"
        new = f"{var} := {m}.Run(){nl}{block}{nl}{indent}{os_name}.Exit({var})"
        edits.append(Edit(last.start_byte, last.end_byte, new))
    elif em or last.type == "return_statement":
        # the gate goes before the final os.Exit(...) / return
        at = line_start(src, last.start_byte)
        edits.append(Edit(at, at, block + nl))
    else:
        at = line_end(src, last.end_byte)
        edits.append(Edit(at, at, nl + block))
    return edits
