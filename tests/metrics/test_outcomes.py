from __future__ import annotations

import math

import pandas as pd
import pytest

from cslib.metrics.outcomes import advocacy_summary, goal_progress, goal_summary, renewal_rate

ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["a", "b", "c", "d"],
        "segment": ["E", "E", "S", "S"],
        "renewal_date": pd.to_datetime(["2026-07-15", "2026-08-01", "2026-09-30", "2026-05-01"]),
    }
)
MRR = pd.DataFrame(
    {
        "account_id": ["a", "a", "b", "c", "d", "d"],
        "month": pd.PeriodIndex(
            ["2026-06", "2026-08", "2026-07", "2026-08", "2026-06", "2026-09"], freq="M"
        ),
        "mrr": [100.0, 120.0, 50.0, 30.0, 10.0, 10.0],
    }
)


def test_renewal_rate_logo_and_revenue() -> None:
    # a renews (paying in August), b does not (nothing in September); c's month after
    # (October) lies beyond the data: pending. d's renewal is outside the quarter.
    r = renewal_rate(ACCOUNTS, MRR, period="2026Q3").loc["total"]
    assert (r["renewals_due"], r["renewed"], r["renewals_pending"]) == (2, 1, 1)
    assert r["logo_renewal_rate"] == pytest.approx(0.5)
    assert r["revenue_renewal_rate"] == pytest.approx(100 / 150)


def test_renewal_rate_by_group_and_nothing_due() -> None:
    groups = ACCOUNTS.set_index("account_id")["segment"]
    r = renewal_rate(ACCOUNTS, MRR, period="2026Q3", groups=groups)
    assert r.loc["E", "renewals_due"] == 2
    assert r.loc["S", "logo_renewal_rate"] is None  # only a pending renewal


def test_goal_summary() -> None:
    goals = pd.DataFrame(
        {
            "account_id": ["a", "a", "b", "b"],
            "due_on": pd.to_datetime(["2026-07-01", "2026-09-30", "2026-08-15", "2027-01-01"]),
            "status": ["achieved", "missed", "on_track", "at_risk"],
        }
    )
    g = goal_summary(goals, period="2026Q3").loc["total"]
    assert (g["goals_due"], g["goals_achieved"]) == (3, 1)
    assert g["achieved_rate"] == pytest.approx(1 / 3)
    assert (g["open_goals"], g["on_track"]) == (2, 1)


def test_advocacy_trailing_twelve_months() -> None:
    events = pd.DataFrame(
        {
            "account_id": ["a", "a", "b", "c"],
            "occurred_on": pd.to_datetime(["2026-09-01", "2025-06-01", "2026-01-10", "2026-02-01"]),
            "kind": ["referral", "review", "case_study", "review"],
        }
    )
    s = advocacy_summary(events, account_ids=pd.Index(["a", "b", "d"]), as_of="2026-09-30")
    row = s.loc["total"]
    assert (row["accounts"], row["advocates"]) == (3, 2)  # c is not in the accounts asked for
    assert row["advocate_share"] == pytest.approx(2 / 3)
    assert (row["referral"], row["review"], row["case_study"]) == (1, 0, 1)  # 2025-06 too old


def test_earlier_renewals_are_inferred_from_the_recorded_next_one() -> None:
    # x renews every 29 February... of 2028 next: its 2027 and 2026 renewals fall on
    # 28 February. y's next renewal is in 2027-08, so it renewed in 2026-08 (paying
    # before and after); z left at its 2026-08 renewal (last recorded date).
    accounts = pd.DataFrame(
        {
            "account_id": ["x", "y", "z"],
            "renewal_date": pd.to_datetime(["2028-02-29", "2027-08-10", "2026-08-10"]),
        }
    )
    months = ["2026-01", "2026-02", "2026-03", "2026-07", "2026-08", "2026-09"]
    mrr = pd.DataFrame(
        {
            "account_id": ["x"] * 3 + ["y"] * 3 + ["z", "z"],
            "month": pd.PeriodIndex([*months, "2026-07", "2026-08"], freq="M"),
            "mrr": [10.0, 10.0, 10.0, 20.0, 20.0, 25.0, 5.0, 5.0],
        }
    )
    q1 = renewal_rate(accounts, mrr, period="2026Q1").loc["total"]
    assert (q1["renewals_due"], q1["renewed"]) == (1, 1)
    q3 = renewal_rate(accounts, mrr, period="2026Q3").loc["total"]
    assert (q3["renewals_due"], q3["renewed"]) == (2, 1)
    assert q3["revenue_renewal_rate"] == pytest.approx(20 / 25)


def test_renewal_rate_without_renewal_dates_has_every_column() -> None:
    r = renewal_rate(ACCOUNTS.drop(columns="renewal_date"), MRR, period="2026Q3")
    assert list(r.index) == ["total"]
    assert r.loc["total", "renewals_due"] == 0
    assert r.loc["total", "logo_renewal_rate"] is None
    assert r.loc["total", "revenue_renewal_rate"] is None


@pytest.mark.parametrize(
    ("baseline", "target", "current", "expected"),
    [
        (10, 50, 30, 0.5),  # halfway
        (4.7, 3.3, 3.1, 1.0),  # lower is better, past the target: clipped to 100%
        (10, 50, 5, 0.0),  # behind the baseline: clipped to 0%
        (10, 50, 10, 0.0),
        (10, 10, 12, math.nan),  # target = baseline: no progress scale
        (None, 50, 30, math.nan),  # no numeric baseline
        (10, None, 30, math.nan),
    ],
)
def test_goal_progress(baseline, target, current, expected) -> None:
    goals = pd.DataFrame({"baseline": [baseline], "target": [target], "current": [current]})
    got = float(goal_progress(goals).iloc[0])
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected and math.copysign(1.0, got) == 1.0  # never "-0%"


def test_a_goal_due_after_the_snapshot_is_in_progress_not_missed():
    """The data records statuses on its extract date; a QBR of an earlier quarter must not
    call a goal "missed" before its due date."""
    from cslib.metrics.outcomes import status_on

    goals = pd.DataFrame({
        "status": ["missed", "missed", "achieved", "on_track", "missed"],
        "due_on": pd.to_datetime(["2026-09-15", "2026-10-15", "2026-10-20", "2026-08-01",
                                  "2026-09-30"]),
    })
    assert list(status_on(goals, "2026-09-30")) == [
        "missed", "in_progress", "achieved", "on_track", "missed"]
