"""A lean LSP client over a subprocess's pipes, for timing a server.

Single-threaded and synchronous on purpose: the time between writing a
notification and reading the server's answer is spent in the server (and
the kernel's pipes), not in a client event loop. Messages are framed with
Content-Length and parsed with the json module; nothing else.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from collections.abc import Callable
from typing import Any

_SEP = b"\r\n\r\n"


class ServerDied(RuntimeError):
    pass


class LspClient:
    def __init__(
        self,
        cmd: list[str],
        *,
        cwd: str | None = None,
        env: dict | None = None,
        settings: dict | None = None,
        stderr=None,
    ):
        self.settings = settings if settings is not None else {}
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr if stderr is not None else subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            bufsize=0,
        )
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()
        self._buf = bytearray()
        self._next_id = 0
        self.notifications: list[dict] = []  # kept only when `keep` says so
        self.keep: Callable[[dict], bool] = lambda m: False

    @property
    def pid(self) -> int:
        return self.proc.pid

    # -- wire ---------------------------------------------------------------------
    def send(self, obj: dict) -> None:
        body = json.dumps(obj, separators=(",", ":")).encode()
        data = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        view = memoryview(data)
        while view:
            n = os.write(self._in, view)
            view = view[n:]

    def _read_message(self, deadline: float) -> dict | None:
        buf = self._buf
        while True:
            sep = buf.find(_SEP)
            if sep >= 0:
                length = None
                for line in bytes(buf[:sep]).split(b"\r\n"):
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v)
                start = sep + 4
                if length is not None and len(buf) >= start + length:
                    msg = json.loads(bytes(buf[start : start + length]))
                    del buf[: start + length]
                    return msg
            timeout = deadline - time.perf_counter()
            if timeout <= 0:
                return None
            r, _, _ = select.select([self._out], [], [], timeout)
            if not r:
                return None
            chunk = os.read(self._out, 1 << 16)
            if not chunk:
                raise ServerDied(f"server exited with {self.proc.wait()}")
            buf += chunk

    def _answer(self, msg: dict) -> None:
        """Answer a request from the server."""
        method = msg.get("method")
        if method == "workspace/configuration":
            items = (msg.get("params") or {}).get("items") or [{}]
            result: Any = [self.settings for _ in items]
        else:
            result = None
        self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})

    def wait_for(self, pred: Callable[[dict], bool], timeout: float = 30.0) -> tuple[dict, float]:
        """The first message satisfying `pred` and the perf_counter time it was read."""
        deadline = time.perf_counter() + timeout
        while True:
            msg = self._read_message(deadline)
            now = time.perf_counter()
            if msg is None:
                raise TimeoutError("no matching message from the server")
            if "method" in msg and "id" in msg:
                self._answer(msg)
                continue
            if pred(msg):
                return msg, now
            if "method" in msg and self.keep(msg):
                self.notifications.append(msg)

    # -- protocol -------------------------------------------------------------------
    def request(self, method: str, params: Any, timeout: float = 30.0) -> tuple[Any, float]:
        self._next_id += 1
        rid = self._next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        msg, t = self.wait_for(lambda m: m.get("id") == rid and "method" not in m, timeout)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result"), t

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def initialize(self, root_uri: str | None, init_options: Any = None) -> tuple[Any, float]:
        caps = {
            "general": {"positionEncodings": ["utf-8", "utf-16"]},
            "workspace": {"configuration": True},
            "textDocument": {
                "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
                "synchronization": {"dynamicRegistration": False},
            },
        }
        result, t = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root_uri,
                "capabilities": caps,
                "initializationOptions": init_options,
            },
        )
        self.notify("initialized", {})
        return result, t

    def wait_diagnostics(self, uri: str, version: int | None, timeout: float = 30.0) -> tuple[dict, float]:
        def match(m: dict) -> bool:
            if m.get("method") != "textDocument/publishDiagnostics":
                return False
            p = m["params"]
            return p["uri"] == uri and (version is None or p.get("version") in (version, None))

        return self.wait_for(match, timeout)

    def did_open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "go", "version": version, "text": text}}
        )

    def did_change(self, uri: str, version: int, changes: list[dict]) -> None:
        self.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}
        )

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def shutdown(self) -> None:
        try:
            self.request("shutdown", None, timeout=5)
            self.notify("exit", None)
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()
