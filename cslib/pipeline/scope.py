"""Each document's slice of the data, and whom it may name.

:class:`Slicer` cuts, in the build's own process, the slice each notebook of a
job gets (:mod:`cslib.data.slices`): a customer's rows and its peer
benchmarks, a segment's accounts, or (for a company report) nothing, meaning
the whole dataset; and says which account ids a document may name, for the
leak scan (:mod:`cslib.pipeline.guard`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cslib.data.dataset import Dataset
from cslib.data.slices import account, customer_slice, segment_slice
from cslib.metrics.benchmarks import MIN_GROUP_SIZE, peer_benchmarks, segment_peers
from cslib.pipeline.plan import Job

__all__ = ["Slicer"]


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
            segment = str(account(self.full, account_id)["segment"])
            if segment not in self._peers:
                self._peers[segment] = segment_peers(self.full, segment, month=self.month)
            benchmarks = peer_benchmarks(self._peers[segment], account_id, segment=segment,
                                         min_group_size=self.min_group_size)
            return customer_slice(self.full, account_id, benchmarks=benchmarks)
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
