"""Refresh the outputs stored in ``notebooks/*.ipynb`` that nbval checks.

``make test`` runs every notebook with nbval, which compares each cell's
output with the output stored in the notebook. The stored outputs are the key
figures on the sample data (tables, KPI cards, generated sentences); charts
and the report header (which carries the git commit) are tagged
``nbval-ignore-output`` and stored empty, so notebooks stay small and diffs
readable. Run ``make notebooks`` after changing a notebook or a metric on
purpose, and review the diff of the figures.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from cslib.execute.kernel import execute_notebook

__all__ = ["IGNORE_TAG", "store_outputs", "strip_volatile"]

IGNORE_TAG = "nbval-ignore-output"


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what nbval does not compare: outputs of ignored cells, execution metadata."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if IGNORE_TAG in tags or "parameters" in tags:
            cell.outputs = []
            cell.execution_count = None
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    return nb


def store_outputs(notebook: str | Path) -> Path:
    """Execute ``notebook`` with its defaults and store the outputs nbval compares.

    Execution counts are renumbered 1..n so that re-running gives the same file.
    """
    path = Path(notebook)
    nb = strip_volatile(execute_notebook(path, {}))
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count if cell.outputs else None
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = count
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path


if __name__ == "__main__":  # python -m cslib.authoring.store notebooks/*.ipynb
    import sys

    for arg in sys.argv[1:]:
        print(f"stored outputs of {store_outputs(arg)}")
