"""The message loop over the wire: LSP base-protocol framing that survives a hostile or broken client.

pygls's `run_async` trusts the wire: a header line longer than the stream's
limit raises out of the loop (the server dies), a Content-Length short of
its body leaves the rest of the body to be read as headers, where only an
exact `Content-Length: N` line matches again, and a message whose params fail
validation is dropped without an answer. Here:

- a line over the limit is dropped (the stream discards it) and reading goes on;
- a header is found anywhere at the end of a line, so the tail of a cut body
  followed by the next message's header resynchronises on that message;
- a body that is not JSON is logged in one line and skipped;
- a request whose params fail validation is answered InvalidParams, one with
  an unknown shape InvalidRequest (a notification is logged and dropped);
- `didChange` with `version: null` (seen from some clients) is applied, not dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from typing import Any

from lsprotocol import types as T
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcParseError

log = logging.getLogger("plumber.server")

CONTENT_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d+)[ \t]*\r?\n$", re.I)
MAX_BODY = 1 << 30  # a Content-Length above this is a broken frame, not a message


class Lines:
    """Lines of the stream; a line over the stream's limit comes in pieces, `long` set on all but the last.

    The stream's own readline would drop everything it holds on an overlong line (the next
    messages too); here only the scanned part goes, and its last bytes are kept in front of the
    next piece, so a header split across the cut is still found."""

    KEEP = 64

    def __init__(self, stream: asyncio.StreamReader):
        self.stream = stream
        self.carry = b""
        self.long = False

    async def next(self) -> bytes:
        try:
            line = await self.stream.readuntil(b"\n")
        except asyncio.IncompleteReadError as e:  # end of input
            line = e.partial
        except asyncio.LimitOverrunError as e:
            piece = await self.stream.readexactly(max(e.consumed, 1))
            self.carry = (self.carry + piece)[-self.KEEP :]
            self.long = True
            return b""
        line, self.carry, self.long = self.carry + line, b"", False
        return line


async def serve_messages(stream: asyncio.StreamReader, protocol, stop_event: threading.Event) -> None:
    """Read framed messages from `stream` and hand each to `protocol` until end of input or stop."""
    lines = Lines(stream)
    length: int | None = None
    dropping = False
    while not stop_event.is_set():
        line = await lines.next()
        if lines.long:
            if not dropping:
                log.warning("a line over %d bytes: dropped", stream._limit)  # type: ignore[attr-defined]
            dropping, length = True, None
            continue
        dropping = False
        if not line:
            return
        if line in (b"\r\n", b"\n"):
            if length is None:
                continue  # a blank line outside a frame (or after a cut body): not a message
            try:
                body = await stream.readexactly(length)
            except asyncio.IncompleteReadError:
                return
            length = None
            handle_body(body, protocol)
            continue
        m = CONTENT_LENGTH.search(line)
        if m is not None:
            if m.start() > 0:
                log.warning("%d bytes before a header (a Content-Length too short?): dropped", m.start())
            n = int(m.group(1))
            length = n if n <= MAX_BODY else None
            if length is None:
                log.warning("Content-Length %d is over %d: frame dropped", n, MAX_BODY)
        # other headers (Content-Type) and lines that are not headers at all are skipped


def handle_body(body: bytes, protocol) -> None:
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as e:
        log.warning("a message body of %d bytes is not JSON (%s): skipped", len(body), str(e)[:80])
        return
    if not isinstance(raw, dict):
        log.warning("a message that is not a JSON object: skipped")
        return
    try:
        message = structure(raw, protocol)
    except Exception as e:
        _refuse(raw, e, protocol)
        return
    try:
        protocol.handle_message(message)
    except Exception:
        log.exception("handling %s failed", raw.get("method") or "a response")


def structure(raw: dict[str, Any], protocol) -> Any:
    """The typed message; a didChange without a version is structured and applied with version None."""
    params = raw.get("params")
    if (
        raw.get("method") == T.TEXT_DOCUMENT_DID_CHANGE
        and isinstance(params, dict)
        and isinstance(params.get("textDocument"), dict)
        and params["textDocument"].get("version", 0) is None
    ):
        fixed = {**raw, "params": {**params, "textDocument": {**params["textDocument"], "version": 0}}}
        message = _quiet_structure(fixed, protocol)
        object.__setattr__(message.params.text_document, "version", None)  # past attrs' validator
        return message
    return _quiet_structure(raw, protocol)


def _quiet_structure(raw: dict[str, Any], protocol) -> Any:
    """pygls's structuring, which logs a traceback for every invalid message: here one line, by `_refuse`."""
    pygls_log = logging.getLogger("pygls.protocol.json_rpc")
    disabled, pygls_log.disabled = pygls_log.disabled, True
    try:
        return protocol.structure_message(raw)
    finally:
        pygls_log.disabled = disabled


def _refuse(raw: dict[str, Any], error: Exception, protocol) -> None:
    method = raw.get("method")
    cause = error.__cause__ or error
    detail = " ".join(str(cause).split())[:300]
    if isinstance(error, JsonRpcInvalidParams):
        exc: Exception = JsonRpcInvalidParams(f"invalid params for {method}: {detail}")
    elif isinstance(error, JsonRpcParseError):
        exc = error
    else:
        exc = JsonRpcInvalidRequest(f"invalid message: {detail}")
    if method is None or "id" not in raw:
        log.warning("%s: %s (no answer: not a request)", method or "a message", exc)
        return
    log.warning("request %r (%s) refused: %s", raw["id"], method, exc)
    protocol._send_response(raw["id"], error=exc.to_response_error())  # type: ignore[attr-defined]
