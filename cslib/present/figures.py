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

from collections.abc import Callable

import pandas as pd

from cslib.data.dataset import Dataset
from cslib.errors import PeriodError
from cslib.metrics.adoption import account_adoption
from cslib.metrics.health import account_measures, health_scores
from cslib.metrics.revenue import account_movements
from cslib.metrics.risk import risk_flags
from cslib.metrics.satisfaction import satisfaction_summary, trailing_satisfaction
from cslib.metrics.summary import metrics_frame
from cslib.metrics.support import ticket_summary
from cslib.periods import Period
from cslib.present.report import Report

__all__ = [
    "adoption_frame",
    "compare_periods",
    "headline_figures",
    "health_frame",
    "movements_frame",
    "per_account_figures",
    "risk_frame",
    "satisfaction_ttm",
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


def movements_frame(report: Report) -> pd.DataFrame:
    """Each account's MRR bridge over the report's period, with its name and segment.

    :func:`cslib.metrics.revenue.account_movements`, computed once per report
    (the summary, top expansions, new customers and the account list share
    it); callers filter or copy it, never change it.
    """

    def compute() -> pd.DataFrame:
        moves = account_movements(report.dataset.mrr, period=report.period)
        acc = report.dataset.accounts.set_index("account_id")
        return moves.assign(name=moves["account_id"].map(acc["name"]).astype(str),
                            segment=moves["account_id"].map(acc["segment"]).astype(str))

    return report.memo("movements", compute)


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


def _support(dataset: Dataset, period: Period,
             groups: pd.Series | None = None) -> dict[str, pd.DataFrame]:
    tickets = dataset.tables["tickets"]
    return {f"tickets:{period.label}": ticket_summary(tickets, period=period, groups=groups),
            f"ratings:{period.label}": satisfaction_summary(nps=None, tickets=tickets,
                                                            period=period, groups=groups)}


def _ttm(dataset: Dataset, as_of: pd.Timestamp,
         groups: pd.Series | None = None) -> dict[str, pd.DataFrame]:
    nps, tickets = dataset.get("nps"), dataset.get("tickets")
    rated = tickets if tickets is not None and "csat" in tickets else None
    return {"satisfaction_ttm": trailing_satisfaction(nps=nps, tickets=rated, as_of=as_of,
                                                      months=12, groups=groups)}


def _figures(dataset: Dataset, period: Period, as_of: pd.Timestamp,
             groups: pd.Series | None = None) -> dict[str, pd.DataFrame]:
    """A QBR's support and satisfaction figures, for the total or for each group."""
    out: dict[str, pd.DataFrame] = {}
    if dataset.get("tickets") is not None:
        for p in (period.shift(-1), period):
            out |= _support(dataset, p, groups)
    if dataset.get("nps") is not None or dataset.get("tickets") is not None:
        out |= _ttm(dataset, as_of, groups)
    return out


def per_account_figures(dataset: Dataset, period: Period,
                        as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The support and satisfaction figures of every account's QBR, in one pass each.

    For the period and the one before: tickets (opened, closed, median days to
    close) and their ratings (CSAT, CES); over the 12 months to ``as_of``: NPS
    and CSAT. One row per account of ``dataset``: an account without rows gets
    the row the metric gives for no data, so each row equals what
    :func:`support_figures` and :func:`satisfaction_ttm` compute from that
    account's slice (tested). A build computes them once for the book
    (:mod:`cslib.pipeline.scope`) and carries each customer's rows in its slice.
    """
    ids = dataset.accounts["account_id"].astype(str).to_numpy()
    frames = _figures(dataset, period, as_of, pd.Series(ids, index=ids))
    empty = _figures(dataset.subset([]), period, as_of)
    out = {}
    for name, frame in frames.items():
        missing = [i for i in ids if i not in frame.index]
        if missing:
            fill = pd.DataFrame([empty[name].iloc[0]] * len(missing), index=missing)
            frame = pd.concat([frame, fill.astype(frame.dtypes.to_dict())])
        out[name] = frame.loc[ids]
    return out


def _row(report: Report, name: str, compute: Callable[[], dict[str, pd.DataFrame]]) -> pd.Series:
    """The report's row of figure ``name``: carried by its slice, else computed once."""

    def one() -> pd.Series:
        scope = report.dataset.scope
        carried = scope.figures if scope is not None else {}
        if name in carried and carried.get("as_of") == report.as_of and len(carried[name]) == 1:
            return carried[name].iloc[0]
        return compute()[name].iloc[0]

    return report.memo(f"row:{name}", one)


def support_figures(report: Report, period: Period) -> tuple[pd.Series, pd.Series]:
    """Tickets (opened, closed, days to close) and their ratings in ``period``, computed once.

    :func:`cslib.metrics.support.ticket_summary` and
    :func:`cslib.metrics.satisfaction.satisfaction_summary` (ratings only)
    over the report's accounts: the support section's sentence and its table
    read the same figures. Needs the ``tickets`` table.
    """
    def frames() -> dict[str, pd.DataFrame]:
        return report.memo(f"support:{period.label}", lambda: _support(report.dataset, period))

    return (_row(report, f"tickets:{period.label}", frames),
            _row(report, f"ratings:{period.label}", frames))


def satisfaction_ttm(report: Report) -> pd.Series:
    """NPS, CSAT and CES of the report's accounts over the 12 months to its snapshot day.

    :func:`cslib.metrics.satisfaction.trailing_satisfaction` (CSAT only when
    the tickets record it). Needs an ``nps`` or ``tickets`` table.
    """
    return _row(report, "satisfaction_ttm", lambda: _ttm(report.dataset, report.as_of))
