"""A deck's charts: the SVG documents the HTML and PDF show, rasterized to PNG by Typst.

The Typst compiler the PDF renderer already holds (:mod:`cslib.render.compiler`;
resvg inside: no cairo, and no second drawing of a matplotlib figure) draws
all of a deck's charts in one compile, at :data:`CHART_PPI` pixels per inch of
each chart's own size (:func:`svg_size`), no side over 4,000 px.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from cslib.render.compiler import compile_typst

__all__ = ["CHART_PPI", "rasterize_svgs", "svg_size"]

#: Pixels per inch of a chart's own size (a 6.5 in chart: 1,625 px wide, sharp on a
#: full-HD projector when it fills the slide's width).
CHART_PPI = 250
_MAX_PIXELS = 4000  # longest side of a chart PNG
_RASTER = b"""#let charts = json(bytes(sys.inputs.charts))
#for c in charts {
  page(width: c.width * 1pt, height: c.height * 1pt, margin: 0pt,
       image(bytes(c.svg), format: "svg", width: 100%, height: 100%))
}
"""
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(pt|px|in|cm|mm)?\s*$")
_TO_PT = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, None: 0.75}


def svg_size(svg: str) -> tuple[float, float]:
    """The SVG's width and height in points (from its root's attributes or viewBox)."""
    head = re.search(r"<svg\b[^>]*>", svg)
    tag = head.group(0) if head else ""

    def attr(name: str) -> str | None:
        m = re.search(rf'\s{name}\s*=\s*["\']([^"\']*)["\']', tag)
        return m.group(1) if m else None

    size: list[float] = []
    for name in ("width", "height"):
        m = _LENGTH.match(attr(name) or "")
        if m is None:
            break
        size.append(float(m.group(1)) * _TO_PT[m.group(2)])
    if len(size) == 2 and all(v > 0 for v in size):
        return size[0], size[1]
    box = (attr("viewBox") or "").replace(",", " ").split()
    try:
        w, h = float(box[2]) * 0.75, float(box[3]) * 0.75
        if w > 0 and h > 0:
            return w, h
    except (IndexError, ValueError):
        pass
    return 468.0, 288.0


def rasterize_svgs(svgs: Sequence[str], *, ppi: float = CHART_PPI) -> list[bytes | None]:
    """PNG images of SVG documents, drawn by Typst (one compile for all of them).

    Parameters
    ----------
    svgs : sequence of str
        Complete SVG documents (a chart's text is drawn as paths, so no font is
        needed; ``<text>`` is drawn with DejaVu Sans).
    ppi : float
        Pixels per inch of each SVG's own size; a very large SVG is drawn with
        fewer, so that no side exceeds 4,000 px.

    Returns
    -------
    list of bytes or None
        One PNG per SVG, in order; ``None`` for an SVG Typst cannot draw (it is
        not a valid SVG document).

    Examples
    --------
    >>> png = rasterize_svgs(['<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"/>'])
    >>> png[0][1:4]
    b'PNG'
    """
    if not svgs:
        return []

    pages = []
    for svg in svgs:
        w, h = svg_size(svg)
        k = min(1.0, _MAX_PIXELS / (max(w, h) / 72 * ppi))
        pages.append({"width": w * k, "height": h * k, "svg": svg})

    def compile_(charts: list[dict[str, Any]]) -> list[bytes]:
        out = compile_typst(_RASTER, format="png", ppi=float(ppi),
                            sys_inputs={"charts": json.dumps(charts)})
        return [bytes(p) for p in out] if isinstance(out, list) else [bytes(out)]

    try:
        return list(compile_(pages))
    except Exception:  # typst.TypstError: find the chart(s) at fault, keep the others
        result: list[bytes | None] = []
        for page in pages:
            try:
                result.append(compile_([page])[0])
            except Exception:
                result.append(None)
        return result

