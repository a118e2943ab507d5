"""What every chart shares: the figure size, text helpers, label placement, axes, SVG output.

A chart module computes nothing: it takes the figures :mod:`cslib.metrics`
computed, draws them with these helpers in the house style
(:mod:`cslib.present.style`) and returns :func:`figure_block`'s report block.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from cslib.present.blocks import Callout, Figure
from cslib.present.charts._svg import Canvas
from cslib.present.formats import fmt_money, fmt_score
from cslib.present.style import PALETTE, drawable_text, drawn_text, to_svg

ChartBlock = Figure | Callout

WIDTH_IN = 6.5  # a report column at 100%
WIDTH_PT = 72.0 * WIDTH_IN


# Text --------------------------------------------------------------------------------


def truncate(text: object, width: int) -> str:
    """``text`` on one line, drawable (:func:`drawable_text`), cut to ``width`` characters."""
    s = " ".join(drawable_text(str(text)).split())
    return s if len(s) <= width else s[: width - 1].rstrip() + "…"


def minus(text: str) -> str:
    """Typographic minus for a leading sign."""
    return "−" + text[1:] if text.startswith("-") else text


def signed_money(value: float) -> str:
    """``+$1.2K``, ``−$1.2K``, or ``$0``."""
    if value == 0:
        return fmt_money(0.0, compact=True)
    sign = "−" if value < 0 else "+"
    return sign + fmt_money(abs(value), compact=True)


def signed_score(value: float | None, digits: int = 1) -> str:
    """``+24.5`` or ``−3.0`` (typographic minus); a dash when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt_score(None)
    return ("−" if value < 0 else "+") + fmt_score(abs(value), digits=digits)


def as_float(value: object) -> float:
    """A metric value as float, ``None`` (undefined) as NaN."""
    return float("nan") if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def as_day(as_of: str | pd.Timestamp) -> pd.Timestamp:
    """``as_of`` as a day (midnight)."""
    return pd.Timestamp(as_of).normalize()


# Labels at the end of lines -----------------------------------------------------------


def spread(values: Sequence[float], gap: float) -> list[float]:
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


def label_room(
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


def label_gap(ax: Axes, fig: MplFigure, points: float) -> float:
    """``points`` of vertical space in ``ax``'s data units (approximate, before layout)."""
    lo, hi = ax.get_ylim()
    axes_pt = fig.get_figheight() * 72.0 * 0.72
    return (hi - lo) * points / axes_pt


def end_labels(
    ax: Axes,
    fig: MplFigure,
    x: float,
    values: Sequence[float],
    texts: Sequence[str],
    colours: Sequence[str],
    *,
    gap_points: float,
) -> list[float]:
    """Write ``texts`` right of ``x``, each near its line's last value, ``gap_points`` apart.

    Returns the labels' y positions.
    """
    ys = spread(values, label_gap(ax, fig, gap_points))
    for y, text, colour in zip(ys, texts, colours, strict=True):
        ax.text(x, y, text, color=colour, va="center", ha="left", fontsize=8.5, fontweight="bold")
    return ys


# Axes and legends ---------------------------------------------------------------------


def hbar_axes(ax: Axes) -> None:
    """Horizontal bars: grid on x only, no y ticks."""
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.tick_params(axis="y", length=0)


def top_legend(fig: MplFigure, handles: Sequence[Any]) -> None:
    """One row of legend entries above the plot, at the figure's left (inside the layout)."""
    fig.legend(handles=handles, loc="outside upper left", ncols=len(handles))


def axis_break(ax: Axes) -> None:
    """Two short slanted strokes on the y axis near the bottom: the axis does not start at 0."""
    kw: dict[str, Any] = {
        "transform": ax.transAxes,
        "color": PALETTE.edge,
        "linewidth": 0.9,
        "clip_on": False,
    }
    for dy in (0.025, 0.05):
        ax.plot([-0.012, 0.012], [dy - 0.012, dy + 0.012], **kw)


def panel_ylim(
    ax: Axes, lo: float, hi: float, *, domain: tuple[float, float], min_span: float
) -> None:
    """Set y limits around ``lo..hi``, at least ``min_span`` wide; ticks only inside ``domain``.

    The data get a margin of 28% of their range on each side; a range
    narrower than ``min_span`` is widened to it around its middle (moved
    inward at the domain's ends), so that a small move is not drawn as a big
    one. The limits may pass the domain's ends a little, so a marker on 100%
    or 0% is drawn whole.
    """
    d_lo, d_hi = domain
    extra = (d_hi - d_lo) * 0.06
    pad = (hi - lo) * 0.28
    low, high = lo - pad, hi + pad
    if high - low < min_span:
        middle = (lo + hi) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
        shift = max(0.0, d_lo - extra - low) - max(0.0, high - d_hi - extra)
        low, high = low + shift, high + shift
    ax.set_ylim(max(d_lo - extra, low), min(d_hi + extra, high))
    limits = ax.get_ylim()
    ax.set_yticks([t for t in ax.get_yticks() if d_lo - 1e-9 <= t <= d_hi + 1e-9])
    ax.set_ylim(limits)


def bar_labels(
    ax: Axes,
    y: Sequence[float],
    left: Sequence[float],
    widths: Sequence[float],
    texts: Sequence[str],
    colour: str,
    *,
    show: Sequence[bool],
) -> None:
    """Write each text centred on its segment of a horizontal stacked bar (where ``show``)."""
    for yi, li, wi, text, ok in zip(y, left, widths, texts, show, strict=True):
        if ok:
            ax.text(li + wi / 2, yi, text, ha="center", va="center", fontsize=8, color=colour)


# The report block ----------------------------------------------------------------------


def canvas_block(
    canvas: Canvas, *, title: str, alt: str, caption: str, definitions: Sequence[str]
) -> Figure:
    """A chart drawn straight to SVG (:mod:`._svg`) as a report block, as :func:`figure_block`."""
    return Figure(
        title=title,
        svg=canvas.svg(alt),
        alt=alt,
        caption=caption,
        definitions=tuple(definitions),
        texts=tuple(canvas.texts),
    )


def figure_block(
    fig: MplFigure, *, title: str, alt: str, caption: str, definitions: Sequence[str]
) -> Figure:
    """The drawn figure as a report block: deterministic SVG, title, alt text, caption."""
    svg = to_svg(fig, alt=alt)
    return Figure(
        title=title,
        svg=svg,
        alt=alt,
        caption=caption,
        definitions=tuple(definitions),
        texts=drawn_text(fig),
    )
