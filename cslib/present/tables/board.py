"""What a board and a segment lead ask beyond the headline: renewals ahead, outcomes, losses.

- :func:`renewals_ahead`: the renewals due next quarter and the one after,
  split into likely and at risk;
- :func:`customer_outcomes`: what CS success is measured by besides revenue:
  the renewal rate (logo and revenue), goals achieved, advocacy;
- :func:`losses`: every churned and contracted customer of the period by
  name, with what preceded the loss (internal documents only).
"""

from __future__ import annotations

import pandas as pd

from cslib.metrics.definitions import recorded
from cslib.metrics.health import account_measures, health_scores
from cslib.metrics.outcomes import advocacy_summary, goal_summary, renewal_rate
from cslib.metrics.relationships import relationship_summary
from cslib.metrics.risk import paying_accounts, risk_flags
from cslib.periods import Period
from cslib.present.blocks import Callout, Kpi, Kpis, Table
from cslib.present.figures import health_frame, movements_frame, risk_frame
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_day,
    fmt_money,
    fmt_percent,
    fmt_period,
    fmt_plural,
    fmt_score,
)
from cslib.present.report import Report
from cslib.present.tables._cells import LEFT, RIGHT, flag_reasons, isnum, kpi, shown_note

__all__ = ["AT_RISK_FLAGS", "customer_outcomes", "losses", "outlook_kpis", "renewals_ahead"]

#: Flags that put a renewal at risk (with red health); single-threaded and "build a
#: champion" describe the relationship, not the renewal, and are too common to split on.
AT_RISK_FLAGS = ("renewal_at_risk", "emergency")


def _next_quarters(report: Report, n: int = 2) -> list[Period]:
    """The ``n`` quarters after the period (fiscal quarters for a quarterly report)."""
    p = report.period
    if p.kind == "quarter":
        return [p.shift(k) for k in range(1, n + 1)]
    first = p.last_month + 1
    start = Period.parse(f"{first.year}Q{first.quarter}")
    quarters = [start.shift(k) for k in range(n + 1)]
    return [q for q in quarters if q.first_month >= first][:n]


def _renewal_split(report: Report) -> list[tuple[Period, list[float]]] | None:
    """Per quarter ahead: accounts, ARR, likely accounts and ARR, at-risk accounts and ARR."""
    if "renewal_date" not in report.dataset.accounts:
        return None

    def compute() -> list[tuple[Period, list[float]]]:
        flags = risk_frame(report)
        bands = health_frame(report)["health_band"].reindex(flags.index)
        flag = flags[list(AT_RISK_FLAGS)].fillna(False).astype(bool)
        # red, or an emergency, or a renewal-at-risk flag on an account that is not green
        # (a green account renewing without a recent executive call is a call to make, not a
        # renewal at risk)
        risky = (bands == "red") | flag["emergency"] | (flag["renewal_at_risk"]
                                                         & (bands != "green"))
        arr = 12 * flags["mrr"]
        out = []
        for q in _next_quarters(report):
            inside = flags["renewal_date"].between(q.first_day, q.last_day)
            at_risk, likely = inside & risky, inside & ~risky
            out.append((q, [int(inside.sum()), float(arr[inside].sum()), int(likely.sum()),
                            float(arr[likely].sum()), int(at_risk.sum()),
                            float(arr[at_risk].sum())]))
        return out

    return report.memo("renewal_split", compute)


def renewals_ahead(report: Report) -> Table | Callout:
    """Renewals due next quarter and the one after: count and ARR, likely and at risk.

    Accounts paying on the snapshot day whose ``renewal_date`` falls in each
    quarter. *At risk*: red health, an emergency flag, or a renewal-at-risk
    flag on an account that is not green (:data:`AT_RISK_FLAGS`); *likely*:
    the others. ARR is 12 x the account's MRR
    on the snapshot day.
    """
    split = _renewal_split(report)
    if split is None:
        return Callout.of("The data records no renewal dates (accounts.renewal_date), so "
                          "renewals ahead cannot be shown.")
    rows = [_renewal_row(fmt_period(q), v) for q, v in split]
    totals = [sum(v[i] for _, v in split) for i in range(6)]
    rows.append(_renewal_row("Both quarters", totals))
    return Table(
        f"Renewals ahead, from {fmt_day(report.as_of)}",
        ("Renewing in", "Accounts", "ARR", "Likely", "Likely ARR", "At risk", "At-risk ARR"),
        tuple(rows),
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT),
        total=True,
        caption="Accounts paying on the snapshot day, by renewal date; ARR on that day. At "
                "risk: red health; or active users down sharply without a user contact; or "
                f"yellow health, renewing within {report.risk_settings.renewal_window_days} "
                "days without a recent executive contact. Likely: the others.",
        definitions=("health_score", "risk_flags"),
    )


def _renewal_row(label: str, v: list[float]) -> tuple[str, ...]:
    return (label, fmt_count(v[0]), fmt_money(v[1], compact=True), fmt_count(v[2]),
            fmt_money(v[3], compact=True), fmt_count(v[4]), fmt_money(v[5], compact=True))


def _outcomes(report: Report, p: Period) -> dict[str, float]:
    """The period's renewal rate, goals and advocacy figures (absent keys: not recorded)."""

    def compute() -> dict[str, float]:
        ds = report.dataset
        out: dict[str, float] = {}
        if "renewal_date" in ds.accounts:
            r = renewal_rate(ds.accounts, ds.mrr, period=p).iloc[0]
            out.update(due=int(r["renewals_due"]), renewed=int(r["renewed"]),
                       logo=r["logo_renewal_rate"], revenue=r["revenue_renewal_rate"])
        goals = ds.get("goals")
        if goals is not None:
            g = goal_summary(goals, period=p)
            if len(g):
                out.update(goals_due=int(g.iloc[0]["goals_due"]),
                           goals_achieved=int(g.iloc[0]["goals_achieved"]))
        advocacy = ds.get("advocacy")
        if advocacy is not None:
            paying = paying_accounts(ds.mrr, month=p.last_month).index
            a = advocacy_summary(advocacy, account_ids=paying, as_of=p.last_day).iloc[0]
            out.update({k: a[k] for k in ("advocates", "advocate_share", "referral",
                                          "reference_call", "case_study", "review")})
        return out

    return report.memo(f"outcomes:{p.label}", compute)


def customer_outcomes(report: Report) -> Table | None:
    """What CS success is measured by, this period and the one before.

    The renewal rate (logo and revenue: renewals due in the period that renewed,
    Gainsight's "renewals due"), success-plan goals achieved of those due, and
    advocacy over the trailing twelve months (accounts with a referral,
    reference call, case study or review, and the events by kind). Rows whose
    data the dataset lacks are left out; ``None`` when none is recorded.
    """
    ds = report.dataset
    periods = [report.period.shift(-1), report.period]
    cols: list[dict[str, str]] = []
    for p in periods:
        o = _outcomes(report, p)
        col: dict[str, str] = {}
        if "due" in o:
            due = int(o["due"])
            col["Renewals due"] = fmt_count(due)
            col["Logo renewal rate"] = (f"{fmt_percent(o['logo'])} ({int(o['renewed'])} of "
                                        f"{due})" if due else DASH)
            col["Revenue renewal rate"] = fmt_percent(o["revenue"]) if due else DASH
        if "goals_due" in o:
            col["Goals achieved"] = (f"{int(o['goals_achieved'])} of "
                                     f"{fmt_plural(int(o['goals_due']), 'goal')} due"
                                     if o["goals_due"] else DASH)
        if "advocates" in o:
            col["Advocates, 12 months"] = (f"{int(o['advocates'])} accounts "
                                           f"({fmt_percent(o['advocate_share'])})")
            col["Referrals · references"] = f"{int(o['referral'])} · {int(o['reference_call'])}"
            col["Case studies · reviews"] = f"{int(o['case_study'])} · {int(o['review'])}"
        cols.append(col)
    labels = list(cols[-1])
    if not labels:
        return None
    return Table(
        f"Customer outcomes, {periods[0].label} and {periods[1].label}",
        ("", periods[0].label, periods[1].label),
        tuple((k, cols[0].get(k, DASH), cols[1].get(k, DASH)) for k in labels),
        align=(LEFT, RIGHT, RIGHT),
        caption="Renewal rate: renewals due in the period that renewed (revenue: weighted by "
                "MRR before the renewal). Advocacy over the twelve months to the period's end.",
        definitions=tuple(k for k, have in (("renewal_rate", "renewal_date" in ds.accounts),
                                            ("goals", ds.get("goals") is not None),
                                            ("advocacy", ds.get("advocacy") is not None))
                          if have),
    )


def outlook_kpis(report: Report) -> Kpis:
    """The dashboard's second row: renewals ahead, red accounts, renewal rate, goals, advocacy."""
    items: list[Kpi] = []
    split = _renewal_split(report) or []
    for q, v in split:
        items.append(Kpi(f"Renewing in {q.label}", fmt_money(v[1], compact=True),
                         note=f"{fmt_plural(int(v[0]), 'account')}; "
                              f"{fmt_money(v[5], compact=True)} at risk"))
    flags = risk_frame(report)
    bands = health_frame(report)["health_band"].reindex(flags.index)
    red = flags[bands == "red"]
    total = 12 * flags["mrr"].sum()
    if bands.notna().any():
        share = f" ({fmt_percent(12 * red['mrr'].sum() / total)} of ARR)" if total else ""
        items.append(Kpi("Red accounts", fmt_count(len(red)),
                         note=f"{fmt_money(12 * red['mrr'].sum(), compact=True)} ARR{share}"))
    now, prev = _outcomes(report, report.period), _outcomes(report, report.period.shift(-1))
    plab = report.period.shift(-1).label
    if now.get("due"):
        items.append(kpi("Logo renewal rate", now["logo"], prev.get("logo"), None, fmt_percent,
                         prev_label=plab,
                         note=f"{int(now['renewed'])} of {int(now['due'])} renewals; revenue "
                              f"{fmt_percent(now['revenue'])}"))
    if now.get("goals_due"):
        rate = now["goals_achieved"] / now["goals_due"]
        before = (prev["goals_achieved"] / prev["goals_due"]) if prev.get("goals_due") else None
        items.append(kpi("Goals achieved", rate, before, None,
                         lambda v: fmt_percent(v, digits=0), prev_label=plab,
                         note=f"{int(now['goals_achieved'])} of {int(now['goals_due'])} due"))
    if "advocates" in now:
        items.append(Kpi("Advocates, 12 months", fmt_count(now["advocates"]),
                         note=f"{int(now['referral'])} referrals, "
                              f"{int(now['reference_call'])} reference calls"))
    return Kpis(
        f"Renewals, risk and outcomes, {report.period.label}",
        tuple(items),
        definitions=recorded(report.dataset, ("health_score", "renewal_rate", "goals",
                                              "advocacy")),
    )


def _before(report: Report) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Health and risk flags of every account on the day before the period began."""
    day = report.period.first_day - pd.Timedelta(days=1)

    def compute() -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
        measures = account_measures(report.dataset, as_of=day)
        health = measures.join(health_scores(measures, config=report.health_config))
        return health, risk_flags(report.dataset, as_of=day, settings=report.risk_settings), day

    return report.memo("before", compute)


def losses(report: Report, *, n: int = 15) -> Table | Callout | None:
    """Churned and contracted customers of the period by name, with what preceded the loss.

    ARR lost (12 x churned plus contraction MRR over the period), and before
    the loss: the health score and band and the flags in plain words on the
    day before the period began, the account's NPS over the twelve months to
    that day, and its last executive contact up to the period's end. Largest
    loss first, at most ``n``. Internal: ``None`` in a report shared with a
    customer.
    """
    if report.shared:
        return None
    moves = movements_frame(report)
    lost = moves.assign(lost=moves["churned_mrr"] + moves["contraction_mrr"])
    lost = lost[lost["lost"] > 0].sort_values(["lost", "name"], ascending=[False, True])
    if lost.empty:
        return Callout.of(f"No customer churned or contracted in {report.period.label}.")
    health, flags, day = _before(report)
    ids = pd.Index(lost["account_id"].astype(str))
    rel = relationship_summary(report.dataset.get("contacts"), report.dataset.get("activities"),
                               account_ids=ids, as_of=report.period.last_day)
    rows = []
    for _, r in lost.head(n).iterrows():
        aid = str(r["account_id"])
        kind = "churned" if r["churned_mrr"] > 0 and r["ending_mrr"] == 0 else "contracted"
        band, score = health["health_band"].get(aid), health["health_score"].get(aid)
        before = [f"health {fmt_score(score, digits=0)} {band}"
                  if isnum(score) and isinstance(band, str) else "no health score"]
        nps = health["nps"].get(aid) if "nps" in health else None
        if isnum(nps):
            before.append(f"NPS {fmt_score(nps, digits=0)}")
        if aid in flags.index:
            before += list(flag_reasons(flags.loc[aid], report.risk_settings).values())
        days = rel["days_since_executive_contact"].get(aid) if aid in rel.index else None
        if isnum(days):
            last = report.period.last_day - pd.Timedelta(days=float(days))
            before.append(f"last executive contact {fmt_day(last)}")
        elif not any("no executive contact recorded" in b for b in before):  # a flag said it
            before.append("no executive contact recorded")
        rows.append((str(r["name"]), str(r["segment"]), fmt_money(12 * r["lost"], compact=True),
                     kind, "; ".join(before)))
    total = 12 * lost["lost"].sum()
    flagged = int((flags["flags"].reindex(ids).fillna(0) > 0).sum())
    red = int((health["health_band"].reindex(ids) == "red").sum())
    return Table(
        f"Losses in {report.period.label}, by ARR lost",
        ("Account", "Segment", "ARR lost", "Loss", "Before the loss"),
        tuple(rows),
        align=(LEFT, LEFT, RIGHT, LEFT, LEFT),
        caption=(f"{fmt_plural(len(lost), 'account')} lost {fmt_money(total, compact=True)} ARR "
                 f"in all; on {fmt_day(day)}, {red} of them were red and {flagged} carried a "
                 f"flag. Before the loss: health and flags on {fmt_day(day)}, NPS over the 12 "
                 f"months to that day, the last executive contact up to "
                 f"{fmt_day(report.period.last_day)}"
                 + shown_note(len(lost), n)),
        definitions=("arr_bridge", "health_score", "risk_flags", "nps"),
    )
