"""Does the health score warn? The backtest's tables for the board pack and the loss review.

:func:`health_backtest` (loss rate and lift by band, the score's ROC AUC) and
:func:`flag_backtest` (each flag's precision and recall) read
:func:`cslib.metrics.backtest.run_backtest` over the quarters up to the
report's period, with the report's health and risk settings. Suggested weights
are left to ``cslib health backtest`` (a statistics fit is not a board table).
"""

from __future__ import annotations

from typing import Any

from cslib.errors import PeriodError
from cslib.metrics.backtest import run_backtest
from cslib.present.blocks import Callout, Table
from cslib.present.formats import DASH, fmt_count, fmt_percent, fmt_ratio, fmt_score
from cslib.present.report import Report
from cslib.present.tables._cells import FLAG_LABELS, LEFT, RIGHT

__all__ = ["flag_backtest", "health_backtest"]

_BANDS = {"red": "Red", "yellow": "Yellow", "green": "Green", "unscored": "No score"}


def _result(report: Report) -> dict[str, Any] | None:
    """The backtest over the quarters that end by the report's period (``None``: none can)."""

    def compute() -> dict[str, Any] | None:
        try:
            return run_backtest(report.dataset, last=report.period.last_month.strftime("%Y-%m"),
                                fiscal_year_start=report.period.fiscal_year_start_month,
                                config=report.health_config, settings=report.risk_settings,
                                fit=False)
        except PeriodError:
            return None

    return report.memo("backtest", compute)


def _lift(value: float | None) -> str:
    return DASH if value is None else fmt_ratio(value, digits=1)


def health_backtest(report: Report) -> Table | Callout:
    """Loss rate by health band at each quarter's start, and the score's ROC AUC."""
    r = _result(report)
    if r is None:
        return Callout.of("The data does not reach back far enough to backtest the health "
                          "score: a quarter needs three months of data before it.")
    rows = tuple(
        (_BANDS[band], fmt_count(b["accounts"]), fmt_count(b["lost"]),
         fmt_percent(b["loss_rate"]), _lift(b["lift"]))
        for band, b in r["bands"].items() if b["accounts"]
    )
    rows += (("All", fmt_count(r["accounts"]), fmt_count(r["lost"]),
              fmt_percent(r["loss_rate"]), fmt_ratio(1.0, digits=1)),)
    span = f"{r['quarters'][0]}–{r['quarters'][-1]}"
    score = DASH if r["auc"] is None else fmt_score(r["auc"], digits=2)
    return Table(
        f"Health at each quarter's start against losses in the quarter, {span}",
        ("Health band", "Account-quarters", "Lost", "Loss rate", "Lift"),
        rows,
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT),
        total=True,
        caption=(f"ROC AUC of the health score {score} ({fmt_score(0.5, digits=2)} is chance, "
                 f"{fmt_score(1.0, digits=2)} a perfect warning). "
                 "Each quarter's paying accounts scored as of the day before it, from the data "
                 "known then (goal statuses, not dated, left out); lost = churned or contracted "
                 "during the quarter; lift = band loss rate / overall. Each measure's power and "
                 "suggested weights: run cslib health backtest."),
        definitions=("health_score", "health_backtest"),
    )


def flag_backtest(report: Report) -> Table | None:
    """Each risk flag at the quarters' start: how many flagged accounts were lost, and recall."""
    r = _result(report)
    if r is None:
        return None
    rows = tuple(
        (FLAG_LABELS.get(name, "Any flag"), fmt_count(f["flagged"]), fmt_count(f["lost"]),
         fmt_percent(f["precision"]), fmt_percent(f["recall"]), _lift(f["lift"]))
        for name, f in r["flags"].items() if f["evaluated"]
    )
    if not rows:
        return None
    return Table(
        "Risk flags at each quarter's start against losses in the quarter",
        ("Flag", "Flagged", "Lost", "Precision", "Recall", "Lift"),
        rows,
        align=(LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT),
        caption="Precision: share of the flagged account-quarters that were lost. Recall: "
        "share of the losses that carried the flag at the quarter's start.",
        definitions=("risk_flags", "health_backtest"),
    )
