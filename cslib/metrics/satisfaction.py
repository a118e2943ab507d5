"""Customer satisfaction: NPS with its margin of error, CSAT and CES.

NPS responses count in the period of their ``responded_on`` date; a ticket's
CSAT and CES count in the period in which the ticket was closed, and an open
ticket has none. The answer groups (promoters 9-10, detractors 0-6, satisfied
4-5) are defined once here, as :data:`PROMOTER_MIN`, :data:`DETRACTOR_MAX` and
:data:`SATISFIED_MIN`; every report, chart and health measure imports them.

Every summary counts answers per row key (an account's group, the period a
date falls in) and derives the scores from the counts in one place
(:func:`_scores`), so a period's NPS is the same number whether it comes from
:func:`satisfaction_summary`, :func:`satisfaction_trend` or
:func:`trailing_satisfaction`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cslib.metrics._frames import (
    as_period,
    dated_in,
    group_labels,
    period_positions,
    ratio_series,
)
from cslib.periods import Period

__all__ = [
    "DETRACTOR_MAX",
    "MIN_RESPONSES",
    "PROMOTER_MIN",
    "SATISFIED_MIN",
    "customer_effort_score",
    "customer_satisfaction",
    "net_promoter_score",
    "nps_breakdown",
    "nps_margin_of_error",
    "satisfaction_summary",
    "satisfaction_trend",
    "trailing_satisfaction",
]

Z_95 = 1.96

#: NPS answer groups on the 0-10 scale (Bain & Company / Satmetrix): a promoter
#: answers 9 or 10, a detractor 0 to 6, a passive 7 or 8.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
#: CSAT: an answer of 4 or 5 on the 1-5 scale counts as satisfied.
SATISFIED_MIN = 4

#: Fewer survey answers than this in a period and reports treat its NPS or CSAT as
#: indicative only: not compared with other periods, drawn hollow in trends.
MIN_RESPONSES = 30


def _nps_points(promoters: np.ndarray | float, detractors: np.ndarray | float,
                responses: np.ndarray | float) -> np.ndarray | float:
    """``100 x (promoters - detractors) / responses``: one rounding, so 7 - 2 of 10 is 50.0."""
    return 100.0 * (promoters - detractors) / responses


def net_promoter_score(scores: pd.Series | np.ndarray | list[int]) -> float | None:
    """NPS in points (-100..100): % promoters (9-10) minus % detractors (0-6).

    ``NPS = 100 x (promoters - detractors) / responses``, computed from the
    counts so that an NPS on a threshold is exactly on it (7 promoters and 2
    detractors of 10 answers give 50.0, not 49.99...). ``None`` when there is
    no response.

    References
    ----------
    Reichheld (2003), "The One Number You Need to Grow"; Bain & Company's NPS.

    Examples
    --------
    >>> net_promoter_score([10, 9, 8, 3])
    25.0
    >>> net_promoter_score([9] * 7 + [7] + [0] * 2)
    50.0
    """
    s = np.asarray(scores, dtype=float)
    s = s[~np.isnan(s)]
    if s.size == 0:
        return None
    promoters, detractors = int((s >= PROMOTER_MIN).sum()), int((s <= DETRACTOR_MAX).sum())
    return float(_nps_points(promoters, detractors, s.size))


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
    return float((r >= SATISFIED_MIN).mean()) if r.size else None


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


_COUNTS = [
    "nps_responses", "promoters", "detractors",
    "csat_responses", "csat_satisfied", "ces_responses", "ces_sum",
]  # fmt: skip


def _counts(
    nps: pd.DataFrame | None,
    nps_keys: np.ndarray | None,
    tickets: pd.DataFrame | None,
    ticket_keys: np.ndarray | None,
    *,
    total: bool,
) -> pd.DataFrame:
    """Answers counted per key: responses, promoters, detractors, satisfied, the CES sum.

    ``nps`` and ``tickets`` are the rows that count (already cut to the
    period), ``*_keys`` the key of each row (a group, a period's position).
    With ``total``, no row at all gives one row of zeros called ``total``.
    """
    parts = []
    if nps is not None and nps_keys is not None and len(nps):
        score = nps["score"].astype(float)
        parts.append(
            pd.DataFrame(
                {
                    "group": nps_keys,
                    "nps_responses": score.notna().astype(np.int64).to_numpy(),
                    "promoters": (score >= PROMOTER_MIN).astype(np.int64).to_numpy(),
                    "detractors": (score <= DETRACTOR_MAX).astype(np.int64).to_numpy(),
                }
            )
        )
    if tickets is not None and ticket_keys is not None and len(tickets):
        nan = pd.Series(np.nan, index=tickets.index)
        csat = tickets["csat"].astype(float) if "csat" in tickets else nan
        ces = tickets["ces"].astype(float) if "ces" in tickets else nan
        parts.append(
            pd.DataFrame(
                {
                    "group": ticket_keys,
                    "csat_responses": csat.notna().astype(np.int64).to_numpy(),
                    "csat_satisfied": (csat >= SATISFIED_MIN).astype(np.int64).to_numpy(),
                    "ces_responses": ces.notna().astype(np.int64).to_numpy(),
                    "ces_sum": ces.fillna(0.0).to_numpy(),
                }
            )
        )
    if parts:
        summed = pd.concat(parts, ignore_index=True).groupby("group", sort=True).sum()
        summed = summed.reindex(columns=_COUNTS, fill_value=0).fillna(0)
    else:
        summed = pd.DataFrame(columns=_COUNTS, dtype=float)
    if total and summed.empty:
        summed = pd.DataFrame(0, index=pd.Index(["total"]), columns=_COUNTS)
    return summed


def _scores(counts: pd.DataFrame) -> pd.DataFrame:
    """NPS (points), its 95% margin, CSAT and CES from :func:`_counts`; ``None`` without answers.

    ``NPS = 100 (P - D) / n``; margin ``1.96 x 100 x sqrt((p + d - (p - d)^2) / n)``
    with ``p = P / n``, ``d = D / n``; ``CSAT = satisfied / answers``;
    ``CES = sum / answers``.
    """
    n = counts["nps_responses"].astype(float)
    answered = n.where(n > 0)
    p, d = counts["promoters"] / answered, counts["detractors"] / answered
    points = _nps_points(counts["promoters"], counts["detractors"], answered)
    margin = Z_95 * 100.0 * np.sqrt(np.maximum(p + d - (p - d) ** 2, 0.0) / answered)
    out = pd.DataFrame(index=counts.index)
    out["nps"] = points.astype(object).where(points.notna(), None)
    out["nps_margin"] = margin.astype(object).where(margin.notna(), None)
    out["nps_responses"] = counts["nps_responses"].astype(np.int64)
    out["csat"] = ratio_series(counts["csat_satisfied"], counts["csat_responses"])
    out["csat_responses"] = counts["csat_responses"].astype(np.int64)
    out["ces"] = ratio_series(counts["ces_sum"], counts["ces_responses"])
    out["ces_responses"] = counts["ces_responses"].astype(np.int64)
    return out


def _keys(frame: pd.DataFrame | None, groups: pd.Series | None) -> np.ndarray | None:
    """The group of each row's account (see :func:`~cslib.metrics._frames.group_labels`)."""
    if frame is None:
        return None
    return group_labels(pd.Index(frame["account_id"].astype(str)), groups)


def _named(out: pd.DataFrame, groups: pd.Series | None) -> pd.DataFrame:
    out.index.name = groups.name if groups is not None else None
    return out


def satisfaction_summary(
    *,
    nps: pd.DataFrame | None,
    tickets: pd.DataFrame | None,
    period: Period | str,
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """NPS, CSAT and CES over a period, for the total or for each group.

    ``NPS = 100 x (promoters - detractors) / responses`` (promoters answer
    :data:`PROMOTER_MIN` or more, detractors :data:`DETRACTOR_MAX` or less),
    with its 95% margin of error; ``CSAT`` = share of answers of
    :data:`SATISFIED_MIN` or more; ``CES`` = mean answer.

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

    References
    ----------
    Reichheld (2003); Bain & Company / Satmetrix, Net Promoter Score; definition
    keys ``nps``, ``csat``, ``ces``.

    Examples
    --------
    >>> nps = pd.DataFrame({"account_id": ["a", "a", "b"], "score": [10, 3, 9],
    ...     "responded_on": pd.to_datetime(["2026-07-01", "2026-09-30", "2026-10-01"])})
    >>> satisfaction_summary(nps=nps, tickets=None, period="2026Q3")[["nps", "nps_responses"]]
           nps  nps_responses
    total  0.0              2
    """
    period = as_period(period)
    r = None if nps is None else nps[dated_in(nps["responded_on"], period)]
    t = None if tickets is None else tickets[dated_in(tickets["closed_on"], period)]
    counts = _counts(r, _keys(r, groups), t, _keys(t, groups), total=groups is None)
    return _named(_scores(counts), groups)


def _by_period(
    frame: pd.DataFrame | None, column: str, periods: Sequence[Period]
) -> tuple[pd.DataFrame | None, np.ndarray | None]:
    """The rows of ``frame`` whose ``column`` date lies in one of ``periods``, and which one."""
    if frame is None or frame.empty:
        return None, None
    months = frame[column].dt.to_period("M").array.asi8  # NaT: far outside every period
    at = period_positions(np.asarray(months, dtype=np.int64), periods)
    inside = (at >= 0) & frame[column].notna().to_numpy()
    return frame[inside], at[inside]


def satisfaction_trend(
    *,
    nps: pd.DataFrame | None,
    tickets: pd.DataFrame | None,
    periods: Sequence[Period],
) -> pd.DataFrame:
    """NPS, CSAT and CES of each of several periods (a trend), in one pass over the data.

    Each response counts in the period of its ``responded_on`` date, each
    ticket's CSAT and CES in the period of its ``closed_on`` date; per period
    the scores are those of :func:`satisfaction_summary` (the same numbers as
    one call per period).

    Parameters
    ----------
    nps, tickets : pandas.DataFrame or None
        As in :func:`satisfaction_summary`.
    periods : sequence of Period
        The periods, in the order the rows are wanted (for instance the eight
        quarters of a trend); they must not share a month.

    Returns
    -------
    pandas.DataFrame
        One row per period, in order, indexed by its label (index ``period``),
        with the columns of :func:`satisfaction_summary`; a period without
        answers has counts 0 and scores ``None``.

    Raises
    ------
    ParameterError
        If two periods share a month.

    References
    ----------
    Bain & Company / Satmetrix (NPS); definition keys ``nps``, ``csat``, ``ces``.

    Examples
    --------
    >>> nps = pd.DataFrame({"account_id": "a", "score": [10, 0, 9, 9],
    ...     "responded_on": pd.to_datetime(["2026-04-02", "2026-06-30", "2026-07-01",
    ...                                     "2026-12-31"])})
    >>> qs = [Period.parse(q) for q in ("2026Q2", "2026Q3", "2026Q4")]
    >>> trend = satisfaction_trend(nps=nps, tickets=None, periods=qs)
    >>> trend.index.tolist(), trend["nps"].tolist(), trend["nps_responses"].tolist()
    (['2026Q2', '2026Q3', '2026Q4'], [0.0, 100.0, 100.0], [2, 1, 1])
    """
    period_positions(np.empty(0, dtype=np.int64), periods)  # refuse overlaps, even without rows
    r, r_at = _by_period(nps, "responded_on", periods)
    t, t_at = _by_period(tickets, "closed_on", periods)
    counts = _counts(r, r_at, t, t_at, total=False)
    counts = counts.reindex(range(len(periods)), fill_value=0)
    out = _scores(counts)
    out.index = pd.Index([p.label for p in periods], name="period")
    return out


def trailing_satisfaction(
    *,
    nps: pd.DataFrame | None,
    tickets: pd.DataFrame | None,
    as_of: str | pd.Timestamp,
    months: int = 12,
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """NPS, CSAT and CES over the ``months`` months up to ``as_of``, for the total or each group.

    Responses dated, and tickets closed, after ``as_of - months`` and on or
    before ``as_of`` count (a rolling window, as health measures and a QBR's
    "last 12 months" read them); the scores are those of
    :func:`satisfaction_summary`.

    Parameters
    ----------
    nps, tickets : pandas.DataFrame or None
        As in :func:`satisfaction_summary`.
    as_of : str or pandas.Timestamp
        The window's last instant (a day at midnight counts answers dated that day
        at midnight, as the data's dates are).
    months : int, default 12
        The window's length in calendar months.
    groups : pandas.Series, optional
        Maps ``account_id`` to a group label; without it, one row ``total``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group, the columns of :func:`satisfaction_summary`.

    Examples
    --------
    >>> tickets = pd.DataFrame({"account_id": "a", "csat": [5, 2, 4], "ces": None,
    ...     "closed_on": pd.to_datetime(["2025-10-31", "2025-11-01", "2026-10-31"])})
    >>> s = trailing_satisfaction(nps=None, tickets=tickets, as_of="2026-10-31")
    >>> s["csat"].tolist(), s["csat_responses"].tolist()
    ([0.5], [2])
    """
    end = pd.Timestamp(as_of)
    start = end - pd.DateOffset(months=int(months))

    def window(frame: pd.DataFrame | None, column: str) -> pd.DataFrame | None:
        if frame is None:
            return None
        return frame[(frame[column] > start) & (frame[column] <= end)]

    r, t = window(nps, "responded_on"), window(tickets, "closed_on")
    counts = _counts(r, _keys(r, groups), t, _keys(t, groups), total=groups is None)
    return _named(_scores(counts), groups)


def nps_breakdown(
    nps: pd.DataFrame | None, *, period: Period | str, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Promoters, passives and detractors over a period, with their shares and the NPS.

    Of the ``n`` responses dated in the period: promoters answer
    :data:`PROMOTER_MIN` (9) or more, detractors :data:`DETRACTOR_MAX` (6) or
    less, passives the rest (7-8); each share is its count / ``n``, and
    ``NPS = 100 x (promoter share - detractor share)`` in points (computed as
    ``100 (P - D) / n``).

    Parameters
    ----------
    nps : pandas.DataFrame or None
        ``account_id``, ``responded_on`` (datetime), ``score`` (0..10).
    period : Period or str
        Responses dated inside it count.
    groups : pandas.Series, optional
        Maps ``account_id`` to a group label; without it, one row ``total``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (groups with a response in the period; ``total``
        always without groups): ``nps_responses``, ``promoters``,
        ``passives``, ``detractors`` (counts), ``promoter_share``,
        ``passive_share``, ``detractor_share`` (proportions, NaN without
        responses), ``nps`` and ``nps_margin`` (points, ``None`` without
        responses).

    References
    ----------
    Reichheld (2003); Bain & Company / Satmetrix, Net Promoter Score;
    definition key ``nps``.

    Examples
    --------
    >>> nps = pd.DataFrame({"account_id": "a", "score": [10, 9, 8, 3],
    ...                     "responded_on": pd.Timestamp("2026-08-01")})
    >>> b = nps_breakdown(nps, period="2026Q3").loc["total"]
    >>> b[["promoters", "passives", "detractors", "promoter_share", "nps"]].astype(float).tolist()
    [2.0, 1.0, 1.0, 0.5, 25.0]
    """
    period = as_period(period)
    r = None if nps is None else nps[dated_in(nps["responded_on"], period)]
    counts = _counts(r, _keys(r, groups), None, None, total=groups is None)
    n = counts["nps_responses"].astype(float)
    out = pd.DataFrame(index=counts.index)
    out["nps_responses"] = counts["nps_responses"].astype(np.int64)
    out["promoters"] = counts["promoters"].astype(np.int64)
    out["passives"] = (counts["nps_responses"] - counts["promoters"] - counts["detractors"]).astype(
        np.int64
    )
    out["detractors"] = counts["detractors"].astype(np.int64)
    answered = n.where(n > 0)
    out["promoter_share"] = counts["promoters"].astype(float) / answered
    out["passive_share"] = out["passives"].astype(float) / answered
    out["detractor_share"] = counts["detractors"].astype(float) / answered
    scores = _scores(counts)
    out["nps"], out["nps_margin"] = scores["nps"], scores["nps_margin"]
    return _named(out, groups)
