"""Reporters: findings printed as text, JSON, SARIF or GitHub annotations, and the check docs pages.

`render` is what `plumber check` and `plumber profile` share.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TextIO

from plumber.core.checks import Check
from plumber.report.model import FindingOut

FORMATS = ("text", "json", "sarif", "github")


def render(
    findings: list[FindingOut], fmt: str, checks: Iterable[Check], ok: bool = True, docs_url: str | None = None
) -> str:
    """`findings` (sorted) in format `fmt`; `checks` give the JSON urls and the SARIF rules, which
    link the pages under `docs_url` (the docsUrl setting) or, for JSON, the shipped pages."""
    checks = list(checks)
    if fmt == "text":
        from plumber.report.text import format_text

        return format_text(findings)
    if fmt == "json":
        from plumber.report.docs import page_url
        from plumber.report.jsonfmt import format_json

        return format_json(findings, {c.code: page_url(c, docs_url) for c in checks})
    if fmt == "sarif":
        from plumber.report.sarif import sarif_log

        return json_text(sarif_log(findings, checks, ok, docs_url=docs_url))
    if fmt == "github":
        from plumber.report.text import format_github

        return format_github(findings)
    raise ValueError(f"unknown format {fmt!r}")


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: object) -> str:
    """Indented JSON, non-ASCII kept, but a file name's undecodable bytes (surrogate escapes) as
    \\udcXX escapes: the text stays valid UTF-8 and `os.fsencode` of the value gives the bytes back."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def emit(stream: TextIO, text: str) -> None:
    """Write a report: bytes of undecodable file names as they are on disk (like `ls` and go vet),
    whatever the stream's encoding and error handler."""
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
    else:
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
