"""Notebooks are committed without outputs, except the key figures nbval compares.

What nbval needs, from how it works (nbval 0.11, ``nbval/plugin.py``) and how
``make notebooks`` (``cslib/authoring/store.py``) stores outputs:

- nbval runs the notebooks pytest collects: under ``testpaths`` in
  ``pyproject.toml``, minus ``--ignore-glob`` (``tests/fixtures``) and hidden
  folders. Any other notebook (fixtures, templates) has no reason to store
  an output.
- It executes every code cell, but compares a cell's outputs with the stored
  ones only when the stored cell has an execution count and is not tagged
  (or ``# NBVAL_...`` commented) to ignore or skip its output; a stored output
  without an execution count is an error. It never compares ``image/png``,
  ``image/jpeg`` or widget views.
- ``make notebooks`` stores the outputs of the compared cells, numbers them
  1..n by code cell, and stores nothing for the ``parameters`` cell or cells
  tagged ``nbval-ignore-output`` (charts, the report header).

So a notebook may store an output only in a cell nbval compares, in a
notebook nbval runs; an output must be a result or display (no traceback, no
stderr warnings, no images or widgets nbval would skip); an execution count
only where there is an output, and then the one ``make notebooks`` writes;
and metadata only the kernel's and the cells' tags (no widget state, timings,
papermill records or collapsed/scrolled view state).
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbformat import v4
from nbval.plugin import find_comment_markers, find_metadata_tags

ROOT = Path(__file__).resolve().parents[2]

#: Notebook metadata that is content; anything else (widgets, papermill, toc...) is noise.
NOTEBOOK_METADATA = {"kernelspec", "language_info"}
#: Cell metadata that is content; anything else (execution timing, papermill, collapsed,
#: scrolled, jupyter view state, ExecuteTime...) is noise.
CELL_METADATA = {"tags", "editable", "deletable", "slideshow"}
#: Data nbval never compares (without --nbdime): stored, it is only weight and diff noise.
UNCOMPARED_DATA = {"image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json",
                   "application/vnd.jupyter.widget-state+json"}
#: Folders never searched for notebooks (not committed, or not the project's).
SKIP_DIRS = {"reports", "node_modules", "__pycache__"}
#: Top-level folders of build artefacts (not committed).
SKIP_TOP = {"build", "dist"}
#: Folders pytest does not collect from (its default ``norecursedirs``, besides hidden ones).
NORECURSE = {"build", "dist", "node_modules", "venv", "CVS", "_darcs", "{arch}"}
HINT = (
    "Notebooks are committed without outputs, except the key figures nbval compares: "
    "`make notebooks` stores exactly those in notebooks/*.ipynb; clear other notebooks "
    "(JupyterLab: Edit > Clear Outputs of All Cells, then remove the metadata named)."
)


def _pytest_options() -> tuple[list[str], list[str], bool]:
    """``testpaths``, ``--ignore-glob`` patterns and whether ``--nbval`` (strict) is on."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    args = shlex.split(config.get("addopts", ""))
    globs = [a.split("=", 1)[1] for a in args if a.startswith("--ignore-glob=")]
    globs += [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--ignore-glob"]
    return list(config.get("testpaths", [])), globs, "--nbval" in args


def nbval_collected(path: Path) -> bool:
    """True when ``make test`` runs ``path`` with nbval, comparing stored outputs."""
    testpaths, globs, strict = _pytest_options()
    path = path.resolve()
    if not strict or any(fnmatch.fnmatch(str(path), str(ROOT / g)) for g in globs):
        return False
    for top in testpaths:
        base = (ROOT / top).resolve()
        if path.is_relative_to(base):
            folders = path.relative_to(base).parts[:-1]
            return not any(p.startswith(".") or p in NORECURSE or p.endswith(".egg")
                           for p in folders)
    return False


def repository_notebooks() -> list[Path]:
    """Every ``.ipynb`` of the project (hidden folders, the venv and reports left out)."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        top = Path(folder) == ROOT
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS
                         and not (top and d in SKIP_TOP) and not d.endswith(".egg-info"))
        found += [Path(folder) / f for f in sorted(files) if f.endswith(".ipynb")]
    return found


def _compared(cell: nbformat.NotebookNode) -> bool:
    """Whether nbval compares this cell's stored outputs (store.py's rule for parameters)."""
    tags = cell.metadata.get("tags", [])
    if "parameters" in tags or "injected-parameters" in tags:
        return False
    options = dict(find_metadata_tags(cell.metadata))
    options.update(find_comment_markers(cell.source))
    return options.get("check", True) and not options.get("skip", False)


def hygiene_problems(path: Path, *, outputs_allowed: bool | None = None) -> list[str]:
    """What a committed notebook stores that it should not, one line per problem.

    ``outputs_allowed`` defaults to whether nbval runs the notebook
    (:func:`nbval_collected`).
    """
    if outputs_allowed is None:
        outputs_allowed = nbval_collected(path)
    try:
        name = str(path.resolve().relative_to(ROOT))
    except ValueError:
        name = str(path)
    nb = nbformat.read(path, as_version=4)
    problems = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        problems.append(f"{name}: not a valid notebook: {exc.message}")
    for key in sorted(set(nb.metadata) - NOTEBOOK_METADATA):
        problems.append(f"{name}: notebook metadata {key!r} is editor or run state, not content; "
                        "remove it")
    position = 0
    for index, cell in enumerate(nb.cells, start=1):
        first = cell.source.strip().splitlines()[0][:50] if cell.source.strip() else ""
        where = f"{name}: cell {index} ({cell.cell_type}, {first!r})"
        for key in sorted(set(cell.metadata) - CELL_METADATA):
            problems.append(f"{where}: cell metadata {key!r} is editor or run state; remove it")
        if cell.cell_type != "code":
            continue
        position += 1
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            problems.append(f"{where}: papermill's injected-parameters cell; remove the cell")
        outputs = cell.get("outputs", [])
        count = cell.get("execution_count")
        if not outputs:
            if count is not None:
                problems.append(f"{where}: execution count {count} without outputs; clear it")
            continue
        if not outputs_allowed:
            problems.append(f"{where}: stores {len(outputs)} output(s) in a notebook that nbval "
                            "does not run; clear them")
            continue
        if not _compared(cell):
            why = "the parameters cell" if "parameters" in tags else \
                "a cell whose outputs nbval ignores (nbval-ignore-output or skip)"
            problems.append(f"{where}: stores output in {why}; clear it")
            continue
        if count != position:
            problems.append(f"{where}: execution count {count}, but `make notebooks` numbers "
                            f"this cell {position}; re-run `make notebooks`")
        for out in outputs:
            kind = out.get("output_type")
            if kind == "error":
                problems.append(f"{where}: stores an error ({out.get('ename')}); fix the cell")
            elif kind == "stream" and out.get("name") != "stdout":
                problems.append(f"{where}: stores {out.get('name')} (warnings); clear it")
            elif kind == "execute_result" and out.get("execution_count") != count:
                problems.append(f"{where}: a result numbered {out.get('execution_count')} in a "
                                f"cell numbered {count}; re-run `make notebooks`")
            skipped = sorted(UNCOMPARED_DATA & set(out.get("data", {})))
            if skipped:
                problems.append(f"{where}: stores {', '.join(skipped)}, which nbval never "
                                "compares; tag the cell nbval-ignore-output")
    return problems


@pytest.mark.parametrize("path", repository_notebooks(),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebooks_store_only_what_nbval_compares(path):
    problems = hygiene_problems(path)
    assert not problems, "\n".join([*problems, HINT])


def test_the_search_finds_the_report_notebooks_and_fixtures():
    names = {str(p.relative_to(ROOT)) for p in repository_notebooks()}
    assert {"notebooks/customer_qbr.ipynb", "tests/fixtures/secret_probe.ipynb"} <= names
    assert nbval_collected(ROOT / "notebooks" / "customer_qbr.ipynb")
    assert not nbval_collected(ROOT / "tests" / "fixtures" / "secret_probe.ipynb")
    assert not nbval_collected(ROOT / "notebooks" / ".ipynb_checkpoints" / "x-checkpoint.ipynb")
    assert not nbval_collected(ROOT / "cslib" / "x.ipynb")


# The check itself, on notebooks that break one rule each -------------------------------
def _notebook(*cells, **metadata) -> nbformat.NotebookNode:
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                  "language": "python"}, **metadata})
    nb.cells = list(cells)
    return nb


def _params() -> nbformat.NotebookNode:
    return v4.new_code_cell("x: int = 1  # x", metadata={"tags": ["parameters"]})


def _result(source: str, count: int, data: dict | None = None, tags: list[str] | None = None):
    out = v4.new_output("execute_result", data=data or {"text/plain": "1"},
                        execution_count=count)
    return v4.new_code_cell(source, outputs=[out], execution_count=count,
                            metadata={"tags": tags} if tags else {})


def _check(tmp_path, nb, *, allowed=True) -> list[str]:
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return hygiene_problems(path, outputs_allowed=allowed)


def test_a_notebook_as_make_notebooks_stores_it_passes(tmp_path):
    nb = _notebook(v4.new_markdown_cell("# Title"), _params(),
                   v4.new_code_cell("chart()", metadata={"tags": ["nbval-ignore-output"]}),
                   _result("kpis()", 3))
    assert _check(tmp_path, nb) == []


def test_the_real_notebook_passes_and_a_shifted_count_does_not(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "customer_qbr.ipynb", as_version=4)
    assert _check(tmp_path, nb) == []
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.outputs)
    cell.execution_count += 40
    problems = _check(tmp_path, nb)
    assert len(problems) == 2, problems
    assert f"execution count {cell.execution_count}, but `make notebooks` numbers" in problems[0]
    assert "a result numbered" in problems[1]


@pytest.mark.parametrize(
    ("cells", "metadata", "allowed", "expected"),
    [
        ([_result("chart()", 1, tags=["nbval-ignore-output"])], {}, True,
         "nb.ipynb: cell 1 (code, 'chart()'): stores output in a cell whose outputs nbval "
         "ignores (nbval-ignore-output or skip); clear it"),
        ([_result("# NBVAL_IGNORE_OUTPUT\nchart()", 1)], {}, True,
         "stores output in a cell whose outputs nbval ignores"),
        ([_result("chart()", 1, data={"image/png": "iVBOR", "text/plain": "<Figure>"})], {},
         True, "nb.ipynb: cell 1 (code, 'chart()'): stores image/png, which nbval never "
         "compares; tag the cell nbval-ignore-output"),
        ([_result("kpis()", 1)], {}, False,
         "nb.ipynb: cell 1 (code, 'kpis()'): stores 1 output(s) in a notebook that nbval does "
         "not run; clear them"),
        ([v4.new_code_cell("kpis()", execution_count=7)], {}, True,
         "nb.ipynb: cell 1 (code, 'kpis()'): execution count 7 without outputs; clear it"),
        ([_params()], {"widgets": {"application/vnd.jupyter.widget-state+json": {}}}, True,
         "nb.ipynb: notebook metadata 'widgets' is editor or run state, not content; remove it"),
        ([v4.new_code_cell("x", metadata={"execution": {"iopub.status.busy": "2026"}})], {},
         True, "nb.ipynb: cell 1 (code, 'x'): cell metadata 'execution' is editor or run "
         "state; remove it"),
        ([v4.new_code_cell("boom()", execution_count=1, outputs=[
            v4.new_output("error", ename="KeyError", evalue="x", traceback=[])])], {}, True,
         "nb.ipynb: cell 1 (code, 'boom()'): stores an error (KeyError); fix the cell"),
        ([v4.new_code_cell("warn()", execution_count=1, outputs=[
            v4.new_output("stream", name="stderr", text="DeprecationWarning")])], {}, True,
         "stores stderr (warnings)"),
        ([v4.new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]})], {}, True,
         "nb.ipynb: cell 1 (code, 'x = 2'): papermill's injected-parameters cell; remove the "
         "cell"),
    ],
    ids=["ignored-cell-output", "ignore-comment", "png", "not-run-by-nbval", "stray-count",
         "widget-state", "timing-metadata", "traceback", "stderr", "injected-cell"],
)
def test_each_rule_names_the_notebook_and_cell(tmp_path, cells, metadata, allowed, expected):
    problems = _check(tmp_path, _notebook(*cells, **metadata), allowed=allowed)
    assert len(problems) == 1, problems
    assert expected in problems[0]
