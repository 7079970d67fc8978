"""End-to-end: `plumber serve` driven by pytest-lsp with Neovim's and VS Code's capabilities.

One server per client kind serves the whole module; each test opens files of its own.
Tests that change settings start their own server (test_lsp_settings.py).
"""

from __future__ import annotations

import asyncio
import os

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsputil import (
    CONFIG,
    SOURCE,
    apply_edits,
    change,
    code_actions,
    count_published,
    edits_of,
    expected,
    got,
    open_doc,
    send_changes,
    start_session,
    units,
    uri_of,
    wait_published,
)
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, params=["neovim", "visual_studio_code"], scope="module")
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    lsp_client.init = await start_session(lsp_client, request.param, tmp_path_factory)
    yield
    await lsp_client.shutdown_session()


# -- initialize ------------------------------------------------------------------------


async def test_initialize_negotiates_encoding_and_capabilities(client: LanguageClient):
    caps = client.init.capabilities
    assert caps.position_encoding == client.enc
    sync = caps.text_document_sync
    assert sync.change == T.TextDocumentSyncKind.Incremental and sync.open_close
    assert sync.save
    kinds = caps.code_action_provider.code_action_kinds
    assert T.CodeActionKind.QuickFix in kinds and "source.fixAll.plumber" in kinds


async def test_dynamic_registrations_follow_client_capabilities(client: LanguageClient):
    uri, _ = open_doc(client, "t48.go", SOURCE)
    await wait_published(client, uri, 1)
    methods = {r.method for r in client.rec.registrations}
    if client.name == "visual_studio_code":
        assert methods == {T.WORKSPACE_DID_CHANGE_CONFIGURATION, T.WORKSPACE_DID_CHANGE_WATCHED_FILES}
        watched = next(r for r in client.rec.registrations if r.method == T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
        globs = {w["globPattern"] for w in watched.register_options["watchers"]}
        assert {"**/go.mod", "**/plumber.toml"} <= globs
    else:  # Neovim 0.11 supports neither dynamically
        assert methods == set()


# -- diagnostics -----------------------------------------------------------------------


async def test_open_publishes_versioned_diagnostics(client: LanguageClient):
    uri, path = open_doc(client, "t63.go", SOURCE, version=7)
    p = await wait_published(client, uri, 7)
    assert got(p) == expected(path, SOURCE, client.enc)
    assert [d.code for d in p.diagnostics] == ["unclosed-body", "unclosed-file"]
    body = p.diagnostics[0]
    assert body.source == "plumber"
    assert body.severity == T.DiagnosticSeverity.Warning
    assert body.code_description.href.endswith("docs/checks/unclosed-body.md")
    assert "resp.Body is never closed" in body.message
    assert body.range.start == T.Position(8, 14)
    assert isinstance(body.data, dict) and body.data["fixes"][0]["title"] == "Insert defer resp.Body.Close()"


async def test_incremental_changes_with_non_ascii(client: LanguageClient):
    enc = client.enc
    uri, path = open_doc(client, "t78.go", SOURCE)
    await wait_published(client, uri, 1)
    text = SOURCE
    steps = []
    # 1. an emoji comment before the call on its line: the call's columns shift by 2 (utf-16) or 4 (utf-8) + 4
    ev, text = change(text, (8, 1), (8, 1), "/*😀*/", enc)
    steps.append(ev)
    # 2. within the same line, after the emoji: replace `url` by `"é世界"+url`
    line = text.split("\n")[8]
    col = line.index("(url)") + 1
    pre = line[:col]
    c = units(pre, enc)
    ev, text = change(text, (8, c), (8, c + 3), '"é世界"+url', enc)
    steps.append(ev)
    # 3. a multi-line insert above the function
    ev, text = change(text, (7, 0), (7, 0), "// 𝔘nicode ∑\n// ok\n\n", enc)
    steps.append(ev)
    send_changes(client, uri, 2, steps)
    p = await wait_published(client, uri, 2)
    assert got(p) == expected(path, text, enc)
    assert p.diagnostics[0].range.start.line == 11
    # 4. delete across lines: remove the whole `open` function -> only unclosed-body remains
    lines = text.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("func open"))
    ev, text = change(text, (start - 1, 0), (start + 4, 0), "", enc)
    send_changes(client, uri, 3, [ev])
    p = await wait_published(client, uri, 3)
    assert got(p) == expected(path, text, enc)
    assert [d.code for d in p.diagnostics] == ["unclosed-body"]
    # 5. insert the close by hand, typed in two keystrokes -> cleared
    body_line = next(i for i, l in enumerate(text.split("\n")) if l.strip() == "return 0")
    ev1, text = change(text, (body_line + 1, 2), (body_line + 1, 2), "\n\tdefer resp.", enc)
    ev2, text = change(text, (body_line + 2, 13), (body_line + 2, 13), "Body.Close()", enc)
    send_changes(client, uri, 4, [ev1])
    send_changes(client, uri, 5, [ev2])
    p = await wait_published(client, uri, 5)
    assert "defer resp.Body.Close()" in text
    assert not p.diagnostics and expected(path, text, enc) == []


async def test_crlf_document(client: LanguageClient):
    enc = client.enc
    text = SOURCE.replace("\n", "\r\n")
    uri, path = open_doc(client, "crlf.go", text)
    p = await wait_published(client, uri, 1)
    assert got(p) == expected(path, text, enc)
    ev, text = change(text, (8, 1), (8, 1), '_ = "😀"\r\n\t', enc)
    ev2, text = change(text, (9, 0), (9, 1), "\t\t", enc)  # replace the tab of the next line
    send_changes(client, uri, 2, [ev, ev2])
    p = await wait_published(client, uri, 2)
    assert got(p) == expected(path, text, enc)
    assert p.diagnostics[0].range.start.line == 9
    # a fix applied with the reference arithmetic gives the expected text
    ((fix, *_),) = [await code_actions(client, uri, p.diagnostics[:1])]
    new = apply_edits(text, edits_of(fix, uri), enc)
    assert "defer resp.Body.Close()" in new


async def test_full_sync_change_resets(client: LanguageClient):
    uri, path = open_doc(client, "t134.go", SOURCE)
    await wait_published(client, uri, 1)
    text = SOURCE.replace("f.Stat()", "defer f.Close()")
    send_changes(client, uri, 2, [T.TextDocumentContentChangeWholeDocument(text=text)])
    p = await wait_published(client, uri, 2)
    assert [d.code for d in p.diagnostics] == ["unclosed-body"]


async def test_did_close_clears_and_reopen_works(client: LanguageClient):
    uri, _ = open_doc(client, "t143.go", SOURCE)
    await wait_published(client, uri, 1)
    n = count_published(client, uri)
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))
    p = await wait_published(client, uri, None, after=n)
    assert not p.diagnostics
    uri, _ = open_doc(client, "t143.go", SOURCE, version=1)
    p = await wait_published(client, uri, 1, after=n + 1)
    assert len(p.diagnostics) == 2


async def test_close_during_analysis_leaves_nothing_behind(client: LanguageClient):
    func = "func f%d(name string) {\n\tf, _ := os.Open(name)\n\tf.Stat()\n}\n\n"
    text = 'package p\n\nimport "os"\n\n' + "".join(func % i for i in range(3000))
    uri, _ = open_doc(client, "closing.go", text)
    ev, text = change(text, (0, 0), (0, 0), "// edit\n", client.enc)
    send_changes(client, uri, 2, [ev])
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))
    await wait_published(client, uri, None)
    await asyncio.sleep(1.5)  # any analysis still running when the close arrived has finished
    published = client.rec.published[uri]
    assert not published[-1].diagnostics and published[-1].version is None
    # a new file still gets its diagnostics: the server is fine
    uri2, _ = open_doc(client, "after_closing.go", SOURCE)
    assert len((await wait_published(client, uri2, 1)).diagnostics) == 2


# -- code actions ----------------------------------------------------------------------


async def test_quick_fix_and_suppress_actions(client: LanguageClient):
    enc = client.enc
    uri, path = open_doc(client, "t158.go", SOURCE)
    p = await wait_published(client, uri, 1)
    body = p.diagnostics[0]
    actions = await code_actions(client, uri, [body], only=[T.CodeActionKind.QuickFix])
    assert [a.title for a in actions] == ["Insert defer resp.Body.Close()", "Suppress unclosed-body on this line"]
    fix, suppress = actions
    assert fix.kind == T.CodeActionKind.QuickFix and fix.is_preferred and list(fix.diagnostics) == [body]
    assert not suppress.is_preferred
    if client.name == "visual_studio_code":
        assert fix.edit.document_changes[0].text_document.version == 1
    else:
        assert fix.edit.changes is not None
    fixed = apply_edits(SOURCE, edits_of(fix, uri), enc)
    assert "\treturn 0\n\t}\n\tdefer resp.Body.Close()\n\treturn resp.StatusCode" in fixed
    # the client applies the edit: the diagnostic goes away
    ev = [T.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits_of(fix, uri)]
    send_changes(client, uri, 2, ev)
    p2 = await wait_published(client, uri, 2)
    assert [d.code for d in p2.diagnostics] == ["unclosed-file"]
    # suppression through the action
    suppressed = apply_edits(
        fixed,
        edits_of((await code_actions(client, uri, p2.diagnostics, only=[T.CodeActionKind.QuickFix]))[-1], uri),
        enc,
    )
    assert "\t//plumber:ignore unclosed-file\n\tf, _ := os.Open(name)" in suppressed
    send_changes(client, uri, 3, [T.TextDocumentContentChangeWholeDocument(text=suppressed)])
    p3 = await wait_published(client, uri, 3)
    assert not p3.diagnostics


async def test_code_action_without_data_uses_cache(client: LanguageClient):
    uri, _ = open_doc(client, "t186.go", SOURCE)
    p = await wait_published(client, uri, 1)
    d = p.diagnostics[1]
    bare = T.Diagnostic(range=d.range, message=d.message, code=d.code, source=d.source, severity=d.severity)
    actions = await code_actions(client, uri, [bare], only=[T.CodeActionKind.QuickFix])
    assert [a.title for a in actions] == ["Insert defer f.Close()", "Suppress unclosed-file on this line"]
    # diagnostics from other sources are ignored
    other = T.Diagnostic(range=d.range, message="x", code="x", source="gopls")
    assert not await code_actions(client, uri, [other], only=[T.CodeActionKind.QuickFix])


async def test_fix_all(client: LanguageClient):
    enc = client.enc
    uri, path = open_doc(client, "t199.go", SOURCE)
    await wait_published(client, uri, 1)
    # without `only`: the diagnostic's quick fixes, its suppression, then fix-all
    p = client.rec.published[uri][-1]
    actions = await code_actions(client, uri, p.diagnostics[:1])
    assert [a.kind for a in actions] == ["quickfix", "quickfix", "source.fixAll.plumber"]
    assert actions[-1].title == "Fix all plumber problems (2 fixes)"
    for only in (["source.fixAll"], ["source"], ["source.fixAll.plumber"]):
        actions = await code_actions(client, uri, [], only=only)
        assert [a.kind for a in actions] == ["source.fixAll.plumber"], only
    assert not await code_actions(client, uri, [], only=[T.CodeActionKind.QuickFix])
    (action,) = await code_actions(client, uri, [], only=["source.fixAll"])
    fixed = apply_edits(SOURCE, edits_of(action, uri), enc)
    assert "defer resp.Body.Close()" in fixed and "defer f.Close()" in fixed
    assert expected(path, fixed, enc) == []
    # fix-all right after a change (before the debounce ran) works on the new text
    ev, text = change(SOURCE, (0, 0), (0, 0), "// é😀\n", enc)
    send_changes(client, uri, 2, [ev])
    (action,) = await code_actions(client, uri, [], only=["source.fixAll"])
    assert expected(path, apply_edits(text, edits_of(action, uri), enc), enc) == []


# Two rounds of fixes: the slice's Clone first, then the loop body's wrap (its edit overlaps the Clone's).
MULTI_ROUND = """package p

import "os"

var kept []string

func load(names []string) {
\tfor _, name := range names {
\t\tdata, _ := os.ReadFile(name)
\t\ts := string(data)
\t\tkept = append(kept, s[:10])
\t\tf, _ := os.Open(name)
\t\tdefer f.Close()
\t\t_ = f
\t}
}
"""


async def test_fix_all_runs_the_fix_loop_of_plumber_check_fix(client: LanguageClient, tmp_path):
    """The editor's fix-all and `plumber check --fix` write the same text, here after two rounds."""
    import subprocess
    import sys

    uri, path = open_doc(client, "t_multi_round.go", MULTI_ROUND)
    await wait_published(client, uri, 1)
    (action,) = await code_actions(client, uri, [], only=["source.fixAll"])
    fixed = apply_edits(MULTI_ROUND, edits_of(action, uri), client.enc)
    assert action.title == "Fix all plumber problems (2 fixes)"
    assert "strings.Clone(s[:10])" in fixed and "func() {" in fixed  # both rounds
    cli = subprocess.run(
        [sys.executable, "-m", "plumber", "check", "--fix", "--stdin-filename", path, "-"],
        input=MULTI_ROUND,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.stdout == fixed


async def test_nolint_comment_suppresses(client: LanguageClient):
    text = SOURCE.replace(
        "resp, err := http.Get(url) // é 世界 😀", "resp, err := http.Get(url) //nolint:unclosed-body"
    )
    uri, _ = open_doc(client, "t218.go", text)
    p = await wait_published(client, uri, 1)
    assert [d.code for d in p.diagnostics] == ["unclosed-file"]


# -- bad input -------------------------------------------------------------------------


async def test_unknown_uris(client: LanguageClient):
    uri = uri_of(os.path.join(client.dir, "nope.go"))
    send_changes(client, uri, 2, [T.TextDocumentContentChangeWholeDocument(text="package x")])
    assert await code_actions(client, uri, []) is None
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))
    # the server is alive and well
    uri2, path = open_doc(client, "t231.go", SOURCE)
    p = await wait_published(client, uri2, 1)
    assert len(p.diagnostics) == 2
    assert any("not open" in m.message for m in client.log_messages)
    assert uri not in client.rec.published


async def test_ranges_outside_the_document_clamp(client: LanguageClient):
    enc = client.enc
    uri, path = open_doc(client, "t240.go", SOURCE)
    await wait_published(client, uri, 1)
    # an insertion far past the end lands at the end; a range past a line end clamps to it
    send_changes(
        client,
        uri,
        2,
        [
            T.TextDocumentContentChangePartial(
                range=T.Range(T.Position(500, 3), T.Position(900, 0)), text="\nfunc tail() {}\n"
            ),
            T.TextDocumentContentChangePartial(range=T.Range(T.Position(0, 12), T.Position(0, 400)), text=""),
        ],
    )
    p = await wait_published(client, uri, 2)
    text = SOURCE + "\nfunc tail() {}\n"
    assert got(p) == expected(path, text, enc)


async def test_bad_files(client: LanguageClient):
    cases = {
        "empty.go": "",
        "binary.go": "\x00\x01\x02\xff\ufffd\x7fELF" * 50,
        "surrogates.go": "package x\n// \udc80\udcff \ud800 lone\nfunc f() {}\n",
        "broken.go": SOURCE.replace("return resp.StatusCode\n}", "return resp.StatusCode\n").replace(
            "f.Stat()", "f.Stat(("
        ),
        "notgo.go": "this is not Go at all { ( [",
    }
    uris = {}
    for name, text in cases.items():
        uris[name], _ = open_doc(client, name, text)
    for name, uri in uris.items():
        p = await wait_published(client, uri, 1)
        if name != "broken.go":
            assert not p.diagnostics, name
    # typing into the broken file keeps the server alive and the versions current
    send_changes(
        client,
        uris["broken.go"],
        2,
        [T.TextDocumentContentChangePartial(range=T.Range(T.Position(0, 0), T.Position(0, 0)), text="\udc80 ( {\n")],
    )
    await wait_published(client, uris["broken.go"], 2)
    uri, _ = open_doc(client, "ok.go", SOURCE)
    assert len((await wait_published(client, uri, 1)).diagnostics) == 2
    # a buffer that was never saved has no path: no go.mod, no plumber.toml, no package; still analysed
    untitled = f"untitled:Untitled-{client.name}"
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=untitled, language_id="go", version=3, text=SOURCE))
    )
    p = await wait_published(client, untitled, 3)
    assert [d.code for d in p.diagnostics] == ["unclosed-body", "unclosed-file"]
    actions = await code_actions(client, untitled, p.diagnostics[:1], only=[T.CodeActionKind.QuickFix])
    assert actions[0].title == "Insert defer resp.Body.Close()"


async def test_large_generated_file(client: LanguageClient):
    func = "func f%d(name string) {\n\tf, _ := os.Open(name)\n\tf.Stat()\n}\n\n"
    body = "".join(func % i for i in range(1, 2000))
    filler = 'var _ = []byte("' + "x" * 1000 + '")\n'
    text = 'package big\n\nimport "os"\n\n' + body + filler * (10_000_000 // len(filler))
    assert len(text) > 10_000_000
    uri, _ = open_doc(client, "big.go", text)
    # a large document just opened: the per-declaration tier first (unclosed-file is not in it), then the rest
    p = await wait_published(client, uri, 1, timeout=60)
    assert p.diagnostics == []
    published = client.rec.published[uri]  # type: ignore[attr-defined]
    p = await wait_published(client, uri, 1, after=published.index(p) + 1, timeout=60)
    assert len(p.diagnostics) == 1999
    ev, text = change(text, (4, 0), (4, 0), "// edit\n", client.enc)
    send_changes(client, uri, 2, [ev])
    p = await wait_published(client, uri, 2, timeout=60)
    assert p.diagnostics[0].range.start.line == 6
    client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))


async def test_code_action_with_outdated_diagnostic_data(client: LanguageClient):
    enc = client.enc
    uri, path = open_doc(client, "stale.go", SOURCE)
    p = await wait_published(client, uri, 1)
    old = p.diagnostics[0]
    # a line is added above before the client asks (the debounce has not run yet, or just ran)
    ev, text = change(SOURCE, (0, 0), (0, 0), "// 😀 new first line\n", enc)
    send_changes(client, uri, 2, [ev])
    # the client shifted its copy of the diagnostic but kept the old data (as VS Code does)
    shifted = T.Diagnostic(
        range=T.Range(
            T.Position(old.range.start.line + 1, old.range.start.character),
            T.Position(old.range.end.line + 1, old.range.end.character),
        ),
        message=old.message,
        code=old.code,
        source=old.source,
        data=old.data,
    )
    actions = await code_actions(client, uri, [shifted], only=[T.CodeActionKind.QuickFix])
    assert [a.title for a in actions] == ["Insert defer resp.Body.Close()", "Suppress unclosed-body on this line"]
    fixed = apply_edits(text, edits_of(actions[0], uri), enc)
    assert "\treturn 0\n\t}\n\tdefer resp.Body.Close()\n\treturn resp.StatusCode" in fixed
    if client.name == "visual_studio_code":
        assert actions[0].edit.document_changes[0].text_document.version == 2
    # the unshifted, outdated diagnostic no longer matches anything: no edits into the wrong place
    assert not await code_actions(client, uri, [old], only=[T.CodeActionKind.QuickFix])
