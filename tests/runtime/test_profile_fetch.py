"""Loading profiles from URLs: only this machine, one deadline for the whole exchange, a size cap while streaming.

The servers here are real HTTP servers on 127.0.0.1 (port 0) in threads of the test process.
"""

from __future__ import annotations

import os
import socketserver
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plumber.runtime import ProfileError, load

PLUMBER = [sys.executable, "-m", "plumber"]
DUMP = b"goroutine profile: total 0\n"


class _Handler(BaseHTTPRequestHandler):
    stop: threading.Event

    def log_message(self, *args):  # quiet
        pass

    def _trickle(self, data: bytes, every: float) -> None:
        for b in data:
            if self.stop.wait(every):
                return
            self.wfile.write(bytes([b]))
            self.wfile.flush()

    def do_GET(self):
        try:
            if self.path == "/trickle-body":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self._trickle(b"x" * 1000, 0.25)  # each byte well within any per-read timeout
            elif self.path == "/trickle-head":
                self._trickle(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"y" * 1000, 0.25)
            elif self.path in ("/huge", "/huge-length"):
                self.send_response(200)
                if self.path == "/huge-length":
                    self.send_header("Content-Length", str(200 << 20))
                self.end_headers()
                self.wfile.write(b"\x1f\x8b\x08\x00")
                block = os.urandom(1 << 20)
                for _ in range(100):  # 100 MB, unless the client hangs up first
                    if self.stop.is_set():
                        return
                    self.wfile.write(block)
            elif self.path == "/redirect-out":
                self.send_response(302)
                self.send_header("Location", "http://example.com/debug/pprof/heap")
                self.end_headers()
            elif self.path == "/redirect-in":
                self.send_response(302)
                self.send_header("Location", "/dump")
                self.end_headers()
            elif self.path == "/dump":
                self.send_response(200)
                self.send_header("Content-Length", str(len(DUMP)))
                self.end_headers()
                self.wfile.write(DUMP)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()


def test_the_deadline_covers_a_body_that_trickles(server):
    t0 = time.monotonic()
    with pytest.raises(ProfileError, match=r"/trickle-body: no complete answer within 2 s"):
        load(server + "/trickle-body", timeout=2)
    elapsed = time.monotonic() - t0
    print(f"\ntrickled body: refused after {elapsed:.2f} s")
    assert 1.9 < elapsed < 3.5


def test_the_deadline_covers_headers_that_trickle(server):
    t0 = time.monotonic()
    with pytest.raises(ProfileError, match=r"no complete answer within 1.5 s"):
        load(server + "/trickle-head", timeout=1.5)
    assert time.monotonic() - t0 < 3


def test_cli_timeout(server):
    t0 = time.monotonic()
    p = subprocess.run(
        PLUMBER + ["profile", "--timeout", "2", server + "/trickle-body"], capture_output=True, text=True, timeout=60
    )
    elapsed = time.monotonic() - t0
    assert p.returncode == 2 and "no complete answer within 2 s" in p.stderr
    assert elapsed < 8  # the interpreter's start-up plus the deadline


@pytest.mark.parametrize("path", ["/huge", "/huge-length"])
def test_a_huge_stream_stops_at_the_cap(server, path):
    t0 = time.monotonic()
    with pytest.raises(ProfileError, match=path + r": larger than 64 MiB: refused"):
        load(server + path, timeout=30)
    elapsed = time.monotonic() - t0
    print(f"\n{path}: refused after {elapsed:.2f} s")
    assert elapsed < 15


def test_only_this_machine(server):
    for url in (
        "http://example.com/debug/pprof/heap",
        "http://10.0.0.1:6060/debug/pprof/heap",
        "http://127.0.0.1.example.com/debug/pprof/heap",
        "http://user@localhost:6060/x",
        "ftp://127.0.0.1/heap",
    ):
        t0 = time.monotonic()
        with pytest.raises(ProfileError, match=r"only http://127.0.0.1 or http://localhost URLs are loaded"):
            load(url) if url.startswith("http") else load_url_only(url)
        assert time.monotonic() - t0 < 0.5  # refused before any connection
    with pytest.raises(ProfileError, match=r"example.com.*only http://127.0.0.1 or http://localhost"):
        load(server + "/redirect-out")
    assert load(server + "/redirect-in") == DUMP
    with pytest.raises(ProfileError, match=r"HTTP 404"):
        load(server + "/nothing")
    p = subprocess.run(
        PLUMBER + ["profile", "http://example.com/debug/pprof/heap"], capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 2 and "only http://127.0.0.1 or http://localhost URLs are loaded" in p.stderr


def load_url_only(url):
    from plumber.runtime.fetch import read_url

    return read_url(url)


def test_nothing_listening():
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as s:
        port = s.server_address[1]
    with pytest.raises(ProfileError, match=f"127.0.0.1:{port}/x: .*refused"):
        load(f"http://127.0.0.1:{port}/x", timeout=5)
