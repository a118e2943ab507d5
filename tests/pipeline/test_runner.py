from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from cslib.pipeline.build import build_plan
from cslib.pipeline.output import write_atomic
from cslib.pipeline.plan import load_plan

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_a_failing_document_does_not_stop_the_others(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Acme
output: out
formats: [html]
documents:
  - name: broken
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0001]}}
    parameters: {{health_config: /no/such/health.yaml}}
  - name: fine
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0002]}}
""")
    lines: list[str] = []
    result = build_plan(load_plan(plan_file), period="2026Q3", workers=2, echo=lines.append)
    by_doc = {o.document: o for o in result.outcomes}
    assert by_doc["fine"].status == "built"
    broken = by_doc["broken"]
    assert broken.status == "failed" and broken.cell == 3
    assert "/no/such/health.yaml: no such settings file." in broken.error
    assert broken.files == {}
    kept = result.out_dir / "_failed" / f"{broken.key}.ipynb"
    assert nbformat.read(kept, as_version=4).cells  # kept for debugging
    assert not (result.out_dir / f"{broken.key}.html").exists()
    assert any("FAILED broken/" in line for line in lines)
    index = (result.out_dir / "index.html").read_text()
    assert index.count(">failed<") == 1 and index.count(">built<") == 1
    assert "no such settings file" in index
    ledger = json.loads((result.out_dir / "build.json").read_text())
    assert [d["status"] for d in ledger["documents"]] == ["failed", "built"]


def test_write_atomic_leaves_no_temporary_file_and_readable_permissions(tmp_path):
    target = tmp_path / "a" / "doc.html"
    write_atomic(target, "<p>x</p>")
    write_atomic(target, b"<p>y</p>")
    assert target.read_text() == "<p>y</p>"
    assert list(target.parent.iterdir()) == [target]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


def test_warm_executor_starts_every_report_from_a_clean_state(tmp_path):
    """A report plants state everywhere it can; the next report on the same worker sees none."""
    probe = Path(__file__).parents[1] / "fixtures" / "isolation_probe.ipynb"
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Acme
output: out
formats: [html]
documents:
  - name: probe
    notebook: {probe}
    for_each: account
    accounts: {{ids: [A0001, A0002, A0003]}}
""")
    result = build_plan(load_plan(plan_file), period="2026Q3", workers=1, executor="local",
                        echo=lambda line: None)
    assert [o.status for o in result.outcomes] == ["built"] * 3
    for outcome in result.outcomes:
        page = (result.out_dir / outcome.files["html"]).read_text()
        assert "CLEAN START" in page and "LEFT BEHIND" not in page, outcome.key


def test_the_isolation_probe_detects_state_left_in_a_shared_process():
    """The same probe run twice in one process does see the first run's state (so the
    clean-start test above can fail)."""
    import multiprocessing

    probe = Path(__file__).parents[1] / "fixtures" / "isolation_probe.ipynb"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        texts = pool.apply(_run_probe_twice_in_one_process, (str(probe),))
    assert "CLEAN START" in texts[0]
    # No open figure: the in-process executor shows and closes the figures a cell leaves
    # open, as Jupyter's inline backend does, so none outlives its notebook.
    assert texts[1].startswith("LEFT BEHIND: a global variable, a builtin, module state, "
                               "an imported module, a matplotlib setting, "
                               "an environment variable")


def _run_probe_twice_in_one_process(probe: str) -> list[str]:
    from cslib.execute.inprocess import execute_inprocess
    from cslib.present.blocks import BLOCK_MIME

    texts = []
    for account in ("A0001", "A0002"):
        nb = execute_inprocess(probe, {"account_id": account})
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                block = out.get("data", {}).get(BLOCK_MIME, {})
                if block.get("type") == "paragraph":
                    texts.append(block["spans"][0]["text"])
    return texts


def _two_qbrs(tmp_path: Path, extra: str = "") -> Path:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Acme
output: out
formats: [html]
documents:
  - name: qbr
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0001, A0002]}}
{extra}""")
    return plan_file


def test_a_rebuild_with_nothing_changed_rebuilds_nothing(tmp_path):
    plan = load_plan(_two_qbrs(tmp_path))
    first = build_plan(plan, period="2026Q3", workers=2, echo=lambda line: None)
    assert [o.reused for o in first.outcomes] == [False, False]
    page = first.out_dir / first.outcomes[0].files["html"]
    stamp = page.stat().st_mtime_ns
    again = build_plan(plan, period="2026Q3", workers=2, echo=lambda line: None)
    assert [o.reused for o in again.outcomes] == [True, True]
    assert page.stat().st_mtime_ns == stamp  # not rewritten
    assert again.seconds < first.seconds
    forced = build_plan(plan, period="2026Q3", force=True, echo=lambda line: None)
    assert [o.reused for o in forced.outcomes] == [False, False]
    # Another period, or other parameters, give other documents.
    changed = load_plan(_two_qbrs(tmp_path, "parameters: {company: Other Co}\n".replace(
        "parameters", "    parameters")))
    rebuilt = build_plan(changed, period="2026Q3", echo=lambda line: None)
    assert [o.reused for o in rebuilt.outcomes] == [False, False]


def test_retry_failed_reruns_only_the_failures(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Acme
output: out
formats: [html]
documents:
  - name: broken
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0001]}}
    parameters: {{health_config: {tmp_path}/health.yaml}}
  - name: fine
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0002]}}
""")
    plan = load_plan(plan_file)
    first = build_plan(plan, period="2026Q3", echo=lambda line: None)
    assert [o.status for o in first.outcomes] == ["failed", "built"]
    # Fix the cause (the missing settings file), then retry the failure only.
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "health.yaml").write_text((root / "params" / "health.yaml").read_text())
    retried = build_plan(plan, period="2026Q3", retry_failed=True, echo=lambda line: None)
    assert [o.status for o in retried.outcomes] == ["built", "built"]
    assert [o.reused for o in retried.outcomes] == [False, True]


def test_fail_fast_stops_at_the_first_failure(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Acme
output: out
formats: [html]
documents:
  - name: broken
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0001]}}
    parameters: {{health_config: /no/such/health.yaml}}
  - name: later
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0002, A0003, A0004, A0005]}}
""")
    result = build_plan(load_plan(plan_file), period="2026Q3", workers=1, fail_fast=True,
                        echo=lambda line: None)
    statuses = [o.status for o in result.outcomes]
    assert statuses[0] == "failed"
    assert "skipped" in statuses  # documents not started when the build stopped
    assert all(s in ("built", "skipped") for s in statuses[1:])
    index = (result.out_dir / "index.html").read_text()
    assert "not built: the build stopped at a failure" in index
