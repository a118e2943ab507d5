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
