"""File names that are not UTF-8 in every output format under a strict UTF-8 stdout; many copies
of one diagnostic in a codeAction request give one set of actions."""

from __future__ import annotations

import json
import os

import pytest
from faultutil import RawServer, run_cli, unclosed_files

STRICT = {"PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}


@pytest.fixture
def odd_tree(tmp_path):
    d = tmp_path / "pkg"
    d.mkdir()
    name = os.path.join(os.fsencode(d), b"bad\xff\xfe.go")
    with open(name, "wb") as f:
        f.write(unclosed_files(1).encode())
    return d


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_line_formats_print_the_raw_name(odd_tree, fmt):
    r = run_cli(["check", "--format", fmt, str(odd_tree)], env=STRICT)
    assert r.returncode == 1, r.stderr.decode()
    assert b"Traceback" not in r.stderr
    assert b"bad\xff\xfe.go" in r.stdout
    assert b"unclosed-file" in r.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_stay_valid_utf8(odd_tree, fmt):
    r = run_cli(["check", "--format", fmt, str(odd_tree)], env=STRICT)
    assert r.returncode == 1, r.stderr.decode()
    assert b"Traceback" not in r.stderr
    doc = json.loads(r.stdout.decode("utf-8"))  # strict: valid UTF-8
    if fmt == "json":
        assert os.fsencode(doc[0]["path"]).endswith(b"bad\xff\xfe.go")  # the escapes give the bytes back
    else:
        uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.endswith("bad%FF%FE.go")


def test_fix_with_an_odd_name_reports_on_stderr(odd_tree):
    r = run_cli(["check", "--fix", str(odd_tree)], env=STRICT)
    assert r.returncode == 0, r.stderr.decode()
    assert b"Traceback" not in r.stderr


def test_many_copies_of_one_diagnostic_give_one_set_of_actions(tmp_path):
    server = RawServer()
    try:
        server.initialize()
        uri = (tmp_path / "a.go").as_uri()
        server.open(uri, unclosed_files(1))
        diags = server.diagnostics(uri, 1)["diagnostics"]
        assert len(diags) == 1
        stale = {k: v for k, v in diags[0].items() if k != "data"}  # as a client that drops data sends it
        for copies in ([diags[0]] * 5000, [stale] * 5000):
            msg_id = server.request(
                "textDocument/codeAction",
                {"textDocument": {"uri": uri}, "range": diags[0]["range"], "context": {"diagnostics": copies}},
            )
            actions = server.response(msg_id, timeout=60)["result"]
            titles = [a["title"] for a in actions]
            assert len(titles) == len(set(titles)) == 3, titles  # the fix, its suppression, fix-all
        assert server.close() == 0
    finally:
        server.kill()
