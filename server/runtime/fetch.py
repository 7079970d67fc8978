"""Reading a profile's bytes from a file or a localhost URL, bounded in size and time.

The size cap depends on the form, told from the first bytes: gzip (binary
pprof) may be `pprof.MAX_COMPRESSED` bytes, text dumps `MAX_TEXT`. Reading
stops one byte past the cap, so an endless or huge stream is refused without
being held whole.

A URL must name this machine (`check_url`, also for every redirect) and the
whole exchange, from connecting to the last byte, has one deadline: a watchdog
shuts the socket down when it passes, so a server that trickles a byte every
few seconds (each read well within a per-read timeout) cannot hold the
command longer than that.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
import urllib.parse

from plumber.runtime.parse import ProfileError
from plumber.runtime.pprof import GZIP_MAGIC, MAX_COMPRESSED
from plumber.syntax.files import open_regular, read_fd

MAX_TEXT = 512 << 20
DEFAULT_TIMEOUT = 30.0  # seconds for a URL, from connecting to the last byte
CHUNK = 1 << 16
MAX_REDIRECTS = 5


def cap_for(head: bytes, max_text: int = MAX_TEXT, max_binary: int = MAX_COMPRESSED) -> int:
    return max_binary if head[:2] == GZIP_MAGIC else max_text


def _too_large(source: str, cap: int) -> ProfileError:
    return ProfileError(f"{source}: larger than {cap >> 20} MiB: refused")


def read_file(path: str, max_text: int = MAX_TEXT, max_binary: int = MAX_COMPRESSED) -> bytes:
    try:
        fd = open_regular(path)  # a FIFO or a device (/dev/stdin, /dev/zero) is refused unread
        try:
            head = read_fd(fd, CHUNK - 1)
            cap = cap_for(head, max_text, max_binary)
            if os.fstat(fd).st_size > cap:  # refused before reading it
                raise _too_large(path, cap)
            data = head + read_fd(fd, max(cap - len(head), 0))
        finally:
            os.close(fd)
    except OSError as e:
        raise ProfileError(f"{path}: {e.strerror or e}") from e
    if len(data) > cap:
        raise _too_large(path, cap)
    return data


def _target(url: str) -> tuple[type, str, int | None, str]:
    from plumber.runtime import check_url  # the package's rule for which URLs are fetched

    u = urllib.parse.urlsplit(check_url(url))
    cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    return cls, u.hostname or "", u.port, (u.path or "/") + (f"?{u.query}" if u.query else "")


def read_url(source: str, timeout: float = 30.0, max_text: int = MAX_TEXT, max_binary: int = MAX_COMPRESSED) -> bytes:
    """The body of a GET of a localhost URL, within `timeout` seconds in all."""
    deadline = time.monotonic() + timeout
    expired = threading.Event()

    def left() -> float:
        rest = deadline - time.monotonic()
        if rest <= 0 or expired.is_set():
            raise ProfileError(f"{source}: no complete answer within {timeout:g} s")
        return rest

    url = source
    for _ in range(MAX_REDIRECTS + 1):
        cls, host, port, path = _target(url)
        conn = cls(host, port, timeout=left())
        sock: socket.socket | None = None

        def kill() -> None:
            expired.set()
            if sock is not None:  # noqa: B023 (this iteration's socket: the watchdog dies with it)
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # noqa: B023
                except OSError:
                    pass

        watchdog = threading.Timer(left(), kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.connect()
            sock = conn.sock
            if expired.is_set():
                left()
            conn.request("GET", path, headers={"Accept-Encoding": "identity"})
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
                url = urllib.parse.urljoin(url, resp.getheader("Location"))
                continue
            if resp.status != 200:
                raise ProfileError(f"{source}: HTTP {resp.status} {resp.reason}")
            chunks: list[bytes] = []
            size, cap = 0, None
            while True:
                sock.settimeout(left())
                chunk = resp.read1(CHUNK)
                left()  # a read the watchdog cut short is an expiry, not the end of the body
                if not chunk:
                    break
                if cap is None:
                    cap = cap_for(chunk, max_text, max_binary)
                    length = resp.getheader("Content-Length")
                    if length and length.isdigit() and int(length) > cap:
                        raise _too_large(source, cap)
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    raise _too_large(source, cap)
            return b"".join(chunks)
        except ProfileError:
            raise
        except (OSError, http.client.HTTPException) as e:
            left()
            raise ProfileError(f"{source}: {getattr(e, 'reason', None) or e or type(e).__name__}") from e
        finally:
            watchdog.cancel()
            conn.close()
    raise ProfileError(f"{source}: more than {MAX_REDIRECTS} redirects")


def load(source: str, timeout: float = 30.0, max_text: int = MAX_TEXT, max_binary: int = MAX_COMPRESSED) -> bytes:
    """The bytes of a profile from a file path (or file:// URL) or a localhost http(s) URL."""
    if source.startswith(("http://", "https://")):
        return read_url(source, timeout, max_text, max_binary)
    return read_file(source[len("file://") :] if source.startswith("file://") else source, max_text, max_binary)
