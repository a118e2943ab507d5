from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cslib.metrics.cohorts import cohort_retention

MRR = pd.DataFrame(
    {
        "account_id": ["a", "a", "a", "b", "b", "c", "d"],
        "month": ["2026-01", "2026-02", "2026-03", "2026-01", "2026-03", "2026-02", "2026-03"],
        "mrr": [10.0, 10.0, 20.0, 5.0, 5.0, 7.0, 3.0],
    }
)


def test_logo_cohorts_by_first_paying_month() -> None:
    t = cohort_retention(MRR, last_month="2026-03")
    assert list(t.index.astype(str)) == ["2026-01", "2026-02", "2026-03"]
    assert t["accounts"].tolist() == [2, 1, 1]
    # January cohort: a and b at age 0, only a at age 1 (b has no February row = 0), both at 2.
    assert t.loc[pd.Period("2026-01", "M"), [0, 1, 2]].tolist() == [1.0, 0.5, 1.0]
    # February cohort (c) churned at age 1; age 2 lies after the last month.
    row = t.loc[pd.Period("2026-02", "M")]
    assert row[0] == 1.0 and row[1] == 0.0 and np.isnan(row[2])


def test_revenue_cohorts_are_net_of_expansion() -> None:
    t = cohort_retention(MRR, last_month="2026-03", measure="revenue")
    assert t.loc[pd.Period("2026-01", "M"), [0, 1, 2]].tolist() == pytest.approx(
        [1.0, 10 / 15, 25 / 15]
    )


def test_months_after_last_month_are_ignored_and_max_age_cuts() -> None:
    t = cohort_retention(MRR, last_month="2026-02", max_age=0)
    assert list(t.columns) == ["accounts", 0]
    assert list(t.index.astype(str)) == ["2026-01", "2026-02"]


def test_unknown_measure_is_refused() -> None:
    with pytest.raises(ValueError) as err:
        cohort_retention(MRR, last_month="2026-03", measure="arr")
    assert str(err.value) == "`measure` must be 'logo' or 'revenue', got 'arr'."


def test_no_paying_month_by_last_month_gives_an_empty_table() -> None:
    # fails before: KeyError 0 (the table of a customer who starts paying after the period)
    t = cohort_retention(MRR, last_month="2025-12")
    assert t.empty and list(t.columns) == ["accounts"]
    assert t.index.name == "cohort" and t.index.freqstr == "M"


# Quarterly cohorts: the books read every third month, ending with last_month --------------------

QUARTERLY = pd.DataFrame(
    {
        # a: pays at the end of 2025Q4, 2026Q1 (more), not 2026Q2; b: joins in 2026Q1's last month
        "account_id": ["a", "a", "a", "a", "b", "b", "c"],
        "month": ["2025-12", "2026-01", "2026-03", "2026-05", "2026-03", "2026-06", "2026-02"],
        "mrr": [10.0, 99.0, 15.0, 7.0, 4.0, 6.0, 50.0],
    }
)


def test_quarterly_cohorts_read_only_the_quarter_end_books() -> None:
    t = cohort_retention(QUARTERLY, last_month="2026-06", measure="revenue", step_months=3)
    # the books: 2025-12, 2026-03, 2026-06; c (Feb only) and the January/May rows are not read
    assert list(t.index.astype(str)) == ["2025-12", "2026-03"]
    assert t["accounts"].tolist() == [1, 1]
    # a: 10 -> 15 -> 0 (no June row); b: 4 -> 6
    assert t.loc[pd.Period("2025-12", "M"), [0, 1, 2]].tolist() == [1.0, 1.5, 0.0]
    row = t.loc[pd.Period("2026-03", "M")]
    assert row[0] == 1.0 and row[1] == 1.5 and np.isnan(row[2])
    logo = cohort_retention(QUARTERLY, last_month="2026-06", step_months=3)
    assert logo.loc[pd.Period("2025-12", "M"), [0, 1, 2]].tolist() == [1.0, 1.0, 0.0]


def test_quarterly_cohorts_equal_the_monthly_table_of_the_quarter_end_rows() -> None:
    ends = QUARTERLY[QUARTERLY["month"].isin(["2025-12", "2026-03", "2026-06"])]
    monthly = cohort_retention(ends.assign(month=ends["month"].map(
        {"2025-12": "2026-01", "2026-03": "2026-02", "2026-06": "2026-03"})), last_month="2026-03")
    quarterly = cohort_retention(QUARTERLY, last_month="2026-06", step_months=3)
    np.testing.assert_array_equal(quarterly.to_numpy(), monthly.to_numpy())
