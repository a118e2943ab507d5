"""Each document's slice of the data, and whom it may name.

:class:`Slicer` cuts, in the build's own process, the slice each notebook of a
job gets (:mod:`cslib.data.slices`): a customer's rows and its peer
benchmarks, a segment's accounts, or (for a company report) nothing, meaning
the whole dataset; and says which account ids a document may name, for the
leak scan (:mod:`cslib.pipeline.guard`).

Computed once, fanned out: each table's rows are grouped by account once per
build, so a customer's slice is a few array takes; health (measures, scores,
band), risk flags, support (tickets and ratings, this period and the last)
and trailing satisfaction are computed for every account of the book in one
vectorized pass per snapshot day, period and settings, and each customer's
slice carries its own rows (:class:`cslib.data.dataset.Scope`); the report
uses them when its day and settings are the same (:mod:`cslib.present.figures`),
and computes them from the slice otherwise (a test holds both equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cslib.data.dataset import Dataset
from cslib.data.slices import account, book_slice, customer_slice, segment_slice
from cslib.errors import CslibError
from cslib.metrics.benchmarks import MIN_GROUP_SIZE, peer_benchmarks, segment_peers
from cslib.metrics.health import account_measures, health_scores
from cslib.metrics.risk import risk_flags
from cslib.periods import period_or_latest
from cslib.pipeline.plan import Job
from cslib.present.figures import per_account_figures
from cslib.present.report import report_settings, snapshot_day

__all__ = ["Slicer", "scope_of"]


def scope_of(params: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """What a notebook's parameters scope it to: ``(kind, column, value)``, or ``None``.

    ``account_id`` -> ``("customer", "account_id", id)``; ``segment`` ->
    ``("segment", "segment", name)``; ``group`` -> ``("book", group_by, value)``
    (``group_by`` defaults to ``"csm"``); none of them -> ``None`` (a company report).
    """
    if params.get("account_id"):
        return "customer", "account_id", str(params["account_id"])
    if params.get("segment"):
        return "segment", "segment", str(params["segment"])
    if params.get("group"):
        return "book", str(params.get("group_by") or "csm"), str(params["group"])
    return None


@dataclass
class Slicer:
    """Makes the slice each notebook of a build gets; peers' figures sorted once per segment.

    Parameters decide the scope (:func:`scope_of`): ``account_id`` -> the
    customer's slice, ``segment`` -> the segment's slice, ``group_by`` and
    ``group`` -> a book's slice (one CSM's accounts), none -> the whole dataset
    (a company report such as the board pack), returned as ``None``.
    """

    full: Dataset
    month: pd.Period
    min_group_size: int = MIN_GROUP_SIZE
    _peers: dict[str, pd.Series] = field(default_factory=dict)
    _book: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    _rows: dict[str, dict[str, Any]] | None = None

    def book_figures(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Health, risk flags, support and satisfaction of every account, for ``params``.

        Health and flags for the snapshot day and settings the parameters give,
        support and satisfaction for their period
        (:func:`cslib.present.figures.per_account_figures`). Computed once per
        (snapshot day, period, settings files) and kept for the
        build; ``{}`` when the parameters do not resolve (the notebook then
        reports the error itself).
        """
        try:
            period = period_or_latest(str(params.get("period", "") or ""), self.full.last_month,
                                      fiscal_year_start_month=int(params.get("fiscal_year_start",
                                                                             1) or 1))
            paths = (str(params.get("health_config", "") or ""),
                     str(params.get("risk_config", "") or ""))
        except (CslibError, TypeError, ValueError):
            return {}
        as_of = snapshot_day(period, self.full)
        key = (as_of, period.label, *paths)
        if key not in self._book:
            try:
                health, risk = report_settings(*paths)
            except CslibError:
                self._book[key] = {}
                return {}
            measures = account_measures(self.full, as_of=as_of)
            self._book[key] = {
                "as_of": as_of,
                # Settings by their repr: equal settings, equal text (and it pickles).
                "health_config": repr(health),
                "risk_settings": repr(risk),
                "health": measures.join(health_scores(measures, config=health)),
                "risk": risk_flags(self.full, as_of=as_of, settings=risk),
                **per_account_figures(self.full, period, as_of),
            }
        return self._book[key]

    def _own_figures(self, params: Mapping[str, Any], account_id: str) -> dict[str, Any]:
        """The customer's own rows of :meth:`book_figures` (never another account's)."""
        book = self.book_figures(params)
        if not book:
            return {}
        return {name: value[value.index == account_id].copy()
                if isinstance(value, pd.DataFrame) else value for name, value in book.items()}

    def for_parameters(self, params: Mapping[str, Any]) -> Dataset | None:
        """The slice for a notebook run with ``params`` (``None``: the whole dataset)."""
        if params.get("account_id"):
            account_id = str(params["account_id"])
            segment = str(account(self.full, account_id)["segment"])
            if segment not in self._peers:
                self._peers[segment] = segment_peers(self.full, segment, month=self.month)
            benchmarks = peer_benchmarks(self._peers[segment], account_id, segment=segment,
                                         min_group_size=self.min_group_size)
            if self._rows is None:
                self._rows = self.full.rows_by_account()
            return customer_slice(self.full, account_id, benchmarks=benchmarks,
                                  figures=self._own_figures(params, account_id), rows=self._rows)
        if params.get("segment"):
            return segment_slice(self.full, str(params["segment"]))
        scope = scope_of(params)
        if scope is not None:  # a book: one CSM's (region's, plan's) accounts
            return book_slice(self.full, scope[1], scope[2])
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
            scope = scope_of(params)
            if scope is None:
                return None
            _, column, value = scope
            if column not in acc.columns:
                continue  # the notebook names the bad column itself; nothing is allowed
            keep = (acc[column].astype("string") == value).fillna(False)
            out |= set(acc.loc[keep, "account_id"].astype(str))
        return out
