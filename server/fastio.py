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
import os
import stat
import sys
import threading

from pygls.io_ import StdoutWriter, run_async

log = logging.getLogger(__name__)


class _Reader:
    """pygls's AsyncReader over an asyncio StreamReader (b"" at end of input, as pygls expects)."""

    def __init__(self, stream: asyncio.StreamReader):
        self.stream = stream

    async def readline(self) -> bytes:
        return await self.stream.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError:
            return b""


def stdin_is_pipe() -> bool:
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


def start_io(server) -> None:
    """Serve over stdin/stdout; falls back to pygls's start_io when stdin is not a pipe."""
    if not stdin_is_pipe():
        server.start_io()
        return
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=1 << 24)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), sys.stdin.buffer)
        await run_async(stop_event=server._stop_event, reader=_Reader(stream), protocol=server.protocol,
                        logger=logging.getLogger("pygls.server"), error_handler=server.report_server_error)

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the connection to the client is lost: shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
