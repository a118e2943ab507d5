"""Scale-out: the same fan-out on a Dask distributed cluster.

``cslib build PLAN --executor dask --scheduler tcp://HOST:PORT`` submits one
task per document to an existing Dask scheduler. A worker builds its document
in a private temporary folder with Papermill and a fresh Jupyter kernel (so no
report runs inside the long-lived worker process itself), from the slice of
data the document may see, which travels with the task; the bytes come back
and this process scans them for leaks and writes them into the output folder
atomically, exactly as for the local executor, and keeps the ledger and the
index.

Workers need the project (``cslib``, the notebooks) at the same paths as
here; a board pack (a company-wide document) also reads the dataset itself,
so its data must be reachable from the workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cslib.data.dataset import Dataset
from cslib.errors import ParameterError
from cslib.pipeline.plan import Job
from cslib.pipeline.pool import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from cslib.pipeline.jobs import Built

__all__ = ["build_on_dask", "build_remote"]


def build_remote(
    job: Job, slices: Sequence[Dataset | None], backend: str, quarto: str | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Built:
    """Run on a Dask worker: build ``job`` from its slices of data, return the bytes.

    ``timeout`` bounds each cell (Papermill's cell timeout): a hung cell
    fails its document only.
    """
    from cslib.pipeline.worker import build_job

    return build_job(job, slices=slices, backend=backend, quarto=quarto, executor="kernel",
                     timeout=timeout)


def build_on_dask(
    jobs: Sequence[Job],
    finish: Callable[[Job, Built], bool],
    *,
    slices: Callable[[Job], tuple[Dataset | None, ...]],
    scheduler: str,
    backend: str,
    quarto: str | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Build ``jobs`` on the Dask cluster at ``scheduler``; ``finish`` takes each result.

    Each job travels with the slices of data its notebooks may see (made
    here); the bytes of its document come back and ``finish`` scans and
    writes them, as for the local executor.

    Raises
    ------
    ParameterError
        If no scheduler address is given or the scheduler cannot be reached.
    """
    from distributed import Client, as_completed

    if not scheduler:
        raise ParameterError("--executor dask needs --scheduler tcp://HOST:PORT.")
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        futures = {
            client.submit(build_remote, job, slices(job), backend, quarto, timeout,
                          pure=False, key=f"cslib-build-{job.key}"): job
            for job in jobs
        }
        for future in as_completed(futures):
            job = futures[future]
            try:
                built = future.result()
            except Exception as exc:  # the worker died (KilledWorker) or the task could not run
                from cslib.pipeline.jobs import Built, Outcome

                built = Built(Outcome(job.key, job.document, job.title, status="crashed",
                                      error=f"the Dask task ended without a result "
                                            f"({type(exc).__name__}: {exc})"))
            if finish(job, built):
                for pending in futures:
                    pending.cancel()
                break
