"""The adoption chart: active users against licensed seats, month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.metrics.adoption import seat_utilization_trend
from cslib.periods import Period
from cslib.present.blocks import Callout
from cslib.present.charts._draw import WIDTH_PT, ChartBlock, as_float, canvas_block, spread
from cslib.present.charts._periods import after_data, month_tick_labels
from cslib.present.charts._svg import (
    LABEL_PAD,
    LABEL_SIZE,
    PAD,
    TICK,
    TICK_PAD,
    TICK_SIZE,
    Canvas,
    Frame,
    nice_ticks,
    text_height,
)
from cslib.present.formats import fmt_count, fmt_month, fmt_month_id, fmt_percent
from cslib.present.style import PALETTE
from cslib.typeface import text_width

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
        return _no_usage(f"from {fmt_month_id(span[0])} to {fmt_month_id(span[-1])}")
    # Months before the first licensed seat (before a customer's contract) are not
    # "0 users on 0 seats": the lines start at the first month with seats.
    first = int(np.argmax(rows["licensed_seats"].to_numpy(float) > 0))
    span, rows = span[first:], rows.iloc[first:]
    active = rows["active_users"].to_numpy(float)
    seats = rows["licensed_seats"].to_numpy(float)
    util = as_float(rows["seat_utilization"].iloc[-1])

    canvas = _draw_adoption(active, seats, util, month_tick_labels(span))
    alt = (
        f"Active users and licensed seats from {fmt_month_id(span[0])} to "
        f"{fmt_month_id(span[-1])}: in {fmt_month_id(span[-1])} {fmt_count(active[-1])} "
        f"active users on {fmt_count(seats[-1])} licensed seats, {fmt_percent(util)} "
        "utilization."
    )
    one = dataset.accounts["account_id"].nunique() == 1
    caption = ("Seat utilization = active users / licensed seats." if one else
               "Summed over the accounts in this report; seat utilization = active users / "
               "licensed seats.")
    if first and one:
        caption += f" The subscription's seats start in {fmt_month(span[0])}."
    elif len(span) < months:
        caption += f" Only {len(span)} months are inside the data."
    return canvas_block(
        canvas,
        title=f"Active users and licensed seats, {len(span)} months to {p.label}",
        alt=alt,
        caption=caption,
        definitions=("seat_utilization",),
    )


def _draw_adoption(active: np.ndarray, seats: np.ndarray, util: float,
                   months: list[str]) -> Canvas:
    """Licensed seats (dashed, squares) and active users (solid, dots, shaded) by month.

    Each line is labelled at its end, with the utilization under them; the
    x axis leaves room right of the last month for the widest label.
    """
    height = 72.0 * 2.8
    n = len(active)
    canvas = Canvas(WIDTH_PT, height)
    texts = [f"Licensed seats {fmt_count(seats[-1])}", f"Active users {fmt_count(active[-1])}"]
    top_value = max(float(seats.max()), float(active.max())) * 1.12
    lines = max(label.count("\n") + 1 for label in months)
    bottom = height - PAD - text_height(lines) - TICK_PAD - TICK
    ticks = nice_ticks(0.0, top_value, bottom - PAD - 4.0, horizontal=False, integer=True)
    tick_labels = [fmt_count(round(t)) for t in ticks]
    left = (PAD + text_height(size=LABEL_SIZE) + LABEL_PAD
            + max(text_width(t, TICK_SIZE) for t in tick_labels) + TICK_PAD + TICK)
    right = WIDTH_PT - PAD
    label_w = max(text_width(t, 8.5, bold=True) for t in texts)
    per_month = (right - left - label_w - 4.0) / (n - 1 + 0.7)
    frame = Frame(canvas, left=left, top=PAD + 4.0, right=right, bottom=bottom, x0=-0.4,
                  x1=-0.4 + (right - left) / per_month, y0=0.0, y1=top_value)
    frame.grid_y(ticks)
    xs = [frame.x(i) for i in range(n)]
    ya = [frame.y(v) for v in active]
    canvas.polygon([(xs[0], frame.y(0)), *zip(xs, ya, strict=True), (xs[-1], frame.y(0))],
                   PALETTE.primary, opacity=0.10)
    ys = [frame.y(v) for v in seats]
    canvas.line(list(zip(xs, ys, strict=True)), PALETTE.muted, 1.8, dash=(7.2, 3.6))
    for x, y in zip(xs, ys, strict=True):
        canvas.marker(x, y, "s", 4.0, PALETTE.muted)  # 3 pt and a 1 pt edge
    canvas.line(list(zip(xs, ya, strict=True)), PALETTE.primary, 1.8)
    for x, y in zip(xs, ya, strict=True):
        canvas.marker(x, y, "o", 4.5, PALETTE.primary)
    at = frame.x(n - 1 + 0.3)
    label_ys = spread([ys[-1], ya[-1]], 11.0)
    for y, text, colour in zip(label_ys, texts, (PALETTE.muted, PALETTE.primary), strict=True):
        canvas.text(at, y, text, size=8.5, bold=True, colour=colour)
    canvas.text(at, max(label_ys) + 12.0, f"{fmt_percent(util)} utilization", size=8.5)
    frame.left_spine()
    frame.bottom_spine(0.0, n - 1.0)
    frame.x_ticks(list(range(n)), months)
    widest = frame.y_ticks(ticks, tick_labels)
    canvas.text(frame.left - TICK - TICK_PAD - widest - LABEL_PAD, (frame.top + frame.bottom) / 2,
                "Users / seats", size=LABEL_SIZE, ha="center", va="bottom", rotate=True)
    return canvas
