"""Crash safety: a build killed at any moment leaves no torn file; Ctrl-C stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import communicate_or_dump

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "fault_probe.ipynb"
CSLIB = [sys.executable, "-m", "cslib.cli"]
N = 16


def _plan(tmp_path: Path, *, stall: bool = False) -> Path:
    """The plan: N QBRs; with ``stall``, first a document that never ends (so a signal is
    always sent to a build that is still running, however busy the machine is)."""
    plan_file = tmp_path / "plan.yaml"
    stalled = f"""  - name: stall
    notebook: {PROBE}
    for_each: account
    accounts: {{ids: [A0001], paying: false}}
    parameters: {{fault: hang, target: A0001}}
""" if stall else ""
    plan_file.write_text(f"""company: Larkspur Analytics
output: out
documents:
{stalled}  - name: qbr
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{top_arr: {N}}}
""")
    return plan_file


def _start(plan: Path) -> subprocess.Popen[str]:
    # A session of its own, as a terminal's foreground job: signals go to the whole group.
    # Ctrl-C as a terminal delivers it: a test run started in the background (where the
    # shell makes programs ignore SIGINT) must not pass that on to the build.
    return subprocess.Popen([*CSLIB, "build", str(plan), "--period", "2026Q3", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_documents(out: Path, proc: subprocess.Popen[str], at_least: int) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(out.glob("qbr/*.pdf"))) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError(f"the build wrote fewer than {at_least} documents in time")


def _assert_every_file_complete(out: Path) -> int:
    """Every HTML ends its document; every PDF opens and has its pages. Returns the count."""
    documents = list(out.glob("qbr/*.html")) + list(out.glob("qbr/*.pdf"))
    for path in documents:
        if path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
        else:
            pdf = pdfium.PdfDocument(path.read_bytes())
            assert len(pdf) >= 2, path
            assert "Quarterly business review" in pdf[0].get_textpage().get_text_range(), path
            pdf.close()
    return len(documents)


def test_a_build_killed_mid_way_leaves_only_whole_files_and_the_next_run_finishes(tmp_path):
    plan = _plan(tmp_path)
    out = tmp_path / "out" / "sample" / "2026Q3"
    proc = _start(plan)
    _wait_for_documents(out, proc, 3)
    os.killpg(proc.pid, signal.SIGKILL)  # the build and its workers, at once
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)  # let orphaned forks see their parent gone
    written = _assert_every_file_complete(out)
    assert 0 < written < 2 * N
    done = {json.loads(line)["key"] for line in (out / ".build-journal.jsonl").read_text()
            .splitlines() if line.endswith("}")}
    assert done  # the journal kept what the killed build finished

    again = subprocess.run([*CSLIB, "build", str(plan), "--period", "2026Q3"],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{N} of {N} documents ready ({len(done)} up to date, not rebuilt)" in again.stdout
    assert _assert_every_file_complete(out) == 2 * N
    assert not list(out.rglob("*.tmp"))  # no half-written temporary file left behind
    assert not (out / ".build-journal.jsonl").exists()
    ledger = json.loads((out / "build.json").read_text())
    assert [d["status"] for d in ledger["documents"]] == ["built"] * N


def test_ctrl_c_stops_the_build_cleanly_and_says_what_was_done(tmp_path):
    plan = _plan(tmp_path, stall=True)
    out = tmp_path / "out" / "sample" / "2026Q3"
    proc = _start(plan)
    _wait_for_documents(out, proc, 3)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = communicate_or_dump(proc, 120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "Interrupted: " in stderr
    assert " not built; every file written is complete and recorded." in stderr
    assert "  not built: stall/a0001" in stderr and ", qbr/" in stderr
    documents = json.loads((out / "build.json").read_text())["documents"]
    assert [d["status"] for d in documents if d["document"] == "stall"] == ["skipped"]
    statuses = [d["status"] for d in documents if d["document"] == "qbr"]
    assert len(statuses) == N and "built" in statuses and "skipped" in statuses
    assert {d["error"] for d in documents if d["status"] == "skipped"} == {
        "not built: the build was interrupted"}
    assert _assert_every_file_complete(out) == 2 * statuses.count("built")

    again = subprocess.run([*CSLIB, "build", str(plan), "--period", "2026Q3", "--only", "qbr"],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"({statuses.count('built')} up to date, not rebuilt)" in again.stdout
    assert _assert_every_file_complete(out) == 2 * N
