"""Execute a report notebook with Papermill, after checking its parameters.

Papermill only warns about a parameter the notebook does not declare; a
report build refuses it, with the notebook's own parameter list and a
suggestion, before any kernel starts. Values given as text on a command line
are converted to the type the ``parameters`` cell declares.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from cslib.errors import CslibError, ParameterError

__all__ = [
    "ExecutionError",
    "check_parameters",
    "execute_notebook",
    "notebook_parameters",
]


class ExecutionError(CslibError):
    """A notebook cell raised while a report was being built.

    Attributes
    ----------
    cell : int or None
        1-based index of the failing cell.
    last_line : str
        The error's last line (``ParameterError: `segment` must be one of ...``).
    """

    def __init__(self, message: str, *, cell: int | None = None, last_line: str = "") -> None:
        super().__init__(message)
        self.cell = cell
        self.last_line = last_line


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


@cache
def _inspect(path: str, mtime: float) -> dict[str, dict[str, Any]]:
    import papermill

    return dict(papermill.inspect_notebook(path))


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares: name -> ``inferred_type_name``, ``default``, ``help``.

    Raises
    ------
    ParameterError
        If the notebook is missing or has no cell tagged ``parameters``.
    """
    path = Path(notebook)
    if not path.is_file():
        raise ParameterError(f"{path}: no such notebook.")
    params = _inspect(str(path.resolve()), path.stat().st_mtime)
    if not params:
        raise ParameterError(
            f"{path}: no cell tagged `parameters`; tag the cell that declares the report's "
            "parameters (View > Cell toolbar > Tags in Jupyter)."
        )
    return params


def _convert(name: str, value: Any, type_name: str, notebook: Path) -> Any:
    if not isinstance(value, str) or type_name in ("str", "None"):
        if type_name == "int" and isinstance(value, bool | float):
            raise ParameterError(
                f"{notebook}: parameter `{name}` must be an integer, got {value!r}."
            )
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            low = value.lower()
            if low not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return low in ("true", "1", "yes")
    except ValueError:
        raise ParameterError(
            f"{notebook}: parameter `{name}` must be {type_name}, got {value!r}."
        ) from None
    return value


def check_parameters(
    notebook: str | Path, parameters: Mapping[str, Any], *, convert: bool = True
) -> dict[str, Any]:
    """Refuse unknown parameters and convert text values to the declared types.

    Raises
    ------
    ParameterError
        On a name the notebook does not declare (with the closest declared
        name) or a value that is not of the declared type.
    """
    path = Path(notebook)
    declared = notebook_parameters(path)
    out: dict[str, Any] = {}
    for name, value in parameters.items():
        if name not in declared:
            hint = difflib.get_close_matches(name, list(declared), n=1)
            did = f" Did you mean `{hint[0]}`?" if hint else ""
            raise ParameterError(
                f"{path}: unknown parameter `{name}`; it declares "
                f"{', '.join(declared)}.{did}"
            )
        type_name = str(declared[name].get("inferred_type_name", "None"))
        out[name] = _convert(name, value, type_name, path) if convert else value
    return out


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

    path = Path(notebook)
    params = check_parameters(path, parameters)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        return papermill.execute_notebook(
            str(path),
            str(output) if output else None,
            parameters=params,
            kernel_name=kernel_name,
            cwd=str(cwd or path.resolve().parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            kernel_manager_class=_quiet_kernel_manager(),
        )
    except PapermillExecutionError as exc:
        last = f"{exc.ename}: {exc.evalue}".strip()
        where = f"{path.name}, cell {exc.exec_count}" if exc.exec_count else path.name
        raise ExecutionError(f"{where}: {last}", cell=exc.exec_count, last_line=last) from None
