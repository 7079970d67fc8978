"""`plumber check --fix` never loses a byte: failed writes, symlinks out of the tree, read-only files."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest
from faultutil import FULL_DISK, run_cli, unclosed_files


def _tree(tmp_path, n=40):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    src = tree / "leaky.go"
    src.write_text(unclosed_files(n))
    os.chmod(src, 0o640)
    return tree, src


@pytest.mark.parametrize("free_bytes", [0, 100, 2000])
def test_a_full_disk_leaves_the_original_bytes(tmp_path, free_bytes):
    tree, src = _tree(tmp_path)
    before = src.read_bytes()
    r = run_cli(
        ["check", "--fix", str(tree)],
        inject=FULL_DISK,
        env={"FAULT_TREE": str(tree), "FAULT_DISK_BYTES": str(free_bytes)},
    )
    err = r.stderr.decode()
    assert src.read_bytes() == before, err
    assert r.returncode == 2, err
    assert "No space left on device" in err
    assert "fixed" not in err  # nothing was fixed: never say so
    assert sorted(os.listdir(tree)) == ["go.mod", "leaky.go"]  # no temporary file left behind
    assert stat.S_IMODE(src.stat().st_mode) == 0o640


def test_a_fix_keeps_the_mode_and_says_fixed_after_writing(tmp_path):
    tree, src = _tree(tmp_path, 3)
    r = run_cli(["check", "--fix", str(tree)])
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "fixed 3 findings" in err
    assert src.read_text().count("defer f.Close()") == 3
    assert stat.S_IMODE(src.stat().st_mode) == 0o640
    assert sorted(os.listdir(tree)) == ["go.mod", "leaky.go"]


def _small_tmpfs(path) -> bool:
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(path)], capture_output=True)
    return r.returncode == 0


def test_a_real_full_tmpfs_leaves_the_original_bytes(tmp_path):
    mnt = tmp_path / "small"
    if not _small_tmpfs(mnt):
        pytest.skip("mounting a tmpfs needs root and mount(8), absent here; the injected ENOSPC tests cover it")
    try:
        (mnt / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
        src = mnt / "leaky.go"
        text = unclosed_files(25)
        src.write_text(text)
        fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # fill the rest of the disk
            while os.write(fd, b"x" * 512):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        r = run_cli(["check", "--fix", str(mnt)])
        err = r.stderr.decode()
        assert src.read_text() == text, err
        assert r.returncode == 2, err
        assert "fixed" not in err
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_fix_through_a_symlink_out_of_the_tree_is_refused(tmp_path):
    tree, _ = _tree(tmp_path, 2)
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "target.go"
    target.write_text(unclosed_files(2, "leaky"))
    before = target.read_bytes()
    os.symlink(target, tree / "link.go")
    r = run_cli(["check", "--fix", str(tree)])
    err = r.stderr.decode()
    assert target.read_bytes() == before, err
    assert os.path.islink(tree / "link.go")
    assert r.returncode == 2, err
    assert "link.go" in err and "symlink" in err
    assert "fixed" not in next(line for line in err.splitlines() if "link.go" in line)
    assert (tree / "leaky.go").read_text().count("defer f.Close()") == 2  # the rest of the tree is fixed


def test_fix_through_a_symlink_inside_the_tree_fixes_the_target_and_keeps_the_link(tmp_path):
    tree, src = _tree(tmp_path, 2)
    sub = tree / "sub"
    sub.mkdir()
    os.symlink(src, sub / "alias.go")
    r = run_cli(["check", "--fix", str(sub / "alias.go"), str(tree / "leaky.go")])
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert os.path.islink(sub / "alias.go")
    assert src.read_text().count("defer f.Close()") == 2  # fixed once, not twice


def test_fix_of_a_read_only_file_is_not_written_nor_reported_fixed(tmp_path):
    tree, src = _tree(tmp_path, 2)
    os.chmod(src, 0o444)
    before = src.read_bytes()
    r = run_cli(["check", "--fix", str(tree)])
    err = r.stderr.decode()
    assert src.read_bytes() == before, err
    assert r.returncode == 2, err
    assert "fixed" not in err
    assert "read-only" in err or "Permission denied" in err
    assert r.stdout.decode().count("unclosed-file") == 2  # the findings of the text on disk
