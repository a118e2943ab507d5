"""A warm build process reached through pipes: the local executor's fast path, anywhere.

The local executor's workers (:mod:`cslib.pipeline.pool`) are
``multiprocessing`` children; a Dask worker is a daemon process and may not
start those. :class:`WarmProcess` starts the same warm worker as an ordinary
subprocess (``python -m cslib.pipeline.boot``, which runs :func:`main`): it
imports what reports need once (:func:`cslib.pipeline.fork.init_worker`) and
then builds one document
per request in a fresh fork (:func:`cslib.pipeline.fork.build_job_forked`),
exactly as the local executor does. Requests and results travel as
length-prefixed pickles over its stdin and stdout (the child's own prints go
to stderr), between two processes of the same build.

A process that dies fails only the document it was building (``crashed``) and
is started again for the next one; one that runs past ``timeout`` is killed
and its document fails.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import IO, Any

from cslib.data.dataset import Dataset
from cslib.pipeline.jobs import Built, Outcome
from cslib.pipeline.plan import DEFAULT_TIMEOUT, Job

__all__ = ["WarmProcess"]

_HEADER = struct.Struct("!Q")
#: Seconds a warm process may take to import everything and say it is ready.
START_TIMEOUT = 300.0


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(fd: int, size: int, deadline: float, alive: Any) -> bytes:
    """Read ``size`` bytes from ``fd`` before ``deadline``; b"" if the writer ended."""
    chunks, got = [], 0
    while got < size:
        wait = deadline - time.monotonic()
        if wait <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], min(wait, 1.0))
        if not ready:
            if not alive():
                return b""
            continue
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            return b""
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class WarmProcess:
    """One warm build process, started on first use, restarted after it dies.

    Parameters
    ----------
    backend, quarto : str
        The renderer, as for the local executor.
    timeout : float
        Seconds one document may take before the process is killed.
    """

    def __init__(self, *, backend: str = "builtin", quarto: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.backend, self.quarto, self.timeout = backend, quarto, timeout
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cslib.pipeline.boot", self.backend, self.quarto or ""],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=False,
        )
        assert proc.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        header = _read_exact(proc.stdout.fileno(), _HEADER.size, deadline,
                             lambda: proc.poll() is None)
        if not header:
            code = proc.wait()
            from cslib.errors import CslibError

            raise CslibError(f"a warm build process could not start (exit code {code})")
        _read_exact(proc.stdout.fileno(), _HEADER.unpack(header)[0], deadline, lambda: True)
        return proc

    def build(self, job: Job, slices: Sequence[Dataset | None]) -> Built:
        """Build ``job`` from ``slices`` in a fresh fork of the warm process."""
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        started = time.monotonic()
        try:
            _send(proc.stdin, (job, tuple(slices)))
            deadline = started + self.timeout
            alive = lambda: proc.poll() is None  # noqa: E731
            header = _read_exact(proc.stdout.fileno(), _HEADER.size, deadline, alive)
            body = header and _read_exact(proc.stdout.fileno(), _HEADER.unpack(header)[0],
                                          deadline, alive)
        except TimeoutError:
            self.stop()
            return _ended(job, "failed", time.monotonic() - started,
                          f"timed out: still running after {self.timeout:g} s, so it was "
                          "stopped (raise the limit with --timeout or the plan's `timeout`)")
        except (BrokenPipeError, OSError):
            body = b""
        if not body:
            code = proc.wait()
            self._proc = None
            why = (f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}")
            return _ended(job, "crashed", time.monotonic() - started,
                          f"the process building it died ({why})")
        return pickle.loads(body)

    def stop(self) -> None:
        """End the warm process (SIGKILL: its fork, if any, dies with it)."""
        if self._proc is not None:
            with contextlib.suppress(OSError):
                self._proc.kill()
            self._proc.wait()
            self._proc = None


def _ended(job: Job, status: str, seconds: float, error: str) -> Built:
    return Built(Outcome(job.key, job.document, job.title, status=status, error=error,
                         seconds=round(seconds, 2)))


def main() -> int:
    """The warm process: warm up, say so, then one document per request until stdin ends."""
    from cslib.pipeline.fork import build_job_forked, init_worker
    from cslib.pipeline.signals import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    backend, quarto = sys.argv[1], sys.argv[2] or None
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints never reach the channel
    requests = sys.stdin.buffer
    init_worker()
    _send(channel, "ready")
    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return 0
        job, slices = pickle.loads(requests.read(_HEADER.unpack(header)[0]))
        _send(channel, build_job_forked(job, slices=slices, backend=backend, quarto=quarto))


if __name__ == "__main__":
    raise SystemExit(main())
