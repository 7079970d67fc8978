"""End-to-end with test-only checks: check failures and related information."""

from __future__ import annotations

import os
import sys

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsputil import ENCODING, SOURCE, initialize, open_doc, plumber_client, uri_of, wait_published
from pytest_lsp import ClientServerConfig, LanguageClient

HERE = os.path.dirname(__file__)
EXTRA = ClientServerConfig(
    server_command=[sys.executable, os.path.join(HERE, "extra_checks_server.py")], client_factory=plumber_client
)


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=EXTRA, params=["neovim", "visual_studio_code"], scope="module")
async def server(request, lsp_client: LanguageClient, tmp_path_factory):
    lsp_client.name = request.param
    lsp_client.enc = ENCODING[request.param]
    lsp_client.root = str(tmp_path_factory.mktemp(request.param))
    await initialize(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def client(server: LanguageClient, request):
    """The module's server, with a directory of the test's own."""
    server.dir = os.path.join(server.root, request.node.originalname)
    os.makedirs(server.dir)
    return server


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


async def test_go_mod_changes_are_picked_up(client: LanguageClient):
    gomod = os.path.join(client.dir, "go.mod")
    with open(gomod, "w") as f:
        f.write("module example.com/m\n\ngo 1.21\n")
    uri, _ = open_doc(client, "v.go", "package p\n\n// GOVERSION\n")
    p = await wait_published(client, uri, 1)
    assert [d.message for d in p.diagnostics] == ["go 1.21"]
    with open(gomod, "w") as f:
        f.write("module example.com/m\n\ngo 1.24\n")
    client.workspace_did_change_watched_files(
        T.DidChangeWatchedFilesParams(changes=[T.FileEvent(uri=uri_of(gomod), type=T.FileChangeType.Changed)])
    )
    p = await wait_published(client, uri, 1, after=1)
    assert [d.message for d in p.diagnostics] == ["go 1.24"]
    # saving go.mod from the editor does the same
    with open(gomod, "w") as f:
        f.write("module example.com/m\n\ngo 1.25\n")
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(
            T.TextDocumentItem(
                uri=uri_of(gomod), language_id="go.mod", version=1, text="module example.com/m\n\ngo 1.25\n"
            )
        )
    )
    client.text_document_did_save(T.DidSaveTextDocumentParams(T.TextDocumentIdentifier(uri=uri_of(gomod))))
    p = await wait_published(client, uri, 1, after=2)
    assert [d.message for d in p.diagnostics] == ["go 1.25"]
    assert uri_of(gomod) not in client.rec.published  # go.mod itself is not analysed


async def test_package_index_sees_open_buffers(client: LanguageClient):
    with open(os.path.join(client.dir, "sib.go"), "w") as f:
        f.write("package p\n\n// MARK MARK\n")
    with open(os.path.join(client.dir, "other_pkg.go"), "w") as f:
        f.write("package q\n\n// MARK\n")
    uri, _ = open_doc(client, "main.go", "package p\n\n// PKGMARKS MARK\n")
    p = await wait_published(client, uri, 1)
    assert [d.message for d in p.diagnostics] == ["4 marks in 2 files"]  # PKGMARKS counts too
    # the sibling is opened and edited without saving: its buffer counts, not the disk
    sib, _ = open_doc(client, "sib.go", "package p\n\n// MARK MARK\n")
    client.text_document_did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=sib, version=2),
            [T.TextDocumentContentChangePartial(range=T.Range(T.Position(2, 0), T.Position(2, 0)), text="// MARK\n")],
        )
    )
    await wait_published(client, sib, 2)
    client.text_document_did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [T.TextDocumentContentChangePartial(range=T.Range(T.Position(0, 0), T.Position(0, 0)), text="")],
        )
    )
    p = await wait_published(client, uri, 2)
    assert [d.message for d in p.diagnostics] == ["5 marks in 2 files"]
    # editing the sibling alone re-runs the package's other open files
    n = len(client.rec.published[uri])
    client.text_document_did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=sib, version=3),
            [T.TextDocumentContentChangePartial(range=T.Range(T.Position(2, 0), T.Position(4, 0)), text="")],
        )
    )
    p = await wait_published(client, uri, 2, after=n)
    assert [d.message for d in p.diagnostics] == ["2 marks in 2 files"]
    # closing it: the disk version counts again
    n = len(client.rec.published[uri])
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=sib)))
    p = await wait_published(client, uri, 2, after=n)
    assert [d.message for d in p.diagnostics] == ["4 marks in 2 files"]
    # a sibling created on disk (a watched-file event) counts as soon as it is reported
    with open(os.path.join(client.dir, "new.go"), "w") as f:
        f.write("package p\n\n// MARK MARK MARK\n")
    n = len(client.rec.published[uri])
    client.workspace_did_change_watched_files(
        T.DidChangeWatchedFilesParams(
            changes=[T.FileEvent(uri=uri_of(os.path.join(client.dir, "new.go")), type=T.FileChangeType.Created)]
        )
    )
    p = await wait_published(client, uri, 2, after=n)
    assert [d.message for d in p.diagnostics] == ["7 marks in 3 files"]
