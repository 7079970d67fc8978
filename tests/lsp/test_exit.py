"""`exit` is prompt even while a long analysis runs (the analysis thread is not joined)."""

from __future__ import annotations

import json
import subprocess
import sys
import time


def _frame(obj) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read(stream) -> dict:
    length = None
    while True:
        line = stream.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def _read_until(stream, msg_id) -> dict:
    while True:
        msg = _read(stream)
        if msg.get("id") == msg_id and "method" not in msg:
            return msg


def test_exit_does_not_wait_for_a_running_analysis(tmp_path):
    func = "func f%d(name string) {\n\tf, _ := os.Open(name)\n\tf.Stat()\n}\n\n"
    text = 'package big\n\nimport "os"\n\n' + "".join(func % i for i in range(30000))
    proc = subprocess.Popen(
        [sys.executable, "-m", "plumber", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc.stdin.write(
            _frame(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            )
        )
        proc.stdin.flush()
        _read_until(proc.stdout, 1)
        proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        proc.stdin.write(
            _frame(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {
                        "textDocument": {
                            "uri": (tmp_path / "big.go").as_uri(),
                            "languageId": "go",
                            "version": 1,
                            "text": text,
                        }
                    },
                }
            )
        )
        proc.stdin.flush()
        time.sleep(1.0)  # the analysis (30,000 findings: several seconds) is under way
        started = time.monotonic()
        proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        proc.stdin.flush()
        _read_until(proc.stdout, 2)
        proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
