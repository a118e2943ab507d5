"""One gate for every path: however a customer's document is produced, it is made from that
customer's slice of the data and scanned before it is written; and it names no path of the
build machine."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cslib.pipeline.build import build_plan
from cslib.pipeline.leaks import html_text, pdf_text
from cslib.pipeline.plan import load_plan

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CSLIB = [sys.executable, "-m", "cslib.cli"]


def _reachable(page: str) -> list[str]:
    match = re.search(r"REACHABLE ACCOUNTS: ([A-Z0-9 ]*)", page)
    assert match, "the probe did not report"
    return match.group(1).split()


def _render(tmp_path: Path, notebook: Path, *params: str, executor_env: dict | None = None
            ) -> subprocess.CompletedProcess[str]:
    args = [*CSLIB, "render", str(notebook), "--to", "html", "--out", str(tmp_path / "out")]
    for pair in params:
        name, value = pair.split("=", 1)
        args += ["-p", name, value]
    return subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=tmp_path)


@pytest.mark.parametrize(
    ("params", "account"),
    [
        ((), "A0001"),  # the notebook's own defaults: data "sample", account A0001
        (("account_id=A0002",), "A0002"),  # no `data`: the default dataset, still sliced
        (("period=2026Q3",), "A0001"),
    ],
)
def test_render_without_data_or_account_still_gets_only_its_slice(tmp_path, params, account):
    done = _render(tmp_path, FIXTURES / "reach_probe.ipynb", *params)
    assert done.returncode == 0, done.stderr
    (page,) = (tmp_path / "out").glob("*.html")
    assert _reachable(page.read_text()) == [account]


def test_render_without_data_still_runs_the_leak_scan(tmp_path):
    done = _render(tmp_path, FIXTURES / "reach_probe.ipynb", "note=Compare Quillon Financial")
    assert done.returncode == 2
    assert "leak scan: HTML names account 'A0003' (its name 'Quillon Financial')" in done.stderr
    assert not list((tmp_path / "out").glob("*"))


def _hard_coded_customer(tmp_path: Path) -> Path:
    """A customer notebook that does not take its customer as a parameter (so the build
    cannot tell from its parameters whom it is about)."""
    nb = nbformat.read(FIXTURES / "reach_probe.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = "\n".join(line for line in params.source.splitlines()
                              if not line.startswith("account_id"))
    opener = next(c for c in nb.cells if "open_report(" in c.source)
    opener.source = 'account_id = "A0002"\n' + opener.source
    path = tmp_path / "hard_coded.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_customer_document_not_made_from_its_slice_is_never_written(tmp_path):
    notebook = _hard_coded_customer(tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
output: out
period: 2026Q3
formats: [html]
documents:
  - name: odd
    notebook: {notebook}
""")
    result = build_plan(load_plan(plan), echo=lambda line: None, workers=1)
    (outcome,) = result.outcomes
    assert outcome.status == "failed"
    assert outcome.error.startswith("a customer document must be built from its customer's "
                                    "slice of the data, and this one was not")
    assert not list((tmp_path / "out").rglob("odd*.html"))
    done = _render(tmp_path, notebook)
    assert done.returncode == 2 and "must be built from its customer's slice" in done.stderr


def test_a_plan_document_without_fan_out_uses_the_notebooks_customer_and_its_slice(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
output: out
period: 2026Q3
formats: [html]
documents:
  - name: single
    notebook: {FIXTURES / "reach_probe.ipynb"}
""")
    result = build_plan(load_plan(plan), echo=lambda line: None, workers=1)
    (outcome,) = result.outcomes
    assert outcome.status == "built", outcome.error
    page = (result.out_dir / outcome.files["html"]).read_text()
    assert _reachable(page) == ["A0001"]


@pytest.mark.parametrize("executor", ["local", "kernel"])
def test_customer_documents_name_no_path_of_the_build_machine(tmp_path, executor):
    settings = tmp_path / "private-settings" / "custom-health.yaml"
    settings.parent.mkdir()
    settings.write_text((NOTEBOOKS.parent / "params" / "health.yaml").read_text())
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
output: out
period: 2026Q3
formats: [html, pdf]
parameters: {{health_config: {settings}}}
documents:
  - name: qbr
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{ids: [A0004]}}
  - name: review
    notebook: {NOTEBOOKS / "account_review.ipynb"}
    for_each: account
    accounts: {{ids: [A0004]}}
""")
    result = build_plan(load_plan(plan), echo=lambda line: None, workers=1, executor=executor)
    qbr, review = result.outcomes
    assert qbr.status == review.status == "built", (qbr.error, review.error)
    import hashlib

    digest = hashlib.sha256(settings.read_bytes()).hexdigest()[:12]
    for outcome in (qbr, review):
        html = (result.out_dir / outcome.files["html"]).read_bytes()
        pdf = pdf_text((result.out_dir / outcome.files["pdf"]).read_bytes())
        for text in (html_text(html), pdf):
            # the internal review names the settings file by name and hash; the customer's
            # QBR names no build detail at all
            said = f"health_config = custom-health.yaml (sha256 {digest})" in " ".join(
                text.split())
            assert said == (outcome is review), outcome.key
            assert str(tmp_path) not in text and "private-settings" not in text
        assert str(tmp_path).encode() not in html
    ledger = json.loads((result.out_dir / "build.json").read_text())  # internal: paths are fine
    assert ledger["documents"][0]["parameters"][0]["health_config"] == str(settings)
