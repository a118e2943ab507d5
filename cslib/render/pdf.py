"""Render a :class:`~cslib.document.model.Document` to PDF with Typst.

The layout lives in ``templates/report.typ``; this module only hands it the
data. All of it travels as one JSON string in Typst's ``sys.inputs``
(``json(bytes(sys.inputs.data))`` in the template), so data is never turned
into Typst markup and never evaluated: an account name full of ``#``, ``$``,
``*`` or backslashes prints as itself.

Before serializing, every text string is bidi-isolated when it needs to be
(:func:`cslib.render.text.isolate_bidi`) and gets a zero-width space every
:data:`~cslib.render.text.BREAK_EVERY` characters of any run without whitespace
(:func:`cslib.render.text.long_run_pieces`), so a 300-character account name or
a URL wraps inside its table cell instead of running off the page (Typst only
breaks lines at break opportunities). Characters the font cannot draw (emoji)
are spelled out (:func:`cslib.present.style.drawable_text`).

One ``typst.Compiler`` is built per process on first use (loading the fonts
takes most of the first call) and reused; DejaVu Sans comes from matplotlib's
font folder and system fonts are ignored, so the output is the same on every
machine. The PDF has no creation date, so the same document gives the same bytes.

The PDF: a cover page (company, title, subtitle, period, as-of date,
fingerprint, and "Prepared for ..." for a customer report), a table of
contents (on the cover page when it has 12 entries or fewer), then the body
with a running header (company · title · subtitle · period) and a footer
(as-of date, fingerprint, "Page N of M", counted from the first body page).
Headings are PDF bookmarks; in a long report with three or more level-1
sections, each of those opens a new page. A short table stays whole on one
page and a long one breaks between rows with its header repeated; a table
known to be short from its text widths (:func:`_quick_table`) is placed
without Typst measuring it first, which halves a QBR's compile time.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any

from cslib.document.model import Document
from cslib.present.style import drawable_text
from cslib.render.compiler import TEMPLATES, compile_typst
from cslib.render.text import id_label, isolate_bidi, joined, long_run_pieces, normalized
from cslib.typeface import text_width

__all__ = ["render_pdf"]

_ZWSP = "\u200b"
_BODY_WIDTH = 72.0 * (8.5 - 2 * 0.85)  # US Letter less the side margins (report.typ)
_TABLE_SIZE = 8.5  # table text (report.typ's data-table)
_CELL_INSET = 2 * 6.0  # left and right padding of a cell


def _clean(text: str) -> str:
    """Drawable (emoji named), bidi-isolated, a zero-width space between long-run pieces."""
    return _ZWSP.join(long_run_pieces(isolate_bidi(drawable_text(text))))


@functools.cache
def _template() -> bytes:
    return (TEMPLATES / "report.typ").read_bytes()


def _estimated_pages(blocks: list[dict[str, Any]]) -> float:
    """A rough body length in pages (tables by rows, charts, cards, text by characters)."""
    pages = 0.0
    for b in blocks:
        kind = b["type"]
        if kind == "table":
            pages += 0.08 + len(b["rows"]) / 45
        elif kind == "figure":
            pages += 0.4
        elif kind == "kpis":
            pages += 0.12 * (1 + len(b["items"]) // 4)
        elif kind in ("paragraph", "callout"):
            pages += 0.03 + sum(len(s["text"]) for s in b["spans"]) / 4500
        elif kind == "list":
            pages += 0.02 * len(b["items"])
        else:
            pages += 0.05
    return pages


def _quick_table(b: dict[str, Any]) -> bool:
    """Whether a table certainly stays whole on one page, so Typst need not measure it.

    The template keeps a short table whole on one page (at most 20 rows and
    at most 6.5 in tall) and lets a long one break between rows; telling them
    apart means laying each table out twice (``measure`` in a ``context``),
    which costs Typst more than the rest of a QBR. A table is *quick* when the
    renderer can tell without Typst:

    - every cell fits on one line at its natural width (the columns' widest
      texts, measured with the house font as Typst shapes it, fit the body
      width, so Typst's automatic columns wrap nothing) and it has at most 15
      lines, a short title and caption: at most ~5.5 in tall. Should a cell
      wrap after all (a measuring error of a fraction of a point), the table
      is at most twice as tall, still less than a page, so keeping it whole is
      still right; or
    - cells wrap, but the table has at most 20 rows and an upper bound of its
      height (:func:`_height_bound`) is under 80% of 6.5 in.

    Either way Typst would have kept it whole too, so the PDF is the same bytes
    (``tests/render/test_render.py``). Other tables are measured as before.
    """
    if len(b["title"]) > 150 or len(b["caption"]) > 600:
        return False
    natural = [text_width(str(c), _TABLE_SIZE, bold=True) + _CELL_INSET for c in b["columns"]]
    last = len(b["rows"]) - 1
    for i, row in enumerate(b["rows"]):
        bold = b["total"] and i == last
        for j, cell in enumerate(row):
            natural[j] = max(natural[j],
                             text_width(str(cell), _TABLE_SIZE, bold=bold) + _CELL_INSET)
    lines = sum(max((str(c).count("\n") + 1 for c in row), default=1) for row in b["rows"])
    if sum(natural) <= _BODY_WIDTH:
        return lines <= 15
    return len(b["rows"]) <= 20 and _height_bound(b, natural) <= 0.8 * _KEEP_WHOLE


#: A table taller than this (title and caption included) may break across pages (report.typ).
_KEEP_WHOLE = 6.5 * 72.0
_ROW_INSET = 2 * 4.2  # top and bottom padding of a cell
_BREAKS = re.compile(r"[ \u200b]+")  # where a cell's lines may break (spaces, long-run breaks)


def _wrapped_lines(text: str, width: float, *, bold: bool) -> int:
    """At most how many lines ``text`` takes in a column ``width`` pt wide (table text).

    First-fit line breaking at spaces and zero-width spaces, as Typst breaks
    text that is not justified; Typst may also break after hyphens and
    slashes, which only makes its lines fewer. A piece wider than the column
    counts the lines it would need if broken anywhere.
    """
    space = text_width(" ", _TABLE_SIZE, bold=bold)
    total = 0
    for line in text.split("\n"):
        count, used = 1, 0.0
        for piece in _BREAKS.split(line):
            if not piece:
                continue
            w = text_width(piece, _TABLE_SIZE, bold=bold)
            if w > width:  # overflows on its own: lines of its own
                count += (1 if used else 0) + int(w // width)
                used = w % width
            elif used and used + space + w > width:
                count, used = count + 1, w
            else:
                used += (space if used else 0.0) + w
        total += count
    return total


def _auto_columns(natural: list[float]) -> list[float]:
    """The widths Typst gives automatic columns whose natural widths do not all fit.

    Typst's grid layout: each column is first as wide as its widest cell (at
    most the body width); when they do not fit, columns no wider than a fair
    share of what is left keep their width, repeatedly, and the rest get the
    fair share of the remainder.
    """
    widths = [min(w, _BODY_WIDTH) for w in natural]
    if sum(widths) <= _BODY_WIDTH:
        return widths
    fair, last, left, overlarge, changed = -math.inf, -math.inf, _BODY_WIDTH, len(widths), True
    while changed and overlarge > 0:
        changed, last = False, fair
        fair = left / overlarge
        for w in widths:
            if last < w <= fair:
                left, overlarge, changed = left - w, overlarge - 1, True
    return [min(w, fair) for w in widths]


def _height_bound(b: dict[str, Any], natural: list[float]) -> float:
    """An upper bound, in pt, of a table's height with its title and caption.

    The columns are as wide as Typst makes them (:func:`_auto_columns`), less
    a point for measuring errors; each cell's lines are counted at that width
    (:func:`_wrapped_lines`), with 1.4 em per line (a line is 0.73 em of
    DejaVu Sans's cap height plus 0.62 em of leading) and the cell's padding.
    """
    inner = [w - _CELL_INSET - 1.0 for w in _auto_columns(natural)]
    if min(inner, default=0.0) <= 0:
        return math.inf
    last = len(b["rows"]) - 1
    height = 0.0
    for i, row in enumerate([b["columns"], *b["rows"]]):
        bold = i == 0 or (b["total"] and i - 1 == last)
        lines = max((_wrapped_lines(str(c), inner[j], bold=bold) for j, c in enumerate(row)),
                    default=1)
        height += lines * 1.4 * _TABLE_SIZE + _ROW_INSET
    if b["title"]:
        wide = text_width(b["title"], 10, bold=True)
        height += 0.7 * 10 + 1.4 * 10 * (1 + wide // (0.9 * _BODY_WIDTH))
    if b["caption"]:
        height += 0.55 * 8 + 1.4 * 8 * (1 + text_width(b["caption"], 8) // (0.9 * _BODY_WIDTH))
    return height


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (header and footer lines)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _running(meta: dict[str, str]) -> dict[str, str]:
    """Header, footer and PDF title lines, from the raw meta (before cleaning)."""

    def part(key: str, limit: int) -> str:
        return isolate_bidi(_shorten(str(meta.get(key) or ""), limit))

    header = [part("company", 28), part("title", 36), part("subtitle", 36)]
    provenance = []
    if meta.get("as_of"):
        provenance.append("Data as of " + part("as_of", 30))
    if meta.get("fingerprint"):
        provenance.append(id_label(meta) + " " + part("fingerprint", 30))
    title = [part(k, 200) for k in ("company", "title", "subtitle", "period")]
    return {
        "header": joined(*header),
        "period": part("period", 20),
        "provenance": "  ·  ".join(provenance),
        "title": joined(*title),
    }


def _payload(doc: Document, *, quick_tables: bool = True, wide: bool = False) -> str:
    """The JSON handed to the template: normalized blocks, meta, running lines, options.

    ``wide``: a 16:9 landscape page; its tables are all measured by Typst (the
    quick-table bounds are worked out for the portrait page).
    """
    data = normalized(doc, clean=_clean)
    blocks = data["blocks"]
    for b in blocks:
        if b["type"] == "table":
            b["quick"] = quick_tables and not wide and _quick_table(b)
    headings = [b for b in blocks if b["type"] == "heading"]
    sections = sum(1 for b in headings if b["level"] == 1)
    data["running"] = _running(doc.meta)
    data["options"] = {
        # A level-1 section opens a new page only in a long report with several
        # sections (a board pack); a short one (a customer QBR) stays compact.
        "section_breaks": sections >= 3 and _estimated_pages(blocks) >= 8,
        # A short table of contents shares the cover page.
        "toc_on_cover": len(headings) <= 12 and not wide,
        "toc": bool(headings),
        # A long table of contents (a board pack) is set smaller and tighter, so that it
        # fills its page instead of leaving a line or two alone on the next.
        "toc_dense": len(headings) > 36 and not wide,
        "wide": wide,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def render_pdf(doc: Document, *, wide: bool = False) -> bytes:
    """Render ``doc`` as a PDF (US Letter portrait, DejaVu Sans), or 16:9 landscape to present.

    Parameters
    ----------
    doc : Document
        The report (see :mod:`cslib.document.model`).
    wide : bool
        A 16:9 landscape page (13.333 x 7.5 in, a PowerPoint slide's size): KPI
        cards six to a row, each section starting a page, charts at most 9 in
        wide, the contents in two columns.

    Returns
    -------
    bytes
        The PDF file. The same document always gives the same bytes.

    Raises
    ------
    ValueError
        If a block is malformed (see :func:`cslib.render.text.normalized`).
    typst.TypstError
        If Typst cannot lay the document out (for instance a chart that is not
        a valid SVG document).

    Examples
    --------
    >>> from cslib.document.model import Document
    >>> pdf = render_pdf(Document({"company": "Larkspur", "title": "Board pack"}))
    >>> pdf[:5]
    b'%PDF-'
    """
    payload = _payload(doc, wide=wide)
    pdf = compile_typst(_template(), format="pdf", sys_inputs={"data": payload})
    return bytes(pdf)
