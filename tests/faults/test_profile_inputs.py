"""Profiles from files: an oversized file is refused before it is read (memory stays small), and user
errors are one line, in the CLI and in the server's loadGoroutineProfile (no traceback in the log)."""

from __future__ import annotations

import subprocess
import sys

from faultutil import RawServer

# the real CLI in a process that prints its own peak memory (kB) on exit
MEASURED = """
import resource, sys
from plumber.main import main
try:
    status = main(sys.argv[1:])
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(status)
"""


def test_an_oversized_profile_file_is_refused_unread(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:  # sparse: 600 MB that use no disk
        f.write(b"goroutine 1 [running]:\n")
        f.truncate(600 << 20)
    r = subprocess.run(
        [sys.executable, "-c", MEASURED, "profile", str(big), "--root", str(tmp_path)], capture_output=True, timeout=60
    )
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert "larger than 512 MiB: refused" in err and len(err.strip().splitlines()) == 1, err
    peak_kb = int(r.stdout.decode().split()[-1])  # this run's own peak, not that of earlier children
    assert peak_kb < 300_000, f"{peak_kb} kB: the file was read"


def test_load_profile_user_errors_are_one_line_without_traceback(tmp_path):
    server = RawServer()
    try:
        server.initialize(root=str(tmp_path))
        for source in (str(tmp_path / "missing.txt"), "bad\u0000name", str(tmp_path)):
            msg_id = server.request(
                "workspace/executeCommand", {"command": "plumber.loadGoroutineProfile", "arguments": [source]}
            )
            error = server.response(msg_id)["error"]
            assert "\n" not in error["message"], error
            assert error["code"] == -32602, error
        assert server.close() == 0
        assert "Traceback" not in server.log, server.log
    finally:
        server.kill()
