"""What the report tables share: reader-facing labels, cell formats, the KPI card rule."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cslib.metrics.risk import RISK_FLAGS, RiskSettings
from cslib.present.blocks import Kpi
from cslib.present.formats import (
    DASH,
    fmt_days,
    fmt_number,
    fmt_percent,
    fmt_plural,
    fmt_points,
    fmt_signed_percent,
    minus,
)

__all__ = [
    "CUSTOMER_FLAG_LABELS",
    "FLAG_LABELS",
    "LEFT",
    "MEASURE_LABELS",
    "RIGHT",
    "days_ago",
    "flag_names",
    "flag_reasons",
    "health_cell",
    "is_true",
    "isnum",
    "kpi",
    "measure_value",
    "plain_number",
    "priority_rule",
    "shown_note",
    "weakest_measures",
]

#: Reader-facing names of the risk flags (params/risk.yaml has the thresholds).
FLAG_LABELS = {
    "renewal_at_risk": "Renewal at risk",
    "single_threaded": "Single-threaded",
    "build_a_champion": "Build a champion",
    "emergency": "Emergency",
}
#: The same flags worded for the customer's own QBR (shared outside the company).
CUSTOMER_FLAG_LABELS = {
    "renewal_at_risk": "Plan the renewal together",
    "single_threaded": "Broaden executive sponsorship",
    "build_a_champion": "Name a product champion",
    "emergency": "Recover adoption",
}
#: Reader-facing names of the health measures (the QBR's health-driver table).
MEASURE_LABELS = {
    "seat_utilization": "Seat utilization",
    "active_users_change": "Active users, 3-month change",
    "mrr_change": "Subscription, 3-month change",
    "nps": "NPS, trailing 12 months",
    "csat": "CSAT, trailing 12 months",
    "strong_executives": "Strong executive relationships",
    "strong_users": "Strong user relationships",
    "days_since_executive_contact": "Days since executive contact",
    "days_since_user_contact": "Days since user contact",
    "goals_on_track": "Open goals on track",
}
#: Column alignments.
RIGHT = "right"
LEFT = "left"


def isnum(value: Any) -> bool:
    """Whether ``value`` is a number (not ``None``, not NaN)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def is_true(value: Any) -> bool:
    """Whether a flag is set (``None`` and ``pd.NA``, not evaluated, are not)."""
    return value is not None and value is not pd.NA and bool(value)


def kpi(
    label: str,
    now: float | None,
    prev: float | None,
    year: float | None,
    fmt: Any,
    *,
    change: str = "points",
    higher_is_better: bool = True,
    year_label: str = "",
    prev_label: str = "",
    note: str | None = None,
) -> Kpi:
    """A KPI card: ``now`` formatted, its change since ``prev`` and the value a year before.

    ``change`` says how the change is written: ``"points"`` (percentage points
    of a proportion), ``"score"`` (points of a score) or ``"percent"``
    (relative change); the arrow is good when the change goes the way
    ``higher_is_better`` says. With ``prev_label`` the change names what it is
    against and shows that value ("+0.4 pts vs 2026Q2 (100.8%)"). ``note``
    replaces the default note (``year_label: value a year before``).
    """
    delta, trend, good = "", None, None
    if isnum(now) and isnum(prev):
        diff = float(now) - float(prev)  # type: ignore[arg-type]
        if change == "points":
            delta = fmt_points(diff)
        elif change == "score":
            delta = minus(f"{diff:+.1f} pts")
        elif prev:
            delta = fmt_signed_percent(diff / abs(float(prev)))  # type: ignore[arg-type]
        trend = "flat" if abs(diff) < 1e-9 else ("up" if diff > 0 else "down")
        good = None if trend == "flat" else (diff > 0) == higher_is_better
        if prev_label:
            delta += f" vs {prev_label} ({fmt(prev)})"
    if note is None:
        note = f"{year_label}: {fmt(year)}" if isnum(year) else ""
    return Kpi(label, fmt(now), delta, trend, good, note)


def flag_names(row: pd.Series) -> str:
    """The reader-facing names of the flags set on an account's row, or a dash."""
    names = [FLAG_LABELS[f] for f in RISK_FLAGS if is_true(row.get(f))]
    return ", ".join(names) if names else DASH


def _silence(role: str, days: Any) -> str:
    """``no executive contact for 63 days`` or ``no executive contact recorded``."""
    if not isnum(days):
        return f"no {role} contact recorded"
    return f"no {role} contact for {fmt_plural(round(float(days)), 'day')}"


def flag_reasons(row: pd.Series, settings: RiskSettings) -> dict[str, str]:
    """The flags set on an account's risk row, each in plain words with its evidence.

    ``renews in 41 days; no executive contact for 63 days`` rather than
    "Renewal at risk": the reader sees why, and judges how serious it is. The
    thresholds are :class:`~cslib.metrics.risk.RiskSettings` (``params/risk.yaml``).
    Returns the flags set, in :data:`RISK_FLAGS` order, each mapped to its words.
    """
    out: dict[str, str] = {}
    if is_true(row.get("renewal_at_risk")):
        out["renewal_at_risk"] = (f"renews {fmt_days(round(float(row['days_to_renewal'])))}; "
                                  + _silence("executive", row.get("days_since_executive_contact")))
    if is_true(row.get("single_threaded")):
        strong = int(row.get("strong_executives") or 0)
        default = settings.min_strong_executives.get("default", 1)
        needed = settings.min_strong_executives.get(str(row.get("segment")), default)
        have = ("no strong executive relationship" if strong == 0 else
                f"only {fmt_plural(strong, 'strong executive relationship')}")
        out["single_threaded"] = f"{have} ({needed} wanted)"
    if is_true(row.get("build_a_champion")):
        out["build_a_champion"] = (f"{fmt_percent(row.get('seat_utilization'), digits=0)} of "
                                   "seats in use but no strong relationship with a user "
                                   "(no champion)")
    if is_true(row.get("emergency")):
        drop = fmt_percent(abs(float(row["active_users_change"])), digits=0)
        out["emergency"] = (f"active users down {drop} in {settings.usage_drop_months} "
                            "months; " + _silence("user", row.get("days_since_user_contact")))
    return out


def measure_value(name: str, value: Any) -> str:
    """A health measure's value as read: ``59%``, ``+11%``, NPS ``40``, ``75`` days."""
    if not isnum(value):
        return "no data"
    if name in ("seat_utilization", "csat", "goals_on_track"):
        return fmt_percent(value, digits=0)
    if name in ("active_users_change", "mrr_change"):
        return fmt_signed_percent(value, digits=0)
    if name == "nps":
        return minus(f"{value:.0f}")
    return f"{value:.0f}"


def weakest_measures(row: pd.Series, measures: Any, *, k: int = 2,
                     below: float = 50.0) -> list[str]:
    """The ``k`` lowest-scoring health measures of an account's health row, in words.

    ``["Seat utilization: 22% (scores 0)", "NPS, trailing 12 months: −40 (scores 0)"]``: only
    measures scoring under ``below``; ``measures`` are the health settings'.
    """
    scored = sorted((float(row[f"score_{m.name}"]), m.name) for m in measures
                    if isnum(row.get(f"score_{m.name}")))
    return [f"{MEASURE_LABELS.get(m, m)}: {measure_value(m, row.get(m))} "
            f"(scores {s:.0f})" for s, m in scored if s < below][:k]


def priority_rule(settings: RiskSettings) -> str:
    """The ranking rule in words, with its settings: ``ARR x (1 + flags) x health (...)``."""
    rule = settings.priority
    w = rule.band_weights
    flags = "flags" if rule.flag_weight == 1 else f"{rule.flag_weight:g} x flags"
    return (f"ARR x (1 + {flags}) x health (red {w['red']:g}, yellow {w['yellow']:g}, green "
            f"{w['green']:g}) x {rule.renewal_urgency:g} when renewing within "
            f"{settings.renewal_window_days} days")


def health_cell(score: Any, band: Any) -> str:
    """``17 red`` (the whole score and its band), or a dash without a score."""
    return f"{score:.0f} {band}" if isnum(score) and isinstance(band, str) else DASH


def shown_note(total: int, n: int | None) -> str:
    """The end of a ranked table's caption: how many of ``total`` rows are shown."""
    return f"; the {n} largest shown." if n is not None and total > n else "."


def plain_number(value: Any) -> str:
    """A goal's number as recorded: ``1,250``, ``3.30``, or a dash."""
    if not isnum(value):
        return DASH
    v = float(value)
    return fmt_number(v) if abs(v) >= 100 or v == int(v) else fmt_number(v, digits=2)


def days_ago(days: float | None) -> str:
    """``today``, ``1 day ago``, ``12 days ago`` (:func:`fmt_days`) or ``no contact recorded``."""
    if not isnum(days):
        return "no contact recorded"
    return fmt_days(-round(float(days)))
