"""Charts drawn straight to SVG in the house style, without matplotlib's figure machinery.

The three charts of every customer QBR (success-plan goals, adoption,
relationship coverage) are simple: bars, lines, markers, text. Drawn through
matplotlib they cost ~60 ms each (figure and axes objects, tick machinery,
constrained layout, text as paths), most of a QBR's time. Drawn here they
cost a few milliseconds and look the same: the same font (DejaVu Sans, text
as glyph outlines, so no font is needed to view them), the same sizes and
colours (:mod:`cslib.present.style`), the same nice tick steps (matplotlib's
``MaxNLocator``), deterministic bytes and the same SVG contract as
:func:`cslib.present.style.to_svg` (``width``/``height`` in pt, a
``viewBox``, a ``<title>`` with the alt text).

Text is laid out by :mod:`cslib.typeface` (the font's own advance widths and
kerning for left-to-right text, libraqm's shaping otherwise); its glyph
outlines, kept once per process (the warm worker loads the common ones), are
written once per chart in ``<defs>`` and placed with ``<use>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from matplotlib.ticker import MaxNLocator

from cslib.present.style import PALETTE
from cslib.typeface import SCALE, face

__all__ = ["Canvas", "Frame", "legend", "nice_ticks", "text_height"]

PAD = 2.88  # the figure's padding (constrained layout's 0.04 in)
TICK = 3.0  # tick length (pt)
TICK_PAD = 3.5  # tick to its label (pt)
LABEL_PAD = 4.0  # tick labels to the axis label (pt)
TICK_SIZE = 8.5  # tick labels, legends
LABEL_SIZE = 9.0  # axis labels
LINE_SPACING = 1.2


def _scale(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _num(value: float) -> str:
    """A coordinate with at most 2 decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nice_ticks(low: float, high: float, length_pt: float, *, horizontal: bool,
               integer: bool = False) -> list[float]:
    """Tick values between ``low`` and ``high`` at matplotlib's nice steps (1, 2, 2.5, 5).

    As many as matplotlib's automatic locator puts on an axis ``length_pt``
    long with 8.5 pt labels (a label every 3 font sizes across, every 2 up).
    """
    room = TICK_SIZE * (3.0 if horizontal else 2.0)
    bins = max(1, min(int(length_pt // room), 9))
    locator = MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10], integer=integer, min_n_ticks=2)
    return [float(t) for t in locator.tick_values(low, high)
            if low - 1e-9 <= t <= high + 1e-9]


@dataclass
class Canvas:
    """An SVG drawing ``width`` x ``height`` pt, y down.

    It keeps the text it draws (``texts``, for the build's leak scan, as
    :func:`cslib.present.style.drawn_text` does for matplotlib figures) and
    each text's box (``boxes``: left, top, right, bottom in pt).
    """

    width: float
    height: float
    parts: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # each text's
    _used: dict[str, str] = field(default_factory=dict)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *,
             stroke: str | None = None, stroke_width: float = 0.0,
             opacity: float | None = None) -> None:
        """A filled rectangle (top-left ``x``, ``y``)."""
        if w <= 0 or h <= 0:
            return
        extra = f' stroke="{stroke}" stroke-width="{_num(stroke_width)}"' if stroke else ""
        if opacity is not None:
            extra += f' fill-opacity="{_num(opacity)}"'
        self.parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
                          f'height="{_num(h)}" fill="{fill}"{extra}/>')

    def line(self, points: Sequence[tuple[float, float]], colour: str, width: float, *,
             dash: Sequence[float] | None = None, cap: str = "butt") -> None:
        """A polyline through ``points``."""
        d = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        extra = f' stroke-dasharray="{" ".join(_num(v) for v in dash)}"' if dash else ""
        self.parts.append(f'<polyline points="{d}" fill="none" stroke="{colour}" '
                          f'stroke-width="{_num(width)}" stroke-linejoin="round" '
                          f'stroke-linecap="{cap}"{extra}/>')

    def polygon(self, points: Sequence[tuple[float, float]], fill: str, *,
                opacity: float = 1.0) -> None:
        """A filled polygon."""
        d = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self.parts.append(f'<polygon points="{d}" fill="{fill}" fill-opacity="{_num(opacity)}"/>')

    def marker(self, x: float, y: float, shape: str, size: float, colour: str) -> None:
        """A circle (``"o"``) or square (``"s"``) ``size`` pt across, centred on ``x``, ``y``."""
        if shape == "o":
            self.parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(size / 2)}" '
                              f'fill="{colour}"/>')
        else:
            self.rect(x - size / 2, y - size / 2, size, size, colour)

    def text(self, x: float, y: float, text: str, *, size: float = TICK_SIZE,
             colour: str = PALETTE.text, bold: bool = False, ha: str = "left",
             va: str = "center", rotate: bool = False,
             background: str | None = None) -> tuple[float, float]:
        """Write ``text`` (one line per line of it) anchored at ``x``, ``y``; returns its size.

        ``ha``: left, center, right; ``va``: top, center, baseline, bottom (of
        the whole block, as matplotlib aligns text). ``rotate`` turns it 90°
        anticlockwise about the anchor (a y-axis label).
        """
        if not text.strip():
            return 0.0, 0.0
        self.texts.append(text)
        f = face(bold)
        k = size / SCALE
        lines = text.split("\n")
        laid = [f.layout(line) for line in lines]
        widths = [w * k for _, w in laid]
        block_w = max(widths)
        line_h = f.lp_height * k
        pitch = LINE_SPACING * f.lp_height * k  # baseline to baseline: 1.2 lines of "lp"
        block_h = line_h + pitch * (len(lines) - 1)
        top = {"top": 0.0, "center": -block_h / 2, "bottom": -block_h,
               "baseline": -(line_h - f.lp_descent * k)}[va]
        left = {"left": 0.0, "center": -block_w / 2, "right": -block_w}[ha]
        rot = " rotate(-90)" if rotate else ""
        if rotate:  # local (u, v) -> canvas (x + v, y - u)
            self.boxes.append((x + top, y - left - block_w, x + top + block_h, y - left))
        else:
            self.boxes.append((x + left, y + top, x + left + block_w, y + top + block_h))
        if background:
            self.parts.append(
                f'<g transform="translate({_num(x)} {_num(y)}){rot}"><rect x="{_num(left - 1)}" '
                f'y="{_num(top - 1)}" width="{_num(block_w + 2)}" height="{_num(block_h + 2)}" '
                f'fill="{background}"/></g>'
            )
        out = [f'<g transform="translate({_num(x)} {_num(y)}){rot}" fill="{colour}">']
        for i, ((glyphs, _), w) in enumerate(zip(laid, widths, strict=True)):
            dx = left + {"left": 0.0, "center": (block_w - w) / 2, "right": block_w - w}[ha]
            baseline = top + (line_h - f.lp_descent * k) + i * pitch
            uses = "".join(
                f'<use xlink:href="#{gid}"{f" x={chr(34)}{_num(gx)}{chr(34)}" if gx else ""}/>'
                for gid, gx in glyphs
            )
            for gid, _gx in glyphs:
                self._used.setdefault(gid, f.paths[gid])
            out.append(f'<g transform="translate({_num(dx)} {_num(baseline)}) '
                       f'scale({_scale(k)} -{_scale(k)})">{uses}</g>')
        out.append("</g>")
        self.parts.append("".join(out))
        return block_w, block_h

    def svg(self, alt: str | None = None) -> str:
        """The SVG document: XML declaration, size in pt, viewBox, title, glyphs, drawing."""
        w, h = _num(self.width), _num(self.height)
        title = f"\n <title>{escape(alt)}</title>" if alt else ""
        defs = "".join(f'<path id="{gid}" d="{d}"/>' for gid, d in sorted(self._used.items()))
        return (
            '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            f'<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}pt" height="{h}pt" '
            f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" version="1.1">{title}\n'
            f' <rect width="{w}" height="{h}" fill="#ffffff"/>\n'
            f" <defs>{defs}</defs>\n " + "\n ".join(self.parts) + "\n</svg>\n"
        )


@dataclass
class Frame:
    """A plot area on a canvas and its data limits: maps data to canvas points.

    ``left``, ``top``, ``right``, ``bottom`` are the area's edges in canvas pt
    (y down); ``x0..x1`` and ``y0..y1`` the data shown across and up.
    """

    canvas: Canvas
    left: float
    top: float
    right: float
    bottom: float
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, value: float) -> float:
        return self.left + (value - self.x0) / (self.x1 - self.x0) * (self.right - self.left)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)

    def grid_x(self, ticks: Sequence[float]) -> None:
        """Vertical grid lines at ``ticks`` (drawn first: behind the data)."""
        for t in ticks:
            self.canvas.line([(self.x(t), self.top), (self.x(t), self.bottom)], PALETTE.grid, 0.6)

    def grid_y(self, ticks: Sequence[float]) -> None:
        """Horizontal grid lines at ``ticks``."""
        for t in ticks:
            self.canvas.line([(self.left, self.y(t)), (self.right, self.y(t))], PALETTE.grid, 0.6)

    def left_spine(self) -> None:
        self.canvas.line([(self.left, self.top), (self.left, self.bottom)], PALETTE.edge, 0.8)

    def bottom_spine(self, lo: float, hi: float) -> None:
        """The x axis line from data ``lo`` to ``hi``."""
        self.canvas.line([(self.x(lo), self.bottom), (self.x(hi), self.bottom)],
                         PALETTE.edge, 0.8)

    def x_ticks(self, ticks: Sequence[float], labels: Sequence[str]) -> float:
        """Ticks and their labels under the x axis; returns the labels' height."""
        tallest = 0.0
        for t, label in zip(ticks, labels, strict=True):
            x = self.x(t)
            self.canvas.line([(x, self.bottom), (x, self.bottom + TICK)], PALETTE.muted, 0.8)
            _, h = self.canvas.text(x, self.bottom + TICK + TICK_PAD, label, ha="center",
                                    va="top")
            tallest = max(tallest, h)
        return tallest

    def y_ticks(self, ticks: Sequence[float], labels: Sequence[str], *,
                marks: bool = True) -> float:
        """Ticks and their labels left of the y axis; returns the widest label's width."""
        widest = 0.0
        length = TICK if marks else 0.0
        for t, label in zip(ticks, labels, strict=True):
            y = self.y(t)
            if marks:
                self.canvas.line([(self.left - length, y), (self.left, y)], PALETTE.muted, 0.8)
            w, _ = self.canvas.text(self.left - length - TICK_PAD, y, label, ha="right")
            widest = max(widest, w)
        return widest

    def x_label(self, text: str, labels_height: float) -> None:
        """The x axis's label, centred under the whole plot area."""
        self.canvas.text((self.left + self.right) / 2,
                         self.bottom + TICK + TICK_PAD + labels_height + LABEL_PAD, text,
                         size=LABEL_SIZE, va="top", ha="center")


def text_height(lines: int = 1, size: float = TICK_SIZE) -> float:
    """Height of a block of ``lines`` lines at ``size`` pt (as :meth:`Canvas.text` lays it)."""
    f = face(False)
    k = size / SCALE
    return f.lp_height * k + LINE_SPACING * f.lp_height * k * (lines - 1)


def legend(canvas: Canvas, entries: Sequence[tuple[str, str, str | None]], *,
           x: float = PAD + 0.4 * TICK_SIZE, y: float = PAD + 0.4 * TICK_SIZE) -> float:
    """One row of colour keys with their names from ``x``, ``y`` (top); returns its height.

    ``entries`` are (fill, name, outline colour or None).

    Sized as the house style's matplotlib legends: keys 1.2 x 0.9 em of 8.5 pt
    text, 0.8 em to the name, 1.2 em between entries, inside a 0.4 em border.
    Returns the height from the top of the canvas to the legend's bottom.
    """
    em = TICK_SIZE
    h = text_height()
    for colour, name, edge in entries:
        canvas.rect(x, y + (h - 0.9 * em) / 2, 1.2 * em, 0.9 * em, colour,
                    stroke=edge, stroke_width=0.6 if edge else 0.0)
        x += 2.0 * em
        w, _ = canvas.text(x, y + h / 2, name)
        x += w + 1.2 * em
    return y + h
