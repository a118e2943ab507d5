"""Computed once, fanned out: the slicer's book-wide figures equal what each slice gives."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pandas as pd
import pytest

from cslib.pipeline.fork import build_job_forked
from cslib.pipeline.plan import Job
from cslib.pipeline.scope import Slicer
from cslib.present import figures
from cslib.present.report import open_report, resolve_data

pytestmark = pytest.mark.slow

QBR = Path(__file__).resolve().parents[2] / "notebooks" / "customer_qbr.ipynb"
MONTH = pd.Period("2026-09", freq="M")


@pytest.fixture(scope="module")
def company():
    return resolve_data("sample")


@pytest.fixture(scope="module")
def slicer(company):
    return Slicer(company, MONTH)


def _without_figures(part):
    return dataclasses.replace(part, scope=dataclasses.replace(part.scope, figures={}))


def _report(part, account_id: str, period: str = "2026Q3"):
    return open_report("customer", data=part, account_id=account_id, period=period,
                       company="Larkspur Analytics")


def test_a_slice_carries_only_its_own_rows_of_the_books_figures(slicer):
    part = slicer.for_parameters({"account_id": "A0003", "period": "2026Q3"})
    own = part.scope.figures
    assert own["health"].index.tolist() == ["A0003"] == own["risk"].index.tolist()
    assert own["as_of"] == pd.Timestamp("2026-09-30")
    # Slices travel pickled to the warm workers and to Dask: the figures with them.
    again = pickle.loads(pickle.dumps(part))
    pd.testing.assert_frame_equal(again.scope.figures["health"], own["health"])
    # The book itself stays in the build's process: every account, once per day and settings.
    book = slicer.book_figures({"period": "2026Q3"})
    assert len(book["health"]) > 300 and book is slicer.book_figures({"period": "2026Q3"})


def test_the_report_uses_the_carried_figures_instead_of_computing(slicer, monkeypatch):
    part = slicer.for_parameters({"account_id": "A0004", "period": "2026Q3"})

    def refuse(*args, **kwargs):
        raise AssertionError("computed again from the slice")

    monkeypatch.setattr(figures, "account_measures", refuse)
    monkeypatch.setattr(figures, "risk_flags", refuse)
    report = _report(part, "A0004")
    assert figures.health_frame(report).index.tolist() == ["A0004"]
    assert figures.risk_frame(report).index.tolist() == ["A0004"]
    # A report for another day than the figures hold computes its own (and so calls them).
    earlier = _report(part, "A0004", period="2026Q2")
    with pytest.raises(AssertionError, match="computed again"):
        figures.health_frame(earlier)


@pytest.mark.parametrize("period", ["2026Q3", "2025Q4"])
def test_the_books_figures_equal_each_slices_own(company, slicer, period):
    """Every 13th account and eight churned ones: health (measures, scores, band) and flags."""
    ids = company.accounts["account_id"].astype(str).tolist()
    churned = set(ids) - set(company.mrr.loc[company.mrr["month"] == MONTH, "account_id"]
                             .astype(str))
    for account_id in sorted(set(ids[::13]) | set(sorted(churned)[:8])):
        part = slicer.for_parameters({"account_id": account_id, "period": period})
        carried, computed = _report(part, account_id, period), _report(
            _without_figures(part), account_id, period)
        assert carried.dataset.scope.figures  # the fast path is the one under test
        pd.testing.assert_frame_equal(figures.health_frame(carried),
                                      figures.health_frame(computed), obj=account_id)
        pd.testing.assert_frame_equal(figures.risk_frame(carried),
                                      figures.risk_frame(computed), obj=account_id)


def test_a_qbr_is_byte_identical_with_or_without_the_carried_figures(slicer, monkeypatch):
    """The documents did not change: the same HTML and PDF bytes either way."""
    job = Job(key="qbr/A0004", document="qbr", title="QBR",
              parts=((QBR, {"account_id": "A0004", "period": "2026Q3",
                            "company": "Larkspur Analytics"}),),
              formats=("html", "pdf"))
    part = slicer.for_parameters(job.parts[0][1])
    # In a fork, as the warm executor builds: the slice reaches the notebook in memory.
    # The fork inherits this patch: the notebook must take the carried figures.
    with monkeypatch.context() as patch:
        patch.setattr(figures, "account_measures", None)
        fast = build_job_forked(job, slices=(part,))
        refused = build_job_forked(job, slices=(_without_figures(part),))
    assert refused.outcome.status == "failed"  # the patch does bite when it computes
    slow = build_job_forked(job, slices=(_without_figures(part),))
    assert fast.outcome.status == slow.outcome.status == "built", fast.outcome.error
    assert fast.files["html"] == slow.files["html"]
    assert fast.files["pdf"] == slow.files["pdf"]
