"""One folder per dataset under the output folder, and the top index that lists every run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cslib.errors import ConfigError
from cslib.pipeline.plan import load_plan
from cslib.pipeline.runs import find_runs, run_dir, run_name, write_runs_index

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "fixtures" / "fault_probe.ipynb"


@pytest.mark.parametrize(("data", "name"), [
    ("sample", "sample"),
    ("/srv/data/acme", "acme"),
    ("../data/ravenstack", "ravenstack"),
    ("/srv/acme.duckdb", "acme"),
    ("/srv/Warehouse Source.yaml", "warehouse-source"),
    ("postgresql://cs:secret@db.example:5432/crm_prod?sslmode=require", "crm-prod"),
    ("duckdb:///srv/lake.duckdb", "lake"),
    ("postgresql://cslib:p/ss w#rd:x%2F%40y@127.0.0.1:5432/cslib_secrets", "cslib-secrets"),
])
def test_run_name_is_the_datasets_name_and_never_a_secret(data, name):
    assert run_name(data) == name
    assert run_dir(Path("/r"), data, "2026Q3") == Path("/r") / name / "2026Q3"
    assert run_dir(Path("/r"), data, "2026Q3", run="emea") == Path("/r/emea/2026Q3")


def test_a_plans_run_must_be_a_folder_name(tmp_path):
    plan = tmp_path / "plan.yaml"
    body = "company: Acme\n{run}documents:\n  - name: x\n    notebook: {nb}\n"
    plan.write_text(body.format(run="run: emea-2\n", nb=PROBE))
    assert load_plan(plan).run == "emea-2"
    plan.write_text(body.format(run="", nb=PROBE))
    assert load_plan(plan).run == ""
    plan.write_text(body.format(run="run: ../elsewhere\n", nb=PROBE))
    with pytest.raises(ConfigError, match=r"plan.yaml: run must be lowercase letters.*"
                                          r"'\.\./elsewhere'"):
        load_plan(plan)


def _ledger(folder: Path, *, dataset: str, period: str, statuses: list[str],
            finished: str) -> None:
    folder.mkdir(parents=True)
    docs = [{"key": f"d{i}", "status": s} for i, s in enumerate(statuses)]
    (folder / "build.json").write_text(json.dumps({
        "plan": "/p/quarterly.yaml", "dataset": dataset, "period": period,
        "finished": finished, "documents": docs}))


def test_the_top_index_lists_every_run_newest_first(tmp_path):
    _ledger(tmp_path / "sample" / "2026Q3", dataset="sample", period="2026Q3",
            statuses=["built", "built", "failed"], finished="2026-12-01T10:00:00+00:00")
    _ledger(tmp_path / "acme" / "2026Q2", dataset="acme", period="2026Q2",
            statuses=["built"], finished="2026-12-02T09:00:00+00:00")
    (tmp_path / "acme" / "2026Q1").mkdir()  # no ledger: not a run
    (tmp_path / "acme" / "2026Q1" / "build.json").write_text("{torn")  # not JSON: skipped
    rows = find_runs(tmp_path)
    assert [(r["dataset"], r["period"], r["built"], r["total"]) for r in rows] == [
        ("acme", "2026Q2", 1, 1), ("sample", "2026Q3", 2, 3)]
    page = write_runs_index(tmp_path).read_text()
    assert page.index('href="acme/2026Q2/index.html"') < page.index(
        'href="sample/2026Q3/index.html"')
    assert "2 of 3 built" in page and "quarterly.yaml" in page
    assert "No runs yet" in write_runs_index(tmp_path / "empty").read_text()


@pytest.mark.slow
def test_a_second_datasets_build_keeps_the_first_and_both_are_listed(tmp_path):
    acme = tmp_path / "acme"
    shutil.copytree(ROOT / "data" / "sample", acme)
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
output: out
period: 2026Q3
formats: [html]
documents:
  - name: probe
    notebook: {PROBE}
    for_each: account
    accounts: {{ids: [A0001], paying: false}}
""")
    for extra in ([], ["--data", str(acme)]):
        done = subprocess.run([sys.executable, "-m", "cslib", "build", str(plan), *extra],
                              capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    first = out / "sample" / "2026Q3"
    second = out / "acme" / "2026Q3"
    for folder, dataset in ((first, "sample"), (second, "acme")):
        assert list(folder.glob("probe/*.html")), sorted(out.rglob("*"))
        assert json.loads((folder / "build.json").read_text())["dataset"] == dataset
    top = (out / "index.html").read_text()
    assert 'href="sample/2026Q3/index.html"' in top and 'href="acme/2026Q3/index.html"' in top
    assert top.count("1 of 1 built") == 2
