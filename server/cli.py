"""The `plumber` command: `check` for CI, `serve` for editors."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Iterator

from plumber import __version__

SKIP_DIRS = {"vendor", "testdata", "node_modules"}


def go_files(paths: list[str]) -> Iterator[str]:
    """Go files under the given paths; vendor/ and testdata/ are skipped unless named."""
    for p in paths:
        if os.path.isdir(p):
            for d, dirs, names in os.walk(p):
                dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith((".", "_")))
                for n in sorted(names):
                    if n.endswith(".go"):
                        yield os.path.join(d, n)
        else:
            yield p


def cmd_check(args: argparse.Namespace) -> int:
    from plumber.engine import Engine
    from plumber.golang import new_parser

    engine = Engine()
    parser = new_parser()
    status = 0
    for path in go_files(args.paths):
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as e:
            print(f"plumber: {path}: {e.strerror}", file=sys.stderr)
            status = 2
            continue
        tree = parser.parse(source)
        settings, _ = engine.settings_for(path)
        findings, failures = engine.analyze(engine.context(path, source, tree), settings)
        for failure in failures:
            print(f"plumber: {failure.error}", file=sys.stderr)
        for f in findings:
            line = source.count(b"\n", 0, f.start)
            col = f.start - (source.rfind(b"\n", 0, f.start) + 1)
            print(f"{path}:{line + 1}:{col + 1}: {f.code}: {f.message}")
            status = max(status, 1)
    return status


def cmd_serve(args: argparse.Namespace) -> int:
    from plumber.server import start

    start(tcp=args.tcp)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="plumber", description="Find Go memory, resource and goroutine leaks.")
    ap.add_argument("--version", action="version", version=f"plumber {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check Go files and directories")
    check.add_argument("paths", nargs="+")
    check.set_defaults(func=cmd_check)
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="speak LSP over stdin/stdout (the default)")
    serve.add_argument("--tcp", metavar="HOST:PORT")
    serve.set_defaults(func=cmd_serve)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
