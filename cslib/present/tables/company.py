"""The company's and a segment's tables: headline KPIs, segments, risks, expansions, accounts."""

from __future__ import annotations

import pandas as pd

from cslib.metrics.definitions import lacks, recorded
from cslib.metrics.risk import RISK_FLAGS, priority
from cslib.metrics.satisfaction import MIN_RESPONSES
from cslib.periods import Period
from cslib.present.blocks import Callout, Kpi, Kpis, Table
from cslib.present.figures import (
    compare_periods,
    headline_figures,
    health_frame,
    movements_frame,
    risk_frame,
)
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_day,
    fmt_money,
    fmt_month,
    fmt_percent,
    fmt_score,
    fmt_signed_percent,
    money_digits,
)
from cslib.present.report import Report
from cslib.present.tables._cells import (
    LEFT,
    RIGHT,
    flag_names,
    flag_reasons,
    health_cell,
    isnum,
    kpi,
    priority_rule,
    shown_note,
    weakest_measures,
)

__all__ = [
    "account_list",
    "at_risk_frame",
    "headline_kpis",
    "health_band_table",
    "new_customers",
    "segment_table",
    "top_expansions",
    "top_risks",
]


def _trailing(report: Report) -> Period | None:
    """The twelve months ending with the period's last month, for a quarter or a month."""
    if report.period.kind not in ("quarter", "month"):
        return None  # a year or a trailing twelve months is already annual
    return Period.parse(f"TTM{report.period.last_month:%Y-%m}")


def headline_kpis(report: Report) -> Kpis:
    """Headline KPIs of the period, each with its change named and the value it is against.

    ARR (12 x ending MRR): change vs the previous period, and growth year on
    year. NRR, GRR and logo churn: change in points vs the previous period,
    and the trailing twelve months ending with the period (boards judge
    retention annually). NPS and CSAT: change vs the previous period and the
    value a year before; a period with fewer than :data:`MIN_RESPONSES`
    answers is not compared.
    """
    now = headline_figures(report)
    prev_p, year_p = compare_periods(report)
    prev, year = headline_figures(report, prev_p), headline_figures(report, year_p)
    ttm_p = _trailing(report)
    ttm = headline_figures(report, ttm_p) if ttm_p is not None else None

    def get(s: pd.Series | None, key: str, scale: float = 1.0) -> float | None:
        if s is None or not isnum(s[key]):
            return None
        responses = {"nps": "nps_responses", "csat": "csat_responses"}.get(key)
        if responses and s[responses] < MIN_RESPONSES:
            return None  # too few answers to compare (e.g. a survey every other quarter)
        return float(s[key]) * scale

    ylab, plab = year_p.label, prev_p.label
    arr_now, arr_prev = get(now, "ending_mrr", 12), get(prev, "ending_mrr", 12)
    arr_year = get(year, "ending_mrr", 12)
    digits = money_digits(arr_now, arr_prev)  # "$1.26M vs $1.32M", never "$1.3M vs $1.3M"

    def money(value: float | None) -> str:
        return fmt_money(value, compact=True, digits=digits)

    growth = (f"{fmt_signed_percent(arr_now / arr_year - 1)} year on year "
              f"({money(arr_year)} in {ylab})"
              if isnum(arr_now) and isnum(arr_year) and arr_year else "")

    def retention(label: str, key: str, *, higher_is_better: bool = True) -> Kpi:
        annual = get(ttm, key)
        note = (f"12 months to {fmt_month(report.period.last_month)}: {fmt_percent(annual)}"
                if isnum(annual) else None)
        return kpi(label, get(now, key), get(prev, key), get(year, key), fmt_percent,
                   higher_is_better=higher_is_better, year_label=ylab, prev_label=plab,
                   note=note)

    items = (
        kpi("ARR", arr_now, arr_prev, arr_year, money, change="percent",
            year_label=ylab, prev_label=plab, note=growth or None),
        retention("NRR", "nrr"),
        retention("GRR", "grr"),
        retention("Logo churn", "logo_churn", higher_is_better=False),
        kpi("NPS", get(now, "nps"), get(prev, "nps"), get(year, "nps"), fmt_score,
            change="score", year_label=ylab, prev_label=plab),
        kpi("CSAT", get(now, "csat"), get(prev, "csat"), get(year, "csat"), fmt_percent,
            year_label=ylab, prev_label=plab),
    )
    ds = report.dataset
    unrecorded = {"NPS": lacks(ds, "nps"), "CSAT": lacks(ds, "tickets", "csat")}
    items = tuple(Kpi(k.label, DASH, note="not recorded in the data") if unrecorded.get(k.label)
                  else k for k in items)
    return Kpis(
        f"Headline figures, {report.period.label}",
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


def at_risk_frame(report: Report) -> pd.DataFrame:
    """Accounts that need attention: a risk flag set or red health, most urgent first.

    :func:`cslib.metrics.risk.priority` ranks them (ARR at stake, health band,
    days to renewal, flags); ties by ARR, then name. Adds ``health_score``,
    ``health_band``, ``priority`` and ``reasons`` (the flags and a red band in
    plain words) to :func:`risk_frame`'s columns.
    """
    def compute() -> pd.DataFrame:
        flags = risk_frame(report)
        health = health_frame(report).reindex(flags.index)
        out = flags.assign(health_score=health["health_score"],
                           health_band=health["health_band"])
        out["priority"] = priority(out, out["health_band"], settings=report.risk_settings)
        red = out["health_band"] == "red"
        out = out[(out["flags"] > 0) | red]
        reasons = []
        for aid, r in out.iterrows():
            words = list(flag_reasons(r, report.risk_settings).values())
            if r["health_band"] == "red" and not words:  # red without a flag: say why red
                words = ["red: " + ", ".join(weakest_measures(health.loc[aid],
                                                              report.health_config.measures))]
            reasons.append("; ".join(words))
        out = out.assign(reasons=reasons, _arr=out["mrr"])
        return out.sort_values(["priority", "_arr", "name"], ascending=[False, False, True]) \
            .drop(columns="_arr")

    return report.memo("at_risk", compute)


def top_risks(report: Report, *, n: int = 10) -> Table | Callout | None:
    """The accounts that most need attention, each with why in plain words, at most ``n``.

    Every account with a risk flag or red health, ranked by priority
    (:func:`at_risk_frame`): ARR at stake x (1 + flags) x band weight x
    renewal urgency. ``None`` (nothing displayed) when neither a flag nor a
    health score can be evaluated: the section's summary
    (:func:`cslib.present.narrative.risk_summary`) already says so.
    """
    flags = risk_frame(report)
    if flags.empty:
        return Callout.of(f"No account was paying on {fmt_day(report.as_of)}.")
    risky = at_risk_frame(report)
    if flags[list(RISK_FLAGS)].isna().all().all() and risky.empty:
        return None
    if risky.empty:
        return Callout.of(f"No account is red or carries a risk flag on "
                          f"{fmt_day(report.as_of)}.")
    rows = []
    for _, r in risky.head(n).iterrows():
        days = r["days_to_renewal"]
        renewal = f"{fmt_day(r['renewal_date'])}" if isnum(days) and days >= 0 else DASH
        rows.append(
            (
                str(r["name"]),
                str(r["segment"]),
                fmt_money(12 * r["mrr"], compact=True),
                health_cell(r["health_score"], r["health_band"]),
                renewal,
                r["reasons"],
            )
        )
    at_stake = 12 * risky["mrr"].sum()
    return Table(
        f"Accounts that need attention on {fmt_day(report.as_of)}",
        ("Account", "Segment", "ARR", "Health", "Renewal", "Why"),
        tuple(rows),
        align=(LEFT, LEFT, RIGHT, LEFT, LEFT, LEFT),
        caption=(
            f"{len(risky)} accounts are red or carry a risk flag, "
            f"{fmt_money(at_stake, compact=True)} ARR in all; ranked by "
            + priority_rule(report.risk_settings)
            + shown_note(len(risky), n).replace("largest", "most urgent")
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
                fmt_signed_percent(r['ending_mrr'] / r['starting_mrr'] - 1.0),
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
                f"{fmt_day(pd.Timestamp(renewal))}" if renewal is not None and
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
    rows.append(("Total", fmt_count(len(scored)), fmt_percent(1.0),
                 fmt_money(12 * mrr.sum(), compact=True), fmt_percent(1.0)))
    return Table(
        f"Health bands on {fmt_day(report.as_of)}",
        ("Band", "Accounts", "Share", "ARR", "Share of ARR"),
        tuple(rows),
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT),
        total=True,
        definitions=("health_score",),
    )
