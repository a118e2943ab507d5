"""Execute a report notebook with Papermill, after checking its parameters.

Papermill only warns about a parameter the notebook does not declare; a
report build refuses it, with the notebook's own parameter list and a
suggestion, before any kernel starts. Values given as text on a command line
are converted to the type the ``parameters`` cell declares.

Secret parameters never enter a notebook. Papermill writes every parameter
into the ``injected-parameters`` cell of the executed notebook (papermill
#416, #706); here a secret's line there reads ``"***"`` and the value is
handed over in an environment variable that the cell takes (and removes) when
it runs. A parameter is secret when its help comment in the ``parameters``
cell starts with "secret" (``crm_token: str = ""  # secret: CRM API token``),
when its name says so (password, token, secret, api_key, credential, dsn),
or when its value holds credentials (``postgresql://user:pw@host/db``).
Executed notebooks kept for debugging have every secret value scrubbed from
their outputs (a printed token, a traceback).
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from cslib.errors import CslibError, ParameterError
from cslib.secrets import MASK, holds_credentials, is_secret_name, mask_text

__all__ = [
    "ExecutionError",
    "check_parameters",
    "execute_notebook",
    "notebook_parameters",
    "parameterize",
    "scrub",
    "secret_environment",
    "secret_parameters",
    "secrets_in_environment",
]

#: Environment variables that carry secret parameters into a run (``CSLIB_SECRET_<NAME>``).
SECRET_ENV = "CSLIB_SECRET_"


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
    from cslib.build.qmd import inspect_parameters  # .ipynb, or a .qmd read as a notebook

    return inspect_parameters(path)


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


def secret_parameters(notebook: str | Path, parameters: Mapping[str, Any]) -> dict[str, str]:
    """The secret parameters of a run (name -> value; see the module notes).

    Raises
    ------
    ParameterError
        If a secret parameter is declared with a type other than text.
    """
    declared = notebook_parameters(notebook)
    out: dict[str, str] = {}
    for name, value in parameters.items():
        if value in ("", None):
            continue
        spec = declared.get(name, {})
        marked = str(spec.get("help") or "").strip().lower().startswith("secret")
        holds = holds_credentials(value)
        if marked or is_secret_name(name) or holds:
            if spec.get("inferred_type_name") not in ("str", None, "None"):
                raise ParameterError(
                    f"{notebook}: secret parameter `{name}` must be declared as text (str)."
                )
            out[name] = str(value)
    return out


def parameterize(
    nb: nbformat.NotebookNode, parameters: Mapping[str, Any], secrets: Mapping[str, str]
) -> nbformat.NotebookNode:
    """Papermill's ``injected-parameters`` cell, with each secret read from the environment."""
    from papermill.parameterize import parameterize_notebook

    shown = {k: (MASK if k in secrets else v) for k, v in parameters.items()}
    nb = parameterize_notebook(nb, shown, report_mode=False)
    if secrets:
        cell = next(c for c in nb.cells
                    if "injected-parameters" in c.get("metadata", {}).get("tags", []))
        lines = [f'{name} = __import__("os").environ.pop("{SECRET_ENV}{name.upper()}", {name})'
                 for name in secrets]
        cell.source += ("\n# Secret parameters: handed over in the environment, never written "
                        "here\n" + "\n".join(lines) + "\n")
    return nb


def secret_environment(secrets: Mapping[str, str]) -> dict[str, str]:
    """The environment variables that hand ``secrets`` to the injected cell."""
    return {f"{SECRET_ENV}{name.upper()}": value for name, value in secrets.items()}


@contextlib.contextmanager
def secrets_in_environment(secrets: Mapping[str, str]) -> Iterator[None]:
    """Put the secrets where the injected cell takes them; remove what is left afterwards."""
    env = secret_environment(secrets)
    os.environ.update(env)
    try:
        yield
    finally:
        for name in env:
            os.environ.pop(name, None)


def scrub(nb: nbformat.NotebookNode, values: Mapping[str, str] | list[str]) -> None:
    """Replace every secret value in the notebook's cells and outputs by ``***``, in place."""
    secret = [v for v in (values.values() if isinstance(values, Mapping) else values) if v]
    if not secret:
        return

    def clean(obj: Any) -> Any:
        if isinstance(obj, str):
            return mask_text(obj, secret)
        if isinstance(obj, list):
            return [clean(x) for x in obj]
        if isinstance(obj, dict):
            for key in obj:
                obj[key] = clean(obj[key])
        return obj

    for cell in nb.cells:
        cell["source"] = clean(cell["source"])
        for output in cell.get("outputs", []):
            clean(output)


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

    from cslib.build.qmd import load_notebook

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
