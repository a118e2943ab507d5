"""Outcomes CS teams are paid on: renewal rate, success-plan goals, advocacy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.metrics._frames import (
    as_period,
    group_labels,
    month_ordinals,
    ratio_series,
    sum_by_group,
)
from cslib.periods import Period

__all__ = [
    "OPEN_GOAL_STATUSES",
    "advocacy_summary",
    "goal_progress",
    "goal_summary",
    "renewal_rate",
    "status_on",
]

#: Goal statuses (of the data contract's) that mean the goal is still open: it
#: counts in the on-track share and is overdue once its due date has passed.
OPEN_GOAL_STATUSES = ("not_started", "on_track", "at_risk")


def status_on(goals: pd.DataFrame, day: str | pd.Timestamp) -> pd.Series:
    """Each goal's status as it stood on ``day``.

    The data records statuses as of its extract date, which can be after the
    reporting period. A goal due after ``day`` cannot have been missed on that
    day: a recorded ``missed`` is ``in_progress`` then. Other statuses are kept.
    """
    day = pd.Timestamp(day)
    status = goals["status"].astype(str)
    not_due = pd.to_datetime(goals["due_on"]) > day
    return status.mask((status == "missed") & not_due, "in_progress")


def renewal_rate(
    accounts: pd.DataFrame,
    mrr: pd.DataFrame,
    *,
    period: Period | str,
    groups: pd.Series | None = None,
    term_months: int = 12,
) -> pd.DataFrame:
    """Logo and revenue renewal rate of the renewals due in a period.

    ``accounts.renewal_date`` holds each account's next renewal (or, for an
    account that left, its last one); earlier renewals are inferred every
    ``term_months`` before it. A renewal is *due* in the period when it falls
    inside it and the account was paying in the month before it. Of those, the
    logo rate is the share still paying in the month after it, and the revenue
    rate the same share weighted by their MRR in the month before it
    (Gainsight's "renewals due" denominator). A renewal whose month after lies
    beyond the data is ``pending`` and left out of both rates.

    Parameters
    ----------
    accounts : pandas.DataFrame
        ``account_id`` and ``renewal_date``.
    mrr : pandas.DataFrame
        ``account_id``, ``month``, ``mrr``.
    period : Period or str
        The period whose renewals are counted.
    groups : pandas.Series, optional
        Maps ``account_id`` to a group label.
    term_months : int, default 12
        Contract term between renewals.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``renewals_due``, ``renewals_pending``, ``renewed``,
        ``mrr_due``, ``mrr_renewed``, ``logo_renewal_rate`` and
        ``revenue_renewal_rate`` (proportions, ``None`` with nothing due).
    """
    period = as_period(period)
    if "renewal_date" in accounts:
        recorded = pd.to_datetime(accounts["renewal_date"])
    else:
        recorded = pd.Series(pd.NaT, index=accounts.index, dtype="datetime64[ns]")
    known = recorded.notna()
    ids = accounts.loc[known, "account_id"].astype(str).to_numpy()
    recorded = recorded[known]
    # Terms back from the recorded date to the period's end: at most one date of
    # each account falls inside a period of up to one term.
    rec_month = recorded.dt.to_period("M").array.asi8
    back = np.floor_divide(rec_month - period.last_month.ordinal + term_months - 1, term_months)
    back = np.maximum(back, 0)
    shifted = pd.PeriodIndex.from_ordinals(rec_month - back * term_months, freq="M")
    first_of = shifted.to_timestamp()
    day = np.minimum(recorded.dt.day.to_numpy(), first_of.days_in_month.to_numpy())
    dates = pd.Series(first_of + pd.to_timedelta(day - 1, unit="D"))
    inside = (dates >= period.first_day) & (dates < period.last_day + pd.Timedelta(days=1))
    inside = inside.to_numpy()
    ids, dates = ids[inside], dates[inside]
    month = dates.dt.to_period("M").array.asi8
    ords = month_ordinals(mrr["month"])
    last_known = int(ords.max()) if len(ords) else -1
    lookup = pd.Series(
        mrr["mrr"].to_numpy(float),
        index=pd.MultiIndex.from_arrays([mrr["account_id"].astype(str).to_numpy(), ords]),
    )
    before = lookup.reindex(pd.MultiIndex.from_arrays([ids, month - 1])).fillna(0.0).to_numpy()
    after = lookup.reindex(pd.MultiIndex.from_arrays([ids, month + 1])).fillna(0.0).to_numpy()
    due = before > 0
    pending = due & (month + 1 > last_known)
    counted = due & ~pending
    renewed = counted & (after > 0)
    parts = pd.DataFrame(
        {
            "group": group_labels(pd.Index(ids), groups),
            "renewals_due": counted.astype(np.int64),
            "renewals_pending": pending.astype(np.int64),
            "renewed": renewed.astype(np.int64),
            "mrr_due": np.where(counted, before, 0.0),
            "mrr_renewed": np.where(renewed, before, 0.0),
        }
    )
    summed = sum_by_group(parts, groups)
    summed["logo_renewal_rate"] = ratio_series(summed["renewed"], summed["renewals_due"])
    summed["revenue_renewal_rate"] = ratio_series(summed["mrr_renewed"], summed["mrr_due"])
    return summed


def goal_summary(
    goals: pd.DataFrame,
    *,
    period: Period | str,
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """Success-plan goals: achieved share of those due in the period, on-track share of open ones.

    ``achieved_rate = achieved / due`` over the goals whose ``due_on`` lies in
    the period (first to last day, inclusive), whatever their status;
    ``on_track_rate = on track / open`` over the open goals
    (:data:`OPEN_GOAL_STATUSES`, as recorded), whatever their due date.

    Parameters
    ----------
    goals : pandas.DataFrame
        ``account_id``, ``due_on`` (datetime), ``status``.
    period : Period or str
        The period goals are due in.
    groups : pandas.Series, optional
        Maps ``account_id`` to a group label; without it, one row ``total``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``goals_due``, ``goals_achieved``, ``achieved_rate``
        (of goals due in the period), ``open_goals`` (status not started, on
        track or at risk, as recorded), ``on_track`` and ``on_track_rate``
        (proportions, ``None`` when nothing is due or open).

    References
    ----------
    Definition key ``goals``.

    Examples
    --------
    >>> goals = pd.DataFrame({"account_id": "a",
    ...     "due_on": pd.to_datetime(["2026-07-01", "2026-09-30", "2026-12-31", "2026-08-01"]),
    ...     "status": ["achieved", "missed", "on_track", "at_risk"]})
    >>> g = goal_summary(goals, period="2026Q3")
    >>> g[["goals_due", "goals_achieved", "open_goals", "on_track"]].iloc[0].tolist()
    [3, 1, 2, 1]
    >>> round(g["achieved_rate"].iloc[0], 4), g["on_track_rate"].iloc[0]
    (0.3333, 0.5)
    """
    period = as_period(period)
    due = goals["due_on"].between(period.first_day, period.last_day)
    is_open = goals["status"].isin(OPEN_GOAL_STATUSES)
    parts = pd.DataFrame(
        {
            "group": group_labels(pd.Index(goals["account_id"].astype(str)), groups),
            "goals_due": due.astype(np.int64).to_numpy(),
            "goals_achieved": (due & (goals["status"] == "achieved")).astype(np.int64).to_numpy(),
            "open_goals": is_open.astype(np.int64).to_numpy(),
            "on_track": (is_open & (goals["status"] == "on_track")).astype(np.int64).to_numpy(),
        }
    )
    summed = sum_by_group(parts, groups)
    summed["achieved_rate"] = ratio_series(summed["goals_achieved"], summed["goals_due"])
    summed["on_track_rate"] = ratio_series(summed["on_track"], summed["open_goals"])
    return summed


def advocacy_summary(
    advocacy: pd.DataFrame,
    *,
    account_ids: pd.Index,
    as_of: str | pd.Timestamp,
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """Advocacy over the trailing twelve months up to ``as_of``.

    Parameters
    ----------
    advocacy : pandas.DataFrame
        ``account_id``, ``occurred_on``, ``kind``.
    account_ids : pandas.Index
        The accounts the share is taken over (usually those paying on ``as_of``).

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``accounts``, ``advocates`` (accounts with at least
        one event), ``advocate_share`` and one count column per kind.
    """
    as_of = pd.Timestamp(as_of)
    start = as_of - pd.DateOffset(months=12)
    ids = pd.Index(account_ids.astype(str))
    ev = advocacy[(advocacy["occurred_on"] > start) & (advocacy["occurred_on"] <= as_of)]
    ev = ev[ev["account_id"].astype(str).isin(ids)]
    kinds = ["referral", "reference_call", "case_study", "review"]
    per_account = pd.crosstab(ev["account_id"].astype(str), ev["kind"]).reindex(
        index=ids, columns=kinds, fill_value=0
    )
    parts = per_account.copy()
    parts["accounts"] = 1
    parts["advocates"] = (per_account.sum(axis=1) > 0).astype(np.int64)
    parts["group"] = group_labels(ids, groups)
    columns = ["accounts", "advocates", *kinds]
    summed = sum_by_group(parts[[*columns, "group"]], groups)
    summed["advocate_share"] = ratio_series(summed["advocates"], summed["accounts"])
    return summed


def goal_progress(goals: pd.DataFrame) -> pd.Series:
    """Each goal's progress from baseline to target, a proportion clipped to 0..1.

    ``(current − baseline) / (target − baseline)``: it works for goals where
    lower is better too (the target below the baseline). Missing where the
    goal has no numeric baseline, target or current value, or where target
    equals baseline.

    Examples
    --------
    >>> g = pd.DataFrame({"baseline": [10, 4.7, None], "target": [50, 3.3, 1],
    ...                   "current": [30, 3.1, 1]})
    >>> goal_progress(g).tolist()
    [0.5, 1.0, nan]
    """
    cols = {
        c: pd.to_numeric(goals[c], errors="coerce")
        if c in goals
        else pd.Series(np.nan, index=goals.index)
        for c in ("baseline", "target", "current")
    }
    span = (cols["target"] - cols["baseline"]).astype(float)
    raw = (cols["current"] - cols["baseline"]).astype(float) / span.where(span != 0)
    return (raw.clip(0.0, 1.0) + 0.0).rename("progress")  # + 0.0: no -0
