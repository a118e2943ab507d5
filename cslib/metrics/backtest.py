"""Does the health score predict churn? A backtest on the data's own history.

For each quarter ``Q`` with a full quarter of history before it, every account
paying in the month before ``Q`` (its start book) gets its health score, band
and risk flags **as of the day before Q starts**, computed from the data known
then (:func:`known_on`: no look-ahead); its outcome is a *loss* during ``Q``:
end-month MRR below start-month MRR (churn to 0, or contraction). Then:

- the loss rate by band and its **lift** (band rate / overall rate);
- the **ROC AUC** of the score (lower score = higher risk): the probability
  that a lost account scored lower than a kept one, ties counting half
  (Mann-Whitney); 0.5 is a coin toss, 1 a perfect warning;
- each measure's AUC alone, and each flag's precision and recall;
- **suggested weights**: an L2-regularized logistic regression on the measure
  scores, cross-validated by quarter (each quarter predicted by a model fitted
  on the others), its AUC shown beside the current score's. A suggestion to
  read, never applied.

References
----------
DESIGN.md, "Health backtest"; Hanley & McNeil (1982), the meaning of the area
under the ROC curve; scikit-learn, ``LogisticRegression``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.errors import PeriodError
from cslib.metrics.health import HealthConfig, account_measures, health_scores
from cslib.metrics.risk import RISK_FLAGS, RiskSettings, paying_accounts, risk_flags
from cslib.periods import Period, latest_complete_quarter

__all__ = [
    "MIN_LOSSES_TO_FIT",
    "auc",
    "backtest_frame",
    "backtest_quarters",
    "backtest_summary",
    "book_change",
    "known_on",
    "run_backtest",
    "snapshot",
    "suggested_weights",
]

#: Dated rows per table: a row is known on a day when this date (month) is on or before it.
_DATED = {"nps": "responded_on", "tickets": "opened_on", "activities": "occurred_on",
          "advocacy": "occurred_on", "churn_events": "occurred_on"}
#: Fewer losses than this in the history: no weights are fitted (too few to learn from).
MIN_LOSSES_TO_FIT = 10
#: Months of data a quarter needs before it: the 3-month changes of the health score.
HISTORY_MONTHS = 3


def known_on(dataset: Dataset, day: str | pd.Timestamp) -> Dataset:
    """``dataset`` as it was known on ``day``: no row dated after it.

    - ``mrr`` and ``usage``: months up to ``day``'s month;
    - ``nps``, ``activities``, ``advocacy``: dated on or before ``day``;
    - ``tickets``: opened on or before ``day``; one closed after it is still
      open then (no close date, no CSAT or CES);
    - ``goals`` are left out: their statuses are recorded as of the extract,
      not dated, so they would leak the outcome;
    - ``accounts.renewal_date`` after ``day`` is moved back a year at a time to
      the first renewal after ``day`` (the data holds the next renewal as of
      the extract); one on or before ``day`` stays;
    - ``contacts`` are kept as recorded (they carry no dates).
    """
    day = pd.Timestamp(day).normalize()
    month = day.to_period("M")
    tables: dict[str, pd.DataFrame] = {}
    for name, frame in dataset.tables.items():
        if name in ("mrr", "usage"):
            frame = frame[frame["month"] <= month]
        elif name in _DATED:
            frame = frame[pd.to_datetime(frame[_DATED[name]]) <= day]
        if name == "tickets" and "closed_on" in frame:
            later = pd.to_datetime(frame["closed_on"]) > day
            frame = frame.copy()
            frame.loc[later, "closed_on"] = pd.NaT
            for col in ("csat", "ces"):
                if col in frame:
                    frame.loc[later, col] = np.nan
        if name == "goals":
            continue
        if name == "accounts" and "renewal_date" in frame:
            frame = frame.assign(renewal_date=_next_renewal(frame["renewal_date"], day))
        tables[name] = frame.reset_index(drop=True)
    return replace(dataset, tables=tables)


def _next_renewal(renewal: pd.Series, day: pd.Timestamp) -> pd.Series:
    """The first renewal after ``day`` of yearly terms ending on ``renewal`` (NaT stays)."""
    dates = pd.to_datetime(renewal)
    years = np.floor((dates - day).dt.days.to_numpy(float) / 365.25)
    years = np.where(np.isnan(years), 0, np.maximum(years, 0)).astype(int)
    back = pd.Series([d - pd.DateOffset(years=int(y)) if pd.notna(d) else pd.NaT
                      for d, y in zip(dates, years, strict=True)], index=renewal.index)
    back = back.where(back > day, back + pd.DateOffset(years=1))
    # A renewal on or before the day (an account that had left by then) stays as recorded.
    return back.where(dates > day, dates).where(dates.notna())


def backtest_quarters(dataset: Dataset, *, first: str = "", last: str = "",
                      fiscal_year_start: int = 1) -> list[Period]:
    """The quarters a backtest can score: a full quarter of data before each, and each complete.

    ``first``/``last`` (``"2025Q1"``) narrow the range.

    Raises
    ------
    PeriodError
        If a bound is malformed or no quarter qualifies.
    """
    start = dataset.first_month + HISTORY_MONTHS + 1  # Q's start book has 3 months before it
    q = latest_complete_quarter(start + 2, fiscal_year_start_month=fiscal_year_start)
    while q.first_month < start:
        q = q.shift(1)
    out: list[Period] = []
    while q.last_month <= dataset.last_month:
        out.append(q)
        q = q.shift(1)
    lo = Period.parse(first, fiscal_year_start_month=fiscal_year_start) if first else None
    hi = Period.parse(last, fiscal_year_start_month=fiscal_year_start) if last else None
    out = [p for p in out if (lo is None or p.first_month >= lo.first_month)
           and (hi is None or p.last_month <= hi.last_month)]
    if not out:
        raise PeriodError(
            f"no quarter to backtest: the data covers {dataset.first_month}..{dataset.last_month}, "
            f"and a quarter needs {HISTORY_MONTHS} months of data before its start month"
            + (f" and to lie within {first or '...'}..{last or '...'}" if first or last else "")
            + ".")
    return out


def backtest_frame(
    dataset: Dataset,
    quarters: list[Period],
    *,
    config: HealthConfig | None = None,
    settings: RiskSettings | None = None,
) -> pd.DataFrame:
    """One row per quarter and account of its start book: the score then, the outcome after.

    Returns
    -------
    pandas.DataFrame
        ``quarter``, ``account_id``, ``start_mrr``, ``end_mrr``, ``lost``
        (end < start), ``health_score``, ``health_band``, ``score_<measure>``
        per configured measure, one boolean column per risk flag (``<NA>`` when
        it cannot be evaluated) and ``flagged`` (any flag set).
    """
    config = config or HealthConfig.default()
    settings = settings or RiskSettings()
    parts = []
    for q in quarters:
        day = q.start_book.end_time.normalize()  # the day before Q starts
        frame = book_change(dataset.mrr, q)
        snap = snapshot(dataset, day, config=config, settings=settings)
        scored = [c for c in snap if c.startswith("score_")] + ["health_score", "health_band"]
        frame = frame.join(snap[[*scored, *RISK_FLAGS]])
        frame["flagged"] = snap["flags"].reindex(frame.index).fillna(0) > 0
        frame.insert(0, "quarter", q.label)
        parts.append(frame.reset_index())
    return pd.concat(parts, ignore_index=True)


def book_change(mrr: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Each start-book account's MRR then and in the period's last month, and whether it fell.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id`` (MRR > 0 in the start book): ``start_mrr``,
        ``end_mrr`` (0 when not paying) and ``lost`` (``end_mrr < start_mrr``:
        churned or contracted; DESIGN.md's loss).
    """
    start = paying_accounts(mrr, month=period.start_book)
    rows = mrr[mrr["month"] == period.last_month]
    end = rows.groupby(rows["account_id"].astype(str))["mrr"].sum().reindex(start.index)
    frame = pd.DataFrame({"start_mrr": start, "end_mrr": end.fillna(0.0)}, index=start.index)
    frame["lost"] = frame["end_mrr"] < frame["start_mrr"]
    return frame


def snapshot(dataset: Dataset, day: str | pd.Timestamp, *, config: HealthConfig,
             settings: RiskSettings) -> pd.DataFrame:
    """Health (measures, scores, band) and risk flags of the accounts paying on ``day``, as known.

    Everything is computed from :func:`known_on` ``(dataset, day)``: no row
    dated after ``day`` takes part.
    """
    day = pd.Timestamp(day).normalize()
    seen = known_on(dataset, day)
    measures = account_measures(seen, as_of=day)
    health = measures.join(health_scores(measures, config=config))
    flags = risk_flags(seen, as_of=day, settings=settings)
    keep = [c for c in (*RISK_FLAGS, "flags", "days_since_executive_contact",
                        "days_since_user_contact") if c not in health]
    return health.join(flags[keep])


def auc(risk: pd.Series | np.ndarray, lost: pd.Series | np.ndarray) -> float | None:
    """ROC AUC: the chance a lost account had a higher ``risk`` than a kept one, ties half.

    ``AUC = (R_lost - n_lost (n_lost + 1) / 2) / (n_lost n_kept)`` with
    ``R_lost`` the sum of the lost accounts' ranks of ``risk`` (average ranks
    for ties): the Mann-Whitney statistic. ``None`` without both outcomes.
    Rows where ``risk`` is NaN are left out.

    Examples
    --------
    >>> auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False])
    1.0
    >>> auc([1, 1, 1, 1], [True, False, True, False])
    0.5
    """
    r = np.asarray(risk, dtype=float)
    y = np.asarray(lost, dtype=bool)
    keep = ~np.isnan(r)
    r, y = r[keep], y[keep]
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return None
    ranks = pd.Series(r).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def backtest_summary(frame: pd.DataFrame, config: HealthConfig | None = None) -> dict[str, Any]:
    """The backtest's figures: loss rate and lift by band, AUCs, flags' precision and recall.

    Returns
    -------
    dict
        ``quarters`` (labels), ``accounts`` (account-quarters), ``lost``,
        ``loss_rate``; ``bands``: per band ``accounts``, ``lost``, ``loss_rate``,
        ``lift``; ``auc`` of the health score; ``measures``: per measure
        ``accounts`` with data and ``auc``; ``flags``: per flag ``flagged``,
        ``lost``, ``precision``, ``recall``, ``lift``; ``by_quarter``: per
        quarter ``accounts``, ``lost`` and ``auc``.
    """
    config = config or HealthConfig.default()
    lost = frame["lost"].astype(bool)
    overall = float(lost.mean()) if len(frame) else None

    def rate(mask: pd.Series) -> dict[str, Any]:
        n, k = int(mask.sum()), int((mask & lost).sum())
        r = k / n if n else None
        return {"accounts": n, "lost": k, "loss_rate": r,
                "lift": r / overall if r is not None and overall else None}

    bands = {b: rate(frame["health_band"] == b) for b in ("red", "yellow", "green")}
    bands["unscored"] = rate(frame["health_score"].isna())
    measures = {}
    for m in config.measures:
        col = frame.get(f"score_{m.name}")
        if col is None:
            continue
        measures[m.name] = {"accounts": int(col.notna().sum()), "auc": auc(-col, lost)}
    flags = {}
    for f in (*RISK_FLAGS, "flagged"):
        known = frame[f].notna()
        on = frame[f].fillna(False).astype(bool)
        n_on, hit = int(on.sum()), int((on & lost).sum())
        flags[f] = {
            "evaluated": int(known.sum()), "flagged": n_on, "lost": hit,
            "precision": hit / n_on if n_on else None,
            "recall": hit / int((lost & known).sum()) if int((lost & known).sum()) else None,
            "lift": (hit / n_on) / overall if n_on and overall else None,
        }
    by_quarter = {
        str(q): {"accounts": len(g), "lost": int(g["lost"].sum()),
                 "auc": auc(-g["health_score"], g["lost"])}
        for q, g in frame.groupby("quarter", sort=True)
    }
    return {
        "quarters": list(by_quarter),
        "accounts": len(frame),
        "lost": int(lost.sum()),
        "loss_rate": overall,
        "bands": bands,
        "auc": auc(-frame["health_score"], lost),
        "measures": measures,
        "flags": flags,
        "by_quarter": by_quarter,
    }


def suggested_weights(frame: pd.DataFrame, config: HealthConfig | None = None,
                      *, c: float = 1.0) -> dict[str, Any]:
    """Measure weights fitted on the history: a suggestion, never applied.

    An L2-regularized logistic regression (scikit-learn, ``C = c``) of the
    loss on the measure scores (0..1; a measure with no data takes its mean,
    as the score's renormalization leaves it neutral). Cross-validated by
    quarter: each quarter's accounts are predicted by a model fitted on the
    other quarters, and the AUC of those held-out predictions is set beside the
    current score's AUC on the same rows. Suggested weights are the fitted
    coefficients' risk-reducing part (``max(0, -coef)``), scaled to add up to 100.

    Returns
    -------
    dict
        ``fitted`` (bool) and ``reason`` when not; else ``weights`` (suggested,
        by measure), ``current`` (the configured weights, scaled to 100),
        ``cv_auc`` (held-out AUC of the fitted model), ``current_auc`` and
        ``folds`` (quarters).
    """
    from sklearn.linear_model import LogisticRegression

    config = config or HealthConfig.default()
    names = [m.name for m in config.measures if f"score_{m.name}" in frame
             and frame[f"score_{m.name}"].notna().any()]
    lost = frame["lost"].astype(bool).to_numpy()
    quarters = frame["quarter"].astype(str).to_numpy()
    total = sum(m.weight for m in config.measures)
    current = {m.name: round(100 * m.weight / total, 1) for m in config.measures}
    if int(lost.sum()) < MIN_LOSSES_TO_FIT or len(set(quarters)) < 2 or not names:
        return {"fitted": False, "current": current,
                "reason": f"{int(lost.sum())} losses in {len(set(quarters))} quarters: at least "
                          f"{MIN_LOSSES_TO_FIT} losses over 2 quarters are needed to fit weights."}
    x = frame[[f"score_{n}" for n in names]].to_numpy(float) / 100.0
    means = np.nanmean(x, axis=0)
    x = np.where(np.isnan(x), means, x)
    held_out = np.full(len(frame), np.nan)
    for q in sorted(set(quarters)):
        test = quarters == q
        if lost[~test].all() or not lost[~test].any():
            continue
        model = LogisticRegression(C=c, max_iter=1000).fit(x[~test], lost[~test])
        held_out[test] = model.predict_proba(x[test])[:, 1]
    model = LogisticRegression(C=c, max_iter=1000).fit(x, lost)
    protect = np.maximum(0.0, -model.coef_[0])
    weights = (100 * protect / protect.sum()) if protect.sum() > 0 else np.zeros(len(names))
    rows = ~np.isnan(held_out)
    return {
        "fitted": True,
        "weights": {n: round(float(w), 1) for n, w in zip(names, weights, strict=True)},
        "current": current,
        "cv_auc": auc(held_out[rows], lost[rows]),
        "current_auc": auc(-frame["health_score"].to_numpy(float)[rows], lost[rows]),
        "folds": len(set(quarters[rows])),
    }


def run_backtest(
    dataset: Dataset,
    *,
    first: str = "",
    last: str = "",
    fiscal_year_start: int = 1,
    config: HealthConfig | None = None,
    settings: RiskSettings | None = None,
    fit: bool = True,
) -> dict[str, Any]:
    """The whole backtest: :func:`backtest_summary` plus ``suggested`` (:func:`suggested_weights`).

    ``fit=False`` leaves the suggestion out (``suggested`` is ``None``).

    Raises
    ------
    PeriodError
        If no quarter can be backtested (see :func:`backtest_quarters`).
    """
    config = config or HealthConfig.default()
    quarters = backtest_quarters(dataset, first=first, last=last,
                                 fiscal_year_start=fiscal_year_start)
    frame = backtest_frame(dataset, quarters, config=config, settings=settings)
    result = backtest_summary(frame, config)
    result["suggested"] = suggested_weights(frame, config) if fit else None
    return result
