"""Relationship coverage: strong executive and user relationships, recency of contact."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.data.contract import STRENGTHS

__all__ = ["NOT_SET", "STRONG", "contact_strengths", "relationship_summary"]

STRONG = ("strong", "very_strong")
#: The strength of a contact whose strength is not recorded.
NOT_SET = "(not set)"


def contact_strengths(contacts: pd.DataFrame) -> pd.DataFrame:
    """How many contacts of each role have each relationship strength.

    Parameters
    ----------
    contacts : pandas.DataFrame
        ``role`` (executive/user) and, optionally, ``strength``.

    Returns
    -------
    pandas.DataFrame
        Rows ``executive`` and ``user``, one column per strength of the data
        contract, weakest first (:data:`cslib.data.contract.STRENGTHS`), then
        :data:`NOT_SET` when some contact's strength is missing (or the table
        has no ``strength`` column); counts.

    Examples
    --------
    >>> c = pd.DataFrame({"role": ["executive", "user", "user"],
    ...                   "strength": ["strong", "weak", None]})
    >>> contact_strengths(c).loc["user"].tolist()
    [0, 1, 0, 0, 0, 1]
    """
    strength = (
        contacts["strength"].astype("string").fillna(NOT_SET)
        if "strength" in contacts
        else pd.Series(NOT_SET, index=contacts.index)
    )
    levels = [*STRENGTHS, *([NOT_SET] if (strength == NOT_SET).any() else [])]
    return (
        pd.crosstab(contacts["role"].astype(str).to_numpy(), strength.to_numpy())
        .reindex(index=["executive", "user"], columns=levels, fill_value=0)
        .astype(int)
    )


def relationship_summary(
    contacts: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    *,
    account_ids: pd.Index,
    as_of: str | pd.Timestamp,
) -> pd.DataFrame:
    """Each account's relationship coverage on ``as_of``.

    Parameters
    ----------
    contacts : pandas.DataFrame or None
        ``contact_id``, ``account_id``, ``role`` (executive/user), ``strength``.
    activities : pandas.DataFrame or None
        ``account_id``, ``occurred_on``, ``contact_id``; only activities on or
        before ``as_of`` count, and only those naming a contact tell the role.
    account_ids : pandas.Index
        The accounts to report on (one row each, in this order).
    as_of : str or pandas.Timestamp
        The day to measure from.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``: ``executives``, ``users`` (contacts),
        ``strong_executives``, ``strong_users`` (strength strong or
        very_strong), ``days_since_executive_contact`` and
        ``days_since_user_contact`` (days from the latest activity with a
        contact of that role to ``as_of``; ``NaN`` when there was none). With no
        contacts table every column is ``NaN`` (unknown, not zero).
    """
    as_of = pd.Timestamp(as_of)
    index = pd.Index(account_ids.astype(str), name="account_id")
    return _summary(contacts, activities, index, as_of)


def _summary(
    contacts: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    index: pd.Index,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    # Positions and bincounts rather than merge/groupby: a report asks for this on
    # one account several times (health, risk flags, contacts table, coverage chart),
    # where pandas' per-operation cost, not the rows, is the time.
    n = len(index)
    out = pd.DataFrame(index=index)
    cols = ("executives", "users", "strong_executives", "strong_users")
    if contacts is None:
        for col in (*cols, "days_since_executive_contact", "days_since_user_contact"):
            out[col] = np.nan
        return out
    at = index.get_indexer(contacts["account_id"].astype(str).to_numpy())  # -1: not reported
    is_exec = (contacts["role"] == "executive").to_numpy(dtype=bool, na_value=False)
    strong = (contacts["strength"].isin(STRONG).to_numpy(dtype=bool)
              if "strength" in contacts else np.zeros(len(contacts), dtype=bool))
    mine = at >= 0
    for col, mask in (("executives", is_exec), ("users", ~is_exec),
                      ("strong_executives", is_exec & strong),
                      ("strong_users", ~is_exec & strong)):  # fmt: skip
        out[col] = np.bincount(at[mine & mask], minlength=n).astype(np.int64)
    out["days_since_executive_contact"] = np.nan
    out["days_since_user_contact"] = np.nan
    if activities is None or "contact_id" not in activities:
        return out
    contact_ids = pd.Index(contacts["contact_id"].astype(str).to_numpy())
    done = (activities["occurred_on"] <= as_of).to_numpy(dtype=bool, na_value=False)
    named = activities["contact_id"].notna().to_numpy(dtype=bool)
    a_ids = activities["contact_id"].to_numpy()[done & named].astype(str)
    when = activities["occurred_on"].to_numpy(dtype="datetime64[ns]")[done & named]
    if contact_ids.is_unique:
        who = contact_ids.get_indexer(a_ids)
        row, day = who[who >= 0], when[who >= 0]
    else:  # one activity per matching contact row, as a join would give
        pairs = pd.DataFrame({"k": a_ids, "i": np.arange(len(a_ids))}).merge(
            pd.DataFrame({"k": contact_ids.to_numpy(), "row": np.arange(len(contact_ids))}),
            on="k")
        row, day = pairs["row"].to_numpy(), when[pairs["i"].to_numpy()]
    acc = at[row]
    as_of64 = np.datetime64(as_of.to_datetime64(), "ns")
    for exec_role, col in ((True, "days_since_executive_contact"),
                           (False, "days_since_user_contact")):  # fmt: skip
        # Roles other than executive and user (none in the contract) count for neither.
        role = is_exec[row] if exec_role else (contacts["role"] == "user").to_numpy(
            dtype=bool, na_value=False)[row]
        keep = role & (acc >= 0)
        if not keep.any():
            continue
        latest = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(latest, acc[keep], day[keep].astype(np.int64))
        seen = latest != np.iinfo(np.int64).min
        days = np.full(n, np.nan)
        days[seen] = (as_of64 - latest[seen].astype("datetime64[ns]")) // np.timedelta64(1, "D")
        out[col] = days
    return out
