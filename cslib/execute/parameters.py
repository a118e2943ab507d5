"""A report notebook's parameters: declared, checked, converted, and kept secret.

Papermill only warns about a parameter the notebook does not declare; a
report build refuses it, with the notebook's own parameter list and a
suggestion, before anything runs. Values given as text on a command line
are converted to the type the ``parameters`` cell declares, and the
parameters that decide a notebook's scope (``data``, ``account_id``,
``segment``, ``company``) are made explicit from the notebook's own defaults
(:func:`effective_parameters`), so the build's gate sees them.

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

import ast
import contextlib
import os
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from cslib.errors import ParameterError
from cslib.secrets import MASK, holds_credentials, is_secret_name, mask_text
from cslib.settings import did_you_mean

__all__ = [
    "GATE_PARAMETERS",
    "SECRET_ENV",
    "check_parameters",
    "effective_parameters",
    "notebook_parameters",
    "parameterize",
    "scrub",
    "secret_environment",
    "secret_parameters",
    "secrets_in_environment",
]

#: The parameters that decide which data a notebook may see and whom it may name.
GATE_PARAMETERS = ("data", "account_id", "segment", "group_by", "group", "company")

#: Environment variables that carry secret parameters into a run (``CSLIB_SECRET_<NAME>``).
SECRET_ENV = "CSLIB_SECRET_"


@cache
def _inspect(path: str, mtime: float) -> dict[str, dict[str, Any]]:
    from cslib.execute.qmd import inspect_parameters  # .ipynb, or a .qmd read as a notebook

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
            did = did_you_mean(name, declared, code=True)
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


def effective_parameters(notebook: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` plus the notebook's own defaults for what decides its scope.

    A notebook run without ``data``, ``account_id``, ``segment``, ``group_by``, ``group`` (or
    ``company``, whose name every document may show) uses the
    default its ``parameters`` cell declares; the build makes that default
    explicit, so the same slicing and leak scan apply whether a value was
    given or not (``cslib render`` of a QBR with no parameters at all is
    still a QBR of one customer, built from that customer's slice).
    """
    out = dict(params)
    for name, spec in notebook_parameters(notebook).items():
        if name in GATE_PARAMETERS and name not in out:
            try:
                value = ast.literal_eval(str(spec.get("default")))
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, str) and value:
                out[name] = value
    return out
