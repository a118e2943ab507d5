"""cslib: a Customer Success reporting toolkit.

Load a dataset that meets the data contract, compute retention, satisfaction,
adoption, health and risk metrics for any period, and build reports from
parameterized notebooks.

>>> import cslib
>>> ds = cslib.load("data/sample")                          # doctest: +SKIP
>>> cslib.period_metrics(ds, period="2026Q3", by="segment")  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from cslib.data.dataset import Dataset
from cslib.data.load import from_frames, load
from cslib.errors import ConfigError, CslibError, DataError, ParameterError, PeriodError
from cslib.metrics.revenue import (
    account_movements,
    annualized_churn,
    arr_bridge,
    average_revenue_per_account,
    cac_payback_months,
    customer_lifetime_value,
    gross_revenue_retention,
    lifetime_value,
    logo_churn,
    logo_retention,
    monthly_logo_churn,
    monthly_movements,
    net_revenue_retention,
    quick_ratio,
    revenue_summary,
)
from cslib.metrics.satisfaction import (
    customer_effort_score,
    customer_satisfaction,
    net_promoter_score,
    nps_margin_of_error,
    satisfaction_summary,
)
from cslib.metrics.summary import METRIC_KEYS, metrics_frame, period_metrics
from cslib.periods import Period, latest_complete_quarter
from cslib.present.analyst import table, use_house_style

__all__ = [
    "METRIC_KEYS",
    "ConfigError",
    "CslibError",
    "DataError",
    "Dataset",
    "ParameterError",
    "Period",
    "PeriodError",
    "__version__",
    "account_movements",
    "annualized_churn",
    "arr_bridge",
    "average_revenue_per_account",
    "cac_payback_months",
    "customer_effort_score",
    "customer_lifetime_value",
    "customer_satisfaction",
    "from_frames",
    "gross_revenue_retention",
    "latest_complete_quarter",
    "lifetime_value",
    "load",
    "logo_churn",
    "logo_retention",
    "metrics_frame",
    "monthly_logo_churn",
    "monthly_movements",
    "net_promoter_score",
    "net_revenue_retention",
    "nps_margin_of_error",
    "period_metrics",
    "quick_ratio",
    "revenue_summary",
    "satisfaction_summary",
    "table",
    "use_house_style",
]
