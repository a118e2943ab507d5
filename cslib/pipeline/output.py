"""The output folder: whole files only, one build at a time, clear errors when it cannot be written.

- :func:`write_atomic` writes a temporary file beside the target, flushes it
  to disk and renames it into place: a reader (or a build killed half-way)
  sees the old file or the new one, never a torn one.
- :func:`prepare_output` checks, before the first document is built, that the
  output folder can be created and written (not a file, not read-only), and
  :class:`OutputLock` lets one build at a time write into it (two builds into
  one folder would each rewrite the ledger without the other's documents).
- Every failure to write (no space left, read-only file system, a file where
  a folder should be) is an :class:`~cslib.errors.OutputError` naming the path
  and the cause, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from pathlib import Path

from cslib.errors import OutputError

__all__ = [
    "LOCK_FILE",
    "OutputLock",
    "append_durably",
    "current_umask",
    "describe_os_error",
    "prepare_output",
    "write_atomic",
]

#: The lock file a build holds in its output folder (``flock``: released when it ends,
#: however it ends).
LOCK_FILE = ".build.lock"


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def describe_os_error(exc: OSError) -> str:
    """The cause of an operating-system error in words: "no space left on device"."""
    if exc.errno == errno.EEXIST or isinstance(exc, NotADirectoryError):
        return "a file is in the way where a folder is needed"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on the device"
    if exc.errno == errno.EFBIG:
        return "the file is larger than this system allows"
    return (exc.strerror or type(exc).__name__).lower()


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    Raises
    ------
    OutputError
        If the file cannot be written (the temporary file is removed).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {describe_os_error(exc)}.") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; documents are for sharing
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {describe_os_error(exc)}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_durably(path: Path, data: bytes, *, mode: str = "ab") -> None:
    """Append ``data`` to ``path`` (or write it, ``mode="wb"``) and flush it to the disk.

    Raises
    ------
    OutputError
        If it cannot be written, naming the file and the cause.
    """
    try:
        with open(path, mode) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {describe_os_error(exc)}.") from None


def prepare_output(folder: Path) -> None:
    """Create ``folder`` if needed and prove it can be written, before any document is built.

    Raises
    ------
    OutputError
        Naming the folder and why it cannot be used.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {folder}: {describe_os_error(exc)}."
        ) from None
    if not folder.is_dir():
        raise OutputError(f"the output folder {folder} is a file, not a folder.")
    probe = folder / f".cslib-write-test-{os.getpid()}"
    try:
        append_durably(probe, b"cslib", mode="wb")
    except OutputError as exc:
        cause = str(exc).rsplit(": ", 1)[-1]
        raise OutputError(f"cannot write into the output folder {folder}: {cause}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


class OutputLock:
    """One build at a time in an output folder: an exclusive ``flock`` on its lock file.

    The lock is the operating system's, so it is released when the build
    ends in any way (even SIGKILL): a stale lock file never blocks anything.

    Raises
    ------
    OutputError
        From :meth:`acquire`, when another build holds the folder (naming its
        process and start time) or the lock file cannot be written.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        """Take the lock or raise at once (never wait for another build)."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(
                f"cannot write into the output folder {self.path.parent}: "
                f"{describe_os_error(exc)}."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            who = f" ({holder})" if holder else ""
            raise OutputError(
                f"another build is writing into {self.path.parent}{who}; wait for it to end, "
                "or build into another output folder."
            ) from None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}"
                      .encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let the next build in (the lock file stays: removing it would race)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
