"""Relationship coverage: strong executive and user relationships, recency of contact."""

from __future__ import annotations

from typing import Any

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
    # A report asks for the same summary several times (health, risk flags, the contacts
    # table, the coverage chart): the last answer is kept, keyed on the very same frames.
    key = (contacts, activities, as_of, tuple(index))
    last = _LAST[0]
    if (
        last is not None
        and all(a is b for a, b in zip(key[:2], last[0][:2], strict=True))
        and key[2:] == last[0][2:]
    ):
        return last[1].copy()
    out = _summary(contacts, activities, index, as_of)
    _LAST[0] = (key, out)
    return out.copy()


#: The last (key, summary) computed; see relationship_summary.
_LAST: list[Any] = [None]


def _summary(
    contacts: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    index: pd.Index,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    out = pd.DataFrame(index=index)
    cols = ("executives", "users", "strong_executives", "strong_users")
    if contacts is None:
        for col in (*cols, "days_since_executive_contact", "days_since_user_contact"):
            out[col] = np.nan
        return out
    c = contacts.assign(account_id=contacts["account_id"].astype(str))
    strong = c["strength"].isin(STRONG) if "strength" in c else pd.Series(False, index=c.index)
    is_exec = c["role"] == "executive"
    counts = (
        pd.DataFrame(
            {
                "account_id": c["account_id"],
                "executives": is_exec.astype(np.int64),
                "users": (~is_exec).astype(np.int64),
                "strong_executives": (is_exec & strong).astype(np.int64),
                "strong_users": (~is_exec & strong).astype(np.int64),
            }
        )
        .groupby("account_id")
        .sum()
    )
    out = out.join(counts).fillna({col: 0 for col in cols})
    for col in cols:
        out[col] = out[col].astype(np.int64)
    out["days_since_executive_contact"] = np.nan
    out["days_since_user_contact"] = np.nan
    if activities is not None and "contact_id" in activities:
        a = activities[activities["occurred_on"] <= as_of]
        a = a[a["contact_id"].notna()][["contact_id", "occurred_on"]]
        a = a.merge(c[["contact_id", "account_id", "role"]], on="contact_id", how="inner")
        last = a.groupby(["account_id", "role"])["occurred_on"].max().unstack("role")
        for role, col in (("executive", "days_since_executive_contact"),
                          ("user", "days_since_user_contact")):  # fmt: skip
            if role in last:
                days = (as_of - last[role]).dt.days.astype(float)
                out[col] = days.reindex(index)
    return out
