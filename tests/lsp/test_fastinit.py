"""`plumber serve` answers `initialize` before it imports the server (lsp/fastinit.py): the answer is
pygls's own for every client, given once, and the session goes on as usual."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest
import pytest_lsp
from lsprotocol import types as T

from plumber.lsp import fastinit
from plumber.lsp.server import build_server

CLIENTS = sorted(
    os.path.basename(p)[: -len(".json")]
    for p in glob.glob(os.path.join(os.path.dirname(pytest_lsp.__file__), "clients", "*.json"))
)


def _pygls_answer(raw_params: dict) -> dict:
    """The InitializeResult pygls computes for this server (its initialize handler run as in a session)."""
    proto = build_server().protocol
    gen = proto.lsp_initialize(proto._converter.structure(raw_params, T.InitializeParams))
    try:
        step = next(gen)
        while True:
            handler, args, _ = step
            step = gen.send(handler(*args))
    except StopIteration as e:
        return proto._converter.unstructure(e.value)


def _client(name: str) -> dict:
    with open(os.path.join(os.path.dirname(pytest_lsp.__file__), "clients", name + ".json")) as f:
        return json.load(f)["capabilities"]


CAPABILITIES = [*CLIENTS, "none", "utf-8 only"]


@pytest.mark.parametrize("client", CAPABILITIES)
def test_the_early_answer_is_pyglss(client):
    special = {"none": {}, "utf-8 only": {"general": {"positionEncodings": ["utf-8"]}}}
    caps = special[client] if client in special else _client(client)
    params = {"processId": None, "rootUri": None, "capabilities": caps}
    early = fastinit.answer({"jsonrpc": "2.0", "id": 7, "method": "initialize", "params": params})
    assert early is not None and early["id"] == 7
    assert early["result"] == _pygls_answer(params)


def test_only_a_well_formed_initialize_request_is_answered():
    ok = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    assert fastinit.answer(ok) is not None
    for bad in (
        {**ok, "method": "initialized"},
        {**ok, "id": None},
        {**ok, "id": True},
        {**ok, "params": []},
        {**ok, "params": {"capabilities": None}},
        {k: v for k, v in ok.items() if k != "jsonrpc"},
    ):
        assert fastinit.answer(bad) is None


def _frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read(stream) -> dict:
    length = None
    while True:
        line = stream.readline()
        assert line, "the server closed its output"
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    assert length is not None
    return json.loads(stream.read(length))


def _session(messages_after_initialize, caps, until) -> list[dict]:
    """Run `plumber serve` over pipes: initialize, then `messages_after_initialize` (notifications), then
    once the server wrote a message for which `until` is true, shutdown and exit; every message the
    server wrote, in order."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "plumber", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out: list[dict] = []
    try:
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "capabilities": caps}}
        proc.stdin.write(_frame(init))
        proc.stdin.flush()
        out.append(_read(proc.stdout))
        for m in [{"jsonrpc": "2.0", "method": "initialized", "params": {}}, *messages_after_initialize]:
            proc.stdin.write(_frame(m))
        proc.stdin.flush()
        while not until(out[-1]):
            out.append(_read(proc.stdout))
        proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}))
        proc.stdin.flush()
        while True:
            msg = _read(proc.stdout)
            out.append(msg)
            if msg.get("id") == 99 and "method" not in msg:
                break
        proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
        out.extend(json.loads(b) for b in proc.stdout.read().split(b"\r\n\r\n")[1::2] if b)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return out


@pytest.mark.parametrize("offered, chosen", [(["utf-8", "utf-16"], "utf-8"), (None, "utf-16")])
def test_over_stdio_initialize_is_answered_once_and_the_session_goes_on(tmp_path, offered, chosen):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    path = tmp_path / "a.go"
    text = 'package a\n\nimport "os"\n\nfunc f() {\n\t/*ééé*/ file, _ := os.Open("x")\n\t_ = file\n}\n'
    path.write_text(text, encoding="utf-8")
    before = "\t/*ééé*/ file, _ := "  # what precedes os.Open on its line
    column = len(before.encode("utf-8")) if chosen == "utf-8" else len(before.encode("utf-16-le")) // 2
    caps = {"general": {"positionEncodings": offered}} if offered else {}
    uri = path.as_uri()
    opened = {
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}},
    }
    out = _session(
        [opened], caps, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
    )
    answers = [m for m in out if m.get("id") == 1 and "method" not in m]
    assert len(answers) == 1  # the early answer only: the server's own is not sent again
    assert answers[0]["result"]["capabilities"]["positionEncoding"] == chosen
    assert out[0] is answers[0]
    published = [m for m in out if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]
    assert published and [d["code"] for d in published[-1]["params"]["diagnostics"]] == ["unclosed-file"]
    # the position is in the negotiated encoding, from the settings the server read off initialize
    assert published[-1]["params"]["diagnostics"][0]["range"]["start"] == {"line": 5, "character": column}
