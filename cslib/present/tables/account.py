"""Internal tables about accounts: risk signals in plain words, what customers said.

These never go into a document shared with a customer: each returns ``None``
(nothing displayed, its section left out) in a report whose audience is the
customer.
"""

from __future__ import annotations

import pandas as pd

from cslib.metrics.risk import RISK_FLAGS
from cslib.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN
from cslib.metrics.support import ticket_themes as themes_of
from cslib.present.blocks import Paragraph, Table
from cslib.present.figures import health_frame, risk_frame
from cslib.present.formats import DASH, fmt_count, fmt_day, fmt_percent, fmt_plural, fmt_score
from cslib.present.report import Report
from cslib.present.tables._cells import FLAG_LABELS, LEFT, RIGHT, flag_reasons

__all__ = ["account_flags", "customer_comments", "nps_comments", "ticket_themes"]


def account_flags(report: Report) -> Table | Paragraph | None:
    """The customer's risk signals, each in plain words: the flags set and a red health band.

    ``Renewal at risk | renews in 41 days; no executive contact for 63 days``.
    ``None`` in a QBR shared with the customer.
    """
    if report.shared:
        return None
    from cslib.present.tables.customer import _one

    aid = _one(report, "account_flags")
    rows: list[tuple[str, str]] = []
    h = health_frame(report)
    if aid in h.index and h.loc[aid, "health_band"] == "red":
        rows.append(("Health red", f"score {fmt_score(h.loc[aid, 'health_score'], digits=0)} "
                                   "of 100"))
    flags = risk_frame(report)
    day = f"{fmt_day(report.as_of)}"
    if aid not in flags.index:
        return Paragraph.of(f"The account was not paying on {day}: no risk flags.")
    words = flag_reasons(flags.loc[aid], report.risk_settings)
    rows += [(FLAG_LABELS[f], w) for f, w in words.items()]
    if flags.loc[aid, list(RISK_FLAGS)].isna().all():
        rows.append(("Risk flags", "could not be evaluated: the data has no usage, contacts or "
                                   "activities"))
    if not rows:
        return Paragraph.of(f"No risk signal on {day}: no flag set and health is not red.")
    return Table(
        f"Risk signals on {day}",
        ("Signal", "In plain words"),
        tuple(rows),
        align=(LEFT, LEFT),
        definitions=("risk_flags",),
    )


def nps_comments(report: Report) -> pd.DataFrame | None:
    """NPS answers with a comment in the 12 months to the snapshot, latest first."""
    nps = report.dataset.get("nps")
    if nps is None or "comment" not in nps or nps.empty:
        return None
    day = report.as_of
    said = nps[(nps["responded_on"] <= day) & (nps["responded_on"] > day - pd.DateOffset(years=1))]
    text = said["comment"].astype("string").str.strip()
    said = said.assign(comment=text)[text.notna() & (text != "")]
    return said.sort_values(["responded_on", "response_id"], ascending=[False, True])


def customer_comments(report: Report, *, limit: int = 6) -> Table | Paragraph | None:
    """What customers said in NPS answers over the last 12 months, verbatim (internal).

    One customer: its comments, latest first. A segment or the company: the
    latest ``limit // 2`` comments of promoters (9-10) and of detractors (0-6),
    with the account's name, then the comments given most often (themes) with
    how many answers gave them. ``None`` in a QBR shared with the customer or
    when the data records no NPS comments.
    """
    if report.shared:
        return None
    said = nps_comments(report)
    if said is None:
        return None
    if said.empty:
        return Paragraph.of("No NPS answer with a comment in the last 12 months.")
    names = report.dataset.accounts.set_index(
        report.dataset.accounts["account_id"].astype(str))["name"]
    one = report.kind == "customer"
    if one:
        picked = said.head(limit)
    else:
        half = max(limit // 2, 1)
        picked = pd.concat([said[said["score"] >= PROMOTER_MIN].head(half),
                            said[said["score"] <= DETRACTOR_MAX].head(half)])
    rows = []
    for _, r in picked.iterrows():
        who = () if one else (str(names.get(str(r["account_id"]), r["account_id"])),)
        rows.append((f"{fmt_day(r['responded_on'])}", *who, f"{int(r['score'])}",
                     f"“{r['comment']}”"))
    columns = ("Date", *(() if one else ("Account",)), "Score", "Comment")
    caption = ("Verbatim, latest first; score = the answer to 'How likely are you to recommend "
               "us?' (0-10)." if one else
               "Verbatim: the latest promoters' (9-10) and detractors' (0-6) comments; score = "
               "the answer to 'How likely are you to recommend us?' (0-10).")
    if not one:
        keyed = said.assign(key=said["comment"].str.casefold().str.rstrip(".!"))
        shown = keyed.drop_duplicates("key").set_index("key")["comment"]
        for who, part in (("promoters", keyed[keyed["score"] >= PROMOTER_MIN]),
                          ("detractors", keyed[keyed["score"] <= DETRACTOR_MAX])):
            counts = part["key"].value_counts()
            common = counts[counts >= 2].head(2)
            if len(common):
                caption += f" Said most often by {who}: " + "; ".join(
                    f"“{shown[k]}” ({fmt_plural(int(c), 'answer')})"
                    for k, c in common.items()) + "."
    return Table(
        f"What customers said, 12 months to {fmt_day(report.as_of)}" if not one else
        f"What they said, 12 months to {fmt_day(report.as_of)}",
        columns,
        tuple(rows),
        align=(LEFT, *((LEFT,) if not one else ()), RIGHT, LEFT),
        caption=caption,
        definitions=("nps",),
    )


def ticket_themes(report: Report, *, n: int = 6) -> Table | None:
    """What the period's support tickets were about: themes, against the period before (internal).

    Tickets opened by category, with the category's share and CSAT.

    ``None`` in a QBR shared with the customer, or when the data records no
    ticket categories (``tickets.category``).
    """
    tickets = report.dataset.get("tickets")
    if report.shared or tickets is None or "category" not in tickets or tickets.empty:
        return None
    p, prev = report.period, report.period.shift(-1)
    now, before = themes_of(tickets, period=p), themes_of(tickets, period=prev)
    if now.empty:
        return None
    rows = []
    for category, r in now.head(n).iterrows():
        was = int(before["opened"].get(category, 0))
        rows.append((str(category), fmt_count(r["opened"]), fmt_percent(r["share"], digits=0),
                     fmt_count(was),
                     f"{fmt_percent(r['csat'], digits=0)} of {int(r['csat_responses'])}"
                     if r["csat_responses"] else DASH))
    rest = len(now) - n
    return Table(
        f"Support tickets by theme, {p.label}",
        ("Theme", f"Opened in {p.label}", "Share", f"In {prev.label}", "Satisfied"),
        tuple(rows),
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT),
        caption=f"Tickets opened in the period by category ({fmt_count(now['opened'].sum())} in "
                "all), most common first; satisfied = 4-5 of 5 among the rated ones"
                + (f"; {fmt_plural(rest, 'smaller theme')} not shown." if rest > 0 else "."),
        definitions=("csat",),
    )

