"""Scale-out: the same fan-out on a Dask distributed cluster.

``cslib build PLAN --executor dask --scheduler tcp://HOST:PORT`` submits one
task per document to an existing Dask scheduler. A worker builds its document
in a private temporary folder with Papermill and a fresh Jupyter kernel (so no
report runs inside the long-lived worker process itself) and sends the files
back; this process writes them into the output folder atomically, exactly as
the local executor does, and keeps the ledger and the index.

Workers need the project (``cslib``, the notebooks) and the data at the same
paths as here, as on a shared file system; the documents themselves travel
back over the Dask connection.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cslib.build.plan import Job
from cslib.errors import ParameterError

__all__ = ["build_on_dask", "build_remote"]


def build_remote(job: Job, backend: str, quarto: str | None) -> dict[str, Any]:
    """Run on a Dask worker: build ``job`` in a temporary folder, return outcome and files."""
    from cslib.build.runner import build_job

    with tempfile.TemporaryDirectory(prefix="cslib-dask-") as tmp:
        out = Path(tmp)
        outcome = build_job(job, out, backend=backend, quarto=quarto, executor="kernel")
        files = {fmt: (out / rel).read_bytes() for fmt, rel in outcome.files.items()}
        failed = out / "_failed" / f"{job.key}.ipynb"
        kept = failed.read_bytes() if failed.is_file() else None
    return {"outcome": asdict(outcome), "files": files, "failed_notebook": kept}


def build_on_dask(
    jobs: Sequence[Job],
    out_dir: Path,
    report: Callable[[Any], bool],
    *,
    scheduler: str,
    backend: str,
    quarto: str | None,
) -> None:
    """Build ``jobs`` on the Dask cluster at ``scheduler``; ``report`` gets each outcome.

    Raises
    ------
    ParameterError
        If no scheduler address is given or the scheduler cannot be reached.
    """
    from distributed import Client, as_completed

    from cslib.build.runner import Outcome, write_atomic

    if not scheduler:
        raise ParameterError("--executor dask needs --scheduler tcp://HOST:PORT.")
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        futures = [
            client.submit(build_remote, job, backend, quarto, pure=False,
                          key=f"cslib-build-{job.key}")
            for job in jobs
        ]
        for future in as_completed(futures):
            result = future.result()
            outcome = Outcome(**result["outcome"])
            for fmt, data in result["files"].items():
                write_atomic(out_dir / f"{outcome.key}.{fmt}", data)
            if result["failed_notebook"] is not None:
                write_atomic(out_dir / "_failed" / f"{outcome.key}.ipynb",
                             result["failed_notebook"])
            if report(outcome):
                for pending in futures:
                    pending.cancel()
                break
