"""Support: tickets opened and closed in a period and how long they took to close.

The tickets' ratings (CSAT, CES) are in :mod:`cslib.metrics.satisfaction`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.metrics._frames import as_period, dated_in, group_labels, sum_by_group
from cslib.periods import Period

__all__ = ["closed_in", "ticket_summary", "ticket_themes"]


def closed_in(tickets: pd.DataFrame, *, period: Period | str) -> pd.Series:
    """Which tickets closed in ``period`` (the period a ticket's CSAT and CES count in).

    From the period's first day to the end of its last day; an open ticket
    (no ``closed_on``) closed in none.

    Examples
    --------
    >>> t = pd.DataFrame({"closed_on": pd.to_datetime(["2026-06-30", "2026-07-01", None])})
    >>> closed_in(t, period="2026Q3").tolist()
    [False, True, False]
    """
    return dated_in(tickets["closed_on"], as_period(period))


def ticket_summary(
    tickets: pd.DataFrame, *, period: Period | str, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Tickets opened and closed in a period, and the median days to close those closed in it.

    A ticket is *opened* in the period of its ``opened_on`` date and *closed*
    in the period of its ``closed_on`` date (an open ticket is closed in
    none); days to close = ``closed_on - opened_on`` in whole days, its median
    taken over the tickets closed in the period.

    Parameters
    ----------
    tickets : pandas.DataFrame
        ``account_id``, ``opened_on``, ``closed_on`` (datetimes; ``closed_on``
        missing while open).
    period : Period or str
        The period.
    groups : pandas.Series, optional
        Maps ``account_id`` to a group label; without it, one row ``total``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``opened``, ``closed`` (counts) and
        ``median_days_to_close`` (``None`` when none closed).

    Examples
    --------
    >>> t = pd.DataFrame({"account_id": "a",
    ...     "opened_on": pd.to_datetime(["2026-06-20", "2026-07-01", "2026-09-30"]),
    ...     "closed_on": pd.to_datetime(["2026-07-02", "2026-07-05", None])})
    >>> s = ticket_summary(t, period="2026Q3")
    >>> s[["opened", "closed"]].iloc[0].tolist(), s["median_days_to_close"].iloc[0]
    ([2, 2], 8.0)
    """
    period = as_period(period)
    opened = dated_in(tickets["opened_on"], period).to_numpy()
    closed = closed_in(tickets, period=period).to_numpy()
    keys = group_labels(pd.Index(tickets["account_id"].astype(str)), groups)
    summed = sum_by_group(
        pd.DataFrame(
            {"group": keys, "opened": opened.astype(np.int64), "closed": closed.astype(np.int64)}
        ),
        groups,
    )
    days = (tickets["closed_on"] - tickets["opened_on"]).dt.days[closed]
    median = days.groupby(keys[closed]).median().reindex(summed.index)
    summed["median_days_to_close"] = median.astype(object).where(median.notna(), None)
    return summed


def ticket_themes(tickets: pd.DataFrame, *, period: Period | str) -> pd.DataFrame:
    """Tickets opened in ``period`` by ``category``, most common first.

    Parameters
    ----------
    tickets : pandas.DataFrame
        ``opened_on``, ``category`` (tickets without one count as
        ``"(none)"``), and ``csat`` when recorded.
    period : Period or str
        The period the tickets were opened in.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``category``: ``opened``, ``share`` (of the period's
        tickets), and ``csat`` (share of 4-5 answers among the category's
        rated tickets opened in the period, ``NaN`` when none) with
        ``csat_responses``. Ties by name.
    """
    from cslib.metrics.satisfaction import SATISFIED_MIN

    p = as_period(period)
    inside = tickets[dated_in(tickets["opened_on"], p)]
    category = inside["category"].astype("string").str.strip().fillna("(none)")
    category = category.mask(category == "", "(none)")
    rated = inside["csat"] if "csat" in inside else pd.Series(np.nan, index=inside.index)
    frame = pd.DataFrame({"category": category.to_numpy(),
                          "rated": rated.notna().to_numpy(),
                          "satisfied": (rated >= SATISFIED_MIN).fillna(False).to_numpy()})
    out = frame.groupby("category").agg(opened=("category", "size"),
                                        csat_responses=("rated", "sum"),
                                        satisfied=("satisfied", "sum"))
    out["share"] = out["opened"] / max(len(frame), 1)
    out["csat"] = (out["satisfied"] / out["csat_responses"]).where(out["csat_responses"] > 0)
    out = out.reset_index().sort_values(["opened", "category"], ascending=[False, True])
    return out.set_index("category")[["opened", "share", "csat", "csat_responses"]]

