"""The cost of building every function's CFG in a Go file, beside tree-sitter's parse of the same file.

    .venv/bin/python -m bench.cfg_build [file.go ...]   (default: runtime/proc.go and net/http/server.go of GOROOT)

Prints, per file, the best of 15 rounds (CPU time): parse ms, build ms (all function declarations and literals).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import tree_sitter as ts
import tree_sitter_go as tsg

from plumber.analysis.cfg import build

FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")


def functions(root: ts.Node) -> list[ts.Node]:
    out, stack = [], [root]
    while stack:
        n = stack.pop()
        if n.type in FUNCTIONS:
            out.append(n)
        stack.extend(n.children)
    return out


def elapsed_ms(fn) -> float:
    """CPU time of one call: on a shared machine it is far steadier than wall time, and both parse and build
    are single-threaded CPU work."""
    t0 = time.process_time()
    fn()
    return (time.process_time() - t0) * 1000


def measure(path: str, runs: int = 15) -> tuple[float, float, int, int]:
    """Best parse and best build time over `runs` rounds, each round timing one parse then one build, so that
    both see the same load (the machine is shared)."""
    source = open(path, "rb").read()
    parser = ts.Parser(ts.Language(tsg.language()))
    fns = functions(parser.parse(source).root_node)
    parse_ms = build_ms = float("inf")
    for _ in range(runs):
        parse_ms = min(parse_ms, elapsed_ms(lambda: parser.parse(source)))
        build_ms = min(build_ms, elapsed_ms(lambda: [build(f, source) for f in fns]))
    return parse_ms, build_ms, len(fns), sum(len(build(f, source).blocks) for f in fns)


def main(argv: list[str]) -> int:
    if not argv:
        goroot = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "go"), "env", "GOROOT"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        src = os.path.join(goroot, "src")
        argv = [os.path.join(src, "runtime", "proc.go"), os.path.join(src, "net", "http", "server.go")]
    for path in argv:
        parse_ms, build_ms, nfns, nblocks = measure(path)
        print(
            f"{os.path.basename(path)}: parse {parse_ms:.1f} ms, build {build_ms:.1f} ms "
            f"({build_ms / parse_ms:.2f}x parse) for {nfns} functions, {nblocks} blocks"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
