"""Where the worker processes a build starts begin: lean imports first, then their loop.

A spawned process imports its target's module before it runs a line of it;
this module imports nothing heavy at its top, so
:func:`cslib.startup.lean_imports` runs before the worker's imports (nbformat
among them). :func:`pool_worker` is the local executor's worker
(:mod:`cslib.pipeline.pool` starts it): warm up, then build one document per
message until told to stop.

``python -m cslib.pipeline.boot BACKEND QUARTO`` starts a warm process
(:func:`cslib.pipeline.warm.main`, Dask workers' builds).
"""

from __future__ import annotations

import signal
from multiprocessing.connection import Connection
from typing import Any

from cslib.startup import lean_imports

__all__ = ["pool_worker"]


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def pool_worker(conn: Connection, mode: str, backend: str, quarto: str | None,
                timeout: float) -> None:
    """A worker: warm up, then build one document per message until told to stop.

    ``mode`` ``"local"``: each document in a fresh fork of this warm process;
    ``"kernel"``: each in a Jupyter kernel. Messages are ``(job, slices)``;
    ``None`` or a closed pipe stops it; each answer is ``("done", Built)``.
    """
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
