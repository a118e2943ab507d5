"""The :class:`Dataset`: validated contract tables plus where they came from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from cslib.data.contract import CONTRACT
from cslib.errors import ParameterError
from cslib.periods import month_label

__all__ = ["Dataset", "Scope"]


@dataclass(frozen=True)
class Scope:
    """What a cut-down dataset holds (see :mod:`cslib.data.slices`).

    Attributes
    ----------
    kind : {"customer", "segment", "book"}
        One customer's rows, one segment's accounts, or a book: the accounts
        whose ``column`` of ``accounts`` holds ``key`` (a CSM's, a region's).
    key : str
        The ``account_id``, the segment or the book's value.
    benchmarks : Mapping[str, Any]
        Anonymized aggregates over groups of at least ``min_group_size``
        accounts (a customer's segment), never rows of other accounts.
    figures : Mapping[str, Any]
        The customer's own rows of figures a build computed once for the whole
        book (``health``, ``risk``), with the ``as_of`` day and the ``repr`` of
        the settings (``health_config``, ``risk_settings``) they hold for; a report uses
        them only when its own day and settings are the same
        (:mod:`cslib.present.figures`). Empty for a slice read from disk.
    """

    kind: str
    key: str
    benchmarks: Mapping[str, Any] = field(default_factory=dict)
    figures: Mapping[str, Any] = field(default_factory=dict)
    column: str = ""

    def describe(self) -> str:
        """``"account 'A0003' only"`` / ``"segment 'SMB' only"`` / ``"csm 'Priya Shah' only"``."""
        what = {"customer": "account", "segment": "segment"}.get(self.kind, self.column)
        return f"{what} {self.key!r} only"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated set of contract tables.

    Build one with :func:`cslib.load` (a folder of files) or
    :func:`cslib.from_frames` (in-memory frames); both validate first, so a
    ``Dataset`` always meets the contract. Tables are read-only by convention:
    metric functions never modify them.

    Attributes
    ----------
    tables : Mapping[str, pandas.DataFrame]
        The tables present, by contract name.
    source : str
        Where the tables came from (a folder, ``"frames"``, ...).
    fingerprint : str
        SHA-256 of the source content, so a report can be traced to its data.
    coverage : (pandas.Period, pandas.Period)
        The first and last month of the MRR data (kept by :meth:`subset`).
    scope : Scope or None
        Set on a slice: the rows of one customer or one segment only.
    """

    tables: Mapping[str, pd.DataFrame]
    source: str
    fingerprint: str
    coverage: tuple[pd.Period, pd.Period] | None = None
    scope: Scope | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        if self.coverage is None:
            months = self.tables["mrr"]["month"]
            object.__setattr__(self, "coverage", (months.min(), months.max()))

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled to hand a slice to a build worker (a mappingproxy cannot be pickled)
        return (Dataset, (dict(self.tables), self.source, self.fingerprint, self.coverage,
                          self.scope))

    # Tables -------------------------------------------------------------
    @property
    def accounts(self) -> pd.DataFrame:
        """The ``accounts`` table (always present)."""
        return self.tables["accounts"]

    @property
    def mrr(self) -> pd.DataFrame:
        """The ``mrr`` table (always present): account_id, month, mrr."""
        return self.tables["mrr"]

    def has(self, table: str) -> bool:
        """Whether the optional ``table`` is present with at least one row."""
        return table in self.tables and not self.tables[table].empty

    def get(self, table: str) -> pd.DataFrame | None:
        """The table called ``table``, or ``None`` when the dataset lacks it.

        Raises
        ------
        KeyError
            If ``table`` is not a table of the contract (a typo).
        """
        if table not in CONTRACT:
            raise KeyError(
                f"{table!r} is not a contract table; expected one of {', '.join(CONTRACT)}"
            )
        return self.tables.get(table)

    # Coverage -----------------------------------------------------------
    @property
    def first_month(self) -> pd.Period:
        """The earliest month the MRR data covers (kept by :meth:`subset`)."""
        assert self.coverage is not None
        return self.coverage[0]

    @property
    def last_month(self) -> pd.Period:
        """The latest month the MRR data covers: the data's as-of month.

        Loading makes sure one stray row cannot move it: the MRR months form one
        unbroken run, and dated rows lie at most a quarter past it
        (:func:`cslib.data.contract.month_runs`, :func:`cslib.data.contract.date_bounds`).
        """
        assert self.coverage is not None
        return self.coverage[1]

    @property
    def currency(self) -> str | None:
        """The data's one currency (an ISO 4217 code), or ``None`` when no table names it.

        Loading refuses a dataset whose ``mrr`` and ``accounts`` name more than one.
        """
        for name in ("mrr", "accounts"):
            frame = self.tables.get(name)
            if frame is not None and "currency" in frame:
                named = frame["currency"].dropna()
                if len(named):
                    return str(named.iloc[0])
        return None

    @property
    def as_of(self) -> pd.Timestamp:
        """The data's as-of date: the last day of its latest MRR month."""
        return self.last_month.end_time.normalize()

    def groups(self, by: str) -> pd.Series:
        """Map each ``account_id`` to its value of the account column ``by``.

        Missing values become ``"(none)"`` so that every account lands in a group.

        Raises
        ------
        ParameterError
            If ``by`` is not a column of ``accounts``.
        """
        if by not in self.accounts.columns or by == "account_id":
            cols = [c for c in self.accounts.columns if c != "account_id"]
            raise ParameterError(
                f"`by` must be a column of accounts ({', '.join(cols)}), got {by!r}."
            )
        labels = self.accounts[by].astype("string").fillna("(none)")
        return pd.Series(labels.to_numpy(object), index=self.accounts["account_id"], name=by)

    def rows_by_account(self) -> dict[str, dict[str, np.ndarray]]:
        """Each table's row positions per ``account_id`` (for many :meth:`subset` calls).

        One group-by per table; pass the result to :meth:`subset` as ``rows``
        and each cut takes its rows by position instead of scanning every row.
        """
        return {name: {str(k): v for k, v in
                       frame.groupby(frame["account_id"].astype(str), sort=False).indices.items()}
                for name, frame in self.tables.items() if name != "accounts"}

    def subset(
        self,
        account_ids: Iterable[str],
        *,
        rows: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    ) -> Dataset:
        """A dataset holding only the rows of the given accounts, in every table.

        The fingerprint is derived from the parent's and the account list, so a
        customer's document can be traced back to the full dataset. ``rows``
        (from :meth:`rows_by_account`) gives the same result faster.

        Raises
        ------
        ParameterError
            If an id is not in ``accounts`` (a typo must not yield an empty report).
        """
        wanted = pd.Index(pd.unique(pd.Series(list(account_ids), dtype=str)))
        unknown = wanted.difference(pd.Index(self.accounts["account_id"]))
        if len(unknown):
            shown = ", ".join(repr(u) for u in unknown[:5])
            raise ParameterError(
                f"account ids not in accounts: {shown}"
                + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
                + "; use account_id values from the accounts table."
            )
        keep = self.accounts["account_id"].isin(wanted)
        ids = self.accounts.loc[keep, "account_id"]
        account_type = pd.CategoricalDtype(ids.to_numpy(), ordered=False)
        tables: dict[str, pd.DataFrame] = {"accounts": self.accounts[keep].reset_index(drop=True)}
        for name, frame in self.tables.items():
            if name == "accounts":
                continue
            if rows is not None:
                at = [rows[name][a] for a in wanted if a in rows[name]]
                part = frame.take(np.sort(np.concatenate(at)) if at else np.array([], dtype=int))
            else:
                part = frame[frame["account_id"].isin(wanted)].copy()
            part["account_id"] = part["account_id"].astype(str).astype(account_type)
            tables[name] = part.reset_index(drop=True)
        digest = hashlib.sha256((self.fingerprint + "|" + ",".join(ids)).encode()).hexdigest()
        return Dataset(tables, source=self.source, fingerprint=digest, coverage=self.coverage,
                       scope=self.scope)

    def scoped(self, scope: Scope) -> Dataset:
        """The same tables, marked as holding only ``scope`` (see :mod:`cslib.data.slices`)."""
        return replace(self, scope=scope)

    def summary(self) -> dict[str, object]:
        """Tables, row counts and months covered, for ``cslib validate``."""
        tables: dict[str, dict[str, object]] = {}
        for name, frame in self.tables.items():
            info: dict[str, object] = {"rows": len(frame)}
            for col in ("month", "responded_on", "opened_on", "occurred_on", "due_on"):
                if col in frame and frame[col].notna().any():
                    lo, hi = frame[col].min(), frame[col].max()
                    info["from"] = month_label(lo) if col == "month" else f"{lo:%Y-%m-%d}"
                    info["to"] = month_label(hi) if col == "month" else f"{hi:%Y-%m-%d}"
                    break
            tables[name] = info
        months = (self.last_month - self.first_month).n + 1
        return {
            "source": self.source,
            "fingerprint": self.fingerprint,
            "first_month": month_label(self.first_month),
            "last_month": month_label(self.last_month),
            "months": months,
            "accounts": len(self.accounts),
            "tables": tables,
            "missing_tables": [t for t in CONTRACT if t not in self.tables],
        }

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        return f"Dataset({self.source!r}, {sizes})"
