"""`plumber serve --tcp HOST:PORT` speaks LSP over a socket."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _send(sock, obj) -> None:
    body = json.dumps(obj).encode()
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _read(sock) -> dict:
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(4096)
    head, rest = buf.split(b"\r\n\r\n", 1)
    n = int(next(l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")).split(b":")[1])
    while len(rest) < n:
        rest += sock.recv(4096)
    return json.loads(rest[:n])


def test_tcp_initialize_and_exit():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "plumber", "serve", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not listen"
                time.sleep(0.1)
        with sock:
            _send(
                sock,
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                },
            )
            reply = _read(sock)
            assert reply["id"] == 1
            caps = reply["result"]["capabilities"]
            assert caps["positionEncoding"] == "utf-16" and caps["textDocumentSync"]["change"] == 2
            _send(sock, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
            assert _read(sock)["id"] == 2
            _send(sock, {"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=20)
        assert proc.stdout.read() == b""  # nothing but the socket carries LSP
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
