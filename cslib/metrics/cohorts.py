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
    step_months: int = 1,
) -> pd.DataFrame:
    """Retention of each cohort of accounts, step by step since they first paid.

    The books read are every ``step_months``-th month ending with
    ``last_month`` (every month by default; ``step_months=3`` with a quarter's
    last month reads the quarter-end books, for quarterly cohorts). An
    account's cohort is the first book in which it has MRR > 0. At age ``k``
    steps:

    - ``measure="logo"``: accounts of the cohort paying in the book ``k`` steps
      after the cohort's / accounts in the cohort;
    - ``measure="revenue"``: the cohort's MRR in that book / its MRR at age 0
      (net of expansion, so it can exceed 1).

    Rows of other months are not read: an account that starts and leaves
    between two books is in no cohort.

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
    step_months : int, default 1
        Months between two books (3: quarterly cohorts).

    Returns
    -------
    pandas.DataFrame
        Indexed by cohort book (monthly Period, named ``cohort``), one column
        per age in steps (0, 1, ...), proportions; NaN where the age lies
        after ``last_month``. Column ``accounts`` (cohort size) comes first.
        No row when no account pays in a book up to ``last_month``.

    Raises
    ------
    ParameterError
        If ``measure`` is not ``"logo"`` or ``"revenue"``.

    References
    ----------
    ChartMogul, "Cohort analysis" (customer and MRR retention by cohort).

    Examples
    --------
    >>> mrr = pd.DataFrame({"account_id": ["a", "a", "b", "b"],
    ...     "month": ["2026-03", "2026-06", "2026-03", "2026-05"], "mrr": [10.0, 12, 5, 5]})
    >>> t = cohort_retention(mrr, last_month="2026-06", measure="revenue", step_months=3)
    >>> t.index.astype(str).tolist(), t["accounts"].tolist(), t[1].tolist()
    (['2026-03'], [2], [0.8])
    """
    if measure not in ("logo", "revenue"):
        raise ParameterError(f"`measure` must be 'logo' or 'revenue', got {measure!r}.")
    end = pd.Period(last_month, freq="M").ordinal
    step = max(int(step_months), 1)
    offset = month_ordinals(mrr["month"]) - end  # months after the last book (<= 0 up to it)
    values = mrr["mrr"].to_numpy(float)
    paying = (values > 0) & (offset <= 0) & (offset % step == 0)
    books = offset // step  # each row's book, counted back from the last one (0)
    codes, labels = account_codes(mrr["account_id"])
    codes, books, values = codes[paying], books[paying], values[paying]
    first = np.full(len(labels), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, books)
    cohort = first[codes]
    age = books - cohort
    frame = pd.DataFrame({"cohort": cohort, "age": age, "value": values})
    if measure == "logo":
        cells = frame.groupby(["cohort", "age"]).size().astype(float)
    else:
        cells = frame.groupby(["cohort", "age"])["value"].sum()
    table = cells.unstack("age").sort_index()
    if table.empty:
        empty = pd.DataFrame({"accounts": pd.Series(dtype=np.int64)})
        empty.index = pd.PeriodIndex([], freq="M", name="cohort")
        empty.columns.name = "age"
        return empty
    base = table[0]
    shares = table.div(base, axis=0)
    n_ages = int(-table.index.min()) + 1
    shares = shares.reindex(columns=range(n_ages))
    observed = (-shares.index.to_numpy())[:, None] >= np.arange(n_ages)[None, :]
    shares = shares.where(observed, np.nan).where(~observed | shares.notna(), 0.0)
    if max_age is not None:
        shares = shares.loc[:, : int(max_age)]
    sizes = frame[frame["age"] == 0].groupby("cohort").size()
    shares.insert(0, "accounts", sizes.reindex(shares.index).fillna(0).astype(np.int64))
    shares.index = pd.PeriodIndex.from_ordinals(
        end + step * shares.index.to_numpy(), freq="M", name="cohort"
    )
    shares.columns.name = "age"
    return shares
