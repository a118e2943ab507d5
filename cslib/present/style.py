"""The house style of every chart: colours, the font, sizes, axis formats, SVG output.

One place decides how a ``cslib`` chart looks, so the board pack, the segment
reviews and the customer QBRs look alike:

- colours: the Okabe-Ito palette (safe for the common colour-vision
  deficiencies) under semantic names (:data:`PALETTE`), an ordered ramp for
  ordinal categories and a light-to-blue sequential colormap for heatmaps
  (:data:`SEQUENTIAL`), both monotonic in lightness;
- one font, DejaVu Sans (it ships inside matplotlib, so every machine has it);
- sizes legible at print size: a 6.5 in wide figure printed at 100% has 9 pt
  text and 10.5 pt bold titles;
- SVG output with text as paths and fixed ids, so the same input gives
  byte-identical SVG (:func:`to_svg`).

The customer QBR's three charts are drawn straight to SVG with these colours,
font and sizes (:mod:`cslib.present.charts._svg`); the others with matplotlib.
Charts are drawn with matplotlib's object API only (``matplotlib.figure.Figure``,
never ``pyplot``): no global figure state, nothing left open. The style is
applied through :func:`house_style` (a ``matplotlib.rc_context``), never by
changing the global ``rcParams``; build a whole chart inside it::

    with house_style():
        fig, ax = new_figure(height_in=2.5)
        ax.plot([1, 2, 3])
        svg = to_svg(fig, alt="A rising line.")
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from xml.sax.saxutils import escape

import matplotlib as mpl
import numpy as np
from matplotlib import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from cslib import typeface
from cslib.present.formats import (
    fmt_count,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_score,
    minus,
)

__all__ = [
    "FONT",
    "OKABE_ITO",
    "PALETTE",
    "SEQUENTIAL",
    "Palette",
    "count_axis",
    "drawable_text",
    "drawn_text",
    "house_rc",
    "house_style",
    "money_axis",
    "new_figure",
    "number_axis",
    "percent_axis",
    "points_axis",
    "score_axis",
    "text_colour_on",
    "to_svg",
]

FONT = typeface.FONT

#: The eight Okabe-Ito colours (Okabe & Ito, "Color Universal Design", 2008).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


@dataclass(frozen=True)
class Palette:
    """Colours by meaning; every colour of a chart comes from here.

    Attributes
    ----------
    positive, negative : str
        Good and bad news (a gain, a loss): bluish green, vermillion.
    neutral, neutral_light : str
        Neither good nor bad ("not started"; passives): a mid and a light grey.
    primary, secondary, tertiary : str
        Series without a meaning of their own, in this order: blue, orange,
        sky blue. ``total`` (a total bar) is the primary blue.
    band_red, band_yellow, band_green : str
        The health bands: vermillion, yellow, bluish green. The yellow is
        drawn with :attr:`edge` around it, which keeps it visible on white.
    ordinal : tuple of str
        Five colours from light to dark for ordered categories (none ..
        very strong), lightness decreasing so the order survives grey print.
    series : tuple of str
        Categorical order for unrelated series (all eight Okabe-Ito colours).
    text, muted, grid, edge, light : str
        Text, secondary text, grid lines, outlines and light fills.
    """

    positive: str = OKABE_ITO["bluish_green"]
    negative: str = OKABE_ITO["vermillion"]
    neutral: str = "#9E9E9E"
    neutral_light: str = "#C8C8C8"
    primary: str = OKABE_ITO["blue"]
    secondary: str = OKABE_ITO["orange"]
    tertiary: str = OKABE_ITO["sky_blue"]
    total: str = OKABE_ITO["blue"]
    band_red: str = OKABE_ITO["vermillion"]
    band_yellow: str = OKABE_ITO["yellow"]
    band_green: str = OKABE_ITO["bluish_green"]
    ordinal: tuple[str, ...] = ("#DDDDDD", "#B9DCF2", "#56B4E9", "#0072B2", "#00385A")
    series: tuple[str, ...] = (
        OKABE_ITO["blue"],
        OKABE_ITO["orange"],
        OKABE_ITO["sky_blue"],
        OKABE_ITO["bluish_green"],
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["yellow"],
        OKABE_ITO["black"],
    )
    text: str = "#222222"
    muted: str = "#5F5F5F"
    grid: str = "#E3E3E3"
    edge: str = "#6B6B6B"
    light: str = "#F2F2F2"

    def band(self, name: str | None) -> str:
        """The colour of a health band (``"red"``, ``"yellow"``, ``"green"``); grey otherwise."""
        return {"red": self.band_red, "yellow": self.band_yellow, "green": self.band_green}.get(
            name or "", self.neutral
        )


PALETTE = Palette()

#: Sequential colormap for heatmaps: near-white to Okabe-Ito blue to dark blue.
#: Lightness falls monotonically, so it reads for colour-blind readers and in grey.
SEQUENTIAL = LinearSegmentedColormap.from_list(
    "cslib_blues", ["#F5F9FC", OKABE_ITO["sky_blue"], OKABE_ITO["blue"], "#00385A"]
)


def house_rc() -> dict[str, Any]:
    """The matplotlib settings (``rcParams``) of the house style.

    Sizes are for a 6.5 in wide figure shown at 100% (a printed page or a
    report column): 9 pt text, 8.5 pt ticks, 10.5 pt bold titles. No top or
    right spines, a light grid behind the data, SVG text as paths
    (``svg.fonttype = "path"``, so it looks the same without the font) and a
    fixed ``svg.hashsalt`` so ids, and so the SVG, are deterministic.

    Returns
    -------
    dict
        A fresh dict each call; pass it to ``matplotlib.rc_context``.
    """
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "font.size": 9.0,
        "text.color": PALETTE.text,
        "axes.titlesize": 10.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlepad": 6.0,
        "axes.titley": 1.0,  # fixed: skips matplotlib's costly automatic title placement
        "axes.labelsize": 9.0,
        "axes.labelcolor": PALETTE.text,
        "axes.edgecolor": PALETTE.edge,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=list(PALETTE.series)),
        "axes.unicode_minus": True,
        "grid.color": PALETTE.grid,
        "grid.linewidth": 0.6,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "xtick.color": PALETTE.muted,
        "ytick.color": PALETTE.muted,
        "xtick.labelcolor": PALETTE.text,
        "ytick.labelcolor": PALETTE.text,
        "xtick.major.size": 3.0,
        "ytick.major.size": 3.0,
        "legend.fontsize": 8.5,
        "legend.frameon": False,
        "legend.handlelength": 1.2,
        "legend.handleheight": 0.9,
        "legend.columnspacing": 1.2,
        "figure.titlesize": 10.5,
        "figure.titleweight": "bold",
        "figure.facecolor": "white",
        "figure.dpi": 100.0,
        "figure.constrained_layout.h_pad": 0.04,
        "figure.constrained_layout.w_pad": 0.04,
        "lines.linewidth": 1.8,
        "lines.markersize": 4.5,
        "patch.linewidth": 0.0,
        "savefig.facecolor": "white",
        "savefig.dpi": 200.0,
        "svg.fonttype": "path",
        # Text from data ("$5 to $3", "$x^2$") is drawn as written, never as mathtext.
        "text.parse_math": False,
        "svg.hashsalt": "cslib",
        "svg.image_inline": True,
    }


@contextmanager
def house_style() -> Iterator[None]:
    """Apply :func:`house_rc` for the duration of a ``with`` block (restored after)."""
    with mpl.rc_context(house_rc()):
        yield


def new_figure(
    width_in: float = 6.5,
    height_in: float = 3.0,
    *,
    nrows: int = 1,
    ncols: int = 1,
    sharex: bool = False,
    sharey: bool = False,
    width_ratios: list[float] | None = None,
) -> tuple[Figure, Any]:
    """A new figure in the house style with a grid of axes (constrained layout).

    Matplotlib reads most settings when an artist is created, so build the
    whole chart inside :func:`house_style`; this function applies it too, so
    the figure and its axes get the style even when called outside.

    Parameters
    ----------
    width_in, height_in : float
        Size in inches (6.5 in is a report column at 100%).
    nrows, ncols : int
        The grid of axes.
    sharex, sharey : bool
        Share the x or y axis across the grid.
    width_ratios : list of float, optional
        Relative widths of the columns.

    Returns
    -------
    (matplotlib.figure.Figure, Axes or numpy.ndarray of Axes)
        One ``Axes`` for a 1 x 1 grid, otherwise an array shaped like the grid
        (squeezed, as ``Figure.subplots`` does).
    """
    with house_style():
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        axes = fig.subplots(
            nrows,
            ncols,
            sharex=sharex,
            sharey=sharey,
            squeeze=True,
            gridspec_kw={"width_ratios": width_ratios} if width_ratios else None,
        )
    return fig, axes


def to_svg(fig: Figure, *, alt: str | None = None) -> str:
    """Render ``fig`` to an SVG document.

    The SVG has no date and fixed ids (same figure, same bytes), its text is
    drawn as paths (no font needed to view it), it keeps ``width`` and
    ``height`` (in pt) and has a ``viewBox``, so CSS can scale it to its
    container. With ``alt``, a ``<title>`` child carries the text
    description for screen readers.

    The figure keeps its size: :func:`new_figure` lays it out with
    matplotlib's constrained layout, which fits tick labels, axis labels and
    legends inside, so every chart is exactly as wide as asked (6.5 in) and
    its text prints at the same size as every other chart's. Cropping to the
    drawn content (``bbox_inches="tight"``) would give each chart its own
    width, so each would scale differently in a report column, and costs a
    second drawing pass; charts therefore place every annotation inside the
    axes' limits.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart (made with :func:`new_figure`).
    alt : str, optional
        One-sentence description of the chart (escaped).

    Returns
    -------
    str
        The SVG document (UTF-8 text, starting with the XML declaration).
    """
    buffer = io.BytesIO()
    with house_style():
        # The SVG canvas directly, not ``fig.savefig``: savefig draws the whole figure
        # once more beforehand (a dry run for the layout engine) and measures every
        # text again; a single draw runs constrained layout itself and gives the same
        # bytes (tested), in about 20% less time per chart.
        FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None})
    svg = buffer.getvalue().decode("utf-8")
    if alt:
        start = svg.find("<svg")
        end = svg.find(">", start) + 1
        svg = f"{svg[:end]}\n <title>{escape(alt)}</title>{svg[end:]}"
    return svg


@functools.cache
def _drawable() -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(font_manager.findfont(FONT)).get_charmap())


def drawable_text(text: str) -> str:
    """``text`` with each character the house font cannot draw spelled out by name.

    DejaVu Sans (the one font of charts and PDFs) covers Latin, Greek,
    Cyrillic, Arabic, Hebrew and many symbols, but no emoji; rather than an
    empty box, a chart or a PDF shows ``"Hooli 🚀"`` as ``"Hooli :rocket:"``
    (colons, in a left-to-right isolate: brackets would be mirrored in
    right-to-left text). Spaces, control, format (bidi) and combining characters are kept; emoji
    skin-tone modifiers are dropped. HTML keeps the original characters (a
    browser has emoji fonts).
    """
    if text.isascii():
        return text
    ok = _drawable()
    out = []
    for ch in text:
        code = ord(ch)
        if code in ok or unicodedata.category(ch)[0] in "CZM":
            out.append(ch)
        elif not 0x1F3FB <= code <= 0x1F3FF:
            # a left-to-right isolate keeps ":rocket:" whole inside right-to-left text
            out.append(f"\u2066:{unicodedata.name(ch, f'U+{code:04X}').lower()}:\u2069")
    return "".join(out)


def drawn_text(fig: Figure) -> tuple[str, ...]:
    """Every piece of text drawn in ``fig`` (titles, labels, ticks, legend), after a draw.

    The SVG holds text as paths, so the build's leak scan reads it from here.
    """
    return tuple(
        t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
    )


# Axis formats ------------------------------------------------------------------


def _axis(ax: Axes, which: str) -> Any:
    if which not in ("x", "y"):
        raise ValueError(f"`axis` must be 'x' or 'y', got {which!r}.")
    return ax.xaxis if which == "x" else ax.yaxis


def _tick_money(value: float) -> str:
    # $20.0M -> $20M on ticks (round values); data labels keep fmt_money's 1 decimal.
    text = fmt_money(value, compact=True)
    return text.replace(".0M", "M").replace(".0K", "K").replace(".0B", "B")


def _house_money() -> bool:
    from cslib.present.locale import active

    return active().house


class _MoneyTicks(Formatter):
    """Compact money ticks with as many decimals as the tick step needs.

    Ticks 50K apart around $1.3M read ``$1.25M``, ``$1.3M``, ``$1.35M`` rather
    than ``$1.3M`` three times; round steps keep ``$20M``; zero is ``$0``.
    """

    def __call__(self, x: float, pos: int | None = None) -> str:
        return _tick_money(x)

    def format_ticks(self, values: list[float]) -> list[str]:
        locs = sorted(float(v) for v in values if np.isfinite(v))
        top = max((abs(v) for v in locs), default=0.0)
        steps = [b - a for a, b in pairwise(locs) if b > a]
        if not _house_money():
            from cslib.present.locale import active

            return [minus(t) for t in active().money_ticks(values)]
        if not steps or top < 1e3:
            return [_tick_money(v) for v in values]
        unit, suffix = next((u, s) for u, s in ((1e9, "B"), (1e6, "M"), (1e3, "K")) if top >= u)
        step = min(steps) / unit
        # Enough decimals to tell every tick apart: the step itself must be exact.
        decimals = next(
            (d for d in range(4) if abs(round(step, d) - step) < 1e-9 * max(1, step)), 3
        )
        out = []
        for v in values:
            text = f"{abs(v) / unit:,.{decimals}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            out.append("$0" if text == "0" else f"{'−' if v < 0 else ''}${text}{suffix}")
        return out


def money_axis(ax: Axes, *, axis: str = "y") -> None:
    """Format an axis's ticks as compact money: ``$500K``, ``$1.25M``, ``$20M``.

    Where the reader's locale writes long ticks (``250.000 €``: German has no
    short form below a million), a horizontal axis gets at most five ticks so
    that they do not run into each other.
    """
    target = _axis(ax, axis)
    target.set_major_formatter(_MoneyTicks())
    if axis == "x" and not _house_money():
        target.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))


class _PercentTicks(Formatter):
    """Percent ticks with at least ``digits`` decimals, and as many as the ticks need.

    Ticks 2.5 points apart read ``62.5%``, ``65.0%``, ``67.5%`` rather than a
    rounded ``63%`` under a tick that stands at 62.5%.
    """

    def __init__(self, digits: int = 0) -> None:
        self.digits = digits

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt_percent(x, digits=self.digits)

    def format_ticks(self, values: list[float]) -> list[str]:
        points = [100.0 * float(v) for v in values if np.isfinite(v)]
        digits = next((d for d in range(self.digits, 4)
                       if all(abs(round(p, d) - p) < 1e-6 for p in points)), 3)
        return [fmt_percent(v, digits=digits) for v in values]


def percent_axis(ax: Axes, *, axis: str = "y", digits: int = 0) -> None:
    """Format an axis holding proportions as percent: 0.98 -> ``98%``, 0.725 -> ``72.5%``."""
    _axis(ax, axis).set_major_formatter(_PercentTicks(digits))


def points_axis(ax: Axes, *, axis: str = "y") -> None:
    """Format an axis holding NPS points, signed: ``-20``, ``0``, ``+40``."""
    _axis(ax, axis).set_major_formatter(
        FuncFormatter(lambda v, _pos: "0" if round(v) == 0 else f"{v:+.0f}".replace("-", "−"))
    )


class _NumberTicks(Formatter):
    """Number ticks with the decimals the ticks need, in the reader's locale.

    ``grouping``: thousands separators (``1,000,000``); scores (CES) have none.
    """

    def __init__(self, *, grouping: bool) -> None:
        self.write = fmt_number if grouping else fmt_score

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.write(x, digits=1)

    def format_ticks(self, values: list[float]) -> list[str]:
        finite = [float(v) for v in values if np.isfinite(v)]
        scale = max((abs(v) for v in finite), default=1.0) or 1.0
        digits = next((d for d in range(4)
                       if all(abs(round(v, d) - v) < 1e-6 * scale for v in finite)), 3)
        return [self.write(v, digits=digits) for v in values]


def score_axis(ax: Axes, *, axis: str = "y") -> None:
    """Format an axis of mean scores (CES 1-7): ``4.5``, ``5``, or ``4,5`` in de_DE."""
    _axis(ax, axis).set_major_formatter(_NumberTicks(grouping=False))


def number_axis(ax: Axes, *, axis: str = "y") -> None:
    """Format an axis of plain numbers: ``250,000``, ``1,000,000`` (``1.000.000`` in de_DE)."""
    _axis(ax, axis).set_major_formatter(_NumberTicks(grouping=True))


def count_axis(ax: Axes, *, axis: str = "y") -> None:
    """Format an axis of counts: whole numbers with thousands separators, integer ticks."""
    target = _axis(ax, axis)
    target.get_major_locator().set_params(integer=True)
    target.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_count(round(v))))


def text_colour_on(colour: Any) -> str:
    """Black or white, whichever reads better on a fill of ``colour`` (WCAG luminance)."""
    rgb = np.asarray(to_rgb(colour))
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    return "white" if luminance < 0.22 else PALETTE.text
