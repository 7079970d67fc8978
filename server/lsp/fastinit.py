"""Answering `initialize` before the server is imported.

Importing pygls, lsprotocol and the engine takes a few hundred milliseconds
(`lsprotocol.types` alone builds about a thousand attrs classes), and an
editor waits for the `initialize` answer before it sends anything else. So
`plumber serve` (stdio) reads the first message itself, with nothing but the
standard library imported; when it is `initialize`, it writes the answer at
once, from `RESULT` (what pygls computes for this server: the capabilities do
not depend on the client's, except the position encoding, chosen here as
`PlumberProtocol.lsp_initialize` chooses it), and only then imports the
server. The server is handed the bytes read so far, handles the `initialize`
request as usual (settings, encoding, workspace) and drops its own answer to
it (`PlumberProtocol.preanswered`). Anything else first, or a frame it does
not understand, is handed on unanswered.

`tests/lsp/test_fastinit.py` checks `RESULT` against what pygls builds.
"""

from __future__ import annotations

import json
import os
import stat
import sys

from plumber import __version__

# The InitializeResult of `build_server()` (pygls's ServerCapabilitiesBuilder), but the position encoding.
RESULT: dict = {
    "capabilities": {
        "positionEncoding": "utf-16",
        "textDocumentSync": {"openClose": True, "change": 2, "save": {"includeText": False}},
        "codeActionProvider": {
            "codeActionKinds": ["quickfix", "source.fixAll.plumber", "source.plumber.leakGate"],
            "resolveProvider": False,
        },
        "codeLensProvider": {"resolveProvider": False},
        "executeCommandProvider": {
            "commands": [
                "plumber.loadGoroutineProfile",
                "plumber.clearGoroutineProfile",
                "plumber.loadHeapProfile",
                "plumber.compareHeapProfile",
                "plumber.clearHeapProfile",
            ]
        },
        "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}, "fileOperations": {}},
    },
    "serverInfo": {"name": "plumber", "version": __version__},
}

MAX_FIRST = 1 << 24  # a first message larger than this is read by the server itself


class Early:
    """What was read before the server started: the bytes (handed to its reader) and the id of the
    `initialize` request already answered (None: nothing was answered)."""

    __slots__ = ("answered", "data")

    def __init__(self, data: bytes, answered: int | str | None = None):
        self.data = data
        self.answered = answered


def _content_length(headers: bytes) -> int | None:
    for line in headers.split(b"\n"):
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == b"content-length":
            value = value.strip()
            return int(value) if value.isdigit() else None
    return None


def stdin_is_pipe() -> bool:
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


def position_encoding(params: dict) -> str:
    """utf-8 when the client offers it, else utf-16 (the LSP default), as `PlumberProtocol` chooses."""
    general = (params.get("capabilities") or {}).get("general") or {}
    offered = general.get("positionEncodings") or []
    return "utf-8" if isinstance(offered, list) and "utf-8" in offered else "utf-16"


def answer(message: dict) -> dict | None:
    """The response to a first message that is a well-formed `initialize` request, else None."""
    if message.get("method") != "initialize" or message.get("jsonrpc") != "2.0":
        return None
    msg_id = message.get("id")
    params = message.get("params")
    if isinstance(msg_id, bool) or not isinstance(msg_id, (int, str)) or not isinstance(params, dict):
        return None
    if not isinstance(params.get("capabilities"), dict):
        return None
    result = json.loads(json.dumps(RESULT))
    caps = result["capabilities"]
    caps["positionEncoding"] = position_encoding(params)
    sync = ((params["capabilities"].get("textDocument") or {}).get("synchronization")) or {}
    if not isinstance(sync, dict):
        return None
    for key in ("willSave", "willSaveWaitUntil"):  # pygls: the client's value `and` the feature's (none here)
        if sync.get(key) is not None:
            caps["textDocumentSync"][key] = sync[key] and False
    return {"jsonrpc": "2.0", "id": msg_id, "result": result}


def _first_message(data: bytes) -> tuple[dict | None, bool]:
    """(the first message when `data` holds all of it, whether more must be read to know)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, len(data) < MAX_FIRST
    length = _content_length(data[:end])
    if length is None or length > MAX_FIRST:
        return None, False
    body = data[end + 4 : end + 4 + length]
    if len(body) < length:
        return None, True
    try:
        message = json.loads(body)
    except ValueError:
        return None, False
    return (message if isinstance(message, dict) else None), False


def preanswer(fd_in: int = 0, fd_out: int = 1) -> Early:
    """Read the first message from `fd_in`; answer it on `fd_out` when it is `initialize`."""
    data = b""
    while True:
        try:
            chunk = os.read(fd_in, 1 << 16)
        except InterruptedError:
            continue
        except OSError:
            return Early(data)
        if not chunk:
            return Early(data)  # end of input: the server sees it too
        data += chunk
        message, more = _first_message(data)
        if message is not None or not more:
            break
    response = answer(message) if message is not None else None
    if response is None:
        return Early(data)
    body = json.dumps(response, separators=(",", ":")).encode()
    frame = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    try:
        while frame:
            frame = frame[os.write(fd_out, frame) :]
    except OSError:
        return Early(data)  # the client is gone: the server finds out itself
    return Early(data, response["id"])
