"""The shared import editor (plumber.edits.add_import / import_for), tested directly.

Every result is checked against the real gofmt: `gofmt -l` must not list it,
and the output must parse as Go with the import in place.
"""

import os
import subprocess
import tempfile

import pytest
from analysistest import gofmt_binary

from plumber.analysis.context import FileContext
from plumber.analysis.edits import add_import, import_for
from plumber.core.findings import Edit, Fix
from plumber.driver.fixes import apply, compose
from plumber.syntax.parser import new_parser

BODY = "\nfunc f() { _ = unsafe.Pointer(nil) }\n"


def ctx_of(src: str) -> FileContext:
    data = src.encode()
    return FileContext(data, new_parser().parse(data))


def added(src: str, path: str = "unsafe") -> str:
    ctx = ctx_of(src)
    edit = add_import(ctx, path)
    assert edit is not None
    return apply(ctx.source, [edit]).decode()


def gofmt_clean(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "x.go")
        with open(p, "w", newline="") as f:
            f.write(text)
        out = subprocess.run([gofmt_binary(), "-l", p], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert not out.stdout.strip(), "gofmt would change:\n" + text


CASES = {
    "no imports": (
        "package p\n" + BODY,
        'package p\n\nimport "unsafe"\n' + BODY,
    ),
    "single import": (
        'package p\n\nimport "fmt"\n\nvar _ = fmt.Sprint\n' + BODY,
        'package p\n\nimport "fmt"\n\nimport "unsafe"\n\nvar _ = fmt.Sprint\n' + BODY,
    ),
    "several single-line declarations": (
        'package p\n\nimport "fmt"\nimport "os"\n\nvar _, _ = fmt.Sprint, os.Exit\n' + BODY,
        'package p\n\nimport "fmt"\nimport "os"\n\nimport "unsafe"\n\nvar _, _ = fmt.Sprint, os.Exit\n' + BODY,
    ),
    "parenthesised, sorted in the middle": (
        'package p\n\nimport (\n\t"fmt"\n\t"os"\n\t"strings"\n)\n' + BODY,
        'package p\n\nimport (\n\t"fmt"\n\t"os"\n\t"strings"\n\t"unsafe"\n)\n' + BODY,
    ),
    "parenthesised, first": (
        'package p\n\nimport (\n\t"zzz/x"\n)\n' + BODY,
        'package p\n\nimport (\n\t"unsafe"\n\t"zzz/x"\n)\n' + BODY,
    ),
    "parenthesised with groups: the standard-library group": (
        'package p\n\nimport (\n\t"fmt"\n\t"os"\n\n\t"example.com/a"\n\t"example.com/z"\n)\n' + BODY,
        'package p\n\nimport (\n\t"fmt"\n\t"os"\n\t"unsafe"\n\n\t"example.com/a"\n\t"example.com/z"\n)\n' + BODY,
    ),
    "third-party group first": (
        'package p\n\nimport (\n\t"example.com/a"\n\n\t"fmt"\n\t"zlib"\n)\n' + BODY,
        'package p\n\nimport (\n\t"example.com/a"\n\n\t"fmt"\n\t"unsafe"\n\t"zlib"\n)\n' + BODY,
    ),
    "a comment above the next spec stays with it": (
        'package p\n\nimport (\n\t"fmt"\n\t// for the exit code\n\t"os"\n)\n',
        'package p\n\nimport (\n\t"fmt"\n\t"net"\n\t// for the exit code\n\t"os"\n)\n',
    ),
    "trailing comment on the last spec": (
        'package p\n\nimport (\n\t"fmt" // printing\n)\n' + BODY,
        'package p\n\nimport (\n\t"fmt" // printing\n\t"unsafe"\n)\n' + BODY,
    ),
    "dot, blank and aliased imports": (
        'package p\n\nimport (\n\t_ "embed"\n\t. "fmt"\n\tstdos "os"\n)\n' + BODY,
        'package p\n\nimport (\n\t_ "embed"\n\t. "fmt"\n\tstdos "os"\n\t"unsafe"\n)\n' + BODY,
    ),
    "import C with its preamble, nothing else": (
        'package p\n\n// #include <stdlib.h>\nimport "C"\n' + BODY,
        'package p\n\n// #include <stdlib.h>\nimport "C"\n\nimport "unsafe"\n' + BODY,
    ),
    "import C and a block": (
        'package p\n\n/*\n#include <stdlib.h>\n*/\nimport "C"\n\nimport (\n\t"fmt"\n)\n' + BODY,
        'package p\n\n/*\n#include <stdlib.h>\n*/\nimport "C"\n\nimport (\n\t"fmt"\n\t"unsafe"\n)\n' + BODY,
    ),
    "a single import before import C keeps the preamble attached": (
        'package p\n\nimport "fmt"\n\n// #include <stdlib.h>\nimport "C"\n\nvar _ = fmt.Sprint\n' + BODY,
        'package p\n\nimport "fmt"\n\nimport "unsafe"\n\n// #include <stdlib.h>\nimport "C"\n\nvar _ = fmt.Sprint\n'
        + BODY,
    ),
    "empty block": (
        "package p\n\nimport (\n)\n" + BODY,
        'package p\n\nimport (\n\t"unsafe"\n)\n' + BODY,
    ),
    "empty block on one line": (
        "package p\n\nimport ()\n" + BODY,
        'package p\n\nimport (\n\t"unsafe"\n)\n' + BODY,
    ),
    "package clause with a comment": (
        '// Package p does things.\npackage p // import "example.com/p"\n' + BODY,
        '// Package p does things.\npackage p // import "example.com/p"\n\nimport "unsafe"\n' + BODY,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_add_import_shapes(name):
    src, want = CASES[name]
    path = "net" if "comment above" in name else "unsafe"
    got = added(src, path)
    assert got == want
    gofmt_clean(got)
    tree = new_parser().parse(got.encode())
    assert not tree.root_node.has_error


@pytest.mark.parametrize("name", list(CASES))
def test_add_import_crlf(name):
    """A CRLF file gets CRLF lines, and the same text as the LF file otherwise."""
    src, want = CASES[name]
    path = "net" if "comment above" in name else "unsafe"
    got = added(src.replace("\n", "\r\n"), path)
    assert "\n" not in got.replace("\r\n", "")
    assert got.replace("\r\n", "\n") == want


def test_already_imported():
    assert add_import(ctx_of('package p\n\nimport "unsafe"\n'), "unsafe") is None
    assert add_import(ctx_of('package p\n\nimport u "unsafe"\n'), "unsafe") is None
    assert import_for(ctx_of('package p\n\nimport u "unsafe"\n'), "unsafe") == ("u", None)


def test_blank_or_dot_import_does_not_count():
    """`import _ "unsafe"` (for go:linkname) gives no usable name: a plain import is added."""
    got = added('package p\n\nimport _ "unsafe"\n' + BODY)
    assert got == 'package p\n\nimport _ "unsafe"\n\nimport "unsafe"\n' + BODY
    gofmt_clean(got)
    name, edit = import_for(ctx_of('package p\n\nimport . "unsafe"\n'), "unsafe")
    assert name == "unsafe" and edit is not None


def test_import_for_name_taken():
    """The default name is bound to another package: no way to name it without a rename."""
    assert import_for(ctx_of('package p\n\nimport unsafe "example.com/notunsafe"\n'), "unsafe") is None
    assert import_for(ctx_of("package p\n"), "unsafe") == ("unsafe", add_import(ctx_of("package p\n"), "unsafe"))


def test_several_fixes_add_the_import_once():
    """Two fixes that each add the import: compose keeps one copy of the identical edit."""
    src = 'package p\n\nimport (\n\t"fmt"\n)\n\nfunc f() {\n\tfmt.Println()\n}\n'
    ctx = ctx_of(src)
    imp = add_import(ctx, "unsafe")
    at = src.index("\tfmt.Println()")
    a = Fix("a", (Edit(at, at, "\t_ = unsafe.Pointer(nil)\n"), imp))
    b = Fix("b", (imp, Edit(len(src), len(src), "\nvar _ = unsafe.Sizeof(0)\n")))
    edits, taken = compose([a, b])
    assert taken == [a, b]
    assert edits.count(imp) == 1
    out = apply(ctx.source, edits).decode()
    assert out.count('"unsafe"') == 1
    gofmt_clean(out)


def test_two_different_imports_compose():
    """Adding "os" and "unsafe" at the same place: both land, in the order gofmt wants."""
    src = 'package p\n\nimport (\n\t"fmt"\n)\n'
    ctx = ctx_of(src)
    edits, taken = compose([Fix("os", (add_import(ctx, "os"),)), Fix("unsafe", (add_import(ctx, "unsafe"),))])
    out = apply(ctx.source, edits).decode()
    assert out == 'package p\n\nimport (\n\t"fmt"\n\t"os"\n\t"unsafe"\n)\n'
    gofmt_clean(out)
