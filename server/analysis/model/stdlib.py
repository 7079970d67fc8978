"""The standard library's API, as per-file facts: generated from `$(go env GOROOT)/src`, shipped with Plumber.

    python -m plumber.analysis.model.stdlib --goroot DIR          # regenerate data/std.zip
    python -m plumber.analysis.model.stdlib --goroot DIR --check  # exit 1 when the shipped table is stale

The table holds, per standard-library package (internal ones too: exported
results and embedded fields reach them), the facts of its non-test files
that a linux/amd64 build without cgo compiles, made by the same code that
indexes the module's own files (`facts.file_facts`). Plumber needs no Go
toolchain at run time; `tests/unit/test_model_stdlib.py` regenerates the
table from the Go toolchain of the test environment and compares.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import zipfile
from functools import cache
from typing import Any

from plumber.analysis.model import exprs as E
from plumber.analysis.model import facts as F
from plumber.analysis.model import types as T
from plumber.analysis.model.build import in_build
from plumber.analysis.model.packages import PackageFacts

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "std.zip")
SKIP_DIRS = {"testdata", "vendor", "cmd"}

# Every class the table serialises, by a short tag.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        T.Basic, T.Named, T.TypeParam, T.Pointer, T.Slice, T.Array, T.Map, T.Chan, T.Var, T.Signature,
        T.Struct, T.Interface, T.Tuple, E.Known, E.Global, E.Local, E.Call, E.Select, E.Builtin, E.Unary,
        E.Binary, E.Index, E.SliceOf, E.Assert, E.FuncLit, E.Opaque, F.FuncFacts, F.TypeFacts, F.ValueFacts,
    )
}  # fmt: skip


def encode(x: Any) -> Any:
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return [type(x).__name__, *(encode(getattr(x, f.name)) for f in dataclasses.fields(x))]
    if isinstance(x, tuple):
        return {"t": [encode(i) for i in x]}
    if isinstance(x, dict):
        return {"d": {k: encode(v) for k, v in x.items()}}
    return x


def decode(x: Any) -> Any:
    if isinstance(x, list):
        cls = _CLASSES[x[0]]
        return cls(*(decode(v) for v in x[1:]))
    if isinstance(x, dict):
        if "t" in x:
            return tuple(decode(i) for i in x["t"])
        return {k: decode(v) for k, v in x["d"].items()}
    return x


def _file_record(ff: F.FileFacts) -> dict[str, Any]:
    return {
        "package": ff.package,
        "funcs": encode(ff.funcs),
        "methods": encode(ff.methods),
        "types": encode(ff.types),
        "values": encode(ff.values),
    }


def generate(goroot: str) -> dict[str, Any]:
    """{"go": version, "packages": {import path: [file record, ...]}} for a GOROOT."""
    from plumber.syntax.parser import new_parser

    parser = new_parser()
    src = os.path.join(goroot, "src")
    packages: dict[str, list[dict[str, Any]]] = {}
    for d, dirs, names in os.walk(src):
        rel = os.path.relpath(d, src)
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith((".", "_")))
        if rel == ".":
            continue
        path = rel.replace(os.sep, "/")
        records = []
        for n in sorted(names):
            if not n.endswith(".go") or n.endswith("_test.go"):
                continue
            with open(os.path.join(d, n), "rb") as fh:
                source = fh.read()
            if not in_build(n, source[:8192]):
                continue
            tree = parser.parse(source)
            ff = F.file_facts(os.path.join(path, n), source, tree.root_node, path)
            if "C" in ff.imports.values() or ff.package in (None, "main", "documentation"):
                continue
            records.append(_file_record(ff))
        if records:
            packages[path] = records
    with open(os.path.join(goroot, "VERSION"), encoding="utf-8") as fh:
        version = fh.readline().strip()
    return {"go": version, "packages": packages}


def write(table: dict[str, Any], path: str = DATA) -> None:
    """One compressed JSON member per package, read on demand (start-up reads only the index)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("VERSION", table["go"])] + sorted(table["packages"].items()):
            info = zipfile.ZipInfo(name if name == "VERSION" else name + ".json", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data if name == "VERSION" else json.dumps(data, separators=(",", ":"), sort_keys=True))


@cache
def _archive() -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(DATA)
    except OSError:
        return None


@cache
def _members() -> frozenset[str]:
    z = _archive()
    return frozenset(n[:-5] for n in z.namelist() if n.endswith(".json")) if z is not None else frozenset()


def version() -> str | None:
    z = _archive()
    return z.read("VERSION").decode() if z is not None else None


def is_std(path: str) -> bool:
    return path in _members()


def _records(path: str) -> list[dict[str, Any]] | None:
    z = _archive()
    if z is None or path not in _members():
        return None
    return json.loads(z.read(path + ".json"))


@cache
def package(path: str) -> PackageFacts | None:
    """The facts of a standard-library package, decoded on first use."""
    records = _records(path)
    if records is None:
        return None
    files = []
    for i, r in enumerate(records):
        ff = F.FileFacts(f"$GOROOT/src/{path}/#{i}", r["package"], {})
        ff.funcs, ff.methods, ff.types, ff.values = (decode(r[k]) for k in ("funcs", "methods", "types", "values"))
        files.append(ff)
    return PackageFacts.merge(path, files)


def stale(table: dict[str, Any]) -> list[str]:
    """Packages whose shipped facts differ from `table`'s (and the version, when it differs)."""
    out = [] if version() == table["go"] else ["VERSION"]
    names = set(table["packages"]) | _members()
    for name in sorted(names):
        want = json.loads(json.dumps(table["packages"].get(name)))
        if _records(name) != want:
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m plumber.analysis.model.stdlib", description=__doc__.splitlines()[0])
    ap.add_argument("--goroot", required=True)
    ap.add_argument("--check", action="store_true", help="compare with the shipped table instead of writing it")
    ap.add_argument("--out", default=DATA)
    args = ap.parse_args(argv)
    table = generate(args.goroot)
    if args.check:
        bad = stale(table)
        if bad:
            print(
                f"{args.out} is out of date for {table['go']} ({len(bad)} packages, e.g. {bad[0]}): regenerate it",
                file=sys.stderr,
            )
            return 1
        return 0
    write(table, args.out)
    print(f"wrote {args.out}: {len(table['packages'])} packages of {table['go']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
