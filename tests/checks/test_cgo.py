"""cgo-not-freed's test data with the real toolchain.

The shared vet test (test_checks.py) builds with CGO_ENABLED=0 and so skips
files that `import "C"`. Here they are gofmt-checked always, and vetted with
CGO_ENABLED=1 when cgo can actually run: `go env CGO_ENABLED` (with the
variable forced on) says 1 and the C compiler `go env CC` names is on PATH.
On this project's machines gcc is installed, so the vet tests run.
"""

import os
import shutil
import subprocess
import tempfile

import pytest
from analysistest import TESTDATA, data_files, go_binary, go_env, gofmt_binary, golden_files, vet_sources

CODE = "cgo-not-freed"


def cgo_available() -> tuple[bool, str]:
    with tempfile.TemporaryDirectory() as tmp:
        env = go_env(tmp)
        env["CGO_ENABLED"] = "1"
        out = subprocess.run([go_binary(), "env", "CGO_ENABLED", "CC"], env=env, capture_output=True, text=True)
    lines = out.stdout.split()
    if out.returncode or len(lines) < 2 or lines[0] != "1":
        return False, f"go env says CGO_ENABLED={lines[:1]}"
    if shutil.which(lines[1]) is None:
        return False, f"no C compiler {lines[1]!r} on PATH"
    return True, ""


CGO, WHY_NOT = cgo_available()


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def test_cgo_test_data_is_gofmt_clean():
    files = data_files(CODE) + golden_files(CODE)
    assert golden_files(CODE)
    out = subprocess.run([gofmt_binary(), "-l", *files], capture_output=True, text=True)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


@pytest.mark.skipif(not CGO, reason=f"cgo unavailable: {WHY_NOT}")
def test_cgo_golden_files_vet():
    """Each golden file is a package of its own, built and vetted with cgo on."""
    files = {}
    for golden in golden_files(CODE):
        rel = os.path.relpath(golden[: -len(".golden")], TESTDATA)
        pkgdir = rel.replace(os.sep, "_").replace(".go", "").replace("-", "_")
        files[os.path.join(pkgdir, os.path.basename(rel))] = _read(golden)
    status, out = vet_sources(files, cgo=True)
    assert status == 0, out


@pytest.mark.skipif(not CGO, reason=f"cgo unavailable: {WHY_NOT}")
def test_cgo_originals_vet():
    """The fixes must compile wherever the original did: the originals compile (one package)."""
    files = {os.path.join("cgo_not_freed", os.path.basename(p)): _read(p) for p in data_files(CODE)}
    status, out = vet_sources(files, cgo=True)
    assert status == 0, out


def test_cgo_really_checked():
    """Guard against a silently skipped vet on the machines this project runs on (gcc is installed)."""
    if shutil.which("gcc") or shutil.which("cc"):
        assert CGO, WHY_NOT
