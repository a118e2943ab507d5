"""Quarto documents (.qmd) as reports: the reader, and a build through the Quarto backend.

Quarto cannot be installed here; as in test_quarto.py, the build's Quarto
runs go to the stand-in ``tests/fixtures/fake_quarto/quarto``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from html import escape as html_escape
from pathlib import Path

import pandas as pd
import pytest

from cslib.authoring.new import render_template
from cslib.data import sample
from cslib.errors import QmdError, QuartoError
from cslib.execute.parameters import notebook_parameters
from cslib.execute.qmd import load_notebook, qmd_to_notebook
from cslib.pipeline.build import build_plan
from cslib.pipeline.plan import load_plan
from cslib.render.quarto import INSTALL_HINT

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

DOC = """\
---
title: "Renewal: brief"
format:
  html:
    toc: true
---

::: {.content-hidden}
# Notes for analysts

Hidden from the report.
:::

```{python}
#| tags: [parameters]
account_id: str = "A0003"  # the customer
```

## Summary

Text with `code`, and a block shown as code:

```python
report = open_report("customer")  # not run
```

````markdown
```{python}
1 / 0
```
````

```{python}
#| label: kpis
#| tags: [nbval-ignore-output]
kpis = 1
```

```{python}
#| include: false
hidden = 2
```

```{python}
#| eval: false
1 / 0
```

```{{python}}
shown_not_run()
```
"""


def test_reading_follows_quartos_conventions():
    nb = qmd_to_notebook(DOC.replace("\n", "\r\n"), source="doc.qmd")
    cells = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]
    assert cells[0] == ("raw", '---\ntitle: "Renewal: brief"\nformat:\n  html:\n    toc: true\n'
                        "---", [])
    assert cells[1] == ("markdown", "# Notes for analysts\n\nHidden from the report.",
                        ["remove-cell"])
    assert cells[2] == ("code", 'account_id: str = "A0003"  # the customer', ["parameters"])
    assert cells[3][0] == "markdown" and cells[3][1].startswith("## Summary")
    assert 'open_report("customer")  # not run' in cells[3][1] and "1 / 0" in cells[3][1]
    # Options other than tags stay in the cell for Quarto; tags become metadata.
    assert cells[4] == ("code", "#| label: kpis\n#| tags: [nbval-ignore-output]\nkpis = 1",
                        ["nbval-ignore-output"])
    assert cells[5] == ("code", "#| include: false\nhidden = 2", ["remove-cell"])
    assert cells[6] == ("markdown", "```{{python}}\nshown_not_run()\n```", [])
    assert len(cells) == 7  # the eval: false cell is left out
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert [c.id for c in nb.cells] == [f"cell-{i}" for i in range(1, 8)]
    assert qmd_to_notebook(DOC, front_matter=False).cells[0].cell_type == "markdown"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: x\n", "doc.qmd: line 1: the front matter is not closed (no `---` line "
         "after it)."),
        ("---\ntitle: [x\n---\n", "doc.qmd: line 2: the front matter is not valid YAML."),
        ("---\n- a\n---\n", "doc.qmd: line 1: the front matter must be YAML `key: value` "
         "pairs, got list."),
        ("# R\n\n```{r}\nsummary(x)\n```\n", "doc.qmd: line 3: a {r} cell cannot run in a "
         "cslib report; its cells are {python}."),
        ("```{python}\nx = 1\n", "doc.qmd: line 1: the {python} cell is not closed (no ``` "
         "line after it)."),
        ("```{python}\n#| tags: [parameters\nx = 1\n```\n", "doc.qmd: line 2: cell options "
         "(`#|` lines) must be YAML `key: value` pairs, got '#| tags: [parameters'."),
        ("```{python}\n#| tags: {a: 1}\nx = 1\n```\n", "doc.qmd: line 2: `#| tags:` must be a "
         "list of names, got {'a': 1}."),
        ("NRR is `{python} f'{nrr:.1%}'` this quarter.\n", "doc.qmd: line 1: inline "
         "`{python}` expressions are not run by a cslib build; show the value with a cslib "
         "call in a cell instead."),
        ("::: {.content-hidden}\nnotes\n", "doc.qmd: line 1: this `::: {.content-hidden}` "
         "block is not closed (no `:::` line after it)."),
        ("::: {.content-hidden}\n```{python}\nx = 1\n```\n:::\n", "doc.qmd: line 2: a code "
         "cell inside a `{.content-hidden}` block would still run; move it out of the block."),
        ("```python\nx = 1\n", "doc.qmd: line 1: this code block is not closed."),
    ],
    ids=["front-matter-open", "front-matter-yaml", "front-matter-list", "r-cell", "open-cell",
         "bad-options", "bad-tags", "inline-code", "open-hidden", "cell-in-hidden",
         "open-block"],
)
def test_what_cannot_run_faithfully_is_refused_with_its_line(text, message):
    with pytest.raises(QmdError) as err:
        qmd_to_notebook(text, source="doc.qmd")
    assert str(err.value) == message


def test_parameters_of_a_qmd_are_read_like_a_notebooks(tmp_path):
    path = tmp_path / "brief.qmd"
    path.write_text(render_template("segment", name="brief", title="Brief", company="Acme",
                                    fmt="qmd"))
    declared = notebook_parameters(path)
    assert declared["segment"]["inferred_type_name"] == "str"
    assert declared["company"]["default"] == '"Acme"'
    assert declared["fiscal_year_start"]["inferred_type_name"] == "int"
    assert all(p["help"] for p in declared.values())
    nb = load_notebook(path)  # as papermill loads a notebook: tags on every cell
    assert all(isinstance(c.metadata["tags"], list) for c in nb.cells)
    assert "papermill" in nb.metadata


# Plans and the Quarto backend ---------------------------------------------------------------
QMD_PLAN = """\
company: Larkspur Analytics
data: ../data
output: ../reports
backend: quarto
documents:
  - name: brief
    title: Customer briefs
    notebook: ../notebooks/brief.qmd
    for_each: account
    accounts:
      ids: [A0003, A0010]
"""


@pytest.fixture
def qmd_project(tmp_path):
    """A project whose only document is a Quarto document, on a 15-account company."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "params").mkdir()
    text = render_template("customer", name="brief", title="Customer brief",
                           company="Larkspur Analytics", fmt="qmd")
    text = text.replace("## Adoption\n", "## Adoption\n\nA paragraph only the qmd has.\n")
    (tmp_path / "notebooks" / "brief.qmd").write_text(text)
    (tmp_path / "params" / "plan.yaml").write_text(QMD_PLAN)
    sample.write(tmp_path / "data", n_accounts=15)
    return tmp_path


def _fake_quarto(exe: Path, monkeypatch) -> Path:
    """Put the stand-in first on PATH; the log of its calls."""
    log = exe.parent.parent / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    for name in ("CSLIB_QUARTO", "FAKE_QUARTO_FAIL", "FAKE_QUARTO_SLEEP", "FAKE_QUARTO_VERSION",
                 "FAKE_QUARTO_NO_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    return log


@pytest.mark.skipif(os.name != "posix", reason="the stand-in is a POSIX script")
def test_a_plan_builds_a_qmd_through_the_quarto_backend(qmd_project, fake_exe, monkeypatch):
    log = _fake_quarto(fake_exe, monkeypatch)
    plan = load_plan(qmd_project / "params" / "plan.yaml")
    assert plan.documents[0].notebook.suffix == ".qmd"
    result = build_plan(plan, period="2026Q3", workers=1, echo=lambda line: None)
    assert not result.failed, [(o.key, o.error) for o in result.failed]
    keys = [o.key for o in result.outcomes]
    assert len(keys) == 2 and all(re.match(r"brief/a00(03|10)-", k) for k in keys)
    renders = [json.loads(line)["argv"] for line in log.read_text().splitlines()]
    renders = [argv for argv in renders if argv[0] == "render"]
    assert len(renders) == 4  # two customers, html and typst each
    for argv in renders:
        # The executed notebook goes to Quarto, never the .qmd with parameters to run it with.
        assert argv[1].endswith(".ipynb") and argv[2:5] in (["--to", "html", "--no-execute"],
                                                            ["--to", "typst", "--no-execute"])
        line = " ".join(argv)
        assert "-P" not in argv and "--execute-params" not in argv
        assert "A0003" not in line and "A0010" not in line and str(qmd_project) not in line
    index = (result.out_dir / "index.html").read_text()
    accounts = pd.read_csv(qmd_project / "data" / "accounts.csv").set_index("account_id")
    for key in keys:
        html = (result.out_dir / f"{key}.html").read_text()
        assert f'href="{key}.html"' in index and f'href="{key}.pdf"' in index
        assert "A paragraph only the qmd has." in html  # the qmd's markdown reached Quarto
        name = accounts.loc[key.split("/")[1][:5].upper(), "name"]
        assert html_escape(name) in html  # and so did the outputs, executed for its customer
        assert (result.out_dir / f"{key}.pdf").read_bytes().startswith(b"%PDF")


def test_a_qmd_plan_without_quarto_fails_before_anything_runs(qmd_project, monkeypatch):
    empty = qmd_project / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CSLIB_QUARTO", raising=False)
    plan = load_plan(qmd_project / "params" / "plan.yaml")
    with pytest.raises(QuartoError) as err:
        build_plan(plan, period="2026Q3", workers=1, echo=lambda line: None)
    assert str(err.value) == INSTALL_HINT
    assert not (qmd_project / "reports").exists()
    # With the built-in renderers the same plan is valid: a .qmd needs no Quarto.
    assert dataclasses.replace(plan, backend="builtin").documents[0].notebook.suffix == ".qmd"


def test_a_plan_refuses_other_files_as_notebooks(qmd_project):
    plan = qmd_project / "params" / "plan.yaml"
    (qmd_project / "notebooks" / "brief.Rmd").write_text("# R\n")
    plan.write_text(QMD_PLAN.replace("brief.qmd", "brief.Rmd"))
    with pytest.raises(Exception, match=r"'\.\./notebooks/brief\.Rmd' must be a Jupyter "
                       r"notebook \(\.ipynb\) or a Quarto document \(\.qmd\)\."):
        load_plan(plan)
