"""The adoption chart: active users against licensed seats, month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.metrics.adoption import seat_utilization_trend
from cslib.periods import Period, month_label
from cslib.present.blocks import Callout
from cslib.present.charts._draw import (
    WIDTH_IN,
    ChartBlock,
    as_float,
    end_labels,
    figure_block,
    label_gap,
    label_room,
)
from cslib.present.charts._periods import after_data, month_tick_labels
from cslib.present.formats import fmt_count, fmt_percent
from cslib.present.style import PALETTE, count_axis, house_style, new_figure

__all__ = ["adoption_chart"]


def _no_usage(where: str) -> Callout:
    return Callout.of(
        f"No usage data (active users, licensed seats) {where}, so adoption cannot be shown."
    )


def adoption_chart(
    dataset: Dataset, *, period: Period | str, months: int = 12
) -> ChartBlock | None:
    """Active users against licensed seats, month by month, summed over the dataset's accounts.

    The trailing ``months`` months ending with ``period``'s last month (those
    inside the data). Works for the whole company, a segment or one customer
    (pass ``dataset.subset([...])``). Seat utilization = active users /
    licensed seats (:func:`cslib.metrics.adoption.seat_utilization`), written
    at the last month.

    Parameters
    ----------
    dataset : Dataset
        Uses ``usage``.
    period : Period or str
        Its last month is the last month shown.
    months : int, default 12
        How many months, at most.

    Returns
    -------
    Figure, Callout or None
        A Callout when the period ends after the data, the usage table is
        empty or there is no licensed seat in those months; ``None`` (nothing
        displayed) when the data has no ``usage`` table at all: the section's
        summary (:func:`cslib.present.narrative.adoption_summary`) says so.

    References
    ----------
    Definition key ``seat_utilization``.
    """
    p = Period.parse(period)
    if (note := after_data(dataset, p)) is not None:
        return note
    usage = dataset.get("usage")
    if usage is None:
        return None
    if usage.empty:
        return _no_usage("in the dataset")
    last = p.last_month
    span = [
        m
        for m in pd.period_range(last - (max(int(months), 1) - 1), last, freq="M")
        if m >= dataset.first_month
    ]
    rows = seat_utilization_trend(usage, months=span)
    if rows["licensed_seats"].sum() == 0:
        return _no_usage(f"from {month_label(span[0])} to {month_label(span[-1])}")
    active = rows["active_users"].to_numpy(float)
    seats = rows["licensed_seats"].to_numpy(float)
    util = as_float(rows["seat_utilization"].iloc[-1])

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.8)
        x = np.arange(len(span))
        ax.plot(x, seats, color=PALETTE.muted, linestyle=(0, (4, 2)), marker="s", markersize=3)
        ax.plot(x, active, color=PALETTE.primary, marker="o", markersize=3.5)
        ax.fill_between(x, 0, active, color=PALETTE.primary, alpha=0.10, linewidth=0)
        ax.set_ylim(0, max(seats.max(), active.max()) * 1.12)
        texts = [f"Licensed seats {fmt_count(seats[-1])}", f"Active users {fmt_count(active[-1])}"]
        ys = end_labels(ax, fig, x[-1] + 0.3, [seats[-1], active[-1]], texts,
                        [PALETTE.muted, PALETTE.primary], gap_points=11)  # fmt: skip
        ax.text(
            x[-1] + 0.3,
            min(ys) - label_gap(ax, fig, 12),
            f"{fmt_percent(util)} utilization",
            va="center",
            ha="left",
            fontsize=8.5,
            color=PALETTE.text,
        )
        ax.set_xlim(-0.4, len(span) - 1 + label_room(texts, len(span)))
        ax.spines["bottom"].set_bounds(0, len(span) - 1)
        ax.set_xticks(x, month_tick_labels(span))
        ax.set_ylabel("Users / seats")
        count_axis(ax)
        alt = (
            f"Active users and licensed seats from {month_label(span[0])} to "
            f"{month_label(span[-1])}: in {month_label(span[-1])} {fmt_count(active[-1])} "
            f"active users on {fmt_count(seats[-1])} licensed seats, {fmt_percent(util)} "
            "utilization."
        )
        caption = (
            "Summed over the accounts in this report; seat utilization = active users / "
            "licensed seats."
        )
        if len(span) < months:
            caption += f" Only {len(span)} months are inside the data."
        return figure_block(
            fig,
            title=f"Active users and licensed seats, {len(span)} months to {p.label}",
            alt=alt,
            caption=caption,
            definitions=("seat_utilization",),
        )
