"""The build's worker processes: a pool that outlives any one of them.

``concurrent.futures.ProcessPoolExecutor`` gives up on every document in
flight when one worker dies ("BrokenProcessPool"), cannot stop a hung
document, and leaves its workers running when the build is sent SIGTERM.
This pool keeps one task per worker, so it always knows which document a
dead or hung worker was building:

- a worker that dies (SIGKILL, the kernel's out-of-memory killer) fails
  only its document, with status ``crashed``; that document is tried once
  more, on a newly started worker, and every other document goes on;
- a document still running after ``timeout`` seconds is stopped (its worker
  is killed and replaced) and fails alone;
- Ctrl-C and SIGTERM stop every worker (each fork of a worker dies with it:
  Linux's parent-death signal) and return control to the build, which writes
  its ledger and summary; nothing is left running.

Workers are forked from a warm fork server that never sees data
(:func:`cslib.pipeline.boot.worker_context`: they inherit nothing of the
build's memory, in particular not the whole dataset) and, on Linux, die with
the build even when it is killed with SIGKILL.

``mode`` is ``"local"`` (a warm worker forks a fresh process per document
and runs its notebooks in-process, :mod:`cslib.pipeline.fork`) or
``"kernel"`` (Papermill and a new Jupyter kernel per notebook).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from cslib.data.dataset import Dataset
from cslib.errors import CslibError
from cslib.pipeline.boot import Inherited, pool_worker, worker_context
from cslib.pipeline.jobs import Built, Outcome
from cslib.pipeline.plan import DEFAULT_TIMEOUT, Job
from cslib.pipeline.signals import Terminated

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess


__all__ = ["CRASH_RETRIES", "START_TIMEOUT", "run_jobs"]

#: Times a document whose worker died is tried again (on a newly started worker).
CRASH_RETRIES = 1
#: Seconds a worker may take to start (imports, fonts) before the build gives up on it.
START_TIMEOUT = 300.0
#: Seconds a stopped worker gets to end its kernel before it is killed.
GRACE = 3.0


# The pool ---------------------------------------------------------------------------------
@dataclass
class _Task:
    job: Job
    attempt: int = 1
    slices: tuple[Dataset | None, ...] | None = None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    spawned: float
    ready: bool = False
    task: _Task | None = None
    started: float = 0.0


@dataclass
class _Pool:
    size: int
    mode: str
    backend: str
    quarto: str | None
    timeout: float
    workers: list[_Worker] = field(default_factory=list)
    failed_starts: int = 0

    def spawn(self) -> None:
        context = worker_context()
        parent, child = context.Pipe()
        process = context.Process(
            target=pool_worker,
            args=(child, self.mode, self.backend, self.quarto, self.timeout, Inherited()),
            name="cslib-build-worker", daemon=True,
        )
        process.start()
        child.close()
        self.workers.append(_Worker(process, parent, time.monotonic()))

    def stop(self, worker: _Worker, *, kill: bool) -> None:
        """End one worker: ask it to stop (or SIGTERM it, then SIGKILL after a grace)."""
        self.workers.remove(worker)
        process = worker.process
        if process.is_alive():
            if kill or worker.task is not None:
                with contextlib.suppress(OSError):
                    os.kill(process.pid or 0, signal.SIGTERM if self.mode == "kernel"
                            else signal.SIGKILL)
            else:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            process.join(GRACE)
            if process.is_alive():
                process.kill()
                process.join()
        worker.conn.close()

    def close(self, *, kill: bool) -> None:
        for worker in list(self.workers):
            self.stop(worker, kill=kill)


def _why(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        hint = ", as the out-of-memory killer does" if -exitcode == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {exitcode}"


def _ended(task: _Task, *, status: str, error: str, seconds: float) -> Built:
    job = task.job
    return Built(Outcome(job.key, job.document, job.title, status=status, error=error,
                         seconds=round(seconds, 2)))


def run_jobs(
    jobs: Sequence[Job],
    finish: Callable[[Job, Built], bool],
    *,
    slices: Callable[[Job], tuple[Dataset | None, ...]],
    workers: int,
    mode: str,
    backend: str,
    quarto: str | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Build ``jobs`` on ``workers`` processes; ``finish(job, built)`` returns True to stop.

    Each job's slices are made here, in the build's process, when it is
    handed to a worker. ``finish`` is called once per job, in the order
    documents complete: with the built document, or with a ``crashed``
    outcome (the worker died twice on it) or a ``failed`` one (it ran past
    ``timeout`` seconds).

    Raises
    ------
    KeyboardInterrupt, Terminated
        On Ctrl-C or SIGTERM (or a worker ended by one): every worker has been
        stopped when it propagates.
    CslibError
        If workers cannot be started at all.
    """
    if not jobs:
        return
    pool = _Pool(max(1, min(workers, len(jobs))), mode, backend, quarto, timeout)
    queue: deque[_Task] = deque(_Task(job) for job in jobs)
    for _ in range(pool.size):
        pool.spawn()
    normal = False

    def feed(worker: _Worker) -> None:
        """Hand the next document to a ready, idle worker."""
        if worker.ready and worker.task is None and queue:
            task = queue.popleft()
            if task.slices is None:
                task.slices = slices(task.job)
            worker.conn.send((task.job, task.slices))
            worker.task, worker.started = task, time.monotonic()

    try:
        while queue or any(w.task is not None for w in pool.workers):
            for worker in pool.workers:
                feed(worker)
            now = time.monotonic()
            deadlines = [w.started + timeout for w in pool.workers if w.task is not None]
            deadlines += [w.spawned + START_TIMEOUT for w in pool.workers if not w.ready]
            wait_for = max(0.0, min(deadlines, default=now + 60) - now)
            objects: list[Any] = [w.conn for w in pool.workers]
            objects += [w.process.sentinel for w in pool.workers]
            wait(objects, timeout=wait_for)
            for worker in list(pool.workers):
                if _settle(pool, worker, queue, finish, feed):
                    normal = True
                    return
            while queue and len(pool.workers) < pool.size:  # replace workers that ended
                pool.spawn()
        normal = True
    finally:
        pool.close(kill=not normal)


def _settle(pool: _Pool, worker: _Worker, queue: deque[_Task],
            finish: Callable[[Job, Built], bool], feed: Callable[[_Worker], None]) -> bool:
    """Take what one worker has to say (a result, its death, a missed deadline).

    A worker that returns a document is fed its next one before the result is
    written (``finish`` scans and writes while the worker builds). Returns
    True when ``finish`` asks the batch to stop.
    """
    now = time.monotonic()
    message = None
    try:
        if worker.conn.poll():
            message = worker.conn.recv()
    except (EOFError, OSError):
        message = None
    if message is not None:
        kind, built = message
        if kind == "ready":
            worker.ready = True
            return False
        task, worker.task = worker.task, None
        assert task is not None
        if built.outcome.status == "crashed" and task.attempt <= CRASH_RETRIES:
            queue.appendleft(_Task(task.job, task.attempt + 1, task.slices))
            return False
        feed(worker)
        return finish(task.job, built)
    if not worker.process.is_alive():  # died: take it out, say what it was doing
        worker.process.join()
        code = worker.process.exitcode
        task = worker.task
        pool.stop(worker, kill=True)
        if code in (-signal.SIGTERM, 128 + signal.SIGTERM):  # the build is being stopped
            raise Terminated()
        if code in (-signal.SIGINT, 128 + signal.SIGINT):
            raise KeyboardInterrupt()
        if task is None:
            if not worker.ready:
                pool.failed_starts += 1
                if pool.failed_starts >= 3:
                    raise CslibError(
                        f"the build's worker processes cannot start ({_why(code)}); run "
                        "again with CSLIB_DEBUG=1, or with --executor kernel"
                    )
            return False
        if task.attempt <= CRASH_RETRIES:
            queue.appendleft(_Task(task.job, task.attempt + 1, task.slices))
            return False
        return finish(task.job, _ended(
            task, status="crashed", seconds=now - worker.started,
            error=f"the process building it died ({_why(code)}), also when tried again on a "
                  "new worker",
        ))
    if worker.task is not None and now >= worker.started + pool.timeout:
        task = worker.task
        pool.stop(worker, kill=True)
        return finish(task.job, _ended(
            task, status="failed", seconds=now - worker.started,
            error=f"timed out: still running after {pool.timeout:g} s, so it was stopped "
                  "(raise the limit with --timeout or the plan's `timeout`)",
        ))
    if not worker.ready and now >= worker.spawned + START_TIMEOUT:
        pool.stop(worker, kill=True)
        raise CslibError(f"a build worker did not start within {START_TIMEOUT:g} s")
    return False
