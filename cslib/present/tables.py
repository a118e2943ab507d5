"""Formatted report tables and headline figures (KPI cards).

Each function takes a :class:`~cslib.present.report.Report` (its scoped
dataset, period and settings), computes through :mod:`cslib.metrics`, and
returns a :class:`~cslib.present.blocks.Table` or
:class:`~cslib.present.blocks.Kpis` with every cell formatted in the house
style ($1.2M, 104.3%, +2.1 pts), or a :class:`~cslib.present.blocks.Callout`
that says plainly what data is missing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cslib.errors import PeriodError
from cslib.metrics.adoption import account_adoption
from cslib.metrics.definitions import lacks, recorded
from cslib.metrics.health import account_measures, health_scores
from cslib.metrics.outcomes import goal_progress, goal_summary
from cslib.metrics.relationships import relationship_summary
from cslib.metrics.revenue import account_movements
from cslib.metrics.risk import RISK_FLAGS, risk_flags
from cslib.metrics.satisfaction import MIN_RESPONSES, satisfaction_summary, trailing_satisfaction
from cslib.metrics.summary import metrics_frame
from cslib.metrics.support import ticket_summary
from cslib.periods import Period
from cslib.present.blocks import Callout, Kpi, Kpis, Table
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_money,
    fmt_percent,
    fmt_plural,
    fmt_points,
    fmt_score,
)
from cslib.present.report import Report

__all__ = [
    "FLAG_LABELS",
    "account_list",
    "contacts_table",
    "goals_table",
    "headline_figures",
    "headline_kpis",
    "health_band_table",
    "health_drivers",
    "health_frame",
    "qbr_kpis",
    "risk_frame",
    "segment_table",
    "subscription_table",
    "support_table",
    "top_expansions",
    "top_risks",
]

#: Reader-facing names of the risk flags (params/risk.yaml has the thresholds).
FLAG_LABELS = {
    "renewal_at_risk": "Renewal at risk",
    "single_threaded": "Single-threaded",
    "build_a_champion": "Build a champion",
    "emergency": "Emergency",
}
#: The same flags worded for the customer's own QBR (shared outside the company).
CUSTOMER_FLAG_LABELS = {
    "renewal_at_risk": "Plan the renewal together",
    "single_threaded": "Broaden executive sponsorship",
    "build_a_champion": "Name a product champion",
    "emergency": "Recover adoption",
}
MEASURE_LABELS = {
    "seat_utilization": "Seat utilization",
    "active_users_change": "Active users, 3-month change",
    "mrr_change": "Subscription, 3-month change",
    "nps": "NPS, trailing 12 months",
    "csat": "CSAT, trailing 12 months",
    "strong_executives": "Strong executive relationships",
    "strong_users": "Strong user relationships",
    "days_since_executive_contact": "Days since executive contact",
    "days_since_user_contact": "Days since user contact",
    "goals_on_track": "Open goals on track",
}
_R = "right"
_L = "left"


def _isnum(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _true(value: Any) -> bool:
    return value is not None and value is not pd.NA and bool(value)


def _periods_per_year(period: Period) -> int:
    return {"month": 12, "quarter": 4, "year": 1}.get(period.kind, 12)


def headline_figures(
    report: Report, period: Period | None = None, *, by: str | None = None
) -> pd.Series | pd.DataFrame | None:
    """The period's headline metrics, computed once per report.

    Without ``by``, the ``metrics_frame`` total row (a Series); with ``by``,
    one row per group (a DataFrame). ``None`` when the period is outside the data.
    """
    period = period or report.period

    def compute() -> pd.Series | pd.DataFrame | None:
        try:
            frame = metrics_frame(report.dataset, period=period, by=by)
        except PeriodError:
            return None
        return frame if by else frame.iloc[0]

    return report.memo(f"figures:{period.label}:{by}", compute)


def _compare(report: Report) -> tuple[Period, Period]:
    """The previous period and the same period a year before (one and the same for a TTM)."""
    p = report.period
    if p.kind == "trailing":  # shift steps twelve months at a time
        return p.shift(-1), p.shift(-1)
    return p.shift(-1), p.shift(-_periods_per_year(p))


def _kpi(
    label: str,
    now: float | None,
    prev: float | None,
    year: float | None,
    fmt: Any,
    *,
    change: str = "points",
    higher_is_better: bool = True,
    year_label: str = "",
) -> Kpi:
    delta, trend, good = "", None, None
    if _isnum(now) and _isnum(prev):
        diff = float(now) - float(prev)  # type: ignore[arg-type]
        if change == "points":
            delta = fmt_points(diff)
        elif change == "score":
            delta = f"{diff:+.1f} pts"
        elif prev:
            delta = f"{100.0 * diff / abs(float(prev)):+.1f}%"  # type: ignore[arg-type]
        trend = "flat" if abs(diff) < 1e-9 else ("up" if diff > 0 else "down")
        good = None if trend == "flat" else (diff > 0) == higher_is_better
    note = f"{year_label}: {fmt(year)}" if _isnum(year) else ""
    return Kpi(label, fmt(now), delta, trend, good, note)


def headline_kpis(report: Report) -> Kpis:
    """Headline KPIs of the period against the previous period and a year before.

    ARR (12 x ending MRR, change in %), NRR, GRR and logo churn (change in
    points), NPS (change in points) and CSAT. NPS and CSAT of a period with
    fewer than :data:`MIN_RESPONSES` answers are not compared.
    """
    now = headline_figures(report)
    prev_p, year_p = _compare(report)
    prev, year = headline_figures(report, prev_p), headline_figures(report, year_p)

    def get(s: pd.Series | None, key: str, scale: float = 1.0) -> float | None:
        if s is None or not _isnum(s[key]):
            return None
        responses = {"nps": "nps_responses", "csat": "csat_responses"}.get(key)
        if responses and s[responses] < MIN_RESPONSES:
            return None  # too few answers to compare (e.g. a survey every other quarter)
        return float(s[key]) * scale

    ylab = year_p.label
    items = (
        _kpi(
            "ARR",
            get(now, "ending_mrr", 12),
            get(prev, "ending_mrr", 12),
            get(year, "ending_mrr", 12),
            lambda v: fmt_money(v, compact=True),
            change="percent",
            year_label=ylab,
        ),
        _kpi("NRR", get(now, "nrr"), get(prev, "nrr"), get(year, "nrr"), fmt_percent,
             year_label=ylab),
        _kpi("GRR", get(now, "grr"), get(prev, "grr"), get(year, "grr"), fmt_percent,
             year_label=ylab),
        _kpi("Logo churn", get(now, "logo_churn"), get(prev, "logo_churn"),
             get(year, "logo_churn"), fmt_percent, higher_is_better=False, year_label=ylab),
        _kpi("NPS", get(now, "nps"), get(prev, "nps"), get(year, "nps"), fmt_score,
             change="score", year_label=ylab),
        _kpi("CSAT", get(now, "csat"), get(prev, "csat"), get(year, "csat"), fmt_percent,
             year_label=ylab),
    )
    ds = report.dataset
    unrecorded = {"NPS": lacks(ds, "nps"), "CSAT": lacks(ds, "tickets", "csat")}
    items = tuple(Kpi(k.label, DASH, note="not recorded in the data") if unrecorded.get(k.label)
                  else k for k in items)
    return Kpis(
        f"Headline figures, {report.period.label} (change vs {prev_p.label})",
        items,
        definitions=recorded(ds, ("arr", "nrr", "grr", "logo_retention", "nps", "csat")),
    )


def segment_table(report: Report, *, by: str = "segment") -> Table:
    """One row per group of ``by`` with a total row: accounts, ARR, NRR, GRR, churn, NPS, CSAT.

    The NPS and CSAT columns are left out when the data never recorded them
    (no ``nps`` table, no ``csat`` column in ``tickets``), and the caption says so.
    """
    frame = headline_figures(report, by=by)
    total = headline_figures(report)
    ds = report.dataset
    keep = [not lacks(ds, "nps"), not lacks(ds, "tickets", "csat")]
    rows = []
    for name, r in [*frame.iterrows(), ("Total", total)]:
        scores = (fmt_score(r["nps"]), fmt_percent(r["csat"]))
        rows.append(
            (
                str(name),
                fmt_count(r["customers_end"]),
                fmt_money(12 * r["ending_mrr"], compact=True),
                fmt_percent(r["nrr"]),
                fmt_percent(r["grr"]),
                fmt_percent(r["logo_churn"]),
                *(v for v, k in zip(scores, keep, strict=True) if k),
            )
        )
    dropped = [n for n, k in zip(("NPS", "CSAT"), keep, strict=True) if not k]
    caption = "Accounts paying at the end of the period; ARR at the end of the period."
    if dropped:
        caption += f" No {' or '.join(dropped)} column: the data does not record it."
    return Table(
        f"By {by.replace('_', ' ')}, {report.period.label}",
        (by.replace("_", " ").capitalize(), "Accounts", "ARR", "NRR", "GRR", "Logo churn",
         *(c for c, k in zip(("NPS", "CSAT"), keep, strict=True) if k)),
        tuple(rows),
        align=(_L, _R, _R, _R, _R, _R, *(_R for k in keep if k)),
        total=True,
        caption=caption,
        definitions=recorded(ds, ("arr", "nrr", "grr", "logo_retention", "nps", "csat")),
    )


def health_frame(report: Report) -> pd.DataFrame:
    """Measures, per-measure scores, health score and band of each paying account."""

    def compute() -> pd.DataFrame:
        measures = account_measures(report.dataset, as_of=report.as_of)
        return measures.join(health_scores(measures, config=report.health_config))

    return report.memo("health", compute)


def risk_frame(report: Report) -> pd.DataFrame:
    """The risk flags of every paying account on the report's snapshot day."""
    return report.memo(
        "risk",
        lambda: risk_flags(report.dataset, as_of=report.as_of, settings=report.risk_settings),
    )


def _flag_names(row: pd.Series) -> str:
    names = [FLAG_LABELS[f] for f in RISK_FLAGS if _true(row.get(f))]
    return ", ".join(names) if names else DASH


def _shown(total: int, n: int | None) -> str:
    """The end of a ranked table's caption: how many of ``total`` rows are shown."""
    return f"; the {n} largest shown." if n is not None and total > n else "."


def top_risks(report: Report, *, n: int = 10) -> Table | Callout | None:
    """Flagged accounts ranked by ARR at stake (ARR-weighted), at most ``n``.

    ``None`` (nothing displayed) when no flag can be evaluated because the data
    lacks the usage, contacts and activities tables: the section's summary
    (:func:`cslib.present.narrative.risk_summary`) already says so.
    """
    flags = risk_frame(report)
    flagged = flags[flags["flags"] > 0].sort_values(["mrr", "name"], ascending=[False, True])
    if flags.empty:
        return Callout.of(f"No account was paying on {report.as_of:%Y-%m-%d}.")
    if flags[list(RISK_FLAGS)].isna().all().all():
        return None
    if flagged.empty:
        return Callout.of(f"No account carries a risk flag on {report.as_of:%Y-%m-%d}.")
    health = health_frame(report)
    rows = []
    for account_id, r in flagged.head(n).iterrows():
        days = r["days_to_renewal"]
        renewal = f"{r['renewal_date']:%Y-%m-%d} ({int(days)} d)" if _isnum(days) else DASH
        score = health["health_score"].get(account_id)
        rows.append(
            (
                str(r["name"]),
                str(r["segment"]),
                fmt_money(12 * r["mrr"], compact=True),
                renewal,
                fmt_score(score, digits=0) if _isnum(score) else DASH,
                _flag_names(r),
            )
        )
    at_stake = 12 * flagged["mrr"].sum()
    return Table(
        f"Top risks on {report.as_of:%Y-%m-%d}, by ARR",
        ("Account", "Segment", "ARR", "Renewal", "Health", "Flags"),
        tuple(rows),
        align=(_L, _L, _R, _L, _R, _L),
        caption=(
            f"{len(flagged)} flagged accounts, {fmt_money(at_stake, compact=True)} ARR in all"
            + _shown(len(flagged), n)
        ),
        definitions=("risk_flags", "health_score", "arr"),
    )


def top_expansions(report: Report, *, n: int = 10) -> Table | Callout:
    """Accounts with the most expansion ARR in the period, at most ``n``."""
    moves = account_movements(report.dataset.mrr, period=report.period)
    moves = moves[moves["expansion_mrr"] > 0].copy()
    if moves.empty:
        return Callout.of(f"No account expanded in {report.period.label}.")
    names = report.dataset.accounts.set_index("account_id")
    moves["name"] = moves["account_id"].map(names["name"]).astype(str)
    moves["segment"] = moves["account_id"].map(names["segment"]).astype(str)
    moves = moves.sort_values(["expansion_mrr", "name"], ascending=[False, True])
    rows = []
    for _, r in moves.head(n).iterrows():
        start = r["starting_mrr"]
        growth = (r["ending_mrr"] / start - 1.0) if start > 0 else None
        rows.append(
            (
                r["name"],
                r["segment"],
                fmt_money(12 * start, compact=True),
                "+" + fmt_money(12 * r["expansion_mrr"], compact=True),
                fmt_money(12 * r["ending_mrr"], compact=True),
                f"{100 * growth:+.1f}%" if growth is not None else DASH,
            )
        )
    total = 12 * moves["expansion_mrr"].sum()
    return Table(
        f"Top expansions, {report.period.label}",
        ("Account", "Segment", "Starting ARR", "Expansion", "Ending ARR", "Change"),
        tuple(rows),
        align=(_L, _L, _R, _R, _R, _R),
        caption=(
            f"{len(moves)} accounts expanded, {fmt_money(total, compact=True)} ARR in all"
            + _shown(len(moves), n)
        ),
        definitions=("expansion", "arr"),
    )


def account_list(report: Report, *, n: int | None = 25) -> Table | Callout:
    """Accounts ranked by ARR: change in the period, health, renewal and flags.

    The Flags column is left out when no risk flag can be evaluated (the data
    lacks the usage, contacts and activities tables they need).
    """
    moves = account_movements(report.dataset.mrr, period=report.period)
    moves = moves[moves["ending_mrr"] > 0].sort_values("ending_mrr", ascending=False)
    if moves.empty:
        return Callout.of(f"No account was paying at the end of {report.period.label}.")
    acc = report.dataset.accounts.set_index("account_id")
    health = health_frame(report)
    flags = risk_frame(report)
    assessed = flags.empty or not flags[list(RISK_FLAGS)].isna().all().all()
    rows = []
    shown = moves if n is None else moves.head(n)
    for rank, (_, r) in enumerate(shown.iterrows(), start=1):
        aid = r["account_id"]
        change = r["ending_mrr"] - r["starting_mrr"]
        score, band = health["health_score"].get(aid), health["health_band"].get(aid)
        renewal = acc["renewal_date"].get(aid) if "renewal_date" in acc else None
        rows.append(
            (
                str(rank),
                str(acc["name"].get(aid)),
                fmt_money(12 * r["ending_mrr"], compact=True),
                (("+" if change > 0 else "") + fmt_money(12 * change, compact=True))
                if change
                else DASH,
                f"{score:.0f} ({band})" if _isnum(score) else DASH,
                f"{pd.Timestamp(renewal):%Y-%m-%d}" if renewal is not None and
                not pd.isna(renewal) else DASH,
                _flag_names(flags.loc[aid]) if aid in flags.index else DASH,
            )[: 7 if assessed else 6]
        )
    return Table(
        f"Accounts by ARR, end of {report.period.label}",
        ("#", "Account", "ARR", "Change", "Health", "Renewal", "Flags")[: 7 if assessed else 6],
        tuple(rows),
        align=(_R, _L, _R, _R, _R, _L, _L)[: 7 if assessed else 6],
        caption=(
            f"{len(moves)} paying accounts"
            + _shown(len(moves), n)
            + ("" if assessed else " No risk flags: the data lacks the tables they need.")
        ),
        definitions=("arr", "health_score", "risk_flags")[: 3 if assessed else 2],
    )


def health_band_table(report: Report) -> Table | Callout:
    """Accounts and ARR per health band on the snapshot day."""
    health = health_frame(report)
    scored = health[health["health_score"].notna()]
    if scored.empty:
        return Callout.of("No account has data for any health measure.")
    mrr = risk_frame(report)["mrr"].reindex(scored.index).fillna(0.0)
    rows = []
    for band in ("green", "yellow", "red"):
        mask = scored["health_band"] == band
        rows.append(
            (
                band.capitalize(),
                fmt_count(int(mask.sum())),
                fmt_percent(mask.mean()),
                fmt_money(12 * mrr[mask].sum(), compact=True),
                fmt_percent(mrr[mask].sum() / mrr.sum() if mrr.sum() else None),
            )
        )
    rows.append(("Total", fmt_count(len(scored)), "100.0%",
                 fmt_money(12 * mrr.sum(), compact=True), "100.0%"))
    return Table(
        f"Health bands on {report.as_of:%Y-%m-%d}",
        ("Band", "Accounts", "Share", "ARR", "Share of ARR"),
        tuple(rows),
        align=(_L, _R, _R, _R, _R),
        total=True,
        definitions=("health_score",),
    )


# Customer QBR ------------------------------------------------------------
def _one(report: Report) -> str:
    if report.kind != "customer":
        raise ValueError("this table is for a customer QBR (open_report('customer', ...))")
    return report.account_id


def qbr_kpis(report: Report) -> Kpis:
    """The customer's headline figures: adoption, health, satisfaction, goals, renewal."""
    aid = _one(report)
    ds = report.dataset
    month = report.period.last_month
    items: list[Kpi] = []
    usage = ds.get("usage")
    if usage is not None and not usage.empty:
        adoption = account_adoption(usage, month=month, lookback_months=3)
        if aid in adoption.index:
            a = adoption.loc[aid]
            before = account_adoption(usage, month=month - 3, lookback_months=3)
            prev = before["seat_utilization"].get(aid)
            items.append(_kpi("Seat utilization", a["seat_utilization"], prev, None,
                              fmt_percent, year_label=""))
            items.append(Kpi("Active users", fmt_count(a["active_users"]),
                             f"{100 * a['active_users_change']:+.1f}% in 3 months"
                             if _isnum(a["active_users_change"]) else "",
                             note=f"of {fmt_count(a['licensed_seats'])} seats"))
    health = health_frame(report)
    if aid in health.index and _isnum(health.loc[aid, "health_score"]):
        h = health.loc[aid]
        items.append(Kpi("Health score", f"{h['health_score']:.0f}",
                         note=f"{h['health_band']} band"))
    nps, tickets = ds.get("nps"), ds.get("tickets")
    rated = tickets is not None and "csat" in tickets
    if nps is not None or rated:
        year = trailing_satisfaction(
            nps=nps, tickets=tickets if rated else None, as_of=report.as_of, months=12
        ).iloc[0]
        if year["nps_responses"]:
            items.append(Kpi("NPS", fmt_score(year["nps"], digits=0),
                             note=f"{fmt_plural(year['nps_responses'], 'response')}, "
                                  "last 12 months"))
        if year["csat_responses"]:
            items.append(Kpi("Support satisfaction", fmt_percent(year["csat"], digits=0),
                             note=f"{fmt_plural(year['csat_responses'], 'rating')}, "
                                  "last 12 months"))
    goals = ds.get("goals")
    if goals is not None and not goals.empty:
        p = report.period
        g = goal_summary(goals, period=p).iloc[0]
        on_track, n_open = int(g["on_track"]), int(g["open_goals"])
        note = f"{on_track} of {n_open} open goals on track" if n_open else "no open goals"
        if g["goals_due"]:
            items.append(Kpi(f"Goals due in {p.label}",
                             f"{int(g['goals_achieved'])} of {int(g['goals_due'])} achieved",
                             note=note))
        else:
            items.append(Kpi("Open goals", f"{on_track} of {n_open} on track"
                             if n_open else "none", note=f"none due in {p.label}"))
    renewal = ds.accounts["renewal_date"].iloc[0] if "renewal_date" in ds.accounts else None
    if renewal is not None and not pd.isna(renewal):
        days = (pd.Timestamp(renewal) - report.as_of).days
        ts = pd.Timestamp(renewal)
        items.append(Kpi("Renewal", f"{ts:%b} {ts.day}, {ts.year}",
                         note=f"in {days} days" if days >= 0 else f"{-days} days ago"))
    return Kpis(
        f"At a glance, {report.period.label}",
        tuple(items),
        definitions=recorded(ds, ("seat_utilization", "health_score", "nps", "csat", "goals")),
    )


_STATUS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "missed": "Missed",
    "not_started": "Not started",
}


def goals_table(report: Report) -> Table | Callout:
    """The customer's success plan: each goal, its target, progress, due date and status."""
    goals = report.dataset.get("goals")
    if goals is None:
        return Callout.of("The data has no success-plan goals (no goals table), so the success "
                          "plan cannot be shown.")
    if goals.empty:
        return Callout.of("No success-plan goals are recorded for this account yet.")
    goals = goals.sort_values(["due_on", "goal_id"])
    goals = goals.assign(progress=goal_progress(goals))
    rows = []
    for _, g in goals.iterrows():
        base, target, cur = (g.get(k) for k in ("baseline", "target", "current"))
        progress = fmt_percent(g["progress"], digits=0) if _isnum(g["progress"]) else DASH
        metric = str(g["metric"]) if "metric" in g and not pd.isna(g["metric"]) else ""
        rows.append(
            (
                str(g["title"]),
                metric or DASH,
                f"{_num(base)} → {_num(target)}" if _isnum(target) else DASH,
                _num(cur),
                progress,
                f"{g['due_on']:%Y-%m-%d}",
                _STATUS.get(str(g["status"]), str(g["status"])),
            )
        )
    return Table(
        f"Goals and progress on {report.as_of:%Y-%m-%d}",
        ("Goal", "Measure", "Baseline → target", "Current", "Progress", "Due", "Status"),
        tuple(rows),
        align=(_L, _L, _R, _R, _R, _L, _L),
        definitions=("goals",),
    )


def _num(value: Any) -> str:
    if not _isnum(value):
        return DASH
    v = float(value)
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.2f}"


def _measure_value(name: str, value: float) -> str:
    if not _isnum(value):
        return "no data"
    if name in ("seat_utilization", "csat", "goals_on_track"):
        return fmt_percent(value, digits=0)
    if name in ("active_users_change", "mrr_change"):
        return f"{100 * value:+.0f}%"
    if name == "nps":
        return fmt_score(value, digits=0)
    return f"{value:.0f}"


def health_drivers(report: Report) -> Table | Callout:
    """The customer's health score broken down: each measure's value, score and weight."""
    aid = _one(report)
    health = health_frame(report)
    if aid not in health.index:
        return Callout.of(
            f"The account was not paying on {report.as_of:%Y-%m-%d}; no health score."
        )
    h = health.loc[aid]
    weights = {m.name: m.weight for m in report.health_config.measures}
    used = {m: w for m, w in weights.items() if _isnum(h.get(f"score_{m}"))}
    total = sum(used.values())
    rows = []
    for m in sorted(weights, key=lambda k: -weights[k]):
        score = h.get(f"score_{m}")
        rows.append(
            (
                MEASURE_LABELS.get(m, m),
                _measure_value(m, h.get(m)),
                fmt_score(score, digits=0) if _isnum(score) else DASH,
                fmt_percent(used[m] / total, digits=0) if m in used and total else "not counted",
            )
        )
    rows.append(("Health score", h["health_band"] or DASH,
                 fmt_score(h["health_score"], digits=0), "100%"))
    return Table(
        f"Health score drivers on {report.as_of:%Y-%m-%d}",
        ("Measure", "Value", "Score (0-100)", "Weight"),
        tuple(rows),
        align=(_L, _R, _R, _R),
        total=True,
        caption="Measures without data are not counted; the other weights are renormalized.",
        definitions=("health_score",),
    )


def support_table(report: Report) -> Table | Callout | None:
    """Tickets opened and closed, days to close, CSAT and CES: this period and the one before.

    A rating the data never records (no ``csat`` or ``ces`` column in
    ``tickets``) has no row. ``None`` (nothing displayed) when the data has no
    tickets table: the section's summary
    (:func:`cslib.present.narrative.support_summary`) already says so.
    """
    tickets = report.dataset.get("tickets")
    if tickets is None:
        return None
    if tickets.empty:
        return Callout.of("No support tickets are recorded for this account.")
    periods = [report.period.shift(-1), report.period]
    cols = []
    for p in periods:
        volume = ticket_summary(tickets, period=p).iloc[0]
        rated = satisfaction_summary(nps=None, tickets=tickets, period=p).iloc[0]
        days = volume["median_days_to_close"]
        cols.append(
            (
                fmt_count(volume["opened"]),
                fmt_count(volume["closed"]),
                f"{days:.0f}" if _isnum(days) else DASH,
                f"{fmt_percent(rated['csat'], digits=0)} of "
                f"{fmt_plural(rated['csat_responses'], 'rating')}"
                if rated["csat_responses"] else DASH,
                f"{rated['ces']:.1f} from {fmt_plural(rated['ces_responses'], 'rating')}"
                if rated["ces_responses"] else DASH,
            )
        )
    labels = ("Tickets opened", "Tickets closed", "Median days to close",
              "Satisfied (4-5 of 5)", "Ease of resolution (1-7)")
    recorded_in_data = (True, True, True, "csat" in tickets, "ces" in tickets)
    rows = tuple((label, cols[0][i], cols[1][i]) for i, label in enumerate(labels)
                 if recorded_in_data[i])
    return Table(
        f"Support, {periods[0].label} and {periods[1].label}",
        ("", periods[0].label, periods[1].label),
        rows,
        align=(_L, _R, _R),
        definitions=recorded(report.dataset, ("csat", "ces")),
    )


def contacts_table(report: Report) -> Table | Callout:
    """Relationship coverage of the customer: contacts and strong ties by role, last contact."""
    aid = _one(report)
    contacts = report.dataset.get("contacts")
    if contacts is None:
        return Callout.of("The data has no contacts (no contacts table), so relationships "
                          "cannot be shown.")
    if contacts.empty:
        return Callout.of("No contacts are recorded for this account.")
    rel = relationship_summary(
        contacts, report.dataset.get("activities"), account_ids=pd.Index([aid]),
        as_of=report.as_of,
    ).loc[aid]
    rows = []
    for role, label in (("executive", "Executives"), ("user", "Users")):
        plural = "executives" if role == "executive" else "users"
        days = rel.get(f"days_since_{role}_contact")
        rows.append(
            (
                label,
                fmt_count(rel.get(plural, 0)),
                fmt_count(rel.get(f"strong_{plural}", 0)),
                _days_ago(days),
            )
        )
    return Table(
        f"Relationships on {report.as_of:%Y-%m-%d}",
        ("Role", "Contacts", "Strong relationships", "Last contact"),
        tuple(rows),
        align=(_L, _R, _R, _L),
        definitions=("relationship_coverage",),
    )


def _days_ago(days: float | None) -> str:
    if not _isnum(days):
        return "no contact recorded"
    return {0: "today", 1: "yesterday"}.get(int(days), f"{days:.0f} days ago")


def subscription_table(report: Report) -> Table:
    """The customer's subscription: plan, seats, renewal date and what needs attention."""
    aid = _one(report)
    acc = report.dataset.accounts.iloc[0]
    rows = [("Plan", str(acc.get("plan")) if not pd.isna(acc.get("plan", np.nan)) else DASH)]
    usage = report.dataset.get("usage")
    if usage is not None and not usage.empty:
        a = account_adoption(usage, month=report.period.last_month, lookback_months=3)
        if aid in a.index:
            rows.append(("Licensed seats", fmt_count(a.loc[aid, "licensed_seats"])))
    renewal = acc.get("renewal_date")
    if renewal is not None and not pd.isna(renewal):
        days = (pd.Timestamp(renewal) - report.as_of).days
        when = f"in {days} days" if days >= 0 else f"{-days} days ago"
        rows.append(("Renewal date", f"{pd.Timestamp(renewal):%Y-%m-%d} ({when})"))
    flags = risk_frame(report)
    assessed = not (aid in flags.index and flags.loc[aid, list(RISK_FLAGS)].isna().all())
    if not assessed:
        rows.append(("Focus areas", "not assessed: no usage or contact data"))
    elif aid in flags.index:
        fired = [CUSTOMER_FLAG_LABELS[f] for f in RISK_FLAGS if _true(flags.loc[aid].get(f))]
        rows.append(("Focus areas", "; ".join(fired) if fired else "None at the moment"))
    return Table(
        "Subscription and renewal",
        ("Item", "Detail"),
        tuple(rows),
        align=(_L, _L),
        definitions=("focus_areas",) if assessed else (),
    )

