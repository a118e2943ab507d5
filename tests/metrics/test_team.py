"""The team scorecard recomputed from the rows: per CSM, what CS can influence."""

from __future__ import annotations

import pandas as pd
import pytest

from cslib.metrics.risk import risk_flags
from cslib.metrics.team import team_scorecard
from cslib.present.report import resolve_data

pytestmark = pytest.mark.slow

Q = ("2026-07-01", "2026-09-30")


@pytest.fixture(scope="module")
def sample():
    return resolve_data("sample")


@pytest.fixture(scope="module")
def card(sample):
    return team_scorecard(sample, period="2026Q3")


def _csm(sample, frame):
    return frame["account_id"].astype(str).map(sample.accounts.set_index("account_id")["csm"])


def test_satisfaction_is_each_csms_accounts_answers_in_the_period(sample, card):
    t = sample.get("tickets")
    closed = t[pd.to_datetime(t["closed_on"]).between(*Q) & t["csat"].notna()]
    csat = (closed["csat"] >= 4).groupby(_csm(sample, closed)).agg(["mean", "size"])
    n = sample.get("nps")
    answered = n[pd.to_datetime(n["responded_on"]).between(*Q)]
    by = _csm(sample, answered)
    nps = 100 * ((answered["score"] >= 9).groupby(by).mean()
                 - (answered["score"] <= 6).groupby(by).mean())
    for csm in csat.index:
        assert card.loc[csm, "csat"] == pytest.approx(csat.loc[csm, "mean"])
        assert card.loc[csm, "csat_responses"] == csat.loc[csm, "size"]
        assert card.loc[csm, "nps"] == pytest.approx(nps[csm])
        assert card.loc[csm, "small_csat"] == (csat.loc[csm, "size"] < 30)
    assert card.loc["total", "csat_responses"] == len(closed)


def test_goals_advocacy_coverage_and_book_per_csm(sample, card):
    g = sample.get("goals")
    due = g[pd.to_datetime(g["due_on"]).between(*Q)]
    achieved = (due["status"] == "achieved").groupby(_csm(sample, due)).agg(["sum", "size"])
    a = sample.get("advocacy")
    events = _csm(sample, a[pd.to_datetime(a["occurred_on"]).between(*Q)]).value_counts()
    flags = risk_flags(sample, as_of="2026-09-30")
    covered = (~flags["single_threaded"].astype(bool)).groupby(
        flags.index.map(sample.accounts.set_index("account_id")["csm"])).mean()
    for csm in achieved.index:
        assert card.loc[csm, "goals_achieved"] == achieved.loc[csm, "sum"]
        assert card.loc[csm, "goals_due"] == achieved.loc[csm, "size"]
        assert card.loc[csm, "advocacy"] == events.get(csm, 0)
        assert card.loc[csm, "coverage"] == pytest.approx(covered[csm])
    m = sample.mrr
    paying = m[(m["month"] == pd.Period("2026-09", "M")) & (m["mrr"] > 0)]
    book = _csm(sample, paying).value_counts()
    assert card.drop(index="total")["accounts"].to_dict() == book.to_dict()
    assert card.loc["total", "accounts"] == len(paying)
    assert card.loc["total", "advocacy"] == events.sum()


def test_any_account_column_makes_the_groups(sample):
    by_region = team_scorecard(sample, period="2026Q3", by="region")
    assert list(by_region.index) == [*sorted(set(sample.accounts["region"])), "total"]
    assert by_region.loc["total", "csat"] == team_scorecard(sample, period="2026Q3").loc[
        "total", "csat"]
