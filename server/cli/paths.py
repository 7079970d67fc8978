"""Which files `plumber check` reads: the paths and Go package patterns given, walked, excluded.

- no path: `.`;
- `./...`, `dir/...`, `...`: the directory and everything below it (Go's package patterns;
  a plain directory is walked the same way);
- vendor/, testdata/, node_modules/ and directories starting with "." or "_" are skipped below
  a directory given, as the go tool skips them; a file or directory named is always walked;
- paths matched by the `exclude` patterns of their plumber.toml chain are skipped, named or not.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

SKIP_DIRS = {"vendor", "testdata", "node_modules"}
DEFAULT_PATHS = (".",)


def expand_pattern(arg: str) -> str:
    """The directory of a Go package pattern (`./...` -> `.`, `pkg/...` -> `pkg`), else `arg`."""
    if arg == "...":
        return "."
    for sep in {"/", os.sep}:
        if arg.endswith(sep + "..."):
            return arg[: -len(sep + "...")] or sep
    return arg


def go_files(
    paths: Iterable[str],
    errors: list[str] | None = None,
    excluded: Callable[[str, bool], bool] | None = None,
) -> Iterator[str]:
    """Go files under the given paths, in order, each once; `excluded(path, is_dir)` prunes."""

    def walk_error(e: OSError) -> None:
        if errors is not None:
            errors.append(f"{e.filename}: {e.strerror}")

    seen: set[str] = set()

    def first_time(p: str) -> bool:
        key = os.path.realpath(p)
        if key in seen:
            return False  # a file named twice (a/x.go, ./a/x.go, a symlink to it) is checked once
        seen.add(key)
        return True

    for arg in paths:
        p = expand_pattern(arg)
        if os.path.isdir(p):
            if excluded is not None and excluded(p, True):
                continue
            for d, dirs, names in os.walk(p, onerror=walk_error):
                dirs[:] = sorted(
                    x
                    for x in dirs
                    if x not in SKIP_DIRS
                    and not x.startswith((".", "_"))
                    and not (excluded is not None and excluded(os.path.join(d, x), True))
                )
                for n in sorted(names):
                    if n.endswith(".go") and not n.startswith((".", "_")):
                        f = os.path.join(d, n)
                        if (excluded is None or not excluded(f, False)) and first_time(f):
                            yield f
        elif os.path.exists(p):
            if (excluded is None or not excluded(p, False)) and first_time(p):
                yield p
        elif errors is not None:
            errors.append(f"{arg}: no such file or directory")
