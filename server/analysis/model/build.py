"""Which files a build includes: file-name suffixes and `//go:build` lines, for GOOS=linux, GOARCH=amd64,
cgo off (the go/types defaults here)."""

from __future__ import annotations

import re

GOOS = "linux"
GOARCH = "amd64"
KNOWN_OS = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "js",
        "linux",
        "nacl",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
        "zos",
    ]
)
KNOWN_ARCH = frozenset(
    [
        "386",
        "amd64",
        "amd64p32",
        "arm",
        "armbe",
        "arm64",
        "arm64be",
        "loong64",
        "mips",
        "mipsle",
        "mips64",
        "mips64le",
        "mips64p32",
        "mips64p32le",
        "ppc",
        "ppc64",
        "ppc64le",
        "riscv",
        "riscv64",
        "s390",
        "s390x",
        "sparc",
        "sparc64",
        "wasm",
    ]
)
UNIX = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "linux",
        "netbsd",
        "openbsd",
        "solaris",
    ]
)
_GO_BUILD = re.compile(rb"^//go:build (.+)$", re.M)
_PACKAGE = re.compile(rb"^package\s", re.M)
_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[\w.]+)")


# The experiments on by default (Go 1.27's internal/buildcfg baseline for linux/amd64): go/build's
# Default.ToolTags, so `//go:build goexperiment.jsonv2` files are the ones encoding/json is built from.
EXPERIMENTS = frozenset(
    "goexperiment." + x
    for x in (
        "regabiwrappers", "regabiargs", "dwarf5", "randomizedheapbase64", "greenteagc", "jsonv2",
        "sizespecializedmalloc",
    )
)  # fmt: skip


def _tag_true(tag: str, go_minor: int) -> bool:
    if tag in (GOOS, GOARCH, "gc") or tag in EXPERIMENTS:
        return True
    if tag == "unix":
        return GOOS in UNIX
    if tag.startswith("go1."):
        try:
            return int(tag[4:]) <= go_minor
        except ValueError:
            return False
    return False  # cgo, other OSes and architectures, custom tags


def _eval(expr: str, go_minor: int) -> bool:
    tokens = [m.group(1) for m in _TOKEN.finditer(expr)]
    pos = 0

    def parse_or() -> bool:
        nonlocal pos
        v = parse_and()
        while pos < len(tokens) and tokens[pos] == "||":
            pos += 1
            v = parse_and() or v
        return v

    def parse_and() -> bool:
        nonlocal pos
        v = parse_not()
        while pos < len(tokens) and tokens[pos] == "&&":
            pos += 1
            v = parse_not() and v
        return v

    def parse_not() -> bool:
        nonlocal pos
        if pos < len(tokens) and tokens[pos] == "!":
            pos += 1
            return not parse_not()
        if pos < len(tokens) and tokens[pos] == "(":
            pos += 1
            v = parse_or()
            pos += 1  # ")"
            return v
        tok = tokens[pos] if pos < len(tokens) else ""
        pos += 1
        return _tag_true(tok, go_minor)

    return parse_or()


def in_build(filename: str, head: bytes, go_minor: int = 27) -> bool:
    """Whether the go tool builds this file for linux/amd64 without cgo (name suffixes and //go:build)."""
    stem = filename[:-3] if filename.endswith(".go") else filename
    if stem.endswith("_test"):
        stem = stem[:-5]
    parts = stem.split("_")
    if len(parts) >= 2:
        last, prev = parts[-1], parts[-2] if len(parts) >= 3 else None
        if last in KNOWN_ARCH:
            if last != GOARCH:
                return False
            if prev is not None and prev in KNOWN_OS and prev != GOOS:
                return False
        elif last in KNOWN_OS and last != GOOS:
            return False
    # the constraint sits before the package clause
    clause = _PACKAGE.search(head)
    m = _GO_BUILD.search(head, 0, clause.start() if clause is not None else len(head))
    return m is None or _eval(m.group(1).decode("utf-8", "replace"), go_minor)


__all__ = ["GOARCH", "GOOS", "in_build"]
