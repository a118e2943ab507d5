from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat

from cslib.build.plan import load_plan
from cslib.build.runner import build_plan, write_atomic

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


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
