"""Render a :class:`~cslib.document.model.Document` as a PowerPoint deck (python-pptx).

A customer QBR becomes the deck its CSM presents (``cslib render ... --to
pptx``, or ``pptx`` among a plan's ``formats``):

- a **title slide**: the customer (the document's subtitle), the report and
  its period, the publishing company and the data's as-of date;
- **one slide per section** (each heading with content, up to the appendix):
  the heading is the slide title, the section's generated headline (its
  narrative sentences) sits under it, then its chart, table or KPI cards. A
  section with a table and a chart gets a slide for each; a table too long
  for one slide continues on the next ones with its header row repeated;
  a section of text only (recommendations, "no goals recorded yet") is a text
  slide;
- **speaker notes** on every slide: the headline, what a chart shows (its alt
  text and caption), and the definitions of the metrics the section uses
  (:mod:`cslib.metrics.definitions`, as in the report's appendix).

The appendix (definitions and provenance tables) is not turned into slides:
its definitions are in the notes of the slides that use them, and the title
slide's notes give the period, the as-of date and the fingerprint.

Charts are the SVG documents the HTML and PDF show, rasterized to PNG by the
Typst compiler the PDF renderer already holds (resvg inside: no cairo, and no
second drawing of a matplotlib figure), all of a deck's charts in one compile,
at :data:`CHART_PPI` pixels per inch of the chart's own size. Tables are
native PowerPoint tables in the template's table style (16 pt text; 14 pt
when long, 12 pt when wide); text is live text in the template's fonts and
colours. Text sizes and table pages are planned from an estimate of text
width (a generous mean character width), so nothing runs off a slide.

**Template.** ``template`` is a ``.pptx`` file whose slide master and layouts
style the deck: its slide size, theme colours and fonts, title styles and
master shapes (a logo, a colour bar) all apply; any slides it holds are
dropped. The title slide uses its "Title Slide" layout, section slides its
"Title Only" layout (found by name, else by their placeholders), and content
is placed below the layout's title. Text boxes take the theme's body font and
theme colours, so a template's brand shows without code. What the deck does
not use of its template is dropped (:func:`_strip_template`): the thumbnail,
app and custom properties, comment authors, custom XML, the handout master,
unused layouts and masters, and the prompt text of the placeholders of the
masters, layouts and notes master; the core properties are written anew.
``params/qbr-template.pptx`` is a real one, made by
:func:`cslib.render.pptx_template.write_template` (``python -m
cslib.render.pptx_template``). Without a template the deck uses
python-pptx's default master widened to 16:9.

**Hygiene.** Every string is data: python-pptx writes it as XML text, never as
markup. Characters XML cannot hold (NUL and other C0 controls, lone
surrogates, U+FFFE/U+FFFF), which would make python-pptx raise, become
U+FFFD; bidi controls in a string are closed at its end, and a string that
starts right-to-left is isolated (:func:`_bidi`); newlines in data are spaces;
links keep only ``http(s)``/``mailto`` targets
(:func:`cslib.render.html.safe_href`). Long text shrinks to fit its box
(titles, KPI values) and long words wrap inside table cells and cards.

The same document and template always give the same bytes (fixed zip
timestamps and document dates).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.coreprops import CT_CoreProperties
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from cslib.document.model import Document
from cslib.errors import ParameterError
from cslib.metrics.definitions import DEFINITIONS
from cslib.render.compiler import compile_typst
from cslib.render.text import isolate_bidi, normalized

__all__ = [
    "CHART_PPI",
    "TEMPLATE",
    "check_template",
    "rasterize_svgs",
    "render_pptx",
    "warm_up",
]

#: Pixels per inch of a chart's own size (a 6.5 in chart: 1,625 px wide, sharp on a
#: full-HD projector when it fills the slide's width).
CHART_PPI = 250
#: The house template (:mod:`cslib.render.pptx_template` makes it), committed in ``params/``.
TEMPLATE = Path(__file__).resolve().parents[2] / "params" / "qbr-template.pptx"

_EMU_IN = 914400
_EMU_PT = 12700
_WIDE = (12192000, 6858000)  # 13.333 x 7.5 in, 16:9
_MAX_PIXELS = 4000  # longest side of a chart PNG
_CHAR_EM = 0.54  # mean advance of mixed text in Arial/Calibri, in ems (a little generous)
_LINE = 1.2  # line height / font size
_CELL_X, _CELL_Y = int(0.08 * _EMU_IN), int(0.04 * _EMU_IN)  # table cell margins
_GAP = int(0.14 * _EMU_IN)
_FOOTER = int(0.5 * _EMU_IN)
_MUTED, _GOOD, _BAD = "5F6B76", "00805C", "D55E00"  # text colours (RGB hex)
_SCHEME = frozenset({"tx1", "tx2", "bg1", "bg2", "accent1", "accent2"})
_FILLS = {"info": RGBColor(0xEA, 0xF3, 0xFA), "warning": RGBColor(0xFD, 0xF1, 0xE3),
          "card": RGBColor(0xF3, 0xF6, 0xF9)}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_VISUALS = ("figure", "table", "kpis")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- text --------------------------------------------------------------------------------


def _bidi(text: str) -> str:
    """``text`` with its bidi controls balanced, or right-to-left text in an RTL isolate.

    A string with explicit embeddings, overrides or isolates gets them closed
    at its end (and unmatched closers dropped, as
    :func:`cslib.render.html.isolate_bidi` does), so a right-to-left override in
    an account name reverses only that name. A string whose first strong
    letter is right-to-left (an Arabic or Hebrew name) is wrapped in RIGHT-TO-LEFT
    ISOLATE ... POP DIRECTIONAL ISOLATE, so it reads right to left as in the
    HTML and PDF. Anything else is left as it is: LibreOffice lays out a
    left-to-right isolate or embedding that does not start its paragraph as
    right-to-left, and neither FSI nor the outer isolate that the other
    renderers use is drawn correctly there (looked at with LibreOffice 7).
    """
    if any(c in _BIDI_CONTROLS for c in text):
        return isolate_bidi(text)[1:-1]  # the balanced inside of the isolate
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return f"\u2067{text}\u2069"
        if kind == "L":
            break
    return text


def _clean(text: str) -> str:
    """Text python-pptx can write and a viewer shows as itself (see the module notes)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _bidi(_ILLEGAL.sub("\ufffd", text))


def _units(text: str) -> float:
    """The width of ``text`` in average characters (wide East Asian characters and emoji: 2)."""
    return sum(2.0 if unicodedata.east_asian_width(c) in ("W", "F") else
               0.0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 1.0 for c in text)


def _lines(text: str, width: int, size: float, *, bold: bool = False) -> int:
    """Lines ``text`` takes in a box ``width`` EMU wide at ``size`` pt (greedy word wrap)."""
    per_line = max(1.0, width / (size * _EMU_PT * (_CHAR_EM + (0.05 if bold else 0.0))))
    count = 0
    for para in text.split("\n"):
        count += 1
        col = 0.0
        for word in para.split():
            w = _units(word)
            if col == 0:
                col = w
            elif col + 1 + w <= per_line:
                col += 1 + w
            else:
                count += 1
                col = w
            while col > per_line:  # a word longer than a line breaks inside itself
                count += 1
                col -= per_line
    return count


def _height(lines: int, size: float) -> int:
    return int(lines * size * _LINE * _EMU_PT)


def _plain(spans: Sequence[dict[str, Any]]) -> str:
    return "".join(s["text"] for s in spans)


def _block_text(block: dict[str, Any]) -> str:
    if block["type"] == "list":
        return "\n".join(_plain(item) for item in block["items"])
    return _plain(block["spans"])


# --- geometry ----------------------------------------------------------------------------


@dataclass
class _Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def below(self, used: int) -> _Box:
        """The part of the box under its first ``used`` EMU."""
        used = min(used, self.height)
        return _Box(self.left, self.top + used, self.width, self.height - used)


@dataclass
class _Section:
    title: str
    kicker: str = ""
    blocks: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    level: int = 1


# --- charts ------------------------------------------------------------------------------

_RASTER = b"""#let charts = json(bytes(sys.inputs.charts))
#for c in charts {
  page(width: c.width * 1pt, height: c.height * 1pt, margin: 0pt,
       image(bytes(c.svg), format: "svg", width: 100%, height: 100%))
}
"""
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(pt|px|in|cm|mm)?\s*$")
_TO_PT = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, None: 0.75}


def _svg_size(svg: str) -> tuple[float, float]:
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
        w, h = _svg_size(svg)
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


# --- the deck ----------------------------------------------------------------------------


def _layout(prs: Any, names: Sequence[str], wanted: set[Any]) -> Any:
    """The layout named one of ``names``, else the one whose placeholders best match ``wanted``."""
    by_name = {layout.name.strip().lower(): layout for layout in prs.slide_layouts}
    for name in names:
        if name in by_name:
            return by_name[name]
    best, score = None, -1e9
    for layout in prs.slide_layouts:
        kinds = {ph.placeholder_format.type for ph in layout.placeholders}
        kinds -= {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
        s = 2 * len(kinds & wanted) - len(kinds - wanted)
        if s > score:
            best, score = layout, s
    return best


def _title_placeholder(holder: Any) -> Any:
    for ph in holder.placeholders:
        if ph.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
            return ph
    return None


def _style_size(placeholder: Any, default: float) -> float:
    """The font size (pt) a placeholder's text gets from itself, its layout or master."""
    ph = placeholder
    while ph is not None:
        sz = ph._element.xpath("./p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr/@sz")
        if sz:
            return int(sz[0]) / 100
        ph = getattr(ph, "_base_placeholder", None)
    return default


def _master_title_size(prs: Any) -> float:
    sz = prs.slide_master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")
    return int(sz[0]) / 100 if sz else 44.0


def _fit_size(text: str, box: _Box, size: float, *, bold: bool = False,
              low: float = 12.0) -> float:
    """The largest size <= ``size`` (whole pt, >= ``low``) at which ``text`` fits ``box``."""
    inner = max(box.width - 2 * 91440, _EMU_IN // 2)
    s = size
    while s > low and _height(_lines(text, inner, s, bold=bold), s) + 91440 > box.height:
        s -= 1
    return s


def _one_line(text: str) -> str:
    return text.replace("\n", " ")


def _add_runs(paragraph: Any, spans: Sequence[dict[str, Any]], *, size: float,
              bold: bool = False, color: str = "tx1") -> None:
    """Spans as runs of ``paragraph`` (bold, italic, code, safe links).

    ``color`` is a theme colour (``"tx1"``, ``"accent1"``...) or an RGB hex
    (``"5F6B76"``). A newline in data is a space, as in the HTML and PDF; only
    code (an analyst's printed output) keeps its line breaks. The run XML is
    written with lxml: python-pptx's font proxies cost several times more.
    """
    for span in spans:
        style = span.get("style")
        text = span["text"] if style == "code" else _one_line(span["text"])
        for i, part in enumerate(text.split("\n")):
            if i:
                paragraph.add_line_break()
            if not part:
                continue
            r = paragraph._p.add_r()
            r.text = part
            r_pr = r.get_or_add_rPr()
            r_pr.set("lang", "en-US")
            r_pr.set("sz", str(round(size * 100)))
            if bold or style == "strong":
                r_pr.set("b", "1")
            if style == "em":
                r_pr.set("i", "1")
            fill = etree.SubElement(r_pr, qn("a:solidFill"))
            kind = "a:schemeClr" if color in _SCHEME else "a:srgbClr"
            etree.SubElement(fill, qn(kind), val=color)
            if style == "code":
                etree.SubElement(r_pr, qn("a:latin"), typeface="Courier New")
            if span.get("href"):
                paragraph.runs[-1].hyperlink.address = span["href"]


def _unstyled(shape: Any) -> Any:
    """``shape`` without its theme style reference: no theme shadow; fill and line are explicit.

    LibreOffice draws the style's shadow even under an empty ``a:effectLst``.
    """
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)
    return shape


def _text_frame(shape: Any, *, anchor: Any = MSO_ANCHOR.TOP, margins: int = 91440) -> Any:
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = margins
    tf.margin_top = tf.margin_bottom = margins // 2
    return tf


def _bullets(paragraph: Any, *, ordered: bool, size: float) -> None:
    """Make ``paragraph`` a bulleted (or numbered) list item with a hanging indent."""
    p_pr = paragraph._p.get_or_add_pPr()
    indent = int(size * 1.6 * _EMU_PT)
    p_pr.set("marL", str(indent))
    p_pr.set("indent", str(-indent))
    for child in list(p_pr):
        if child.tag in (qn("a:buNone"), qn("a:buChar"), qn("a:buAutoNum")):
            p_pr.remove(child)
    if ordered:
        etree.SubElement(p_pr, qn("a:buAutoNum")).set("type", "arabicPeriod")
    else:
        etree.SubElement(p_pr, qn("a:buChar")).set("char", "\u2022")


class _Deck:
    """Builds the slides of one deck on a presentation (template or default)."""

    def __init__(self, prs: Any, meta: dict[str, str]) -> None:
        self.prs = prs
        self.meta = meta
        self.width, self.height = int(prs.slide_width), int(prs.slide_height)
        self.cover = _layout(prs, ("title slide",),
                             {PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.SUBTITLE})
        self.content = _layout(prs, ("title only",), {PP_PLACEHOLDER.TITLE})
        self.divider = _layout(prs, ("section header",), {PP_PLACEHOLDER.TITLE,
                                                          PP_PLACEHOLDER.BODY})
        title = _title_placeholder(self.content)
        margin = int(0.5 * _EMU_IN)
        if title is not None and title.top is not None and title.top < self.height * 0.4:
            self.title_box = _Box(int(title.left), int(title.top), int(title.width),
                                  int(title.height))
            self.title_size = _style_size(title, _master_title_size(prs))
        else:
            self.title_box = _Box(margin, int(0.3 * _EMU_IN), self.width - 2 * margin,
                                  int(0.9 * _EMU_IN))
            self.title_size = 28.0
        top = self.title_box.bottom + _GAP
        self.area = _Box(self.title_box.left, top, self.title_box.width,
                         self.height - _FOOTER - top)
        self.footer = " · ".join(
            v for v in (meta["company"], meta["subtitle"] or meta["title"], meta["period"]) if v
        )
        self.count = 0
        self._geometry: dict[tuple[str, float | None], tuple[_Box, float]] = {}

    # slides ---------------------------------------------------------------------------
    def _slide(self, layout: Any) -> Any:
        slide = self.prs.slides.add_slide(layout)
        self.count += 1
        return slide

    def _set_title(self, slide: Any, text: str, *, size: float | None = None) -> None:
        ph = _title_placeholder(slide)
        if ph is None:
            ph = slide.shapes.add_textbox(self.title_box.left, self.title_box.top,
                                          self.title_box.width, self.title_box.height)
            size = size or self.title_size
        key = (str(slide.slide_layout.part.partname), size)
        if key not in self._geometry:  # inherited from layout and master: looked up once
            self._geometry[key] = (_Box(int(ph.left), int(ph.top), int(ph.width),
                                        int(ph.height)), size or _style_size(ph, self.title_size))
        box, base = self._geometry[key]
        text = _one_line(text)
        fitted = _fit_size(text, box, base, bold=True)
        tf = ph.text_frame
        tf.word_wrap = True
        tf.text = ""
        run = tf.paragraphs[0].add_run()
        run.text = text
        if fitted != base or size is not None:
            run.font.size = Pt(fitted)

    @staticmethod
    def _drop_empty_placeholders(slide: Any) -> None:
        for ph in list(slide.placeholders):
            if not (ph.has_text_frame and ph.text_frame.text.strip()):
                ph._element.getparent().remove(ph._element)

    def _footer(self, slide: Any, kicker: str = "") -> None:
        text = self.footer + (f" · {kicker}" if kicker else "")
        top = self.height - _FOOTER + int(0.12 * _EMU_IN)
        left, width = self.area.left, self.area.width
        number_w = int(0.8 * _EMU_IN)
        box = slide.shapes.add_textbox(left, top, width - number_w, int(0.3 * _EMU_IN))
        tf = _text_frame(box, margins=0)
        tf.word_wrap = False
        short = text if len(text) <= 120 else _bidi(text[:119].rstrip()) + "…"
        _add_runs(tf.paragraphs[0], [{"text": short}], size=10, color=_MUTED)
        num = slide.shapes.add_textbox(left + width - number_w, top, number_w,
                                       int(0.3 * _EMU_IN))
        tf = _text_frame(num, margins=0)
        tf.paragraphs[0].alignment = PP_ALIGN.RIGHT
        _add_runs(tf.paragraphs[0], [{"text": str(self.count)}], size=10, color=_MUTED)

    def notes(self, slide: Any, text: str) -> None:
        if text.strip():
            slide.notes_slide.notes_text_frame.text = text.strip()

    def cover_slide(self, notes: str) -> None:
        """The title slide: customer (or report), report and period, company, as-of date."""
        meta = self.meta
        slide = self._slide(self.cover)
        title = meta["subtitle"] or meta["title"] or meta["company"]
        self._set_title(slide, title)
        lines = [" · ".join(v for v in (meta["title"] if meta["subtitle"] else "",
                                        meta["period_label"] or meta["period"]) if v),
                 meta["company"]]
        if meta["as_of"]:
            lines.append(f"Data as of {meta['as_of']}")
        lines = [line for line in lines if line]
        sub = next((ph for ph in slide.placeholders
                    if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
        if sub is None:
            t = _title_placeholder(slide)
            top = (int(t.top) + int(t.height)) if t is not None else self.height // 2
            sub = slide.shapes.add_textbox(self.area.left, top + _GAP, self.area.width,
                                           int(1.5 * _EMU_IN))
        box = _Box(int(sub.left), int(sub.top), int(sub.width), int(sub.height))
        size = _fit_size("\n".join(lines), box, _style_size(sub, 20.0), low=10)
        tf = sub.text_frame
        tf.word_wrap = True
        tf.text = ""
        for i, line in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            run = p.add_run()
            run.text = _one_line(line)
            run.font.size = Pt(size)
        self._drop_empty_placeholders(slide)
        self.notes(slide, notes)

    def divider_slide(self, title: str) -> None:
        """A section divider: a part of a composite document, its content in subsections."""
        slide = self._slide(self.divider)
        self._set_title(slide, title)
        self._drop_empty_placeholders(slide)
        self._footer(slide)

    def content_slide(self, title: str, kicker: str) -> tuple[Any, _Box]:
        slide = self._slide(self.content)
        self._set_title(slide, title)
        self._drop_empty_placeholders(slide)
        self._footer(slide, kicker)
        return slide, _Box(self.area.left, self.area.top, self.area.width, self.area.height)

    # text blocks ------------------------------------------------------------------------
    @staticmethod
    def text_sizes(texts: Sequence[dict[str, Any]], scale: float) -> list[float]:
        sizes = []
        for i, block in enumerate(texts):
            base = 20.0 if i == 0 and block["type"] == "paragraph" else (
                18.0 if block["type"] == "list" else 16.0)
            sizes.append(max(10.0, round(base * scale)))
        return sizes

    def _text_height(self, texts: Sequence[dict[str, Any]], sizes: Sequence[float],
                     width: int) -> int:
        total = 0
        for block, size in zip(texts, sizes, strict=True):
            inner = width - 2 * 91440 - (int(size * 1.6 * _EMU_PT) if block["type"] == "list"
                                          else 0) - (91440 if block["type"] == "callout" else 0)
            lines = (sum(_lines(_plain(item), inner, size) for item in block["items"])
                     if block["type"] == "list" else _lines(_plain(block["spans"]), inner, size))
            total += _height(lines, size) + int(size * 0.5 * _EMU_PT) + 91440 + _GAP // 2
        return total

    def fit_texts(self, texts: Sequence[dict[str, Any]], box: _Box,
                  share: float) -> tuple[list[float], int] | None:
        """Font sizes and height for ``texts`` within ``share`` of the box, or None."""
        for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
            sizes = self.text_sizes(texts, scale)
            h = self._text_height(texts, sizes, box.width)
            if h <= box.height * share:
                return sizes, h
        return None

    def draw_texts(self, slide: Any, texts: Sequence[dict[str, Any]], box: _Box,
                   sizes: Sequence[float]) -> int:
        """Stack the text blocks from the top of ``box``; returns the height used."""
        y = box.top
        for block, size in zip(texts, sizes, strict=True):
            h = self._text_height([block], [size], box.width) - _GAP // 2
            h = min(h, box.bottom - y)
            if h <= 0:
                break
            if block["type"] == "callout":
                shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, box.left, y, box.width, h)
                shape.fill.solid()
                shape.fill.fore_color.rgb = _FILLS[block["tone"]]
                shape.line.fill.background()
                _unstyled(shape)
                tf = _text_frame(shape, anchor=MSO_ANCHOR.MIDDLE, margins=int(0.15 * _EMU_IN))
                tf.paragraphs[0].alignment = PP_ALIGN.LEFT
                _add_runs(tf.paragraphs[0], block["spans"], size=size,
                          color="tx1")
            else:
                shape = slide.shapes.add_textbox(box.left, y, box.width, h)
                tf = _text_frame(shape)
                if block["type"] == "list":
                    for i, item in enumerate(block["items"]):
                        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
                        _bullets(p, ordered=block["ordered"], size=size)
                        p.space_after = Pt(size * 0.4)
                        _add_runs(p, item, size=size, color="tx1")
                else:
                    _add_runs(tf.paragraphs[0], block["spans"], size=size,
                              color="tx1")
            y += h + _GAP // 2
        return y - box.top

    # visuals ----------------------------------------------------------------------------
    def _label(self, slide: Any, text: str, box: _Box, *, size: float, bold: bool = False,
               color: str = "tx1", align: Any = PP_ALIGN.LEFT) -> int:
        """A one-paragraph label at the top of ``box``; returns its height."""
        if not text:
            return 0
        h = _height(_lines(text, box.width - 2 * 91440, size, bold=bold), size) + 91440
        shape = slide.shapes.add_textbox(box.left, box.top, box.width, min(h, box.height))
        tf = _text_frame(shape)
        tf.paragraphs[0].alignment = align
        _add_runs(tf.paragraphs[0], [{"text": text}], size=size, bold=bold,
                  color=color)
        return h

    def figure(self, slide: Any, block: dict[str, Any], png: bytes | None, box: _Box) -> None:
        """The chart's title, the chart (fit to the box, centred) and its caption."""
        used = self._label(slide, block["title"], box, size=14, bold=True)
        rest = box.below(used)
        caption_h = (_height(_lines(block["caption"], box.width - 2 * 91440, 11), 11) + 91440
                     if block["caption"] else 0)
        area = _Box(rest.left, rest.top, rest.width, max(rest.height - caption_h, _EMU_IN))
        if png is None:
            self._label(slide, f"[chart not shown: {block['alt'] or block['title']}]", area,
                        size=14, color=_MUTED)
            pic_h = int(0.5 * _EMU_IN)
        else:
            w_pt, h_pt = _svg_size(block["svg"])
            aspect = w_pt / h_pt
            pic_w = min(area.width, int(area.height * aspect))
            pic_h = int(pic_w / aspect)
            left = area.left + (area.width - pic_w) // 2
            pic = slide.shapes.add_picture(io.BytesIO(png), left, area.top, pic_w, pic_h)
            c_nv_pr = pic._element.nvPicPr.cNvPr
            c_nv_pr.set("name", f"Chart {self.count}")
            c_nv_pr.set("descr", block["alt"] or block["title"])
        if block["caption"]:
            self._label(slide, block["caption"], rest.below(pic_h + _GAP // 2), size=11,
                        color=_MUTED)

    def kpis(self, slide: Any, block: dict[str, Any], box: _Box) -> None:
        """KPI cards in rows of up to four: label, value, change, note."""
        used = self._label(slide, block["title"], box, size=14, bold=True)
        box = box.below(used)
        items = block["items"]
        if not items:
            return
        rows = math.ceil(len(items) / 4)
        cols = math.ceil(len(items) / rows)
        gap = int(0.18 * _EMU_IN)
        card_w = (box.width - (cols - 1) * gap) // cols
        inner = card_w - 2 * int(0.12 * _EMU_IN)
        scale = 1.0
        while True:
            sizes = {"label": 13 * scale, "value": 30 * scale, "delta": 13 * scale,
                     "note": 11 * scale}
            value_sizes = [_fit_size(k["value"], _Box(0, 0, inner + 2 * 91440,
                                                      _height(2, sizes["value"]) + 91440),
                                     sizes["value"], bold=True, low=10 * scale)
                           for k in items]
            heights = []
            for k, vs in zip(items, value_sizes, strict=True):
                h = sum(_height(_lines(k[key], inner, sizes[key]), sizes[key])
                        for key in ("label", "delta", "note") if k[key])
                h += _height(_lines(k["value"], inner, vs, bold=True), vs)
                heights.append(h + int(0.3 * _EMU_IN))
            card_h = max(heights)
            if rows * card_h + (rows - 1) * gap <= box.height or scale <= 0.55:
                break
            scale -= 0.1
        card_h = min(card_h, (box.height - (rows - 1) * gap) // rows)
        for n, (k, vs) in enumerate(zip(items, value_sizes, strict=True)):
            r, c = divmod(n, cols)
            shape = slide.shapes.add_shape(
                MSO_SHAPE.ROUNDED_RECTANGLE, box.left + c * (card_w + gap),
                box.top + r * (card_h + gap), card_w, card_h)
            shape.adjustments[0] = 0.08
            shape.fill.solid()
            shape.fill.fore_color.rgb = _FILLS["card"]
            shape.line.color.theme_color = MSO_THEME_COLOR.ACCENT_1
            shape.line.width = Pt(1)
            _unstyled(shape)
            tf = _text_frame(shape, margins=int(0.12 * _EMU_IN))
            first = True
            delta = f"{k['arrow']} {k['delta']}".strip() if k["delta"] else ""
            colour = _GOOD if k["good"] is True else _BAD if k["good"] is False else _MUTED
            for text, size, bold, color in (
                (k["label"], sizes["label"], False, _MUTED),
                (k["value"], vs, True, "accent1"),
                (delta, sizes["delta"], False, colour),
                (k["note"], sizes["note"], False, _MUTED),
            ):
                if not text:
                    continue
                p = tf.paragraphs[0] if first else tf.add_paragraph()
                first = False
                p.alignment = PP_ALIGN.LEFT
                _add_runs(p, [{"text": text}], size=size, bold=bold, color=color)

    # tables -----------------------------------------------------------------------------
    @staticmethod
    def _table_size(block: dict[str, Any], width: int) -> float:
        """16 pt for a small table, 14 pt, or 12 pt for a wide one (more columns or text)."""
        n = len(block["columns"])
        natural = sum(max(_units(c) for c in [col, *(r[i] for r in block["rows"])])
                      for i, col in enumerate(block["columns"]))

        def per_line(size: float) -> float:
            return width / (size * _EMU_PT * _CHAR_EM)

        if n <= 5 and len(block["rows"]) <= 10 and natural <= per_line(16):
            return 16.0
        return 12.0 if n > 6 or natural > 1.6 * per_line(14) else 14.0

    @staticmethod
    def _column_widths(block: dict[str, Any], width: int, size: float) -> list[int]:
        cw = size * _EMU_PT * (_CHAR_EM + 0.03)
        pad = 2 * _CELL_X + int(0.05 * _EMU_IN)
        natural, floor = [], []
        share = width / max(len(block["columns"]), 1)  # a very long word wraps, never hogs
        for i, col in enumerate(block["columns"]):
            cells = [col, *(r[i] for r in block["rows"])]
            natural.append(max(_units(c) for c in cells) * cw + pad)
            longest_word = max((_units(w) for c in cells for w in c.split()), default=1.0)
            floor.append(min(natural[-1],
                             max(min(longest_word * cw + pad, share), 0.9 * _EMU_IN)))
        total = sum(natural)
        if total <= width:
            grow = min(width / total, 1.25) if total else 1.0
            return [int(w * grow) for w in natural]
        if sum(floor) >= width:
            return [int(w * width / sum(floor)) for w in floor]
        spare = [n - f for n, f in zip(natural, floor, strict=True)]
        cut = (total - width) / sum(spare)
        return [int(n - s * cut) for n, s in zip(natural, spare, strict=True)]

    @staticmethod
    def _row_height(cells: Sequence[str], widths: Sequence[int], size: float,
                    bold: bool = False) -> int:
        lines = max((_lines(c, w - 2 * _CELL_X, size, bold=bold)
                     for c, w in zip(cells, widths, strict=True)), default=1)
        return _height(lines, size) + 2 * _CELL_Y + int(size * 0.15 * _EMU_PT)

    def table_pages(self, block: dict[str, Any], first: _Box | None
                    ) -> tuple[float, list[int], list[tuple[int, int]]]:
        """Font size, column widths and the rows of each slide (``first``: room on slide 1)."""
        size = self._table_size(block, self.area.width)
        widths = self._column_widths(block, self.area.width, size)
        header = self._row_height(block["columns"], widths, size, bold=True)
        heights = [self._row_height(r, widths, size, bold=block["total"] and
                                    i == len(block["rows"]) - 1)
                   for i, r in enumerate(block["rows"])]
        label = _height(1, 14) + 91440 if block["title"] else 0
        caption = (_height(_lines(block["caption"], self.area.width, 11), 11) + 91440 + _GAP
                   if block["caption"] else 0)
        full = self.area.height - label
        n = len(heights)
        pages: list[tuple[int, int]] = []
        i = 0
        cap = (first.height - label) if first is not None else full
        while i < n or not pages:
            used, j = header, i
            while j < n and used + heights[j] <= cap:
                used += heights[j]
                j += 1
            if j == i and i < n and not pages and first is not None and cap < full:
                pages.append((0, 0))  # nothing fits under the text: the table starts on slide 2
                cap = full
                continue
            j = max(j, i + 1) if i < n else j
            if j == n and used + caption > cap and j - i > 1:
                j -= 1  # keep room for the caption under the last rows
            pages.append((i, j))
            i, cap = j, full
        if len(pages) > 1 and pages[-1][1] - pages[-1][0] == 1 and block["total"] and \
                pages[-2][1] - pages[-2][0] > 2:  # never a total row alone
            a, b = pages[-2]
            pages[-2], pages[-1] = (a, b - 1), (b - 1, pages[-1][1])
        return size, widths, pages

    def table(self, slide: Any, block: dict[str, Any], box: _Box, size: float,
              widths: Sequence[int], rows: tuple[int, int], *, continued: bool) -> None:
        """One slide's rows of a table, under its title; the caption under the last rows."""
        title = block["title"] + (" (continued)" if continued and block["title"] else "")
        used = self._label(slide, title, box, size=14, bold=True)
        box = box.below(used)
        a, b = rows
        body = block["rows"][a:b]
        header_h = self._row_height(block["columns"], widths, size, bold=True)
        last = len(block["rows"]) - 1
        heights = [self._row_height(r, widths, size, bold=block["total"] and a + i == last)
                   for i, r in enumerate(body)]
        total_h = header_h + sum(heights)
        shape = slide.shapes.add_table(len(body) + 1, len(widths), box.left, box.top,
                                       sum(widths), total_h)
        shape.name = f"Table {self.count}"
        table = shape.table
        table.first_row = True
        table.horz_banding = True
        for i, w in enumerate(widths):
            table.columns[i].width = w
        table.rows[0].height = header_h
        for i, h in enumerate(heights):
            table.rows[i + 1].height = h
        align = [{"left": "l", "right": "r", "center": "ctr"}[x] for x in block["align"]]
        for r, (tr, cells) in enumerate(zip(table._tbl.tr_lst, [block["columns"], *body],
                                            strict=True)):
            bold = r == 0 or (block["total"] and a + r - 1 == last)
            for tc, text, algn in zip(tr.tc_lst, cells, align, strict=True):
                _cell(tc, _one_line(text), size=size, bold=bold, align=algn,
                      color="bg1" if r == 0 else "tx1")
        if block["caption"] and b == len(block["rows"]):
            self._label(slide, block["caption"], box.below(total_h + _GAP // 2), size=11,
                        color=_MUTED)


def _cell(tc: Any, text: str, *, size: float, bold: bool, align: str, color: str) -> None:
    """Fill a new table cell's XML directly (python-pptx's proxies cost ~10x more per cell).

    Margins, middle anchor, alignment, and one run: size, bold, a theme colour.
    ``text`` is already clean (see :func:`_clean`); lxml escapes it.
    """
    tc_pr = tc.get_or_add_tcPr()
    tc_pr.set("marL", str(_CELL_X))
    tc_pr.set("marR", str(_CELL_X))
    tc_pr.set("marT", str(_CELL_Y))
    tc_pr.set("marB", str(_CELL_Y))
    tc_pr.set("anchor", "ctr")
    p = tc.txBody.find(qn("a:p"))
    etree.SubElement(p, qn("a:pPr"), algn=align)
    if not text:
        return
    run = etree.SubElement(p, qn("a:r"))
    r_pr = etree.SubElement(run, qn("a:rPr"), lang="en-US", sz=str(int(size * 100)))
    if bold:
        r_pr.set("b", "1")
    etree.SubElement(etree.SubElement(r_pr, qn("a:solidFill")), qn("a:schemeClr"), val=color)
    etree.SubElement(run, qn("a:t")).text = text


def _sections(doc: Document, data: dict[str, Any]) -> list[_Section]:
    """The document's headings with their blocks (raw and normalized), up to the appendix."""
    sections: list[_Section] = []
    current: _Section | None = None
    top = ""
    for raw, block in zip(doc.blocks, data["blocks"], strict=True):
        if block["type"] == "heading":
            if block["level"] == 1 and block["new_page"]:
                break  # the appendix: its definitions go to the notes
            if block["level"] == 1:
                top = block["text"]
            kicker = top if block["level"] > 1 and top != block["text"] else ""
            current = _Section(block["text"], kicker, level=block["level"])
            sections.append(current)
            continue
        if current is None:
            current = _Section(data["meta"]["title"] or "Overview")
            sections.append(current)
        current.blocks.append((raw, block))
    return sections


def _definitions_note(raws: Sequence[dict[str, Any]]) -> str:
    keys: dict[str, None] = {}
    for raw in raws:
        for key in raw.get("definitions") or ():
            if isinstance(key, str) and key in DEFINITIONS:
                keys.setdefault(key)
    if not keys:
        return ""
    lines = ["Definitions used in this section:"]
    for key in keys:
        d = DEFINITIONS[key]
        lines.append(f"- {d.name}: {d.text} ({d.standard})")
    return "\n".join(lines)


def _groups(section: _Section) -> list[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
    """The section's slides: (text blocks shown above, the chart, table or KPI cards)."""
    groups: list[tuple[list[dict[str, Any]], dict[str, Any] | None]] = []
    pending: list[dict[str, Any]] = []
    for _, block in section.blocks:
        if block["type"] in _VISUALS:
            groups.append((pending, block))
            pending = []
        else:
            pending.append(block)
    if pending:
        if groups:  # a note after the last chart or table goes with it
            groups[-1] = (groups[-1][0] + pending, groups[-1][1])
        else:
            groups.append((pending, None))
    return groups


def _open(template: str | Path | None) -> Any:
    if template is None:
        prs = Presentation()
        _widen(prs)
        return prs
    prs = _load(template)
    ids = prs.slides._sldIdLst
    for sld_id in list(ids):  # the template's own slides are examples, not content
        prs.part.drop_rel(sld_id.rId)
        ids.remove(sld_id)
    return prs


def _load(template: str | Path) -> Any:
    path = Path(template).expanduser()
    if path.suffix.lower() != ".pptx" or not path.is_file():
        raise ParameterError(
            f"the PowerPoint template must be an existing .pptx file, got {str(template)!r}; "
            "save a .potx template as .pptx."
        )
    try:
        return Presentation(str(path))
    except Exception as exc:
        raise ParameterError(
            f"the PowerPoint template {str(path)!r} cannot be read as a presentation "
            f"({type(exc).__name__}: {exc}); open it in PowerPoint and save it as .pptx."
        ) from None


def check_template(template: str | Path) -> Path:
    """The template's path, once it is known to be a ``.pptx`` python-pptx can open.

    Raises
    ------
    ParameterError
        If the file is missing, is not a ``.pptx`` (a ``.potx`` must be saved
        as ``.pptx``), or cannot be read as a presentation.
    """
    _load(template)
    return Path(template).expanduser()


#: The package relationships a deck keeps: its presentation and its core properties (which
#: the renderer rewrites). The others are the template's: the thumbnail (a picture of its
#: first slide), the app properties (company, manager, its slides' titles), custom
#: properties, digital signatures.
_PACKAGE_KEEPS = frozenset({RT.OFFICE_DOCUMENT, RT.CORE_PROPERTIES})
#: The presentation's relationships a deck keeps. The others are the template's: comment
#: authors, the handout master, custom XML data, tags, printer settings, macros, revision
#: history.
_PRESENTATION_KEEPS = frozenset({RT.SLIDE_MASTER, RT.SLIDE, RT.NOTES_MASTER, RT.THEME,
                                 RT.PRES_PROPS, RT.VIEW_PROPS, RT.TABLE_STYLES, RT.FONT})
#: presentation.xml's lists about the template's own slides: custom shows, sections.
_SECTIONS_EXT = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"


def _strip_template(prs: Any) -> None:
    """Drop what a deck takes from its template but does not use.

    A template made from an old customer's deck carries that customer into
    every deck made with it, in parts no slide shows: its thumbnail, custom
    and app properties, comment authors, custom XML, handout master, the
    layouts and masters the deck does not use, and the prompt text of the
    placeholders of the masters, layouts and notes master ("Click to edit",
    or whatever the template's author typed there). All of that goes: parts
    are dropped with their relationships (python-pptx saves only the parts
    that are related), prompt text is emptied (a slide's placeholder has its
    own text; an empty one is removed). What the template draws on every
    slide (a logo, a text box on the master) is its branding and stays, for
    the leak scan to read (:func:`cslib.pipeline.leaks.pptx_text` reads every
    part). The core properties are rewritten by :func:`_core_properties`.
    """
    package = prs.part.package
    for r_id, rel in list(package._rels.items()):
        if rel.reltype not in _PACKAGE_KEEPS:
            package._rels.pop(r_id)
    presentation = prs.part
    root = presentation._element
    for r_id, rel in list(presentation.rels.items()):
        if rel.reltype in _PRESENTATION_KEEPS:
            continue
        for el in root.xpath(f"//*[@r:id='{r_id}']"):  # e.g. p:handoutMasterIdLst/...
            parent = el.getparent()
            parent.remove(el)
            if len(parent) == 0 and parent is not root:
                parent.getparent().remove(parent)
        presentation.rels.pop(r_id)
    for el in root.xpath(f"./p:custShowLst | ./p:extLst/p:ext[@uri='{_SECTIONS_EXT}']"):
        el.getparent().remove(el)
    used = {slide.slide_layout.part for slide in prs.slides}
    for master in prs.slide_masters:
        for layout in list(master.slide_layouts):
            if layout.part not in used:
                master.slide_layouts.remove(layout)
    master_ids = root.find(qn("p:sldMasterIdLst"))
    for master_id in list(master_ids):
        master = presentation.related_part(master_id.get(qn("r:id")))
        if not any(layout.part in used for layout in master.slide_master.slide_layouts):
            master_ids.remove(master_id)
            presentation.rels.pop(master_id.get(qn("r:id")))
    holders = [m.part._element for m in prs.slide_masters]
    holders += [layout.part._element for m in prs.slide_masters for layout in m.slide_layouts]
    if any(rel.reltype == RT.NOTES_MASTER for rel in presentation.rels.values()):
        holders.append(presentation.part_related_by(RT.NOTES_MASTER)._element)
    for holder in holders:
        for sp in holder.iter(qn("p:sp")):
            if sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}") is not None:
                for t in sp.iter(qn("a:t")):
                    t.text = ""


def _notes_text(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _core_properties(prs: Any, meta: dict[str, str]) -> None:
    """Core properties made anew: the deck's title and company, nothing of the template's."""
    core = prs.core_properties
    core._element = CT_CoreProperties.new_coreProperties()
    core.title = " · ".join(v for v in (meta["title"], meta["subtitle"], meta["period"]) if v)[:250]
    core.author = core.last_modified_by = meta["company"][:250]
    core.revision = 1
    try:
        when = dt.datetime.strptime(meta["as_of"][:10], "%Y-%m-%d")
    except ValueError:
        when = dt.datetime(2000, 1, 1)
    core.created = core.modified = when
    core.last_printed = when


def _deterministic_zip(data: bytes) -> bytes:
    """The same package with fixed timestamps (same deck, same bytes); images stored as is."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stored = info.filename.lower().endswith((".png", ".jpeg", ".jpg"))
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def warm_up() -> None:
    """Render a small deck without charts, so a process's forks start warm.

    python-pptx's parts, XML classes and default templates are loaded once in
    the warm parent of the local executor (:mod:`cslib.pipeline.fork`) instead
    of in every fork. No chart: a Typst compile starts threads, and a process
    must not fork after that (the child would wait on them forever).
    """
    table = {"type": "table", "title": "t", "columns": ["a", "b"], "align": ["left", "right"],
             "rows": [["x", "1"], ["y", "2"]], "caption": "c", "total": True}
    blocks: list[dict[str, Any]] = [
        {"type": "heading", "level": 1, "text": "Summary"},
        {"type": "paragraph", "spans": [{"text": "Warm.", "style": None}],
         "definitions": ["arr"]},
        {"type": "kpis", "title": "k", "items": [{"label": "ARR", "value": "$1"}]},
        {"type": "heading", "level": 1, "text": "Table"}, table,
        {"type": "callout", "tone": "info", "spans": [{"text": "Note.", "style": None}]},
        {"type": "list", "ordered": True, "items": [[{"text": "One.", "style": None}]]},
    ]
    doc = Document({"title": "Warm", "subtitle": "up"}, blocks)
    render_pptx(doc, template=TEMPLATE if TEMPLATE.is_file() else None)


def render_pptx(doc: Document, *, template: str | Path | None = None) -> bytes:
    """Render ``doc`` as a PowerPoint deck: title slide, a slide per section, speaker notes.

    Parameters
    ----------
    doc : Document
        The report (see :mod:`cslib.document.model`); a customer QBR is what
        the deck is designed for, but any document renders.
    template : str or Path, optional
        A ``.pptx`` whose master, layouts, theme and size style the deck
        (``params/qbr-template.pptx``, or a plan's ``pptx_template``). Default:
        python-pptx's default master at 16:9.

    Returns
    -------
    bytes
        The ``.pptx`` file. The same document and template give the same bytes.

    Raises
    ------
    ParameterError
        If ``template`` is not a readable ``.pptx`` file.
    ValueError
        If a block is malformed (see :func:`cslib.render.html.normalized`).

    Examples
    --------
    >>> from cslib.document.model import Document
    >>> deck = render_pptx(Document({"company": "Larkspur", "title": "QBR", "subtitle": "Acme"}))
    >>> deck[:2]
    b'PK'
    """
    data = normalized(doc, clean=_clean)
    meta = data["meta"]
    prs = _open(template)
    deck = _Deck(prs, meta)
    sections = _sections(doc, data)
    figures = [b for s in sections for _, b in s.blocks if b["type"] == "figure"]
    pngs = dict(zip(map(id, figures), rasterize_svgs([b["svg"] for b in figures]), strict=True))
    provenance = [f"Period: {meta['period_label'] or meta['period']}"] if meta["period"] else []
    if meta["as_of"]:
        provenance.append(f"Data as of {meta['as_of']}")
    if meta["fingerprint"]:
        provenance.append(f"Fingerprint {meta['fingerprint']}")
    prepared = (f"Prepared for {meta['subtitle']} by {meta['company']}."
                if meta["audience"] == "customer" and meta["subtitle"] else "")
    deck.cover_slide(_notes_text(prepared, ". ".join(provenance)))
    for n, section in enumerate(sections):
        if not section.blocks:
            following = sections[n + 1] if n + 1 < len(sections) else None
            if following is not None and following.level > section.level:
                deck.divider_slide(section.title)
            continue
        definitions = _definitions_note([raw for raw, _ in section.blocks])
        for k, (texts, visual) in enumerate(_groups(section)):
            _section_slides(deck, section, texts, visual, pngs,
                            definitions=definitions, first=k == 0)
    _strip_template(prs)
    _core_properties(prs, meta)
    out = io.BytesIO()
    prs.save(out)
    return _deterministic_zip(out.getvalue())


def _section_slides(deck: _Deck, section: _Section, texts: list[dict[str, Any]],
                    visual: dict[str, Any] | None, pngs: dict[int, bytes | None], *,
                    definitions: str, first: bool) -> None:
    """The slide(s) of one visual of a section with the text shown above it."""
    said = "\n".join(_block_text(b) for b in texts)
    about = ""
    if visual is not None and visual["type"] == "figure":
        about = _notes_text(f"Chart: {visual['alt']}" if visual["alt"] else "",
                            visual["caption"])
    elif visual is not None and visual["type"] == "table" and visual["caption"]:
        about = f"Table: {visual['caption']}"
    notes = _notes_text(said, about, definitions)
    share = 0.42 if visual is not None else 1.0
    fitted = deck.fit_texts(texts, deck.area, share) if texts else ([], 0)
    if texts and fitted is None:  # too much text to share a slide with the visual
        slide, box = deck.content_slide(section.title, section.kicker)
        alone = deck.fit_texts(texts, box, 1.0)
        sizes = alone[0] if alone else deck.text_sizes(texts, 0.6)
        deck.draw_texts(slide, texts, box, sizes)
        deck.notes(slide, _notes_text(said, definitions))
        texts, fitted, said = [], ([], 0), ""
        notes = _notes_text(about, definitions)
        if visual is None:
            return
    sizes, _ = fitted or ([], 0)
    if visual is not None and visual["type"] == "table":
        slide, box = deck.content_slide(section.title, section.kicker)
        used = deck.draw_texts(slide, texts, box, sizes) if texts else 0
        rest = box.below(used + (_GAP if used else 0))
        size, widths, pages = deck.table_pages(visual, rest)
        for p, rows in enumerate(pages):
            if p:
                slide, rest = deck.content_slide(section.title, section.kicker)
            if rows[1] > rows[0] or not visual["rows"]:
                deck.table(slide, visual, rest, size, widths, rows,
                           continued=rows[0] > 0)
            deck.notes(slide, notes if p == 0 else _notes_text(about, definitions))
        return
    slide, box = deck.content_slide(section.title, section.kicker)
    used = deck.draw_texts(slide, texts, box, sizes) if texts else 0
    rest = box.below(used + (_GAP if used else 0))
    if visual is not None and visual["type"] == "figure":
        deck.figure(slide, visual, pngs.get(id(visual)), rest)
    elif visual is not None:
        deck.kpis(slide, visual, rest)
    deck.notes(slide, notes)


# --- the template ------------------------------------------------------------------------


def _scale_x(element: Any, factor: float) -> None:
    """Scale every shape's x offset and width under ``element`` (a master or a layout)."""
    for off in element.iter(qn("a:off")):
        off.set("x", str(int(int(off.get("x")) * factor)))
    for ext in element.iter(qn("a:ext")):
        if ext.get("cx") is not None:
            ext.set("cx", str(int(int(ext.get("cx")) * factor)))


def _widen(prs: Any) -> None:
    """python-pptx's default 4:3 master and layouts made 16:9 (shapes widened to match)."""
    factor = _WIDE[0] / int(prs.slide_width)
    prs.slide_width, prs.slide_height = Emu(_WIDE[0]), Emu(_WIDE[1])
    _scale_x(prs.slide_master._element, factor)
    for layout in prs.slide_layouts:
        _scale_x(layout._element, factor)
