"""The company's and a segment's tables: headline KPIs, segments, risks, expansions, accounts."""

from __future__ import annotations

import pandas as pd

from cslib.metrics.definitions import lacks, recorded
from cslib.metrics.risk import RISK_FLAGS
from cslib.metrics.satisfaction import MIN_RESPONSES
from cslib.present.blocks import Callout, Kpi, Kpis, Table
from cslib.present.figures import (
    compare_periods,
    headline_figures,
    health_frame,
    movements_frame,
    risk_frame,
)
from cslib.present.formats import DASH, fmt_count, fmt_money, fmt_percent, fmt_score
from cslib.present.report import Report
from cslib.present.tables._cells import (
    LEFT,
    RIGHT,
    flag_names,
    isnum,
    kpi,
    shown_note,
)

__all__ = [
    "account_list",
    "headline_kpis",
    "health_band_table",
    "new_customers",
    "segment_table",
    "top_expansions",
    "top_risks",
]


def headline_kpis(report: Report) -> Kpis:
    """Headline KPIs of the period against the previous period and a year before.

    ARR (12 x ending MRR, change in %), NRR, GRR and logo churn (change in
    points), NPS (change in points) and CSAT. NPS and CSAT of a period with
    fewer than :data:`MIN_RESPONSES` answers are not compared.
    """
    now = headline_figures(report)
    prev_p, year_p = compare_periods(report)
    prev, year = headline_figures(report, prev_p), headline_figures(report, year_p)

    def get(s: pd.Series | None, key: str, scale: float = 1.0) -> float | None:
        if s is None or not isnum(s[key]):
            return None
        responses = {"nps": "nps_responses", "csat": "csat_responses"}.get(key)
        if responses and s[responses] < MIN_RESPONSES:
            return None  # too few answers to compare (e.g. a survey every other quarter)
        return float(s[key]) * scale

    ylab = year_p.label
    items = (
        kpi(
            "ARR",
            get(now, "ending_mrr", 12),
            get(prev, "ending_mrr", 12),
            get(year, "ending_mrr", 12),
            lambda v: fmt_money(v, compact=True),
            change="percent",
            year_label=ylab,
        ),
        kpi("NRR", get(now, "nrr"), get(prev, "nrr"), get(year, "nrr"), fmt_percent,
             year_label=ylab),
        kpi("GRR", get(now, "grr"), get(prev, "grr"), get(year, "grr"), fmt_percent,
             year_label=ylab),
        kpi("Logo churn", get(now, "logo_churn"), get(prev, "logo_churn"),
             get(year, "logo_churn"), fmt_percent, higher_is_better=False, year_label=ylab),
        kpi("NPS", get(now, "nps"), get(prev, "nps"), get(year, "nps"), fmt_score,
             change="score", year_label=ylab),
        kpi("CSAT", get(now, "csat"), get(prev, "csat"), get(year, "csat"), fmt_percent,
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
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, *(RIGHT for k in keep if k)),
        total=True,
        caption=caption,
        definitions=recorded(ds, ("arr", "nrr", "grr", "logo_retention", "nps", "csat")),
    )


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
        renewal = f"{r['renewal_date']:%Y-%m-%d} ({int(days)} d)" if isnum(days) else DASH
        score = health["health_score"].get(account_id)
        rows.append(
            (
                str(r["name"]),
                str(r["segment"]),
                fmt_money(12 * r["mrr"], compact=True),
                renewal,
                fmt_score(score, digits=0) if isnum(score) else DASH,
                flag_names(r),
            )
        )
    at_stake = 12 * flagged["mrr"].sum()
    return Table(
        f"Top risks on {report.as_of:%Y-%m-%d}, by ARR",
        ("Account", "Segment", "ARR", "Renewal", "Health", "Flags"),
        tuple(rows),
        align=(LEFT, LEFT, RIGHT, LEFT, RIGHT, LEFT),
        caption=(
            f"{len(flagged)} flagged accounts, {fmt_money(at_stake, compact=True)} ARR in all"
            + shown_note(len(flagged), n)
        ),
        definitions=("risk_flags", "health_score", "arr"),
    )


def top_expansions(report: Report, *, n: int = 10) -> Table | Callout:
    """Customers of the period's start with the most expansion ARR in the period, at most ``n``.

    An account that was not paying at the start of the period is new business
    (or a reactivation), not expansion, even when it grew after its first
    month: "$0 -> $1.0M" is listed by :func:`new_customers`, not here.
    """
    moves = movements_frame(report)
    moves = moves[(moves["expansion_mrr"] > 0) & (moves["starting_mrr"] > 0)]
    if moves.empty:
        return Callout.of(f"No customer of the start of {report.period.label} expanded in it.")
    moves = moves.sort_values(["expansion_mrr", "name"], ascending=[False, True])
    rows = []
    for _, r in moves.head(n).iterrows():
        rows.append(
            (
                r["name"],
                r["segment"],
                fmt_money(12 * r["starting_mrr"], compact=True),
                "+" + fmt_money(12 * r["expansion_mrr"], compact=True),
                fmt_money(12 * r["ending_mrr"], compact=True),
                f"{100 * (r['ending_mrr'] / r['starting_mrr'] - 1.0):+.1f}%",
            )
        )
    total = 12 * moves["expansion_mrr"].sum()
    return Table(
        f"Top expansions, {report.period.label}",
        ("Account", "Segment", "Starting ARR", "Expansion", "Ending ARR", "Change"),
        tuple(rows),
        align=(LEFT, LEFT, RIGHT, RIGHT, RIGHT, RIGHT),
        caption=(
            f"{len(moves)} customers expanded, {fmt_money(total, compact=True)} ARR in all"
            + shown_note(len(moves), n) + " New customers are not counted here (see New customers)."
        ),
        definitions=("expansion", "arr"),
    )


def new_customers(report: Report, *, n: int = 10) -> Table | Callout:
    """Accounts that paid for the first time in the period (new business), largest first.

    New ARR is 12 x the MRR of their first month (ChartMogul's *new*); growth
    after that month in the period shows in their ending ARR.
    """
    moves = movements_frame(report)
    moves = moves[(moves["new_mrr"] > 0) & (moves["starting_mrr"] == 0)]
    if moves.empty:
        return Callout.of(f"No new customers in {report.period.label}.")
    moves = moves.sort_values(["ending_mrr", "name"], ascending=[False, True])
    rows = tuple(
        (r["name"], r["segment"], fmt_money(12 * r["new_mrr"], compact=True),
         fmt_money(12 * r["ending_mrr"], compact=True))
        for _, r in moves.head(n).iterrows()
    )
    total = 12 * moves["new_mrr"].sum()
    return Table(
        f"New customers, {report.period.label}",
        ("Account", "Segment", "New ARR", "Ending ARR"),
        rows,
        align=(LEFT, LEFT, RIGHT, RIGHT),
        caption=(
            f"{len(moves)} new customers, {fmt_money(total, compact=True)} of new ARR in all"
            + shown_note(len(moves), n)
        ),
        definitions=("arr_bridge", "arr"),
    )


def account_list(report: Report, *, n: int | None = 25) -> Table | Callout:
    """Accounts ranked by ARR: change in the period, health, renewal and flags.

    The Flags column is left out when no risk flag can be evaluated (the data
    lacks the usage, contacts and activities tables they need).
    """
    moves = movements_frame(report)
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
                f"{score:.0f} ({band})" if isnum(score) else DASH,
                f"{pd.Timestamp(renewal):%Y-%m-%d}" if renewal is not None and
                not pd.isna(renewal) else DASH,
                flag_names(flags.loc[aid]) if aid in flags.index else DASH,
            )[: 7 if assessed else 6]
        )
    return Table(
        f"Accounts by ARR, end of {report.period.label}",
        ("#", "Account", "ARR", "Change", "Health", "Renewal", "Flags")[: 7 if assessed else 6],
        tuple(rows),
        align=(RIGHT, LEFT, RIGHT, RIGHT, RIGHT, LEFT, LEFT)[: 7 if assessed else 6],
        caption=(
            f"{len(moves)} paying accounts"
            + shown_note(len(moves), n)
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
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT),
        total=True,
        definitions=("health_score",),
    )
