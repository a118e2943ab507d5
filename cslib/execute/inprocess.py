"""Execute a report notebook inside a warm Python process, with IPython.

Starting a Jupyter kernel and importing pandas, matplotlib and ``cslib`` costs
a few seconds per report, far more than the report's own cells. This module
runs a notebook's cells in the current process with IPython's
``InteractiveShell`` (the interpreter inside ``ipykernel``): parameters are
injected by Papermill exactly as ``papermill`` does it, each cell's rich
outputs are captured through IPython's display formatter into ordinary
notebook outputs, and stdout/stderr become stream outputs. The result is an
executed notebook like Papermill's.

It is meant to run in a *fresh fork* of a warm parent (see
:mod:`cslib.pipeline.fork`, which imports what reports need before forking):
the fork ends with the report, so nothing one report defines, imports,
patches or caches survives into the next.
"""

from __future__ import annotations

import contextlib
import copy
import io
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from cslib.errors import ExecutionError
from cslib.execute.parameters import (
    check_parameters,
    parameterize,
    scrub,
    secret_environment,
    secret_parameters,
)
from cslib.secrets import mask_text

__all__ = ["execute_inprocess", "interactive_shell"]


def interactive_shell() -> Any:
    """The process's IPython shell, made once, without a history file.

    A build never writes the user's ``~/.ipython`` history, and no SQLite
    connection is held open across the forks of a warm worker (SQLite forbids
    using one in a fork).
    """
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    if InteractiveShell.initialized():
        return InteractiveShell.instance()
    config = Config()
    config.HistoryManager.enabled = False  # an in-memory history
    return InteractiveShell.instance(config=config, colors="nocolor")


def _shell() -> Any:
    from IPython.core.displayhook import CapturingDisplayHook
    from IPython.core.displaypub import CapturingDisplayPublisher

    shell = interactive_shell()
    shell.display_pub = CapturingDisplayPublisher()
    hook = CapturingDisplayHook(shell=shell)
    shell.display_trap.hook = hook
    from cslib.present.analyst import install_display

    install_display(shell)  # DataFrames as house tables, figures as SVG at their own size
    return shell, hook


def _open_figures(shell: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every matplotlib figure a cell left open, formatted for display, then closed.

    A Jupyter kernel's inline backend shows them after the cell (``plt.show()``
    or not); here, with the Agg backend, nothing would. House charts close their
    figures as they are made, so only an analyst's own figures are found.
    """
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None or not plt.get_fignums():
        return []
    shown = []
    for num in plt.get_fignums():
        data, metadata = shell.display_formatter.format(plt.figure(num))
        shown.append((data, metadata or {}))
    plt.close("all")
    return shown


def new_output(output_type: str, **fields: Any) -> NotebookNode:
    """A cell output as :func:`nbformat.v4.new_output` makes it, without its schema check.

    The check costs ~0.5 ms per output (a jsonschema walk); these outputs are
    made here from IPython's own display data in the shapes the schema wants.
    """
    return nbformat.from_dict({"output_type": output_type, **fields})


def execute_inprocess(
    notebook: str | Path,
    parameters: Mapping[str, Any],
    *,
    output: str | Path | None = None,
    cwd: str | Path | None = None,
) -> nbformat.NotebookNode:
    """Run ``notebook`` top to bottom in this process with ``parameters`` injected.

    Parameters
    ----------
    notebook : str or Path
        The report notebook; its ``parameters`` cell is followed by an
        ``injected-parameters`` cell, as Papermill does.
    parameters : mapping
        Checked with :func:`cslib.execute.parameters.check_parameters` first.
    output : str or Path, optional
        Where to keep the executed notebook when a cell fails (for debugging).
    cwd : str or Path, optional
        Working directory for the cells (this process changes into it: run this
        in a throwaway fork); the notebook's folder by default.

    Raises
    ------
    ExecutionError
        If a cell raises: names the cell (its 1-based execution count, as a
        kernel would) and the error's last line.
    """
    import os

    from cslib.execute.qmd import load_notebook

    path = Path(notebook).resolve()
    params = check_parameters(path, parameters)
    secrets = secret_parameters(path, params)
    nb = load_notebook(path)  # as papermill reads it (every cell gets its tags list); .qmd too
    nb = parameterize(nb, params, secrets)  # secrets come from the environment, never the cell
    os.environ.update(secret_environment(secrets))  # this process is a throwaway fork
    shell, hook = _shell()
    os.chdir(cwd or path.parent)
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = []
        shell.display_pub.outputs.clear()
        hook.outputs.clear()
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            result = shell.run_cell(cell.source, store_history=False, silent=False)
        for captured in shell.display_pub.outputs:
            cell.outputs.append(
                new_output("display_data", data=captured["data"],
                           metadata=captured.get("metadata") or {})
            )
        for captured in hook.outputs:
            cell.outputs.append(
                new_output("execute_result", data=captured["data"],
                           metadata=captured.get("metadata") or {}, execution_count=count)
            )
        for data, metadata in _open_figures(shell):  # what the inline backend would show
            cell.outputs.append(new_output("display_data", data=data, metadata=metadata))
        for name, stream in (("stdout", out), ("stderr", err)):
            if stream.getvalue():
                cell.outputs.append(new_output("stream", name=name, text=stream.getvalue()))
        error = result.error_in_exec or result.error_before_exec
        if error is not None:
            ename, evalue = type(error).__name__, str(error)
            cell.outputs.append(
                new_output("error", ename=ename, evalue=evalue,
                           traceback=traceback.format_exception(error))
            )
            if output is not None:  # kept for debugging: no secret in it
                kept = copy.deepcopy(nb)
                scrub(kept, secrets)
                nbformat.write(kept, str(output))
            last = mask_text(f"{ename}: {evalue}".strip(), list(secrets.values()))
            raise ExecutionError(f"{path.name}, cell {count}: {last}", cell=count,
                                 last_line=last)
    sys.stdout.flush()
    return nb
