"""Writing the tool's outputs safely: never through a link, never half a file, never two runs into one folder.

Every output is written to a temporary file beside its final name and renamed into place (`os.replace` renames
over a link, it does not follow one), so a full disk or a crash leaves the old file or the new one, never a
truncated mix. A folder of outputs is held with an advisory lock while a run writes into it.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path

from feasibility.errors import UsageError


@contextmanager
def staged(path: Path, suffix: str = ""):
    """Yield a fresh temporary path beside `path`; when the block ends without error it is renamed onto `path`
    (replacing a file or a link there, never writing through it); on error it is removed."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.fchmod(handle, 0o666 & ~_umask())  # as an ordinary new file would be: mkstemp makes it private
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def write_file(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` atomically, flushed to disk before it takes the name."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with staged(path) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())


@contextmanager
def folder_lock(folder: Path, option: str = "{setting:out}"):
    """Hold `folder` for one run's writes; another run writing there at the same moment is refused at once
    (an advisory lock on the folder itself: it leaves no file and is released when the process ends)."""
    import fcntl

    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UsageError(f"{option} {folder}: another feasibility run is writing its report there now; wait for it, or give another folder") from None
            raise
        yield
    finally:
        os.close(descriptor)


def check_writable(folder: Path, option: str = "{setting:out}") -> None:
    """Prove, before any work, that files can be created in `folder`: by creating one there where it exists, else by
    asking of the nearest folder above it that exists (nothing is made yet, so a refused run leaves no folder)."""
    folder = Path(folder)
    try:
        if folder.is_dir():
            handle, probe = tempfile.mkstemp(prefix=".feasibility-write-check.", dir=folder)
            os.close(handle)
            os.unlink(probe)
            return
        above = next((parent for parent in folder.absolute().parents if parent.exists()), Path("/"))
        if not above.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, f"{above} is a file, not a folder")
        if not os.access(above, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, f"{above} cannot be written (read-only, or not yours)")
    except OSError as error:
        raise UsageError(f"{option} {folder}: cannot write there ({error.strerror or error}); give another folder") from None


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of `path`, opened without following a link or blocking on a FIFO; OSError unless it is a regular file
    of at most `limit` bytes (a link to /dev/zero would fill memory, a FIFO hang)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit:,} bytes")
    return raw


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current

