"""Revenue charts: the ARR bridge (a waterfall) and the NRR, GRR and logo retention trend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import MaxNLocator

from cslib.data.dataset import Dataset
from cslib.metrics.revenue import arr_bridge, retention_trend
from cslib.periods import Period
from cslib.present.blocks import Callout
from cslib.present.charts._draw import (
    WIDTH_IN,
    ChartBlock,
    as_float,
    axis_break,
    end_labels,
    figure_block,
    label_room,
    signed_money,
)
from cslib.present.charts._periods import (
    after_data,
    outside_data,
    period_tick_labels,
    quarters_to,
    short,
    trailing_quarters,
)
from cslib.present.formats import (
    fmt_money,
    fmt_money_pair,
    fmt_month_id,
    fmt_percent,
    fmt_signed_percent,
    money_digits,
)
from cslib.present.locale import active
from cslib.present.style import PALETTE, house_style, money_axis, new_figure, percent_axis

__all__ = ["arr_bridge_chart", "retention_trend_chart", "waterfall_steps"]

_STEPS = (
    ("starting", "Starting\nARR"),
    ("new", "New"),
    ("expansion", "Expansion"),
    ("reactivation", "Reactivation"),
    ("contraction", "Contraction"),
    ("churn", "Churn"),
    ("ending", "Ending\nARR"),
)


def waterfall_steps(bridge: pd.Series) -> pd.DataFrame:
    """The bars of the ARR waterfall, from one column of :func:`cslib.arr_bridge`.

    Parameters
    ----------
    bridge : pandas.Series
        ARR by step: ``starting``, ``new``, ``expansion``, ``reactivation``,
        ``contraction`` (<= 0), ``churn`` (<= 0), ``ending`` (currency units).

    Returns
    -------
    pandas.DataFrame
        One row per step in bridge order, indexed by step: ``label``, ``kind``
        (``"total"``, ``"increase"`` or ``"decrease"``), ``value`` (the
        bridge's number, unchanged), ``bottom`` and ``top`` (where the bar
        starts and ends; a movement starts at the running total before it)
        and ``level`` (the running total after the step, where the connector
        to the next bar is drawn). The last movement's ``level`` equals the
        ending ARR whenever the bridge balances.

    Examples
    --------
    >>> s = pd.Series({"starting": 100.0, "new": 20.0, "expansion": 5.0, "reactivation": 0.0,
    ...                "contraction": -3.0, "churn": -10.0, "ending": 112.0})
    >>> waterfall_steps(s)[["bottom", "top"]].loc["churn"].tolist()
    [112.0, 122.0]
    """
    rows, running = [], 0.0
    for step, label in _STEPS:
        value = float(bridge[step])
        if step in ("starting", "ending"):
            kind, bottom, top = "total", 0.0, value
            running = value
        else:
            kind = "decrease" if value < 0 or step in ("contraction", "churn") else "increase"
            bottom, top = min(running, running + value), max(running, running + value)
            running += value
        rows.append(
            {
                "step": step,
                "label": label,
                "kind": kind,
                "value": value,
                "bottom": bottom,
                "top": top,
                "level": running,
            }
        )
    return pd.DataFrame(rows).set_index("step")


def arr_bridge_chart(dataset: Dataset, *, period: Period | str) -> ChartBlock:
    """The ARR bridge of a period as a waterfall.

    Bars: starting ARR, then + new, + expansion, + reactivation, − contraction,
    − churn, and ending ARR (ARR = 12 x MRR). Movements are ChartMogul's MRR
    movements summed month by month over the period, so the bars always add
    up: start + new + expansion + reactivation − contraction − churn = end.
    Increases are green, decreases vermillion, totals blue, each labelled in
    compact money ($1.2M). When the movements are small next to the totals,
    the ARR axis starts above zero (marked with a break on the axis and said
    in the caption) so the movements stay visible.

    Parameters
    ----------
    dataset : Dataset
        Uses ``mrr``.
    period : Period or str
        ``"2026Q3"`` compares 2026-06 (start book) with 2026-09 (end book).

    Returns
    -------
    Figure or Callout
        A Callout when the period is not inside the data or no account paid.

    References
    ----------
    ChartMogul, "MRR movements"; definition key ``arr_bridge``.
    """
    p = Period.parse(period)
    if (note := outside_data(dataset, p)) is not None:
        return note
    bridge = arr_bridge(dataset.mrr, period=p)["total"]
    steps = waterfall_steps(bridge)
    if not steps["value"].abs().gt(0).any():
        return Callout.of(
            f"No ARR in {p.label}: no account paid from "
            f"{fmt_month_id(p.start_book)} to {fmt_month_id(p.end_book)}."
        )
    moves = steps[steps["kind"] != "total"]
    start, end = float(bridge["starting"]), float(bridge["ending"])
    levels = np.r_[moves["bottom"], moves["top"], start, end]
    lo, hi = float(levels.min()), float(levels.max())
    truncate = lo > 0 and 0 < hi - lo < 0.35 * hi  # flat (no movement): keep zero

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 3.1)
        axis_from = _draw_waterfall(ax, steps, lo=lo, hi=hi, truncate=truncate)
        alt, caption = _bridge_words(p, bridge, axis_from=axis_from if truncate else None)
        return figure_block(
            fig,
            title=f"ARR bridge, {p.label}",
            alt=alt,
            caption=caption,
            definitions=("arr_bridge",),
        )


def _draw_waterfall(
    ax: Axes, steps: pd.DataFrame, *, lo: float, hi: float, truncate: bool
) -> float:
    """The waterfall's bars, dashed connectors at the running total, value labels and axes.

    With ``truncate`` the ARR axis starts at a round value below the lowest
    movement (``lo``), marked with a break; else at zero. Returns where the
    ARR axis starts.
    """
    span = hi - lo
    colours = {"total": PALETTE.total, "increase": PALETTE.positive, "decrease": PALETTE.negative}
    x = np.arange(len(steps))
    heights = (steps["top"] - steps["bottom"]).to_numpy()
    ax.bar(
        x,
        heights,
        bottom=steps["bottom"],
        width=0.62,
        color=[colours[k] for k in steps["kind"]],
    )
    tops = steps["top"].to_numpy()
    levels_after = steps["level"].to_numpy()
    for i in range(len(steps) - 1):  # connectors at the running total
        ax.plot(
            [i + 0.31, i + 1 - 0.31],
            [levels_after[i], levels_after[i]],
            color=PALETTE.edge,
            linewidth=0.6,
            linestyle=(0, (2, 2)),
        )
    if truncate:  # start the axis at a round value below the lowest movement
        margin = max(0.55 * span, 0.03 * hi)
        ticks = MaxNLocator(nbins=7).tick_values(lo - margin, hi)
        ax.set_ylim(max(0.0, float(ticks[ticks <= lo - margin * 0.5].max())), hi + 0.35 * margin)
    else:
        ax.set_ylim(min(0.0, lo), hi + 0.12 * max(hi, span))
    y_lo, y_hi = ax.get_ylim()
    pad = (y_hi - y_lo) * 0.015
    totals = steps.loc[steps["kind"] == "total", "value"].to_numpy(float)
    # start and end told apart ("$1.26M" and "$1.32M", never "$1.3M" twice)
    digits = money_digits(totals[0], totals[-1]) if len(totals) >= 2 else 1
    for i, (kind, value) in enumerate(zip(steps["kind"], steps["value"], strict=True)):
        text = (fmt_money(value, compact=True, digits=digits) if kind == "total"
                else signed_money(value))
        ax.text(
            i,
            tops[i] + pad,
            text,
            ha="center",
            va="bottom",
            fontsize=8.5,
            fontweight="bold" if kind == "total" else "normal",
        )
    ax.set_xticks(x, list(steps["label"]))
    ax.tick_params(axis="x", length=0)
    money_axis(ax)
    ax.set_ylabel(f"ARR ({active().symbol()})")
    if truncate:
        axis_break(ax)
    ax.set_xlim(-0.5, len(steps) - 0.5)
    return y_lo


def _bridge_words(p: Period, bridge: pd.Series, *, axis_from: float | None) -> tuple[str, str]:
    """The bridge's alt text and caption (``axis_from``: where a truncated ARR axis starts)."""
    start, end = float(bridge["starting"]), float(bridge["ending"])
    change = (end - start) / start if start else None
    shown_start, shown_end = fmt_money_pair(start, end)
    alt = (
        f"ARR bridge for {p.label}: starting ARR {shown_start}; "
        + ", ".join(
            f"{step} {signed_money(float(bridge[step]))}"
            for step in ("new", "expansion", "reactivation", "contraction", "churn")
        )
        + f"; ending ARR {shown_end}"
        + (f" ({fmt_signed_percent(change)})." if change is not None else ".")
    )
    caption = (
        f"ARR = 12 × MRR. Starting ARR is {fmt_month_id(p.start_book)}, ending ARR "
        f"{fmt_month_id(p.end_book)}; movements are summed month by month (ChartMogul)."
    )
    if axis_from is not None:
        caption += f" The ARR axis starts at {fmt_money(axis_from, compact=True)}, not at zero."
    return alt, caption


_RETENTION_LINES = (
    ("nrr", "NRR", PALETTE.primary, "o"),
    ("grr", "GRR", PALETTE.secondary, "s"),
    ("logo_retention", "Logo retention", PALETTE.positive, "^"),
)


def retention_trend_chart(
    dataset: Dataset, *, period: Period | str, quarters: int = 8
) -> ChartBlock:
    """NRR, GRR and logo retention for each of the trailing quarters, one line each.

    For each quarter (its start book vs its end book), over the accounts paying
    in the start book: NRR = their end MRR / their start MRR, GRR = the same
    with each account capped at its start MRR, logo retention = the share still
    paying (SaaS Capital retention; computed by
    :func:`cslib.metrics.revenue.retention_trend`). The last point of each line
    carries its value. Only quarters whose start book is inside the data are shown.

    Parameters
    ----------
    dataset : Dataset
        Uses ``mrr``.
    period : Period or str
        The last quarter shown; a month or year stands for the quarter
        (three months) ending with its last month.
    quarters : int, default 8
        How many quarters, at most.

    Returns
    -------
    Figure or Callout
        A Callout when the period ends after the data or no such quarter lies
        inside the data.

    References
    ----------
    SaaS Capital, "Net revenue retention", "Gross revenue retention";
    definition keys ``nrr``, ``grr``, ``logo_retention``.
    """
    p = Period.parse(period)
    if (note := after_data(dataset, p)) is not None:
        return note
    qs, left_out = trailing_quarters(dataset, p, quarters, need_start_book=True)
    if not qs:
        return Callout.of(
            f"No quarter up to {p.label} lies inside the data "
            f"({fmt_month_id(dataset.first_month)} to {fmt_month_id(dataset.last_month)}) "
            "with its opening month, so retention cannot be shown."
        )
    rows = retention_trend(dataset.mrr, periods=qs)
    values = {key: np.array([as_float(v) for v in rows[key]]) for key, *_ in _RETENTION_LINES}
    if not any(np.isfinite(v).any() for v in values.values()):
        return Callout.of(f"No account paid at the start of any quarter up to {p.label}.")

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.9)
        _draw_retention(ax, fig, values, qs)
        last = rows.iloc[-1]
        alt = (
            f"Quarterly retention from {short(qs[0])} to {short(qs[-1])}; in {short(qs[-1])} "
            f"NRR was {fmt_percent(as_float(last['nrr']))}, GRR "
            f"{fmt_percent(as_float(last['grr']))} and logo retention "
            f"{fmt_percent(as_float(last['logo_retention']))}."
        )
        caption = (
            "Each quarter compares its start book with its end book over the accounts paying "
            "at the start: NRR and GRR as % of their starting MRR, logo retention as % of "
            "those accounts; new accounts count in neither."
        )
        if left_out:
            caption += (
                f" {left_out} earlier quarter{'s' if left_out > 1 else ''} not shown: the data "
                f"starts in {fmt_month_id(dataset.first_month)}."
            )
        return figure_block(
            fig,
            title=f"Revenue and logo retention, {quarters_to(qs, p)}",
            alt=alt,
            caption=caption,
            definitions=("nrr", "grr", "logo_retention"),
        )


def _draw_retention(
    ax: Axes, fig: MplFigure, values: dict[str, np.ndarray], qs: Sequence[Period]
) -> None:
    """One line per rate, a 100% line when in view, each line's last value written at its end."""
    x = np.arange(len(qs))
    for key, _label, colour, marker in _RETENTION_LINES:
        ax.plot(x, values[key], color=colour, marker=marker, markersize=4)
    finite = np.concatenate([v[np.isfinite(v)] for v in values.values()])
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < 0.05:  # at least 5 points tall, so ticks stay whole percents
        mid = (hi + lo) / 2
        lo, hi = mid - 0.025, mid + 0.025
    span = hi - lo
    ax.set_ylim(lo - 0.15 * span, hi + 0.15 * span)
    if lo - 0.15 * span < 1.0 < hi + 0.15 * span:  # 100%, up to the last quarter
        ax.hlines(1.0, -0.35, len(qs) - 1 + 0.1, color=PALETTE.edge, linewidth=0.7, zorder=1)
    last_vals, texts, colours = [], [], []
    for key, label, colour, _marker in _RETENTION_LINES:
        v = values[key]
        idx = np.flatnonzero(np.isfinite(v))
        if idx.size:
            last_vals.append(float(v[idx[-1]]))
            texts.append(f"{label} {fmt_percent(v[idx[-1]])}")
            colours.append(colour)
    end_labels(ax, fig, len(qs) - 1 + 0.25, last_vals, texts, colours, gap_points=10.5)
    ax.set_xlim(-0.35, len(qs) - 1 + label_room(texts, len(qs), left=0.35))
    ax.spines["bottom"].set_bounds(0, len(qs) - 1)
    ax.set_xticks(x, period_tick_labels(qs))
    percent_axis(ax)
    ax.set_ylabel("Retention (%)")
