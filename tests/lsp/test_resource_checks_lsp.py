"""End-to-end: each resource check's diagnostic and quick fix through `plumber serve` (pytest-lsp).

For every check: open a file, wait for its diagnostic, ask for the quick fix, apply the
returned edits as the client would (didChange), and see the diagnostic go away.
"""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsputil import CONFIG, apply_edits, code_actions, edits_of, open_doc, send_changes, start_session, wait_published
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, params=["visual_studio_code"], scope="module")
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    await start_session(lsp_client, request.param, tmp_path_factory, dirname="resource")
    yield
    await lsp_client.shutdown_session()


async def fix_through_server(
    client: LanguageClient, name: str, text: str, code: str, message: str, severity=T.DiagnosticSeverity.Warning
) -> str:
    """Open `text`, check its one `code` diagnostic, apply its preferred quick fix; the fixed text."""
    uri, _ = open_doc(client, name, text)
    p = await wait_published(client, uri, 1)
    (diag,) = [d for d in p.diagnostics if d.code == code and message in d.message]
    assert message in diag.message
    assert diag.severity == severity and diag.source == "plumber"
    assert diag.code_description.href.endswith(f"docs/checks/{code}.md")
    actions = await code_actions(client, uri, [diag], only=[T.CodeActionKind.QuickFix])
    fix = actions[0]
    assert fix.is_preferred and fix.kind == T.CodeActionKind.QuickFix
    assert actions[-1].title == f"Suppress {code} on this line"
    edits = edits_of(fix, uri)
    fixed = apply_edits(text, edits, client.enc)
    send_changes(
        client,
        uri,
        2,
        [
            T.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
            for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
        ],
    )
    p2 = await wait_published(client, uri, 2)
    assert [d for d in p2.diagnostics if d.code == code] == []
    return fixed


async def test_unclosed_conn(client: LanguageClient):
    text = (
        'package m\n\nimport "net"\n\nfunc ping(addr string) error {\n'
        '\tconn, err := net.Dial("tcp", addr)\n\tif err != nil {\n\t\treturn err\n\t}\n'
        '\t_, err = conn.Write([]byte("ping"))\n\treturn err\n}\n'
    )
    fixed = await fix_through_server(client, "conn.go", text, "unclosed-conn", "conn is never closed")
    assert "\t\treturn err\n\t}\n\tdefer conn.Close()\n\t_, err = conn.Write" in fixed


async def test_defer_in_loop(client: LanguageClient):
    text = (
        'package m\n\nimport "os"\n\nfunc sizes(names []string) (n int64) {\n'
        "\tfor _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err == nil {\n"
        "\t\t\tdefer f.Close()\n\t\t\tst, _ := f.Stat()\n\t\t\tn += st.Size()\n\t\t}\n"
        '\t\tg, _ := os.Open(name + ".bak")\n\t\tdefer g.Close()\n\t}\n\treturn n\n}\n'
    )
    fixed = await fix_through_server(client, "loop.go", text, "defer-in-loop", "defer g.Close() in a loop")
    assert (
        "\tfor _, name := range names {\n\t\tfunc() {\n\t\t\tf, err := os.Open(name)\n"
        "\t\t\tif err == nil {\n\t\t\t\tdefer f.Close()\n"
    ) in fixed
    assert "\t\t\tdefer g.Close()\n\t\t}()\n\t}\n\treturn n\n}\n" in fixed


async def test_ticker_not_stopped(client: LanguageClient):
    text = (
        'package m\n\nimport "time"\n\nfunc poll(n int) {\n\tt := time.NewTicker(time.Second)\n'
        "\tfor i := 0; i < n; i++ {\n\t\t<-t.C\n\t}\n}\n"
    )
    # go.mod says go 1.22: a warning (tests/test_resource_checks.py covers 1.23's information).
    fixed = await fix_through_server(client, "ticker.go", text, "ticker-not-stopped", "t is never stopped")
    assert "\tt := time.NewTicker(time.Second)\n\tdefer t.Stop()\n\tfor" in fixed


async def test_cgo_not_freed(client: LanguageClient):
    text = (
        'package m\n\n// #include <stdio.h>\n// #include <stdlib.h>\nimport "C"\n\n'
        "func say(s string) {\n\tcs := C.CString(s)\n\tC.puts(cs)\n}\n"
    )
    fixed = await fix_through_server(client, "cgo.go", text, "cgo-not-freed", "cs is never freed")
    assert fixed == (
        'package m\n\n// #include <stdio.h>\n// #include <stdlib.h>\nimport "C"\n\nimport "unsafe"\n\n'
        "func say(s string) {\n\tcs := C.CString(s)\n\tdefer C.free(unsafe.Pointer(cs))\n\tC.puts(cs)\n}\n"
    )


async def test_lost_cancel(client: LanguageClient):
    text = (
        'package m\n\nimport (\n\t"context"\n\t"time"\n)\n\n'
        "func run(parent context.Context, cancel func()) {\n\tdefer cancel()\n"
        "\tctx, _ := context.WithTimeout(parent, time.Second)\n\t_ = ctx.Err()\n}\n"
    )
    fixed = await fix_through_server(
        client, "cancel.go", text, "lost-cancel", "cancel function returned by context.WithTimeout is discarded"
    )
    assert "\tctx, cancel2 := context.WithTimeout(parent, time.Second)\n\tdefer cancel2()\n\t_ = ctx.Err()" in fixed
