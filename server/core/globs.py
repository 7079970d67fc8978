"""gitignore-like path patterns for `exclude`: `*`, `?`, `[...]`, `**`, anchoring by a slash.

- a pattern without a slash (`*_mock.go`, `gen`) matches a name at any depth below its base;
- a pattern with a slash (`internal/gen/*.go`, `/tools`) is relative to its base only;
- `**/` matches any number of directories, a trailing `/**` everything inside;
- a trailing slash (`gen/`) matches directories only;
- a pattern that matches a directory excludes everything below it.
"""

from __future__ import annotations

import os
import posixpath
import re
from functools import cache


class GlobError(ValueError):
    pass


def _segment(part: str) -> str:
    out = []
    i = 0
    while i < len(part):
        c = part[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            start = i + 1 + (part[i + 1 : i + 2] in ("!", "^"))
            close = part.find("]", start + (part[start : start + 1] == "]"))  # a leading ']' is literal
            if close < 0:
                raise GlobError(f"unclosed '[' in {part!r}")
            body = part[i + 1 : close]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\").replace("/", "") + "]")
            i = close
        elif c == "\\" and i + 1 < len(part):
            i += 1
            out.append(re.escape(part[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


@cache
def compile_glob(pattern: str) -> tuple[re.Pattern[str], bool]:
    """(a regular expression over relative '/'-separated paths, directories only)."""
    if not pattern or not pattern.strip():
        raise GlobError("an empty pattern")
    if pattern.startswith("!"):
        raise GlobError("negated patterns ('!') are not supported")
    dir_only = pattern.endswith("/")
    body = pattern.rstrip("/")
    anchored = "/" in body
    body = body.lstrip("/")
    if not body:
        raise GlobError(f"{pattern!r} matches nothing")
    parts = body.split("/")
    if not anchored:
        parts = ["**"] + parts
    out = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".+" if last else "(?:[^/]+/)*")
        else:
            out.append(_segment(part) + ("" if last else "/"))
    return re.compile("".join(out)), dir_only


def excluded(base: str, pattern: str, path: str, is_dir: bool = False) -> bool:
    """Whether `path` (absolute) is excluded by `pattern`, declared relative to the directory `base`."""
    rel = os.path.relpath(path, base).replace(os.sep, "/")
    if rel == "." or rel == ".." or rel.startswith("../"):
        return False
    regex, dir_only = compile_glob(pattern)
    parts = rel.split("/")
    for n in range(1, len(parts) + 1):
        candidate_is_dir = n < len(parts) or is_dir
        if dir_only and not candidate_is_dir:
            continue
        if regex.fullmatch(posixpath.join(*parts[:n])):
            return True
    return False


__all__ = ["GlobError", "compile_glob", "excluded"]
