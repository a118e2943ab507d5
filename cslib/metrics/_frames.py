"""Small vectorized helpers shared by the metric modules (internal)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.periods import Period


def as_period(period: Period | str) -> Period:
    """Accept a :class:`Period` or a calendar-year label such as ``"2026Q3"``."""
    return Period.parse(period)


def month_ordinals(months: pd.Series) -> np.ndarray:
    """Months as integer ordinals (months since 1970-01), from Period or ``YYYY-MM`` text."""
    if isinstance(months.dtype, pd.PeriodDtype):
        return np.asarray(months.array.asi8, dtype=np.int64)
    codes, uniques = pd.factorize(months.astype(str))
    return np.asarray(pd.PeriodIndex(uniques, freq="M").asi8, dtype=np.int64)[codes]


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
