"""Computed once, fanned out: the slicer's book-wide figures equal what each slice gives."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

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

    for name in ("account_measures", "risk_flags", "ticket_summary", "satisfaction_summary",
                 "trailing_satisfaction"):
        monkeypatch.setattr(figures, name, refuse)
    report = _report(part, "A0004")
    assert figures.health_frame(report).index.tolist() == ["A0004"]
    assert figures.risk_frame(report).index.tolist() == ["A0004"]
    tickets, ratings = figures.support_figures(report, report.period)
    assert tickets["opened"] == 2 and ratings["csat_responses"] == 1
    assert figures.support_figures(report, report.period.shift(-1))[0]["opened"] == 1
    assert figures.satisfaction_ttm(report)["csat_responses"] == 4
    # A report for another day than the figures hold computes its own (and so calls them).
    earlier = _report(part, "A0004", period="2026Q2")
    with pytest.raises(AssertionError, match="computed again"):
        figures.health_frame(earlier)


@pytest.mark.parametrize("period", ["2026Q3", "2025Q4"])
def test_the_books_figures_equal_each_slices_own(company, slicer, period):
    """Every 13th account, eight churned ones and four without tickets: every carried figure.

    Health (measures, scores, band), flags, support (tickets and ratings, the
    period and the one before) and the trailing year's satisfaction.
    """
    ids = company.accounts["account_id"].astype(str).tolist()
    churned = set(ids) - set(company.mrr.loc[company.mrr["month"] == MONTH, "account_id"]
                             .astype(str))
    quiet = sorted(set(ids) - set(company.get("tickets")["account_id"].astype(str)))[:4]
    assert quiet  # accounts with no ticket: their rows are the metric's "no data" row
    for account_id in sorted(set(ids[::13]) | set(sorted(churned)[:8]) | set(quiet)):
        part = slicer.for_parameters({"account_id": account_id, "period": period})
        carried, computed = _report(part, account_id, period), _report(
            _without_figures(part), account_id, period)
        assert carried.dataset.scope.figures  # the fast path is the one under test
        pd.testing.assert_frame_equal(figures.health_frame(carried),
                                      figures.health_frame(computed), obj=account_id)
        pd.testing.assert_frame_equal(figures.risk_frame(carried),
                                      figures.risk_frame(computed), obj=account_id)
        for p in (carried.period.shift(-1), carried.period):
            for mine, theirs in zip(figures.support_figures(carried, p),
                                    figures.support_figures(computed, p), strict=True):
                pd.testing.assert_series_equal(mine, theirs, check_names=False, obj=account_id)
        pd.testing.assert_series_equal(figures.satisfaction_ttm(carried),
                                       figures.satisfaction_ttm(computed), check_names=False,
                                       obj=account_id)


_BOTH_WAYS = """
import dataclasses, hashlib, json, sys
from pathlib import Path
import pandas as pd
from cslib.pipeline.fork import build_job_forked
from cslib.pipeline.plan import Job
from cslib.pipeline.scope import Slicer
from cslib.present import figures
from cslib.present.report import resolve_data

params = {"account_id": "A0004", "period": "2026Q3", "company": "Larkspur Analytics"}
job = Job(key="qbr/A0004", document="qbr", title="QBR", parts=((Path(sys.argv[1]), params),),
          formats=("html", "pdf"))
part = Slicer(resolve_data("sample"), pd.Period("2026-09", freq="M")).for_parameters(params)
bare = dataclasses.replace(part, scope=dataclasses.replace(part.scope, figures={}))
out = {}
computes = figures.account_measures
figures.account_measures = None  # each fork inherits this: computing would fail
out["carried"] = build_job_forked(job, slices=(part,))
out["refused"] = build_job_forked(job, slices=(bare,))
figures.account_measures = computes
out["computed"] = build_job_forked(job, slices=(bare,))
print(json.dumps({k: [b.outcome.status, {f: hashlib.sha256(v).hexdigest()
                                         for f, v in b.files.items()}]
                  for k, b in out.items()}))
"""


def test_a_qbr_is_byte_identical_with_or_without_the_carried_figures():
    """The documents did not change: the same HTML and PDF bytes either way.

    Built in forks as the warm executor does (the slice reaches the notebook in
    memory), from a fresh single-threaded process: forking the test process
    itself (pytest-xdist runs threads in it) can deadlock.
    """
    done = subprocess.run([sys.executable, "-c", _BOTH_WAYS, str(QBR)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["refused"][0] == "failed"  # the patch does bite when the report computes
    assert got["carried"][0] == got["computed"][0] == "built"
    assert set(got["carried"][1]) == {"html", "pdf"}
    assert got["carried"][1] == got["computed"][1]
