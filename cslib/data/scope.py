"""Datasets cut down to what one document may see: one customer, or one segment.

A customer's QBR is executed with a dataset holding only that customer's rows
in every table, plus benchmarks that are anonymized aggregates over groups of
at least ``min_group_size`` accounts; a segment review with only its segment's
accounts. The build makes these slices in its own process and hands the
notebook nothing else, so a report cannot reach another customer's rows even
if it tries (:mod:`cslib.build.runner`).

A slice is an ordinary :class:`~cslib.data.dataset.Dataset` whose ``scope``
says what it holds. On disk (for executors that run notebooks in another
process) it is a contract folder of Parquet files plus ``cslib-scope.json``,
which :func:`cslib.data.load.load` reads back.
"""

from __future__ import annotations

import json
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
    "SCOPE_FILE",
    "Scope",
    "Slicer",
    "benchmarks_from_usage",
    "customer_slice",
    "read_slice_manifest",
    "segment_benchmarks",
    "segment_slice",
    "write_slice",
]

#: Benchmarks are aggregates over at least this many accounts (a plan can raise it).
MIN_GROUP_SIZE = 5
#: The manifest of a slice written to disk.
SCOPE_FILE = "cslib-scope.json"


def segment_benchmarks(
    full: Dataset, segment: str, *, month: pd.Period, min_group_size: int = MIN_GROUP_SIZE
) -> dict[str, Any]:
    """Anonymized benchmarks of one segment for its customers' QBRs.

    Median seat utilization over the segment's accounts with usage in the
    three months to ``month``; given only when at least ``min_group_size``
    accounts contribute, so that no single customer can be identified.

    Returns
    -------
    dict
        ``segment``; and when the group is large enough ``accounts`` (how many)
        and ``seat_utilization_median``.
    """
    usage = full.get("usage")
    if usage is not None:
        acc = full.accounts
        peers = set(acc.loc[acc["segment"].astype(str) == segment, "account_id"].astype(str))
        usage = usage[usage["account_id"].astype(str).isin(peers)]
    return benchmarks_from_usage(usage, segment, month=month, min_group_size=min_group_size)


def benchmarks_from_usage(
    usage: pd.DataFrame | None, segment: str, *, month: pd.Period, min_group_size: int
) -> dict[str, Any]:
    """:func:`segment_benchmarks` from the segment's usage rows alone.

    A database source reads just these rows (:mod:`cslib.data.sources`).
    """
    from cslib.metrics.adoption import account_adoption

    out: dict[str, Any] = {"segment": segment, "min_group_size": min_group_size}
    if usage is None or usage.empty:
        return out
    adoption = account_adoption(usage, month=month, lookback_months=3)
    util = adoption["seat_utilization"].dropna()
    if len(util) >= min_group_size:
        out["accounts"] = len(util)
        out["seat_utilization_median"] = float(util.median())
    return out


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

    ``benchmarks`` may be passed in when already computed for the segment
    (a build computes them once per segment, not once per customer).
    """
    segment = str(_account(full, account_id)["segment"])
    if benchmarks is None:
        benchmarks = segment_benchmarks(full, segment, month=month, min_group_size=min_group_size)
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
    """Makes the slice each notebook of a build gets; benchmarks computed once per segment.

    Parameters decide the scope: ``account_id`` -> the customer's slice,
    ``segment`` -> the segment's slice, neither -> the whole dataset (a
    company report such as the board pack), returned as ``None``.
    """

    full: Dataset
    month: pd.Period
    min_group_size: int = MIN_GROUP_SIZE
    _benchmarks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_parameters(self, params: Mapping[str, Any]) -> Dataset | None:
        """The slice for a notebook run with ``params`` (``None``: the whole dataset)."""
        if params.get("account_id"):
            account_id = str(params["account_id"])
            segment = str(_account(self.full, account_id)["segment"])
            if segment not in self._benchmarks:
                self._benchmarks[segment] = segment_benchmarks(
                    self.full, segment, month=self.month, min_group_size=self.min_group_size
                )
            return customer_slice(self.full, account_id, month=self.month,
                                  benchmarks=self._benchmarks[segment])
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
