"""The loss review: losses by DESIGN's rule, signals without look-ahead, recall and precision."""

from __future__ import annotations

import pandas as pd
import pytest

import cslib
from cslib.metrics.backtest import known_on
from cslib.metrics.health import HealthConfig, account_measures, health_scores
from cslib.metrics.losses import early_warning, period_losses, signal_history, warning_day
from cslib.metrics.risk import risk_flags
from cslib.present.report import resolve_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample():
    return resolve_data("sample")


def test_a_loss_is_a_start_book_account_ending_lower(sample):
    losses = period_losses(sample, period="2026Q3")
    m = sample.mrr.assign(account_id=sample.mrr["account_id"].astype(str))
    start = m[(m["month"] == pd.Period("2026-06", "M")) & (m["mrr"] > 0)].set_index(
        "account_id")["mrr"]
    end = m[m["month"] == pd.Period("2026-09", "M")].set_index("account_id")["mrr"].reindex(
        start.index).fillna(0)
    lost = start[end < start]
    assert set(losses.index) == set(lost.index)
    assert losses["lost_arr"].sum() == pytest.approx(12 * (lost - end[lost.index]).sum())
    assert (losses.loc[end[lost.index] == 0, "kind"] == "churn").all()
    assert losses["lost_arr"].is_monotonic_decreasing


def test_reasons_come_from_the_churn_events_of_the_period(sample):
    losses = period_losses(sample, period="2026Q3")
    ev = sample.get("churn_events")
    ev = ev[pd.to_datetime(ev["occurred_on"]).between("2026-07-01", "2026-10-31")]
    last = ev.sort_values("occurred_on").groupby(ev["account_id"].astype(str)).tail(1)
    want = last.set_index(last["account_id"].astype(str))["reason"]
    for aid, r in losses.iterrows():
        assert r["reason"] == want.get(aid), aid
    assert losses["reason"].notna().sum() >= len(losses) // 2
    bare = cslib.from_frames({k: v for k, v in sample.tables.items() if k != "churn_events"})
    assert period_losses(bare, period="2026Q3")["reason"].isna().all()


def test_signals_are_read_from_the_data_known_at_each_month_end(sample):
    history = signal_history(sample, period="2026Q3", months=2)
    assert sorted(history.index.get_level_values("month").unique()) == [
        pd.Period("2026-07", "M"), pd.Period("2026-08", "M")]
    day = pd.Timestamp("2026-07-31")
    seen = known_on(sample, day)
    want = health_scores(account_measures(seen, as_of=day), config=HealthConfig.default())
    got = history.xs(pd.Period("2026-07", "M"), level="month")
    pd.testing.assert_series_equal(got["health_score"], want["health_score"].reindex(got.index),
                                   check_names=False)
    flags = risk_flags(seen, as_of=day)
    assert got["flags"].tolist() == flags["flags"].reindex(got.index).tolist()


def test_early_warning_recall_and_precision_recomputed(sample):
    w = early_warning(sample, period="2026Q3")
    assert w["day"] == warning_day("2026Q3") == pd.Timestamp("2026-06-30")
    day = w["day"]
    seen = known_on(sample, day)
    health = health_scores(account_measures(seen, as_of=day), config=HealthConfig.default())
    flags = risk_flags(seen, as_of=day)
    warned = set(health.index[health["health_band"] == "red"]) | set(
        flags.index[flags["flags"] > 0])
    losses = period_losses(sample, period="2026Q3")
    hit = losses.index.isin(list(warned))
    assert w["recall"] == pytest.approx(losses.loc[hit, "lost_arr"].sum()
                                        / losses["lost_arr"].sum())
    m = sample.mrr
    start = set(m.loc[(m["month"] == pd.Period("2026-06", "M")) & (m["mrr"] > 0), "account_id"])
    book = warned & start
    assert w["warned"] == len(book)
    assert w["precision"] == pytest.approx(hit.sum() / len(book))
    assert set(w["unwarned"]) == set(losses.index[~hit])
    assert warning_day("2026-09") == pd.Timestamp("2026-06-30")  # Jul 2 -> the month-end before


def _with_notices(sample):
    """The sample plus three churn events in 2026Q3: two on a paying account, one on a loss."""
    from cslib.metrics.losses import period_losses as losses_of

    lost = losses_of(sample, period="2026Q3").index[0]
    m = sample.mrr.assign(account_id=sample.mrr["account_id"].astype(str))
    end = m[(m["month"] == pd.Period("2026-09", "M")) & (m["mrr"] > 0)]
    start = m[(m["month"] == pd.Period("2026-06", "M"))].set_index("account_id")["mrr"]
    kept = end[end["mrr"].to_numpy() >= start.reindex(end["account_id"]).fillna(0).to_numpy()]
    paying = kept["account_id"].iloc[0]
    extra = pd.DataFrame({
        "event_id": ["X1", "X2", "X3", "X4"],
        "account_id": [paying, paying, lost, paying],
        "occurred_on": pd.to_datetime(["2026-07-15", "2026-09-02", "2026-08-01", "2026-10-02"]),
        "kind": ["churn"] * 4,
        "reason": ["pricing", None, "budget", "after the period"],
    })
    ev = sample.get("churn_events")
    tables = dict(sample.tables, churn_events=pd.concat(
        [ev.assign(occurred_on=pd.to_datetime(ev["occurred_on"])), extra], ignore_index=True))
    return cslib.from_frames(tables), paying, lost, float(kept.set_index("account_id").loc[
        paying, "mrr"])


def test_churn_notices_are_the_period_events_of_accounts_that_kept_paying(sample):
    from cslib.metrics.losses import churn_notices

    data, paying, lost, mrr = _with_notices(sample)
    base = set(churn_notices(sample, period="2026Q3")["account_id"])
    notices = churn_notices(data, period="2026Q3")
    mine = notices[notices["account_id"] == paying]
    assert len(notices) == len(churn_notices(sample, period="2026Q3")) + 2
    assert list(mine["occurred_on"]) == list(pd.to_datetime(["2026-09-02", "2026-07-15"]))
    assert mine["end_mrr"].tolist() == [mrr, mrr]
    assert lost not in set(notices["account_id"]) and paying not in base
    assert pd.isna(mine["reason"].iloc[0]) and mine["reason"].iloc[1] == "pricing"
    bare = cslib.from_frames({k: v for k, v in sample.tables.items() if k != "churn_events"})
    assert churn_notices(bare, period="2026Q3").empty


def test_every_internal_document_says_how_many_churn_events_kept_paying(sample):
    from cslib.present import narrative
    from cslib.present.report import open_report

    data, paying, _, mrr = _with_notices(sample)
    company = open_report("company", data=data, period="2026Q3", company="Larkspur")
    note = narrative.churn_data_note(company)
    assert note is not None and note.tone == "warning"
    assert "2 churn events recorded in 2026Q3 name 1 account" in note.text()
    assert "logo churn, NRR and GRR here count these accounts as retained" in note.text()
    review = open_report("customer", account_id=paying, data=data, period="2026Q3",
                         company="Larkspur", audience="internal")
    text = narrative.churn_data_note(review).text()
    assert "2 churn events were recorded in 2026Q3, the latest on 2026-09-02" in text
    assert "(no reason recorded)" in text and f"${mrr:,.0f} MRR in 2026-09" in text
    from cslib.present import meeting

    points = meeting.talking_points(review).text()
    assert "Churn recorded on 2026-09-02 while the account still pays" in points
    qbr = open_report("customer", account_id=paying, data=data, period="2026Q3",
                      company="Larkspur")
    assert narrative.churn_data_note(qbr) is None  # the customer never reads it
    assert narrative.churn_data_note(open_report(
        "company", data=sample, period="2026Q3", company="Larkspur")) is None
