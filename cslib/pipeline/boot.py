"""Where the worker processes a build starts begin: lean imports first, then their loop.

Workers are forked from ``multiprocessing``'s fork server
(:func:`worker_context`), which warmed itself once by importing
:mod:`cslib.pipeline.preload`: a new worker starts in milliseconds, holding
nothing of the build's memory (the server is a fresh interpreter that never
sees data). This module imports nothing heavy at its top, so
:func:`cslib.startup.lean_imports` runs before a cold worker's imports
(nbformat among them). :func:`pool_worker` is the local executor's worker
(:mod:`cslib.pipeline.pool` starts it): take the build's working folder,
environment and umask (the server's may be older), warm up (nothing left to do
when the server is warm), then build one document per message until told to
stop.

``python -m cslib.pipeline.boot BACKEND QUARTO`` starts a warm process
(:func:`cslib.pipeline.warm.main`, Dask workers' builds).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from cslib.pipeline.output import current_umask
from cslib.startup import lean_imports

__all__ = ["PRELOAD", "Inherited", "pool_worker", "worker_context"]

#: The module the fork server imports before it forks a worker (it warms the server).
PRELOAD = "cslib.pipeline.preload"


def worker_context() -> BaseContext:
    """The ``forkserver`` context a build starts its workers with, its preload set.

    The server starts with the first worker and lasts as long as this
    process; when this process ends (even by SIGKILL) the server ends, and
    its workers with it (:func:`cslib.pipeline.signals.die_with_parent`). A
    server already started by other code is used as it is (its workers then
    warm themselves).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    return context


@dataclass(frozen=True)
class Inherited:
    """What a worker takes from the build at its start: working folder, environment, umask.

    A spawned process would inherit them as they are now; a fork of a server
    started earlier would have the server's, which may since have changed.
    """

    cwd: str = field(default_factory=os.getcwd)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    umask: int = field(default_factory=current_umask)

    def apply(self) -> None:
        """Make them this process's own."""
        os.chdir(self.cwd)
        os.environ.clear()
        os.environ.update(self.environ)
        os.umask(self.umask)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def pool_worker(conn: Connection, mode: str, backend: str, quarto: str | None,
                timeout: float, inherited: Inherited | None = None) -> None:
    """A worker: warm up, then build one document per message until told to stop.

    ``mode`` ``"local"``: each document in a fresh fork of this warm process;
    ``"kernel"``: each in a Jupyter kernel. Messages are ``(job, slices)``;
    ``None`` or a closed pipe stops it; each answer is ``("done", Built)``.
    """
    if inherited is not None:
        inherited.apply()
    lean_imports()
    from cslib.pipeline.fork import build_job_forked, init_worker
    from cslib.pipeline.signals import die_with_parent
    from cslib.pipeline.worker import build_job

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    if mode == "local":
        init_worker()
    else:
        # SIGTERM ends the kernel first (papermill's own clean-up), then the worker.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        job, slices = message
        if mode == "local":
            built = build_job_forked(job, slices=slices, backend=backend, quarto=quarto)
        else:
            built = build_job(job, slices=slices, backend=backend, quarto=quarto,
                              executor="kernel", timeout=timeout)
        conn.send(("done", built))


if __name__ == "__main__":
    lean_imports()
    from cslib.pipeline.warm import main

    raise SystemExit(main())
