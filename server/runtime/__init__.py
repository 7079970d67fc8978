"""Leaks seen at run time: goroutine profiles and dumps placed on the workspace's code.

Pure parts, independent of LSP: `parse` reads the text forms, `pprof` the
binary (gzipped protobuf) form, `mapping` places frames on workspace files,
`aggregate` turns stacks into `leaked-goroutine` findings, `heap` heap
profiles into `heap-growth` findings, `confirm` and `heap_confirm` mark
static findings that a runtime leak confirms, and `gate` writes the test leak
gate. `load` (`fetch`) reads a profile from a file or a localhost URL.
"""

from __future__ import annotations

import urllib.parse

from plumber.runtime.aggregate import Options, RuntimeFindings, findings
from plumber.runtime.check import CODE, DOCS
from plumber.runtime.mapping import Ambiguous, Workspace
from plumber.runtime.parse import Profile, ProfileError, parse_text

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def parse(data: bytes | str) -> Profile:
    """The goroutine stacks of a profile or dump: its text forms, or the binary (gzipped protobuf) form.

    A binary profile raises ProfileError when it is not a goroutine or goroutineleak profile, or
    is corrupt, truncated or too large; text never raises (what is not understood is skipped)."""
    if isinstance(data, bytes) and data[:2] == b"\x1f\x8b":
        from plumber.runtime import pprof  # protobuf is loaded only for binary profiles

        return pprof.goroutine_profile(pprof.decode(data))
    return parse_text(data)


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def check_url(source: str) -> str:
    """The URL if it points at this machine (127.0.0.1 or localhost); ProfileError otherwise."""
    u = urllib.parse.urlsplit(source)
    if u.scheme not in ("http", "https") or (u.hostname or "").lower() not in LOCAL_HOSTS or u.username:
        raise ProfileError(f"{source}: only http://127.0.0.1 or http://localhost URLs are loaded")
    return source


def load(source: str, timeout: float = 30.0) -> bytes:
    """The bytes of a profile from a file path or a localhost URL: size-capped, `timeout` s in all."""
    from plumber.runtime.fetch import load as fetch

    return fetch(source, timeout)


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(head) - 3  # a character cut at the end of the head
    return True


def read_profile(source: str, timeout: float = 30.0):
    """(binary profile, None) or (None, goroutine Profile) from a file or URL; ProfileError otherwise."""
    from plumber.runtime import pprof

    data = load(source, timeout)  # its errors name the source
    try:
        if pprof.is_binary(data) or not _looks_like_text(data):
            return pprof.decode(data), None
        profile = parse(data)
        if profile.goroutines == 0 and profile.sections == 0:  # no text dump: a plain protocol buffer?
            if data.lstrip()[:14] == b"heap profile: ":
                raise ProfileError(
                    "a heap profile in its text form (debug=1): heap profiles are read in "
                    "the binary form (debug=0, the default; WriteHeapProfile)"
                )
            try:
                return pprof.decode(data), None
            except ProfileError:
                raise ProfileError(
                    "not a profile: neither a binary (gzipped protobuf) pprof profile nor "
                    "a goroutine profile or dump in text form"
                ) from None
        return None, profile
    except ProfileError as e:
        raise ProfileError(f"{source}: {e}") from None


def analyze(source: str, roots: list[str], options: Options = Options()) -> tuple[Profile, RuntimeFindings]:
    """Load, parse and place a goroutine profile or dump (text or binary): what the LSP command runs."""
    data = load(source)
    try:
        profile = parse(data)  # the binary form raises for a corrupt or non-goroutine profile
    except ProfileError as e:
        raise ProfileError(f"{source}: {e}") from None
    return profile, findings(profile, Workspace(roots), options)


__all__ = [
    "CODE",
    "DOCS",
    "Ambiguous",
    "Options",
    "Profile",
    "ProfileError",
    "RuntimeFindings",
    "Workspace",
    "analyze",
    "check_url",
    "findings",
    "is_url",
    "load",
    "parse",
    "pprof",
    "read_profile",
]
