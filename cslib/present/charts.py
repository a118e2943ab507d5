"""Every chart of the reports, drawn in the house style and returned as report blocks.

Each function takes a :class:`~cslib.Dataset` first and everything else by
keyword, and returns a :class:`cslib.present.blocks.Figure`: the chart as
deterministic SVG, a title that names the period (or the as-of day), a
one-sentence ``alt`` text with the key figures, a caption saying what is
shown, and the keys of the definitions it relies on. When the data a chart
needs is missing (an optional table not supplied, no rows in the period) it
returns a :class:`~cslib.present.blocks.Callout` that says so plainly instead
of raising.

The numbers come from :mod:`cslib.metrics`; this module only lays them out
(it computes no metric of its own). Charts are drawn with matplotlib's object
API (no ``pyplot``) and released once rendered, so nothing stays open.

Examples
--------
>>> import cslib
>>> from cslib.metrics.health import load_health_config
>>> ds = cslib.load("data/sample")                                  # doctest: +SKIP
>>> arr_bridge_chart(ds, period="2026Q3")                           # doctest: +SKIP
[chart] ARR bridge, 2026Q3
>>> qbr = ds.subset(["A0076"])                                      # doctest: +SKIP
>>> goal_progress_chart(qbr, as_of="2026-10-31")                    # doctest: +SKIP
[chart] Success-plan goals on 2026-10-31
>>> health_distribution_chart(ds, as_of="2026-10-31",
...     config=load_health_config("params/health.yaml"))            # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from cslib.data.contract import STRENGTHS
from cslib.data.dataset import Dataset
from cslib.errors import ParameterError
from cslib.metrics.adoption import seat_utilization, seat_utilization_trend
from cslib.metrics.cohorts import cohort_retention
from cslib.metrics.definitions import lacks, recorded
from cslib.metrics.health import HealthConfig, account_measures, health_scores
from cslib.metrics.outcomes import OPEN_GOAL_STATUSES, goal_progress
from cslib.metrics.relationships import relationship_summary
from cslib.metrics.revenue import arr_bridge, retention_trend
from cslib.metrics.satisfaction import (
    DETRACTOR_MAX,
    MIN_RESPONSES,
    PROMOTER_MIN,
    nps_breakdown,
    satisfaction_trend,
)
from cslib.periods import Period, latest_complete_quarter, month_label
from cslib.present.blocks import Callout, Figure
from cslib.present.formats import (
    fmt_count,
    fmt_money,
    fmt_percent,
    fmt_score,
)
from cslib.present.style import (
    PALETTE,
    SEQUENTIAL,
    count_axis,
    drawable_text,
    drawn_text,
    house_style,
    money_axis,
    new_figure,
    percent_axis,
    points_axis,
    text_colour_on,
    to_svg,
)

__all__ = [
    "GOAL_STATUSES",
    "STRENGTHS",
    "adoption_chart",
    "arr_bridge_chart",
    "cohort_heatmap",
    "goal_progress_chart",
    "health_distribution_chart",
    "nps_breakdown_chart",
    "relationship_coverage_chart",
    "retention_trend_chart",
    "satisfaction_trend_chart",
    "seat_utilization_chart",
    "waterfall_steps",
]

ChartBlock = Figure | Callout

WIDTH_IN = 6.5  # a report column at 100%


#: Goal statuses in the order the goal chart lists them, with their colours.
GOAL_STATUSES: dict[str, str] = {
    "achieved": PALETTE.positive,
    "on_track": PALETTE.primary,
    "at_risk": PALETTE.secondary,
    "missed": PALETTE.negative,
    "not_started": PALETTE.neutral,
}

SMALL_SAMPLE = MIN_RESPONSES  # fewer NPS responses: drawn hollow, no margin of error quoted

_QUARTER_LABEL = re.compile(r"^(\d{4})Q([1-4])$")


# Small helpers ---------------------------------------------------------------------


def _truncate(text: object, width: int) -> str:
    """``text`` on one line, drawable (:func:`drawable_text`), cut to ``width`` characters."""
    s = " ".join(drawable_text(str(text)).split())
    return s if len(s) <= width else s[: width - 1].rstrip() + "…"


def _minus(text: str) -> str:
    """Typographic minus for a leading sign."""
    return "−" + text[1:] if text.startswith("-") else text


def _signed_money(value: float) -> str:
    """``+$1.2K``, ``−$1.2K``, or ``$0``."""
    if value == 0:
        return fmt_money(0.0, compact=True)
    sign = "−" if value < 0 else "+"
    return sign + fmt_money(abs(value), compact=True)


def _signed_score(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt_score(None)
    return _minus(f"{value:+.{digits}f}")


def _float(value: object) -> float:
    """A metric value as float, ``None`` (undefined) as NaN."""
    return float("nan") if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _day(as_of: str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize()


def _quarter_anchor(period: Period) -> Period:
    """The quarter ending with ``period``'s last month.

    A quarter is returned as is; otherwise the fiscal quarter ending that month
    when there is one, else the three months ending it (labelled ``first..last``).
    """
    if period.kind == "quarter":
        return period
    fy = period.fiscal_year_start_month
    q = latest_complete_quarter(period.last_month, fiscal_year_start_month=fy)
    if q.last_month == period.last_month:
        return q
    first = period.last_month - 2
    label = f"{month_label(first)}..{month_label(period.last_month)}"
    return Period(label, first, period.last_month, "quarter", fy)


def _trailing_quarters(
    dataset: Dataset, period: Period, n: int, *, need_start_book: bool
) -> tuple[list[Period], int]:
    """The up to ``n`` quarters ending with ``period``'s last month that the data covers.

    A quarter is kept when it ends by the data's last month and, with
    ``need_start_book``, when its start book is inside the data (else when its
    first month is). Returns ``(quarters, how many were left out)``.
    """
    anchor = _quarter_anchor(period)
    wanted = [anchor.shift(-k) for k in reversed(range(max(int(n), 1)))]
    first_ok = dataset.first_month
    kept = [
        q
        for q in wanted
        if q.last_month <= dataset.last_month
        and (q.start_book if need_start_book else q.first_month) >= first_ok
    ]
    return kept, len(wanted) - len(kept)


def _period_tick_labels(quarters: Sequence[Period], *, short_year: bool = False) -> list[str]:
    """Two-line quarter labels ("Q3" over "2026"), the year on the first tick and when it changes.

    ``short_year`` writes "’26" (for narrow panels, where "2025" next to "2026"
    would touch).
    """
    out, last_year = [], None
    for q in quarters:
        if m := _QUARTER_LABEL.match(q.label):
            top, year = f"Q{m.group(2)}", m.group(1)
        else:
            top = f"{q.first_month.strftime('%b')}–{q.last_month.strftime('%b')}"
            year = str(q.last_month.year)
        shown = f"’{year[2:]}" if short_year else year
        out.append(f"{top}\n{shown}" if year != last_year else top)
        last_year = year
    return out


def _short(quarter: Period) -> str:
    """A quarter's label, or "Aug–Oct 2026" for three months that are not a fiscal quarter."""
    if _QUARTER_LABEL.match(quarter.label):
        return quarter.label
    first, last = quarter.first_month, quarter.last_month
    if first.year == last.year:
        return f"{first.strftime('%b')}–{last.strftime('%b')} {last.year}"
    return f"{first.strftime('%b')} {first.year}–{last.strftime('%b')} {last.year}"


def _month_tick_labels(months: Sequence[pd.Period]) -> list[str]:
    out, last_year = [], None
    for m in months:
        out.append(f"{m.strftime('%b')}\n{m.year}" if m.year != last_year else m.strftime("%b"))
        last_year = m.year
    return out


def _range_label(quarters: Sequence[Period]) -> str:
    return (
        _short(quarters[-1])
        if len(quarters) == 1
        else f"{_short(quarters[0])} to {_short(quarters[-1])}"
    )


def _quarters_to(quarters: Sequence[Period], period: Period) -> str:
    """How many quarters are shown, ending with ``period``: "8 quarters to 2026Q3"."""
    n = len(quarters)
    last = period.label if quarters[-1].last_month == period.last_month else _short(quarters[-1])
    return f"{n} quarter{'s' if n != 1 else ''} to {last}"


def _spread(values: Sequence[float], gap: float) -> list[float]:
    """Positions near ``values`` at least ``gap`` apart (for labels at line ends)."""
    order = np.argsort(values, kind="stable")
    pos = np.asarray(values, dtype=float)[order]
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    pos -= (pos.mean() - np.asarray(values, dtype=float)[order].mean()) if len(pos) else 0
    for i in range(1, len(pos)):  # re-check after centring
        pos[i] = max(pos[i], pos[i - 1] + gap)
    out = np.empty_like(pos)
    out[order] = pos
    return out.tolist()


def _label_room(
    texts: Sequence[str],
    n_points: int,
    *,
    fontsize: float = 8.5,
    axes_in: float = 5.6,
    left: float = 0.4,
) -> float:
    """Room (x units) to add right of the last of ``n_points`` so ``texts`` fit inside the axes.

    Estimates the widest text (0.62 em per character, bold) against an axes
    ``axes_in`` inches wide whose x axis runs from ``-left`` to the last point
    plus the room.
    """
    text_in = max(len(t) for t in texts) * 0.62 * fontsize / 72.0 + 0.12
    if text_in >= axes_in * 0.8:
        text_in = axes_in * 0.8
    span = n_points - 1 + left
    return (0.25 + text_in * span / axes_in) / (1.0 - text_in / axes_in)


def _label_gap(ax: Axes, fig: MplFigure, points: float) -> float:
    """``points`` of vertical space in ``ax``'s data units (approximate, before layout)."""
    lo, hi = ax.get_ylim()
    axes_pt = fig.get_figheight() * 72.0 * 0.72
    return (hi - lo) * points / axes_pt


def _hbar_axes(ax: Axes) -> None:
    """Horizontal bars: grid on x only, no y ticks."""
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.tick_params(axis="y", length=0)


def _top_legend(fig: MplFigure, handles: Sequence[Any]) -> None:
    """One row of legend entries above the plot, at the figure's left (inside the layout)."""
    fig.legend(handles=handles, loc="outside upper left", ncols=len(handles))


def _after_data(dataset: Dataset, period: Period) -> Callout | None:
    """A note when ``period`` ends after the data's last month (its as-of month)."""
    if period.last_month > dataset.last_month:
        return Callout.of(
            f"The data ends in {month_label(dataset.last_month)}, so {period.label} "
            f"(to {month_label(period.last_month)}) is not covered yet; choose a period "
            "that ends by then."
        )
    return None


def _outside_data(dataset: Dataset, period: Period) -> Callout | None:
    """A note when ``period`` (with its start book) is not inside the months the data covers."""
    if (note := _after_data(dataset, period)) is not None:
        return note
    if period.start_book < dataset.first_month:
        return Callout.of(
            f"The data starts in {month_label(dataset.first_month)}, so {period.label} "
            f"has no opening month ({month_label(period.start_book)}) to compare with."
        )
    return None


def _figure(
    fig: MplFigure, *, title: str, alt: str, caption: str, definitions: Sequence[str]
) -> Figure:
    svg = to_svg(fig, alt=alt)
    return Figure(
        title=title,
        svg=svg,
        alt=alt,
        caption=caption,
        definitions=tuple(definitions),
        texts=drawn_text(fig),
    )


# ARR bridge -------------------------------------------------------------------------

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
    if (note := _outside_data(dataset, p)) is not None:
        return note
    bridge = arr_bridge(dataset.mrr, period=p)["total"]
    steps = waterfall_steps(bridge)
    if not steps["value"].abs().gt(0).any():
        return Callout.of(
            f"No ARR in {p.label}: no account paid from "
            f"{month_label(p.start_book)} to {month_label(p.end_book)}."
        )
    start, end = float(bridge["starting"]), float(bridge["ending"])
    moves = steps[steps["kind"] != "total"]
    levels = np.r_[moves["bottom"], moves["top"], start, end]
    lo, hi = float(levels.min()), float(levels.max())
    span = hi - lo
    truncate = lo > 0 and 0 < span < 0.35 * hi  # flat (no movement): keep zero
    colours = {"total": PALETTE.total, "increase": PALETTE.positive, "decrease": PALETTE.negative}

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 3.1)
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
            ax.set_ylim(
                max(0.0, float(ticks[ticks <= lo - margin * 0.5].max())), hi + 0.35 * margin
            )
        else:
            ax.set_ylim(min(0.0, lo), hi + 0.12 * max(hi, span))
        y_lo, y_hi = ax.get_ylim()
        pad = (y_hi - y_lo) * 0.015
        for i, (kind, value) in enumerate(zip(steps["kind"], steps["value"], strict=True)):
            text = fmt_money(value, compact=True) if kind == "total" else _signed_money(value)
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
        ax.set_ylabel("ARR ($)")
        if truncate:
            _axis_break(ax)
        ax.set_xlim(-0.5, len(steps) - 0.5)
        change = (end - start) / start if start else None
        alt = (
            f"ARR bridge for {p.label}: starting ARR {fmt_money(start, compact=True)}; "
            + ", ".join(
                f"{step} {_signed_money(float(bridge[step]))}"
                for step in ("new", "expansion", "reactivation", "contraction", "churn")
            )
            + f"; ending ARR {fmt_money(end, compact=True)}"
            + (f" ({_minus(f'{100 * change:+.1f}')}%)." if change is not None else ".")
        )
        caption = (
            f"ARR = 12 × MRR. Starting ARR is {month_label(p.start_book)}, ending ARR "
            f"{month_label(p.end_book)}; movements are summed month by month (ChartMogul)."
        )
        if truncate:
            caption += f" The ARR axis starts at {fmt_money(y_lo, compact=True)}, not at zero."
        return _figure(
            fig,
            title=f"ARR bridge, {p.label}",
            alt=alt,
            caption=caption,
            definitions=("arr_bridge",),
        )


def _axis_break(ax: Axes) -> None:
    """Two short slanted strokes on the y axis near the bottom: the axis does not start at 0."""
    kw: dict[str, Any] = {
        "transform": ax.transAxes,
        "color": PALETTE.edge,
        "linewidth": 0.9,
        "clip_on": False,
    }
    for dy in (0.025, 0.05):
        ax.plot([-0.012, 0.012], [dy - 0.012, dy + 0.012], **kw)


# Retention trend ----------------------------------------------------------------------


def retention_trend_chart(
    dataset: Dataset, *, period: Period | str, quarters: int = 8
) -> ChartBlock:
    """NRR, GRR and logo retention for each of the trailing quarters, one line each.

    For each quarter (its start book vs its end book), over the accounts paying
    in the start book: NRR = their end MRR / their start MRR, GRR = the same
    with each account capped at its start MRR, logo retention = the share still
    paying (SaaS Capital retention; computed by
    :func:`cslib.metrics.revenue.retention_trend`). The last point of each line carries its
    value. Only quarters whose start book is inside the data are shown.

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
    if (note := _after_data(dataset, p)) is not None:
        return note
    qs, left_out = _trailing_quarters(dataset, p, quarters, need_start_book=True)
    if not qs:
        return Callout.of(
            f"No quarter up to {p.label} lies inside the data "
            f"({month_label(dataset.first_month)} to {month_label(dataset.last_month)}) "
            "with its opening month, so retention cannot be shown."
        )
    rows = retention_trend(dataset.mrr, periods=qs)
    series = (
        ("nrr", "NRR", PALETTE.primary, "o"),
        ("grr", "GRR", PALETTE.secondary, "s"),
        ("logo_retention", "Logo retention", PALETTE.positive, "^"),
    )
    values = {key: np.array([_float(v) for v in rows[key]]) for key, *_ in series}
    finite = np.concatenate([v[np.isfinite(v)] for v in values.values()])
    if finite.size == 0:
        return Callout.of(f"No account paid at the start of any quarter up to {p.label}.")

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.9)
        x = np.arange(len(qs))
        for key, _label, colour, marker in series:
            ax.plot(x, values[key], color=colour, marker=marker, markersize=4)
        lo, hi = float(finite.min()), float(finite.max())
        if hi - lo < 0.05:  # at least 5 points tall, so ticks stay whole percents
            mid = (hi + lo) / 2
            lo, hi = mid - 0.025, mid + 0.025
        span = hi - lo
        ax.set_ylim(lo - 0.15 * span, hi + 0.15 * span)
        if lo - 0.15 * span < 1.0 < hi + 0.15 * span:  # 100%, up to the last quarter
            ax.hlines(1.0, -0.35, len(qs) - 1 + 0.1, color=PALETTE.edge, linewidth=0.7, zorder=1)
        last_vals, texts, colours = [], [], []
        for key, label, colour, _marker in series:
            v = values[key]
            idx = np.flatnonzero(np.isfinite(v))
            if idx.size:
                last_vals.append(float(v[idx[-1]]))
                texts.append(f"{label} {fmt_percent(v[idx[-1]])}")
                colours.append(colour)
        ys = _spread(last_vals, _label_gap(ax, fig, 10.5))
        for y, text, colour in zip(ys, texts, colours, strict=True):
            ax.text(
                len(qs) - 1 + 0.25,
                y,
                text,
                color=colour,
                va="center",
                ha="left",
                fontsize=8.5,
                fontweight="bold",
            )
        ax.set_xlim(-0.35, len(qs) - 1 + _label_room(texts, len(qs), left=0.35))
        ax.spines["bottom"].set_bounds(0, len(qs) - 1)
        ax.set_xticks(x, _period_tick_labels(qs))
        percent_axis(ax)
        ax.set_ylabel("Retention (%)")
        last = rows.iloc[-1]
        alt = (
            f"Quarterly retention from {_short(qs[0])} to {_short(qs[-1])}; in {_short(qs[-1])} "
            f"NRR was {fmt_percent(_float(last['nrr']))}, GRR {fmt_percent(_float(last['grr']))}"
            f" and logo retention {fmt_percent(_float(last['logo_retention']))}."
        )
        caption = (
            "Each quarter compares its start book with its end book over the accounts paying "
            "at the start: NRR and GRR as % of their starting MRR, logo retention as % of "
            "those accounts; new accounts count in neither."
        )
        if left_out:
            caption += (
                f" {left_out} earlier quarter{'s' if left_out > 1 else ''} not shown: the data "
                f"starts in {month_label(dataset.first_month)}."
            )
        return _figure(
            fig,
            title=f"Revenue and logo retention, {_quarters_to(qs, p)}",
            alt=alt,
            caption=caption,
            definitions=("nrr", "grr", "logo_retention"),
        )


# Cohorts ------------------------------------------------------------------------------


def _quarterly_cohorts(
    dataset: Dataset, anchor: Period, *, measure: str, max_age: int
) -> tuple[pd.DataFrame, list[Period]]:
    """The quarterly cohort table (books read at the quarters' ends up to ``anchor``'s).

    Returns :func:`cohort_retention` with ``step_months=3`` and the quarter each
    of its rows (cohort books) stands for.
    """
    table = cohort_retention(
        dataset.mrr, last_month=anchor.last_month, measure=measure, max_age=max_age,
        step_months=3,
    )
    back = (table.index.asi8 - anchor.last_month.ordinal) // 3
    return table, [anchor.shift(int(k)) for k in back]


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
    if (note := _after_data(dataset, p)) is not None:
        return note
    anchor = _quarter_anchor(p)
    table, quarters = _quarterly_cohorts(
        dataset, anchor, measure=measure, max_age=max(int(max_age_quarters), 1)
    )
    in_data = np.array([q.first_month > dataset.first_month for q in quarters], dtype=bool)
    ages = [c for c in table.columns if c != "accounts" and int(c) >= 1]
    cells = table.loc[in_data, ages]
    sizes = table.loc[in_data, "accounts"]
    labels = [q for q, ok in zip(quarters, in_data, strict=True) if ok]
    has_later = cells.notna().any(axis=1).to_numpy()
    cells, sizes = cells[has_later], sizes[has_later]
    labels = [q for q, ok in zip(labels, has_later, strict=True) if ok]
    cells, sizes, labels = cells.iloc[-cohorts:], sizes.iloc[-cohorts:], labels[-cohorts:]
    cells = cells.loc[:, cells.notna().any(axis=0)]
    what = "Revenue" if measure == "revenue" else "Logo"
    if cells.empty:
        return Callout.of(
            f"No quarterly cohort up to {p.label} has a later quarter inside the data "
            f"({month_label(dataset.first_month)} to {month_label(dataset.last_month)}), "
            "so cohort retention cannot be shown."
        )
    data = cells.to_numpy(float)
    finite = data[np.isfinite(data)]
    # 100% sits mid-ramp; the darkest cell is the highest retention.
    low = max(0.0, min(float(finite.min()), 1.0) - 0.25)
    norm = Normalize(vmin=low, vmax=max(float(finite.max()), 1.05))

    with house_style():
        n_rows, n_cols = data.shape
        fig, ax = new_figure(WIDTH_IN, max(1.9, 0.75 + 0.3 * n_rows))
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
            [f"{_short(q)}  ({fmt_count(n)})" for q, n in zip(labels, sizes, strict=True)],
        )
        ax.tick_params(length=0)
        ax.set_xlabel("Quarters since the cohort's first quarter")
        ax.set_ylabel("Cohort (accounts)")

        def latest(row: int) -> str:
            j = int(np.flatnonzero(np.isfinite(data[row]))[-1])
            age = int(cells.columns[j])
            return (
                f"the {_short(labels[row])} cohort keeps {fmt_percent(data[row, j], digits=0)}"
                f" after {age} quarter{'s' if age > 1 else ''}"
            )

        which = (
            f"the {n_rows} quarterly cohorts from {_short(labels[0])} to {_short(labels[-1])}"
            if n_rows > 1
            else f"the {_short(labels[0])} cohort"
        )
        alt = f"{what} retention of {which}, observed to {month_label(anchor.last_month)}: " + (
            f"{latest(0)}, {latest(n_rows - 1)}." if n_rows > 1 else f"{latest(0)}."
        )
        base = (
            "its MRR at the end of the quarter that many quarters later, as % of its MRR at the "
            "end of its first quarter (expansion included, so it can exceed 100%)"
            if measure == "revenue"
            else "the share of its accounts still paying at the end of the quarter that many "
            "quarters later"
        )
        caption = (
            f"Cohort: the first quarter at whose end an account paid. Cell: {base}. "
            f"Observed to {month_label(anchor.last_month)}; accounts already paying when the "
            f"data starts ({month_label(dataset.first_month)}) form no cohort."
        )
        return _figure(
            fig,
            title=f"{what} retention by quarterly cohort, to {p.label}",
            alt=alt,
            caption=caption,
            definitions=("cohort_retention",),
        )


# Satisfaction ------------------------------------------------------------------------


def nps_breakdown_chart(
    dataset: Dataset, *, period: Period | str, by: str = "segment"
) -> ChartBlock | None:
    """Detractors, passives and promoters per group, as 100% stacked bars, with the NPS.

    One bar per value of the account column ``by`` (groups with responses in
    the period) and one for all responses (with a single group, its bar is
    the total). Each bar splits the period's
    responses into detractors (0-6), passives (7-8) and promoters (9-10); the
    NPS (% promoters − % detractors, in points) and the number of responses
    are written at its end. Responses count by ``responded_on``. Every
    number comes from :func:`cslib.metrics.satisfaction.nps_breakdown`.

    Parameters
    ----------
    dataset : Dataset
        Uses ``nps`` and ``accounts``.
    period : Period or str
        Responses dated inside it count.
    by : str, default "segment"
        An account column to group by.

    Returns
    -------
    Figure, Callout or None
        A Callout when the period ends after the data or no response is dated
        in the period (or the account has none); ``None`` (nothing displayed)
        when the dataset has no ``nps`` table at all: the section's summary
        (:func:`cslib.present.narrative.satisfaction_summary`) says so.

    Raises
    ------
    ParameterError
        If ``by`` is not a column of ``accounts``.

    References
    ----------
    Reichheld (2003); Bain & Company / Satmetrix, Net Promoter Score;
    definition key ``nps``.
    """
    p = Period.parse(period)
    groups = dataset.groups(by)
    if (note := _after_data(dataset, p)) is not None:
        return note
    nps = dataset.get("nps")
    if nps is None:
        return None
    if nps.empty:
        return Callout.of("No NPS responses in the data, so NPS cannot be shown.")
    overall = nps_breakdown(nps, period=p)
    total = overall.iloc[0]
    if int(total["nps_responses"]) == 0:
        return Callout.of(f"No NPS responses in {p.label}.")
    by_group = nps_breakdown(nps, period=p, groups=groups)
    by_group = by_group[by_group["nps_responses"] > 0]
    several = len(by_group) > 1  # one group: its bar is the total
    table = pd.concat([by_group, overall]) if several else by_group
    table.index = [_truncate(g, 24) for g in by_group.index] + (["All responses"] * several)
    table = table.assign(
        n=table["nps_responses"].astype(float), nps=[_float(v) for v in table["nps"]]
    )
    shares = table[["detractor_share", "passive_share", "promoter_share"]].set_axis(
        ["detractors", "passives", "promoters"], axis=1
    )
    parts = (
        ("detractors", f"Detractors (0–{DETRACTOR_MAX})", PALETTE.negative),
        ("passives", f"Passives ({DETRACTOR_MAX + 1}–{PROMOTER_MIN - 1})", PALETTE.neutral_light),
        ("promoters", f"Promoters ({PROMOTER_MIN}–10)", PALETTE.positive),
    )
    n_groups = len(table) - 1 if len(table) > 1 else 0

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 1.1 + 0.36 * (n_groups + 1.5))
        y = np.r_[np.arange(n_groups)[::-1] + 1.5, 0.0] if n_groups else np.array([0.0])
        left = np.zeros(len(table))
        for key, _label, colour in parts:
            width = shares[key].to_numpy()
            ax.barh(y, width, left=left, height=0.68, color=colour)
            for yi, li, wi in zip(y, left, width, strict=True):
                if wi >= 0.07:
                    ax.text(
                        li + wi / 2,
                        yi,
                        fmt_percent(wi, digits=0),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color=text_colour_on(colour),
                    )
            left = left + width
        for yi, (name, row) in zip(y, table.iterrows(), strict=True):
            bold = "bold" if name == "All responses" else "normal"
            head = ax.text(
                1.02,
                yi,
                f"NPS {_signed_score(row['nps'])}",
                va="center",
                ha="left",
                fontsize=8.5,
                fontweight="bold",
            )
            ax.annotate(
                f"n = {fmt_count(row['n'])}",
                xy=(1.0, 0.5),
                xycoords=head,
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=8,
                color=PALETTE.muted,
                fontweight=bold,
            )
        ax.set_yticks(y, list(table.index))
        for label in ax.get_yticklabels():
            if label.get_text() == "All responses":
                label.set_fontweight("bold")
        _hbar_axes(ax)
        ax.set_xlim(0, 1.36)
        ax.set_ylim(-0.6, (y.max() if len(y) else 0) + 0.6)
        ax.spines["bottom"].set_bounds(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        percent_axis(ax, axis="x")
        ax.set_xlabel("Share of responses (%)")
        _top_legend(fig, [Patch(color=c, label=lab) for _k, lab, c in parts])
        details = "; ".join(
            f"{name} {_signed_score(row['nps'])} (n = {fmt_count(row['n'])})"
            for name, row in (table.iloc[:-1] if n_groups else table).iterrows()
        )
        everyone = (
            f"all responses {_signed_score(_float(total['nps']))} "
            f"(n = {fmt_count(total['nps_responses'])}); "
            if n_groups
            else ""
        )
        alt = f"NPS by {by} in {p.label}: {everyone}{details}."
        n_total = int(total["nps_responses"])
        caption = (
            f"NPS = % promoters − % detractors, in points, over the responses dated in "
            f"{p.label}; "
            + (
                f"95% margin of error for all responses ±{fmt_score(_float(total['nps_margin']))}"
                " points."
                if n_total >= SMALL_SAMPLE
                else f"only {n_total} response{'s' if n_total != 1 else ''}: read with care."
            )
        )
        missing = sorted(set(groups.unique()) - set(by_group.index))
        if missing:
            shown = ", ".join(_truncate(m, 24) for m in missing[:5])
            caption += f" No responses from: {shown}" + (
                " and others." if len(missing) > 5 else "."
            )
        return _figure(
            fig, title=f"NPS by {by}, {p.label}", alt=alt, caption=caption, definitions=("nps",)
        )


def _panel_ylim(
    ax: Axes, lo: float, hi: float, *, domain: tuple[float, float], min_span: float
) -> None:
    """Set y limits around ``lo..hi`` with room for a label; ticks only inside ``domain``.

    The limits may pass the domain's ends a little, so a marker on 100% or 0%
    is drawn whole.
    """
    d_lo, d_hi = domain
    pad = max(hi - lo, min_span) * 0.28
    extra = (d_hi - d_lo) * 0.06
    ax.set_ylim(max(d_lo - extra, lo - pad), min(d_hi + extra, hi + pad))
    limits = ax.get_ylim()
    ax.set_yticks([t for t in ax.get_yticks() if d_lo - 1e-9 <= t <= d_hi + 1e-9])
    ax.set_ylim(limits)


def satisfaction_trend_chart(
    dataset: Dataset, *, period: Period | str, quarters: int = 8
) -> ChartBlock | None:
    """NPS, CSAT and CES per trailing quarter, in three small panels side by side.

    NPS in points (% promoters 9-10 − % detractors 0-6, Bain/Satmetrix) with
    its 95% margin of error as whiskers, counted by ``responded_on``; a
    quarter with fewer than 30 responses is drawn hollow and its whisker may
    run off the panel. CSAT is the share of 4-5 answers on 1-5 and CES the
    mean on 1-7, counted in the quarter a ticket closed. All numbers from
    :func:`cslib.metrics.satisfaction.satisfaction_trend`. A quarter without
    answers leaves a gap. Only quarters inside the data are shown.

    A measure the data never recorded (no ``nps`` table; no ``tickets``
    table, or no ``csat`` or ``ces`` column in it) has no panel; the others
    share the width.

    Parameters
    ----------
    dataset : Dataset
        Uses ``nps`` and ``tickets`` (either may be missing).
    period : Period or str
        The last quarter shown (a month or year: the three months ending it).
    quarters : int, default 8
        How many quarters, at most.

    Returns
    -------
    Figure, Callout or None
        A Callout when the period ends after the data or there is neither an
        NPS response nor a rated ticket in those quarters; ``None`` (nothing
        displayed) when the data records none of the three measures: the
        section's summary (:func:`cslib.present.narrative.satisfaction_summary`)
        says so.

    References
    ----------
    Bain & Company / Satmetrix (NPS); definition keys ``nps``, ``csat``, ``ces``.
    """
    p = Period.parse(period)
    if (note := _after_data(dataset, p)) is not None:
        return note
    nps, tickets = dataset.get("nps"), dataset.get("tickets")
    drawn = {"nps": not lacks(dataset, "nps"), "csat": not lacks(dataset, "tickets", "csat"),
             "ces": not lacks(dataset, "tickets", "ces")}
    if not any(drawn.values()):
        return None
    qs, _ = _trailing_quarters(dataset, p, quarters, need_start_book=False)
    rows = satisfaction_trend(nps=nps, tickets=tickets, periods=qs) if qs else None
    counts = ["nps_responses", "csat_responses", "ces_responses"]
    if rows is None or rows[counts].to_numpy().sum() == 0:
        span = _range_label(qs) if qs else p.label
        return Callout.of(
            f"No NPS responses and no rated tickets (CSAT, CES) in {span}, so satisfaction "
            "cannot be shown."
        )
    panels = (
        ("nps", "NPS", "points", PALETTE.primary, nps is not None, "No NPS data"),
        (
            "csat",
            "CSAT",
            "% satisfied (4–5)",
            PALETTE.secondary,
            tickets is not None,
            "No ticket data",
        ),
        (
            "ces",
            "CES",
            "mean (1–7, 7 = easy)",
            PALETTE.positive,
            tickets is not None,
            "No ticket data",
        ),
    )
    panels = tuple(panel for panel in panels if drawn[panel[0]])
    x = np.arange(len(qs))
    last_text = [f"{name} not recorded in the data"
                 for key, name in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES"))
                 if not drawn[key]]
    small = rows["nps_responses"].to_numpy() < SMALL_SAMPLE

    with house_style():
        fig, axes = new_figure(WIDTH_IN, 2.5, ncols=len(panels))
        axes = np.atleast_1d(axes)
        for ax, (key, name, unit, colour, present, empty_note) in zip(axes, panels, strict=True):
            v = np.array([_float(val) for val in rows[key]])
            ax.set_title(name, fontsize=9.5, loc="left")
            ax.set_ylabel(unit)
            ax.set_xticks(x, _period_tick_labels(qs, short_year=True), fontsize=7.5)
            ax.set_xlim(-0.6, len(qs) - 0.4)
            ok = np.isfinite(v)
            if not ok.any():
                ax.text(
                    0.5,
                    0.5,
                    "No answers" if present else empty_note,
                    transform=ax.transAxes,
                    ha="center",
                    va="center",
                    color=PALETTE.muted,
                )
                ax.set_yticks([])
                last_text.append(f"{name} not available")
                continue
            lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
            if key == "nps":
                err = np.nan_to_num(np.array([_float(val) for val in rows["nps_margin"]]))
                ax.errorbar(
                    x, v, yerr=err, fmt="none", ecolor=PALETTE.neutral, elinewidth=0.8, capsize=1.5
                )
                firm = ok & ~small
                if firm.any():
                    lo = min(lo, float(np.min((v - err)[firm])))
                    hi = max(hi, float(np.max((v + err)[firm])))
                _panel_ylim(ax, lo, hi, domain=(-100.0, 100.0), min_span=10.0)
                if ax.get_ylim()[0] < 0 < ax.get_ylim()[1]:
                    ax.axhline(0, color=PALETTE.edge, linewidth=0.7, zorder=1)
                points_axis(ax)
                ax.plot(x, v, color=colour, linewidth=1.5)
                ax.plot(
                    x[ok & ~small],
                    v[ok & ~small],
                    linestyle="none",
                    marker="o",
                    markersize=4,
                    color=colour,
                )
                ax.plot(
                    x[ok & small],
                    v[ok & small],
                    linestyle="none",
                    marker="o",
                    markersize=4,
                    markerfacecolor="white",
                    color=colour,
                )
            else:
                ax.plot(x, v, color=colour, marker="o", markersize=3.5, linewidth=1.5)
                if key == "csat":
                    _panel_ylim(ax, lo, hi, domain=(0.0, 1.0), min_span=0.04)
                    percent_axis(ax)
                else:
                    _panel_ylim(ax, lo, hi, domain=(1.0, 7.0), min_span=0.2)
            i = int(np.flatnonzero(ok)[-1])
            text = {
                "nps": _signed_score(v[i]),
                "csat": fmt_percent(v[i], digits=0),
                "ces": fmt_score(v[i]),
            }[key]
            # The latest value goes in the panel's corner, clear of the line.
            corner = text
            if i < len(qs) - 1:
                tick = _period_tick_labels([qs[i]], short_year=True)[0]
                corner += f" ({tick.replace(chr(10), ' ')})"
            ax.set_title(corner, loc="right", fontsize=9, color=colour, fontweight="bold")
            hollow = key == "nps" and bool(small[i])
            ax.plot(
                [x[i]],
                [v[i]],
                linestyle="none",
                marker="o",
                markersize=5.5,
                color=colour,
                markerfacecolor="white" if hollow else colour,
            )
            last_text.append(f"{name} {text} in {_short(qs[i])}")
        alt = (
            f"Satisfaction by quarter from {_short(qs[0])} to {_short(qs[-1])}: "
            + ", ".join(last_text)
            + "."
        )
        if all(drawn.values()):
            caption = (
                "NPS in points by response date, with its 95% margin of error (hollow: fewer "
                f"than {SMALL_SAMPLE} responses); CSAT (share of 4–5 answers) and CES (mean, "
                "1–7) by the quarter a ticket closed. Gaps: no answers."
            )
        else:
            caption = " ".join([
                *([f"NPS in points by response date, with its 95% margin of error (hollow: "
                   f"fewer than {SMALL_SAMPLE} responses)."] if drawn["nps"] else []),
                *(["CSAT (share of 4–5 answers) by the quarter a ticket closed."]
                  if drawn["csat"] else []),
                *(["CES (mean, 1–7) by the quarter a ticket closed."] if drawn["ces"] else []),
                "Gaps: no answers.",
                "Not recorded in the data, so not drawn: "
                + ", ".join(n for k, n in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES"))
                            if not drawn[k]) + ".",
            ])  # fmt: skip
        names = [name for _, name, *_ in panels]
        shown = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return _figure(
            fig,
            title=f"{shown}, {_quarters_to(qs, p)}",
            alt=alt,
            caption=caption,
            definitions=recorded(dataset, ("nps", "csat", "ces")),
        )


# Health ------------------------------------------------------------------------------


def health_distribution_chart(
    dataset: Dataset, *, as_of: str | pd.Timestamp, config: HealthConfig
) -> ChartBlock:
    """How many accounts have which health score: bins of 10 points, coloured by band.

    The health score (0-100) of every account paying in ``as_of``'s month is
    the weighted mean of its measure scores; a measure without data is left
    out and the other weights renormalized (Gainsight's rule; see
    :func:`cslib.metrics.health.health_scores`). Bars count accounts per
    10-point bin (the last bin includes 100), stacked by band (red, yellow,
    green: a bin that straddles a band limit is split), with the count on top;
    the title gives the count per band. Accounts without any measure data are
    not shown and are counted in the caption.

    Parameters
    ----------
    dataset : Dataset
        Uses ``mrr`` and every optional table the configured measures need.
    as_of : str or pandas.Timestamp
        The day the measures are read on.
    config : HealthConfig
        Measures, weights, thresholds and bands (for instance
        ``cslib.metrics.health.load_health_config("params/health.yaml")``).

    Returns
    -------
    Figure or Callout
        A Callout when no account pays in ``as_of``'s month or none has a score.

    References
    ----------
    Gainsight, "Scorecards"; definition key ``health_score``.
    """
    day = _day(as_of)
    when = f"{day:%Y-%m-%d}"
    measures = account_measures(dataset, as_of=day)
    if measures.empty:
        return Callout.of(
            f"No account pays in {month_label(day.to_period('M'))}, so there is no health "
            f"score on {when}."
        )
    scores = health_scores(measures, config=config)
    scored = scores[scores["health_score"].notna()]
    unscored = len(scores) - len(scored)
    if scored.empty:
        return Callout.of(f"No account has data for any health measure on {when}.")
    bands = ("red", "yellow", "green")
    bins = np.clip(np.floor(scored["health_score"].to_numpy() / 10.0), 0, 9).astype(int)
    counts = (
        pd.crosstab(bins, scored["health_band"].to_numpy())
        .reindex(index=range(10), columns=list(bands), fill_value=0)
        .astype(int)
    )
    per_band = counts.sum(axis=0)
    legend = {
        "red": f"Red ≤ {config.red_max:g} ({fmt_count(per_band['red'])})",
        "yellow": f"Yellow ≤ {config.yellow_max:g} ({fmt_count(per_band['yellow'])})",
        "green": f"Green > {config.yellow_max:g} ({fmt_count(per_band['green'])})",
    }

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.8)
        x = np.arange(10) * 10 + 5
        bottom = np.zeros(10)
        for band in bands:
            c = counts[band].to_numpy()
            ax.bar(
                x,
                c,
                bottom=bottom,
                width=9.0,
                color=PALETTE.band(band),
                edgecolor=PALETTE.edge if band == "yellow" else "none",
                linewidth=0.6 if band == "yellow" else 0,
                label=legend[band],
            )
            bottom += c
        top = float(bottom.max())
        for xi, total in zip(x, bottom, strict=True):
            if total > 0:
                ax.text(
                    xi,
                    total + top * 0.015,
                    fmt_count(total),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
                )
        for limit in (config.red_max, config.yellow_max):
            ax.axvline(limit, color=PALETTE.edge, linewidth=0.7, linestyle=(0, (3, 2)), zorder=0)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, top * 1.15 + 0.5)
        ax.set_xticks(np.arange(0, 101, 10))
        ax.set_xlabel("Health score (0–100), bins of 10 points")
        ax.set_ylabel("Accounts")
        count_axis(ax)
        _top_legend(fig, ax.get_legend_handles_labels()[0])
        n = len(scored)
        med = float(scored["health_score"].median())
        alt = (
            f"Health scores of {fmt_count(n)} account{'s' if n != 1 else ''} on {when}: "
            f"{fmt_count(per_band['red'])} red, {fmt_count(per_band['yellow'])} yellow, "
            f"{fmt_count(per_band['green'])} green; median score {med:.0f}."
        )
        caption = (
            "Health score: each measure scored 0–100 by thresholds, weighted mean; a measure "
            "without data is left out and the other weights renormalized (Gainsight). Dashed "
            "lines: band limits."
        )
        if unscored:
            caption += (
                f" {fmt_count(unscored)} paying account{'s' if unscored != 1 else ''} without "
                "data for any measure not shown."
            )
        title = (
            f"Account health on {when}: {fmt_count(per_band['red'])} red, "
            f"{fmt_count(per_band['yellow'])} yellow, {fmt_count(per_band['green'])} green"
        )
        return _figure(fig, title=title, alt=alt, caption=caption, definitions=("health_score",))


# Adoption ----------------------------------------------------------------------------


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
    if (note := _after_data(dataset, p)) is not None:
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
    util = _float(rows["seat_utilization"].iloc[-1])

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.8)
        x = np.arange(len(span))
        ax.plot(x, seats, color=PALETTE.muted, linestyle=(0, (4, 2)), marker="s", markersize=3)
        ax.plot(x, active, color=PALETTE.primary, marker="o", markersize=3.5)
        ax.fill_between(x, 0, active, color=PALETTE.primary, alpha=0.10, linewidth=0)
        ax.set_ylim(0, max(seats.max(), active.max()) * 1.12)
        texts = [f"Licensed seats {fmt_count(seats[-1])}", f"Active users {fmt_count(active[-1])}"]
        ys = _spread([seats[-1], active[-1]], _label_gap(ax, fig, 11))
        for y, text, colour in zip(ys, texts, (PALETTE.muted, PALETTE.primary), strict=True):
            ax.text(
                x[-1] + 0.3,
                y,
                text,
                va="center",
                ha="left",
                fontsize=8.5,
                color=colour,
                fontweight="bold",
            )
        ax.text(
            x[-1] + 0.3,
            min(ys) - _label_gap(ax, fig, 12),
            f"{fmt_percent(util)} utilization",
            va="center",
            ha="left",
            fontsize=8.5,
            color=PALETTE.text,
        )
        ax.set_xlim(-0.4, len(span) - 1 + _label_room(texts, len(span)))
        ax.spines["bottom"].set_bounds(0, len(span) - 1)
        ax.set_xticks(x, _month_tick_labels(span))
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
        return _figure(
            fig,
            title=f"Active users and licensed seats, {len(span)} months to {p.label}",
            alt=alt,
            caption=caption,
            definitions=("seat_utilization",),
        )


def seat_utilization_chart(
    dataset: Dataset, *, period: Period | str, by: str = "segment"
) -> ChartBlock:
    """Seat utilization per group in the period's last month, as horizontal bars, with the total.

    Utilization = the group's active users / its licensed seats (summed, so
    large accounts weigh more), from
    :func:`cslib.metrics.adoption.seat_utilization`; the total bar is all
    accounts together (with a single group, its bar is the total).

    Parameters
    ----------
    dataset : Dataset
        Uses ``usage`` and ``accounts``.
    period : Period or str
        Its last month (end book) is read.
    by : str, default "segment"
        An account column to group by.

    Returns
    -------
    Figure or Callout
        A Callout when the period ends after the data, there is no usage
        table or no licensed seat that month.

    Raises
    ------
    ParameterError
        If ``by`` is not a column of ``accounts``.

    References
    ----------
    Definition key ``seat_utilization``.
    """
    p = Period.parse(period)
    groups = dataset.groups(by)
    if (note := _after_data(dataset, p)) is not None:
        return note
    usage = dataset.get("usage")
    if usage is None or usage.empty:
        return _no_usage("in the dataset")
    month = p.last_month
    total = seat_utilization(usage, month=month).iloc[0]
    if float(total["licensed_seats"]) == 0:
        return _no_usage(f"in {month_label(month)}")
    by_group = seat_utilization(usage, month=month, groups=groups)
    by_group = by_group[by_group["licensed_seats"] > 0]
    n = len(by_group) if len(by_group) > 1 else 0  # one group: its bar is the total
    names = [_truncate(g, 24) for g in by_group.index[:n]]
    names.append(_truncate(by_group.index[0], 24) if len(by_group) == 1 else "All accounts")
    util = np.array(
        [_float(v) for v in by_group["seat_utilization"].iloc[:n]]
        + [_float(total["seat_utilization"])]
    )
    active = np.r_[by_group["active_users"].to_numpy(float)[:n], float(total["active_users"])]
    seats = np.r_[by_group["licensed_seats"].to_numpy(float)[:n], float(total["licensed_seats"])]

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 0.9 + 0.34 * (n + 1.5))
        y = np.r_[np.arange(n)[::-1] + 1.5, 0.0] if n else np.array([0.0])
        colours = [PALETTE.tertiary] * n + [PALETTE.primary]
        ax.barh(y, util, height=0.62, color=colours)
        xmax = max(1.0, float(np.nanmax(util)))
        for yi, u, a, s, name in zip(y, util, active, seats, names, strict=True):
            ax.text(
                u + xmax * 0.015,
                yi,
                fmt_percent(u),
                va="center",
                ha="left",
                fontsize=8.5,
                fontweight="bold" if name == "All accounts" else "normal",
            )
            ax.text(
                xmax * 1.13,
                yi,
                f"{fmt_count(a)} of {fmt_count(s)} seats",
                va="center",
                ha="left",
                fontsize=8,
                color=PALETTE.muted,
            )
        ax.axvline(1.0, color=PALETTE.edge, linewidth=0.7, zorder=1)
        ax.set_yticks(y, names)
        ax.get_yticklabels()[-1].set_fontweight("bold")
        _hbar_axes(ax)
        ax.set_xlim(0, xmax * 1.5)
        ax.spines["bottom"].set_bounds(0, xmax)
        ticks = np.arange(0, xmax + 1e-9, 0.25)
        ax.set_xticks(ticks)
        percent_axis(ax, axis="x")
        ax.set_xlabel("Seat utilization (% of licensed seats in use)")
        ax.set_ylim(-0.6, y.max() + 0.6)
        details = "; ".join(
            f"{nm} {fmt_percent(u)}" for nm, u in zip(names[:n], util[:n], strict=True)
        )
        alt = (
            f"Seat utilization by {by} in {month_label(month)}: "
            f"{names[-1] if n == 0 else 'all accounts'} {fmt_percent(util[-1])} "
            f"({fmt_count(active[-1])} active users on "
            f"{fmt_count(seats[-1])} seats)" + (f"; {details}." if details else ".")
        )
        caption = (
            f"Active users / licensed seats in {month_label(month)}, the last month of "
            f"{p.label}, summed over each group's accounts."
        )
        return _figure(
            fig,
            title=f"Seat utilization by {by}, end of {p.label}",
            alt=alt,
            caption=caption,
            definitions=("seat_utilization",),
        )


# Relationships -----------------------------------------------------------------------


def relationship_coverage_chart(
    dataset: Dataset, *, as_of: str | pd.Timestamp
) -> ChartBlock | None:
    """Contacts by role (executives, users), stacked by relationship strength.

    Counts the contacts on record of the dataset's accounts, by role and
    strength (none, weak, medium, strong, very strong; light to dark). Next
    to each bar: how many are strong or very strong and, from
    :func:`cslib.metrics.relationships.relationship_summary`, the days since
    the latest activity with a contact of that role up to ``as_of`` (for one
    account) or the median over the accounts with such contacts.

    Parameters
    ----------
    dataset : Dataset
        Uses ``contacts`` and, for recency, ``activities``.
    as_of : str or pandas.Timestamp
        The day recency is measured to.

    Returns
    -------
    Figure, Callout or None
        A Callout when there is no contact; ``None`` (nothing displayed) when
        the data has no ``contacts`` table at all: the section's table
        (:func:`cslib.present.tables.contacts_table`) says so.

    References
    ----------
    Definition key ``relationship_coverage``.
    """
    day = _day(as_of)
    when = f"{day:%Y-%m-%d}"
    contacts = dataset.get("contacts")
    if contacts is None:
        return None
    if contacts.empty:
        return Callout.of("No contacts recorded, so relationship coverage cannot be shown.")
    strength = (
        contacts["strength"].astype("string").fillna("(not set)")
        if "strength" in contacts
        else pd.Series("(not set)", index=contacts.index)
    )
    levels = [*STRENGTHS, *(["(not set)"] if (strength == "(not set)").any() else [])]
    counts = (
        pd.crosstab(contacts["role"].astype(str).to_numpy(), strength.to_numpy())
        .reindex(index=["executive", "user"], columns=levels, fill_value=0)
        .astype(int)
    )
    ids = pd.Index(dataset.accounts["account_id"].astype(str))
    rel = relationship_summary(contacts, dataset.get("activities"), account_ids=ids, as_of=day)
    notes, strong_counts = [], []
    for plural, days_col in (
        ("executives", "days_since_executive_contact"),
        ("users", "days_since_user_contact"),
    ):
        strong = int(rel[f"strong_{plural}"].sum())
        strong_counts.append(strong)
        with_role = rel[rel[plural] > 0][days_col].dropna()
        if len(ids) == 1:
            recency = (
                f"last contact {with_role.iloc[0]:.0f} days ago"
                if len(with_role)
                else "no contact on record"
            )
        else:
            recency = (
                f"median {with_role.median():.0f} days since contact"
                if len(with_role)
                else "no contact on record"
            )
        notes.append(f"{fmt_count(strong)} strong · {recency}")
    colours = dict(zip(STRENGTHS, PALETTE.ordinal, strict=True)) | {"(not set)": "white"}
    names = {
        "none": "None",
        "weak": "Weak",
        "medium": "Medium",
        "strong": "Strong",
        "very_strong": "Very strong",
        "(not set)": "Not set",
    }

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.0)
        y = np.array([1.0, 0.0])
        totals = counts.sum(axis=1).to_numpy(float)
        xmax = max(float(totals.max()), 1.0)
        left = np.zeros(2)
        for level in levels:
            w = counts[level].to_numpy(float)
            colour = colours[level]
            ax.barh(
                y,
                w,
                left=left,
                height=0.6,
                color=colour,
                label=names[level],
                edgecolor=PALETTE.edge if level == "(not set)" else "none",
                linewidth=0.6 if level == "(not set)" else 0,
            )
            for yi, li, wi in zip(y, left, w, strict=True):
                if wi > 0 and wi >= xmax * 0.045:
                    ax.text(
                        li + wi / 2,
                        yi,
                        fmt_count(wi),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color=text_colour_on(colour),
                    )
            left = left + w
        for yi, total, note in zip(y, totals, notes, strict=True):
            ax.text(
                total + xmax * 0.02,
                yi,
                note,
                va="center",
                ha="left",
                fontsize=8,
                color=PALETTE.text,
                # gridlines run behind the note, not through it
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
            )
        ax.set_yticks(
            y, [f"Executives ({fmt_count(totals[0])})", f"Users ({fmt_count(totals[1])})"]
        )
        _hbar_axes(ax)
        ax.set_xlim(0, xmax * 1.9)
        ax.set_ylim(-0.55, 1.55)
        count_axis(ax, axis="x")
        ticks = [t for t in ax.get_xticks() if 0 <= t <= xmax]
        ax.set_xticks(ticks)
        ax.spines["bottom"].set_bounds(0, ticks[-1] if ticks else xmax)
        ax.set_xlabel("Contacts")
        _top_legend(fig, ax.get_legend_handles_labels()[0])
        alt = (
            f"Relationship coverage on {when}: {fmt_count(totals[0])} executive contacts, "
            f"{fmt_count(strong_counts[0])} strong or very strong; {fmt_count(totals[1])} user "
            f"contacts, {fmt_count(strong_counts[1])} strong or very strong."
        )
        caption = (
            f"Contacts on record by role and relationship strength; strong = strong or very "
            f"strong. Days since contact: to {when}, from the latest activity with a contact "
            "of that role."
        )
        return _figure(
            fig,
            title=f"Relationship coverage on {when}",
            alt=alt,
            caption=caption,
            definitions=("relationship_coverage",),
        )


# Goals -------------------------------------------------------------------------------


def goal_progress_chart(
    dataset: Dataset, *, as_of: str | pd.Timestamp, limit: int = 12
) -> ChartBlock | None:
    """One bar per success-plan goal: progress to target, coloured by status, with the due date.

    Progress = (current − baseline) / (target − baseline), clipped to 0-100%
    (:func:`cslib.metrics.outcomes.goal_progress`); a goal without a numeric target shows its status
    only. Colours: achieved green, on track blue, at risk orange, missed
    vermillion, not started grey (statuses as recorded). An open goal due
    before ``as_of`` is marked overdue. At most ``limit`` goals, the latest
    due first; the caption says how many are left out.

    Parameters
    ----------
    dataset : Dataset
        Uses ``goals`` (and ``accounts`` for names when there are several accounts).
    as_of : str or pandas.Timestamp
        The day the plan is reported on.
    limit : int, default 12
        Most goals shown.

    Returns
    -------
    Figure or None
        ``None`` (nothing displayed) when no goal is recorded: the success-plan
        table (:func:`cslib.present.tables.goals_table`) already says so.

    References
    ----------
    Definition key ``goals``.
    """
    day = _day(as_of)
    when = f"{day:%Y-%m-%d}"
    goals = dataset.get("goals")
    if goals is None or goals.empty:
        return None
    g = goals.assign(progress=goal_progress(goals))
    g = g.sort_values(["due_on", "goal_id"], ascending=[False, True], kind="stable")
    n_all = len(g)
    g = g.head(max(int(limit), 1))
    several = dataset.accounts["account_id"].nunique() > 1
    names = dataset.accounts.set_index(dataset.accounts["account_id"].astype(str))["name"]
    labels = []
    for _, row in g.iterrows():
        due = f"due {row['due_on']:%Y-%m-%d}" if pd.notna(row["due_on"]) else "no due date"
        if row["status"] in OPEN_GOAL_STATUSES and pd.notna(row["due_on"]) and row["due_on"] < day:
            due += " · overdue"
        if several:
            due += f" · {_truncate(names.get(str(row['account_id']), row['account_id']), 22)}"
        labels.append(f"{_truncate(row['title'], 40)}\n{due}")
    n = len(g)

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 0.85 + 0.44 * n)
        y = np.arange(n)[::-1].astype(float)
        progress = g["progress"].to_numpy(float)
        colours = [GOAL_STATUSES.get(s, PALETTE.neutral) for s in g["status"]]
        ax.barh(y, np.ones(n), height=0.55, color=PALETTE.light)  # the 0-100% track
        ax.barh(y, np.nan_to_num(progress), height=0.55, color=colours)
        for yi, pr, status in zip(y, progress, g["status"], strict=True):
            status_text = str(status).replace("_", " ")
            if np.isfinite(pr):
                ax.text(
                    pr + 0.015,
                    yi,
                    f"{fmt_percent(pr, digits=0)} · {status_text}",
                    va="center",
                    ha="left",
                    fontsize=8,
                )
            else:
                ax.text(
                    0.015,
                    yi,
                    f"{status_text} (no numeric target)",
                    va="center",
                    ha="left",
                    fontsize=8,
                    color=GOAL_STATUSES.get(status, PALETTE.muted),
                    fontweight="bold",
                )
        ax.set_yticks(y, labels, fontsize=8)
        _hbar_axes(ax)
        ax.set_xlim(0, 1.4)
        ax.set_ylim(-0.6, n - 0.4)
        ax.spines["bottom"].set_bounds(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        percent_axis(ax, axis="x")
        ax.set_xlabel("Progress from baseline to target (%)")
        handles = [
            Patch(color=c, label=s.replace("_", " ").capitalize()) for s, c in GOAL_STATUSES.items()
        ]
        _top_legend(fig, handles)
        status_counts = g["status"].value_counts()
        parts = [
            f"{status_counts[s]} {s.replace('_', ' ')}" for s in GOAL_STATUSES if s in status_counts
        ]
        alt = (
            f"Success-plan goals on {when}: {n} goal{'s' if n != 1 else ''} shown, "
            + ", ".join(parts)
            + "."
        )
        caption = (
            "Progress = (current − baseline) / (target − baseline), clipped to 0–100%; goals "
            "without a numeric target show their status only. Statuses as recorded."
        )
        if n_all > n:
            caption += f" Showing the {n} goals with the latest due dates of {fmt_count(n_all)}."
        return _figure(
            fig,
            title=f"Success-plan goals on {when}",
            alt=alt,
            caption=caption,
            definitions=("goals",),
        )
