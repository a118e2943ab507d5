"""The figures a report computes once and shares: headline metrics, health, risk flags.

Tables, narrative and KPI cards of one report read the same numbers; each is
computed on first use through :meth:`cslib.present.report.Report.memo` and
kept on the report (never in a global cache), so a section never recomputes
what another section already has. A customer's slice cut by a build carries
its own rows of health and risk, computed once for the whole book
(:mod:`cslib.pipeline.scope`); they are used when they hold for the report's
snapshot day and settings, and are the same figures the slice would give.
"""

from __future__ import annotations

import pandas as pd

from cslib.errors import PeriodError
from cslib.metrics.adoption import account_adoption
from cslib.metrics.health import account_measures, health_scores
from cslib.metrics.risk import risk_flags
from cslib.metrics.satisfaction import satisfaction_summary
from cslib.metrics.summary import metrics_frame
from cslib.metrics.support import ticket_summary
from cslib.periods import Period
from cslib.present.report import Report

__all__ = [
    "adoption_frame",
    "compare_periods",
    "headline_figures",
    "health_frame",
    "risk_frame",
    "support_figures",
]


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


def _from_book(report: Report, name: str, setting: str) -> pd.DataFrame | None:
    """The slice's precomputed ``name`` frame, if it holds for this report's day and settings."""
    scope = report.dataset.scope
    figures = scope.figures if scope is not None else {}
    if (
        name in figures
        and figures.get("as_of") == report.as_of
        and figures.get(setting) == repr(getattr(report, setting))
    ):
        return figures[name].copy()
    return None


def health_frame(report: Report) -> pd.DataFrame:
    """Measures, per-measure scores, health score and band of each paying account."""

    def compute() -> pd.DataFrame:
        if (book := _from_book(report, "health", "health_config")) is not None:
            return book
        measures = account_measures(report.dataset, as_of=report.as_of)
        return measures.join(health_scores(measures, config=report.health_config))

    return report.memo("health", compute)


def risk_frame(report: Report) -> pd.DataFrame:
    """The risk flags of every paying account on the report's snapshot day."""

    def compute() -> pd.DataFrame:
        if (book := _from_book(report, "risk", "risk_settings")) is not None:
            return book
        return risk_flags(report.dataset, as_of=report.as_of, settings=report.risk_settings)

    return report.memo("risk", compute)


def adoption_frame(report: Report, month: pd.Period | None = None) -> pd.DataFrame | None:
    """Each account's adoption in ``month`` (the period's last by default), computed once.

    :func:`cslib.metrics.adoption.account_adoption` with a 3-month lookback;
    ``None`` when the data has no usage rows.
    """
    month = month if month is not None else report.period.last_month
    usage = report.dataset.get("usage")
    if usage is None or usage.empty:
        return None
    return report.memo(f"adoption:{month}",
                       lambda: account_adoption(usage, month=month, lookback_months=3))


def support_figures(report: Report, period: Period) -> tuple[pd.Series, pd.Series]:
    """Tickets (opened, closed, days to close) and their ratings in ``period``, computed once.

    :func:`cslib.metrics.support.ticket_summary` and
    :func:`cslib.metrics.satisfaction.satisfaction_summary` (ratings only)
    over the report's accounts: the support section's sentence and its table
    read the same figures. Needs the ``tickets`` table.
    """
    tickets = report.dataset.tables["tickets"]

    def compute() -> tuple[pd.Series, pd.Series]:
        return (ticket_summary(tickets, period=period).iloc[0],
                satisfaction_summary(nps=None, tickets=tickets, period=period).iloc[0])

    return report.memo(f"support:{period.label}", compute)
