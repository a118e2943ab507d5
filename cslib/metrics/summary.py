"""The headline metrics of a period, as ``cslib metrics`` publishes them.

:func:`period_metrics` returns the JSON contract that other tools and the
reports read: the period, its start and end books, the metrics for the whole
dataset and, optionally, for each value of an account column.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cslib.data.dataset import Dataset
from cslib.errors import PeriodError
from cslib.metrics.revenue import MOVEMENTS, revenue_summary
from cslib.metrics.satisfaction import satisfaction_summary
from cslib.periods import Period, month_label

__all__ = ["METRIC_KEYS", "check_period", "metrics_frame", "period_metrics"]

METRIC_KEYS = (
    "starting_mrr", "ending_mrr", *MOVEMENTS,
    "nrr", "grr", "logo_retention", "logo_churn", "customers_start", "customers_end",
    "quick_ratio", "nps", "nps_margin", "nps_responses", "csat", "csat_responses",
    "ces", "ces_responses",
)  # fmt: skip


def check_period(dataset: Dataset, period: Period) -> None:
    """Raise :class:`PeriodError` unless the data covers the period's start and end books."""
    first, last = dataset.first_month, dataset.last_month
    if period.start_book < first or period.end_book > last:
        raise PeriodError(
            f"period {period.label} compares {month_label(period.start_book)} with "
            f"{month_label(period.end_book)}, but the MRR data covers "
            f"{month_label(first)}..{month_label(last)}; choose a period whose month "
            f"before its first month is {month_label(first)} or later and whose last "
            f"month is {month_label(last)} or earlier."
        )


def metrics_frame(dataset: Dataset, *, period: Period | str, by: str | None = None) -> pd.DataFrame:
    """The headline metrics as a frame: one row per group (or ``total``), METRIC_KEYS columns.

    Raises
    ------
    PeriodError
        If the period lies outside the data.
    ParameterError
        If ``by`` is not a column of ``accounts``.
    """
    period = Period.parse(period)
    check_period(dataset, period)
    groups = dataset.groups(by) if by else None
    revenue = revenue_summary(dataset.mrr, period=period, groups=groups)
    satisfaction = satisfaction_summary(
        nps=dataset.get("nps"), tickets=dataset.get("tickets"), period=period, groups=groups
    )
    if groups is not None:
        index = pd.Index(groups.unique(), name=by).sort_values()
    else:
        index = revenue.index
    revenue = revenue.reindex(index)
    satisfaction = satisfaction.reindex(index)
    counts = [c for c in METRIC_KEYS if c.startswith("customers") or c.endswith("_responses")]
    money = ["starting_mrr", "ending_mrr", *MOVEMENTS]
    frame = pd.concat([revenue, satisfaction], axis=1)
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame[money] = frame[money].fillna(0.0).astype(float)
    return frame[list(METRIC_KEYS)]


def _record(row: pd.Series) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in METRIC_KEYS:
        value = row[key]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out[key] = None
        elif key.startswith("customers") or key.endswith("_responses"):
            out[key] = int(value)
        else:
            out[key] = float(value)
    return out


def period_metrics(
    dataset: Dataset, *, period: Period | str, by: str | None = None
) -> dict[str, Any]:
    """The period's headline metrics as the public JSON contract of ``cslib metrics``.

    Parameters
    ----------
    dataset : Dataset
        A validated dataset.
    period : Period or str
        ``2026Q3``, ``2026-09``, ``2026`` or a :class:`~cslib.periods.Period`
        (for a fiscal calendar).
    by : str, optional
        An account column (``segment``, ``region``, ``csm``, ...) to break the
        metrics down by.

    Returns
    -------
    dict
        ``{"period", "start_month", "end_month", "total": METRICS,
        "by": {by: {group: METRICS}}}`` (``by`` only when asked). Rates are
        proportions, money is in the data's currency, NPS in points; nothing is
        rounded; an undefined value is ``None``.

    Raises
    ------
    PeriodError
        If the period is malformed or lies outside the data.
    """
    period = Period.parse(period)
    out: dict[str, Any] = {
        "period": period.label,
        "start_month": month_label(period.start_book),
        "end_month": month_label(period.end_book),
        "total": _record(metrics_frame(dataset, period=period).iloc[0]),
    }
    if by:
        frame = metrics_frame(dataset, period=period, by=by)
        out["by"] = {by: {str(g): _record(row) for g, row in frame.iterrows()}}
    return out
