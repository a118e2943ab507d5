"""Customer satisfaction: NPS with its margin of error, CSAT and CES.

NPS responses count in the period of their ``responded_on`` date; a ticket's
CSAT and CES count in the period in which the ticket was closed, and an open
ticket has none.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cslib.metrics._frames import as_period, group_labels, ratio_series
from cslib.periods import Period

__all__ = [
    "MIN_RESPONSES",
    "customer_effort_score",
    "customer_satisfaction",
    "net_promoter_score",
    "nps_margin_of_error",
    "satisfaction_summary",
]

Z_95 = 1.96


#: Fewer survey answers than this in a period and reports treat its NPS or CSAT as
#: indicative only: not compared with other periods, drawn hollow in trends.
MIN_RESPONSES = 30

def net_promoter_score(scores: pd.Series | np.ndarray | list[int]) -> float | None:
    """NPS in points (-100..100): % promoters (9-10) minus % detractors (0-6).

    ``None`` when there is no response.

    References
    ----------
    Reichheld (2003), "The One Number You Need to Grow"; Bain & Company's NPS.

    Examples
    --------
    >>> net_promoter_score([10, 9, 8, 3])
    25.0
    """
    s = np.asarray(scores, dtype=float)
    s = s[~np.isnan(s)]
    if s.size == 0:
        return None
    return 100.0 * (float((s >= 9).mean()) - float((s <= 6).mean()))


def nps_margin_of_error(*, promoters: int, detractors: int, responses: int) -> float | None:
    """The 95% margin of error of an NPS, in points.

    ``1.96 x 100 x sqrt((p + d - (p - d)^2) / n)`` with ``p`` and ``d`` the
    promoter and detractor shares of ``n`` responses: the normal approximation
    to the variance of a variable that is +1, 0 or -1.

    Examples
    --------
    >>> round(nps_margin_of_error(promoters=291, detractors=395, responses=1162), 2)
    4.39
    """
    if responses <= 0:
        return None
    p, d = promoters / responses, detractors / responses
    return Z_95 * 100.0 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / responses)


def customer_satisfaction(ratings: pd.Series | np.ndarray | list[int]) -> float | None:
    """CSAT: the share of 4 and 5 answers on the 1-5 scale (a proportion).

    Examples
    --------
    >>> customer_satisfaction([5] * 10 + [4] * 20 + [3] * 10 + [2] * 5 + [1] * 5)
    0.6
    """
    r = np.asarray(ratings, dtype=float)
    r = r[~np.isnan(r)]
    return float((r >= 4).mean()) if r.size else None


def customer_effort_score(ratings: pd.Series | np.ndarray | list[int]) -> float | None:
    """CES: the mean answer on the 1-7 scale (higher is easier).

    Examples
    --------
    >>> counts = [80, 210, 140, 110, 160, 180, 120]
    >>> customer_effort_score(np.repeat(np.arange(1, 8), counts))
    4.08
    """
    r = np.asarray(ratings, dtype=float)
    r = r[~np.isnan(r)]
    return float(r.mean()) if r.size else None


def _in_period(dates: pd.Series, period: Period) -> pd.Series:
    first, last = period.first_day, period.last_day
    return dates.notna() & (dates >= first) & (dates < last + pd.Timedelta(days=1))


def satisfaction_summary(
    *,
    nps: pd.DataFrame | None,
    tickets: pd.DataFrame | None,
    period: Period | str,
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """NPS, CSAT and CES over a period, for the total or for each group.

    Parameters
    ----------
    nps : pandas.DataFrame or None
        ``account_id``, ``responded_on`` (datetime), ``score`` (0..10).
    tickets : pandas.DataFrame or None
        ``account_id``, ``closed_on`` (datetime, missing while open), ``csat``
        (1..5, optional answer) and ``ces`` (1..7, optional answer).
    period : Period or str
        Responses dated, and tickets closed, inside the period's months count.
    groups : pandas.Series, optional
        Maps ``account_id`` to a group label; without it, one row ``total``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``nps`` (points), ``nps_margin`` (points, 95%),
        ``nps_responses``, ``csat`` (proportion), ``csat_responses``, ``ces``
        (1..7), ``ces_responses``. A score with no response is ``None``.
    """
    period = as_period(period)
    parts = []
    if nps is not None and not nps.empty:
        r = nps[_in_period(nps["responded_on"], period)]
        score = r["score"].astype(float)
        parts.append(
            pd.DataFrame(
                {
                    "group": group_labels(pd.Index(r["account_id"].astype(str)), groups),
                    "nps_responses": score.notna().astype(np.int64).to_numpy(),
                    "promoters": (score >= 9).astype(np.int64).to_numpy(),
                    "detractors": (score <= 6).astype(np.int64).to_numpy(),
                }
            )
        )
    if tickets is not None and not tickets.empty:
        t = tickets[_in_period(tickets["closed_on"], period)]
        csat = t["csat"].astype(float) if "csat" in t else pd.Series(np.nan, index=t.index)
        ces = t["ces"].astype(float) if "ces" in t else pd.Series(np.nan, index=t.index)
        parts.append(
            pd.DataFrame(
                {
                    "group": group_labels(pd.Index(t["account_id"].astype(str)), groups),
                    "csat_responses": csat.notna().astype(np.int64).to_numpy(),
                    "csat_satisfied": (csat >= 4).astype(np.int64).to_numpy(),
                    "ces_responses": ces.notna().astype(np.int64).to_numpy(),
                    "ces_sum": ces.fillna(0.0).to_numpy(),
                }
            )
        )
    columns = [
        "nps_responses", "promoters", "detractors",
        "csat_responses", "csat_satisfied", "ces_responses", "ces_sum",
    ]  # fmt: skip
    if parts:
        summed = pd.concat(parts, ignore_index=True).groupby("group", sort=True).sum()
        summed = summed.reindex(columns=columns, fill_value=0).fillna(0)
    else:
        summed = pd.DataFrame(columns=columns, dtype=float)
    if groups is None and summed.empty:
        summed = pd.DataFrame(0, index=pd.Index(["total"]), columns=columns)
    n = summed["nps_responses"].astype(float)
    p = summed["promoters"] / n.where(n > 0)
    d = summed["detractors"] / n.where(n > 0)
    out = pd.DataFrame(index=summed.index)
    out.index.name = groups.name if groups is not None else None
    nps_points = 100.0 * (p - d)
    margin = Z_95 * 100.0 * np.sqrt(np.maximum(p + d - (p - d) ** 2, 0.0) / n.where(n > 0))
    out["nps"] = nps_points.astype(object).where(nps_points.notna(), None)
    out["nps_margin"] = margin.astype(object).where(margin.notna(), None)
    out["nps_responses"] = summed["nps_responses"].astype(np.int64)
    out["csat"] = ratio_series(summed["csat_satisfied"], summed["csat_responses"])
    out["csat_responses"] = summed["csat_responses"].astype(np.int64)
    out["ces"] = ratio_series(summed["ces_sum"], summed["ces_responses"])
    out["ces_responses"] = summed["ces_responses"].astype(np.int64)
    return out
