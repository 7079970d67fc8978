"""The wire: oversized headers, wrong Content-Lengths, invalid params, requests after shutdown,
exit without shutdown and didChange without a version. The server survives, resynchronises and
answers every request (LSP: InvalidParams, InvalidRequest)."""

from __future__ import annotations

import json

import pytest
from faultutil import RawServer, frame, unclosed_files

INVALID_REQUEST = -32600
INVALID_PARAMS = -32602


@pytest.fixture
def server():
    s = RawServer()
    yield s
    s.kill()


def _alive(server: RawServer) -> None:
    """The server still answers requests, and logged no traceback."""
    msg_id = server.request("shutdown")
    assert server.response(msg_id, timeout=20).get("result", "missing") is None
    server.notify("exit", None)
    assert server.proc.wait(timeout=10) == 0
    assert "Traceback" not in server.log, server.log


def test_a_header_line_over_16_mib_is_skipped(server):
    server.send_bytes(b"X-Padding: " + b"a" * (17 << 20) + b"\r\n")
    server.initialize()
    _alive(server)


def test_a_content_length_short_of_a_large_body_resynchronises(server):
    server.initialize()
    body = json.dumps({"jsonrpc": "2.0", "method": "$/noise", "params": {"x": "y" * (20 << 20)}}).encode()
    server.send_bytes(b"Content-Length: 100\r\n\r\n" + body)
    _alive(server)


def test_a_content_length_a_few_bytes_short_resynchronises(server):
    server.initialize()
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "workspace/symbol", "params": {"query": ""}}).encode()
    server.send_bytes(b"Content-Length: %d\r\n\r\n" % (len(body) - 3) + body)
    _alive(server)


def test_initialize_without_capabilities_is_answered_invalid_params(server):
    msg_id = server.request("initialize", {"processId": None, "rootUri": None})
    answer = server.response(msg_id)
    assert answer["error"]["code"] == INVALID_PARAMS, answer
    server.initialize()  # a proper one still works
    _alive(server)


def test_a_negative_range_is_answered_invalid_params(server, tmp_path):
    server.initialize()
    uri = (tmp_path / "a.go").as_uri()
    server.open(uri, unclosed_files(1))
    server.diagnostics(uri, 1)
    msg_id = server.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []},
        },
    )
    answer = server.response(msg_id)
    assert answer["error"]["code"] == INVALID_PARAMS, answer
    _alive(server)


def test_requests_after_shutdown_are_answered_invalid_request(server):
    server.initialize()
    assert "error" not in server.response(server.request("shutdown"))
    answer = server.response(server.request("workspace/symbol", {"query": ""}))
    assert answer["error"]["code"] == INVALID_REQUEST, answer
    answer = server.response(server.request("shutdown"))
    assert answer["error"]["code"] == INVALID_REQUEST, answer
    server.notify("exit", None)
    assert server.proc.wait(timeout=10) == 0


def test_exit_without_shutdown_exits_1(server):
    server.initialize()
    server.notify("exit", None)
    assert server.proc.wait(timeout=10) == 1


def test_did_change_with_a_null_version_is_applied(server, tmp_path):
    server.initialize()
    uri = (tmp_path / "a.go").as_uri()
    server.open(uri, unclosed_files(1))
    assert len(server.diagnostics(uri, 1)["diagnostics"]) == 1
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": None}, "contentChanges": [{"text": unclosed_files(3)}]},
    )
    published = server.wait_for(
        lambda m: m.get("method") == "textDocument/publishDiagnostics" and len(m["params"]["diagnostics"]) == 3
    )
    assert published["params"]["uri"] == uri
    # the text did not diverge: an incremental edit against the new text lands where the client thinks
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 5},
            "contentChanges": [
                {"range": {"start": {"line": 0, "character": 8}, "end": {"line": 0, "character": 13}}, "text": "other"}
            ],
        },
    )
    answer = server.diagnostics(uri, 5)
    assert len(answer["diagnostics"]) == 3
    _alive(server)


def test_a_body_that_is_not_json_is_skipped(server):
    server.send_bytes(b"Content-Length: 5\r\n\r\n{abc}")
    server.send_bytes(frame({"jsonrpc": "2.0", "method": "$/noise"}))
    server.initialize()
    _alive(server)
