"""End-to-end with test-only checks: check failures and related information."""

from __future__ import annotations

import os
import sys

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient

from lsputil import ENCODING, SOURCE, initialize, open_doc, plumber_client, uri_of, wait_published

HERE = os.path.dirname(__file__)
EXTRA = ClientServerConfig(server_command=[sys.executable, os.path.join(HERE, "extra_checks_server.py")],
                           client_factory=plumber_client)


@pytest_lsp.fixture(config=EXTRA, params=["neovim", "visual_studio_code"])
async def client(request, lsp_client: LanguageClient, tmp_path):
    lsp_client.name = request.param
    lsp_client.enc = ENCODING[request.param]
    lsp_client.dir = str(tmp_path)
    await initialize(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()


async def test_a_failing_check_is_logged_and_the_others_publish(client: LanguageClient):
    uri, path = open_doc(client, "boom.go", SOURCE + "// BOOM\n")
    p = await wait_published(client, uri, 1)
    assert [d.code for d in p.diagnostics] == ["unclosed-body", "unclosed-file"]
    errors = [m.message for m in client.log_messages if m.type == T.MessageType.Error]
    assert any("check boom-test failed on" in m and path in m and "boom on purpose" in m for m in errors)
    # a clean file next to it publishes normally, and the failure is not repeated for an unchanged failure
    uri2, _ = open_doc(client, "fine.go", SOURCE)
    assert len((await wait_published(client, uri2, 1)).diagnostics) == 2


async def test_related_information_in_this_and_other_files(client: LanguageClient):
    other = os.path.join(client.dir, "other.go")
    with open(other, "w", encoding="utf-8") as f:
        f.write("/* é😀 */ var other = 1\n")
    text = "package p\n\n// é😀 RELATED\nfunc f() {}\n"
    uri, path = open_doc(client, "rel.go", text)
    p = await wait_published(client, uri, 1)
    (d,) = p.diagnostics
    assert d.code == "related-test" and d.severity == T.DiagnosticSeverity.Information
    col = {"utf-8": 10, "utf-16": 7}[client.enc]
    assert d.range == T.Range(T.Position(2, col), T.Position(2, col + 7))
    here, there = d.related_information  # the missing file is dropped
    assert here.location == T.Location(uri, T.Range(T.Position(3, 0), T.Position(3, 4)))
    assert here.message == "here in this file"
    other_col = {"utf-8": 17, "utf-16": 14}[client.enc]
    assert there.location == T.Location(uri_of(other), T.Range(T.Position(0, other_col), T.Position(0, other_col + 5)))
    # with other.go open in the editor, its buffer (not the disk) converts the offsets
    open_doc(client, "other.go", "\n/* é😀 */ var other = 1\n")
    client.text_document_did_save(T.DidSaveTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))
    p = await wait_published(client, uri, 1, after=1)
    col = {"utf-8": 16, "utf-16": 13}[client.enc]  # byte 17 of the buffer
    there = p.diagnostics[0].related_information[1]
    assert there.location.range.start == T.Position(1, col)
