"""In-process: the server's own text sync replaces pygls' (no TextDocument copies per keystroke)."""

from __future__ import annotations

from lsprotocol import types as T
from pytest_lsp import client_capabilities

from plumber.lsp.protocol import PlumberProtocol
from plumber.lsp.server import build_server


def _initialize(server, name):
    gen = server.protocol.lsp_initialize(
        T.InitializeParams(capabilities=client_capabilities(name), initialization_options={"debounce": 60_000})
    )
    handler, args, kwargs = next(gen)
    handler(*args, **(kwargs or {}))
    try:
        gen.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("initialize did not finish")


async def test_pygls_keeps_no_copy_of_the_text():
    server = build_server()
    proto = server.protocol
    for method, name in [
        (T.TEXT_DOCUMENT_DID_OPEN, "lsp_text_document__did_open"),
        (T.TEXT_DOCUMENT_DID_CHANGE, "lsp_text_document__did_change"),
        (T.TEXT_DOCUMENT_DID_CLOSE, "lsp_text_document__did_close"),
    ]:
        assert proto.fm.builtin_features[method].__func__ is getattr(PlumberProtocol, name)
    result = _initialize(server, "visual_studio_code")
    assert result.capabilities.position_encoding == T.PositionEncodingKind.Utf16
    uri = "file:///tmp/plumber-sync-test/a.go"
    proto.lsp_text_document__did_open(
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=uri, language_id="go", version=1, text="package p\n// 😀\n"))
    )
    proto.lsp_text_document__did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                T.TextDocumentContentChangePartial(range=T.Range(T.Position(1, 5), T.Position(1, 5)), text=" é"),
                T.TextDocumentContentChangePartial(
                    range=T.Range(T.Position(2, 0), T.Position(2, 0)), text="var x = 1\n"
                ),
            ],
        )
    )
    assert proto.workspace.text_documents == {}
    od = server.documents.get(uri)
    assert od.doc.text == "package p\n// 😀 é\nvar x = 1\n".encode()
    assert od.snap.version == 2 and od.snap.source == od.doc.text
    assert not od.doc.tree.root_node.has_error
    for task in server.scheduler.tasks.values():
        task.cancel()
    server.scheduler.worker.shutdown(wait=True)


def test_utf8_is_chosen_whenever_offered():
    server = build_server()
    caps = client_capabilities("visual_studio_code")
    caps.general = T.GeneralClientCapabilities(position_encodings=["utf-32", "utf-16", "utf-8"])
    gen = server.protocol.lsp_initialize(T.InitializeParams(capabilities=caps))
    handler, args, kwargs = next(gen)
    handler(*args, **(kwargs or {}))
    try:
        gen.send(None)
    except StopIteration as stop:
        assert stop.value.capabilities.position_encoding == "utf-8"
    assert server.encoding == "utf-8"
    server.scheduler.worker.shutdown(wait=True)
