"""Generated narrative: the sentences of a report that state figures.

Every figure in these sentences is computed and formatted here, from the same
functions the tables and charts use, so the text can never disagree with them
("NRR fell 4.1 points to 97.2%, driven by 3 Enterprise churns"). Names taken
from data (accounts, goals) travel as plain text spans that renderers escape.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cslib.errors import PeriodError
from cslib.metrics.definitions import lacks, recorded
from cslib.metrics.risk import RISK_FLAGS
from cslib.metrics.satisfaction import MIN_RESPONSES, SATISFIED_MIN
from cslib.metrics.summary import metrics_frame
from cslib.metrics.support import closed_in
from cslib.periods import Period
from cslib.present.blocks import Callout, Paragraph, Span
from cslib.present.figures import (
    adoption_frame,
    compare_periods,
    headline_figures,
    health_frame,
    movements_frame,
    risk_frame,
    support_figures,
)
from cslib.present.formats import (
    fmt_count,
    fmt_date,
    fmt_day,
    fmt_money,
    fmt_money_pair,
    fmt_month,
    fmt_number,
    fmt_percent,
    fmt_plural,
    fmt_ratio,
    fmt_score,
)
from cslib.present.report import Report
from cslib.present.tables import FLAG_LABELS
from cslib.present.tables.company import at_risk_frame
from cslib.present.tables.loss_review import churn_data_note, loss_summary
from cslib.present.tables.team import team_summary

__all__ = [
    "adoption_summary",
    "bridge_summary",
    "change_phrase",
    "churn_data_note",
    "executive_summary",
    "health_summary",
    "loss_summary",
    "qbr_summary",
    "retention_summary",
    "risk_summary",
    "satisfaction_summary",
    "segment_summary",
    "support_summary",
    "team_summary",
]


def _ok(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def change_phrase(name: str, now: float | None, before: float | None, *, unit: str = "%") -> str:
    """``"NRR fell 4.1 points to 97.2%"``, ``"rose … to …"`` or ``"held at …"``.

    ``now`` and ``before`` are proportions (``unit="%"``) or points (``unit="pts"``,
    e.g. NPS); without ``before`` the sentence just states the value.

    Examples
    --------
    >>> change_phrase("NRR", 0.972, 1.013)
    'NRR fell 4.1 points to 97.2%'
    """
    scale = 100.0 if unit == "%" else 1.0

    def show(v: float) -> str:
        return fmt_percent(v) if unit == "%" else fmt_score(v)

    if not _ok(now):
        return f"{name} was not defined"
    if not _ok(before):
        return f"{name} was {show(now)}"  # type: ignore[arg-type]
    diff = round(scale * (now - before), 1)  # type: ignore[operator]
    if diff == 0:
        return f"{name} held at {show(now)}"  # type: ignore[arg-type]
    verb = "rose" if diff > 0 else "fell"
    return f"{name} {verb} {fmt_number(abs(diff), digits=1)} points to {show(now)}"  # type: ignore[arg-type]


def long_date(day: Any) -> str:
    """``"December 6, 2026"``."""
    return fmt_date(day, long=True)


def _segment_contributions(report: Report, period: Period) -> pd.Series | None:
    """Each segment's contribution to NRR - 1, in points of the total starting MRR.

    ``start_s * (NRR_s - 1) / sum(start)``: the segments' contributions add up to
    the company's NRR - 1, so the change of a contribution between two periods
    says which segment moved the company's NRR.
    """
    by = headline_figures(report, period, by="segment")
    if by is None:
        return None
    total = by["starting_mrr"].sum()
    if not total:
        return None
    return (by["starting_mrr"] * (by["nrr"].astype(float).fillna(1.0) - 1.0) / total).rename(
        "contribution"
    )


def _losses(moves: pd.DataFrame) -> str:
    """``"7 churned accounts ($53.4K ARR) and $7.1K of contraction"``."""
    churned = moves[moves["churned_mrr"] > 0]
    parts = []
    if len(churned):
        parts.append(
            f"{fmt_plural(len(churned), 'churned account')} "
            f"({fmt_money(12 * churned['churned_mrr'].sum(), compact=True)} ARR)"
        )
    contraction = moves["contraction_mrr"].sum()
    if contraction > 0:
        parts.append(f"{fmt_money(12 * contraction, compact=True)} of contraction")
    return " and ".join(parts)


def _driver(report: Report, nrr_change: float, prev: Period) -> str:
    """What moved NRR since ``prev``, as a clause: ``", driven by ..."``.

    In a company report, the segment whose contribution to NRR moved most in
    the direction of the change (see :func:`_segment_contributions`) is named.
    Then the component that moved most is stated: higher losses (churn and
    contraction, with the churned accounts counted) or lower expansion when NRR
    fell; more expansion or lower losses when it rose.
    """
    moves = movements_frame(report)
    scope, where = report.dataset, ""
    if report.kind == "company":
        now, before = (_segment_contributions(report, p) for p in (report.period, prev))
        if now is None or before is None:
            return ""
        delta = (now - before.reindex(now.index).fillna(0.0)).sort_values()
        segment = delta.index[0] if nrr_change < 0 else delta.index[-1]
        if delta[segment] == 0 or (delta[segment] < 0) != (nrr_change < 0):
            return ""
        moves = moves[moves["segment"] == str(segment)]
        ids = scope.accounts.loc[scope.accounts["segment"].astype(str) == str(segment),
                                 "account_id"]
        scope, where = scope.subset(ids.astype(str)), f" in {segment}"
    try:
        a, b = (metrics_frame(scope, period=p).iloc[0] for p in (report.period, prev))
    except PeriodError:
        return ""
    exp_now, exp_prev = a["expansion_mrr"] + a["reactivation_mrr"], b["expansion_mrr"] + b[
        "reactivation_mrr"]
    loss_now, loss_prev = a["churned_mrr"] + a["contraction_mrr"], b["churned_mrr"] + b[
        "contraction_mrr"]
    money = lambda v: fmt_money(12 * v, compact=True)  # noqa: E731
    if nrr_change < 0:
        if loss_now - loss_prev >= exp_prev - exp_now and _losses(moves):
            return f", driven by {_losses(moves)}{where}"
        if exp_prev > exp_now:
            return (f", driven by lower expansion{where} ({money(exp_now)} ARR against "
                    f"{money(exp_prev)} in {prev.label})")
        return ""
    if exp_now - exp_prev >= loss_prev - loss_now:
        grew = moves[moves["expansion_mrr"] > 0]
        return (f", driven by {money(grew['expansion_mrr'].sum())} of expansion ARR{where} "
                f"({fmt_plural(len(grew), 'account')})") if len(grew) else ""
    return (f", driven by lower losses{where} ({money(loss_now)} ARR of churn and "
            f"contraction against {money(loss_prev)} in {prev.label})")


def executive_summary(report: Report) -> Paragraph:
    """ARR growth, NRR with its change and driver, GRR, churned and new accounts."""
    now = headline_figures(report)
    prev_p, _ = compare_periods(report)
    prev = headline_figures(report, prev_p)
    p = report.period.label
    start, end = 12 * now["starting_mrr"], 12 * now["ending_mrr"]
    growth = (end / start - 1.0) if start else None
    verb = "grew" if (growth or 0) > 0 else ("shrank" if (growth or 0) < 0 else "held")
    before, after = fmt_money_pair(start, end)
    first = (
        f"ARR {verb} {fmt_percent(abs(growth))} from {before} to {after} in {p}. "
        if growth is not None
        else f"ARR was {fmt_money(end, compact=True)} at the end of {p}. "
    )
    nrr_before = prev["nrr"] if prev is not None else None
    nrr = change_phrase("Net revenue retention", now["nrr"], nrr_before)
    if _ok(now["nrr"]) and _ok(nrr_before):
        nrr += f" vs {prev_p.label}" + _driver(report, now["nrr"] - nrr_before, prev_p)
    moves = movements_frame(report)
    churned = int((moves["churned_mrr"] > 0).sum())
    new = int((moves["new_mrr"] > 0).sum())
    lost = (
        f"{fmt_plural(churned, 'account')} churned ({fmt_percent(now['logo_churn'])} of those "
        "paying at the start)"
        if churned
        else "No account churned"
    )
    gained = (
        f"{fmt_plural(new, 'new account')} added {fmt_money(12 * now['new_mrr'], compact=True)} ARR"
        if new
        else "no new account joined"
    )
    second = (
        f"{nrr}; gross revenue retention was {fmt_percent(now['grr'])}. {lost} and {gained}."
    )
    return Paragraph.of(Span(first + second[:1].upper() + second[1:]),
                        definitions=("arr", "nrr", "grr", "logo_retention"))


def bridge_summary(report: Report) -> Paragraph:
    """Where ARR came from and went in the period, with the quick ratio."""
    f = headline_figures(report)
    gained = 12 * (f["new_mrr"] + f["expansion_mrr"] + f["reactivation_mrr"])
    lost = 12 * (f["contraction_mrr"] + f["churned_mrr"])
    react = f["reactivation_mrr"]
    text = (
        f"New business added {fmt_money(12 * f['new_mrr'], compact=True)} ARR"
        + (
            f", expansion {fmt_money(12 * f['expansion_mrr'], compact=True)} and reactivations "
            f"{fmt_money(12 * react, compact=True)}"
            if react
            else f" and expansion {fmt_money(12 * f['expansion_mrr'], compact=True)}"
        )
    )
    if lost > 0:
        text += (
            f"; contraction ({fmt_money(12 * f['contraction_mrr'], compact=True)}) and churn "
            f"({fmt_money(12 * f['churned_mrr'], compact=True)}) took away "
            f"{fmt_money(lost, compact=True)}"
        )
    else:
        text += "; no revenue was lost to contraction or churn"
    text += (
        ", a net change of "
        + f"{'+' if gained >= lost else '−'}{fmt_money(abs(gained - lost), compact=True)}"
    )
    qr = f["quick_ratio"]
    text += f" and a quick ratio of {fmt_ratio(qr, digits=1)}." if _ok(qr) else "."
    return Paragraph.of(text, definitions=("arr_bridge", "quick_ratio"))


def retention_summary(report: Report) -> Paragraph:
    """NRR, GRR and logo retention against the same period a year before."""
    now = headline_figures(report)
    _, year_p = compare_periods(report)
    year = headline_figures(report, year_p)
    if year is None:
        return Paragraph.of(
            f"NRR was {fmt_percent(now['nrr'])}, GRR {fmt_percent(now['grr'])} and logo "
            f"retention {fmt_percent(now['logo_retention'])} in {report.period.label}; the data "
            f"does not reach back to {year_p.label} for a year-on-year comparison.",
            definitions=("nrr", "grr", "logo_retention"),
        )
    parts = [
        change_phrase("NRR", now["nrr"], year["nrr"]),
        change_phrase("GRR", now["grr"], year["grr"]),
        change_phrase("logo retention", now["logo_retention"], year["logo_retention"]),
    ]
    return Paragraph.of(
        f"Compared with {year_p.label}, {parts[0]}, {parts[1]} and {parts[2]}.",
        definitions=("nrr", "grr", "logo_retention"),
    )


def segment_summary(report: Report, *, by: str = "segment") -> Paragraph:
    """Which group retains best and which trails, by NRR."""
    frame = headline_figures(report, by=by).dropna(subset=["nrr"])
    if len(frame) < 2:
        return Paragraph.of(f"Only one {by} has a starting book in {report.period.label}.")
    frame = frame.sort_values("nrr", ascending=False)
    best, worst = frame.index[0], frame.index[-1]
    b, w = frame.iloc[0], frame.iloc[-1]
    return Paragraph.of(
        Span(str(best), "strong"),
        f" retains best with NRR {fmt_percent(b['nrr'])} and GRR {fmt_percent(b['grr'])}; ",
        Span(str(worst), "strong"),
        f" trails at NRR {fmt_percent(w['nrr'])}, with {fmt_percent(w['logo_churn'])} logo churn "
        f"({fmt_plural(int(w['customers_start'] * w['logo_churn'] + 0.5), 'account')} lost).",
        definitions=("nrr", "grr", "logo_retention"),
    )


def _unrecorded_satisfaction(report: Report) -> list[str]:
    """The satisfaction measures the data never recorded (no table or column), in words."""
    ds = report.dataset
    return [words for words, missing in (
        ("no NPS survey (no nps table)", lacks(ds, "nps")),
        ("no CSAT ratings (no csat column in tickets)",
         not lacks(ds, "tickets") and lacks(ds, "tickets", "csat")),
        ("no effort scores (no ces column in tickets)",
         not lacks(ds, "tickets") and lacks(ds, "tickets", "ces")),
        ("no support tickets (no tickets table)", lacks(ds, "tickets")),
    ) if missing]


def satisfaction_summary(report: Report) -> Paragraph | Callout:
    """NPS with its margin and responses, CSAT and CES, against a year before.

    Measures the data never recorded (no ``nps`` table, no ``ces`` column in
    ``tickets``...) are named in a last sentence; the section's charts then
    leave them out.
    """
    ds = report.dataset
    unrecorded = _unrecorded_satisfaction(report)
    if lacks(ds, "nps") and (lacks(ds, "tickets") or (lacks(ds, "tickets", "csat")
                                                       and lacks(ds, "tickets", "ces"))):
        return Callout.of(
            f"The data has {' and '.join(unrecorded)}, so satisfaction cannot be shown."
        )
    now = headline_figures(report)
    _, year_p = compare_periods(report)
    year = headline_figures(report, year_p)
    parts = []
    if now["nps_responses"]:
        s = f"NPS was {fmt_score(now['nps'])}"
        if _ok(now["nps_margin"]):
            s += f" ± {fmt_score(now['nps_margin'])}"
        s += f" from {fmt_plural(int(now['nps_responses']), 'response')}"
        if year is not None and year["nps_responses"] >= MIN_RESPONSES:
            s += f" ({fmt_score(year['nps'])} in {year_p.label})"
        parts.append(s)
    if now["csat_responses"]:
        rated = fmt_plural(int(now["csat_responses"]), "rated ticket")
        parts.append(f"CSAT {fmt_percent(now['csat'])} from {rated}")
    if now["ces_responses"]:
        parts.append(f"CES {fmt_score(now['ces'])} on the 1-7 scale")
    missing = f" The data has {' and '.join(unrecorded)}." if unrecorded else ""
    if not parts:
        return Callout.of(
            f"No survey answers (NPS, CSAT, CES) in {report.period.label}.{missing}"
        )
    text = "; ".join(parts)
    if now["nps_responses"] and now["nps_responses"] < MIN_RESPONSES:
        text += f" (fewer than {MIN_RESPONSES} NPS responses: read with care)"
    return Paragraph.of(f"In {report.period.label}, {text}.{missing}",
                        definitions=recorded(ds, ("nps", "csat", "ces")))


def health_summary(report: Report) -> Paragraph | Callout:
    """How many accounts are in each health band, and the ARR in the red band."""
    health = health_frame(report)
    scored = health[health["health_score"].notna()]
    if scored.empty:
        return Callout.of("No account has data for any health measure.")
    counts = scored["health_band"].value_counts()
    mrr = risk_frame(report)["mrr"].reindex(scored.index).fillna(0.0)
    red = scored["health_band"] == "red"
    share = mrr[red].sum() / mrr.sum() if mrr.sum() else 0.0
    return Paragraph.of(
        f"On {fmt_day(report.as_of)}, {fmt_plural(int(counts.get('green', 0)), 'account')} "
        f"({fmt_percent(counts.get('green', 0) / len(scored))}) are green, "
        f"{int(counts.get('yellow', 0)):,} yellow and {int(counts.get('red', 0)):,} red; "
        f"red accounts hold {fmt_money(12 * mrr[red].sum(), compact=True)} ARR "
        f"({fmt_percent(share)} of the book).{_coverage_note(report, scored)}",
        definitions=("health_score",),
    )


def _coverage_note(report: Report, scored: pd.DataFrame) -> str:
    """A sentence when scores rest on part of the configured measures (missing data)."""
    coverage = float(scored["coverage"].mean())
    if coverage >= 0.999:
        return ""
    empty = [m.name.replace("_", " ") for m in report.health_config.measures
             if scored[f"score_{m.name}"].isna().all()]
    which = f"; no data at all for {', '.join(empty)}" if empty else ""
    return (f" Scores rest on {fmt_percent(coverage, digits=0)} of the configured weight on "
            f"average{which}.")


def risk_summary(report: Report) -> Paragraph | Callout:
    """What is at stake: red accounts and their ARR, and how common flags are.

    Flags alone do not rank risk (most paying accounts carry one in a typical
    book), so the sentence leads with the ARR of red accounts; the table
    (:func:`cslib.present.tables.top_risks`) ranks the accounts, and the
    renewals at risk are :func:`cslib.present.tables.renewals_ahead`'s (one
    definition, not a second one here).
    """
    flags = risk_frame(report)
    missing = [t for t in ("usage", "contacts", "activities") if not report.dataset.has(t)]
    if flags.empty:
        return Callout.of(f"No account was paying on {fmt_day(report.as_of)}.")
    risky = at_risk_frame(report)
    total_arr = 12 * flags["mrr"].sum()
    red = risky[risky["health_band"] == "red"]
    flagged = flags[flags["flags"] > 0]
    day = f"{fmt_day(report.as_of)}"

    def arr(frame: pd.DataFrame) -> str:
        money = 12 * frame["mrr"].sum()
        share = f", {fmt_percent(money / total_arr)} of ARR" if total_arr else ""
        return f"{fmt_money(money, compact=True)} ARR{share}"

    text = (f"On {day}, {fmt_plural(len(red), 'account')} of {len(flags):,} paying "
            f"{'is' if len(red) == 1 else 'are'} red ({arr(red)}).")
    if flags[list(RISK_FLAGS)].isna().all().all():
        return Paragraph.of(
            text + f" Risk flags need the usage, contacts and activities tables; the data lacks "
            f"{', '.join(missing)}, so no flag is evaluated.",
            definitions=("health_score",))
    counts = [
        f"{FLAG_LABELS[f].lower()} {int(flags[f].fillna(False).astype(bool).sum())}"
        for f in RISK_FLAGS
    ]
    note = (
        f" Flags that need the {', '.join(missing)} table{'s' if len(missing) > 1 else ''} "
        "are not evaluated: the data has none."
        if missing else ""
    )
    return Paragraph.of(
        text + f" {len(flagged):,} accounts carry at least one flag ({', '.join(counts)}): "
        "flags alone do not say what is at stake." + note,
        definitions=("risk_flags", "health_score"),
    )


# Customer QBR ------------------------------------------------------------
def _adoption(report: Report) -> pd.Series | None:
    a = adoption_frame(report)
    if a is None:
        return None
    return a.loc[report.account_id] if report.account_id in a.index else None


def qbr_summary(report: Report) -> Paragraph:
    """The customer's quarter in two sentences: adoption and health, then the renewal.

    When the data has no usage table at all, adoption is not mentioned (the
    Adoption section says why) rather than reported as missing for this customer.
    """
    name = report.subtitle
    parts: list[Span | str] = [f"In {report.period.label}, "]
    a = _adoption(report)
    no_usage = lacks(report.dataset, "usage")  # the data has none at all: not this account's
    if a is not None:
        parts.append(
            f"{fmt_count(a['active_users'])} of {fmt_count(a['licensed_seats'])} licensed seats "
            f"at {name} were active ({fmt_percent(a['seat_utilization'], digits=0)} utilization). "
        )
    elif not no_usage:
        parts.append(f"no usage data was recorded for {name}. ")
    health = health_frame(report)
    if report.shows_health and report.account_id in health.index \
            and _ok(health.loc[report.account_id, "health_score"]):
        h = health.loc[report.account_id]
        lead = "the account's" if no_usage else "The account's"
        parts.append(f"{lead} health score is {h['health_score']:.0f} ({h['health_band']}).")
    elif no_usage:
        parts = []
    renewal = report.dataset.accounts.iloc[0].get("renewal_date")
    if renewal is not None and not pd.isna(renewal):
        days = (pd.Timestamp(renewal) - report.as_of).days
        gap = " " if parts and not str(parts[-1]).endswith(" ") else ""
        parts.append(
            f"{gap}The subscription renews on {long_date(renewal)}"
            + (f", in {days} days." if days >= 0 else ".")
        )
    if not parts:
        parts = [f"No usage or health data for {name} in {report.period.label}."]
    keys = ("seat_utilization", "health_score") if report.shows_health else ("seat_utilization",)
    return Paragraph.of(*parts, definitions=recorded(report.dataset, keys))


def adoption_summary(report: Report) -> Paragraph | Callout | None:
    """Utilization, its 3-month change and the anonymized segment benchmark.

    In a QBR shared with the customer the benchmark does not say how many
    peers it is drawn from, and without any usage data the section is left
    out (``None``) rather than explained in terms of data tables.
    """
    if lacks(report.dataset, "usage"):
        if report.shared:
            return None
        return Callout.of(
            "The data has no usage table (active users, licensed seats), so adoption cannot "
            "be shown."
        )
    a = _adoption(report)
    if a is None:
        return Callout.of(f"No usage was recorded in {fmt_month(report.period.last_month)}.")
    text = (
        f"Seat utilization was {fmt_percent(a['seat_utilization'], digits=0)} in "
        f"{fmt_month(report.period.last_month)}"
    )
    change = a["active_users_change"]
    if _ok(change):
        if round(100 * change) == 0:
            text += ", with active users unchanged over three months"
        else:
            way = "up" if change > 0 else "down"
            text += (f", with active users {way} {fmt_percent(abs(change), digits=0)} over three "
                     "months")
    bench = report.benchmarks.get("seat_utilization_median")
    if _ok(bench):
        peers = ("" if report.shared else f"{report.benchmarks['accounts']} ")
        text += (
            f". Across {peers}other {report.benchmarks['segment']} "
            f"customers the median is about {fmt_percent(bench, digits=0)} (anonymized)"
        )
        return Paragraph.of(text + ".", definitions=("seat_utilization", "peer_benchmarks"))
    return Paragraph.of(text + ".", definitions=("seat_utilization",))


def support_summary(report: Report) -> Paragraph | Callout | None:
    """Tickets in the period and how they were rated (``None`` in a shared QBR without tickets)."""
    tickets = report.dataset.get("tickets")
    if tickets is None:
        if report.shared:
            return None
        return Callout.of("The data has no support tickets (no tickets table), so support "
                          "cannot be shown.")
    if tickets.empty:
        return Callout.of("You have not opened a support ticket with us yet." if report.shared
                          else "No support tickets are recorded for this account.")
    p = report.period
    volume, rated = support_figures(report, p)
    opened, closed = int(volume["opened"]), int(volume["closed"])
    if not opened and not closed:
        return Paragraph.of(f"No support tickets were opened or closed in {p.label}.")
    who = "Your team" if report.shared else report.subtitle
    text = (
        f"{who} opened {fmt_plural(opened, 'ticket')} and we closed "
        f"{closed:,} in {p.label}"
    )
    if rated["csat_responses"] == 1:
        rating = tickets.loc[closed_in(tickets, period=p), "csat"].dropna().iloc[0]
        verdict = "satisfied" if rating >= SATISFIED_MIN else "not satisfied"
        text += f"; the one rating was {verdict} ({rating:.0f} of 5)"
    elif rated["csat_responses"]:
        share = fmt_percent(rated["csat"], digits=0)
        text += (f"; {share} of {rated['csat_responses']} ratings were satisfied "
                 f"({SATISFIED_MIN}-5 of 5)")
    return Paragraph.of(text + ".", definitions=("csat",))

