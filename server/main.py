"""`plumber`: the entry point, above the command line (check, profile) and the language server (serve)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from plumber import __version__

if TYPE_CHECKING:  # `plumber serve` imports nothing before it answers `initialize` (lsp/fastinit.py)
    import argparse
    from collections.abc import Sequence

    from plumber.core.checks import Check


def cmd_serve(args: argparse.Namespace, registry: Sequence[Check] | None = None) -> int:
    early = None
    if not args.tcp:
        from plumber.lsp.fastinit import preanswer, stdin_is_pipe

        if stdin_is_pipe():
            early = preanswer()  # answered before the server (pygls, lsprotocol, the engine) is imported
    from plumber.lsp.server import start

    return start(tcp=args.tcp, registry=registry, early=early)


def _add_serve(sub) -> None:
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="speak LSP over stdin/stdout (the default)")
    serve.add_argument("--tcp", metavar="HOST:PORT")
    serve.set_defaults(func=cmd_serve)


def build_parser(serve_only: bool = False) -> argparse.ArgumentParser:
    """The command line; `serve_only`: just `serve` (the server starts without the other commands' imports)."""
    import argparse

    ap = argparse.ArgumentParser(prog="plumber", description="Find Go memory, resource and goroutine leaks.")
    ap.add_argument("--version", action="version", version=f"plumber {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="{check,rules,explain,serve,profile}")
    if serve_only:
        _add_serve(sub)
        return ap
    from plumber.cli import check, profile, rules

    check.add_parser(sub)
    rules.add_parsers(sub)
    _add_serve(sub)
    profile.add_parser(sub)
    return ap


def main(argv: list[str] | None = None, registry: Sequence[Check] | None = None) -> int:
    """Run the command line; `registry` replaces the registered checks (tests pass their own)."""
    words = sys.argv[1:] if argv is None else argv
    if words in (["serve"], ["serve", "--stdio"]):  # the editor's command: no parser to import first
        from types import SimpleNamespace

        return cmd_serve(SimpleNamespace(command="serve", stdio=True, tcp=None), registry)  # type: ignore[arg-type]
    serve_only = bool(words) and words[0] == "serve" and not any(w in ("-h", "--help") for w in words)
    args = build_parser(serve_only).parse_args(argv)
    try:
        return args.func(args, registry)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stays open: Python flushes stdout at exit)
        except OSError:
            pass
        return 1
