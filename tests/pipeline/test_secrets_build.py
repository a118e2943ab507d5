"""Secret parameters never reach documents, executed notebooks, the ledger or the logs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cslib.execute.parameters import secret_parameters

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parents[1] / "fixtures"
SECRET = "sk_live_9f8e7d6c5b4a3210"


def _build(tmp_path: Path, mode: str, executor: str = "local") -> subprocess.CompletedProcess:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Acme
output: out
documents:
  - name: probe
    notebook: {FIXTURES / "secret_probe.ipynb"}
    for_each: account
    accounts: {{ids: [A0001]}}
    parameters: {{crm_key: {SECRET}, mode: {mode}}}
""")
    return subprocess.run([sys.executable, "-m", "cslib.cli", "build", str(plan), "--period",
                           "2026Q3", "--executor", executor], capture_output=True, text=True,
                          timeout=600)


def _everything_written(tmp_path: Path) -> str:
    """Every byte under the output folder (documents, ledger, index, kept notebooks), as text,
    plus the PDF's text layer."""
    from cslib.pipeline.leaks import pdf_text

    out = []
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            out.append(pdf_text(data) if path.suffix == ".pdf" else data.decode("utf-8", "replace"))
    return "\n".join(out)


def test_a_secret_is_used_by_the_notebook_but_written_nowhere(tmp_path):
    done = _build(tmp_path, "quiet")
    assert done.returncode == 0, done.stderr
    written = _everything_written(tmp_path)
    assert f"KEY LENGTH {len(SECRET)}" in written  # the notebook had the real value
    assert SECRET not in written + done.stdout + done.stderr
    assert '"crm_key": "***"' in (tmp_path / "out" / "sample" / "2026Q3" / "build.json").read_text()


@pytest.mark.parametrize("executor", ["local", "kernel"])
def test_a_failing_notebook_is_kept_without_its_secret(tmp_path, executor):
    done = _build(tmp_path, "fail", executor)
    assert done.returncode == 1
    assert "ValueError: the CRM refused key ***" in done.stderr
    kept = next((tmp_path / "out").rglob("_failed/**/*.ipynb"))
    nb = nbformat.read(kept, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'crm_key = "***"' in injected.source and "CSLIB_SECRET_CRM_KEY" in injected.source
    assert SECRET not in kept.read_text()  # neither in the cells nor in the traceback
    assert SECRET not in _everything_written(tmp_path) + done.stdout + done.stderr


def test_a_document_that_shows_a_secret_is_not_written(tmp_path):
    done = _build(tmp_path, "show")
    assert done.returncode == 1
    assert "secret parameter `crm_key` appears in the document" in done.stderr
    assert not list((tmp_path / "out").rglob("probe/*.html"))
    assert SECRET not in _everything_written(tmp_path) + done.stdout + done.stderr


def test_a_printed_secret_is_scrubbed_and_never_reaches_the_document(tmp_path):
    done = _build(tmp_path, "print")
    assert done.returncode == 0, done.stderr
    assert SECRET not in _everything_written(tmp_path) + done.stdout + done.stderr


def test_what_counts_as_a_secret():
    notebook = FIXTURES / "secret_probe.ipynb"
    found = secret_parameters(notebook, {"crm_key": "k", "mode": "quiet", "company": "Acme",
                                         "data": "postgresql://cs:pw@db/cs"})
    assert found == {"crm_key": "k", "data": "postgresql://cs:pw@db/cs"}
