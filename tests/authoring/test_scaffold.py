"""`cslib new`: a report scaffolded from a template, added to a plan, edited, built.

The user story: "A new report made with `cslib new`, edited, and built by
`make reports` with no other step." The last test does exactly that, in a
temporary copy of a project (a small plan with comments, a copy of a report
notebook, an 8-account sample company).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import test_notebooks as house  # the house rules every notebook under notebooks/ must follow
from nbformat import v4
from test_notebook_hygiene import hygiene_problems

from cslib.authoring.new import KINDS, TEMPLATES, new_report, render_template
from cslib.cli import main
from cslib.data import sample
from cslib.data.load import load
from cslib.errors import ConfigError, ParameterError
from cslib.execute.qmd import qmd_to_notebook
from cslib.periods import Period
from cslib.pipeline.plan import AccountFilter, load_plan

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PLAN = """\
# A small plan for the tests: its comments must survive `cslib new`.
company: Larkspur Analytics      # shown on every cover
data: ../data                    # a small sample company (8 accounts)
output: ../reports
formats: [html, pdf]

documents:
  # One segment review, for one segment only (keeps the build small).
  - name: segment-review
    title: Segment reviews
    notebook: ../notebooks/segment_review.ipynb
    for_each: segment
    segments: [SMB]   # a comment at the very end, without a newline after it"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (params/, notebooks/) as the working directory."""
    (tmp_path / "params").mkdir()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "segment_review.ipynb", tmp_path / "notebooks")
    (tmp_path / "params" / "quarterly.yaml").write_text(PLAN)
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _new(*args: str) -> int:
    return main(["new", *args])


@pytest.mark.parametrize(("kind", "for_each"), list(KINDS.items()))
def test_new_writes_a_clean_notebook_and_appends_to_the_plan(project, capsys, kind, for_each):
    plan = project / "params" / "quarterly.yaml"
    assert _new(f"{kind}-brief", "--kind", kind) == 0
    notebook = project / "notebooks" / f"{kind}-brief.ipynb"
    assert capsys.readouterr().out == (
        f"Created notebooks/{kind}-brief.ipynb ({kind} report; open it in JupyterLab: "
        f"make lab)\nAdded document '{kind}-brief' to params/quarterly.yaml: `make reports` "
        "builds it\n"
    )
    text = plan.read_text()
    assert text.startswith(PLAN + "\n")  # nothing of the plan changed, comments included
    loaded = load_plan(plan)
    doc = loaded.documents[-1]
    assert (doc.name, doc.title, doc.notebook, doc.for_each) == (
        f"{kind}-brief", f"{kind.capitalize()} brief", notebook.resolve(), for_each)
    assert [d.name for d in loaded.documents] == ["segment-review", f"{kind}-brief"]
    if kind == "customer":  # the QBR's selection: customers renewing in the next two quarters
        assert doc.accounts == AccountFilter(renewing_within_quarters=2)
    # The house rules of notebooks/ and no stored outputs, counts or metadata noise.
    house.test_parameters_cell_is_typed_and_commented_then_one_validation_call(notebook)
    house.test_cells_are_calls_into_cslib_without_logic(notebook)
    assert hygiene_problems(notebook, outputs_allowed=False) == []
    nb = nbformat.read(notebook, as_version=4)
    assert nb.cells[0].metadata["tags"] == ["remove-cell"]  # the introduction: not in reports
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert f'open_report(\n    "{kind}",' in code[1].source
    assert any("charts." in c.source for c in code) and any("tables." in c.source for c in code)
    assert any("narrative." in c.source for c in code)
    for cell in code:  # volatile outputs are never compared; the key figures will be
        ignored = "nbval-ignore-output" in cell.metadata.get("tags", [])
        assert ignored == any(k in cell.source for k in ("charts.", "open_report", "_axis("))
    # the analyst's own: a plain DataFrame, cslib.table() with formats, a house-style figure
    assert any(".groupby(" in c.source for c in code)
    assert any("cslib.table(" in c.source for c in code)
    assert any(c.source == "cslib.use_house_style()" for c in code)


def test_the_qmd_template_is_the_one_source(project):
    for kind in KINDS:
        args = {"name": "x", "title": "X", "company": "Acme"}
        qmd = render_template(kind, fmt="qmd", **args)
        ipynb = nbformat.reads(render_template(kind, fmt="ipynb", **args), as_version=4)
        assert ipynb == qmd_to_notebook(qmd, front_matter=False)
        assert (TEMPLATES / f"new-{kind}.qmd").is_file()
    assert _new("brief", "--kind", "segment", "--format", "qmd", "--title", "Brief") == 0
    qmd = (project / "notebooks" / "brief.qmd").read_text()
    assert qmd.startswith('---\ntitle: "Brief"\njupyter: python3\n---\n')
    assert "```{python}\n#| tags: [parameters]\nsegment: str = " in qmd
    assert load_plan("params/quarterly.yaml").documents[-1].notebook.name == "brief.qmd"


def test_titles_and_companies_with_quotes_and_colons_round_trip(project):
    plan = project / "params" / "quarterly.yaml"
    plan.write_text(PLAN.replace("Larkspur Analytics", '"Acme: \\"the\\" company #1"'))
    title = 'Renewals: "at risk" #2'
    assert _new("at_risk", "--kind", "company", "--title", title) == 0
    doc = load_plan(plan).documents[-1]
    assert (doc.name, doc.title) == ("at-risk", title)  # `_` becomes `-` in the plan
    nb = nbformat.read(project / "notebooks" / "at_risk.ipynb", as_version=4)
    params = nb.cells[1].source
    assert 'company: str = "Acme: \\"the\\" company #1"  # your company' in params
    assert nb.cells[0].source.startswith(f"# {title}\n")


def test_a_plan_with_items_at_column_zero_and_no_plan(project):
    plan = project / "params" / "quarterly.yaml"
    plan.write_text(PLAN.replace("\n  ", "\n") + "\n")  # list items at column 0
    assert load_plan(plan).documents[0].name == "segment-review"
    assert _new("brief", "--kind", "customer") == 0
    assert "\n- name: brief\n  title: Brief\n" in plan.read_text()
    assert load_plan(plan).documents[-1].for_each == "account"
    before = plan.read_text()
    assert _new("solo", "--kind", "company", "--no-plan") == 0
    assert plan.read_text() == before and (project / "notebooks" / "solo.ipynb").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Renewal Brief", "--kind", "customer"],
         "cslib: error: the report's NAME must be lowercase letters and digits, words joined by "
         "'-' or '_', starting with a letter, at most 60 characters (it names the notebook file "
         "and the plan's document); got 'Renewal Brief'. Try 'renewal-brief'.\n"),
        (["../evil", "--kind", "customer"], "got '../evil'. Try 'evil'.\n"),
        (["segment_review", "--kind", "segment"],
         "cslib: error: notebooks/segment_review.ipynb exists already; choose another NAME (an "
         "existing notebook is never overwritten).\n"),
        (["segment-review", "--kind", "segment"],
         "cslib: error: params/quarterly.yaml: there is a document named 'segment-review' "
         "already; choose another NAME.\n"),
        (["brief", "--kind", "customer", "--plan", "params/nope.yaml"],
         "cslib: error: no plan 'params/nope.yaml' (looked for "),
        (["brief", "--kind", "customer", "--dir", "nbs"],
         "cslib: error: no folder 'nbs' for the notebook (looked in "),
        (["brief", "--kind", "customer", "--title", "two\nlines"],
         "cslib: error: --title must be one line of 1 to 200 characters, got 'two\\nlines'.\n"),
    ],
    ids=["not-a-slug", "path", "notebook-exists", "document-exists", "no-plan", "no-folder",
         "title"],
)
def test_refusals_are_one_line_and_change_nothing(project, capsys, args, message):
    plan = project / "params" / "quarterly.yaml"
    before = sorted(p.name for p in (project / "notebooks").iterdir())
    assert _new(*args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert plan.read_text() == PLAN
    assert sorted(p.name for p in (project / "notebooks").iterdir()) == before


def test_an_existing_qmd_of_the_same_name_is_never_overwritten(project):
    (project / "notebooks" / "brief.qmd").write_text("mine")
    with pytest.raises(ParameterError, match=r"brief\.qmd exists already"):
        new_report("brief", kind="customer", plan=None)
    assert (project / "notebooks" / "brief.qmd").read_text() == "mine"
    assert not (project / "notebooks" / "brief.ipynb").exists()


def test_a_plan_that_cannot_take_the_entry_is_left_alone(project):
    plan = project / "params" / "quarterly.yaml"
    plan.write_text(PLAN.replace("documents:", "parameters: {}\ndocuments:") + "\nperiod: 2026Q3\n")
    text = plan.read_text()
    with pytest.raises(ConfigError) as err:
        new_report("brief", kind="company")
    assert str(err.value).startswith(
        "params/quarterly.yaml: `documents` is not the last setting of the file, so an entry "
        "appended at its end would not be in it. Add this entry under `documents:` by hand:\n\n"
        "  # Added by `cslib new brief --kind company`; edit it like any other entry.\n"
        "  - name: brief\n    title: Brief\n    notebook: ../notebooks/brief.ipynb\n"
    )
    assert plan.read_text() == text
    assert not (project / "notebooks" / "brief.ipynb").exists()
    assert [p.name for p in plan.parent.iterdir()] == ["quarterly.yaml"]  # no temporary left
    plan.write_text("company: x\ndocuments: []\n")
    with pytest.raises(ConfigError, match="documents must be a non-empty list"):
        new_report("brief", kind="company")  # an invalid plan: refused before anything


def test_scaffolds_of_every_kind_pass_nbval_without_stored_outputs(tmp_path):
    """Committed as made, a new notebook does not break `make test` (nbval runs every cell)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for kind in KINDS:
        new_report(f"new-{kind}", kind=kind, plan=None, folder=folder)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
         str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "33 passed" in done.stdout  # 11 code cells each, every one run


def test_a_new_report_edited_and_built_by_make_reports(project, capsys):
    """The user story, with `make reports` (the Makefile's target, not a library call)."""
    data = project / "data"
    sample.write(data, n_accounts=8)
    assert _new("renewal-brief", "--kind", "customer") == 0
    assert _new("segment-notes", "--kind", "segment", "--format", "qmd") == 0
    capsys.readouterr()
    # The analyst edits the notebook: a section of their own, with a table.
    path = project / "notebooks" / "renewal-brief.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1:-1] = [
        v4.new_markdown_cell("## Renewal plan\n\nWe meet your team six weeks before renewal."),
        v4.new_code_cell("tables.subscription_table(report)"),
    ]
    nbformat.write(nb, path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    done = subprocess.run(
        ["make", "-C", str(ROOT), "-o", str(ROOT / ".venv" / ".installed"), "reports",
         f"PLAN={project / 'params' / 'quarterly.yaml'}", f"DATA={data}",
         f"REPORTS={project / 'reports'}", "QUARTER=2026Q3"],
        capture_output=True, text=True, timeout=600, check=False, env=env,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    out = project / "reports" / "data" / "2026Q3"
    ledger = json.loads((out / "build.json").read_text())["documents"]
    built = {d["key"]: d for d in ledger}
    assert all(d["status"] == "built" for d in ledger), ledger
    renewing = AccountFilter(renewing_within_quarters=2).select(
        load(data), Period.parse("2026Q3"), where="test")
    briefs = sorted(k for k in built if k.startswith("renewal-brief/"))
    assert len(briefs) == len(renewing) > 0
    notes = sorted(k for k in built if k.startswith("segment-notes/"))
    assert notes == ["segment-notes/enterprise", "segment-notes/mid-market", "segment-notes/smb"]
    assert "segment-review/smb" in built
    index = (out / "index.html").read_text()
    assert "<h2>Renewal brief <small>" in index and "<h2>Segment notes <small>" in index
    for key in briefs + notes:
        assert f'href="{key}.html"' in index and f'href="{key}.pdf"' in index
        assert (out / f"{key}.pdf").read_bytes().startswith(b"%PDF")
    for key in briefs:
        html = (out / f"{key}.html").read_text()
        assert "We meet your team six weeks before renewal." in html  # the edit is in it
        assert "Renewal plan" in html and "Adoption" in html
        assert "cslib new" not in html  # the notebook's introduction is not
        assert "Replace these cells" not in html  # nor the note to the analyst
        assert "Tickets and seats in use" in html  # the analyst's own section's heading
    assert "ARR bridge" in (out / "segment-notes/smb.html").read_text()
    assert (out / "metrics-by-segment.json").is_file()  # make reports' metrics step ran too
