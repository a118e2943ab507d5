from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cslib.metrics.adoption import account_adoption, seat_utilization, seat_utilization_trend

USAGE = pd.DataFrame(
    {
        "account_id": ["a", "a", "b", "b", "c"],
        "month": pd.PeriodIndex(["2026-06", "2026-09", "2026-06", "2026-09", "2026-09"], freq="M"),
        "active_users": [50, 40, 10, 12, 0],
        "licensed_seats": [100, 100, 20, 20, 0],
    }
)


def test_account_adoption_utilization_and_trend() -> None:
    a = account_adoption(USAGE, month="2026-09", lookback_months=3)
    assert a.loc["a", "seat_utilization"] == pytest.approx(0.4)
    assert a.loc["a", "active_users_change"] == pytest.approx(-0.2)
    assert a.loc["b", "active_users_change"] == pytest.approx(0.2)
    assert np.isnan(a.loc["c", "seat_utilization"])  # no seats: undefined, not 0
    assert np.isnan(a.loc["c", "active_users_change"])  # no earlier row


def test_seat_utilization_is_seat_weighted_and_groups_add_up() -> None:
    total = seat_utilization(USAGE, month="2026-09")
    assert total.loc["total", "seat_utilization"] == pytest.approx(52 / 120)
    groups = pd.Series({"a": "Enterprise", "b": "SMB", "c": "SMB"}, name="segment")
    by = seat_utilization(USAGE, month="2026-09", groups=groups)
    assert by.loc["SMB", "seat_utilization"] == pytest.approx(12 / 20)
    assert by["active_users"].sum() == total.loc["total", "active_users"]
    assert by["accounts"].sum() == 3


def test_seat_utilization_trend_month_by_month() -> None:
    months = pd.period_range("2026-06", "2026-09", freq="M")
    t = seat_utilization_trend(USAGE, months=months)
    assert t.index.name == "month" and list(t.index) == list(months)
    # June: a 50/100 + b 10/20; July and August: no rows; September: a, b and c (0 seats)
    assert t["active_users"].tolist() == [60.0, 0.0, 0.0, 52.0]
    assert t["licensed_seats"].tolist() == [120.0, 0.0, 0.0, 120.0]
    assert t["accounts"].tolist() == [2, 0, 0, 3]
    assert t["seat_utilization"].tolist() == [0.5, None, None, pytest.approx(52 / 120)]
    for month in (months[0], months[-1]):
        one = seat_utilization(USAGE, month=month).loc["total"]
        assert t.loc[month].tolist() == one.tolist()


def test_seat_utilization_trend_reads_text_months_in_any_order() -> None:
    text = USAGE.assign(month=USAGE["month"].astype(str))
    t = seat_utilization_trend(text, months=[pd.Period("2026-09", "M"), pd.Period("2026-06", "M")])
    assert t["seat_utilization"].tolist() == [pytest.approx(52 / 120), 0.5]
