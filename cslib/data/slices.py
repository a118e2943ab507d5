"""Datasets cut down to what one document may see: one customer, or one segment.

A customer's QBR is executed with a dataset holding only that customer's rows
in every table, plus anonymized peer benchmarks
(:mod:`cslib.metrics.benchmarks`); a segment review with only its segment's
accounts. The build makes these slices in its own process and hands the
notebook nothing else (:mod:`cslib.pipeline.scope`), so a report cannot reach
another customer's rows even if it tries.

A slice is an ordinary :class:`~cslib.data.dataset.Dataset` whose ``scope``
says what it holds. On disk (for executors that run notebooks in another
process) it is a contract folder of Parquet files plus ``cslib-scope.json``,
which :func:`cslib.data.load.load` reads back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from cslib.data.dataset import Dataset, Scope
from cslib.errors import DataError, ParameterError

__all__ = [
    "SCOPE_FILE",
    "Scope",
    "account",
    "book_slice",
    "customer_slice",
    "read_slice_manifest",
    "segment_slice",
    "write_slice",
]

#: The manifest of a slice written to disk.
SCOPE_FILE = "cslib-scope.json"


def account(full: Dataset, account_id: str) -> pd.Series:
    """The row of ``accounts`` for ``account_id``; a ParameterError if there is none."""
    acc = full.accounts
    rows = acc[acc["account_id"].astype(str) == account_id]
    if rows.empty:
        raise ParameterError(f"account {account_id!r} is not in the data's accounts.")
    return rows.iloc[0]


def customer_slice(
    full: Dataset,
    account_id: str,
    *,
    benchmarks: Mapping[str, Any],
    figures: Mapping[str, Any] | None = None,
    rows: Mapping[str, Mapping[str, Any]] | None = None,
) -> Dataset:
    """``full`` cut down to one customer's rows, carrying its peer benchmarks.

    ``benchmarks`` come from :func:`cslib.metrics.benchmarks.peer_benchmarks`
    (computed by the caller: a build sorts each segment's figures once);
    ``figures``, the customer's own rows of figures computed for the whole
    book (see :class:`cslib.data.dataset.Scope`); ``rows``, the full
    dataset's :meth:`~cslib.data.dataset.Dataset.rows_by_account` (faster cuts).

    Raises
    ------
    ParameterError
        If the account is not in ``full``.
    """
    account(full, account_id)
    part = full.subset([account_id], rows=rows)
    return part.scoped(Scope("customer", account_id, dict(benchmarks), dict(figures or {})))


def segment_slice(full: Dataset, segment: str) -> Dataset:
    """``full`` cut down to the accounts of one segment."""
    acc = full.accounts
    ids = acc.loc[acc["segment"].astype(str) == segment, "account_id"].astype(str)
    if ids.empty:
        raise ParameterError(f"segment {segment!r} has no accounts in the data.")
    return full.subset(ids).scoped(Scope("segment", segment))


def book_slice(full: Dataset, column: str, value: str) -> Dataset:
    """``full`` cut down to the accounts whose ``column`` of ``accounts`` is ``value``.

    A CSM's book (``column="csm"``), a region's, a plan's: any account column
    but ``account_id``. Compared as text, so ``"2"`` finds the accounts of 2.

    Raises
    ------
    ParameterError
        If ``column`` is not a column of ``accounts`` or no account has ``value``.
    """
    acc = full.accounts
    if column not in acc.columns or column == "account_id":
        cols = ", ".join(c for c in acc.columns if c != "account_id")
        raise ParameterError(f"`group_by` must be a column of accounts ({cols}), got {column!r}.")
    ids = acc.loc[(acc[column].astype("string") == value).fillna(False), "account_id"].astype(str)
    if ids.empty:
        raise ParameterError(f"no account has {column} {value!r} in the data.")
    return full.subset(ids).scoped(Scope("book", value, column=column))


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
                  "benchmarks": dict(part.scope.benchmarks), "column": part.scope.column},
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
            "scope": Scope(str(scope["kind"]), str(scope["key"]), dict(scope["benchmarks"]),
                           column=str(scope.get("column", ""))),
            "source": str(manifest["source"]),
            "fingerprint": str(manifest["fingerprint"]),
            "coverage": tuple(pd.Period(m, freq="M") for m in manifest["coverage"]),
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not a valid slice manifest ({exc}).") from None
