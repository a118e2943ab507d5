"""Cohort retention tables: logo and revenue retention by first paying month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.errors import ParameterError
from cslib.metrics._frames import account_codes, month_ordinals

__all__ = ["cohort_retention"]


def cohort_retention(
    mrr: pd.DataFrame,
    *,
    last_month: str | pd.Period,
    measure: str = "logo",
    max_age: int | None = None,
) -> pd.DataFrame:
    """Retention of each cohort of accounts, month by month since they first paid.

    An account's cohort is its first month with MRR > 0. At age ``k`` months:

    - ``measure="logo"``: accounts of the cohort paying at month ``cohort + k`` /
      accounts in the cohort;
    - ``measure="revenue"``: the cohort's MRR at month ``cohort + k`` / its MRR at
      age 0 (net of expansion, so it can exceed 1).

    Parameters
    ----------
    mrr : pandas.DataFrame
        ``account_id``, ``month``, ``mrr``; a missing month means 0.
    last_month : str or pandas.Period
        The last month observed; later cells are missing, not zero.
    measure : {"logo", "revenue"}
        What to retain.
    max_age : int, optional
        Keep ages 0..max_age only.

    Returns
    -------
    pandas.DataFrame
        Indexed by cohort month (monthly Period, named ``cohort``), one column
        per age in months (0, 1, ...), proportions; NaN where the age lies
        after ``last_month``. Column ``accounts`` (cohort size) comes first.

    Raises
    ------
    ParameterError
        If ``measure`` is not ``"logo"`` or ``"revenue"``.

    References
    ----------
    ChartMogul, "Cohort analysis" (customer and MRR retention by cohort).
    """
    if measure not in ("logo", "revenue"):
        raise ParameterError(f"`measure` must be 'logo' or 'revenue', got {measure!r}.")
    last = pd.Period(last_month, freq="M").ordinal
    ords = month_ordinals(mrr["month"])
    values = mrr["mrr"].to_numpy(float)
    paying = (values > 0) & (ords <= last)
    codes, labels = account_codes(mrr["account_id"])
    codes, ords, values = codes[paying], ords[paying], values[paying]
    first = np.full(len(labels), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, ords)
    cohort = first[codes]
    age = ords - cohort
    frame = pd.DataFrame({"cohort": cohort, "age": age, "value": values})
    if measure == "logo":
        cells = frame.groupby(["cohort", "age"]).size().astype(float)
    else:
        cells = frame.groupby(["cohort", "age"])["value"].sum()
    table = cells.unstack("age").sort_index()
    base = table[0]
    shares = table.div(base, axis=0)
    n_ages = int(last - table.index.min()) + 1 if len(table) else 0
    shares = shares.reindex(columns=range(n_ages))
    observed = (last - shares.index.to_numpy())[:, None] >= np.arange(n_ages)[None, :]
    shares = shares.where(observed, np.nan).where(~observed | shares.notna(), 0.0)
    if max_age is not None:
        shares = shares.loc[:, : int(max_age)]
    sizes = frame[frame["age"] == 0].groupby("cohort").size()
    shares.insert(0, "accounts", sizes.reindex(shares.index).fillna(0).astype(np.int64))
    shares.index = pd.PeriodIndex.from_ordinals(shares.index.to_numpy(), freq="M", name="cohort")
    shares.columns.name = "age"
    return shares
