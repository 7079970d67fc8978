"""Helpers for the end-to-end LSP tests: a recording client and an independent reference
for LSP positions (the server's own conversions are what is under test)."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field

from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from plumber.driver.engine import Engine
from plumber.syntax.parser import new_parser

SERVER = [sys.executable, "-m", "plumber", "serve"]
TIMEOUT = 15.0


@dataclass
class Published:
    version: int | None
    diagnostics: list[T.Diagnostic]


@dataclass
class Recorder:
    published: dict[str, list[Published]] = field(default_factory=dict)
    registrations: list[T.Registration] = field(default_factory=list)
    event: asyncio.Event = field(default_factory=asyncio.Event)


def plumber_client() -> LanguageClient:
    """pytest-lsp's test client, also recording every publish with its version and every registration."""
    client = make_test_lsp_client()
    rec = Recorder()
    client.rec = rec  # type: ignore[attr-defined]

    def publish(params: T.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        rec.published.setdefault(params.uri, []).append(Published(params.version, list(params.diagnostics)))
        rec.event.set()

    def register(params: T.RegistrationParams) -> None:
        rec.registrations.extend(params.registrations)

    client.protocol.fm.features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    client.protocol.fm.features[T.CLIENT_REGISTER_CAPABILITY] = register
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=plumber_client)


async def initialize(client: LanguageClient, name: str, options=None, root: str | None = None) -> T.InitializeResult:
    return await client.initialize_session(
        T.InitializeParams(
            capabilities=client_capabilities(name),
            initialization_options=options if options is not None else {"debounce": 0},
            root_uri=_uri(root) if root else None,
            workspace_folders=[T.WorkspaceFolder(uri=_uri(root), name="ws")] if root else None,
        )
    )


async def start_session(
    client: LanguageClient, name: str, tmp_path_factory, dirname: str | None = None, configuration: dict | None = None
) -> T.InitializeResult:
    """A module's session: a fresh workspace (go.mod, go 1.22) and the client initialised as `name`."""
    tmp_path = tmp_path_factory.mktemp(dirname or name)
    client.name = name
    client.enc = ENCODING[name]
    client.dir = str(tmp_path)
    with open(tmp_path / "go.mod", "w") as f:
        f.write("module example.com/m\n\ngo 1.22\n")
    if configuration is not None:
        client.set_configuration(dict(configuration), section="plumber")
    return await initialize(client, name, root=str(tmp_path))


def _uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(os.path.abspath(path))


uri_of = _uri


async def wait_published(
    client: LanguageClient, uri: str, version: int | None = None, after: int = 0, timeout: float = TIMEOUT
) -> Published:
    """The first publish for `uri` (index >= after) with `version` (any version if None)."""
    rec: Recorder = client.rec  # type: ignore[attr-defined]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for p in rec.published.get(uri, [])[after:]:
            if version is None or p.version == version:
                return p
        remaining = deadline - loop.time()
        if remaining <= 0:
            got = [(p.version, len(p.diagnostics)) for p in rec.published.get(uri, [])]
            raise AssertionError(f"no diagnostics for {uri} version {version}; got {got}")
        rec.event.clear()
        try:
            await asyncio.wait_for(rec.event.wait(), remaining)
        except TimeoutError:
            pass


def count_published(client: LanguageClient, uri: str) -> int:
    return len(client.rec.published.get(uri, []))  # type: ignore[attr-defined]


# -- reference position arithmetic on Python strings ---------------------------------


def units(s: str, enc: str) -> int:
    if enc == "utf-8":
        return len(s.encode("utf-8", "surrogatepass"))
    if enc == "utf-16":
        return len(s.encode("utf-16-le", "surrogatepass")) // 2
    return len(s)


def index_of(text: str, line: int, character: int, enc: str) -> int:
    """str index of an LSP position (reference implementation; no clamping beyond line ends)."""
    lines = text.split("\n")
    start = sum(len(l) + 1 for l in lines[:line])
    body = lines[line]
    if body.endswith("\r"):
        body = body[:-1]
    n = 0
    for i, ch in enumerate(body):
        if n >= character:
            return start + i
        n += units(ch, enc)
    return start + len(body)


def position_of(text: str, index: int, enc: str) -> T.Position:
    prefix = text[:index]
    line = prefix.count("\n")
    col = prefix[prefix.rfind("\n") + 1 :]
    return T.Position(line, units(col, enc))


def apply_edits(text: str, edits: list[T.TextEdit], enc: str) -> str:
    spans = [
        (
            index_of(text, e.range.start.line, e.range.start.character, enc),
            index_of(text, e.range.end.line, e.range.end.character, enc),
            i,
            e.new_text,
        )
        for i, e in enumerate(edits)
    ]
    for s, e, _, new in sorted(spans, key=lambda x: (x[0], x[2]), reverse=True):
        text = text[:s] + new + text[e:]
    return text


def edits_of(action: T.CodeAction, uri: str) -> list[T.TextEdit]:
    we = action.edit
    assert we is not None
    if we.document_changes:
        (dc,) = we.document_changes
        assert dc.text_document.uri == uri
        return list(dc.edits)
    return list(we.changes[uri])


def change(text: str, start: tuple[int, int], end: tuple[int, int], new: str, enc: str):
    """A partial content change and the text after it (reference)."""
    ev = T.TextDocumentContentChangePartial(range=T.Range(T.Position(*start), T.Position(*end)), text=new)
    s = index_of(text, *start, enc)
    e = index_of(text, *end, enc)
    return ev, text[:s] + new + text[e:]


def expected(path: str, text: str, enc: str, settings=None) -> list[tuple[str, T.Range]]:
    """(code, range) of the findings the engine reports on `text`, ranges in `enc` (reference conversion)."""
    source = text.encode("utf-8", "surrogateescape")
    engine = Engine()
    s, _ = engine.settings_for(path, settings)
    findings, _ = engine.analyze(engine.context(path, source, new_parser().parse(source)), s)
    out = []
    for f in findings:
        si = len(source[: f.start].decode("utf-8", "surrogateescape"))
        ei = len(source[: f.end].decode("utf-8", "surrogateescape"))
        out.append((f.code, T.Range(position_of(text, si, enc), position_of(text, ei, enc))))
    return out


def got(p: Published) -> list[tuple[str, T.Range]]:
    return [(d.code, d.range) for d in p.diagnostics]


# -- driving the server -------------------------------------------------------------

ENCODING = {"neovim": "utf-8", "visual_studio_code": "utf-16"}

SOURCE = """\
package main

import (
	"net/http"
	"os"
)

func get(url string) int {
	resp, err := http.Get(url) // é 世界 😀
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func open(name string) {
	f, _ := os.Open(name)
	f.Stat()
}
"""


def open_doc(client: LanguageClient, name: str, text: str, version: int = 1) -> tuple[str, str]:
    path = os.path.join(client.dir, name)
    uri = uri_of(path)
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=uri, language_id="go", version=version, text=text))
    )
    return uri, path


def send_changes(client: LanguageClient, uri: str, version: int, changes) -> None:
    client.text_document_did_change(
        T.DidChangeTextDocumentParams(T.VersionedTextDocumentIdentifier(uri=uri, version=version), list(changes))
    )


async def code_actions(client, uri, diagnostics, rng=None, only=None):
    rng = rng or (diagnostics[0].range if diagnostics else T.Range(T.Position(0, 0), T.Position(0, 0)))
    return await client.text_document_code_action_async(
        T.CodeActionParams(
            text_document=T.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=T.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
