"""The figures a report computes once and shares: headline metrics, health, risk flags.

Tables, narrative and KPI cards of one report read the same numbers; each is
computed on first use through :meth:`cslib.present.report.Report.memo` and
kept on the report (never in a global cache), so a section never recomputes
what another section already has.
"""

from __future__ import annotations

import pandas as pd

from cslib.errors import PeriodError
from cslib.metrics.health import account_measures, health_scores
from cslib.metrics.risk import risk_flags
from cslib.metrics.summary import metrics_frame
from cslib.periods import Period
from cslib.present.report import Report

__all__ = ["compare_periods", "headline_figures", "health_frame", "risk_frame"]


def _periods_per_year(period: Period) -> int:
    return {"month": 12, "quarter": 4, "year": 1}.get(period.kind, 12)


def headline_figures(
    report: Report, period: Period | None = None, *, by: str | None = None
) -> pd.Series | pd.DataFrame | None:
    """The period's headline metrics, computed once per report.

    Without ``by``, the ``metrics_frame`` total row (a Series); with ``by``,
    one row per group (a DataFrame). ``None`` when the period is outside the data.
    """
    period = period or report.period

    def compute() -> pd.Series | pd.DataFrame | None:
        try:
            frame = metrics_frame(report.dataset, period=period, by=by)
        except PeriodError:
            return None
        return frame if by else frame.iloc[0]

    return report.memo(f"figures:{period.label}:{by}", compute)


def compare_periods(report: Report) -> tuple[Period, Period]:
    """The previous period and the same period a year before (one and the same for a TTM)."""
    p = report.period
    if p.kind == "trailing":  # shift steps twelve months at a time
        return p.shift(-1), p.shift(-1)
    return p.shift(-1), p.shift(-_periods_per_year(p))


def health_frame(report: Report) -> pd.DataFrame:
    """Measures, per-measure scores, health score and band of each paying account."""

    def compute() -> pd.DataFrame:
        measures = account_measures(report.dataset, as_of=report.as_of)
        return measures.join(health_scores(measures, config=report.health_config))

    return report.memo("health", compute)


def risk_frame(report: Report) -> pd.DataFrame:
    """The risk flags of every paying account on the report's snapshot day."""
    return report.memo(
        "risk",
        lambda: risk_flags(report.dataset, as_of=report.as_of, settings=report.risk_settings),
    )
