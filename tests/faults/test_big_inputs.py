"""Documents over PLUMBER_MAX_DOCUMENT_MB (default 16 MB; 2 MB here) are kept in step but not parsed nor analysed:
one log message, no diagnostics; shrunk below the limit they are analysed again, with the text the
client has."""

from __future__ import annotations

from faultutil import RawServer, unclosed_files

FUNC_LINES = 9  # lines per function of unclosed_files (with the blank line after it)


def _logged(server: RawServer, needle: str) -> dict:
    return server.wait_for(lambda m: m.get("method") == "window/logMessage" and needle in m["params"]["message"])


def test_an_oversized_document_is_skipped_then_analysed_when_it_shrinks(tmp_path):
    server = RawServer(env={"PLUMBER_MAX_DOCUMENT_MB": "2"})
    try:
        server.initialize()
        uri = (tmp_path / "big.go").as_uri()
        n = 30_000  # about 3.3 MB
        text = unclosed_files(n)
        assert len(text) > 2_000_000
        server.open(uri, text)
        assert server.diagnostics(uri, 1, timeout=30)["diagnostics"] == []
        assert "PLUMBER_MAX_DOCUMENT_MB" in _logged(server, "not analysed")["params"]["message"]
        # requests are still answered at once (nothing parses or analyses the big text)
        answer = server.response(
            server.request(
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": uri},
                    "range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}},
                    "context": {"diagnostics": []},
                },
            )
        )
        assert answer.get("result") in ([], None)
        # delete all functions but the last two: the text kept in step, the rest is analysed again
        first = 4
        last = first + (n - 2) * FUNC_LINES
        server.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [
                    {
                        "range": {"start": {"line": first, "character": 0}, "end": {"line": last, "character": 0}},
                        "text": "",
                    }
                ],
            },
        )
        got = server.diagnostics(uri, 2, timeout=30)["diagnostics"]
        assert [d["range"]["start"]["line"] for d in got] == [5, 5 + FUNC_LINES]
        assert server.close() == 0
    finally:
        server.kill()


def test_the_limit_is_configurable(tmp_path):
    server = RawServer(env={"PLUMBER_MAX_DOCUMENT_MB": "0.0001"})
    try:
        server.initialize()
        uri = (tmp_path / "a.go").as_uri()
        server.open(uri, unclosed_files(2))
        assert server.diagnostics(uri, 1)["diagnostics"] == []
        _logged(server, "not analysed")
        assert server.close() == 0
    finally:
        server.kill()
