"""`papermill --help-notebook` documents every report notebook's parameters.

Papermill infers them from the ``parameters`` cell, one ``name: type = value
# help`` line each (STYLE.md). The test reads each line of the cell itself and
checks that the command's output carries its name, type, default and help text,
for every notebook in ``notebooks/`` (new ones included).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from papermill.cli import papermill

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
LINE = re.compile(r"^(\w+): (\w+) = (.+?)  # (.+)$")


def declared(path: Path) -> list[tuple[str, str, str, str]]:
    """(name, type, default, help) of each line of the notebook's parameters cell."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    lines = [line for line in cell.source.splitlines() if line.strip()]
    parsed = [LINE.match(line) for line in lines]
    bad = [line for line, m in zip(lines, parsed, strict=True) if m is None]
    assert not bad, f"{path.name}: not `name: type = value  # help`: {bad}"
    return [m.groups() for m in parsed if m is not None]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_help_notebook_prints_each_parameter_with_type_default_and_help(path: Path) -> None:
    params = declared(path)
    assert {"period", "data", "company"} <= {name for name, *_ in params}
    result = CliRunner().invoke(papermill, ["--help-notebook", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # help columns wrap at the terminal's width
    for name, kind, default, help_text in params:
        assert f"{name}: {kind} (default {default})" in text, name
        assert " ".join(help_text.split()) in text, name
    listed = re.findall(r"^  (\w+): \w+ \(default", result.output, flags=re.M)
    assert listed == [name for name, *_ in params]
