"""What a customer meeting needs: agenda, value delivered, next steps, talking points.

A customer's QBR (shared with the customer) opens with the meeting's
:func:`agenda`, shows the :func:`value_delivered` in the customer's own terms
and closes with :func:`next_steps`: proposed actions with an owner and a date,
drawn from the data (goals at risk, adoption dips, seats near the licence,
sponsors to name). The internal account review prepares the same meeting:
:func:`talking_points` (health, flags in plain words, what the customer said,
the renewal) and :func:`expansion_prompts`. Every step is worded for the
customer; the internal reason behind it ("no executive contact for 148 days")
appears only in internal documents.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cslib.metrics.outcomes import OPEN_GOAL_STATUSES, goal_progress, status_on
from cslib.metrics.risk import RISK_FLAGS
from cslib.present.blocks import Bullets, Paragraph, Span, Table
from cslib.present.figures import adoption_frame, health_frame, risk_frame, satisfaction_ttm
from cslib.present.formats import (
    fmt_count,
    fmt_date,
    fmt_day,
    fmt_days,
    fmt_money,
    fmt_month,
    fmt_percent,
    fmt_period,
    fmt_score,
)
from cslib.present.report import Report
from cslib.present.tables._cells import (
    LEFT,
    flag_reasons,
    isnum,
    plain_number,
    weakest_measures,
)
from cslib.present.tables.account import nps_comments
from cslib.present.tables.customer import _one
from cslib.present.tables.loss_review import notice_frame

__all__ = [
    "EXECUTIVE_CHECK_IN_DAYS",
    "SEATS_NEAR_LIMIT",
    "Step",
    "agenda",
    "expansion_prompts",
    "next_steps",
    "steps",
    "talking_points",
    "value_delivered",
]

#: Days without an executive conversation after which a check-in is proposed.
EXECUTIVE_CHECK_IN_DAYS = 90
#: Share of licensed seats in use from which more seats are worth discussing.
SEATS_NEAR_LIMIT = 0.9
#: Seat utilization under which enablement sessions are proposed.
LOW_UTILIZATION = 0.5
#: A renewal this many days ahead or fewer is on the meeting's agenda.
RENEWAL_ON_AGENDA_DAYS = 180


def _date(day: pd.Timestamp) -> str:
    return fmt_date(day)


def _row(frame: pd.DataFrame | None, aid: str) -> pd.Series | None:
    return frame.loc[aid] if frame is not None and aid in frame.index else None


@dataclass(frozen=True)
class Step:
    """One proposed next step of a customer meeting.

    Attributes
    ----------
    text : tuple
        The step in words meant for the customer (spans; names from data are
        plain text).
    owner : {"we", "you", "both"}
        Who does it: the company (its CSM), the customer, or both teams.
    due : pandas.Timestamp
        By when.
    why : str
        The internal reason, in plain words (internal documents only).
    """

    text: tuple[Span | str, ...]
    owner: str
    due: pd.Timestamp
    why: str = ""


def steps(report: Report) -> list[Step]:
    """The meeting's proposed next steps, drawn from the customer's data.

    Dates count from the data's as-of day (the meeting is prepared then): two
    weeks for what is urgent, a month otherwise, and a month before the
    renewal for the renewal itself.
    """
    aid = _one(report, "next_steps")
    start = report.dataset.as_of
    soon, month = start + pd.Timedelta(days=14), start + pd.Timedelta(days=30)
    out: list[Step] = []
    flags = _row(risk_frame(report), aid)
    reasons = {f: "" for f in RISK_FLAGS}
    if flags is not None:
        reasons.update(flag_reasons(flags, report.risk_settings))

    def fired(flag: str) -> bool:
        return bool(reasons[flag])

    renewal = report.dataset.accounts.iloc[0].get("renewal_date")
    renewal = None if renewal is None or pd.isna(renewal) else pd.Timestamp(renewal)
    if renewal is not None and 0 <= (renewal - report.as_of).days <= RENEWAL_ON_AGENDA_DAYS:
        due = max(renewal - pd.Timedelta(days=30), soon)
        seats = "the seats, terms" if report.dataset.get("usage") is not None else "the terms"
        out.append(Step((f"Plan the renewal of {_date(renewal)} together: {seats} and goals of "
                         "the next term.",), "both", min(due, renewal),
                        reasons["renewal_at_risk"]))
    if fired("single_threaded"):
        strong = flags.get("strong_executives") if flags is not None else 0
        text = ("Name an executive sponsor for our partnership and add them to the success plan."
                if not strong else "Add a second executive sponsor to the success plan.")
        out.append(Step((text,), "you", month, reasons["single_threaded"]))
    silent = flags.get("days_since_executive_contact") if flags is not None else None
    if not fired("renewal_at_risk") and isnum(silent) and silent > EXECUTIVE_CHECK_IN_DAYS:
        out.append(Step(("Hold an executive check-in with your sponsor.",), "we", month,
                        f"no executive contact for {silent:.0f} days"))
    a = _row(adoption_frame(report), aid)
    change = a["active_users_change"] if a is not None else None
    if fired("emergency") or (isnum(change) and change <= -report.risk_settings.usage_drop):
        out.append(Step((f"Agree on a plan to bring active users back: they fell "
                         f"{fmt_percent(abs(change), digits=0)} over three months.",), "both", soon,
                        reasons["emergency"]))
    if fired("build_a_champion"):
        out.append(Step(("Name a champion among your most active users; we will invite them "
                         "to our customer advisory program.",), "you", month,
                        reasons["build_a_champion"]))
    util = a["seat_utilization"] if a is not None else None
    if isnum(util) and util < LOW_UTILIZATION:
        out.append(Step((f"Run enablement sessions to lift seat use from "
                         f"{fmt_percent(util, digits=0)} of licensed seats.",), "we", month))
    elif isnum(util) and util >= SEATS_NEAR_LIMIT:
        out.append(Step((f"Review your seat needs: {fmt_count(a['active_users'])} of "  # type: ignore[index]
                         f"{fmt_count(a['licensed_seats'])} licensed seats are in use.",),  # type: ignore[index]
                        "both", month, "expansion: seats near the licence"))
    goals = report.dataset.get("goals")
    if goals is None or goals.empty:
        out.append(Step(("Agree on a success plan with two or three measurable goals for the "
                         "next two quarters.",), "both", month))
    else:
        status = status_on(goals, report.as_of)
        at_risk = goals[status == "at_risk"].sort_values("due_on").head(3)
        for _, g in at_risk.iterrows():
            out.append(Step(("Revisit the goal ", Span(str(g["title"]), "em"),
                             f" (at risk, due {_date(g['due_on'])})."), "both", soon))
        if not status.isin((*OPEN_GOAL_STATUSES, "in_progress")).any():
            out.append(Step(("Set the next goals of the success plan: every current goal is "
                             "closed.",), "both", month))
    if not out:
        out.append(Step(("Review progress on the success plan at the next quarterly review.",),
                        "both", start + pd.Timedelta(days=90)))
    return sorted(out, key=lambda s: s.due)  # stable: the more important first on a day


def _owner(report: Report, owner: str) -> str:
    acc = report.dataset.accounts.iloc[0]
    csm = acc.get("csm")
    ours = (f"{csm} ({report.company})" if csm is not None and not pd.isna(csm)
            and str(csm).strip() else report.company)
    return {"we": ours, "you": report.subtitle, "both": "Both teams"}[owner]


def next_steps(report: Report) -> Table:
    """Proposed next steps with an owner and a date, to agree on in the meeting.

    In the internal account review a column gives the reason behind each step.
    """
    rows = []
    for s in steps(report):
        row = ("".join(p.text if isinstance(p, Span) else p for p in s.text),
               _owner(report, s.owner), _date(s.due))
        rows.append(row if report.shared else (*row, s.why or "–"))
    columns = ("Next step", "Owner", "By") + (() if report.shared else ("Why (internal)",))
    return Table(
        "Proposed next steps",
        columns,
        tuple(rows),
        align=(LEFT,) * len(columns),
        caption="Proposed from this quarter's figures; owners and dates are agreed in the "
                "meeting.",
    )


def agenda(report: Report) -> Bullets:
    """The meeting's agenda, from what the customer's data holds."""
    _one(report, "agenda")
    ds = report.dataset
    items: list[list[Span | str]] = [[f"Your quarter at a glance: {fmt_period(report.period)}"]]
    goals = ds.get("goals")
    has_goals = goals is not None and not goals.empty
    if value_delivered(report) is not None:
        items.append(["Value delivered and progress on the success plan" if has_goals
                      else "Value delivered"])
    elif has_goals:
        items.append(["Progress on the success plan"])
    if not has_goals:
        items.append(["Goals for the success plan"])
    a = adoption_frame(report)
    if a is not None and report.account_id in a.index:
        items.append([f"Adoption: {fmt_count(a.loc[report.account_id, 'active_users'])} of "
                      f"{fmt_count(a.loc[report.account_id, 'licensed_seats'])} seats in use"])
    if ds.get("tickets") is not None or ds.get("nps") is not None:
        items.append(["Support and satisfaction"])
    renewal = ds.accounts.iloc[0].get("renewal_date")
    if renewal is not None and not pd.isna(renewal) and \
            0 <= (pd.Timestamp(renewal) - report.as_of).days <= RENEWAL_ON_AGENDA_DAYS:
        items.append([f"Your renewal on {_date(pd.Timestamp(renewal))}"])
    items.append(["Next steps: owners and dates"])
    return Bullets.of(items, ordered=True)


def value_delivered(report: Report) -> Bullets | None:
    """What the customer gained, in their terms: goals' baseline to current, usage growth.

    ``None`` (the section is left out) when the data shows neither.
    """
    aid = _one(report, "value_delivered")
    items: list[list[Span | str]] = []
    goals = report.dataset.get("goals")
    if goals is not None and not goals.empty:
        g = goals.assign(progress=goal_progress(goals), status=status_on(goals, report.as_of))
        moved = g[g["progress"].gt(0) & g["baseline"].notna() & g["current"].notna()]
        for _, row in moved.sort_values("due_on", ascending=False).head(5).iterrows():
            metric = "" if pd.isna(row.get("metric")) else f"{row['metric']} "
            done = " — achieved" if row["status"] == "achieved" else ""
            items.append([Span(str(row["title"]), "em"),
                          f": {metric}from {plain_number(row['baseline'])} to "
                          f"{plain_number(row['current'])} (target "
                          f"{plain_number(row['target'])}){done}."])
    usage = report.dataset.get("usage")
    if usage is not None and not usage.empty:
        last = report.period.last_month
        u = usage[(usage["account_id"].astype(str) == aid) & (usage["licensed_seats"] > 0)
                  & (usage["month"] <= last) & (usage["month"] >= last - 11)]
        if len(u) >= 2:
            u = u.sort_values("month")
            first, end = u.iloc[0], u.iloc[-1]
            a, b = int(first["active_users"]), int(end["active_users"])
            if b > a:
                items.append([f"Active users grew from {fmt_count(a)} in "
                              f"{fmt_month(first['month'])} to {fmt_count(b)} in "
                              f"{fmt_month(end['month'])}."])
    return Bullets.of(items) if items else None


def expansion_prompts(report: Report) -> Bullets | Paragraph:
    """Where the account could grow or advocate: seats near the licence, growth, promoters."""
    aid = _one(report, "expansion_prompts")
    items: list[list[Span | str]] = []
    a = _row(adoption_frame(report), aid)
    if a is not None and isnum(a["seat_utilization"]):
        if a["seat_utilization"] >= SEATS_NEAR_LIMIT:
            items.append([f"{fmt_count(a['active_users'])} of {fmt_count(a['licensed_seats'])} "
                          f"seats in use ({fmt_percent(a['seat_utilization'], digits=0)}): "
                          "propose more seats before the renewal."])
        if isnum(a["active_users_change"]) and a["active_users_change"] >= 0.1:
            up = fmt_percent(a["active_users_change"], digits=0)
            items.append([f"Active users up {up} in three months: ask which teams are next."])
    year = satisfaction_ttm(report)
    if year["nps_responses"] and isnum(year["nps"]) and year["nps"] >= 50:
        items.append([f"NPS {fmt_score(year['nps'], digits=0)} over the last 12 months: ask for "
                      "a reference call, a review or a case study."])
    goals = report.dataset.get("goals")
    if goals is not None and not goals.empty:
        achieved = int((status_on(goals, report.as_of) == "achieved").sum())
        if achieved:
            items.append([f"{achieved} success-plan goal{'s' if achieved > 1 else ''} achieved: "
                          "material for a case study."])
    if not items:
        return Paragraph.of("No expansion or advocacy signal this quarter.")
    return Bullets.of(items)


def talking_points(report: Report) -> Bullets:
    """What the CSM should know walking into the meeting, in plain words (internal)."""
    aid = _one(report, "talking_points")
    items: list[list[Span | str]] = []
    h = _row(health_frame(report), aid)
    if h is not None and isnum(h.get("health_score")):
        weak = weakest_measures(h, report.health_config.measures)
        items.append([f"Health {h['health_score']:.0f} ({h['health_band']})"
                      + (f"; weakest: {', '.join(weak)}." if weak else ".")])
    notices = notice_frame(report) if not report.shared else pd.DataFrame()
    if not notices.empty:
        e = notices.iloc[0]
        why = f" ({e['reason']})" if isinstance(e["reason"], str) else ""
        items.append([f"Churn recorded on {fmt_day(e['occurred_on'])}{why} while the account "
                      "still pays: ask whether they are leaving, and check with billing."])
    flags = _row(risk_frame(report), aid)
    if flags is not None:
        words = flag_reasons(flags, report.risk_settings)
        for said in words.values():
            items.append([said[0].upper() + said[1:] + "."])
        silent = flags.get("days_since_user_contact")
        if "emergency" not in words and isnum(silent) and silent > EXECUTIVE_CHECK_IN_DAYS:
            items.append([f"No user contact for {silent:.0f} days: check in with the users."])
        if isnum(flags.get("mrr")):
            renewal = flags.get("renewal_date")
            when = (f", renews {_date(pd.Timestamp(renewal))}"
                    + ("" if "renewal_at_risk" in words  # said just above
                       else f" ({fmt_days(int(flags['days_to_renewal']))})")
                    if renewal is not None and not pd.isna(renewal) else "")
            items.append([f"{fmt_money(12 * float(flags['mrr']), compact=True)} ARR{when}."])
    said = nps_comments(report)
    for _, r in (said.head(2) if said is not None else pd.DataFrame()).iterrows():
        items.append([f"Said on {fmt_day(r['responded_on'])} (NPS answer {int(r['score'])}): ",
                      Span(f"“{r['comment']}”", "em")])
    goals = report.dataset.get("goals")
    if goals is not None and not goals.empty:
        status = status_on(goals, report.as_of)
        late = goals[status.isin(OPEN_GOAL_STATUSES) & (goals["due_on"] < report.as_of)]
        for _, g in late.head(2).iterrows():
            items.append(["Overdue goal: ", Span(str(g["title"]), "em"),
                          f" (due {fmt_day(g['due_on'])})."])
    if not items:
        return Bullets.of([["Nothing stands out: keep the current cadence."]])
    return Bullets.of(items)

