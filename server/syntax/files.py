"""Reading and writing files safely: regular files only, a size cap, atomic replacement.

Every file Plumber reads (Go sources, plumber.toml, go.mod, profiles, the
files a profile names) goes through `read_regular`: a FIFO, a device
(`/dev/zero`, `/dev/stdin`), a socket or a directory is refused before a
byte is read, and nothing larger than the cap is read whole. The file is
opened with O_NONBLOCK, so a FIFO swapped in between a check and the open
never blocks, and checked with fstat on the open descriptor.

The cap for source and configuration files is `PLUMBER_MAX_FILE_MB`
(megabytes, default 16); profiles have their own caps (runtime/fetch.py).

`write_atomic` replaces a file only once the new bytes are safely on disk:
a temporary file in the same directory with the original's mode, fsync,
then os.replace. A failed write (a full disk, a quota, an interrupt) leaves
the original untouched.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile

DEFAULT_MAX_FILE_MB = 16
MAX_FILE_ENV = "PLUMBER_MAX_FILE_MB"


def max_file_bytes() -> int:
    """The size cap for source and configuration files, from PLUMBER_MAX_FILE_MB (default 16 MB)."""
    raw = os.environ.get(MAX_FILE_ENV, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int(mb * 1_000_000) if mb > 0 else int(DEFAULT_MAX_FILE_MB * 1_000_000)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class NotRegularFile(OSError):
    """A FIFO, a device, a socket or a directory where a file was expected."""


class FileTooLarge(OSError):
    """A file over the size cap."""


def open_regular(path: str) -> int:
    """A read-only descriptor of the regular file `path` (O_NONBLOCK: a FIFO never blocks the open).

    Raises OSError: NotRegularFile for anything but a regular file, else the open's own error."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except ValueError as e:  # a NUL in the path
        raise OSError(errno.EINVAL, "invalid file name", path) from e
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"{_kind(mode)}, not a regular file: not read", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_fd(fd: int, limit: int) -> bytes:
    """Up to limit + 1 bytes from `fd` (one past the cap tells "too large" without holding more)."""
    chunks = []
    size = 0
    while size <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_regular(path: str, cap: int | None = None) -> bytes:
    """The bytes of the regular file `path`, at most `cap` (default `max_file_bytes()`).

    Raises OSError (NotRegularFile, FileTooLarge, or the open's own error) with a
    strerror fit for a one-line message."""
    limit = max_file_bytes() if cap is None else cap
    too_large = f"larger than {limit / 1e6:g} MB ({MAX_FILE_ENV}): not read"
    fd = open_regular(path)
    try:
        if os.fstat(fd).st_size > limit:
            raise FileTooLarge(errno.EFBIG, too_large, path)
        data = read_fd(fd, limit)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise FileTooLarge(errno.EFBIG, too_large, path)
    return data


def write_atomic(path: str, data: bytes) -> None:
    """Replace the regular file `path` with `data`: a temporary file beside it, fsync, os.replace.

    The original keeps its bytes if anything fails (the temporary file is removed)."""
    st = os.stat(path)
    if not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".plumber-tmp", dir=directory)
    try:
        try:
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # the rename itself is durable only once the directory is synced
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
