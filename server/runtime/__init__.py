"""Leaks seen at run time: goroutine profiles and dumps placed on the workspace's code.

Pure parts, independent of LSP: `parse` reads the text forms, `mapping`
places frames on workspace files, `aggregate` turns stacks into
`leaked-goroutine` findings, `confirm` marks static findings that a runtime
leak confirms, and `gate` writes the test leak gate. `load` fetches a profile
from a file or a localhost URL.
"""

from __future__ import annotations

import urllib.parse
import urllib.request

from plumber.runtime.aggregate import CODE, Options, RuntimeFindings, findings
from plumber.runtime.mapping import Ambiguous, Workspace
from plumber.runtime.parse import Profile, ProfileError, parse

from plumber import DOCS_URL

DOCS = DOCS_URL.rsplit("checks/", 1)[0] + "runtime.md"  # codeDescription of leaked-goroutine
MAX_BYTES = 512 << 20
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def check_url(source: str) -> str:
    """The URL if it points at this machine (127.0.0.1 or localhost); ProfileError otherwise."""
    u = urllib.parse.urlsplit(source)
    if u.scheme not in ("http", "https") or (u.hostname or "").lower() not in LOCAL_HOSTS or u.username:
        raise ProfileError(f"{source}: only http://127.0.0.1 or http://localhost URLs are loaded")
    return source


def load(source: str, timeout: float = 30.0) -> bytes:
    """The bytes of a profile from a file path or a localhost URL."""
    if is_url(source):
        check_url(source)

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, req, fp, code, msg, headers, newurl):  # stay on this machine
                check_url(newurl)
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
        try:
            with opener.open(source, timeout=timeout) as resp:
                data = resp.read(MAX_BYTES + 1)
        except OSError as e:
            raise ProfileError(f"{source}: {getattr(e, 'reason', None) or e}") from e
    else:
        path = source[len("file://"):] if source.startswith("file://") else source
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_BYTES + 1)
        except OSError as e:
            raise ProfileError(f"{path}: {e.strerror or e}") from e
    if len(data) > MAX_BYTES:
        raise ProfileError(f"{source}: larger than {MAX_BYTES >> 20} MB")
    return data


def analyze(source: str, roots: list[str], options: Options = Options()) -> tuple[Profile, RuntimeFindings]:
    """Load, parse and place a profile: what `plumber profile` and the LSP command share."""
    profile = parse(load(source))
    return profile, findings(profile, Workspace(roots), options)


__all__ = ["CODE", "DOCS", "Ambiguous", "Options", "Profile", "ProfileError", "RuntimeFindings", "Workspace",
           "analyze", "check_url", "findings", "is_url", "load", "parse"]
