"""The customer QBR's tables: at a glance, goals, health drivers, support, contacts, subscription.

A QBR is shared with the customer: these tables show only the report's one
account and words meant for the customer (see :data:`CUSTOMER_FLAG_LABELS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.errors import ParameterError
from cslib.metrics.definitions import recorded
from cslib.metrics.outcomes import goal_progress, goal_summary, status_on
from cslib.metrics.relationships import relationship_summary
from cslib.present.blocks import Callout, Kpi, Kpis, Table
from cslib.present.figures import (
    adoption_frame,
    health_frame,
    satisfaction_ttm,
    support_figures,
)
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_date,
    fmt_day,
    fmt_days,
    fmt_money,
    fmt_month,
    fmt_month_long,
    fmt_percent,
    fmt_plural,
    fmt_score,
    fmt_signed_percent,
)
from cslib.present.report import Report
from cslib.present.tables._cells import (
    LEFT,
    MEASURE_LABELS,
    RIGHT,
    days_ago,
    isnum,
    kpi,
    measure_value,
    plain_number,
)

__all__ = [
    "contacts_table",
    "goals_table",
    "health_drivers",
    "qbr_kpis",
    "subscription_table",
    "support_table",
]


def _one(report: Report, table: str) -> str:
    """The customer's account id; a clear error when ``report`` is not a customer's QBR."""
    if report.kind != "customer":
        raise ParameterError(
            f"`tables.{table}` shows one customer's figures, so it needs a customer report, "
            f"got a {report.kind} report; open one with open_report('customer', "
            "account_id=...)."
        )
    return report.account_id


def qbr_kpis(report: Report) -> Kpis:
    """The customer's headline figures: adoption, health, satisfaction, goals, renewal."""
    aid = _one(report, "qbr_kpis")
    ds = report.dataset
    month = report.period.last_month
    items: list[Kpi] = []
    adoption = adoption_frame(report, month)
    if adoption is not None and aid in adoption.index:
        a = adoption.loc[aid]
        before = adoption_frame(report, month - 3)
        assert before is not None
        prev = before["seat_utilization"].get(aid)
        items.append(kpi("Seat utilization", a["seat_utilization"], prev, None,
                          fmt_percent, year_label=""))
        items.append(Kpi("Active users", fmt_count(a["active_users"]),
                         f"{fmt_signed_percent(a['active_users_change'])} in 3 months"
                         if isnum(a["active_users_change"]) else "",
                         note=f"of {fmt_count(a['licensed_seats'])} seats"))
    health = health_frame(report)
    if report.shows_health and aid in health.index and isnum(health.loc[aid, "health_score"]):
        h = health.loc[aid]
        items.append(Kpi("Health score", f"{h['health_score']:.0f}",
                         note=f"{h['health_band']} band"))
    nps, tickets = ds.get("nps"), ds.get("tickets")
    rated = tickets is not None and "csat" in tickets
    if nps is not None or rated:
        year = satisfaction_ttm(report)
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
        items.append(Kpi("Renewal", fmt_date(ts),
                         note=fmt_days(days)))
    return Kpis(
        f"At a glance, {report.period.label}",
        tuple(items),
        definitions=recorded(ds, ("seat_utilization", "nps", "csat", "goals")
                             + (("health_score",) if report.shows_health else ())),
    )


_STATUS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "missed": "Missed",
    "in_progress": "In progress",
    "not_started": "Not started",
}


def goals_table(report: Report) -> Table | Callout | None:
    """The customer's success plan: each goal, its target, progress, due date and status.

    Statuses are as of the report's snapshot day
    (:func:`cslib.metrics.outcomes.status_on`: not "Missed" before the due date).
    Without any goals in the data, ``None`` in a shared QBR (its Success plan
    section is left out) and a note in an internal review.
    """
    goals = report.dataset.get("goals")
    if goals is None:
        if report.shared:
            return None
        return Callout.of("The data has no success-plan goals (no goals table), so the success "
                          "plan cannot be shown.")
    if goals.empty:
        if report.shared:
            return Callout.of("We have not set success-plan goals together yet: agreeing on two "
                              "or three measurable goals is on this review's agenda.")
        return Callout.of("No success-plan goals are recorded for this account yet.")
    goals = goals.sort_values(["due_on", "goal_id"])
    goals = goals.assign(progress=goal_progress(goals), status=status_on(goals, report.as_of))
    rows = []
    for _, g in goals.iterrows():
        base, target, cur = (g.get(k) for k in ("baseline", "target", "current"))
        progress = fmt_percent(g["progress"], digits=0) if isnum(g["progress"]) else DASH
        metric = str(g["metric"]) if "metric" in g and not pd.isna(g["metric"]) else ""
        rows.append(
            (
                str(g["title"]),
                metric or DASH,
                f"{plain_number(base)} → {plain_number(target)}" if isnum(target) else DASH,
                plain_number(cur),
                progress,
                f"{fmt_day(g['due_on'])}",
                _STATUS.get(str(g["status"]), str(g["status"])),
            )
        )
    return Table(
        f"Goals and progress on {fmt_day(report.as_of)}",
        ("Goal", "Measure", "Baseline → target", "Current", "Progress", "Due", "Status"),
        tuple(rows),
        align=(LEFT, LEFT, RIGHT, RIGHT, RIGHT, LEFT, LEFT),
        definitions=("goals",),
    )


def health_drivers(report: Report) -> Table | Callout | None:
    """The customer's health score broken down: each measure's value, score and weight.

    ``None`` (the section is left out) in a QBR shared with the customer unless
    its plan opts in with ``share_health: true``: the score is internal.
    """
    aid = _one(report, "health_drivers")
    if not report.shows_health:
        return None
    health = health_frame(report)
    if aid not in health.index:
        return Callout.of(
            f"The account was not paying on {fmt_day(report.as_of)}; no health score."
        )
    h = health.loc[aid]
    weights = {m.name: m.weight for m in report.health_config.measures}
    used = {m: w for m, w in weights.items() if isnum(h.get(f"score_{m}"))}
    total = sum(used.values())
    rows = []
    for m in sorted(weights, key=lambda k: -weights[k]):
        score = h.get(f"score_{m}")
        rows.append(
            (
                MEASURE_LABELS.get(m, m),
                measure_value(m, h.get(m)),
                fmt_score(score, digits=0) if isnum(score) else DASH,
                fmt_percent(used[m] / total, digits=0) if m in used and total else "not counted",
            )
        )
    rows.append(("Health score", h["health_band"] or DASH,
                 fmt_score(h["health_score"], digits=0), fmt_percent(1.0, digits=0)))
    return Table(
        f"Health score drivers on {fmt_day(report.as_of)}",
        ("Measure", "Value", "Score (0-100)", "Weight"),
        tuple(rows),
        align=(LEFT, RIGHT, RIGHT, RIGHT),
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
        volume, rated = support_figures(report, p)
        days = volume["median_days_to_close"]
        cols.append(
            (
                fmt_count(volume["opened"]),
                fmt_count(volume["closed"]),
                f"{days:.0f}" if isnum(days) else DASH,
                f"{fmt_percent(rated['csat'], digits=0)} of "
                f"{fmt_plural(rated['csat_responses'], 'rating')}"
                if rated["csat_responses"] else DASH,
                f"{fmt_score(rated['ces'])} from {fmt_plural(rated['ces_responses'], 'rating')}"
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
        align=(LEFT, RIGHT, RIGHT),
        definitions=recorded(report.dataset, ("csat", "ces")),
    )


def contacts_table(report: Report) -> Table | Callout:
    """Relationship coverage of the customer: contacts and strong ties by role, last contact."""
    aid = _one(report, "contacts_table")
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
                days_ago(days),
            )
        )
    return Table(
        f"Relationships on {fmt_day(report.as_of)}",
        ("Role", "Contacts", "Strong relationships", "Last contact"),
        tuple(rows),
        align=(LEFT, RIGHT, RIGHT, LEFT),
        definitions=("relationship_coverage",),
    )


def subscription_table(report: Report) -> Table:
    """The customer's subscription: plan, customer since, seats, annual value, renewal date.

    The annual value is 12 x the MRR of the period's last month (the ``arr``
    definition); "customer since" is the first month the account paid.
    """
    aid = _one(report, "subscription_table")
    acc = report.dataset.accounts.iloc[0]
    rows = [("Plan", str(acc.get("plan")) if not pd.isna(acc.get("plan", np.nan)) else DASH)]
    mrr = report.dataset.mrr
    paid = mrr[(mrr["account_id"].astype(str) == aid) & (mrr["mrr"] > 0)
               & (mrr["month"] <= report.period.last_month)]
    if not paid.empty:
        rows.append(("Customer since", fmt_month_long(paid["month"].min())))
    a = adoption_frame(report)
    if a is not None and aid in a.index:
        rows.append(("Licensed seats", fmt_count(a.loc[aid, "licensed_seats"])))
    now = paid.loc[paid["month"] == report.period.last_month, "mrr"].sum()
    if now > 0:
        rows.append(("Annual subscription", f"{fmt_money(12 * float(now))} "
                                            f"({fmt_month(report.period.last_month)})"))
    renewal = acc.get("renewal_date")
    if renewal is not None and not pd.isna(renewal):
        days = (pd.Timestamp(renewal) - report.as_of).days
        rows.append(("Renewal date", f"{fmt_day(pd.Timestamp(renewal))} ({fmt_days(days)})"))
    return Table(
        "Subscription and renewal",
        ("Item", "Detail"),
        tuple(rows),
        align=(LEFT, LEFT),
        definitions=("arr",) if now > 0 and not report.shared else (),
    )
