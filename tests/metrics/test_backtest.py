"""The health backtest: no look-ahead, AUC as Mann-Whitney, rates and lift recomputed."""

from __future__ import annotations

import csv
import io
import itertools
import json

import numpy as np
import pandas as pd
import pytest

import cslib
from cslib.cli import main
from cslib.errors import PeriodError
from cslib.metrics.backtest import (
    auc,
    backtest_frame,
    backtest_quarters,
    backtest_summary,
    known_on,
    suggested_weights,
)
from cslib.metrics.health import HealthConfig, account_measures, health_scores
from cslib.present.report import resolve_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample():
    return resolve_data("sample")


@pytest.fixture(scope="module")
def frame(sample):
    return backtest_frame(sample, backtest_quarters(sample, first="2025Q3", last="2026Q2"))


def test_auc_is_the_share_of_lost_kept_pairs_ranked_right():
    rng = np.random.default_rng(7)
    risk = rng.integers(0, 5, 60).astype(float)  # many ties
    lost = rng.random(60) < 0.3
    pairs = [(a, b) for a, b in itertools.product(risk[lost], risk[~lost])]
    want = np.mean([1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs])
    assert auc(risk, lost) == pytest.approx(want)
    assert auc(risk, np.zeros(60, bool)) is None


def test_quarters_need_a_quarter_of_history_before_them(sample):
    qs = backtest_quarters(sample)
    assert qs[0].first_month - 4 >= sample.first_month  # its start book has 3 months before it
    assert qs[-1].last_month <= sample.last_month
    with pytest.raises(PeriodError, match="no quarter to backtest"):
        backtest_quarters(sample, first="2030Q1")


def test_known_on_drops_every_row_dated_after_the_day(sample):
    day = pd.Timestamp("2025-06-30")
    seen = known_on(sample, day)
    assert seen.mrr["month"].max() == pd.Period("2025-06", "M")
    assert (pd.to_datetime(seen.get("nps")["responded_on"]) <= day).all()
    assert (pd.to_datetime(seen.get("activities")["occurred_on"]) <= day).all()
    t = seen.get("tickets")
    assert (pd.to_datetime(t["opened_on"]) <= day).all()
    closed_later = pd.to_datetime(t["closed_on"]).isna()
    assert t.loc[closed_later, "csat"].isna().all()
    assert seen.get("goals") is None  # statuses are not dated
    recorded = pd.to_datetime(sample.accounts["renewal_date"])
    renew = pd.to_datetime(seen.accounts["renewal_date"])
    later = recorded > day
    assert ((renew[later] > day) & (renew[later] <= day + pd.DateOffset(years=1))).all()
    assert (renew[later].dt.strftime("%m-%d") == recorded[later].dt.strftime("%m-%d")).all()
    assert renew[~later].equals(recorded[~later])


def test_a_backtest_score_ignores_what_happened_after_its_day(sample, frame):
    """Adding damning data inside the quarter does not change the score at its start."""
    q = "2026Q1"
    rows = frame[frame["quarter"] == q].set_index("account_id")
    target = rows.index[0]
    nps = sample.get("nps")
    worse = pd.concat([nps, pd.DataFrame({
        "response_id": [f"late{i}" for i in range(5)], "account_id": target,
        "responded_on": "2026-02-15", "score": 0})], ignore_index=True)  # fmt: skip
    changed = cslib.from_frames({**sample.tables, "nps": worse})
    again = backtest_frame(changed, backtest_quarters(changed, first=q, last=q))
    assert again.set_index("account_id").loc[target, "health_score"] == \
        rows.loc[target, "health_score"]
    # ...and the score equals the health score computed on the data cut at that day.
    day = pd.Timestamp("2025-12-31")
    direct = health_scores(account_measures(known_on(sample, day), as_of=day),
                           config=HealthConfig.default())
    pd.testing.assert_series_equal(rows["health_score"], direct["health_score"].reindex(rows.index),
                                   check_names=False)


def test_outcome_is_a_loss_during_the_quarter(sample, frame):
    rows = frame[frame["quarter"] == "2026Q2"].set_index("account_id")
    m = sample.mrr.assign(account_id=sample.mrr["account_id"].astype(str))
    start = m[(m["month"] == pd.Period("2026-03", "M")) & (m["mrr"] > 0)].set_index("account_id")
    end = m[m["month"] == pd.Period("2026-06", "M")].set_index("account_id")["mrr"]
    assert set(rows.index) == set(start.index)
    lost = end.reindex(start.index).fillna(0) < start["mrr"]
    assert rows["lost"].sort_index().tolist() == lost.sort_index().tolist()


def test_summary_rates_lift_and_flags_recomputed(frame):
    s = backtest_summary(frame)
    overall = frame["lost"].mean()
    assert s["loss_rate"] == pytest.approx(overall)
    for band, g in frame.groupby("health_band"):
        assert s["bands"][band]["loss_rate"] == pytest.approx(g["lost"].mean())
        assert s["bands"][band]["lift"] == pytest.approx(g["lost"].mean() / overall)
    f = frame["renewal_at_risk"].fillna(False).astype(bool)
    assert s["flags"]["renewal_at_risk"]["precision"] == pytest.approx(frame["lost"][f].mean())
    assert s["flags"]["renewal_at_risk"]["recall"] == pytest.approx(f[frame["lost"]].mean())
    assert s["auc"] == pytest.approx(auc(-frame["health_score"], frame["lost"]))
    assert 0.5 < s["auc"] < 1  # the sample's score does warn, imperfectly


def test_suggested_weights_are_cross_validated_and_only_suggested(frame):
    config = HealthConfig.default()
    w = suggested_weights(frame, config)
    assert w["fitted"] and w["folds"] == 4
    assert sum(w["weights"].values()) == pytest.approx(100, abs=0.5)
    assert all(v >= 0 for v in w["weights"].values())
    assert 0 <= w["cv_auc"] <= 1 and w["current_auc"] == pytest.approx(
        auc(-frame["health_score"], frame["lost"]))
    few = frame.assign(lost=False)
    assert not suggested_weights(few, config)["fitted"]


def test_cli_prints_the_backtest_as_json_csv_and_table(capsys):
    assert main(["health", "backtest", "--data", "sample", "--from", "2026Q2",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["quarters"] == ["2026Q2", "2026Q3"] and set(out["bands"]) >= {"red", "green"}
    assert main(["health", "backtest", "--data", "sample", "--from", "2026Q3",
                 "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:7] == ["section", "name", "accounts", "lost", "loss_rate", "lift", "auc"]
    assert any(row[:2] == ["flag", "emergency"] for row in rows)
    assert main(["health", "backtest", "--data", "sample", "--from", "2031Q1"]) != 0
    assert "no quarter to backtest" in capsys.readouterr().err
