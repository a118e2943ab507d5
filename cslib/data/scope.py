"""Datasets cut down to what one document may see: one customer, or one segment.

A customer's QBR is executed with a dataset holding only that customer's rows
in every table, plus benchmarks that are anonymized aggregates over at least
``min_group_size`` other accounts of its segment (:func:`peer_benchmarks`); a
segment review with only its segment's accounts. The build makes these slices
in its own process and hands the notebook nothing else, so a report cannot
reach another customer's rows even if it tries (:mod:`cslib.build.runner`).

A slice is an ordinary :class:`~cslib.data.dataset.Dataset` whose ``scope``
says what it holds. On disk (for executors that run notebooks in another
process) it is a contract folder of Parquet files plus ``cslib-scope.json``,
which :func:`cslib.data.load.load` reads back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cslib.data.dataset import Dataset, Scope
from cslib.errors import DataError, ParameterError

if TYPE_CHECKING:
    from cslib.build.plan import Job

__all__ = [
    "MIN_GROUP_SIZE",
    "PEER_ROUNDING_POINTS",
    "SCOPE_FILE",
    "Scope",
    "Slicer",
    "benchmarks_from_usage",
    "coarsen",
    "customer_slice",
    "peer_benchmarks",
    "peer_values",
    "read_slice_manifest",
    "segment_benchmarks",
    "segment_peers",
    "segment_slice",
    "write_slice",
]

#: Peer figures are aggregates over at least this many other accounts (a plan can raise it).
MIN_GROUP_SIZE = 5
#: Peer figures are rounded to this many percentage points.
PEER_ROUNDING_POINTS = 5
#: The manifest of a slice written to disk.
SCOPE_FILE = "cslib-scope.json"


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
    from cslib.metrics.adoption import account_adoption

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
      appendix (:data:`cslib.present.definitions.DEFINITIONS`, ``peer_benchmarks``).

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

    A database source reads just these rows (:mod:`cslib.data.sources`).
    """
    return peer_benchmarks(peer_values(usage, month=month), account_id, segment=segment,
                           min_group_size=min_group_size)


def _account(full: Dataset, account_id: str) -> pd.Series:
    acc = full.accounts
    rows = acc[acc["account_id"].astype(str) == account_id]
    if rows.empty:
        raise ParameterError(f"account {account_id!r} is not in the data's accounts.")
    return rows.iloc[0]


def customer_slice(
    full: Dataset,
    account_id: str,
    *,
    month: pd.Period,
    min_group_size: int = MIN_GROUP_SIZE,
    benchmarks: Mapping[str, Any] | None = None,
) -> Dataset:
    """``full`` cut down to one customer's rows, with its segment's anonymized benchmarks.

    ``benchmarks`` may be passed in when already computed (a build sorts each
    segment's figures once and reads each customer's off them: :class:`Slicer`).
    """
    segment = str(_account(full, account_id)["segment"])
    if benchmarks is None:
        benchmarks = segment_benchmarks(full, segment, account_id=account_id, month=month,
                                        min_group_size=min_group_size)
    part = full.subset([account_id])
    return part.scoped(Scope("customer", account_id, dict(benchmarks)))


def segment_slice(full: Dataset, segment: str) -> Dataset:
    """``full`` cut down to the accounts of one segment."""
    acc = full.accounts
    ids = acc.loc[acc["segment"].astype(str) == segment, "account_id"].astype(str)
    if ids.empty:
        raise ParameterError(f"segment {segment!r} has no accounts in the data.")
    return full.subset(ids).scoped(Scope("segment", segment))


@dataclass
class Slicer:
    """Makes the slice each notebook of a build gets; peers' figures sorted once per segment.

    Parameters decide the scope: ``account_id`` -> the customer's slice,
    ``segment`` -> the segment's slice, neither -> the whole dataset (a
    company report such as the board pack), returned as ``None``.
    """

    full: Dataset
    month: pd.Period
    min_group_size: int = MIN_GROUP_SIZE
    _peers: dict[str, pd.Series] = field(default_factory=dict)

    def for_parameters(self, params: Mapping[str, Any]) -> Dataset | None:
        """The slice for a notebook run with ``params`` (``None``: the whole dataset)."""
        if params.get("account_id"):
            account_id = str(params["account_id"])
            segment = str(_account(self.full, account_id)["segment"])
            if segment not in self._peers:
                self._peers[segment] = segment_peers(self.full, segment, month=self.month)
            benchmarks = peer_benchmarks(self._peers[segment], account_id, segment=segment,
                                         min_group_size=self.min_group_size)
            return customer_slice(self.full, account_id, month=self.month,
                                  benchmarks=benchmarks)
        if params.get("segment"):
            return segment_slice(self.full, str(params["segment"]))
        return None

    def slices(self, job: Job) -> tuple[Dataset | None, ...]:
        """The slice of each notebook of a build job (``None``: the whole dataset)."""
        return tuple(self.for_parameters(params) for _, params in job.parts)

    def allowed(self, job: Job) -> set[str] | None:
        """The account ids a job's document may name; ``None`` when it may name any.

        A document with a company-wide part (the board pack) may name any
        account; otherwise the union of its parts' customers and segments.
        """
        out: set[str] = set()
        acc = self.full.accounts
        for _, params in job.parts:
            if params.get("account_id"):
                out.add(str(params["account_id"]))
            elif params.get("segment"):
                keep = acc["segment"].astype(str) == str(params["segment"])
                out |= set(acc.loc[keep, "account_id"].astype(str))
            else:
                return None
        return out


# On disk ----------------------------------------------------------------------------------
def write_slice(part: Dataset, folder: Path) -> Path:
    """Write a slice as a contract folder (Parquet per table) plus its manifest."""
    if part.scope is None:
        raise ValueError("write_slice writes a slice (a dataset with a scope).")
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in part.tables.items():
        out = frame.copy()
        for col in out.columns:
            if isinstance(out[col].dtype, pd.PeriodDtype | pd.CategoricalDtype):
                out[col] = out[col].astype(str)
        out.to_parquet(folder / f"{name}.parquet", index=False)
    first, last = part.coverage or (part.first_month, part.last_month)
    manifest = {
        "scope": {"kind": part.scope.kind, "key": part.scope.key,
                  "benchmarks": dict(part.scope.benchmarks)},
        "source": part.source,
        "fingerprint": part.fingerprint,
        "coverage": [str(first), str(last)],
    }
    (folder / SCOPE_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def read_slice_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a slice folder, or ``None`` for an ordinary dataset folder."""
    path = folder / SCOPE_FILE
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        scope = manifest["scope"]
        return {
            "scope": Scope(str(scope["kind"]), str(scope["key"]), dict(scope["benchmarks"])),
            "source": str(manifest["source"]),
            "fingerprint": str(manifest["fingerprint"]),
            "coverage": tuple(pd.Period(m, freq="M") for m in manifest["coverage"]),
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not a valid slice manifest ({exc}).") from None
