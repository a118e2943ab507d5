"""The report notebooks follow the house rules and run with plain Papermill.

(nbval, configured in pyproject.toml, separately runs every notebook with its
defaults and compares the stored key figures.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from cslib.present.blocks import BLOCK_MIME

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
PAPERMILL = Path(sys.executable).with_name("papermill")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_typed_and_commented_then_one_validation_call(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = code[0]
    assert "parameters" in params.metadata.get("tags", [])
    declared = papermill.inspect_notebook(str(path))
    assert {"period", "data", "company"} <= set(declared)
    for name, info in declared.items():
        assert info["inferred_type_name"] in ("str", "int", "bool"), name
        assert info["help"], f"{path.name}: parameter {name} has no comment"
    calls = [n for n in ast.walk(ast.parse(code[1].source)) if isinstance(n, ast.Call)]
    assert [c.func.id for c in calls if isinstance(c.func, ast.Name)] == ["open_report"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_are_calls_into_cslib_without_logic(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells[2:]:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.For | ast.While
                                  | ast.If | ast.Lambda), (path.name, cell.source)
        if "open_report" not in cell.source:
            assert len(tree.body) == 1, (path.name, cell.source)


def test_papermill_command_runs_a_notebook_with_parameters(tmp_path):
    source = next(p for p in NOTEBOOKS if p.name == "segment_review.ipynb")
    out = tmp_path / "smb.ipynb"
    done = subprocess.run(
        [str(PAPERMILL), str(source), str(out), "-p", "segment", "SMB", "-p", "period",
         "2026Q2", "--cwd", str(source.parent)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    blocks = [o["data"][BLOCK_MIME] for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if BLOCK_MIME in o.get("data", {})]
    report = blocks[0]
    assert report["type"] == "report" and report["subtitle"] == "SMB segment"
    assert report["period"] == "2026Q2"


def test_papermill_command_fails_clearly_on_a_bad_value(tmp_path):
    source = next(p for p in NOTEBOOKS if p.name == "segment_review.ipynb")
    done = subprocess.run(
        [str(PAPERMILL), str(source), str(tmp_path / "x.ipynb"), "-p", "segment", "Enterprize",
         "--cwd", str(source.parent)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode != 0
    assert ("ParameterError: `segment` must be one of 'Enterprise', 'Mid-Market', 'SMB'; "
            "got 'Enterprize'. Did you mean 'Enterprise'?") in done.stderr
