"""Two tiers through the real server: an edit publishes the per-declaration results at once with
the whole-file checks' last findings (moved by the edit), and the second tier, after a pause,
brings those up to date for the same version. PLUMBER_TIER2=0,0 gives every document two tiers."""

from __future__ import annotations

import os

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsputil import SERVER, open_doc, plumber_client, send_changes, start_session, wait_published
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIERED = ClientServerConfig(
    server_command=SERVER, client_factory=plumber_client, server_env={**os.environ, "PLUMBER_TIER2": "0,0"}
)


@pytest_lsp.fixture(config=TIERED, params=["neovim"], scope="module")
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    await start_session(lsp_client, request.param, tmp_path_factory, dirname="tiers")
    yield
    await lsp_client.shutdown_session()


async def test_the_second_tier_follows_the_first_for_the_same_version(client: LanguageClient):
    text = (
        'package m\n\nimport "os"\n\nfunc size(name string) int64 {\n'
        "\tf, _ := os.Open(name)\n\tst, _ := f.Stat()\n\treturn st.Size()\n}\n"
    )
    uri, _ = open_doc(client, "tiers.go", text)
    # on open, the first tier comes first (unclosed-file is a whole-file check: not in it), then the second
    opened = await wait_published(client, uri, 1)
    published = client.rec.published[uri]  # type: ignore[attr-defined]
    assert opened.diagnostics == []
    first = await wait_published(client, uri, 1, after=published.index(opened) + 1)
    assert [d.code for d in first.diagnostics] == ["unclosed-file"]
    # close f on the line below the finding: the edit does not touch the finding's span
    send_changes(
        client,
        uri,
        2,
        [
            T.TextDocumentContentChangePartial(
                range=T.Range(T.Position(6, 0), T.Position(6, 0)), text="\tdefer f.Close()\n"
            )
        ],
    )
    after = len(published)
    tier1 = await wait_published(client, uri, 2, after=after)
    # the first tier still shows the whole-file check's older finding, at the same place
    assert [(d.code, d.range.start.line) for d in tier1.diagnostics] == [("unclosed-file", 5)]
    tier2 = await wait_published(client, uri, 2, after=published.index(tier1) + 1)
    assert tier2.diagnostics == []
