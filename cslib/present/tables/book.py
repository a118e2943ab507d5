"""A book of business (one CSM's accounts, or a region's): whom to call first, and why.

- :func:`worklist_frame` / :func:`worklist`: every account of the book that
  needs a call, ranked by :func:`cslib.metrics.risk.priority` (the
  ``priority`` settings of ``params/risk.yaml``), each with its reasons in
  words and a suggested action;
- :func:`goals_at_risk`: the success-plan goals at risk or overdue;
- :func:`expansion_candidates`: seats near the licence, growing usage;
- :func:`single_threaded`: accounts with too few strong executive relationships.
"""

from __future__ import annotations

import pandas as pd

from cslib.metrics.outcomes import OPEN_GOAL_STATUSES
from cslib.metrics.risk import priority
from cslib.present.blocks import Callout, Table
from cslib.present.figures import adoption_frame, health_frame, risk_frame
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_day,
    fmt_days,
    fmt_money,
    fmt_percent,
    fmt_plural,
    fmt_signed_percent,
)
from cslib.present.report import Report
from cslib.present.tables._cells import (
    LEFT,
    RIGHT,
    flag_reasons,
    health_cell,
    isnum,
    priority_rule,
    shown_note,
    weakest_measures,
)

__all__ = [
    "ACTIONS",
    "expansion_candidates",
    "goals_at_risk",
    "single_threaded",
    "worklist",
    "worklist_frame",
]

#: The suggested action for each reason an account is on the worklist, most pressing first:
#: a row's action is that of its most pressing reason.
ACTIONS = {
    "emergency": "Call the users' lead this week: usage is falling",
    "renewal_at_risk": "Book an executive call before the renewal",
    "red": "Agree a recovery plan with the sponsor",
    "goals": "Review the goals at risk with the customer",
    "usage": "Ask why fewer people use it",
    "single_threaded": "Meet a second executive sponsor",
    "build_a_champion": "Name a champion among the active users",
    "renewal": "Prepare the renewal",
}
#: A fall in active users over three months (proportion) worth a call even without a flag.
USAGE_DECLINE = 0.1
#: Seat utilization from which an account is offered more seats.
SEATS_NEAR_LIMIT = 0.9
#: Growth in active users over three months that suggests expansion.
USAGE_GROWTH = 0.1


def _goal_counts(report: Report) -> pd.Series:
    """Open goals at risk (or overdue: due before the snapshot day and not achieved) by account."""
    goals = report.dataset.get("goals")
    if goals is None or goals.empty:
        return pd.Series(dtype=float)
    open_ = goals[goals["status"].isin(OPEN_GOAL_STATUSES)]
    due = pd.to_datetime(open_["due_on"])
    bad = (open_["status"] == "at_risk") | (due < report.as_of)
    return bad.groupby(open_["account_id"].astype(str)).sum().astype(float)


def worklist_frame(report: Report) -> pd.DataFrame:
    """Every paying account of the book that needs a call, the most urgent first.

    An account is on the list when a risk flag is set, its health is red, a
    goal is at risk or overdue, its active users fell by 10% or more over three
    months, or it renews within the renewal window. Ranked by
    :func:`~cslib.metrics.risk.priority` (``ARR x (1 + flags) x band weight x
    urgency`` by default), ties by ARR then name.

    Returns
    -------
    pandas.DataFrame
        :func:`~cslib.present.figures.risk_frame`'s columns plus ``health_score``,
        ``health_band``, ``goals_at_risk``, ``priority``, ``reasons`` (list of
        str, most pressing first) and ``action``.
    """

    def compute() -> pd.DataFrame:
        flags = risk_frame(report)
        health = health_frame(report).reindex(flags.index)
        out = flags.assign(health_score=health["health_score"],
                           health_band=health["health_band"],
                           goals_at_risk=_goal_counts(report).reindex(flags.index).fillna(0.0))
        out["priority"] = priority(out, out["health_band"], settings=report.risk_settings)
        window = report.risk_settings.renewal_window_days
        rows: list[tuple[list[str], str]] = []
        for aid, r in out.iterrows():
            said = flag_reasons(r, report.risk_settings)
            why: dict[str, str] = {k: said[k] for k in ("emergency", "renewal_at_risk")
                                   if k in said}
            if r["health_band"] == "red":  # the Health column shows the score
                why["red"] = "red health"
            if r["goals_at_risk"] > 0:
                why["goals"] = fmt_plural(int(r["goals_at_risk"]), "goal") + " at risk or overdue"
            change = r.get("active_users_change")
            if "emergency" not in why and isnum(change) and change <= -USAGE_DECLINE:
                why["usage"] = f"active users {fmt_signed_percent(change, digits=0)} over 3 months"
            why.update({k: said[k] for k in ("single_threaded", "build_a_champion") if k in said})
            days = r["days_to_renewal"]
            if "renewal_at_risk" not in why and isnum(days) and 0 <= days <= window:
                why["renewal"] = f"renews {fmt_days(round(float(days)))}"
            if list(why) == ["red"]:  # red and nothing else to say: its weakest measure
                weak = weakest_measures(health.loc[aid], report.health_config.measures, k=1)
                why["red"] += f"; weakest: {weak[0]}" if weak else ""
            action = next((ACTIONS[k] for k in ACTIONS if k in why), "")
            rows.append((list(why.values()), action))
        out["reasons"] = [w for w, _ in rows]
        out["action"] = [a for _, a in rows]
        out = out[out["reasons"].map(bool)].assign(_arr=out["mrr"])
        return out.sort_values(["priority", "_arr", "name"], ascending=[False, False, True]) \
            .drop(columns="_arr")

    return report.memo("worklist", compute)


def worklist(report: Report, *, n: int | None = 15) -> Table | Callout:
    """"Who to call first": the book's accounts that need a call, ranked, with why and what to do.

    Ranked by priority (:func:`worklist_frame`); at most ``n`` rows (all with ``None``).
    """
    frame = worklist_frame(report)
    if frame.empty:
        return Callout.of(f"No account of this book needs a call on {fmt_day(report.as_of)}: "
                          "no risk flag, red health, goal at risk, usage decline or near "
                          "renewal.")
    rows = []
    for i, (_, r) in enumerate(frame.head(n).iterrows(), start=1):
        rows.append((str(i), str(r["name"]), fmt_money(12 * r["mrr"], compact=True),
                     health_cell(r["health_score"], r["health_band"]),
                     "; ".join(r["reasons"]), str(r["action"])))
    return Table(
        f"Who to call first on {fmt_day(report.as_of)}",
        ("#", "Account", "ARR", "Health", "Why", "Suggested action"),
        tuple(rows),
        align=(RIGHT, LEFT, RIGHT, LEFT, LEFT, LEFT),
        caption=(
            f"{fmt_plural(len(frame), 'account')} need a call, "
            f"{fmt_money(12 * frame['mrr'].sum(), compact=True)} ARR in all. Ranked by "
            + priority_rule(report.risk_settings)
            + shown_note(len(frame), n).replace("largest", "most urgent")
        ),
        definitions=("priority", "risk_flags", "health_score", "arr"),
    )


def goals_at_risk(report: Report, *, n: int = 15) -> Table | Callout | None:
    """The book's open success-plan goals at risk or overdue, soonest due first.

    ``None`` when the data has no goals table.
    """
    goals = report.dataset.get("goals")
    if goals is None:
        return None
    open_ = goals[goals["status"].isin(OPEN_GOAL_STATUSES)].copy()
    open_["due"] = pd.to_datetime(open_["due_on"])
    bad = open_[(open_["status"] == "at_risk") | (open_["due"] < report.as_of)]
    if bad.empty:
        return Callout.of(f"No open goal of this book is at risk or overdue on "
                          f"{fmt_day(report.as_of)}.")
    names = report.dataset.accounts.set_index(report.dataset.accounts["account_id"].astype(str))
    bad = bad.sort_values(["due", "account_id"])
    rows = tuple(
        (str(names.at[str(g["account_id"]), "name"]), str(g["title"]), f"{fmt_day(g['due'])}",
         "overdue" if g["due"] < report.as_of else "at risk")
        for _, g in bad.head(n).iterrows()
    )
    return Table(
        "Goals at risk or overdue",
        ("Account", "Goal", "Due", "Status"),
        rows,
        caption=f"{fmt_plural(len(bad), 'open goal')} at risk or past due"
        + shown_note(len(bad), n).replace("largest", "soonest due"),
        definitions=("goals",),
    )


def expansion_candidates(report: Report, *, n: int = 10) -> Table | Callout | None:
    """Accounts to offer more: seats nearly all in use, or active users growing.

    ``None`` when the data has no usage table.
    """
    adoption = adoption_frame(report)
    if adoption is None:
        return None
    flags = risk_frame(report)
    a = adoption.reindex(flags.index)
    near = a["seat_utilization"] >= SEATS_NEAR_LIMIT
    growing = a["active_users_change"] >= USAGE_GROWTH
    pick = flags[(near | growing).fillna(False).to_numpy()].assign(
        _arr=lambda f: f["mrr"]).sort_values(["_arr", "name"], ascending=[False, True])
    if pick.empty:
        return Callout.of("No account of this book is near its seat licence or growing its "
                          "active users by 10% or more.")
    rows = []
    for aid, r in pick.head(n).iterrows():
        u = a.loc[aid]
        signal = []
        if isnum(u["seat_utilization"]) and u["seat_utilization"] >= SEATS_NEAR_LIMIT:
            signal.append("more seats")
        if isnum(u["active_users_change"]) and u["active_users_change"] >= USAGE_GROWTH:
            signal.append("next teams")
        rows.append((str(r["name"]), fmt_money(12 * r["mrr"], compact=True),
                     f"{fmt_count(u['active_users'])} of {fmt_count(u['licensed_seats'])}",
                     fmt_percent(u["seat_utilization"], digits=0),
                     fmt_signed_percent(u["active_users_change"], digits=0)
                     if isnum(u["active_users_change"]) else DASH,
                     ", ".join(signal)))
    return Table(
        "Expansion candidates",
        ("Account", "ARR", "Seats in use", "Utilization", "Users, 3 months", "Propose"),
        tuple(rows),
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT, LEFT),
        caption=f"Seat utilization {fmt_percent(SEATS_NEAR_LIMIT, digits=0)} or more, or "
        f"active users up {fmt_percent(USAGE_GROWTH, digits=0)} or more in three months"
        + shown_note(len(pick), n),
        definitions=("seat_utilization", "expansion"),
    )


def single_threaded(report: Report, *, n: int = 10) -> Table | Callout | None:
    """Accounts relying on too few strong executive relationships, largest ARR first.

    ``None`` when the data has no contacts table (the flag cannot be evaluated).
    """
    flags = risk_frame(report)
    if flags["single_threaded"].isna().all():
        return None
    pick = flags[flags["single_threaded"].fillna(False).astype(bool)].sort_values(
        ["mrr", "name"], ascending=[False, True])
    if pick.empty:
        return Callout.of("Every account of this book has the strong executive relationships "
                          "its segment needs.")
    said = [flag_reasons(r, report.risk_settings)["single_threaded"]
            for _, r in pick.head(n).iterrows()]
    rows = tuple(
        (str(r["name"]), str(r["segment"]), fmt_money(12 * r["mrr"], compact=True), why,
         f"{fmt_day(r['renewal_date'])}" if isnum(r["days_to_renewal"])
         and r["days_to_renewal"] >= 0 else DASH)
        for (_, r), why in zip(pick.head(n).iterrows(), said, strict=True)
    )
    return Table(
        "Single-threaded accounts",
        ("Account", "Segment", "ARR", "Executive relationships", "Renewal"),
        rows,
        align=(LEFT, LEFT, RIGHT, LEFT, LEFT),
        caption=f"{fmt_plural(len(pick), 'account')} with fewer strong executive relationships "
        "than the segment needs" + shown_note(len(pick), n),
        definitions=("relationship_coverage", "risk_flags"),
    )
