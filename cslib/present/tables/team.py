"""The team scorecard's tables: what each CSM can influence, then revenue as context.

Rows are listed by name with the team's total last, never ranked: a figure
from fewer answers than the survey minimum is shown in brackets and compared
with nothing (DESIGN.md, "Team scorecard").
"""

from __future__ import annotations

import pandas as pd

from cslib.metrics.satisfaction import MIN_RESPONSES
from cslib.metrics.team import team_scorecard as scorecard_frame
from cslib.present.blocks import Callout, Paragraph, Table
from cslib.present.figures import risk_frame
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_money,
    fmt_percent,
    fmt_plural,
    fmt_score,
)
from cslib.present.report import Report
from cslib.present.tables._cells import LEFT, RIGHT, isnum

__all__ = ["team_context", "team_frame", "team_scorecard", "team_summary"]

TEAM = "Team"


def team_frame(report: Report, *, by: str = "csm") -> pd.DataFrame:
    """:func:`cslib.metrics.team.team_scorecard` for the report's period, computed once."""
    return report.memo(f"team:{by}", lambda: scorecard_frame(
        report.dataset, period=report.period, by=by, as_of=report.as_of,
        settings=report.risk_settings, flags=risk_frame(report)))


def _answers(value: str, n: object, small: bool) -> str:
    """``62% · 34`` (value and answers), in brackets when the answers are too few."""
    if not isnum(n) or int(n) == 0:  # type: ignore[arg-type]
        return DASH
    text = f"{value} · {fmt_count(n)}"
    return f"({text})" if small else text


def _title(by: str) -> str:
    return "CSM" if by == "csm" else by.replace("_", " ")


def _label(name: object) -> str:
    return TEAM if name == "total" else str(name)


def _no_column(report: Report, by: str) -> Callout | None:
    if by not in report.dataset.accounts.columns:
        return Callout.of(f"The data has no accounts column {by!r} to break the team down by.")
    return None


def team_scorecard(report: Report, *, by: str = "csm") -> Table | Callout | None:
    """What CS can influence, per CSM (or ``by``): satisfaction, goals, advocacy, coverage.

    ``None`` (nothing shown) when ``by`` is empty; a callout when the data has no such column.
    """
    if not by:
        return None
    if (missing := _no_column(report, by)) is not None:
        return missing
    frame = team_frame(report, by=by)
    rows = []
    for name, r in frame.iterrows():
        nps = f"{fmt_score(r['nps'], digits=0)} ±{fmt_score(r['nps_margin'], digits=0)}" \
            if isnum(r["nps"]) else DASH
        goals = (f"{fmt_percent(r['achieved_rate'], digits=0)} · {fmt_count(r['goals_due'])}"
                 if isnum(r.get("achieved_rate")) else DASH)
        rows.append((
            _label(name),
            fmt_count(r["accounts"]),
            _answers(fmt_percent(r["csat"], digits=0), r["csat_responses"], r["small_csat"]),
            _answers(fmt_score(r["ces"], digits=1), r["ces_responses"], r["small_ces"]),
            _answers(nps, r["nps_responses"], r["small_nps"]),
            goals,
            fmt_count(r["advocacy"]) if isnum(r.get("advocacy")) else DASH,
            fmt_percent(r["coverage"], digits=0) if isnum(r.get("coverage")) else DASH,
        ))
    who = "CSM" if by == "csm" else by.replace("_", " ").capitalize()
    return Table(
        f"What the team influences, by {_title(by)}, {report.period.label}",
        (who, "Accounts", "CSAT · answers", "CES · answers", "NPS · answers",
         "Goals achieved · due", "Advocacy", "Coverage"),
        tuple(rows),
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT),
        total=True,
        caption=(f"Listed by name, not ranked. The accounts each holds at the period's end "
                 f"(paying then). In brackets: fewer than {MIN_RESPONSES} answers, too few to "
                 f"compare. NPS with its {fmt_percent(0.95, digits=0)} margin. Advocacy: "
                 "referrals, reference calls, case studies and reviews in the period. "
                 "Coverage: share of accounts not single-threaded."),
        definitions=("team_scorecard", "csat", "ces", "nps", "goals", "advocacy",
                     "relationship_coverage"),
    )


def team_context(report: Report, *, by: str = "csm") -> Table | Callout | None:
    """Each CSM's book and its revenue outcome: ARR, segment mix, renewal rate, NRR and GRR."""
    if not by:
        return None
    if (missing := _no_column(report, by)) is not None:
        return missing
    frame = team_frame(report, by=by)
    flags = risk_frame(report)
    groups = report.dataset.groups(by).reindex(flags.index)
    mix = flags.groupby([groups, flags["segment"]]).size()
    rows = []
    for name, r in frame.iterrows():
        parts = mix.loc[name] if name in mix.index.get_level_values(0) else pd.Series(dtype=int)
        if name == "total":
            parts = flags["segment"].value_counts().sort_index()
        rows.append((
            _label(name),
            fmt_money(r["arr"], compact=True),
            ", ".join(f"{seg} {n}" for seg, n in parts.items()) or DASH,
            fmt_count(r["renewals_due"]),
            fmt_percent(r["logo_renewal_rate"], digits=0),
            fmt_percent(r["revenue_renewal_rate"], digits=0),
            fmt_percent(r["nrr"]),
            fmt_percent(r["grr"]),
        ))
    who = "CSM" if by == "csm" else by.replace("_", " ").capitalize()
    return Table(
        f"Books and revenue, by {_title(by)}, {report.period.label} (context, not a ranking)",
        (who, "ARR", "Accounts by segment", "Renewals due", "Renewed", "Renewed ARR", "NRR",
         "GRR"),
        tuple(rows),
        align=(LEFT, RIGHT, LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT),
        total=True,
        caption=("Book size and segment mix differ: an Enterprise book and an SMB book are not "
                 "alike. Renewed: share of the renewals due in the period still paying the month "
                 "after (Renewed ARR: weighted by MRR before). NRR and GRR over the accounts "
                 "each holds now."),
        definitions=("arr", "renewal_rate", "nrr", "grr"),
    )


def team_summary(report: Report, *, by: str = "csm") -> Paragraph | Callout:
    """The CS team's period in one paragraph: satisfaction, goals, advocacy, coverage, renewals.

    Figures from :func:`cslib.present.tables.team.team_frame` (the team's
    ``total`` row), each with its number of answers; then the widest gaps
    between CSMs worth a conversation, only among figures with at least
    :data:`~cslib.metrics.satisfaction.MIN_RESPONSES` answers.
    """
    if by not in report.dataset.accounts.columns:
        return Callout.of(f"The data has no accounts column {by!r} to assign accounts to CSMs.")
    frame = team_frame(report, by=by)
    t = frame.loc["total"]
    parts: list[str] = []
    if isnum(t["csat"]):
        parts.append(f"CSAT was {fmt_percent(t['csat'])} over {fmt_count(t['csat_responses'])} "
                     "rated tickets")
    if isnum(t["nps"]):
        parts.append(f"NPS {fmt_score(t['nps'])} ±{fmt_score(t['nps_margin'])} over "
                     f"{fmt_count(t['nps_responses'])} answers")
    text = f"In {report.period.label}, " + (" and ".join(parts) if parts else
                                            "no satisfaction answers were recorded") + "."
    if isnum(t.get("achieved_rate")):
        text += (f" {fmt_count(t['goals_achieved'])} of {fmt_count(t['goals_due'])} goals due "
                 f"were achieved ({fmt_percent(t['achieved_rate'], digits=0)})")
        text += (f"; customers gave {fmt_plural(int(t['advocacy']), 'advocacy event')}."
                 if isnum(t.get("advocacy")) else ".")
    if isnum(t.get("coverage")):
        text += (f" {fmt_percent(t['coverage'], digits=0)} of paying accounts have the "
                 "executive relationships their segment needs.")
    if isnum(t["logo_renewal_rate"]):
        text += (f" {fmt_percent(t['logo_renewal_rate'], digits=0)} of the "
                 f"{fmt_count(t['renewals_due'])} renewals due renewed "
                 f"({fmt_percent(t['revenue_renewal_rate'], digits=0)} of their ARR).")
    people = frame.drop(index="total")
    enough = people[~people["small_csat"].astype(bool) & people["csat"].notna()]
    if len(enough) >= 2:
        lo, hi = enough["csat"].astype(float).idxmin(), enough["csat"].astype(float).idxmax()
        if enough.loc[hi, "csat"] - enough.loc[lo, "csat"] >= 0.1:
            text += (f" CSAT ranges from {fmt_percent(enough.loc[lo, 'csat'], digits=0)} "
                     f"({lo}) to {fmt_percent(enough.loc[hi, 'csat'], digits=0)} ({hi}) among "
                     f"CSMs with {MIN_RESPONSES} answers or more.")
    return Paragraph.of(text, definitions=("team_scorecard",))
