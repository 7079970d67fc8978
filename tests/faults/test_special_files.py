"""Only regular files are read, and none past the size cap: FIFOs, devices and huge files never hang or
exhaust the CLI or the server (the package index, the CLI, the profile loader, config and go.mod)."""

from __future__ import annotations

import os

import pytest
from faultutil import RawServer, run_cli, unclosed_files

from plumber.main import main
from plumber.syntax.files import FileTooLarge, NotRegularFile, read_regular


def _pkg(tmp_path):
    d = tmp_path / "pkg"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (d / "leaky.go").write_text(unclosed_files(1))
    return d


def test_read_regular_refuses_fifos_devices_and_directories(tmp_path):
    fifo = tmp_path / "p.go"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="a FIFO"):
        read_regular(str(fifo))
    with pytest.raises(NotRegularFile, match="character device"):
        read_regular("/dev/zero")
    with pytest.raises(NotRegularFile, match="directory"):
        read_regular(str(tmp_path))
    with pytest.raises(OSError, match="invalid file name"):
        read_regular("a\0b.go")


def test_read_regular_caps_the_size(tmp_path, monkeypatch):
    big = tmp_path / "big.go"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(FileTooLarge, match="larger than"):
        read_regular(str(big), cap=4999)
    assert read_regular(str(big), cap=5000) == b"x" * 5000
    monkeypatch.setenv("PLUMBER_MAX_FILE_MB", "0.001")
    with pytest.raises(FileTooLarge, match="PLUMBER_MAX_FILE_MB"):
        read_regular(str(big))


def test_cli_skips_a_fifo_in_a_tree(tmp_path):
    d = _pkg(tmp_path)
    os.mkfifo(d / "pipe.go")
    r = run_cli(["check", str(d)], timeout=30)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert "pipe.go: a FIFO, not a regular file" in err
    assert "unclosed-file" in r.stdout.decode()  # the rest of the package is still checked


def test_cli_refuses_a_symlink_to_dev_zero(tmp_path):
    d = _pkg(tmp_path)
    os.symlink("/dev/zero", d / "zero.go")
    r = run_cli(["check", str(d)], timeout=30)
    assert r.returncode == 2
    assert "zero.go: a character device, not a regular file" in r.stderr.decode()


def test_cli_refuses_a_file_over_the_cap(tmp_path):
    d = _pkg(tmp_path)
    (d / "huge.go").write_text("package leaky\n\n" + "// padding\n" * 1000)
    r = run_cli(["check", str(d)], env={"PLUMBER_MAX_FILE_MB": "0.005"}, timeout=30)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert "huge.go: larger than 0.005 MB (PLUMBER_MAX_FILE_MB): not read" in err
    assert "unclosed-file" in r.stdout.decode()


def test_cli_with_a_fifo_for_plumber_toml_and_go_mod(tmp_path):
    d = tmp_path / "pkg"
    d.mkdir()
    (d / "leaky.go").write_text(unclosed_files(1))
    os.mkfifo(d / "plumber.toml")
    os.mkfifo(d / "go.mod")
    r = run_cli(["check", str(d)], timeout=30)
    err = r.stderr.decode()
    assert r.returncode == 1, err  # findings; the FIFOs are not configuration (no hang reading go.mod)
    assert "unclosed-file" in r.stdout.decode()


def test_profile_cli_refuses_a_nul_in_a_path_in_one_line(tmp_path, capsys):
    assert main(["profile", "bad\0name", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "invalid file name" in err and len(err.strip().splitlines()) == 1, err


def test_profile_cli_refuses_special_files_in_one_line(tmp_path):
    fifo = tmp_path / "prof.txt"
    os.mkfifo(fifo)
    for source in (str(fifo), "/dev/zero", "/dev/stdin", str(tmp_path / "missing.txt")):
        r = run_cli(["profile", source, "--root", str(tmp_path)], timeout=30)
        err = r.stderr.decode()
        assert r.returncode == 2, (source, err)
        assert "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1, err


def test_server_publishes_next_to_a_fifo_and_refuses_dev_stdin(tmp_path):
    d = _pkg(tmp_path)
    os.mkfifo(d / "pipe.go")
    server = RawServer()
    try:
        server.initialize(root=str(d))
        uri = (d / "leaky.go").as_uri()
        server.open(uri, unclosed_files(1))
        diags = server.diagnostics(uri, version=1, timeout=20)
        assert [x["code"] for x in diags["diagnostics"]] == ["unclosed-file"]
        for source in ("/dev/stdin", "/dev/zero", str(d / "pipe.go")):
            msg_id = server.request(
                "workspace/executeCommand", {"command": "plumber.loadGoroutineProfile", "arguments": [source]}
            )
            answer = server.response(msg_id, timeout=20)
            assert "error" in answer and "not a regular file" in answer["error"]["message"], answer
        assert server.close() == 0
        assert "Traceback" not in server.log
    finally:
        server.kill()
