"""The cohort heatmap: retention of quarterly cohorts, quarter by quarter since they started."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize

from cslib.data.dataset import Dataset
from cslib.errors import ParameterError
from cslib.metrics.cohorts import cohort_retention
from cslib.periods import Period
from cslib.present.blocks import Callout
from cslib.present.charts._draw import WIDTH_IN, ChartBlock, figure_block
from cslib.present.charts._periods import after_data, quarter_anchor, short
from cslib.present.formats import fmt_count, fmt_month_id, fmt_percent
from cslib.present.style import SEQUENTIAL, house_style, new_figure, text_colour_on

__all__ = ["cohort_heatmap"]


def cohort_heatmap(
    dataset: Dataset,
    *,
    period: Period | str,
    measure: str = "revenue",
    max_age_quarters: int = 8,
    cohorts: int = 8,
) -> ChartBlock:
    """Retention of quarterly cohorts, quarter by quarter since they started (a heatmap).

    What is shown: the data is read at quarter ends (the last month of each
    quarter, quarters ending with ``period``'s last month). An account's cohort
    is the first quarter at whose end it paid. Row: a cohort (the latest
    ``cohorts`` with at least one later quarter observed), with its size.
    Column ``k``: ``k`` quarters later. Cell: with ``measure="revenue"`` the
    cohort's MRR at that quarter's end as % of its MRR at the end of its first
    quarter (net of expansion, so above 100% is possible); with
    ``measure="logo"`` the share of its accounts still paying. Computed by
    :func:`cslib.metrics.cohorts.cohort_retention` on the quarter-end books.
    An account that starts and leaves within one quarter is in no cohort, and
    the accounts already paying when the data starts form no cohort (their
    start is not in the data).

    Parameters
    ----------
    dataset : Dataset
        Uses ``mrr``.
    period : Period or str
        Observed up to its last month (a quarter's end book).
    measure : {"revenue", "logo"}, default "revenue"
        What is retained.
    max_age_quarters : int, default 8
        Quarters since the start shown, at most.
    cohorts : int, default 8
        How many cohorts (rows), the most recent.

    Returns
    -------
    Figure or Callout
        A Callout when the period ends after the data or no cohort has a later
        quarter inside it.

    Raises
    ------
    ParameterError
        If ``measure`` is not ``"revenue"`` or ``"logo"``.

    References
    ----------
    ChartMogul, "Cohort analysis"; definition key ``cohort_retention``.
    """
    if measure not in ("revenue", "logo"):
        raise ParameterError(f"`measure` must be 'revenue' or 'logo', got {measure!r}.")
    p = Period.parse(period)
    if (note := after_data(dataset, p)) is not None:
        return note
    anchor = quarter_anchor(p)
    cells, sizes, labels = _shown_cohorts(
        dataset, anchor, measure=measure, max_age=max(int(max_age_quarters), 1), cohorts=cohorts
    )
    what = "Revenue" if measure == "revenue" else "Logo"
    if cells.empty:
        return Callout.of(
            f"No quarterly cohort up to {p.label} has a later quarter inside the data "
            f"({fmt_month_id(dataset.first_month)} to {fmt_month_id(dataset.last_month)}), "
            "so cohort retention cannot be shown."
        )

    with house_style():
        fig, ax = new_figure(WIDTH_IN, max(1.9, 0.75 + 0.3 * len(cells)))
        _draw_heatmap(ax, cells, sizes, labels)
        observed = fmt_month_id(anchor.last_month)
        alt = f"{what} retention of {_which(labels)}, observed to {observed}: " + (
            f"{_latest(cells, labels, 0)}, {_latest(cells, labels, len(cells) - 1)}."
            if len(cells) > 1
            else f"{_latest(cells, labels, 0)}."
        )
        base = (
            "its MRR at the end of the quarter that many quarters later, as % of its MRR at the "
            f"end of its first quarter (expansion included, so it can exceed "
            f"{fmt_percent(1.0, digits=0)})"
            if measure == "revenue"
            else "the share of its accounts still paying at the end of the quarter that many "
            "quarters later"
        )
        caption = (
            f"Cohort: the first quarter at whose end an account paid. Cell: {base}. "
            f"Observed to {observed}; accounts already paying when the "
            f"data starts ({fmt_month_id(dataset.first_month)}) form no cohort."
        )
        return figure_block(
            fig,
            title=f"{what} retention by quarterly cohort, to {p.label}",
            alt=alt,
            caption=caption,
            definitions=("cohort_retention",),
        )


def _shown_cohorts(
    dataset: Dataset, anchor: Period, *, measure: str, max_age: int, cohorts: int
) -> tuple[pd.DataFrame, pd.Series, list[Period]]:
    """The cells, sizes and quarters of the cohorts shown (rows), ages 1 and later (columns).

    The quarterly cohort table (:func:`cohort_retention` with ``step_months=3``
    on the books up to ``anchor``) without the cohorts that started before the
    data (their start is not in it) and those with no later quarter observed;
    the latest ``cohorts`` of the rest, and the ages observed in any of them.
    """
    table = cohort_retention(
        dataset.mrr, last_month=anchor.last_month, measure=measure, max_age=max_age,
        step_months=3,
    )
    quarters = [anchor.shift(int(k)) for k in (table.index.asi8 - anchor.last_month.ordinal) // 3]
    in_data = np.array([q.first_month > dataset.first_month for q in quarters], dtype=bool)
    ages = [c for c in table.columns if c != "accounts" and int(c) >= 1]
    cells = table.loc[in_data, ages]
    sizes = table.loc[in_data, "accounts"]
    labels = [q for q, ok in zip(quarters, in_data, strict=True) if ok]
    has_later = cells.notna().any(axis=1).to_numpy()
    cells, sizes = cells[has_later], sizes[has_later]
    labels = [q for q, ok in zip(labels, has_later, strict=True) if ok]
    cells, sizes, labels = cells.iloc[-cohorts:], sizes.iloc[-cohorts:], labels[-cohorts:]
    return cells.loc[:, cells.notna().any(axis=0)], sizes, labels


def _draw_heatmap(
    ax: Axes, cells: pd.DataFrame, sizes: pd.Series, labels: Sequence[Period]
) -> None:
    """One coloured cell per cohort and age, its percent written in it; the oldest cohort on top.

    100% sits mid-ramp; the darkest cell is the highest retention.
    """
    data = cells.to_numpy(float)
    finite = data[np.isfinite(data)]
    low = max(0.0, min(float(finite.min()), 1.0) - 0.25)
    norm = Normalize(vmin=low, vmax=max(float(finite.max()), 1.05))
    n_rows, n_cols = data.shape
    ax.pcolormesh(
        np.arange(n_cols + 1) - 0.5,
        np.arange(n_rows + 1) - 0.5,
        np.ma.masked_invalid(data),
        cmap=SEQUENTIAL,
        norm=norm,
        edgecolors="white",
        linewidth=1.2,
    )
    ax.set_ylim(n_rows - 0.5, -0.5)  # the oldest cohort on top
    for (i, j), v in np.ndenumerate(data):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                fmt_percent(v, digits=0),
                ha="center",
                va="center",
                fontsize=8,
                color=text_colour_on(SEQUENTIAL(norm(v))),
            )
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xticks(np.arange(n_cols), [str(int(c)) for c in cells.columns])
    ax.set_yticks(
        np.arange(n_rows),
        [f"{short(q)}  ({fmt_count(n)})" for q, n in zip(labels, sizes, strict=True)],
    )
    ax.tick_params(length=0)
    ax.set_xlabel("Quarters since the cohort's first quarter")
    ax.set_ylabel("Cohort (accounts)")


def _which(labels: Sequence[Period]) -> str:
    """"the 8 quarterly cohorts from 2024Q3 to 2026Q2" or "the 2026Q2 cohort"."""
    if len(labels) > 1:
        return f"the {len(labels)} quarterly cohorts from {short(labels[0])} to {short(labels[-1])}"
    return f"the {short(labels[0])} cohort"


def _latest(cells: pd.DataFrame, labels: Sequence[Period], row: int) -> str:
    """What a cohort keeps at its latest age observed: "the 2024Q3 cohort keeps 119% after 8..."."""
    data = cells.to_numpy(float)
    j = int(np.flatnonzero(np.isfinite(data[row]))[-1])
    age = int(cells.columns[j])
    return (
        f"the {short(labels[row])} cohort keeps {fmt_percent(data[row, j], digits=0)}"
        f" after {age} quarter{'s' if age > 1 else ''}"
    )
