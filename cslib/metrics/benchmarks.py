"""Peer benchmarks for a customer's QBR: anonymized figures of its segment's other accounts.

The only figures of other customers a QBR may show. :func:`peer_benchmarks`
states the rule: at least ``min_group_size`` peers other than the customer,
their median rounded to :data:`PEER_ROUNDING_POINTS` percentage points.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cslib.data.dataset import Dataset
from cslib.metrics.adoption import account_adoption

__all__ = [
    "MIN_GROUP_SIZE",
    "PEER_ROUNDING_POINTS",
    "benchmarks_from_usage",
    "coarsen",
    "peer_benchmarks",
    "peer_values",
    "segment_benchmarks",
    "segment_peers",
]

#: Peer figures are aggregates over at least this many other accounts (a plan can raise it).
MIN_GROUP_SIZE = 5
#: Peer figures are rounded to this many percentage points.
PEER_ROUNDING_POINTS = 5


def coarsen(value: float, *, points: int = PEER_ROUNDING_POINTS) -> float:
    """A proportion rounded to the nearest ``points`` percentage points (halves up).

    Examples
    --------
    >>> coarsen(0.63), coarsen(0.625), coarsen(0.6749), coarsen(1.0)
    (0.65, 0.65, 0.65, 1.0)
    """
    return math.floor(value * 100 / points + 0.5) * points / 100


def peer_values(usage: pd.DataFrame | None, *, month: pd.Period) -> pd.Series:
    """Each account's seat utilization in ``month``, sorted (the peers of a benchmark).

    Accounts with a usage row in ``month`` and licensed seats; indexed by
    ``account_id`` (str), ascending. Sorted once per segment, so that the
    figure for each of its customers is read off in constant time
    (:func:`peer_benchmarks`).
    """
    if usage is None or usage.empty:
        return pd.Series([], dtype=float, index=pd.Index([], dtype=str, name="account_id"))
    util = account_adoption(usage, month=month, lookback_months=3)["seat_utilization"]
    return util.dropna().astype(float).sort_values(kind="mergesort")


def peer_benchmarks(
    peers: pd.Series, account_id: str, *, segment: str, min_group_size: int = MIN_GROUP_SIZE
) -> dict[str, Any]:
    """The anonymized benchmark one customer's QBR shows: its segment's other accounts.

    The rule, for any group size and any values:

    - the peers are the segment's accounts with a figure **other than the
      customer**: the customer's own figure never enters the statistic, nor the
      count (with 5 accounts in a segment, a customer has 4 peers, not 5);
    - a figure is given only when at least ``min_group_size`` peers took part;
    - the figure is the median of the peers (the mean of the two middle ones
      for an even count) **rounded to the nearest** :data:`PEER_ROUNDING_POINTS`
      **percentage points**. The median of an odd number of peers is one
      peer's own figure, and an interpolated one can be too: rounded, it is a
      band five points wide, not a value any peer can be recognised by (a
      peer whose own figure is a multiple of five points matches it only by
      coarsening). Rounding rather than noise keeps a report reproducible (the
      same data gives the same document) and is said in one sentence in the
      appendix (:data:`cslib.metrics.definitions.DEFINITIONS`, ``peer_benchmarks``).

    Each customer of a segment gets its own figure, read in constant time off
    the segment's sorted values (:func:`peer_values`): removing the customer
    from a sorted array shifts the middle index by at most one.

    Parameters
    ----------
    peers : pandas.Series
        The segment's accounts' seat utilization (proportions), indexed by
        ``account_id``, sorted ascending (:func:`peer_values`). May hold the
        customer or not.
    account_id : str
        The customer.
    segment : str
        The segment's name (shown with the figure).
    min_group_size : int
        The fewest peers a figure is given for.

    Returns
    -------
    dict
        ``segment`` and ``min_group_size``; with enough peers also ``accounts``
        (how many peers) and ``seat_utilization_median`` (a proportion, a
        multiple of 0.05).

    Examples
    --------
    >>> peers = pd.Series([0.50, 0.61, 0.66, 0.70, 0.72, 0.90],
    ...                   index=["a", "b", "c", "d", "e", "f"])
    >>> peer_benchmarks(peers, "f", segment="SMB")  # median of a..e: 0.66
    {'segment': 'SMB', 'min_group_size': 5, 'accounts': 5, 'seat_utilization_median': 0.65}
    >>> peer_benchmarks(peers.drop("f"), "a", segment="SMB")  # 4 peers: none
    {'segment': 'SMB', 'min_group_size': 5}
    """
    out: dict[str, Any] = {"segment": segment, "min_group_size": min_group_size}
    values = peers.to_numpy(dtype=float)
    try:
        where = int(peers.index.get_loc(account_id))  # the customer's place among them
    except KeyError:
        where = -1  # the customer has no figure
    count = len(values) - (1 if where >= 0 else 0)
    if count < max(min_group_size, 1):
        return out

    def nth(j: int) -> float:  # the j-th smallest figure of the peers (customer left out)
        return float(values[j + 1 if 0 <= where <= j else j])

    half = count // 2
    median = nth(half) if count % 2 else (nth(half - 1) + nth(half)) / 2
    out["accounts"] = count
    out["seat_utilization_median"] = coarsen(median)
    return out


def segment_peers(full: Dataset, segment: str, *, month: pd.Period) -> pd.Series:
    """:func:`peer_values` of the accounts of one segment."""
    usage = full.get("usage")
    if usage is not None:
        acc = full.accounts
        members = set(acc.loc[acc["segment"].astype(str) == segment, "account_id"].astype(str))
        usage = usage[usage["account_id"].astype(str).isin(members)]
    return peer_values(usage, month=month)


def segment_benchmarks(
    full: Dataset, segment: str, *, account_id: str, month: pd.Period,
    min_group_size: int = MIN_GROUP_SIZE,
) -> dict[str, Any]:
    """Anonymized benchmarks of one segment for one of its customers' QBR.

    The median seat utilization of the segment's other accounts with usage in
    ``month``, rounded (:func:`peer_benchmarks` states the rule).
    """
    peers = segment_peers(full, segment, month=month)
    return peer_benchmarks(peers, account_id, segment=segment, min_group_size=min_group_size)


def benchmarks_from_usage(
    usage: pd.DataFrame | None, segment: str, *, account_id: str, month: pd.Period,
    min_group_size: int,
) -> dict[str, Any]:
    """:func:`segment_benchmarks` from the segment's usage rows alone.

    A database source reads just these rows (:meth:`cslib.data.sources.SqlSource.segment_usage`).
    """
    return peer_benchmarks(peer_values(usage, month=month), account_id, segment=segment,
                           min_group_size=min_group_size)
