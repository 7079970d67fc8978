"""End-to-end: the goroutine checks through the real `plumber serve`, one test per check.

Each test opens a buffer, waits for the published diagnostics, checks the
range, message and related information, then asks for the quick fix and
applies its edit as the editor would.
"""

from __future__ import annotations

import os

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsputil import CONFIG, apply_edits, code_actions, edits_of, open_doc, start_session, wait_published
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, params=["visual_studio_code"], scope="module")
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    lsp_client.init = await start_session(lsp_client, request.param, tmp_path_factory, dirname="goroutines")
    yield
    await lsp_client.shutdown_session()


def pos(text: str, needle: str, line_hint: str | None = None) -> T.Position:
    """The position of the first `needle` (ASCII sources: columns are the same in every encoding)."""
    i = text.index(needle, text.index(line_hint) if line_hint else 0)
    line = text.count("\n", 0, i)
    return T.Position(line, i - (text.rfind("\n", 0, i) + 1))


async def diagnostics_of(client: LanguageClient, name: str, text: str, code: str) -> tuple[str, list[T.Diagnostic]]:
    uri, _ = open_doc(client, name, text)
    p = await wait_published(client, uri, 1)
    return uri, [d for d in p.diagnostics if d.code == code]


async def quick_fix(client: LanguageClient, uri: str, d: T.Diagnostic, text: str) -> tuple[T.CodeAction, str]:
    actions = await code_actions(client, uri, [d], d.range)
    fixes = [a for a in actions if a.kind == T.CodeActionKind.QuickFix and a.is_preferred]
    assert len(fixes) == 1, [a.title for a in actions]
    return fixes[0], apply_edits(text, edits_of(fixes[0], uri), client.enc)


BLOCKED_SEND = """\
package p

import "errors"

func work() error { return nil }

func premature(fail bool) error {
	c := make(chan error)
	go func() {
		c <- work()
	}()
	if fail {
		return errors.New("early")
	}
	return <-c
}
"""


async def test_blocked_send(client: LanguageClient):
    uri, (d,) = await diagnostics_of(client, "blocked_send.go", BLOCKED_SEND, "blocked-send")
    start = pos(BLOCKED_SEND, "make(chan error)")
    assert d.range == T.Range(start, T.Position(start.line, start.character + len("make(chan error)")))
    assert "c is unbuffered" in d.message and "returns before receiving" in d.message
    assert d.code_description.href.endswith("docs/checks/blocked-send.md")
    assert [r.location.range.start for r in d.related_information] == [
        pos(BLOCKED_SEND, "return errors"),
        pos(BLOCKED_SEND, "c <- work()"),
        pos(BLOCKED_SEND, "go func()"),
    ]
    action, fixed = await quick_fix(client, uri, d, BLOCKED_SEND)
    assert action.title.startswith("Buffer c with capacity 1")
    assert fixed == BLOCKED_SEND.replace("make(chan error)", "make(chan error, 1)")


NCAST = """\
package p

func first(items []int) int {
	c := make(chan int)
	for _, it := range items {
		go func() { c <- it * 2 }()
	}
	return <-c
}
"""


async def test_ncast_send(client: LanguageClient):
    uri, (d,) = await diagnostics_of(client, "ncast.go", NCAST, "ncast-send")
    assert d.range.start == pos(NCAST, "make(chan int)")
    assert "received once" in d.message
    loop = d.related_information[0]
    assert loop.location.range.start == pos(NCAST, "for _, it")
    assert "starts the goroutines" in loop.message
    _, fixed = await quick_fix(client, uri, d, NCAST)
    assert fixed == NCAST.replace("make(chan int)", "make(chan int, len(items))")


UNCLOSED_RANGE = """\
package p

import "fmt"

func sends() {
	ch := make(chan int)
	go func() {
		for v := range ch {
			fmt.Println(v)
		}
	}()
	ch <- 1
	ch <- 2
}
"""


async def test_unclosed_range(client: LanguageClient):
    uri, (d,) = await diagnostics_of(client, "unclosed_range.go", UNCLOSED_RANGE, "unclosed-range")
    assert d.range.start == pos(UNCLOSED_RANGE, "v := range ch")
    assert "nothing closes ch" in d.message
    _, fixed = await quick_fix(client, uri, d, UNCLOSED_RANGE)
    assert fixed == UNCLOSED_RANGE.replace("\tch <- 2\n", "\tch <- 2\n\tclose(ch)\n")


BLOCKED_RECEIVE = """\
package p

import "fmt"

func leak() {
	ch := make(chan int)
	go func() {
		<-ch
		fmt.Println("Goroutine finish")
	}()
}
"""


async def test_blocked_receive(client: LanguageClient):
    uri, (d,) = await diagnostics_of(client, "blocked_receive.go", BLOCKED_RECEIVE, "blocked-receive")
    assert d.range == T.Range(pos(BLOCKED_RECEIVE, "<-ch"), T.Position(7, 6))
    assert "nothing sends on or closes ch" in d.message
    assert d.related_information[0].location.range.start == pos(BLOCKED_RECEIVE, "make(chan int)")
    action, fixed = await quick_fix(client, uri, d, BLOCKED_RECEIVE)
    assert action.title == "Insert defer close(ch): releases the goroutine when leak() returns"
    assert fixed == BLOCKED_RECEIVE.replace("make(chan int)\n", "make(chan int)\n\tdefer close(ch)\n")


MAIN = """\
package p

func start() {
	ch := make(chan int)
	go worker(ch)
	ch <- 1
}
"""

WORKER_ON_DISK = """\
package p

func worker(ch chan int) {
	for {
		if <-ch < 0 {
			return
		}
	}
}
"""

WORKER_IN_BUFFER = """\
package p

// edited, not saved: the return is gone
func worker(ch chan int) {
	for {
		<-ch
	}
}
"""


async def test_endless_goroutine_reads_the_package_open_buffers_first(client: LanguageClient):
    d = os.path.join(client.dir, "endless")
    os.makedirs(d)
    with open(os.path.join(d, "worker.go"), "w") as f:
        f.write(WORKER_ON_DISK)
    with open(os.path.join(d, "main.go"), "w") as f:
        f.write(MAIN)
    # On disk the worker returns: no finding.
    uri, found = await diagnostics_of(client, "endless/main.go", MAIN, "endless-goroutine")
    assert found == []
    # The worker's unsaved buffer loops forever: the finding names its loop, in the buffer's coordinates.
    worker_uri, _ = open_doc(client, "endless/worker.go", WORKER_IN_BUFFER)
    await wait_published(client, worker_uri, 1)
    client.text_document_did_save(T.DidSaveTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))
    p = await wait_published(client, uri, 1, after=1)
    (e,) = [x for x in p.diagnostics if x.code == "endless-goroutine"]
    assert e.range == T.Range(pos(MAIN, "go worker"), T.Position(4, 3))
    assert "worker (in worker.go), whose loop never ends" in e.message and "context.Context" in e.message
    (rel,) = e.related_information
    assert rel.location == T.Location(worker_uri, T.Range(pos(WORKER_IN_BUFFER, "for {"), T.Position(4, 4)))
    actions = await code_actions(client, uri, [e], e.range)
    assert [a.title for a in actions if a.is_preferred] == []  # no fix, only the suppression


SPAWN = """\
package p

import "time"

func spawn() {
	for {
		go func() {
			time.Sleep(time.Hour)
		}()
	}
}
"""


async def test_unbounded_spawn(client: LanguageClient):
    uri, (d,) = await diagnostics_of(client, "spawn.go", SPAWN, "unbounded-spawn")
    assert d.range == T.Range(pos(SPAWN, "go func"), T.Position(6, 4))
    assert "worker pool or a semaphore" in d.message
    assert d.related_information[0].location.range.start == pos(SPAWN, "for {")
    actions = await code_actions(client, uri, [d], d.range)
    assert [a.title for a in actions] == ["Suppress unbounded-spawn on this line"] or all(
        "Suppress" in a.title or "Fix all" in a.title for a in actions
    )
