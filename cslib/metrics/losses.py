"""Understanding failure: every loss of a period, the signals before it, and the early warning.

- **Loss**: an account in the period's start book (MRR > 0 in the month
  before the period) whose MRR in the period's last month is 0 (*churn*) or
  lower than its start MRR (*contraction*); ARR lost = 12 x (start - end).
- **Signals**: health band and risk flags at each of the six month-ends before
  the period's last month, each read from the data known that day
  (:func:`cslib.metrics.backtest.known_on`: no look-ahead); then, at the last
  of them, the last executive and user contact, NPS and CSAT over the trailing
  twelve months, goals missed and tickets opened in the six months.
- **Early-warning recall**: lost ARR of the losses that were red or carried a
  flag on the last month-end at least :data:`WARNING_DAYS` days before the
  period's last day (:func:`warning_day`), divided by all lost ARR.
  **Precision**: of the start-book accounts red or flagged that day, the share
  lost in the period.
- **Reason**: the latest ``churn_events`` row of the account dated in the
  period or up to a month after it, where the data has that table.
- **Churn notice** (a data-quality rule): a ``churn_events`` row dated in the
  period for an account that is *not* a loss (its MRR did not fall). Revenue
  follows billing, so such an account counts as retained in churn, NRR and GRR;
  every internal document says how many there are (:func:`churn_notices`), and
  the loss review lists them.

References
----------
DESIGN.md, "Loss", "Early-warning recall"; Gainsight, churn analysis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.metrics._frames import as_period
from cslib.metrics.backtest import book_change, snapshot
from cslib.metrics.health import HealthConfig
from cslib.metrics.risk import RiskSettings, paying_accounts
from cslib.periods import Period

__all__ = [
    "SIGNAL_MONTHS",
    "WARNING_DAYS",
    "churn_notices",
    "early_warning",
    "period_losses",
    "signal_history",
    "warning_day",
]

#: Month-ends before the period's last month whose signals a loss review reads.
SIGNAL_MONTHS = 6
#: How long before the period's last day a warning must have been raised to count.
WARNING_DAYS = 90


def period_losses(dataset: Dataset, *, period: Period | str) -> pd.DataFrame:
    """Every account of the start book that ended the period lower: churned or contracted.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``, largest loss first (ties by name): ``name``,
        ``segment``, ``csm`` (when recorded), ``start_mrr``, ``end_mrr``,
        ``lost_arr`` = 12 x (start - end), ``kind`` (``churn`` or
        ``contraction``), ``customer_since`` (first month with MRR > 0),
        ``tenure_months`` (from then to the period's last month) and ``reason``
        (the churn event's, ``None`` without one).
    """
    p = as_period(period)
    change = book_change(dataset.mrr, p)
    lost = change.index[change["lost"].to_numpy()]
    acc = dataset.accounts.set_index(dataset.accounts["account_id"].astype(str))
    out = pd.DataFrame(index=pd.Index(lost, name="account_id"))
    out["name"] = acc["name"].reindex(lost).astype(str)
    out["segment"] = acc["segment"].reindex(lost).astype(str)
    if "csm" in acc:
        out["csm"] = acc["csm"].reindex(lost)
    out["start_mrr"] = change.loc[lost, "start_mrr"]
    out["end_mrr"] = change.loc[lost, "end_mrr"]
    out["lost_arr"] = 12.0 * (out["start_mrr"] - out["end_mrr"])
    out["kind"] = np.where(out["end_mrr"] == 0, "churn", "contraction")
    paid = dataset.mrr[dataset.mrr["mrr"] > 0]
    first = paid.groupby(paid["account_id"].astype(str))["month"].min().reindex(lost)
    out["customer_since"] = first
    out["tenure_months"] = [(p.last_month - m).n if isinstance(m, pd.Period) else np.nan
                            for m in first]
    out["reason"] = _reasons(dataset, p).reindex(lost)
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    return out.sort_values(["lost_arr", "name"], ascending=[False, True])


def _reasons(dataset: Dataset, p: Period) -> pd.Series:
    """The reason of each account's latest churn event in the period or the month after it."""
    events = dataset.get("churn_events")
    if events is None or "reason" not in events:
        return pd.Series(dtype=object)
    when = pd.to_datetime(events["occurred_on"])
    inside = (when >= p.first_day) & (when <= (p.last_month + 1).end_time.normalize())
    ev = events[inside & events["reason"].notna()].assign(_when=when[inside])
    ev = ev.sort_values(["_when"]).groupby(ev["account_id"].astype(str)).tail(1)
    return pd.Series(ev["reason"].astype(str).to_numpy(), index=ev["account_id"].astype(str))


def signal_history(
    dataset: Dataset,
    *,
    period: Period | str,
    config: HealthConfig | None = None,
    settings: RiskSettings | None = None,
    months: int = SIGNAL_MONTHS,
) -> pd.DataFrame:
    """Health and flags of every account at each of the ``months`` month-ends before the end.

    Returns
    -------
    pandas.DataFrame
        One row per (``month``, ``account_id``) of the accounts paying that
        month: the health measures, ``health_score``, ``health_band``, one
        column per flag, ``flags``, days since the last executive and user
        contact; every figure read from the data known on that month's last day.
    """
    p = as_period(period)
    config = config or HealthConfig.default()
    settings = settings or RiskSettings()
    parts = []
    for k in range(months, 0, -1):
        m = p.last_month - k
        snap = snapshot(dataset, m.end_time.normalize(), config=config, settings=settings)
        parts.append(snap.assign(month=m).reset_index())
    return pd.concat(parts, ignore_index=True).set_index(["month", "account_id"]).sort_index()


def warning_day(period: Period | str, days: int = WARNING_DAYS) -> pd.Timestamp:
    """The last month-end at least ``days`` days before the period's last day.

    Signals are read at month-ends; for a quarter and 90 days it is the day
    before the quarter began (2026-06-30 for 2026Q3), when every account of
    the start book was still paying, whenever in the quarter it was lost.
    """
    p = as_period(period)
    d = p.last_day - pd.Timedelta(days=days)
    month_end = d.to_period("M").end_time.normalize()
    return d if d == month_end else (d.to_period("M") - 1).end_time.normalize()


def early_warning(
    dataset: Dataset,
    *,
    period: Period | str,
    config: HealthConfig | None = None,
    settings: RiskSettings | None = None,
    days: int = WARNING_DAYS,
    losses: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """How many losses were seen coming ``days`` days or more before the period's last day.

    ``losses`` (:func:`period_losses` of the same period) saves computing them again.

    Returns
    -------
    dict
        ``day`` (the warning day), ``lost_arr`` (all), ``warned_lost_arr``,
        ``recall`` (warned lost ARR / lost ARR), ``warned`` (start-book accounts
        red or flagged that day), ``warned_lost``, ``precision`` (warned lost /
        warned), ``losses``, ``unwarned`` (ids of the losses nobody saw coming)
        and ``warned_ids``. Rates are ``None`` when undefined.
    """
    p = as_period(period)
    config = config or HealthConfig.default()
    settings = settings or RiskSettings()
    day = warning_day(p, days)
    snap = snapshot(dataset, day, config=config, settings=settings)
    red_or_flagged = (snap["health_band"] == "red") | (snap["flags"] > 0)
    start = paying_accounts(dataset.mrr, month=p.start_book)
    warned = pd.Index(snap.index[red_or_flagged.to_numpy()]).intersection(start.index)
    losses = losses if losses is not None else period_losses(dataset, period=p)
    hit = losses.index.isin(warned)
    lost_arr = float(losses["lost_arr"].sum())
    warned_lost_arr = float(losses.loc[hit, "lost_arr"].sum())
    return {
        "day": day,
        "losses": len(losses),
        "lost_arr": lost_arr,
        "warned_lost_arr": warned_lost_arr,
        "recall": warned_lost_arr / lost_arr if lost_arr else None,
        "warned": len(warned),
        "warned_lost": int(hit.sum()),
        "precision": int(hit.sum()) / len(warned) if len(warned) else None,
        "unwarned": list(losses.index[~hit]),
        "warned_ids": list(warned),
    }


def churn_notices(dataset: Dataset, *, period: Period | str,
                  losses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Churn events recorded in the period for accounts whose revenue did not fall.

    The data-quality rule of the toolkit: revenue follows billing. An account
    whose MRR in the period's last month is not below its start MRR (or that
    was not paying at the start) is not a loss, whatever a churn form says; it
    counts as retained in logo churn, NRR and GRR. These events are reported
    beside the figures instead of being silently dropped.

    Parameters
    ----------
    dataset : Dataset
        Needs the optional ``churn_events`` table; without it the result is empty.
    period : Period or str
        Events with ``period.first_day <= occurred_on <= period.last_day``.
    losses : pandas.DataFrame, optional
        :func:`period_losses` of the same period (saves computing it again).

    Returns
    -------
    pandas.DataFrame
        One row per event, latest first: ``account_id`` (str), ``occurred_on``
        (Timestamp), ``kind``, ``reason`` (missing when not recorded) and
        ``end_mrr`` (the account's MRR in the period's last month, 0 when none).
    """
    p = as_period(period)
    columns = ["account_id", "occurred_on", "kind", "reason", "end_mrr"]
    events = dataset.get("churn_events")
    if events is None or events.empty:
        return pd.DataFrame(columns=columns)
    when = pd.to_datetime(events["occurred_on"])
    inside = (when >= p.first_day) & (when <= p.last_day)
    out = pd.DataFrame({
        "account_id": events["account_id"].astype(str).to_numpy(),
        "occurred_on": when.to_numpy(),
        "kind": events["kind"].astype(str).to_numpy() if "kind" in events else "churn",
        "reason": events["reason"].to_numpy() if "reason" in events else None,
    })[inside.to_numpy()]
    losses = losses if losses is not None else period_losses(dataset, period=p)
    out = out[~out["account_id"].isin(losses.index)]
    last = dataset.mrr[dataset.mrr["month"] == p.last_month]
    mrr = last.groupby(last["account_id"].astype(str))["mrr"].sum()
    out["end_mrr"] = mrr.reindex(out["account_id"]).fillna(0.0).to_numpy()
    return out.sort_values(["occurred_on", "account_id"], ascending=[False, True]
                           ).reset_index(drop=True)[columns]
