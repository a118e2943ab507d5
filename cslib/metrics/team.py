"""The CS team's scorecard: per CSM (or team, region), what Customer Success can influence.

Over a period, for the accounts each CSM holds at the period's end
(``accounts.<by>`` as recorded):

- CSAT and CES of their accounts' tickets closed in the period, NPS of their
  accounts' answers in the period (with its 95% margin and the number of answers);
- goals achieved: achieved / goals due in the period;
- advocacy events in the period (referrals, reference calls, case studies, reviews);
- relationship coverage: share of their paying accounts not single-threaded on
  the period's last day;
- renewal rate, logo and revenue (Gainsight's renewals due);
- NRR and GRR, as context (revenue is not only the CSM's doing).

A figure from fewer answers than :data:`~cslib.metrics.satisfaction.MIN_RESPONSES`
is marked ``small`` so that no comparison is drawn from it.

References
----------
DESIGN.md, "Team scorecard"; Gainsight, "CSM scorecards".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.metrics._frames import as_period, dated_in
from cslib.metrics.outcomes import goal_summary, renewal_rate
from cslib.metrics.revenue import revenue_summary
from cslib.metrics.risk import RiskSettings, paying_accounts, risk_flags
from cslib.metrics.satisfaction import MIN_RESPONSES, satisfaction_summary
from cslib.periods import Period

__all__ = ["ADVOCACY_KINDS", "team_scorecard"]

ADVOCACY_KINDS = ("referral", "reference_call", "case_study", "review")


def team_scorecard(
    dataset: Dataset,
    *,
    period: Period | str,
    by: str = "csm",
    as_of: str | pd.Timestamp | None = None,
    settings: RiskSettings | None = None,
    flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per value of ``accounts.<by>`` (each CSM), then ``total`` (the team).

    Parameters
    ----------
    dataset : Dataset
        The company's data.
    period : Period or str
        The period the figures cover.
    by : str, default "csm"
        The account column that assigns accounts (``csm``, a team, ``region``).
    as_of : str or pandas.Timestamp, optional
        The day relationship coverage is read on; the period's last day by default.
    settings : RiskSettings, optional
        The single-threaded rule; DESIGN.md's defaults when omitted.
    flags : pandas.DataFrame, optional
        :func:`~cslib.metrics.risk.risk_flags` on ``as_of`` with ``settings``,
        when the caller has it already.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (accounts without a value: ``(none)``), plus ``total``:
        ``accounts`` (paying at the period's end), ``arr``; ``csat``,
        ``csat_responses``, ``ces``, ``ces_responses``, ``nps``, ``nps_margin``,
        ``nps_responses`` and ``small_nps``/``small_csat``/``small_ces`` (fewer
        answers than the survey minimum); ``goals_due``, ``goals_achieved``,
        ``achieved_rate``; ``advocacy`` (events) and one count per kind;
        ``coverage`` (share of paying accounts not single-threaded; ``None``
        without contacts); ``renewals_due``, ``logo_renewal_rate``,
        ``revenue_renewal_rate``; ``nrr``, ``grr``. Rates are proportions,
        ``None`` when undefined.

    Raises
    ------
    cslib.errors.ParameterError
        If ``by`` is not a column of ``accounts``.
    """
    p = as_period(period)
    groups = dataset.groups(by)
    day = pd.Timestamp(as_of).normalize() if as_of is not None else p.last_day
    names = pd.Index(sorted(set(groups)), name=by)
    paying = paying_accounts(dataset.mrr, month=p.last_month)
    out = pd.DataFrame(index=names)
    grp_paying = groups.reindex(paying.index)
    out["accounts"] = grp_paying.value_counts().reindex(names).fillna(0).astype(np.int64)
    out["arr"] = (12 * paying.groupby(grp_paying).sum()).reindex(names).fillna(0.0)
    tickets = dataset.get("tickets")
    sat = satisfaction_summary(nps=dataset.get("nps"), tickets=tickets, period=p, groups=groups)
    out = out.join(sat.reindex(names))
    goals = dataset.get("goals")
    if goals is not None:
        g = goal_summary(goals, period=p, groups=groups).reindex(names)
        out = out.join(g[["goals_due", "goals_achieved", "achieved_rate"]])
    advocacy = dataset.get("advocacy")
    if advocacy is not None:
        ev = advocacy[dated_in(advocacy["occurred_on"], p)]
        counts = pd.crosstab(groups.reindex(ev["account_id"].astype(str)).to_numpy(),
                             ev["kind"]).reindex(index=names, columns=list(ADVOCACY_KINDS),
                                                 fill_value=0)
        out["advocacy"] = counts.sum(axis=1).astype(np.int64)
        out = out.join(counts.astype(np.int64))
    if flags is None:
        flags = risk_flags(dataset, as_of=day, settings=settings)
    if flags["single_threaded"].notna().any():
        covered = ~flags["single_threaded"].fillna(False).astype(bool)
        g = groups.reindex(flags.index)
        out["coverage"] = covered.groupby(g).mean().reindex(names)
    renew = renewal_rate(dataset.accounts, dataset.mrr, period=p, groups=groups).reindex(names)
    out = out.join(renew[["renewals_due", "logo_renewal_rate", "revenue_renewal_rate"]])
    revenue = revenue_summary(dataset.mrr, period=p, groups=groups).reindex(names)
    out = out.join(revenue[["nrr", "grr"]])
    total = _team_row(dataset, p, flags, out)
    out = pd.concat([out, total.to_frame().T.rename_axis(by)])
    for kind in ("nps", "csat", "ces"):
        n = out[f"{kind}_responses"].fillna(0).astype(float)
        out[f"small_{kind}"] = n < MIN_RESPONSES
    return out


def _team_row(dataset: Dataset, p: Period, flags: pd.DataFrame,
              groups: pd.DataFrame) -> pd.Series:
    """The whole team's figures (every account, whoever holds it) as one row ``total``."""
    row = pd.Series(index=groups.columns, dtype=object, name="total")
    paying = paying_accounts(dataset.mrr, month=p.last_month)
    row["accounts"], row["arr"] = len(paying), 12 * float(paying.sum())
    sat = satisfaction_summary(nps=dataset.get("nps"), tickets=dataset.get("tickets"), period=p)
    for col in sat.columns:
        row[col] = sat[col].iloc[0]
    if "goals_due" in groups:
        g = goal_summary(dataset.get("goals"), period=p).iloc[0]
        row[["goals_due", "goals_achieved", "achieved_rate"]] = g[
            ["goals_due", "goals_achieved", "achieved_rate"]].to_numpy()
    for col in ("advocacy", *ADVOCACY_KINDS):
        if col in groups:
            row[col] = int(groups[col].sum())
    if "coverage" in groups:
        row["coverage"] = float((~flags["single_threaded"].fillna(False).astype(bool)).mean()) \
            if len(flags) else None
    renew = renewal_rate(dataset.accounts, dataset.mrr, period=p).iloc[0]
    row[["renewals_due", "logo_renewal_rate", "revenue_renewal_rate"]] = renew[
        ["renewals_due", "logo_renewal_rate", "revenue_renewal_rate"]].to_numpy()
    revenue = revenue_summary(dataset.mrr, period=p).iloc[0]
    row["nrr"], row["grr"] = revenue["nrr"], revenue["grr"]
    return row
