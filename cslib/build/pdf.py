"""Render a :class:`~cslib.build.document.Document` to PDF with Typst.

The layout lives in ``templates/report.typ``; this module only hands it the
data. All of it travels as one JSON string in Typst's ``sys.inputs``
(``json(bytes(sys.inputs.data))`` in the template), so data is never turned
into Typst markup and never evaluated: an account name full of ``#``, ``$``,
``*`` or backslashes prints as itself.

Before serializing, every text string gets its unbalanced bidi controls closed
(see :func:`cslib.build.html.close_bidi`) and a zero-width space every
:data:`BREAK_EVERY` characters of any run without whitespace, so a 300-character
account name or a URL wraps inside its table cell instead of running off the
page (Typst only breaks lines at break opportunities).

One ``typst.Compiler`` is built per process on first use (loading the fonts
takes most of the first call) and reused; DejaVu Sans comes from matplotlib's
font folder and system fonts are ignored, so the output is the same on every
machine. The PDF has no creation date, so the same document gives the same bytes.

The PDF: a cover page (company, title, subtitle, period, as-of date,
fingerprint, and "Prepared for ..." for a customer report), a table of
contents, then the body with a running header (company · title · subtitle ·
period) and a footer (as-of date, fingerprint, "Page N of M", counted from the
first body page). Headings are PDF bookmarks.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from typing import Any

from cslib.build.document import Document
from cslib.build.fonts import dejavu_sans, font_dir
from cslib.build.html import TEMPLATES, close_bidi, normalized

__all__ = ["BREAK_EVERY", "render_pdf"]

BREAK_EVERY = 24
"""Longest run of characters without a line-break opportunity in the PDF."""

_ZWSP = "\u200b"
_LONG_RUN = re.compile(rf"[^\s\u200b]{{{BREAK_EVERY + 1},}}")
_LOCK = threading.Lock()


def _extends(previous: str, c: str) -> bool:
    """Whether ``c`` belongs to the same grapheme as ``previous`` (approximately)."""
    cp = ord(c)
    return (
        unicodedata.combining(c) != 0
        or unicodedata.category(c) in ("Mn", "Me", "Mc")
        or c == "\u200d"  # zero-width joiner
        or previous == "\u200d"
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or 0xE0020 <= cp <= 0xE007F  # tag characters
        or (0x1F1E6 <= cp <= 0x1F1FF and 0x1F1E6 <= ord(previous or " ") <= 0x1F1FF)
    )


def _break_long_runs(text: str) -> str:
    """``text`` with a zero-width space after every :data:`BREAK_EVERY` non-breaking chars."""
    if len(text) <= BREAK_EVERY:
        return text

    def split(match: re.Match[str]) -> str:
        out: list[str] = []
        count = 0
        previous = ""
        for c in match.group(0):
            # Never between a character and what extends it (accents, emoji sequences).
            if count >= BREAK_EVERY and not _extends(previous, c):
                out.append(_ZWSP)
                count = 0
            out.append(c)
            count += 1
            previous = c
        return "".join(out)

    return _LONG_RUN.sub(split, text)


def _clean(text: str) -> str:
    return _break_long_runs(close_bidi(text))


@functools.cache
def _template() -> bytes:
    return (TEMPLATES / "report.typ").read_bytes()


@functools.cache
def _compiler() -> Any:
    import typst

    dejavu_sans()  # fail early, with a clear message, if the fonts are missing
    # root: the folder a chart SVG's relative <image href> could read from; the
    # templates folder holds nothing but our own template files.
    return typst.Compiler(
        root=str(TEMPLATES), font_paths=[str(font_dir())], ignore_system_fonts=True
    )


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


def _payload(doc: Document) -> str:
    data = normalized(doc, clean=_clean)
    blocks = data["blocks"]
    sections = sum(1 for b in blocks if b["type"] == "heading" and b["level"] == 1)
    # A level-1 section opens a new page only in a long report with several sections
    # (a board pack); a short report (a customer QBR) stays compact.
    data["options"] = {"section_breaks": sections >= 3 and _estimated_pages(blocks) >= 8}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def render_pdf(doc: Document) -> bytes:
    """Render ``doc`` as a PDF (US Letter, DejaVu Sans).

    Parameters
    ----------
    doc : Document
        The report (see :mod:`cslib.build.document`).

    Returns
    -------
    bytes
        The PDF file. The same document always gives the same bytes.

    Raises
    ------
    ValueError
        If a block is malformed (see :func:`cslib.build.html.normalized`).
    typst.TypstError
        If Typst cannot lay the document out (for instance a chart that is not
        a valid SVG document).

    Examples
    --------
    >>> from cslib.build.document import Document
    >>> pdf = render_pdf(Document({"company": "Larkspur", "title": "Board pack"}))
    >>> pdf[:5]
    b'%PDF-'
    """
    payload = _payload(doc)
    with _LOCK:  # one compiler per process; Typst compiles one document at a time on it
        pdf = _compiler().compile(
            input=_template(), format="pdf", sys_inputs={"data": payload}
        )
    return bytes(pdf)
