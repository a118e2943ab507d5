"""Adoption: seat utilization and the trend of active users."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cslib.metrics._frames import group_labels, month_ordinals, ratio_series, sum_by_group

__all__ = ["account_adoption", "seat_utilization", "seat_utilization_trend"]


def account_adoption(
    usage: pd.DataFrame, *, month: str | pd.Period, lookback_months: int = 3
) -> pd.DataFrame:
    """Each account's adoption in ``month`` and its change over ``lookback_months``.

    Parameters
    ----------
    usage : pandas.DataFrame
        ``account_id``, ``month``, ``active_users``, ``licensed_seats``.
    month : str or pandas.Period
        The month to read.
    lookback_months : int, default 3
        How far back the trend compares.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id`` (accounts with a usage row in ``month``):
        ``active_users``, ``licensed_seats``, ``seat_utilization`` = active /
        licensed (``NaN`` with no seats), ``active_users_before`` (``NaN`` with
        no row then) and ``active_users_change`` = active / before - 1 (a
        proportion; -0.2 is a 20% drop).
    """
    now = pd.Period(month, freq="M").ordinal
    ords = month_ordinals(usage["month"])
    cur = usage[ords == now].set_index(usage["account_id"][ords == now].astype(str))
    before = usage[ords == now - lookback_months]
    before = before.set_index(before["account_id"].astype(str))["active_users"]
    out = pd.DataFrame(index=pd.Index(cur.index, name="account_id"))
    out["active_users"] = cur["active_users"].astype(float)
    out["licensed_seats"] = cur["licensed_seats"].astype(float)
    seats = out["licensed_seats"].where(out["licensed_seats"] > 0)
    out["seat_utilization"] = out["active_users"] / seats
    out["active_users_before"] = before.reindex(out.index).astype(float)
    prior = out["active_users_before"].where(out["active_users_before"] > 0)
    out["active_users_change"] = out["active_users"] / prior - 1.0
    return out


def seat_utilization(
    usage: pd.DataFrame, *, month: str | pd.Period, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Seat utilization in ``month``: sum of active users / sum of licensed seats.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``total`` without groups): ``accounts``,
        ``active_users``, ``licensed_seats`` and ``seat_utilization`` (a
        proportion, ``None`` with no seats).
    """
    now = pd.Period(month, freq="M").ordinal
    rows = usage[month_ordinals(usage["month"]) == now]
    parts = pd.DataFrame(
        {
            "group": group_labels(pd.Index(rows["account_id"].astype(str)), groups),
            "accounts": np.ones(len(rows), dtype=np.int64),
            "active_users": rows["active_users"].astype(float).to_numpy(),
            "licensed_seats": rows["licensed_seats"].astype(float).to_numpy(),
        }
    )
    summed = sum_by_group(parts, groups)
    summed["seat_utilization"] = ratio_series(summed["active_users"], summed["licensed_seats"])
    return summed


def seat_utilization_trend(
    usage: pd.DataFrame, *, months: Sequence[pd.Period] | pd.PeriodIndex
) -> pd.DataFrame:
    """Seat utilization of each of several months (a trend), in one pass over the usage rows.

    For each month ``m``: ``utilization(m) = sum of active users / sum of
    licensed seats`` over the accounts with a usage row in ``m``, the same
    number as :func:`seat_utilization` gives for ``m`` alone.

    Parameters
    ----------
    usage : pandas.DataFrame
        ``account_id``, ``month``, ``active_users``, ``licensed_seats``.
    months : sequence of pandas.Period
        The months, in the order the rows are wanted.

    Returns
    -------
    pandas.DataFrame
        One row per month, in order (index ``month``, monthly Periods):
        ``accounts``, ``active_users``, ``licensed_seats`` (0 in a month without
        rows) and ``seat_utilization`` (a proportion, ``None`` with no seats).

    References
    ----------
    Definition key ``seat_utilization``.

    Examples
    --------
    >>> usage = pd.DataFrame({"account_id": ["a", "b", "a"],
    ...     "month": ["2026-08", "2026-08", "2026-09"],
    ...     "active_users": [8, 2, 9], "licensed_seats": [10, 10, 10]})
    >>> t = seat_utilization_trend(usage, months=pd.period_range("2026-07", "2026-09", freq="M"))
    >>> t["seat_utilization"].tolist(), t["licensed_seats"].tolist()
    ([None, 0.5, 0.9], [0.0, 20.0, 10.0])
    """
    wanted = pd.PeriodIndex(list(months), freq="M", name="month")
    at = pd.Index(wanted.asi8).get_indexer(month_ordinals(usage["month"]))
    rows = usage[at >= 0]
    parts = pd.DataFrame(
        {
            "group": at[at >= 0],
            "accounts": np.ones(len(rows), dtype=np.int64),
            "active_users": rows["active_users"].astype(float).to_numpy(),
            "licensed_seats": rows["licensed_seats"].astype(float).to_numpy(),
        }
    )
    summed = parts.groupby("group", sort=True)[["accounts", "active_users", "licensed_seats"]].sum()
    summed = summed.reindex(range(len(wanted)), fill_value=0)
    summed["seat_utilization"] = ratio_series(summed["active_users"], summed["licensed_seats"])
    summed.index = wanted
    return summed
