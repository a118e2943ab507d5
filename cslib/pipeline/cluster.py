"""What runs on a Dask worker: the same warm path as the local executor.

:class:`~cslib.pipeline.executors.DaskExecutor` registers :class:`WarmBuilds`
on every worker of the cluster; it keeps one warm build process
(:class:`~cslib.pipeline.warm.WarmProcess`) per worker thread, started once,
and :func:`build_remote` (the task) hands it the job and its slices: each
document is built in a fresh fork of a warm process, as on this machine,
instead of a new Jupyter kernel per notebook. A document whose process died
is tried once more.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from typing import Any

from distributed import WorkerPlugin, get_worker

from cslib.data.dataset import Dataset
from cslib.pipeline.jobs import Built
from cslib.pipeline.plan import DEFAULT_TIMEOUT, Job
from cslib.pipeline.warm import WarmProcess

__all__ = ["PLUGIN", "WarmBuilds", "build_remote"]

#: The name :class:`WarmBuilds` is registered under on every worker.
PLUGIN = "cslib-warm-builds"


class WarmBuilds(WorkerPlugin):
    """One warm build process per worker thread, for the life of the Dask worker."""

    name = PLUGIN

    def __init__(self, backend: str = "builtin", quarto: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.backend, self.quarto, self.timeout = backend, quarto, timeout
        self._all: list[WarmProcess] = []  # made on the worker (setup), never pickled

    def setup(self, worker: Any) -> None:
        """Make (not yet start) one warm process per thread of ``worker``."""
        self._idle: queue.Queue[WarmProcess] = queue.Queue()
        for _ in range(max(1, int(getattr(worker.state, "nthreads", 1)))):
            process = WarmProcess(backend=self.backend, quarto=self.quarto,
                                  timeout=self.timeout)
            self._all.append(process)
            self._idle.put(process)

    def teardown(self, worker: Any) -> None:
        """Stop every warm process."""
        for process in self._all:
            process.stop()

    def build(self, job: Job, slices: Sequence[Dataset | None]) -> Built:
        """Build ``job`` on an idle warm process; one more try if its process died."""
        process = self._idle.get()
        try:
            built = process.build(job, slices)
            if built.outcome.status == "crashed":
                built = process.build(job, slices)
            return built
        finally:
            self._idle.put(process)


def build_remote(job: Job, slices: Sequence[Dataset | None]) -> Built:
    """The Dask task: build ``job`` from its slices on this worker's warm processes."""
    plugin = get_worker().plugins[PLUGIN]
    return plugin.build(job, slices)
