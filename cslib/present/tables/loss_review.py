"""The loss review's tables: every loss of the period, the signals before it, the lesson.

- :func:`loss_table`: each churned or contracted account with ARR lost, tenure,
  segment and CSM, the recorded reason, and whether it was seen coming (red or
  flagged 90 days before the period's end); the losses nobody saw coming first;
- :func:`loss_signals`: for each loss, its health band and flags month by month
  over the six months before, its last contacts, NPS and CSAT, goals missed and
  ticket volume;
- :func:`early_warning_table`: recall and precision of the warning.

Internal documents only. Figures from :mod:`cslib.metrics.losses`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cslib.metrics.losses import (
    WARNING_DAYS,
    churn_notices,
    early_warning,
    period_losses,
    signal_history,
)
from cslib.metrics.risk import RISK_FLAGS
from cslib.present.blocks import Callout, Paragraph, Table
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_day,
    fmt_money,
    fmt_month,
    fmt_month_abbr,
    fmt_month_id,
    fmt_percent,
    fmt_plural,
    fmt_score,
)
from cslib.present.report import Report
from cslib.present.tables._cells import FLAG_LABELS, LEFT, RIGHT, isnum, shown_note

__all__ = [
    "churn_data_note",
    "churn_events_without_loss",
    "early_warning_table",
    "loss_frame",
    "loss_signals",
    "loss_summary",
    "loss_table",
    "notice_frame",
    "warning_frame",
]


def loss_frame(report: Report) -> pd.DataFrame:
    """:func:`cslib.metrics.losses.period_losses` of the report's period, with ``warned``."""

    def compute() -> pd.DataFrame:
        frame = _losses(report).copy()
        frame["warned"] = frame.index.isin(warning_frame(report)["warned_ids"])
        return frame.sort_values(["warned", "lost_arr", "name"], ascending=[True, False, True])

    return report.memo("losses", compute)


def _losses(report: Report) -> pd.DataFrame:
    return report.memo("period_losses",
                       lambda: period_losses(report.dataset, period=report.period))


def warning_frame(report: Report) -> dict[str, Any]:
    """:func:`cslib.metrics.losses.early_warning` with the report's settings, computed once."""
    return report.memo("early_warning", lambda: early_warning(
        report.dataset, period=report.period, config=report.health_config,
        settings=report.risk_settings, losses=_losses(report)))


def _history(report: Report) -> pd.DataFrame:
    return report.memo("signal_history", lambda: signal_history(
        report.dataset, period=report.period, config=report.health_config,
        settings=report.risk_settings))


def _tenure(months: Any) -> str:
    if not isnum(months):
        return DASH
    years, rest = divmod(int(months), 12)
    return f"{years} y {rest} m" if years else f"{rest} m"


def loss_table(report: Report) -> Table | Callout | None:
    """Every loss of the period: the ones nobody saw coming first, then by ARR lost."""
    if report.shared:
        return None
    frame = loss_frame(report)
    if frame.empty:
        return Callout.of(f"No account churned or contracted in {report.period.label}.")
    day = warning_frame(report)["day"]
    has_reasons = report.dataset.get("churn_events") is not None
    rows = []
    for _, r in frame.iterrows():
        csm = r.get("csm")
        who = str(r["segment"]) + (f" · {csm}" if isinstance(csm, str) and csm else "")
        rows.append((
            str(r["name"]),
            fmt_money(r["lost_arr"], compact=True),
            "churned" if r["kind"] == "churn" else "contracted",
            who,
            _tenure(r["tenure_months"]),
            "yes" if r["warned"] else "no",
            *((str(r["reason"]) if isinstance(r["reason"], str) else "not recorded",)
              if has_reasons else ()),
        ))
    unseen = int((~frame["warned"]).sum())
    return Table(
        f"Losses in {report.period.label}",
        ("Account", "ARR lost", "Loss", "Segment · CSM", "Customer for", "Seen coming",
         *(("Reason",) if has_reasons else ())),
        tuple(rows),
        align=(LEFT, RIGHT, LEFT, LEFT, RIGHT, LEFT, *((LEFT,) if has_reasons else ())),
        caption=(f"{fmt_plural(len(frame), 'account')} lost "
                 f"{fmt_money(frame['lost_arr'].sum(), compact=True)} ARR; {unseen} of them "
                 f"nobody saw coming (neither red nor flagged on {fmt_day(day)}, at least "
                 f"{WARNING_DAYS} days before the period's end), listed first. Lost: MRR in "
                 f"{fmt_month_id(report.period.last_month)} below MRR in "
                 f"{fmt_month_id(report.period.start_book)}."
                 + ("" if has_reasons else " The data records no churn reasons.")),
        definitions=("loss_review", "arr"),
    )


def _runs(months: list[pd.Period], values: list[Any]) -> list[tuple[Any, pd.Period, pd.Period]]:
    """Consecutive months with the same value, as (value, first, last)."""
    out: list[tuple[Any, pd.Period, pd.Period]] = []
    for m, v in zip(months, values, strict=True):
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1], m)
        else:
            out.append((v, m, m))
    return out


def _span(first: pd.Period, last: pd.Period) -> str:
    if first == last:
        return fmt_month_abbr(first, standalone=True)
    return f"{fmt_month_abbr(first, standalone=True)}–{fmt_month_abbr(last, standalone=True)}"


def loss_signals(report: Report) -> Table | None:
    """For each loss, what the six months before showed, read as of each month-end then."""
    if report.shared:
        return None
    frame = loss_frame(report)
    if frame.empty:
        return None
    history = _history(report)
    months = sorted(history.index.get_level_values("month").unique())
    last = history.xs(months[-1], level="month")
    ds = report.dataset
    goals, tickets = ds.get("goals"), ds.get("tickets")
    since = months[0].start_time
    contacts = ds.get("contacts") is not None and ds.get("activities") is not None
    rows = []
    for aid, r in frame.iterrows():
        mine = history.xs(aid, level="account_id") if aid in history.index.get_level_values(
            "account_id") else pd.DataFrame()
        mine = mine.reindex(months)
        bands = [b if isinstance(b, str) else "no score" for b in mine.get(
            "health_band", pd.Series(index=months, dtype=object))]
        health = ", ".join(f"{b} {_span(a, z)}" for b, a, z in _runs(months, bands))
        raised = []
        for f in RISK_FLAGS:
            on = mine[f].fillna(False).astype(bool).tolist() if f in mine else []
            spans = [_span(a, z) for v, a, z in _runs(months, on) if v]
            if spans:
                raised.append(f"{FLAG_LABELS[f]} {', '.join(spans)}")
        at = last.loc[aid] if aid in last.index else pd.Series(dtype=object)
        contact = (f"exec {_days(at.get('days_since_executive_contact'))}, "
                   f"users {_days(at.get('days_since_user_contact'))}") if contacts else DASH
        scores = f"NPS {fmt_score(at.get('nps'), digits=0)} · CSAT " \
                 f"{fmt_percent(at.get('csat'), digits=0)}"
        missed = DASH if goals is None else fmt_count(int(
            ((goals["account_id"].astype(str) == aid) & (goals["status"] == "missed")
             & (pd.to_datetime(goals["due_on"]) <= report.period.last_day)).sum()))
        opened = DASH if tickets is None else fmt_count(int(
            ((tickets["account_id"].astype(str) == aid)
             & pd.to_datetime(tickets["opened_on"]).between(since, report.period.last_day))
            .sum()))
        rows.append((str(r["name"]), health or DASH, "; ".join(raised) or "none", contact,
                     scores, missed, opened))
    return Table(
        f"What came before each loss, {fmt_month(months[0])} to {fmt_month(months[-1])}",
        ("Account", "Health band by month", "Flags raised", "Last contact", "NPS · CSAT",
         "Goals missed", "Tickets"),
        tuple(rows),
        align=(LEFT, LEFT, LEFT, LEFT, LEFT, RIGHT, RIGHT),
        caption=(f"Health and flags at each month-end, from the data known that day. Last "
                 f"contact, NPS and CSAT (trailing 12 months) as of {fmt_month(months[-1])}'s end; "
                 "goals missed by the period's end; tickets opened in the six months."),
        definitions=("health_score", "risk_flags", "nps", "csat"),
    )


def _days(value: Any) -> str:
    return "never" if not isnum(value) else f"{round(float(value))} d ago"


def early_warning_table(report: Report) -> Table | None:
    """Did the warning work? Recall (of lost ARR) and precision, 90 days before the end."""
    if report.shared:
        return None
    w = warning_frame(report)
    if not w["losses"]:
        return None
    rows = (
        ("Losses", fmt_count(w["losses"]), fmt_money(w["lost_arr"], compact=True)),
        ("Seen coming (red or flagged)", fmt_count(w["warned_lost"]),
         fmt_money(w["warned_lost_arr"], compact=True)),
        ("Early-warning recall (of lost ARR)", "", fmt_percent(w["recall"], digits=0)),
        ("Accounts red or flagged then", fmt_count(w["warned"]), ""),
        ("Precision (share of them lost)", "", fmt_percent(w["precision"], digits=0)),
    )
    return Table(
        f"Early warning on {fmt_day(w['day'])}, {WARNING_DAYS}+ days before the period's end",
        ("", "Accounts", "ARR / rate"),
        rows,
        align=(LEFT, RIGHT, RIGHT),
        caption=("Recall: lost ARR of the losses that were red or carried a risk flag that day, "
                 "over all lost ARR. Precision: of the start-book accounts red or flagged that "
                 "day, the share lost in the period. Read from the data known that day."),
        definitions=("loss_review",),
    )


def notice_frame(report: Report) -> pd.DataFrame:
    """:func:`cslib.metrics.losses.churn_notices` of the report's period, computed once."""
    return report.memo("churn_notices", lambda: churn_notices(
        report.dataset, period=report.period, losses=_losses(report)))


def churn_events_without_loss(report: Report, *, n: int = 60) -> Table | None:
    """Churn events recorded in the period for accounts whose revenue did not fall.

    A data-quality note (:func:`cslib.metrics.losses.churn_notices`): revenue
    follows billing, so an account still paying at the same MRR is not a loss,
    whatever a churn form says. Listed largest ARR first (at most ``n``), with
    the recorded reason. ``None`` when the data has no churn events or every one
    matches a loss.
    """
    if report.shared:
        return None
    odd = notice_frame(report)
    if odd.empty:
        return None
    p = report.period
    last = odd.drop_duplicates("account_id")  # latest first: each account's last event
    acc = report.dataset.accounts.set_index(report.dataset.accounts["account_id"].astype(str))
    last = last.assign(arr=12 * last["end_mrr"],
                       name=acc["name"].reindex(last["account_id"]).astype(str).to_numpy())
    last = last.sort_values(["arr", "name"], ascending=[False, True])
    rows = tuple(
        (str(r["name"]), f"{fmt_day(r['occurred_on'])}",
         str(r["reason"]) if isinstance(r["reason"], str) else "not recorded",
         fmt_money(r["arr"], compact=True) if r["arr"] > 0 else "not paying")
        for _, r in last.head(n).iterrows()
    )
    return Table(
        f"Churn recorded but no revenue lost, {p.label}",
        ("Account", "Churn recorded", "Reason", f"ARR, {p.last_month}"),
        rows,
        align=(LEFT, LEFT, LEFT, RIGHT),
        caption=(f"Data quality: {fmt_plural(len(odd), 'churn event')} in {p.label} name "
                 f"{fmt_plural(len(last), 'account')} whose MRR in "
                 f"{p.last_month} is not below {p.start_book}'s; revenue follows billing, so "
                 "they are not counted as losses. Check with billing whether these accounts "
                 "left" + shown_note(len(last), n)),
        definitions=("loss_review",),
    )


def churn_data_note(report: Report) -> Callout | None:
    """The churn-notice rule said where the figures are: a data-quality callout.

    Internal documents only; ``None`` when no churn event of the period falls
    on an account that kept paying (:func:`cslib.metrics.losses.churn_notices`).
    For one account it names the event, its reason and what the account still
    pays; for a company, segment or book it counts the events, the accounts and
    their ARR, and says that logo churn, NRR and GRR count them as retained.
    """
    if report.shared:
        return None
    odd = notice_frame(report)
    if odd.empty:
        return None
    p = report.period
    if report.kind == "customer":
        e = odd.iloc[0]
        reason = (f"reason: {e['reason']}" if isinstance(e["reason"], str) else
                  "no reason recorded")
        paying = (f"still pays {fmt_money(e['end_mrr'])} MRR in {p.last_month}"
                  if e["end_mrr"] > 0 else f"pays nothing in {p.last_month} but did not pay "
                  f"in {p.start_book} either")
        what = (f"a {e['kind']} event was recorded on {fmt_day(e['occurred_on'])}"
                if len(odd) == 1 else
                f"{fmt_plural(len(odd), 'churn event')} were recorded in {p.label}, the "
                f"latest on {fmt_day(e['occurred_on'])}")
        return Callout.of(
            "Data quality: ",
            f"{what} ({reason}), but the account {paying}. Revenue follows billing, so its "
            "figures here (and its health score) count it as retained. Confirm with the "
            "customer and with billing whether it is leaving.", tone="warning")
    accounts = odd["account_id"].nunique()
    arr = 12 * float(odd.drop_duplicates("account_id")["end_mrr"].sum())
    return Callout.of(
        "Data quality: ",
        f"{fmt_plural(len(odd), 'churn event')} recorded in {p.label} name "
        f"{fmt_plural(accounts, 'account')} that kept paying as much as before or more "
        f"({fmt_money(arr, compact=True)} ARR in {p.last_month}). Revenue follows billing, "
        "so logo churn, NRR and GRR here count these accounts as retained. Check with "
        "billing whether they left; the loss review lists them.", tone="warning")


def loss_summary(report: Report) -> Paragraph | Callout:
    """The period's losses in one paragraph: how many, how much, how many were seen coming.

    Figures from :func:`cslib.present.tables.loss_review.loss_frame` and
    :func:`~cslib.present.tables.loss_review.warning_frame`: early-warning recall (of
    lost ARR) and precision, the losses nobody saw coming by name, and the most
    often recorded reason.
    """
    frame = loss_frame(report)
    if frame.empty:
        return Callout.of(f"No account churned or contracted in {report.period.label}.")
    w = warning_frame(report)
    churned = int((frame["kind"] == "churn").sum())
    text = (f"In {report.period.label}, {fmt_plural(len(frame), 'account')} "
            f"{'was' if len(frame) == 1 else 'were'} lost ({churned} churned, "
            f"{len(frame) - churned} contracted), "
            f"{fmt_money(frame['lost_arr'].sum(), compact=True)} ARR in all. "
            f"{fmt_percent(w['recall'], digits=0)} of the lost ARR was red or flagged on "
            f"{fmt_day(w['day'])} (early-warning recall); of the "
            f"{fmt_count(w['warned'])} accounts red or flagged then, "
            f"{fmt_percent(w['precision'], digits=0)} were lost (precision).")
    unseen = frame[~frame["warned"]]
    if len(unseen):
        names = ", ".join(f"{r['name']} ({fmt_money(r['lost_arr'], compact=True)})"
                          for _, r in unseen.head(5).iterrows())
        text += (f" {fmt_plural(len(unseen), 'loss', 'losses')} nobody saw coming: {names}"
                 + (" and more." if len(unseen) > 5 else "."))
    else:
        text += " Every loss was red or flagged in time."
    reasons = frame["reason"].dropna()
    if len(reasons):
        top = reasons.value_counts()
        text += (f" Most often recorded reason: {top.index[0]} ({top.iloc[0]} of "
                 f"{len(reasons)} losses with a reason).")
    return Paragraph.of(text, definitions=("loss_review",))
