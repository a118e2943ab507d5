"""Formatted report tables and headline figures (KPI cards).

Each function takes a :class:`~cslib.present.report.Report` (its scoped
dataset, period and settings), reads the figures :mod:`cslib.metrics`
computes (through :mod:`cslib.present.figures` when a report shares them),
and returns a :class:`~cslib.present.blocks.Table` or
:class:`~cslib.present.blocks.Kpis` with every cell formatted in the house
style ($1.2M, 104.3%, +2.1 pts), or a :class:`~cslib.present.blocks.Callout`
that says plainly what data is missing. A table formats; it computes no metric.

:mod:`~cslib.present.tables.company` holds the company's and a segment's
tables, :mod:`~cslib.present.tables.customer` the customer QBR's and account
review's, :mod:`~cslib.present.tables.account` the internal-only tables about
accounts (risk signals in plain words, what customers said),
:mod:`~cslib.present.tables.board` renewals ahead, customer outcomes and
losses by name, :mod:`~cslib.present.tables.book` a CSM's book (who to call
first, goals at risk, expansion candidates); all are
importable from here (``from cslib.present import tables; tables.qbr_kpis(report)``).
"""

from cslib.present.figures import headline_figures, health_frame, risk_frame
from cslib.present.tables._cells import FLAG_LABELS
from cslib.present.tables.account import account_flags, customer_comments, ticket_themes
from cslib.present.tables.backtest import flag_backtest, health_backtest
from cslib.present.tables.board import customer_outcomes, losses, outlook_kpis, renewals_ahead
from cslib.present.tables.book import (
    expansion_candidates,
    goals_at_risk,
    single_threaded,
    worklist,
    worklist_frame,
)
from cslib.present.tables.company import (
    account_list,
    at_risk_frame,
    headline_kpis,
    health_band_table,
    new_customers,
    segment_table,
    top_expansions,
    top_risks,
)
from cslib.present.tables.customer import (
    contacts_table,
    goals_table,
    health_drivers,
    qbr_kpis,
    subscription_table,
    support_table,
)
from cslib.present.tables.loss_review import (
    churn_events_without_loss,
    early_warning_table,
    loss_frame,
    loss_signals,
    loss_table,
    warning_frame,
)
from cslib.present.tables.team import team_context, team_frame, team_scorecard

__all__ = [
    "FLAG_LABELS",
    "account_flags",
    "account_list",
    "at_risk_frame",
    "churn_events_without_loss",
    "contacts_table",
    "customer_comments",
    "customer_outcomes",
    "early_warning_table",
    "expansion_candidates",
    "flag_backtest",
    "goals_at_risk",
    "goals_table",
    "headline_figures",
    "headline_kpis",
    "health_backtest",
    "health_band_table",
    "health_drivers",
    "health_frame",
    "loss_frame",
    "loss_signals",
    "loss_table",
    "losses",
    "new_customers",
    "outlook_kpis",
    "qbr_kpis",
    "renewals_ahead",
    "risk_frame",
    "segment_table",
    "single_threaded",
    "subscription_table",
    "support_table",
    "team_context",
    "team_frame",
    "team_scorecard",
    "ticket_themes",
    "top_expansions",
    "top_risks",
    "warning_frame",
    "worklist",
    "worklist_frame",
]
