"""Text put on a slide as data: strings a viewer shows as themselves, runs, frames and labels.

Every string is data: python-pptx writes it as XML text, never as markup.
:func:`clean` is the deck's text hygiene (given to
:func:`cslib.render.text.normalized` for every string of the document):
characters XML cannot hold (NUL and other C0 controls, lone surrogates,
U+FFFE/U+FFFF), which would make python-pptx raise, become U+FFFD; bidi
controls in a string are closed at its end, and a string that starts
right-to-left is isolated (:func:`bidi`). :func:`add_runs` writes spans as
runs (a newline in data is a space; links were checked by
:func:`cslib.render.text.safe_href`), in a theme colour or an RGB one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn

from cslib.render.pptx.measure import EMU_PT, Box, lines_height, one_line, wrapped_lines
from cslib.render.text import isolate_bidi

__all__ = [
    "BAD",
    "FILLS",
    "GOOD",
    "MUTED",
    "add_runs",
    "bidi",
    "bullets",
    "clean",
    "label",
    "text_frame",
    "unstyled",
]

MUTED, GOOD, BAD = "5F6B76", "00805C", "D55E00"
"""Text colours (RGB hex): secondary text, a change for the better, a change for the worse."""
FILLS = {"info": RGBColor(0xEA, 0xF3, 0xFA), "warning": RGBColor(0xFD, 0xF1, 0xE3),
         "card": RGBColor(0xF3, 0xF6, 0xF9)}
"""Fill colours of callouts (by tone) and KPI cards."""
_SCHEME = frozenset({"tx1", "tx2", "bg1", "bg2", "accent1", "accent2"})
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def bidi(text: str) -> str:
    """``text`` with its bidi controls balanced, or right-to-left text in an RTL isolate.

    A string with explicit embeddings, overrides or isolates gets them closed
    at its end (and unmatched closers dropped, as
    :func:`cslib.render.text.isolate_bidi` does), so a right-to-left override in
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


def clean(text: str) -> str:
    """Text python-pptx can write and a viewer shows as itself (see the module notes)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return bidi(_ILLEGAL.sub("\ufffd", text))


def add_runs(paragraph: Any, spans: Sequence[dict[str, Any]], *, size: float,
             bold: bool = False, color: str = "tx1") -> None:
    """Spans as runs of ``paragraph`` (bold, italic, code, safe links).

    ``color`` is a theme colour (``"tx1"``, ``"accent1"``...) or an RGB hex
    (``"5F6B76"``). A newline in data is a space, as in the HTML and PDF; only
    code (an analyst's printed output) keeps its line breaks. The run XML is
    written with lxml: python-pptx's font proxies cost several times more.
    """
    for span in spans:
        style = span.get("style")
        text = span["text"] if style == "code" else one_line(span["text"])
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


def unstyled(shape: Any) -> Any:
    """``shape`` without its theme style reference: no theme shadow; fill and line are explicit.

    LibreOffice draws the style's shadow even under an empty ``a:effectLst``.
    """
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)
    return shape


def text_frame(shape: Any, *, anchor: Any = MSO_ANCHOR.TOP, margins: int = 91440) -> Any:
    """The shape's text frame, wrapping, not auto-sized, with ``margins`` (half at top/bottom)."""
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = margins
    tf.margin_top = tf.margin_bottom = margins // 2
    return tf


def bullets(paragraph: Any, *, ordered: bool, size: float) -> None:
    """Make ``paragraph`` a bulleted (or numbered) list item with a hanging indent."""
    p_pr = paragraph._p.get_or_add_pPr()
    indent = int(size * 1.6 * EMU_PT)
    p_pr.set("marL", str(indent))
    p_pr.set("indent", str(-indent))
    for child in list(p_pr):
        if child.tag in (qn("a:buNone"), qn("a:buChar"), qn("a:buAutoNum")):
            p_pr.remove(child)
    if ordered:
        etree.SubElement(p_pr, qn("a:buAutoNum")).set("type", "arabicPeriod")
    else:
        etree.SubElement(p_pr, qn("a:buChar")).set("char", "\u2022")


def label(slide: Any, text: str, box: Box, *, size: float, bold: bool = False,
          color: str = "tx1", align: Any = PP_ALIGN.LEFT) -> int:
    """A one-paragraph label at the top of ``box``; returns its height."""
    if not text:
        return 0
    h = lines_height(wrapped_lines(text, box.width - 2 * 91440, size, bold=bold), size) + 91440
    shape = slide.shapes.add_textbox(box.left, box.top, box.width, min(h, box.height))
    tf = text_frame(shape)
    tf.paragraphs[0].alignment = align
    add_runs(tf.paragraphs[0], [{"text": text}], size=size, bold=bold,
             color=color)
    return h
