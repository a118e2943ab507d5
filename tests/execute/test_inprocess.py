"""Notebooks executed in-process: the executed notebook is a valid notebook, outputs and all."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cslib.errors import ExecutionError
from cslib.execute.inprocess import execute_inprocess


def _notebook(tmp_path: Path, *sources: str) -> Path:
    cells = [new_code_cell('who = "x"', metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(source) for source in sources]
    path = tmp_path / "probe.ipynb"
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=cells, metadata=kernel), str(path))
    return path


def test_every_kind_of_output_is_valid_nbformat(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # execute_inprocess changes into the notebook's folder
    path = _notebook(
        tmp_path,
        "print('out', who)\nimport sys; print('err', file=sys.stderr)",
        "from IPython.display import HTML, display\ndisplay(HTML('<b>hi</b>'))",
        "{'a': 1}",
    )
    nb = execute_inprocess(path, {"who": "y"})
    nbformat.validate(nb)  # raises on an output the schema does not allow
    kinds = [out["output_type"] for cell in nb.cells for out in cell.get("outputs", [])]
    assert kinds == ["stream", "stream", "display_data", "execute_result"]
    assert nb.cells[2].outputs[0]["text"] == "out y\n"
    assert nb.cells[4].outputs[0]["execution_count"] == 5  # parameters, injected, 3 cells


def test_a_failing_cell_is_kept_with_a_valid_error_output(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = _notebook(tmp_path, "1 / 0")
    kept = tmp_path / "kept.ipynb"
    with pytest.raises(ExecutionError, match="cell 3: ZeroDivisionError"):
        execute_inprocess(path, {}, output=kept)
    nb = nbformat.read(str(kept), as_version=4)
    nbformat.validate(nb)
    assert nb.cells[-1].outputs[-1]["output_type"] == "error"
