"""Through the real server: after random edit sequences (debounce 0, so the
incremental analyzer runs after every change), the published diagnostics
equal those a fresh server publishes for the final text.

Two `plumber serve` processes for the whole module: A receives the edits; B
only ever opens final texts (a newly opened document is analysed in full,
with nothing cached). The client is the benchmark's lean stdio client.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from test_incremental import FILES, SNIPPETS, SOURCES  # noqa: E402

from bench.lspclient import LspClient  # noqa: E402
from plumber.syntax.document import Document  # noqa: E402
from plumber.syntax.parser import new_parser  # noqa: E402

SERVER = [sys.executable, "-m", "plumber", "serve"]
_ids = itertools.count()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    work = tmp_path_factory.mktemp("incr")
    shutil.copy(os.path.join(os.path.dirname(FILES[0]), "..", "go.mod"), work / "go.mod")
    pair = []
    for _ in range(2):
        c = LspClient(SERVER, cwd=str(work), settings={"debounce": 0})
        c.initialize("file://" + str(work), {"debounce": 0})
        pair.append(c)
    yield str(work), pair[0], pair[1]
    for c in pair:
        c.shutdown()


def _comparable(diags: list[dict], uri: str) -> list:
    """What must agree between the two servers; the document's own URI differs by name only."""
    out = []
    diags = json.loads(json.dumps(diags).replace(json.dumps(uri)[1:-1], "SELF"))
    for d in diags:
        data = dict(d.get("data") or {})
        data.pop("version", None)
        out.append((d["range"], d.get("code"), d["message"], d.get("severity"), d.get("relatedInformation"), data))
    return out


def _position(text: bytes, offset: int) -> dict:
    line = text.count(b"\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind(b"\n", 0, offset) + 1)}  # utf-8 columns


def _open(client: LspClient, uri: str, text: bytes) -> list[dict]:
    client.did_open(uri, text.decode("utf-8"), 1)
    msg, _ = client.wait_diagnostics(uri, 1, timeout=30)
    return msg["params"]["diagnostics"]


edit_st = st.tuples(st.floats(0, 1), st.integers(0, 4) | st.integers(0, 200), st.sampled_from(SNIPPETS))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(FILES), edits=st.lists(edit_st, min_size=1, max_size=12))
def test_server_publishes_what_a_fresh_server_does(servers, path, edits):
    work, edited, fresh = servers
    n = next(_ids)
    uri = f"file://{work}/edited_{n}.go"
    text = SOURCES[path]
    _open(edited, uri, text)
    mirror = Document(text)  # the same edits, reparsed the same way, to see what tree-sitter does
    version = 1
    published = None
    for where, dellen, ins in edits:
        start = int(where * len(text))
        # keep UTF-8 boundaries: move to the start of a character
        while start < len(text) and (text[start] & 0xC0) == 0x80:
            start += 1
        end = min(len(text), start + dellen)
        while end < len(text) and (text[end] & 0xC0) == 0x80:
            end += 1
        rng = {"start": _position(text, start), "end": _position(text, end)}
        text = text[:start] + ins.encode() + text[end:]
        mirror.replace(start, end, ins.encode())
        mirror.reparse()
        version += 1
        edited.did_change(uri, version, [{"range": rng, "text": ins}])
        msg, _ = edited.wait_diagnostics(uri, version, timeout=30)
        published = msg["params"]["diagnostics"]
    edited.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    # tree-sitter's incremental reparse can recover from syntax errors differently from a fresh
    # parse (rare): then a fresh server legitimately sees another tree; not this test's subject
    assume(str(mirror.tree.root_node) == str(new_parser().parse(text).root_node))
    ref_uri = f"file://{work}/fresh_{n}.go"
    expected = _open(fresh, ref_uri, text)
    fresh.notify("textDocument/didClose", {"textDocument": {"uri": ref_uri}})
    assert _comparable(published, uri) == _comparable(expected, ref_uri)
