"""A warm build process over pipes (what a Dask worker runs): builds, crashes, time limits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cslib.pipeline.plan import Job
from cslib.pipeline.scope import Slicer
from cslib.pipeline.warm import WarmProcess
from cslib.present.report import resolve_data

pytestmark = pytest.mark.slow

PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "fault_probe.ipynb"


def _job(account: str, fault: str = "") -> tuple[Job, tuple]:
    params = {"account_id": account, "period": "2026Q3", "company": "Larkspur Analytics",
              "data": "sample", "fault": fault, "target": account}
    job = Job(f"probe/{account.lower()}", "probe", account, ((PROBE, params),), ("html",))
    slicer = Slicer(resolve_data("sample"), pd.Period("2026-09", freq="M"))
    return job, slicer.slices(job)


def test_a_warm_process_builds_fails_alone_and_recovers():
    warm = WarmProcess(timeout=20)
    try:
        built = warm.build(*_job("A0002"))
        assert built.outcome.status == "built", built.outcome.error
        assert b"FAULT PROBE OK A0002" in built.files["html"]
        dead = warm.build(*_job("A0003", "kill-worker"))  # kills the warm process itself
        assert dead.outcome.status == "crashed"
        assert "the process building it died (killed by SIGKILL)" in dead.outcome.error
        again = warm.build(*_job("A0004"))  # a new warm process takes over
        assert again.outcome.status == "built", again.outcome.error
    finally:
        warm.stop()


def test_a_hung_document_is_stopped_at_the_time_limit():
    warm = WarmProcess(timeout=5)
    try:
        hung = warm.build(*_job("A0005", "hang"))
        assert hung.outcome.status == "failed"
        assert hung.outcome.error.startswith("timed out: still running after 5 s")
        assert warm.build(*_job("A0006")).outcome.status == "built"
    finally:
        warm.stop()
