"""End-to-end: `plumber serve` loads real goroutine dumps (files and a localhost URL) through
plumber.loadGoroutineProfile and shows them as leaked-goroutine diagnostics; clearGoroutineProfile
removes them."""

from __future__ import annotations

import functools
import http.server
import os
import threading

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsputil import CONFIG, count_published, initialize, uri_of, wait_published
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient
from runtimeutil import EXPECTED, dumps

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def d():
    return dumps()


@pytest.fixture(scope="module")
def http_url(d):
    """The dumps directory served on 127.0.0.1, as a pprof endpoint would serve its text."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=d.out)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest_lsp.fixture(config=CONFIG, params=["visual_studio_code", "neovim"], scope="module")
async def client(request, lsp_client: LanguageClient, d):
    lsp_client.name = request.param
    lsp_client.init = await initialize(lsp_client, request.param, root=d.workspace)
    yield
    await lsp_client.shutdown_session()


async def run(client, command, *args):
    return await client.workspace_execute_command_async(T.ExecuteCommandParams(command=command, arguments=list(args)))


def runtime_diags(p):
    return {d.range.start.line + 1: d for d in p.diagnostics if d.code == "leaked-goroutine"}


async def test_commands_are_advertised(client):
    cmds = client.init.capabilities.execute_command_provider.commands
    assert {"plumber.loadGoroutineProfile", "plumber.clearGoroutineProfile"} <= set(cmds)


async def test_load_file_then_url_then_clear(client, d, http_url):
    uri = uri_of(d.patterns)
    # 1. a debug=2 leak profile from a file: the (unopened) file gets warnings with creation sites
    n = count_published(client, uri)
    summary = await run(client, "plumber.loadGoroutineProfile", d.path("leak.debug2.txt"))
    assert summary["goroutines"] == 20 and summary["findings"] == 5 and summary["files"] == [d.patterns]
    p = await wait_published(client, uri, after=n)
    got = runtime_diags(p)
    assert sorted(got) == sorted(d.block.values())
    for pattern, (count, wait) in EXPECTED.items():
        diag = got[d.block[pattern]]
        assert diag.severity == T.DiagnosticSeverity.Warning and diag.source == "plumber"
        assert diag.message == f"{count} goroutines leaked here, blocked on {wait} (goroutineleak profile)"
        assert diag.code_description.href.endswith("docs/runtime.md")
        (rel,) = diag.related_information
        assert rel.location.uri == uri and rel.location.range.start.line + 1 == d.spawn[pattern]
        assert rel.message.startswith("created by example.com/leaky/patterns.")
        line = open(d.patterns).read().splitlines()[d.block[pattern] - 1]
        assert diag.range.start.character == len(line) - len(line.lstrip())  # at the statement, not the indent

    # 2. opening the file keeps them (merged with the static findings), on the buffer's lines
    n = count_published(client, uri)
    with open(d.patterns) as f:
        text = f.read()
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=uri, language_id="go", version=1, text=text))
    )
    p = await wait_published(client, uri, 1, after=n)
    assert sorted(runtime_diags(p)) == sorted(d.block.values())
    # the static goroutine findings of those functions say they were confirmed at run time
    static = sorted((x.range.start.line + 1, x.code, x.message) for x in p.diagnostics if x.code != "leaked-goroutine")
    assert [code for _, code, _ in static] == [
        "blocked-send",
        "blocked-send",
        "ncast-send",
        "unclosed-range",
        "blocked-receive",
    ]
    assert all("(confirmed at run time: " in m for _, _, m in static)
    assert static[0][2].endswith("(confirmed at run time: 3 goroutines leaked, blocked on chan send)")

    # 3. an edit above moves them with their lines
    n = count_published(client, uri)
    client.text_document_did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [T.TextDocumentContentChangePartial(range=T.Range(T.Position(2, 0), T.Position(2, 0)), text="\n\n")],
        )
    )
    p = await wait_published(client, uri, 2, after=n)
    assert sorted(runtime_diags(p)) == sorted(line + 2 for line in d.block.values())
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))

    # 4. a classic SIGQUIT dump from a localhost URL, with thresholds given: information
    n = count_published(client, uri)
    summary = await run(
        client,
        "plumber.loadGoroutineProfile",
        {"source": f"{http_url}/sigquit.txt", "minCount": 3, "minWaitMinutes": 0},
    )
    assert summary["findings"] == 4  # range (2 goroutines) is under minCount
    p = await wait_published(client, uri, after=n)
    while len(runtime_diags(p)) != 4:  # the close's re-publish of the old profile may come first
        n += 1
        p = await wait_published(client, uri, after=n)
    got = runtime_diags(p)
    assert sorted(got) == sorted(d.block[x] for x in ("premature", "timeout", "ncast", "receive"))
    assert all(g.severity == T.DiagnosticSeverity.Information for g in got.values())
    assert got[d.block["receive"]].message == "6 goroutines waiting here, blocked on chan receive (goroutine profile)"

    # 5. clear: the diagnostics go
    n = count_published(client, uri)
    assert await run(client, "plumber.clearGoroutineProfile") == {"cleared": 1}
    p = await wait_published(client, uri, after=n)
    assert runtime_diags(p) == {}


async def test_other_hosts_and_bad_arguments_are_refused(client, d):
    for args in (
        ["http://example.com/debug/pprof/goroutineleak?debug=1"],
        [{"source": d.path("x.txt")}],
        [],
        [{"source": d.path("leak.debug1.txt"), "minCount": 0}],
    ):
        with pytest.raises(JsonRpcException):
            await run(client, "plumber.loadGoroutineProfile", *args)


async def test_leak_gate_code_action(client, d):
    from lsputil import ENCODING, apply_edits, edits_of

    path = os.path.join(os.path.dirname(d.patterns), "gate_test.go")
    uri = uri_of(path)
    text = 'package patterns\n\nimport "testing"\n\nfunc TestTimeout(t *testing.T) {\n\tTimeout()\n}\n'
    n = count_published(client, uri)
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=uri, language_id="go", version=1, text=text))
    )
    await wait_published(client, uri, 1, after=n)
    rng = T.Range(T.Position(5, 1), T.Position(5, 1))
    for only in (None, ["source"], ["source.plumber.leakGate"]):
        actions = await client.text_document_code_action_async(
            T.CodeActionParams(
                text_document=T.TextDocumentIdentifier(uri=uri),
                range=rng,
                context=T.CodeActionContext(diagnostics=[], only=only),
            )
        )
        (gate,) = [a for a in actions if a.title == "Fail tests that leak goroutines"]
        assert gate.kind == "source.plumber.leakGate"
    new = apply_edits(text, edits_of(gate, uri), ENCODING[client.name])
    assert "func TestMain(m *testing.M) {\n\tcode := m.Run()\n" in new
    assert 'prof := pprof.Lookup("goroutineleak")' in new and "\tos.Exit(code)\n}\n" in new
    assert 'import (\n\t"os"\n\t"runtime/pprof"\n\t"strings"\n\t"testing"\n\t"time"\n)' in new
    actions = await client.text_document_code_action_async(
        T.CodeActionParams(
            text_document=T.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.QuickFix]),
        )
    )
    assert not [a for a in actions or [] if a.title == "Fail tests that leak goroutines"]
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))
