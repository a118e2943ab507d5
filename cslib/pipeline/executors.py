"""Executors: where a build's documents are made (``--executor local|kernel|dask``).

Every executor has one method, :meth:`Executor.run`: build each job (the
per-document work of :mod:`cslib.pipeline.worker`), hand each result to
``finish`` in the build's own process (which checks and writes it), stop when
``finish`` says so. Each job's slices of data are made by ``slices(job)`` in
the build's process, when the job is handed out.

- ``local`` (:class:`LocalExecutor`, the default): warm worker processes on
  this machine that fork a fresh process per document and run its notebooks
  in-process (:mod:`cslib.pipeline.pool`, :mod:`cslib.pipeline.fork`);
- ``kernel`` (:class:`KernelExecutor`): the same pool, a new Jupyter kernel
  per notebook (Papermill);
- ``dask`` (:class:`DaskExecutor`): one task per document on an existing Dask
  cluster; the bytes come back here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from cslib.data.dataset import Dataset
from cslib.errors import ParameterError
from cslib.pipeline.jobs import Built, Outcome
from cslib.pipeline.plan import DEFAULT_TIMEOUT, Job

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "Finish",
    "KernelExecutor",
    "LocalExecutor",
    "Slices",
    "make_executor",
]

#: Takes a finished document; returns True to stop the batch (``--fail-fast``).
Finish = Callable[[Job, Built], bool]
#: The slice of the data each notebook of a job may see (``None``: the whole dataset).
Slices = Callable[[Job], tuple[Dataset | None, ...]]


class Executor(Protocol):
    """Builds jobs somewhere and hands each result back to the build's process."""

    name: ClassVar[str]

    def run(self, jobs: Sequence[Job], finish: Finish, *, slices: Slices) -> None:
        """Build ``jobs``; ``finish(job, built)`` once per job; stop when it returns True."""
        ...


@dataclass(frozen=True)
class LocalExecutor:
    """Warm workers on this machine, a fresh fork per document (``--executor local``).

    ``workers`` processes; a document still running after ``timeout`` seconds
    is stopped; a worker that dies fails only its document (see
    :mod:`cslib.pipeline.pool`).
    """

    workers: int
    backend: str = "builtin"
    quarto: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    name: ClassVar[str] = "local"

    def run(self, jobs: Sequence[Job], finish: Finish, *, slices: Slices) -> None:
        """Build ``jobs`` on the worker pool."""
        from cslib.pipeline.pool import run_jobs

        run_jobs(jobs, finish, slices=slices, workers=self.workers, mode=self.name,
                 backend=self.backend, quarto=self.quarto, timeout=self.timeout)


@dataclass(frozen=True)
class KernelExecutor(LocalExecutor):
    """The same worker pool, Papermill and a new Jupyter kernel per notebook."""

    name: ClassVar[str] = "kernel"


@dataclass(frozen=True)
class DaskExecutor:
    """One task per document on the Dask cluster at ``scheduler`` (``tcp://HOST:PORT``).

    Each job travels with the slices of data its notebooks may see; every
    Dask worker keeps warm build processes (:mod:`cslib.pipeline.cluster`)
    and builds each document in a fresh fork of one, as the local executor
    does (no report runs inside the long-lived worker process itself); the
    bytes come back and the build's process checks and writes them. Workers
    need the project (``cslib``, the notebooks) at the same paths as here; a
    board pack also reads the dataset itself, so its data must be reachable
    from the workers. A task whose process died twice, or whose worker died,
    is ``crashed``.
    """

    scheduler: str
    backend: str = "builtin"
    quarto: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    name: ClassVar[str] = "dask"
    #: Seconds to keep trying to reach the scheduler before the build gives up.
    connect_timeout: ClassVar[float] = 10.0

    def run(self, jobs: Sequence[Job], finish: Finish, *, slices: Slices) -> None:
        """Submit every job, take the results as they complete.

        Raises
        ------
        ParameterError
            If no scheduler address is given or the scheduler cannot be reached.
        """
        from distributed import Client, as_completed

        from cslib.pipeline.cluster import PLUGIN, WarmBuilds, build_remote

        if not self.scheduler:
            raise ParameterError("--executor dask needs --scheduler tcp://HOST:PORT.")
        try:
            client = Client(self.scheduler, timeout=f"{self.connect_timeout}s")
        except (OSError, TimeoutError) as exc:
            raise ParameterError(
                f"cannot reach the Dask scheduler at {self.scheduler}: {exc}"
            ) from None
        with client:
            client.register_plugin(WarmBuilds(self.backend, self.quarto, self.timeout),
                                   name=PLUGIN)
            futures = {
                client.submit(build_remote, job, slices(job), pure=False,
                              key=f"cslib-build-{job.key}"): job
                for job in jobs
            }
            for future in as_completed(futures):
                job = futures[future]
                try:
                    built = future.result()
                except Exception as exc:  # the worker died (KilledWorker), the task failed
                    built = Built(Outcome(job.key, job.document, job.title, status="crashed",
                                          error=f"the Dask task ended without a result "
                                                f"({type(exc).__name__}: {exc})"))
                if finish(job, built):
                    for pending in futures:
                        pending.cancel()
                    break


EXECUTORS: dict[str, type[LocalExecutor] | type[DaskExecutor]] = {
    "local": LocalExecutor, "kernel": KernelExecutor, "dask": DaskExecutor,
}


def make_executor(
    name: str, *, workers: int, backend: str, quarto: str | None, timeout: float,
    scheduler: str | None = None,
) -> Executor:
    """The executor ``--executor NAME`` asks for.

    Raises
    ------
    ParameterError
        On an unknown name.
    """
    if name == "dask":
        return DaskExecutor(scheduler or "", backend, quarto, timeout)
    if name in ("local", "kernel"):
        return EXECUTORS[name](workers, backend, quarto, timeout)  # type: ignore[call-arg]
    raise ParameterError(f"executor must be one of {', '.join(EXECUTORS)}, got {name!r}.")
