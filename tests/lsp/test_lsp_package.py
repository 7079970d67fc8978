"""End-to-end: package-wide findings follow edits in another open file of the same package.

unbounded-cache reads the whole package through the engine's package index, with open
buffers overriding the disk: deleting from the cache in b.go clears the finding in a.go,
and removing the delete brings it back.
"""

from __future__ import annotations

import asyncio
import os

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsputil import CONFIG, TIMEOUT, count_published, open_doc, send_changes, start_session, uri_of
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

A = """package p

var cache = map[string]int{}

func get(k string) int {
	if v, ok := cache[k]; ok {
		return v
	}
	cache[k] = len(k)
	return len(k)
}
"""
B_EVICTS = """package p

func evict(k string) { delete(cache, k) }
"""
B_KEEPS = """package p

func keep(k string) int { return len(k) }
"""
B_WRITES = """package p

func put(k string, v int) {
	cache[k] = v
}
"""


@pytest_lsp.fixture(config=CONFIG, params=["neovim", "visual_studio_code"], scope="module")
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    await start_session(lsp_client, request.param, tmp_path_factory)
    yield
    await lsp_client.shutdown_session()


async def wait_for(
    client: LanguageClient, uri: str, codes: list[str], after: int = 0, timeout: float = TIMEOUT
) -> list[T.Diagnostic]:
    """The diagnostics of the first publish for `uri` (index >= after) whose codes are `codes`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for p in client.rec.published.get(uri, [])[after:]:
            if sorted(d.code for d in p.diagnostics) == sorted(codes):
                return p.diagnostics
        if loop.time() > deadline:
            seen = [[d.code for d in p.diagnostics] for p in client.rec.published.get(uri, [])]
            raise AssertionError(f"{uri}: no publish with {codes}; got {seen}")
        client.rec.event.clear()
        try:
            await asyncio.wait_for(client.rec.event.wait(), 0.2)
        except TimeoutError:
            pass


def _package(client: LanguageClient, name: str, b_text: str) -> tuple[str, str, str]:
    d = os.path.join(client.dir, name)
    os.makedirs(d)
    for file, text in (("a.go", A), ("b.go", b_text)):
        with open(os.path.join(d, file), "w") as f:
            f.write(text)
    return d, os.path.join(name, "a.go"), os.path.join(name, "b.go")


def _edit_and_save(client: LanguageClient, uri: str, path: str, version: int, text: str) -> None:
    send_changes(client, uri, version, [T.TextDocumentContentChangeWholeDocument(text=text)])
    with open(path, "w") as f:
        f.write(text)
    client.text_document_did_save(T.DidSaveTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))


async def test_finding_appears_and_clears_across_two_open_files(client: LanguageClient):
    _, a_name, b_name = _package(client, "evict", B_KEEPS)
    a_uri, _ = open_doc(client, a_name, A)
    b_uri, b_path = open_doc(client, b_name, B_KEEPS)
    (diag,) = await wait_for(client, a_uri, ["unbounded-cache"])
    assert "cache only grows" in diag.message and diag.range.start == T.Position(8, 1)
    await wait_for(client, b_uri, [])

    # b.go now evicts: a.go's finding clears.
    n = count_published(client, a_uri)
    _edit_and_save(client, b_uri, b_path, 2, B_EVICTS)
    await wait_for(client, a_uri, [], after=n)

    # The delete is removed again: the finding comes back.
    n = count_published(client, a_uri)
    _edit_and_save(client, b_uri, b_path, 3, B_KEEPS)
    await wait_for(client, a_uri, ["unbounded-cache"], after=n)


async def test_unsaved_buffer_of_the_other_file_counts(client: LanguageClient):
    """The open buffer of b.go, not the disk, is what the package index reads."""
    d, a_name, b_name = _package(client, "unsaved", B_KEEPS)
    b_uri, _ = open_doc(client, b_name, B_EVICTS)  # the buffer evicts; the disk does not
    a_uri, _ = open_doc(client, a_name, A)
    await wait_for(client, a_uri, [])


async def test_related_information_points_into_the_other_file(client: LanguageClient):
    _, a_name, b_name = _package(client, "both", B_WRITES)
    a_uri, a_path = open_doc(client, a_name, A)
    b_uri, _ = open_doc(client, b_name, B_WRITES)
    await wait_for(client, a_uri, ["unbounded-cache"])
    (diag,) = await wait_for(client, b_uri, ["unbounded-cache"])
    (rel,) = diag.related_information
    assert rel.location.uri == uri_of(a_path)
    assert rel.location.range == T.Range(T.Position(2, 4), T.Position(2, 9))
    assert rel.message == "cache is declared here"
