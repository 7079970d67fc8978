"""End-to-end: `plumber serve` loads heap profiles of a real Go program (tests/runtime/heapleakutil.py)
through plumber.loadHeapProfile / compareHeapProfile, from files and from the program's live
127.0.0.1 pprof endpoint: heap-growth diagnostics on the map insert and the string allocation with
go tool pprof's numbers, the static unbounded-cache and substring-retention findings confirmed, code
lenses, the JSON the editor draws; clearHeapProfile removes them; bad profiles are shown to the user
(window/showMessage) and the server keeps working."""

from __future__ import annotations

import asyncio
import gzip
import os

import pytest
import pytest_lsp
from heapleakutil import BODY, ENTRY, PINNED_TEXT, REQUESTS, WARMUP, pinned
from lsprotocol import types as T
from lsputil import CONFIG, count_published, initialize, uri_of, wait_published
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from plumber.runtime.heap import amount

pytestmark = pytest.mark.asyncio(loop_scope="module")

LOAD, COMPARE, CLEAR = "plumber.loadHeapProfile", "plumber.compareHeapProfile", "plumber.clearHeapProfile"


@pytest_lsp.fixture(config=CONFIG, params=["visual_studio_code", "neovim"], scope="module")
async def client(request, lsp_client: LanguageClient, heapleak):
    lsp_client.name = request.param
    lsp_client.lens_refreshes = 0

    def refresh(params) -> None:
        lsp_client.lens_refreshes += 1

    lsp_client.protocol.fm.features[T.WORKSPACE_CODE_LENS_REFRESH] = refresh
    lsp_client.init = await initialize(lsp_client, request.param, root=heapleak.workspace)
    yield
    await lsp_client.shutdown_session()


async def run(client, command, *args):
    return await client.workspace_execute_command_async(T.ExecuteCommandParams(command=command, arguments=list(args)))


def heap_diags(p):
    return {d.range.start.line + 1: d for d in p.diagnostics if d.code == "heap-growth"}


async def published_with(client, uri, after, predicate):
    """The first publish for `uri` after index `after` that satisfies `predicate` (earlier re-publishes skipped)."""
    while True:
        p = await wait_published(client, uri, after=after)
        if predicate(p):
            return p
        after += 1


def pprof_flat_cum(top, line):
    [both] = [v for (file, ln), v in top.lines.items() if file.endswith("/heapleak/main.go") and ln == line]
    return both


async def lenses(client, uri):
    got = await client.text_document_code_lens_async(T.CodeLensParams(text_document=T.TextDocumentIdentifier(uri)))
    return {lens.range.start.line + 1: lens for lens in got or []}


async def test_commands_and_code_lenses_are_advertised(client):
    caps = client.init.capabilities
    assert {LOAD, COMPARE, CLEAR} <= set(caps.execute_command_provider.commands)
    assert caps.code_lens_provider is not None


async def test_load_compare_confirm_edit_clear(client, heapleak):
    main, uri = heapleak.main, uri_of(heapleak.main)
    grow = heapleak.grow

    # 1. the profile alone, from a file: the lines holding most memory, on the (unopened) file
    n = count_published(client, uri)
    got = await run(client, LOAD, heapleak.path("file-after.pb.gz"))
    assert got["kind"] == "heap" and got["sample"] == "inuse_space" and got["unit"] == "bytes"
    assert got["base"] is None and got["growth"] is None and got["files"] == [main]
    first, second = got["sites"][:2]
    assert (first["line"], second["line"]) == (grow["substring"], grow["map"])
    assert first["path"] == main and first["function"] == "main.header"
    assert first["value"] >= (WARMUP + REQUESTS) * BODY and second["value"] >= (WARMUP + REQUESTS) * ENTRY
    assert first["share"] == round(first["value"] / got["total"], 4) and 0.5 < first["share"] < 1
    p = await published_with(client, uri, n, lambda p: grow["substring"] in heap_diags(p))
    diags = heap_diags(p)
    assert diags[grow["substring"]].message == (
        f"{amount(first['value'], 'bytes')} in use here, {round(100 * first['share'])}% of the heap in use"
    )
    assert diags[grow["substring"]].severity == T.DiagnosticSeverity.Information
    assert len(diags) == got["findings"] == len(got["sites"])
    note = client.messages[-1]
    assert note.type == T.MessageType.Info and "heap profile" in note.message and "in use" in note.message

    # 2. compared with the base profile: the growth, with go tool pprof -base's numbers
    n = count_published(client, uri)
    got = await run(client, COMPARE, heapleak.path("file-before.pb.gz"))
    assert got["source"] == heapleak.path("file-after.pb.gz") and got["base"] == heapleak.path("file-before.pb.gz")
    top = heapleak.top["file"]
    assert abs(got["growth"] - top.total) <= 0.1 * top.total
    sites = {s["line"]: s for s in got["sites"]}
    substring, cached = sites[grow["substring"]], sites[grow["map"]]
    # MemProfileRate = 1: exactly what go tool pprof charges to the line and below it
    assert pinned(substring["delta"]) and substring["delta"] == pprof_flat_cum(top, grow["substring"])[1]
    assert abs(cached["delta"] - pprof_flat_cum(top, grow["map"])[0]) <= 0.1 * cached["delta"]
    assert substring["amount"] == PINNED_TEXT and substring["share"] == round(substring["delta"] / got["growth"], 4)
    assert [c["function"] for c in substring["callPath"]] == ["main.main", "main.serve", "main.grow"]
    assert substring["callPath"][-1]["path"] == main and substring["callPaths"] == 1
    # which growth a static finding explains: the rest is where to look first
    assert [(s["code"], s["line"]) for s in substring["static"]] == [("substring-retention", grow["substring"] + 1)]
    assert [s["code"] for s in cached["static"]] == ["unbounded-cache"]
    assert all(s["static"] == [] for s in got["sites"] if s["line"] not in grow.values())
    assert "no static finding" in client.messages[-1].message
    p = await published_with(
        client, uri, n, lambda p: "since the base" in getattr(heap_diags(p).get(grow["map"]), "message", "")
    )
    diags = heap_diags(p)
    share = round(100 * substring["delta"] / got["growth"])
    assert diags[grow["substring"]].message == f"{PINNED_TEXT} in use since the base profile, {share}% of the growth"
    assert diags[grow["map"]].message.startswith(f"{amount(cached['delta'], 'bytes', True)} in use since the base")
    related = [(r.location.range.start.line + 1, r.message) for r in diags[grow["substring"]].related_information]
    assert [m for _, m in related] == ["1. main.main calls main.serve", "2. main.serve calls main.grow", related[2][1]]
    assert related[2][1].startswith("3. main.grow calls main.header")
    line = open(main).read().splitlines()[grow["map"] - 1]
    assert diags[grow["map"]].range.start.character == len(line) - len(line.lstrip())

    # 3. opening the file: the static memory findings say the profile confirms them; lenses show the bytes
    with open(main) as f:
        text = f.read()
    n = count_published(client, uri)
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=uri, language_id="go", version=1, text=text))
    )
    p = await wait_published(client, uri, 1, after=n)
    static = {d.code: d for d in p.diagnostics if d.code != "heap-growth"}
    assert static["unbounded-cache"].range.start.line + 1 == grow["map"]
    assert static["unbounded-cache"].message.endswith(" (confirmed: +4.0 MiB live here in the heap profile)")
    assert static["substring-retention"].message.endswith(
        f" (confirmed: {PINNED_TEXT} live in the heap profile where the large string is made)"
    )
    assert sorted(heap_diags(p)) == sorted(diags)
    got_lenses = await lenses(client, uri)
    assert sorted(got_lenses) == sorted(diags)
    assert got_lenses[grow["substring"]].command.title == diags[grow["substring"]].message
    assert list(got_lenses[grow["substring"]].command.arguments) == [{"path": main, "line": grow["substring"]}]

    # 4. an edit above moves diagnostics and lenses with their lines
    n = count_published(client, uri)
    client.text_document_did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [T.TextDocumentContentChangePartial(range=T.Range(T.Position(0, 0), T.Position(0, 0)), text="\n\n")],
        )
    )
    p = await wait_published(client, uri, 2, after=n)
    assert sorted(heap_diags(p)) == sorted(line + 2 for line in diags)
    assert sorted(await lenses(client, uri)) == sorted(line + 2 for line in diags)
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))

    # 5. the live profile from the program's pprof endpoint on 127.0.0.1, against the file written before
    n = count_published(client, uri)
    refreshes = client.lens_refreshes
    got = await run(
        client,
        LOAD,
        {"source": heapleak.url("/debug/pprof/heap"), "base": heapleak.path("file-before.pb.gz"), "top": 2},
    )
    assert [s["line"] for s in got["sites"]] == [grow["substring"], grow["map"]]
    assert pinned(got["sites"][0]["delta"])
    p = await published_with(client, uri, n, lambda p: len(heap_diags(p)) == 2)
    assert sorted(heap_diags(p)) == sorted(grow.values())
    if client.name == "visual_studio_code":  # it says it can refresh code lenses; Neovim's capabilities do not
        assert client.lens_refreshes > refreshes

    # 6. two sources compared at once: the pprof endpoint's pair
    got = await run(client, COMPARE, heapleak.path("http-after.pb.gz"), heapleak.path("http-before.pb.gz"))
    assert got["source"] == heapleak.path("http-after.pb.gz") and got["base"] == heapleak.path("http-before.pb.gz")
    assert pinned({s["line"]: s["delta"] for s in got["sites"]}[grow["substring"]])

    # 7. clear: the diagnostics and the lenses go
    n = count_published(client, uri)
    assert await run(client, CLEAR) == {"cleared": 1}
    p = await published_with(client, uri, n, lambda p: not heap_diags(p))
    assert heap_diags(p) == {}
    assert await lenses(client, uri) == {}


def write(heapleak, name: str, data: bytes) -> str:
    path = os.path.join(heapleak.out, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


async def test_bad_profiles_are_shown_and_the_server_keeps_working(client, heapleak):
    with open(heapleak.path("file-after.pb.gz"), "rb") as f:
        good = f.read()
    damaged = bytearray(good)
    damaged[len(good) // 2 : len(good) // 2 + 64] = bytes(64)
    huge = os.path.join(heapleak.out, "huge.pb.gz")
    with open(huge, "wb") as f:  # 100 MB (sparse): gzip's magic, then zeros
        f.write(gzip.compress(b"")[:10])
        f.truncate(100 << 20)
    cases = [
        (LOAD, [write(heapleak, "damaged.pb.gz", bytes(damaged))], "corrupt"),
        (LOAD, [write(heapleak, "truncated.pb.gz", good[: len(good) // 2])], "truncated: the gzip stream ends early"),
        (LOAD, [write(heapleak, "noise.bin", bytes(range(256)) * 64)], "not a pprof profile"),
        (LOAD, [write(heapleak, "not-a-profile.pb.gz", gzip.compress(b"\xff" * 4096))], "does not decode"),
        (LOAD, [huge], "larger than 64 MiB: refused"),
        (LOAD, [heapleak.path("cpu.pb.gz")], "a CPU profile (sample types samples/count, cpu/nanoseconds), not a heap"),
        (LOAD, [heapleak.path("leak.pb.gz")], "not a heap profile; load it with Plumber: Load Goroutine Profile"),
        (LOAD, [heapleak.path("leak.debug1.txt")], "a goroutine profile or dump, not a heap profile"),
        (LOAD, ["http://example.com/debug/pprof/heap"], "only http://127.0.0.1 or http://localhost URLs are loaded"),
        (LOAD, [heapleak.path("no-such.pb.gz")], "No such file or directory"),
        (LOAD, [{"source": heapleak.path("file-after.pb.gz"), "top": 0}], "top must be an integer >= 1"),
        (LOAD, [{"source": heapleak.path("file-after.pb.gz"), "sample": "cpu"}], "sample must be one of inuse_space"),
        (LOAD, [], "plumber.loadHeapProfile takes a file path or an http://localhost URL"),
        (
            COMPARE,
            [heapleak.path("file-after.pb.gz"), heapleak.path("cpu.pb.gz")],
            f"the base profile {heapleak.path('cpu.pb.gz')}: a CPU profile",
        ),
    ]

    async def refused(command, args, error):
        shown = len(client.messages)
        with pytest.raises(JsonRpcException):
            await run(client, command, *args)
        for _ in range(40):  # the notification comes before the error answer; allow for scheduling
            if len(client.messages) > shown:
                break
            await asyncio.sleep(0.05)
        message = client.messages[-1]
        assert message.type == T.MessageType.Error and error in message.message, (args, message.message)
        assert message.message.startswith("plumber: ")

    uri = uri_of(heapleak.main)
    substring = heapleak.grow["substring"]
    await run(client, LOAD, {"source": heapleak.path("file-after.pb.gz"), "top": 1})
    for command, args, error in cases:
        await refused(command, args, error)
    # still serving, and what was loaded before is still loaded: a comparison of it with its base
    n = count_published(client, uri)
    got = await run(client, COMPARE, heapleak.path("file-before.pb.gz"))
    assert got["source"] == heapleak.path("file-after.pb.gz") and got["sites"][0]["line"] == substring
    assert pinned(got["sites"][0]["delta"]) and len(got["sites"]) == 1  # its top: 1 kept
    p = await published_with(
        client, uri, n, lambda p: "since the base" in getattr(heap_diags(p).get(substring), "message", "")
    )
    assert sorted(heap_diags(p)) == [substring]
    assert await run(client, CLEAR) == {"cleared": 1}
    await refused(COMPARE, [heapleak.path("file-before.pb.gz")], "no heap profile is loaded to compare with a base")
