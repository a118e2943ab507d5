"""Revenue metrics: MRR movements, the ARR bridge, NRR, GRR, logo retention, LTV.

Definitions follow ChartMogul (MRR movements) and SaaS Capital (retention), as
DESIGN.md sets out. Every function is pure and vectorized: the MRR of the
period's window is laid out as an accounts x months array once, and every
movement is a whole-array operation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cslib.metrics._frames import (
    account_codes,
    as_period,
    group_labels,
    month_ordinals,
    ratio,
    ratio_series,
    sum_by_group,
)
from cslib.periods import Period

__all__ = [
    "MOVEMENTS",
    "account_movements",
    "annualized_churn",
    "arr_bridge",
    "average_revenue_per_account",
    "cac_payback_months",
    "customer_lifetime_value",
    "gross_revenue_retention",
    "lifetime_value",
    "logo_churn",
    "logo_retention",
    "monthly_logo_churn",
    "monthly_movements",
    "net_revenue_retention",
    "quick_ratio",
    "retention_trend",
    "revenue_summary",
]

MOVEMENTS = ("new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr")


def _window(mrr: pd.DataFrame, period: Period) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """MRR of every account over start book..end book, and whether it paid before.

    Returns ``(window, paid_before, account_ids)``: ``window[i, j]`` is account
    ``i``'s MRR in month ``start_book + j``; ``paid_before[i]`` is whether it
    had MRR > 0 in any month before the start book.
    """
    codes, labels = account_codes(mrr["account_id"])
    ords = month_ordinals(mrr["month"])
    values = mrr["mrr"].to_numpy(dtype=float)
    start = int(period.start_book.ordinal)
    width = period.n_months + 1
    n = len(labels)
    inside = (ords >= start) & (ords < start + width)
    flat = codes[inside] * width + (ords[inside] - start)
    window = np.bincount(flat, weights=values[inside], minlength=n * width).reshape(n, width)
    earlier = (ords < start) & (values > 0)
    paid_before = np.bincount(codes[earlier], minlength=n) > 0
    return window, paid_before, labels


def _movement_arrays(window: np.ndarray, paid_before: np.ndarray) -> dict[str, np.ndarray]:
    """Month-over-month movements, each an accounts x months array (ChartMogul rules)."""
    prev, cur = window[:, :-1], window[:, 1:]
    paid_so_far = np.logical_or.accumulate(prev > 0, axis=1) | paid_before[:, None]
    starts = (prev == 0) & (cur > 0)
    zero = np.zeros_like(cur)
    return {
        "new_mrr": np.where(starts & ~paid_so_far, cur, zero),
        "expansion_mrr": np.where((prev > 0) & (cur > prev), cur - prev, zero),
        "reactivation_mrr": np.where(starts & paid_so_far, cur, zero),
        "contraction_mrr": np.where((prev > 0) & (cur > 0) & (cur < prev), prev - cur, zero),
        "churned_mrr": np.where((prev > 0) & (cur == 0), prev, zero),
    }


def account_movements(mrr: pd.DataFrame, *, period: Period | str) -> pd.DataFrame:
    """Each account's MRR bridge over a period.

    For every account with MRR in any month from the start book to the end
    book: its starting MRR, the sum over the period's months of each movement,
    and its ending MRR. Per account, and so in any sum of accounts,

    ``starting + new + expansion + reactivation - contraction - churned = ending``.

    Movements (ChartMogul), month over month: *new* is the first month ever
    with MRR > 0; *expansion* a rise; *contraction* a fall that stays above 0;
    *churned* a fall to 0; *reactivation* a rise from 0 after having paid before.

    Parameters
    ----------
    mrr : pandas.DataFrame
        Columns ``account_id``, ``month`` (monthly Period or ``YYYY-MM``) and
        ``mrr`` (>= 0, currency units); a missing month means 0. The whole
        history is used to tell new from reactivated accounts.
    period : Period or str
        The period; ``"2026Q3"`` compares 2026-06 (start book) with 2026-09.

    Returns
    -------
    pandas.DataFrame
        One row per account: ``account_id``, ``starting_mrr``, ``new_mrr``,
        ``expansion_mrr``, ``reactivation_mrr``, ``contraction_mrr``,
        ``churned_mrr``, ``ending_mrr`` (all >= 0).

    References
    ----------
    ChartMogul, "MRR movements" (new, expansion, contraction, churn, reactivation).

    Examples
    --------
    >>> mrr = pd.DataFrame({"account_id": ["a", "a"], "month": ["2026-06", "2026-09"],
    ...                     "mrr": [100.0, 120.0]})
    >>> account_movements(mrr, period="2026Q3")[["starting_mrr", "churned_mrr",
    ...     "reactivation_mrr", "ending_mrr"]].iloc[0].tolist()
    [100.0, 100.0, 120.0, 120.0]
    """
    period = as_period(period)
    window, paid_before, labels = _window(mrr, period)
    active = window.any(axis=1)
    window, paid_before = window[active], paid_before[active]
    moves = _movement_arrays(window, paid_before)
    out = pd.DataFrame({"account_id": labels[active].astype(str)})
    out["starting_mrr"] = window[:, 0]
    for name, arr in moves.items():
        out[name] = arr.sum(axis=1)
    out["ending_mrr"] = window[:, -1]
    return out


def monthly_movements(mrr: pd.DataFrame, *, period: Period | str) -> pd.DataFrame:
    """The MRR bridge month by month across a period (totals over accounts).

    Returns
    -------
    pandas.DataFrame
        Indexed by month (monthly Period), columns ``starting_mrr``, the five
        movements and ``ending_mrr``; each row balances.
    """
    period = as_period(period)
    window, paid_before, _ = _window(mrr, period)
    moves = _movement_arrays(window, paid_before)
    out = pd.DataFrame(index=pd.PeriodIndex(period.months(), name="month"))
    out["starting_mrr"] = window[:, :-1].sum(axis=0)
    for name, arr in moves.items():
        out[name] = arr.sum(axis=0)
    out["ending_mrr"] = window[:, 1:].sum(axis=0)
    return out


def revenue_summary(
    mrr: pd.DataFrame, *, period: Period | str, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Movements and retention over a period, for the total or for each group.

    With C the start cohort (accounts with MRR > 0 in the start book):

    - NRR = sum over C of ending MRR / sum over C of starting MRR;
    - GRR = sum over C of min(ending, starting) / sum over C of starting MRR (<= 1);
    - logo retention = share of C still paying in the end book; logo churn = 1 - it;
    - quick ratio = (new + expansion) / (contraction + churned).

    New and reactivated accounts are outside C, so they count in neither NRR nor
    GRR; an account that joins and churns inside the period is in neither.

    Parameters
    ----------
    mrr : pandas.DataFrame
        ``account_id``, ``month``, ``mrr`` (see :func:`account_movements`).
    period : Period or str
        The period.
    groups : pandas.Series, optional
        Maps ``account_id`` to a group label (for instance
        ``dataset.groups("segment")``). Without it, one row called ``total``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group. Money columns (``starting_mrr``, ``ending_mrr``, the
        five movements) in currency units; ``customers_start``,
        ``customers_end`` (every account paying in the end book, new ones
        included); rates ``nrr``, ``grr``, ``logo_retention``, ``logo_churn``
        as proportions and ``quick_ratio``; a rate is ``None`` when undefined
        (empty cohort, zero denominator).

    References
    ----------
    SaaS Capital, "Net revenue retention" and "Gross revenue retention";
    ChartMogul, "Quick ratio".
    """
    moves = account_movements(mrr, period=period)
    start, end = moves["starting_mrr"], moves["ending_mrr"]
    in_cohort = start > 0
    parts = moves.drop(columns="account_id")
    parts["cohort_ending_mrr"] = end.where(in_cohort, 0.0)
    parts["cohort_kept_mrr"] = np.minimum(start, end).where(in_cohort, 0.0)
    parts["customers_start"] = in_cohort.astype(np.int64)
    parts["customers_end"] = (end > 0).astype(np.int64)
    parts["customers_retained"] = (in_cohort & (end > 0)).astype(np.int64)
    parts["group"] = group_labels(pd.Index(moves["account_id"]), groups)
    summed = sum_by_group(parts, groups)
    out = summed[["starting_mrr", "ending_mrr", *MOVEMENTS]].astype(float)
    out["nrr"] = ratio_series(summed["cohort_ending_mrr"], summed["starting_mrr"])
    out["grr"] = ratio_series(summed["cohort_kept_mrr"], summed["starting_mrr"])
    retention = ratio_series(summed["customers_retained"], summed["customers_start"])
    out["logo_retention"] = retention
    out["logo_churn"] = ratio_series(
        summed["customers_start"] - summed["customers_retained"], summed["customers_start"]
    )
    out["customers_start"] = summed["customers_start"].astype(np.int64)
    out["customers_end"] = summed["customers_end"].astype(np.int64)
    out["quick_ratio"] = ratio_series(
        summed["new_mrr"] + summed["expansion_mrr"],
        summed["contraction_mrr"] + summed["churned_mrr"],
    )
    return out


def retention_trend(mrr: pd.DataFrame, *, periods: Sequence[Period]) -> pd.DataFrame:
    """NRR, GRR and logo retention of each of several periods (a trend), in one pass.

    Each period compares its start book with its end book. With ``C`` the
    accounts paying in the start book (``s_i`` their start MRR, ``e_i`` their
    end MRR):

    - ``NRR = sum_C e_i / sum_C s_i``;
    - ``GRR = sum_C min(e_i, s_i) / sum_C s_i`` (<= 1);
    - logo retention = share of ``C`` with ``e_i > 0``; logo churn = 1 - it.

    The same numbers as :func:`revenue_summary` gives for each period alone
    (they need only the two books, never the months between), read from one
    accounts x books array instead of one pass per period.

    Parameters
    ----------
    mrr : pandas.DataFrame
        ``account_id``, ``month``, ``mrr`` (see :func:`account_movements`).
    periods : sequence of Period
        The periods, in the order the rows are wanted (for instance the eight
        trailing quarters of a chart). They may overlap.

    Returns
    -------
    pandas.DataFrame
        One row per period, in order, indexed by its label (index ``period``):
        ``starting_mrr`` (of ``C``), ``customers_start`` (size of ``C``),
        ``nrr``, ``grr``, ``logo_retention`` and ``logo_churn`` (proportions,
        ``None`` when ``C`` is empty).

    References
    ----------
    SaaS Capital, "Net revenue retention" and "Gross revenue retention";
    definition keys ``nrr``, ``grr``, ``logo_retention``.

    Examples
    --------
    >>> mrr = pd.DataFrame({"account_id": ["a", "b", "a", "c", "a", "c"],
    ...     "month": ["2026-03", "2026-03", "2026-06", "2026-06", "2026-09", "2026-09"],
    ...     "mrr": [100.0, 50, 130, 40, 120, 40]})
    >>> qs = [Period.parse("2026Q2"), Period.parse("2026Q3")]
    >>> t = retention_trend(mrr, periods=qs)
    >>> [round(v, 4) for v in t["nrr"]], [round(v, 4) for v in t["grr"]]
    ([0.8667, 0.9412], [0.6667, 0.9412])
    >>> t["logo_retention"].tolist()
    [0.5, 1.0]
    """
    codes, labels = account_codes(mrr["account_id"])
    ords = month_ordinals(mrr["month"])
    pairs = np.array(
        [[p.start_book.ordinal, p.end_book.ordinal] for p in periods], dtype=np.int64
    ).reshape(-1, 2)
    books, which = np.unique(pairs, return_inverse=True)  # every book month once
    which = which.reshape(-1, 2)
    at = np.clip(np.searchsorted(books, ords), 0, max(len(books) - 1, 0))
    inside = books[at] == ords if len(books) else np.zeros(len(ords), dtype=bool)
    width = len(books)
    grid = np.bincount(
        codes[inside] * width + at[inside],
        weights=mrr["mrr"].to_numpy(dtype=float)[inside],
        minlength=len(labels) * width,
    ).reshape(len(labels), width)  # grid[i, j]: account i's MRR in book month j
    start, end = grid[:, which[:, 0]], grid[:, which[:, 1]]
    cohort = start > 0
    starting = np.where(cohort, start, 0.0).sum(axis=0)
    kept = np.where(cohort, np.minimum(start, end), 0.0).sum(axis=0)
    ending = np.where(cohort, end, 0.0).sum(axis=0)
    customers = cohort.sum(axis=0)
    retained = (cohort & (end > 0)).sum(axis=0)
    out = pd.DataFrame(index=pd.Index([p.label for p in periods], name="period"))
    out["starting_mrr"] = starting
    out["customers_start"] = customers.astype(np.int64)
    out["nrr"] = ratio_series(pd.Series(ending, index=out.index), out["starting_mrr"])
    out["grr"] = ratio_series(pd.Series(kept, index=out.index), out["starting_mrr"])
    kept_logos = pd.Series(retained, index=out.index)
    out["logo_retention"] = ratio_series(kept_logos, out["customers_start"])
    out["logo_churn"] = ratio_series(out["customers_start"] - kept_logos, out["customers_start"])
    return out


def _total(mrr: pd.DataFrame, period: Period | str, column: str) -> float | None:
    value = revenue_summary(mrr, period=period).iloc[0][column]
    return None if value is None else float(value)


def net_revenue_retention(mrr: pd.DataFrame, *, period: Period | str) -> float | None:
    """Net revenue retention over a period, as a proportion (1.05 is 105%).

    NRR = sum over C of MRR(end book) / sum over C of MRR(start book), C being the
    accounts paying in the start book. ``None`` when C is empty.

    References
    ----------
    SaaS Capital, "Net revenue retention".

    Examples
    --------
    >>> mrr = pd.DataFrame({"account_id": ["a", "b", "a", "c"],
    ...     "month": ["2026-06", "2026-06", "2026-09", "2026-09"], "mrr": [100.0, 50, 130, 40]})
    >>> round(net_revenue_retention(mrr, period="2026Q3"), 4)   # (130 + 0) / 150; c is new
    0.8667
    """
    return _total(mrr, period, "nrr")


def gross_revenue_retention(mrr: pd.DataFrame, *, period: Period | str) -> float | None:
    """Gross revenue retention over a period, a proportion in [0, 1].

    GRR = sum over C of min(MRR(end), MRR(start)) / sum over C of MRR(start):
    expansion is capped, so GRR <= NRR and GRR <= 1. Start MRR $100 with $10
    churned and $10 contracted gives 0.80.

    References
    ----------
    SaaS Capital, "Gross revenue retention".
    """
    return _total(mrr, period, "grr")


def logo_retention(mrr: pd.DataFrame, *, period: Period | str) -> float | None:
    """Share of the accounts paying in the start book that still pay in the end book."""
    return _total(mrr, period, "logo_retention")


def logo_churn(mrr: pd.DataFrame, *, period: Period | str) -> float | None:
    """1 - logo retention: share of the start cohort not paying in the end book."""
    return _total(mrr, period, "logo_churn")


def quick_ratio(
    *, new_mrr: float, expansion_mrr: float, contraction_mrr: float, churned_mrr: float
) -> float | None:
    """SaaS quick ratio: (new + expansion) / (contraction + churned).

    ``None`` when contraction + churn is 0 (undefined).

    References
    ----------
    Mamoon Hamid's SaaS quick ratio, as ChartMogul reports it.

    Examples
    --------
    >>> quick_ratio(new_mrr=20, expansion_mrr=10, contraction_mrr=4, churned_mrr=6)
    3.0
    """
    return ratio(new_mrr + expansion_mrr, contraction_mrr + churned_mrr)


def arr_bridge(
    mrr: pd.DataFrame, *, period: Period | str, groups: pd.Series | None = None
) -> pd.DataFrame:
    """The ARR bridge (waterfall) of a period: ARR = 12 x MRR.

    Returns
    -------
    pandas.DataFrame
        Rows ``starting``, ``new``, ``expansion``, ``reactivation``,
        ``contraction``, ``churn``, ``ending``; one column per group (``total``
        without groups). Contraction and churn are negative, so each column
        sums (all rows but ``ending``) to ``ending``.
    """
    s = revenue_summary(mrr, period=period, groups=groups)
    rows = {
        "starting": s["starting_mrr"],
        "new": s["new_mrr"],
        "expansion": s["expansion_mrr"],
        "reactivation": s["reactivation_mrr"],
        "contraction": -s["contraction_mrr"],
        "churn": -s["churned_mrr"],
        "ending": s["ending_mrr"],
    }
    return pd.DataFrame(rows).T.astype(float) * 12.0


def monthly_logo_churn(
    mrr: pd.DataFrame, *, last_month: str | pd.Period, months: int = 6
) -> float | None:
    """Average monthly logo churn over the ``months`` months ending ``last_month``.

    Each month's churn is the share of the accounts paying in the month before
    that pay nothing in the month; the result is the plain mean of the monthly
    rates that are defined. ``None`` when none is.
    """
    last = pd.Period(last_month, freq="M")
    first = last - (months - 1)
    span = Period(f"{first}..{last}", first, last, "trailing")
    window, _, _ = _window(mrr, span)
    prev, cur = window[:, :-1] > 0, window[:, 1:] > 0
    paying = prev.sum(axis=0)
    lost = (prev & ~cur).sum(axis=0)
    rates = lost[paying > 0] / paying[paying > 0]
    return float(rates.mean()) if rates.size else None


def average_revenue_per_account(mrr: pd.DataFrame, *, month: str | pd.Period) -> float | None:
    """ARPA: total MRR in ``month`` / accounts paying in it; ``None`` if none pays."""
    ords = month_ordinals(mrr["month"])
    inside = (ords == pd.Period(month, freq="M").ordinal) & (mrr["mrr"].to_numpy(float) > 0)
    return ratio(float(mrr["mrr"].to_numpy(float)[inside].sum()), int(inside.sum()))


def annualized_churn(monthly_rate: float) -> float:
    """Annual churn implied by a constant monthly rate: 1 - (1 - monthly)^12.

    Examples
    --------
    >>> round(annualized_churn(0.05), 4)
    0.4596
    """
    return 1.0 - (1.0 - monthly_rate) ** 12


def lifetime_value(*, arpa: float, monthly_churn: float, gross_margin: float = 1.0) -> float | None:
    """Customer lifetime value: ARPA x gross margin / monthly logo churn.

    ``None`` when churn is 0 (an unbounded lifetime).

    References
    ----------
    SaaS Capital / ChartMogul, "Customer lifetime value".

    Examples
    --------
    >>> lifetime_value(arpa=100, monthly_churn=0.05)
    2000.0
    """
    return ratio(arpa * gross_margin, monthly_churn)


def customer_lifetime_value(
    mrr: pd.DataFrame, *, last_month: str | pd.Period, gross_margin: float = 1.0, months: int = 6
) -> float | None:
    """LTV from the data: ARPA in ``last_month`` x gross margin / average monthly logo churn.

    The churn is the mean of the ``months`` trailing complete months
    (:func:`monthly_logo_churn`); ``None`` when it is 0 or undefined.
    """
    arpa = average_revenue_per_account(mrr, month=last_month)
    churn = monthly_logo_churn(mrr, last_month=last_month, months=months)
    if arpa is None or churn is None:
        return None
    return lifetime_value(arpa=arpa, monthly_churn=churn, gross_margin=gross_margin)


def cac_payback_months(*, cac: float, arpa: float, gross_margin: float = 1.0) -> float | None:
    """Months to earn back the cost of acquiring a customer: CAC / (ARPA x gross margin).

    Examples
    --------
    >>> cac_payback_months(cac=1200, arpa=100, gross_margin=0.8)
    15.0
    """
    return ratio(cac, arpa * gross_margin)
