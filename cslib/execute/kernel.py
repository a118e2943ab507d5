"""Execute a report notebook with Papermill and a new Jupyter kernel.

Parameters are checked first (:mod:`cslib.execute.parameters`); secrets reach
the kernel through its environment, never the notebook.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from cslib.errors import ExecutionError
from cslib.execute.parameters import (
    check_parameters,
    parameterize,
    scrub,
    secret_parameters,
    secrets_in_environment,
)
from cslib.secrets import mask_text

__all__ = ["execute_notebook"]


@cache
def _quiet_kernel_manager() -> type:
    """An async kernel manager whose kernel's own stdout/stderr go nowhere.

    Cell output (prints, warnings) still reaches the notebook through the
    kernel's messages; only the kernel process's log lines ("Kernel is running
    over TCP without encryption", shutdown notices) are kept out of the build log.
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw["stdout"] = subprocess.DEVNULL
            kw["stderr"] = subprocess.DEVNULL
            await super()._async_launch_kernel(kernel_cmd, **kw)

        _launch_kernel = _async_launch_kernel

    return QuietKernelManager


def execute_notebook(
    notebook: str | Path,
    parameters: Mapping[str, Any],
    *,
    output: str | Path | None = None,
    kernel_name: str = "python3",
    timeout: float = 600.0,
    cwd: str | Path | None = None,
) -> nbformat.NotebookNode:
    """Run ``notebook`` top to bottom with ``parameters`` injected (Papermill).

    The kernel starts in the notebook's folder, as in JupyterLab.

    Parameters
    ----------
    notebook : str or Path
        The report notebook.
    parameters : mapping
        Checked with :func:`check_parameters` first.
    output : str or Path, optional
        Where to keep the executed notebook (kept on failure too, for debugging).
    kernel_name : str
        The Jupyter kernel; ``python3`` is this environment's own interpreter.
    timeout : float
        Seconds a single cell may run.
    cwd : str or Path, optional
        The kernel's working directory; the notebook's folder by default (as in
        JupyterLab). A build gives each document its own private folder.

    Raises
    ------
    ParameterError
        On unknown or mistyped parameters.
    ExecutionError
        If a cell raises: names the cell and the error's last line.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from cslib.execute.qmd import load_notebook

    path = Path(notebook)
    params = check_parameters(path, parameters)
    secrets = secret_parameters(path, params)
    nb = parameterize(load_notebook(path), params, secrets)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        with secrets_in_environment(secrets):  # the kernel inherits this environment
            return papermill.execute_notebook(
                nb,
                str(output) if output else None,
                kernel_name=kernel_name,
                cwd=str(cwd or path.resolve().parent),
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
                kernel_manager_class=_quiet_kernel_manager(),
            )
    except PapermillExecutionError as exc:
        last = mask_text(f"{exc.ename}: {exc.evalue}".strip(), list(secrets.values()))
        where = f"{path.name}, cell {exc.exec_count}" if exc.exec_count else path.name
        raise ExecutionError(f"{where}: {last}", cell=exc.exec_count, last_line=last) from None
    finally:
        if output and secrets and Path(output).is_file():  # what papermill wrote, scrubbed
            kept = nbformat.read(str(output), as_version=4)
            scrub(kept, secrets)
            nbformat.write(kept, str(output))
