"""End-to-end: settings from initializationOptions, workspace/configuration, plumber.toml; debounce.

One server per client kind for the module; every test restores the settings when it ends.
The merge of initializationOptions and workspace/configuration needs a server of its own.
"""

from __future__ import annotations

import asyncio
import os

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types as T
from lsputil import (
    CONFIG,
    ENCODING,
    SOURCE,
    change,
    count_published,
    expected,
    got,
    initialize,
    open_doc,
    send_changes,
    start_session,
    uri_of,
    wait_published,
)
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEFAULTS = {"debounce": 0}


@pytest_lsp.fixture(config=CONFIG, params=["neovim", "visual_studio_code"], scope="module")
async def server(request, lsp_client: LanguageClient, tmp_path_factory):
    await start_session(lsp_client, request.param, tmp_path_factory, configuration=DEFAULTS)
    lsp_client.sentinel, _ = open_doc(lsp_client, "sentinel.go", SOURCE)
    await wait_published(lsp_client, lsp_client.sentinel, 1)
    yield
    await lsp_client.shutdown_session()


@pytest_asyncio.fixture(loop_scope="module")
async def client(server: LanguageClient):
    yield server
    # restore the settings, and wait until the server has re-run with them
    server.set_configuration(dict(DEFAULTS), section="plumber")
    n = count_published(server, server.sentinel)
    server.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"plumber": DEFAULTS}))
    await wait_published(server, server.sentinel, 1, after=n)


async def test_newer_versions_supersede_pending_analysis(client: LanguageClient):
    client.set_configuration({"debounce": 300}, section="plumber")
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"plumber": {"debounce": 300}}))
    await asyncio.sleep(0.2)
    uri, path = open_doc(client, "test_newer_versions.go", SOURCE)
    await wait_published(client, uri, 1)
    before = count_published(client, uri)
    text = SOURCE
    for v in range(2, 7):
        ev, text = change(text, (0, 0), (0, 0), f"// v{v}\n", client.enc)
        send_changes(client, uri, v, [ev])
    p = await wait_published(client, uri, 6, after=before)
    await asyncio.sleep(0.4)
    versions = [q.version for q in client.rec.published[uri][before:]]
    assert versions == [6]
    assert got(p) == expected(path, text, client.enc)


async def test_settings_change_disables_and_overrides_severity(client: LanguageClient):
    uri, _ = open_doc(client, "test_settings_change.go", SOURCE)
    await wait_published(client, uri, 1)
    n = count_published(client, uri)
    settings = {"debounce": 0, "checks": {"unclosed-body": {"enabled": False}, "unclosed-file": {"severity": "error"}}}
    client.set_configuration(settings, section="plumber")
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"plumber": settings}))
    p = await wait_published(client, uri, 1, after=n)
    assert [(d.code, d.severity) for d in p.diagnostics] == [("unclosed-file", T.DiagnosticSeverity.Error)]
    # disabling the last check clears the diagnostics of the open document
    settings["checks"]["unclosed-file"] = {"enabled": False}
    client.set_configuration(settings, section="plumber")
    n = count_published(client, uri)
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"plumber": settings}))
    p = await wait_published(client, uri, 1, after=n)
    assert not p.diagnostics


async def test_plumber_toml_and_save(client: LanguageClient):
    os.makedirs(os.path.join(client.dir, "toml"))
    uri, _ = open_doc(client, "toml/a.go", SOURCE)
    await wait_published(client, uri, 1)
    toml = os.path.join(client.dir, "toml", "plumber.toml")
    with open(toml, "w") as f:
        f.write('[checks.unclosed-file]\nseverity = "hint"\n')
    n = count_published(client, uri)
    client.workspace_did_change_watched_files(
        T.DidChangeWatchedFilesParams(changes=[T.FileEvent(uri=uri_of(toml), type=T.FileChangeType.Created)])
    )
    p = await wait_published(client, uri, 1, after=n)
    assert [(d.code, d.severity) for d in p.diagnostics] == [
        ("unclosed-body", T.DiagnosticSeverity.Warning),
        ("unclosed-file", T.DiagnosticSeverity.Hint),
    ]
    # didSave re-runs
    n = count_published(client, uri)
    client.text_document_did_save(T.DidSaveTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))
    p = await wait_published(client, uri, 1, after=n)
    assert len(p.diagnostics) == 2


@pytest_lsp.fixture(config=CONFIG, params=["neovim"], loop_scope="module")
async def configured(request, lsp_client: LanguageClient, tmp_path):
    lsp_client.enc = ENCODING[request.param]
    lsp_client.dir = str(tmp_path)
    # workspace/configuration wins over initializationOptions
    lsp_client.set_configuration({"checks": {"unclosed-file": {"severity": "information"}}}, section="plumber")
    await initialize(
        lsp_client,
        request.param,
        options={
            "plumber": {
                "debounce": 0,
                "checks": {"unclosed-body": {"severity": "hint"}, "unclosed-file": {"severity": "error"}},
                "bogus": 1,
            }
        },
    )
    yield
    await lsp_client.shutdown_session()


async def test_initialization_options_and_configuration_merge(configured: LanguageClient):
    client = configured
    uri, _ = open_doc(client, "a.go", SOURCE)
    p = await wait_published(client, uri, 1)
    assert [(d.code, d.severity) for d in p.diagnostics] == [
        ("unclosed-body", T.DiagnosticSeverity.Hint),
        ("unclosed-file", T.DiagnosticSeverity.Information),
    ]
    assert any("1 unknown key ignored: 'bogus'" in m.message for m in client.log_messages)
    assert len([m for m in client.messages if "bad settings" in m.message]) == 1


async def test_malformed_settings_never_crash(client: LanguageClient):
    uri, _ = open_doc(client, "test_malformed.go", SOURCE)
    await wait_published(client, uri, 1)
    for bad in (
        42,
        "x",
        [1],
        {"debounce": "soon", "checks": {"nope": {}, "unclosed-body": {"severity": "loud", "enabled": "yes"}}},
        {"checks": []},
        None,
    ):
        client.set_configuration(bad, section="plumber")
        n = count_published(client, uri)
        client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"plumber": bad}))
        p = await wait_published(client, uri, 1, after=n)
        assert len(p.diagnostics) == 2
    warnings = [m.message for m in client.log_messages if m.type == T.MessageType.Warning]
    assert any("1 unknown check code ignored: 'nope'" in w for w in warnings)
    assert any("checks.unclosed-body.severity: must be one of" in w for w in warnings)
    assert len([m for m in client.messages if "bad settings" in m.message]) == 1
