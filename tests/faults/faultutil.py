"""Fault injection for the real CLI and the real server: a full disk, a raw LSP wire, leaky Go text.

Everything here runs the real `plumber` in a subprocess; the faults are injected
in that process only (a disk that fills after N bytes) or on the wire (raw bytes
on the server's stdin). Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time

PLUMBER = [sys.executable, "-m", "plumber"]

# Run the real CLI with a disk that holds only FAULT_DISK_BYTES more bytes under FAULT_TREE:
# every write (through open() or os.write) to a file there fails with ENOSPC once they are used.
FULL_DISK = r"""
import builtins, errno, os, sys
tree = os.path.realpath(os.environ["FAULT_TREE"])
budget = [int(os.environ["FAULT_DISK_BYTES"])]
real_open, real_write = builtins.open, os.write

def under_tree(name):
    try:
        return os.path.realpath(name).startswith(tree + os.sep)
    except (TypeError, ValueError):
        return False

def take(n):
    n = min(n, budget[0])
    budget[0] -= n
    return n

class FullDiskFile:
    def __init__(self, f):
        self._f = f
    def write(self, data):
        n = take(len(data))
        self._f.write(data[:n])
        if n < len(data):
            self._f.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        return n
    def __getattr__(self, name):
        return getattr(self._f, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self._f.close()

def fault_open(file, mode="r", *args, **kwargs):
    f = real_open(file, mode, *args, **kwargs)
    if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+") and under_tree(file):
        return FullDiskFile(f)
    return f

def fault_write(fd, data):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        target = ""
    if not target.startswith(tree + os.sep):
        return real_write(fd, data)
    n = take(len(data))
    if n == 0 and len(data):
        raise OSError(errno.ENOSPC, "No space left on device")
    return real_write(fd, bytes(data[:n]))

builtins.open, os.write = fault_open, fault_write
from plumber.main import main
sys.exit(main(sys.argv[1:]))
"""


def unclosed_files(n: int, package: str = "leaky") -> str:
    """A Go file with `n` functions, each opening a file it never closes (a safe fix each)."""
    func = (
        "func open{i}(name string) error {{\n\tf, err := os.Open(name)\n\tif err != nil {{\n\t\treturn err\n\t}}\n"
        "\t_ = f\n\treturn nil\n}}\n\n"
    )
    return f'package {package}\n\nimport "os"\n\n' + "".join(func.format(i=i) for i in range(n))


def run_cli(args: list[str], cwd=None, env=None, timeout: float = 60, inject: str | None = None, stdin=None):
    """The real `plumber` (optionally under an injection script); a CompletedProcess."""
    cmd = [sys.executable, "-c", inject, *args] if inject else [*PLUMBER, *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        cmd, cwd=cwd, env=full_env, capture_output=True, timeout=timeout, stdin=stdin or subprocess.DEVNULL
    )


# -- a raw LSP wire ------------------------------------------------------------------


def frame(obj) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawServer:
    """The real server over pipes; messages read on a thread into a queue, every wait bounded."""

    def __init__(self, env=None, cwd=None, command=None):
        self.proc = subprocess.Popen(
            command or [*PLUMBER, "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        self.messages: queue.Queue = queue.Queue()
        self.stderr: list[bytes] = []
        self._next_id = 1000
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length"):
                    length = int(line.split(b":")[1])
            body = out.read(length or 0)
            if len(body) < (length or 0):
                self.messages.put(None)
                return
            self.messages.put(json.loads(body))

    def _drain_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line)

    @property
    def log(self) -> str:
        return b"".join(self.stderr).decode("utf-8", "replace")

    def send_bytes(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj) -> None:
        self.send_bytes(frame(obj))

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params=None, msg_id=None) -> int:
        if msg_id is None:
            self._next_id += 1
            msg_id = self._next_id
        msg = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return msg_id

    def wait_for(self, pred, timeout: float = 15.0):
        """The first message (in arrival order) for which pred(msg) holds; others are answered or kept."""
        deadline = time.monotonic() + timeout
        kept = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no matching message within {timeout} s; log:\n{self.log[-3000:]}")
                try:
                    msg = self.messages.get(timeout=left)
                except queue.Empty:
                    continue
                if msg is None:
                    raise EOFError(f"the server closed its output; log:\n{self.log[-3000:]}")
                if "method" in msg and "id" in msg:  # a request from the server: answer it
                    self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                    continue
                if pred(msg):
                    return msg
                kept.append(msg)
        finally:
            for m in kept:
                self.messages.put(m)

    def response(self, msg_id: int, timeout: float = 15.0) -> dict:
        return self.wait_for(lambda m: m.get("id") == msg_id and "method" not in m, timeout)

    def diagnostics(self, uri: str, version=None, timeout: float = 15.0) -> dict:
        def pred(m):
            if m.get("method") != "textDocument/publishDiagnostics" or m["params"]["uri"] != uri:
                return False
            return version is None or m["params"].get("version") == version

        return self.wait_for(pred, timeout)["params"]

    def initialize(self, root: str | None = None, capabilities=None, options=None) -> dict:
        params = {
            "processId": None,
            "rootUri": None if root is None else "file://" + root,
            "capabilities": {} if capabilities is None else capabilities,
            "initializationOptions": {"debounce": 0} if options is None else options,
        }
        if root is not None:
            params["workspaceFolders"] = [{"uri": "file://" + root, "name": "ws"}]
        result = self.response(self.request("initialize", params))
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "go", "version": version, "text": text}}
        )

    def close(self, timeout: float = 10.0) -> int:
        """shutdown + exit; the exit status (killed when it does not exit in time)."""
        try:
            if self.proc.poll() is None:
                self.response(self.request("shutdown"), timeout)
                self.notify("exit", None)
            return self.proc.wait(timeout=timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
