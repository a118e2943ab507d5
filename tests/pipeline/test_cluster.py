"""The Dask executor on a LocalCluster started by the test, against the local executor."""

from __future__ import annotations

from pathlib import Path

import pytest

from cslib.errors import ParameterError
from cslib.pipeline.build import build_plan
from cslib.pipeline.executors import DaskExecutor
from cslib.pipeline.plan import load_plan

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _plan(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"""company: Acme
output: {name}
formats: [html, pdf]
documents:
  - name: qbr
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0001, A0002, A0003]}}
  - name: broken
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0004]}}
    parameters: {{health_config: /no/such/health.yaml}}
""")
    return path


def test_dask_cluster_builds_the_same_documents_as_the_local_executor(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = build_plan(load_plan(_plan(tmp_path, "dask")), period="2026Q3",
                            executor="dask", scheduler=cluster.scheduler_address,
                            echo=lambda line: None)
    local = build_plan(load_plan(_plan(tmp_path, "local")), period="2026Q3", workers=2,
                       echo=lambda line: None)
    assert [(o.key, o.status) for o in remote.outcomes] == [
        (o.key, o.status) for o in local.outcomes
    ]
    assert [o.status for o in remote.outcomes] == ["built", "built", "built", "failed"]
    failed = remote.outcomes[-1]
    assert "no such settings file" in failed.error and failed.cell == 3
    assert (remote.out_dir / "_failed" / f"{failed.key}.ipynb").is_file()
    for outcome in remote.outcomes[:3]:
        for fmt in ("html", "pdf"):
            ours = (local.out_dir / f"{outcome.key}.{fmt}").read_bytes()
            theirs = (remote.out_dir / f"{outcome.key}.{fmt}").read_bytes()
            assert theirs == ours, (outcome.key, fmt)
    index = (remote.out_dir / "index.html").read_text()
    assert index.count(">built<") == 3 and index.count(">failed<") == 1


def test_dask_without_a_reachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(DaskExecutor, "connect_timeout", 1.0)  # 10 s by default
    with pytest.raises(ParameterError, match="cannot reach the Dask scheduler"):
        build_plan(load_plan(_plan(tmp_path, "x")), period="2026Q3", executor="dask",
                   scheduler="tcp://127.0.0.1:9", echo=lambda line: None)
