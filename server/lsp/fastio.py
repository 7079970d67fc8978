"""Stdio for the language server without pygls's thread hand-offs.

pygls 2 reads stdin through a thread pool: every header line and every body
is one `run_in_executor` call, so one didChange costs three round trips to a
worker thread (submit, wake the thread, read, wake the event loop through
its self-pipe). On a busy machine each wake-up waits for a core. Here stdin
is read by the event loop itself (`connect_read_pipe` + `StreamReader`): one
read() per burst of messages, no threads. pygls's own message loop
(`run_async`), protocol and writer are used unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading

from pygls.io_ import StdoutWriter

from plumber.lsp.fastinit import Early, stdin_is_pipe
from plumber.lsp.wire import serve_messages

log = logging.getLogger(__name__)


def start_io(server, early: Early | None = None) -> int:
    """Serve over stdin/stdout; the exit status (1 for `exit` without `shutdown`). `early`: what was
    read (and answered) before the server was imported (`fastinit`).

    Falls back to pygls's start_io when stdin is not a pipe."""
    if not stdin_is_pipe():
        server.start_io()
        return 0
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    if early is not None:
        server.protocol.preanswered = early.answered

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=1 << 24)
        if early is not None and early.data:
            stream.feed_data(early.data)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), sys.stdin.buffer)
        await serve_messages(stream, server.protocol, server._stop_event)

    status = 0
    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the connection to the client is lost: shutting down")
    except KeyboardInterrupt:
        pass
    except SystemExit as e:  # `exit`: 0 after `shutdown`, else 1
        status = e.code if isinstance(e.code, int) else 0
    finally:
        server.shutdown()
    return status
