"""A randomized session against the real server: `make fuzz FUZZ_SECONDS=300` (or `python tests/faults/fuzz.py`).

For the given number of seconds it opens, edits (ranges in UTF-16 over text with emoji, CRLF and
lone CRs), closes and reopens Go documents, sends requests (code actions, commands, unknown methods,
invalid params), changes settings, and writes and deletes sibling files on disk (with
didChangeWatchedFiles). It fails on:

- a crash (the server exits or closes its output),
- a hang (a request unanswered within its deadline),
- a traceback in the server's log,
- a mismatch: at the end the open documents' last published diagnostics are compared with what a
  fresh server publishes for the same texts, settings and disk.

Loopback only (stdio pipes); every wait is bounded. Exit status 0 when clean, 1 on a failure (the
seed is printed: `--seed N` replays a session).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from deepgo import nested_blocks, nested_ifs
from faultutil import RawServer, unclosed_files

REQUEST_DEADLINE_S = 20.0
QUIET_S = 1.5  # no publish for this long: the server has settled
CODES = ["unclosed-file", "unclosed-body", "defer-in-loop", "lost-cancel", "unbounded-cache", "endless-goroutine"]

SNIPPETS = [
    "\tf, _ := os.Open(name)\n\t_ = f\n",
    "\tdefer f.Close()\n",
    "\tfor i := 0; i < 3; i++ {\n\t\tg, _ := os.Open(name)\n\t\tdefer g.Close()\n\t}\n",
    "\t// émoji 😀 in a comment\n",
    "\tgo func() { for {} }()\n",
    "\r\n",
    "\r",
    "\n",
    "}",
    "{",
    "\tcache[name] = 1\n",
    "var cache = map[string]int{}\n",
    '\t_ = "ünïcödé 𝄞"\n',
]


def lsp_position(text: str, index: int) -> dict:
    """LSP position (UTF-16) of str index `index`: lines end at \\r\\n, \\r and \\n."""
    before = text[:index]
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", before)]
    line_start = starts[-1]
    character = len(before[line_start:].encode("utf-16-le")) // 2
    return {"line": len(starts) - 1, "character": character}


def boundary(text: str, rng: random.Random) -> int:
    """A random index that does not fall between \\r and \\n."""
    i = rng.randint(0, len(text))
    if 0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n":
        i -= 1
    return i


class Session:
    def __init__(self, root: str, rng: random.Random, log):
        self.root = root
        self.rng = rng
        self.log = log
        self.server = RawServer()
        self.docs: dict[str, tuple[str, int]] = {}  # uri -> (text, version)
        self.settings: dict = {"debounce": 0}
        self.last: dict[str, dict] = {}  # uri -> last publish params
        self.ops = 0

    # -- the server's messages -------------------------------------------------------------

    def drain(self, until: float | None = None) -> None:
        """Take the server's messages (answering its requests) until none came for QUIET_S, or `until`."""
        quiet_since = time.monotonic()
        while True:
            now = time.monotonic()
            if until is not None and now >= until:
                return
            if until is None and now - quiet_since >= QUIET_S:
                return
            try:
                msg = self.server.messages.get(timeout=0.1)
            except Exception:
                continue
            if msg is None:
                raise AssertionError("the server closed its output (crashed)")
            quiet_since = time.monotonic()
            self._take(msg)

    def settle(self) -> None:
        """Drain until quiet, and then until every open document's current version is published, for up to
        REQUEST_DEADLINE_S: under load an analysis may take longer than QUIET_S, which is slow, not lost."""
        self.drain()
        deadline = time.monotonic() + REQUEST_DEADLINE_S
        while time.monotonic() < deadline and any(
            (self.last.get(uri) or {}).get("version") != version for uri, (_, version) in self.docs.items()
        ):
            self.drain(until=time.monotonic() + 0.5)
        self.drain()

    def _take(self, msg: dict) -> None:
        if "method" in msg and "id" in msg:
            self.server.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
        elif msg.get("method") == "textDocument/publishDiagnostics":
            self.last[msg["params"]["uri"]] = msg["params"]

    def request(self, method: str, params) -> dict:
        msg_id = self.server.request(method, params)
        deadline = time.monotonic() + REQUEST_DEADLINE_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"hang: {method} unanswered after {REQUEST_DEADLINE_S} s")
            try:
                msg = self.server.messages.get(timeout=min(left, 0.5))
            except Exception:
                continue
            if msg is None:
                raise AssertionError(f"the server closed its output during {method} (crashed)")
            if msg.get("id") == msg_id and "method" not in msg:
                return msg
            self._take(msg)

    # -- operations --------------------------------------------------------------------------

    def new_text(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.1:
            return nested_ifs(rng.randint(5, 200))
        if kind < 0.15:
            return nested_blocks(rng.randint(10, 2000))
        text = unclosed_files(rng.randint(1, 12))
        for _ in range(rng.randint(0, 4)):
            i = boundary(text, rng)
            text = text[:i] + rng.choice(SNIPPETS) + text[i:]
        return text

    def op_open(self) -> None:
        name = f"f{self.rng.randint(0, 5)}.go"
        uri = "file://" + os.path.join(self.root, "pkg", name)
        text = self.new_text()
        version = self.docs.get(uri, ("", 0))[1] + 1
        self.docs[uri] = (text, version)
        self.server.open(uri, text, version)

    def op_close(self) -> None:
        if self.docs:
            uri = self.rng.choice(sorted(self.docs))
            del self.docs[uri]
            self.last.pop(uri, None)
            self.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def op_edit(self) -> None:
        if not self.docs:
            return self.op_open()
        rng = self.rng
        uri = rng.choice(sorted(self.docs))
        text, version = self.docs[uri]
        changes = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.05:
                text = self.new_text()
                changes.append({"text": text})
                continue
            a, b = sorted((boundary(text, rng), boundary(text, rng)))
            if b - a > 200:
                b = a + rng.randint(0, 200)
                if 0 < b < len(text) and text[b - 1] == "\r" and text[b] == "\n":
                    b -= 1
            new = rng.choice(SNIPPETS) if rng.random() < 0.8 else ""
            changes.append({"range": {"start": lsp_position(text, a), "end": lsp_position(text, b)}, "text": new})
            text = text[:a] + new + text[b:]
        version += 1
        self.docs[uri] = (text, version)
        self.server.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}
        )

    def op_request(self) -> None:
        rng = self.rng
        uri = rng.choice(sorted(self.docs)) if self.docs else "file://" + os.path.join(self.root, "pkg", "none.go")
        text = self.docs.get(uri, ("", 0))[0]
        a = lsp_position(text, boundary(text, rng)) if text else {"line": 0, "character": 0}
        choice = rng.random()
        if choice < 0.5:
            diags = self.last.get(uri, {}).get("diagnostics", [])
            context = {"diagnostics": rng.sample(diags, min(len(diags), 3)) if diags else []}
            if rng.random() < 0.3:
                context["only"] = [rng.choice(["quickfix", "source.fixAll.plumber", "source"])]
            answer = self.request(
                "textDocument/codeAction",
                {"textDocument": {"uri": uri}, "range": {"start": a, "end": a}, "context": context},
            )
        elif choice < 0.65:
            answer = self.request(
                "workspace/executeCommand",
                {
                    "command": "plumber.loadGoroutineProfile",
                    "arguments": [rng.choice(["/dev/stdin", "missing.txt", ""])],
                },
            )
        elif choice < 0.75:
            answer = self.request(
                "workspace/executeCommand", {"command": "plumber.clearGoroutineProfile", "arguments": []}
            )
        elif choice < 0.85:
            answer = self.request("fuzz/unknownMethod", {"x": 1})
        else:  # invalid params: a negative position
            answer = self.request(
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": uri},
                    "range": {"start": {"line": -1, "character": 0}, "end": a},
                    "context": {"diagnostics": []},
                },
            )
        if "error" in answer and answer["error"].get("code") == -32603:
            raise AssertionError(f"internal error answering a request: {answer['error']}")

    def op_settings(self) -> None:
        rng = self.rng
        checks = {}
        for code in rng.sample(CODES, rng.randint(0, 3)):
            checks[code] = rng.choice([{"enabled": False}, {"severity": "hint"}, {"enabled": True}, {"bogus": 1}])
        self.settings = {"debounce": rng.choice([0, 0, 5, 30]), "checks": checks}
        self.server.notify("workspace/didChangeConfiguration", {"settings": {"plumber": self.settings}})

    def op_disk(self) -> None:
        rng = self.rng
        path = os.path.join(self.root, "pkg", f"disk{rng.randint(0, 3)}.go")
        if os.path.exists(path) and rng.random() < 0.5:
            os.unlink(path)
            kind = 3
        else:
            created = not os.path.exists(path)
            with open(path, "w") as f:
                f.write(self.new_text())
            kind = 1 if created else 2
        self.server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": "file://" + path, "type": kind}]})

    def step(self) -> None:
        ops = [
            (self.op_edit, 50),
            (self.op_open, 8),
            (self.op_close, 4),
            (self.op_request, 15),
            (self.op_settings, 3),
            (self.op_disk, 5),
        ]
        fn = self.rng.choices([f for f, _ in ops], [w for _, w in ops])[0]
        fn()
        self.ops += 1

    def check_log(self) -> None:
        if "Traceback" in self.server.log:
            raise AssertionError("a traceback in the server's log:\n" + self.server.log[-4000:])


def published(session: Session) -> dict[str, list]:
    out = {}
    for uri, (text, version) in session.docs.items():
        params = session.last.get(uri)
        if params is None or params.get("version") != version:
            raise AssertionError(f"{uri}: no publish for v{version} (last: {params and params.get('version')})")
        out[uri] = sorted(
            (d["code"], json.dumps(d["range"], sort_keys=True), d["message"]) for d in params["diagnostics"]
        )
    return out


def fresh(session: Session) -> dict[str, list]:
    """What a fresh server publishes for the session's open texts, settings and disk."""
    other = Session(session.root, random.Random(0), session.log)
    try:
        other.server.initialize(root=session.root, options=dict(session.settings))
        other.docs = dict(session.docs)
        for uri, (text, version) in other.docs.items():
            other.server.open(uri, text, version)
        other.settle()
        other.check_log()
        return published(other)
    finally:
        other.server.kill()


def run(seconds: float, seed: int, keep: bool = False) -> int:
    rng = random.Random(seed)
    root = tempfile.mkdtemp(prefix="plumber-fuzz-")
    os.makedirs(os.path.join(root, "pkg"))
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write("module example.com/fuzz\n\ngo 1.22\n")
    session = Session(root, rng, print)
    try:
        session.server.initialize(root=root, options=dict(session.settings))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            session.step()
            session.drain(until=time.monotonic() + rng.choice([0, 0, 0.01, 0.05]))
            if session.ops % 50 == 0:
                session.check_log()
                if session.server.proc.poll() is not None:
                    raise AssertionError(f"the server exited ({session.server.proc.returncode})")
        session.settle()
        session.check_log()
        mine, theirs = published(session), fresh(session)
        for uri in sorted(mine):
            if mine[uri] != theirs[uri]:
                raise AssertionError(f"mismatch for {uri} against a fresh server:\n  {mine[uri]}\n  {theirs[uri]}")
        status = session.server.close()
        if status != 0:
            raise AssertionError(f"exit status {status} after shutdown and exit")
        session.check_log()
        print(f"fuzz: seed {seed}: {session.ops} operations in {seconds:g} s, {len(mine)} documents compared: ok")
        return 0
    except AssertionError as e:
        print(f"fuzz: seed {seed}: FAILED after {session.ops} operations: {e}", file=sys.stderr)
        return 1
    finally:
        session.server.kill()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the workspace directory")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randint(0, 1 << 30)
    return run(args.seconds, seed, args.keep)


if __name__ == "__main__":
    sys.exit(main())
