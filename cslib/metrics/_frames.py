"""Small vectorized helpers shared by the metric modules (internal)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cslib.errors import ParameterError
from cslib.periods import Period, month_label


def as_period(period: Period | str) -> Period:
    """Accept a :class:`Period` or a calendar-year label such as ``"2026Q3"``."""
    return Period.parse(period)


def dated_in(dates: pd.Series, period: Period) -> pd.Series:
    """Whether each date lies in ``period``: from its first day to the end of its last day.

    A missing date (an open ticket's ``closed_on``) lies in no period.

    Examples
    --------
    >>> days = pd.Series(pd.to_datetime(["2026-06-30 00:00", "2026-07-01 00:00",
    ...                                  "2026-09-30 23:59", None]))
    >>> dated_in(days, Period.parse("2026Q3")).tolist()
    [False, True, True, False]
    """
    first, last = period.first_day, period.last_day
    return dates.notna() & (dates >= first) & (dates < last + pd.Timedelta(days=1))


def month_ordinals(months: pd.Series) -> np.ndarray:
    """Months as integer ordinals (months since 1970-01), from Period or ``YYYY-MM`` text."""
    if isinstance(months.dtype, pd.PeriodDtype):
        return np.asarray(months.array.asi8, dtype=np.int64)
    codes, uniques = pd.factorize(months.astype(str))
    return np.asarray(pd.PeriodIndex(uniques, freq="M").asi8, dtype=np.int64)[codes]


def period_positions(months: np.ndarray, periods: Sequence[Period]) -> np.ndarray:
    """Which of ``periods`` each month falls in: its position, or -1 when in none of them.

    ``months`` are month ordinals (see :func:`month_ordinals`). One lookup
    table over the periods' span, so the cost is one pass over the months
    whatever their number.

    Raises
    ------
    ParameterError
        If two periods share a month (a month would count twice).

    Examples
    --------
    >>> qs = [Period.parse("2026Q2"), Period.parse("2026Q3")]
    >>> months = pd.PeriodIndex(["2026-03", "2026-04", "2026-09", "2026-10"], freq="M").asi8
    >>> period_positions(months, qs).tolist()
    [-1, 0, 1, -1]
    """
    months = np.asarray(months, dtype=np.int64)
    out = np.full(len(months), -1, dtype=np.int64)
    if not len(periods):
        return out
    firsts = np.array([p.first_month.ordinal for p in periods], dtype=np.int64)
    lasts = np.array([p.last_month.ordinal for p in periods], dtype=np.int64)
    lo, hi = int(firsts.min()), int(lasts.max())
    table = np.full(hi - lo + 1, -1, dtype=np.int64)
    for i, (first, last) in enumerate(zip(firsts - lo, lasts - lo + 1, strict=True)):
        taken = np.flatnonzero(table[first:last] >= 0)
        if taken.size:
            other = periods[int(table[first + taken[0]])]
            shared = pd.Period(periods[i].first_month) + int(taken[0])
            raise ParameterError(
                f"`periods` must not overlap, got {other.label} and {periods[i].label}, which "
                f"share {month_label(shared)}; pass periods that follow each other."
            )
        table[first:last] = i
    inside = (months >= lo) & (months <= hi)
    out[inside] = table[months[inside] - lo]
    return out


def account_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes for account ids and the labels they stand for.

    A categorical column (as :func:`cslib.load` produces) costs nothing; other
    columns are factorized once.
    """
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return np.asarray(ids.cat.codes, dtype=np.int64), pd.Index(ids.cat.categories)
    codes, uniques = pd.factorize(ids, sort=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def group_labels(account_ids: pd.Index, groups: pd.Series | None) -> np.ndarray:
    """The group of each account (``"(none)"`` when it has none); ``"total"`` without groups."""
    if groups is None:
        return np.full(len(account_ids), "total", dtype=object)
    mapped = groups.reindex(account_ids.astype(str))
    return mapped.astype(object).where(mapped.notna(), "(none)").to_numpy(object)


def ratio(num: float, den: float) -> float | None:
    """``num / den``, or ``None`` when the denominator is 0 (an undefined rate)."""
    return None if den == 0 else float(num) / float(den)


def ratio_series(num: pd.Series, den: pd.Series) -> pd.Series:
    """Element-wise ``num / den`` with missing values where ``den`` is 0."""
    den = den.astype(float)
    out = num.astype(float) / den.where(den != 0)
    return out.astype(object).where(out.notna(), None)


def sum_by_group(parts: pd.DataFrame, groups: pd.Series | None) -> pd.DataFrame:
    """Sum every column of ``parts`` by its ``group`` column (see :func:`group_labels`).

    Without groups and without rows the result is one row of zeros called
    ``total``, so an ungrouped summary always has its total row. The index is
    named after ``groups``.
    """
    columns = parts.columns.drop("group")
    summed = parts.groupby("group", sort=True)[list(columns)].sum()
    if groups is None and summed.empty:
        summed = pd.DataFrame(0, index=pd.Index(["total"]), columns=columns)
    summed.index.name = groups.name if groups is not None else None
    return summed


#: Decimal places a computed ratio or change keeps before it is compared with a threshold.
SETTLE_DECIMALS = 9


def settle(values: np.ndarray | pd.Series) -> np.ndarray:
    """``values`` as floats rounded to :data:`SETTLE_DECIMALS` places, for threshold tests.

    A computed change carries floating-point drift (``80 / 100 - 1`` is
    ``-0.19999999999999996``), so "down 20% or more" would miss an exact 20%
    drop. Rounding to nine places removes the drift and nothing a threshold
    can mean. NaN stays NaN.

    Examples
    --------
    >>> float(settle(np.array([80 / 100 - 1]))[0]) <= -0.2
    True
    """
    return np.round(np.asarray(values, dtype=float), SETTLE_DECIMALS)
