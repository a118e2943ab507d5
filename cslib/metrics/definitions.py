"""The definitions a report's appendix explains, each naming the standard it follows.

Tables, charts and KPI blocks list the keys of :data:`DEFINITIONS` they rely
on; the document's appendix explains exactly those, so every figure a reader
sees can be traced to its definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cslib.metrics.benchmarks import MIN_GROUP_SIZE, PEER_ROUNDING_POINTS
from cslib.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN, SATISFIED_MIN

if TYPE_CHECKING:
    from cslib.data.dataset import Dataset

__all__ = ["DEFINITIONS", "SOURCES", "Definition", "definitions_for", "lacks", "recorded"]


@dataclass(frozen=True)
class Definition:
    """One metric's name, definition and the public standard it follows."""

    name: str
    text: str
    standard: str


DEFINITIONS: dict[str, Definition] = {
    "arr": Definition(
        "ARR",
        "Annual recurring revenue: 12 x monthly recurring revenue (MRR) at the end of a month.",
        "ChartMogul, ARR",
    ),
    "arr_bridge": Definition(
        "ARR bridge",
        "Starting ARR + new + expansion + reactivation - contraction - churn = ending ARR; "
        "movements are month-over-month changes per account, summed over the period's months.",
        "ChartMogul, MRR movements",
    ),
    "nrr": Definition(
        "Net revenue retention (NRR)",
        "Ending MRR of the accounts paying at the start of the period / their starting MRR; "
        "new accounts excluded. Trailing-twelve-month NRR compares the same month a year apart.",
        "ChartMogul / SaaS Capital, NRR",
    ),
    "grr": Definition(
        "Gross revenue retention (GRR)",
        "Sum over the starting accounts of min(ending MRR, starting MRR) / their starting MRR; "
        "expansion is ignored, so GRR is at most 100%.",
        "SaaS Capital, GRR",
    ),
    "logo_retention": Definition(
        "Logo retention / churn",
        "Share of the accounts paying at the start of the period still paying at its end; "
        "logo churn = 1 - logo retention.",
        "ChartMogul, customer churn rate",
    ),
    "quick_ratio": Definition(
        "Quick ratio",
        "(new + expansion MRR) / (contraction + churned MRR); undefined without losses.",
        "SaaS Quick Ratio (Mamoon Hamid)",
    ),
    "cohort_retention": Definition(
        "Cohort retention",
        "Accounts grouped by the first quarter at whose end they paid; revenue retention = "
        "the cohort's MRR at the end of each later quarter / its MRR at the end of its first "
        "quarter (expansion included, so it can exceed 100%).",
        "ChartMogul, cohort analysis",
    ),
    "nps": Definition(
        "Net Promoter Score (NPS)",
        f"% promoters ({PROMOTER_MIN}-10) - % detractors (0-{DETRACTOR_MAX}) of the responses in "
        "the period, in points "
        "(-100..100); 95% margin of error 1.96 x 100 x sqrt((p + d - (p - d)^2) / n).",
        "Bain & Company / Satmetrix, NPS",
    ),
    "csat": Definition(
        "Customer satisfaction (CSAT)",
        f"Share of {SATISFIED_MIN}-5 answers on the 1-5 scale, counted in the period the ticket "
        "was closed.",
        "ACSI-style top-two-box CSAT",
    ),
    "ces": Definition(
        "Customer effort score (CES)",
        "Mean answer on the 1-7 scale (higher = easier), by ticket close date.",
        "Gartner CES 2.0",
    ),
    "health_score": Definition(
        "Health score",
        "Each measure scored 0-100 by thresholds, weighted mean with weights normalized to 1; "
        "a measure without data is left out and the other weights renormalized. "
        "Scores are whole numbers; bands: red 0-50, yellow 51-75, green 76-100.",
        "Gainsight, scorecards",
    ),
    "seat_utilization": Definition(
        "Seat utilization",
        "Active users / licensed seats in the month.",
        "Gainsight, adoption",
    ),
    "peer_benchmarks": Definition(
        "Peer figures",
        f"Peer figures are the median of at least {MIN_GROUP_SIZE} other customers of your "
        f"segment (your own figure is not among them), rounded to the nearest "
        f"{PEER_ROUNDING_POINTS} points; shown only when that many took part, so that no "
        "customer's own figure can be read from them.",
        "Minimum group size and rounding (k-anonymity)",
    ),
    "relationship_coverage": Definition(
        "Relationship coverage",
        "Contacts by role and relationship strength; strong = strong or very strong; "
        "days since the last activity with an executive and with a user.",
        "Gainsight, relationship health",
    ),
    "risk_flags": Definition(
        "Risk flags",
        "Renewal at risk: renewal within 90 days and no executive contact in 15 days. "
        "Single-threaded: fewer than 2 strong executive relationships (SMB: 1). "
        "Build a champion: strong adoption, no strong user relationship. "
        "Emergency: active users down 20%+ over 3 months and no user contact in 30 days "
        "(default thresholds).",
        "Gainsight, risk CTAs",
    ),
    "priority": Definition(
        "Priority (who to call first)",
        "ARR at stake x (1 + risk flags set) x health band weight (red 3, yellow 2, green 1) "
        "x 2 when the renewal is within 90 days; ties by ARR (default settings, "
        "params/risk.yaml `priority`).",
        "Gainsight, CTA priority",
    ),
    "team_scorecard": Definition(
        "Team scorecard",
        "Per CSM, over the accounts they hold at the period's end: CSAT and CES of tickets "
        "closed in the period, NPS of answers in the period, goals achieved / due, advocacy "
        "events, relationship coverage (share of paying accounts not single-threaded), renewal "
        "rate; NRR and GRR as context. Fewer than 30 answers: shown in brackets, not compared.",
        "Gainsight, CSM scorecards",
    ),
    "loss_review": Definition(
        "Losses and early warning",
        "Loss: an account paying in the month before the period whose MRR in the period's last "
        "month is lower (0: churn; else contraction); ARR lost = 12 x the drop. Early-warning "
        "recall: lost ARR of losses red or flagged on the last month-end 90 days or more before "
        "the period's end / all lost ARR; precision: share of the accounts red or flagged then "
        "that were lost. Revenue follows billing: a churn event recorded for an account that "
        "kept paying is not a loss; it is counted as retained and reported as a data-quality "
        "note.",
        "ChartMogul, MRR movements; Gainsight, churn analysis",
    ),
    "health_backtest": Definition(
        "Health backtest",
        "Each past quarter's paying accounts scored as of the day before it from the data "
        "known then; outcome = churned or contracted during the quarter. Lift = band loss rate "
        "/ overall loss rate; ROC AUC = chance a lost account scored below a kept one.",
        "Hanley & McNeil (1982), ROC AUC",
    ),
    "focus_areas": Definition(
        "Focus areas",
        "What we suggest working on together: planning the renewal when it is near, "
        "broadening executive sponsorship, naming a product champion, or recovering "
        "adoption when active users fall.",
        "Gainsight, success plans",
    ),
    "renewal_rate": Definition(
        "Renewal rate",
        "Of the accounts whose renewal falls in the period, the share still paying the month "
        "after it; revenue-weighted by MRR in the month before it.",
        "Gainsight, renewals due",
    ),
    "goals": Definition(
        "Success plan goals",
        "Goals achieved = achieved / goals due in the period; on track = on-track share of "
        "open goals; progress = (current - baseline) / (target - baseline).",
        "Gainsight, success plans",
    ),
    "advocacy": Definition(
        "Advocacy",
        "Share of accounts with a referral, reference call, case study or review in the "
        "trailing twelve months.",
        "Gainsight, advocacy",
    ),
    "expansion": Definition(
        "Expansion and contraction",
        "Month-over-month MRR increase (expansion) or decrease to a non-zero amount "
        "(contraction) of an existing account, summed over the period.",
        "ChartMogul, MRR movements",
    ),
}


def definitions_for(keys: Iterable[str]) -> list[Definition]:
    """The definitions for ``keys`` in first-seen order, each once.

    Raises
    ------
    KeyError
        If a key is not in :data:`DEFINITIONS` (a typo in a block).
    """
    seen: dict[str, Definition] = {}
    for key in keys:
        if key not in DEFINITIONS:
            raise KeyError(f"unknown definition {key!r}; known: {', '.join(DEFINITIONS)}")
        seen.setdefault(key, DEFINITIONS[key])
    return list(seen.values())


#: The table (and column) each optional measure is computed from. A dataset that
#: lacks it never recorded the measure (RavenStack has no NPS, for example).
SOURCES: dict[str, tuple[str, str | None]] = {
    "nps": ("nps", None),
    "csat": ("tickets", "csat"),
    "ces": ("tickets", "ces"),
    "seat_utilization": ("usage", None),
    "peer_benchmarks": ("usage", None),
    "relationship_coverage": ("contacts", None),
    "goals": ("goals", None),
    "advocacy": ("advocacy", None),
}


def lacks(dataset: Dataset, table: str, column: str | None = None) -> bool:
    """Whether ``dataset`` has no ``table`` at all, or the table has no ``column``.

    This is "the data never recorded it" (the source has no such table or
    column), not "this account has no rows": a customer's slice keeps every
    table of the full dataset, empty when the customer has no rows in it.

    Examples
    --------
    >>> import cslib, pandas as pd
    >>> ds = cslib.from_frames({
    ...     "accounts": pd.DataFrame({"account_id": ["a"], "name": ["A"], "segment": ["S"]}),
    ...     "mrr": pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": [1.0]}),
    ... })
    >>> lacks(ds, "nps"), lacks(ds, "accounts"), lacks(ds, "accounts", "csm")
    (True, False, True)
    """
    frame = dataset.get(table)
    return frame is None or (column is not None and column not in frame.columns)


def recorded(dataset: Dataset, keys: Iterable[str]) -> tuple[str, ...]:
    """``keys`` less the definitions of measures the dataset never recorded (:data:`SOURCES`).

    A block that would explain NPS in the appendix of a document built from
    data without an ``nps`` table lists it no more.
    """
    return tuple(k for k in keys if k not in SOURCES or not lacks(dataset, *SOURCES[k]))
