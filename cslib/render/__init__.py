"""Renderers: a :class:`~cslib.document.model.Document` to the bytes of one format.

``--to html|pdf|pdf-wide|pptx`` maps to :mod:`~cslib.render.html`,
:mod:`~cslib.render.pdf` (Typst; ``pdf-wide`` is its 16:9 landscape layout for
presenting, written as ``<name>.wide.pdf``) and :mod:`~cslib.render.pptx`;
:mod:`~cslib.render.quarto` is the Quarto CLI backend. The house font lives in
:mod:`~cslib.render.fonts`.
"""

from __future__ import annotations

from pathlib import Path

from cslib.document.model import Document
from cslib.errors import ParameterError

__all__ = ["FORMATS", "SUFFIXES", "render_document", "suffix"]

#: The formats a document can be rendered to (``--to``, a plan's ``formats``).
FORMATS = ("html", "pdf", "pdf-wide", "pptx")
#: A format's file suffix where it is not the format's name: ``board-pack.wide.pdf``.
SUFFIXES = {"pdf-wide": "wide.pdf"}


def suffix(fmt: str) -> str:
    """The file suffix of a format: ``pdf``, ``html``, ``pptx``; ``wide.pdf`` for ``pdf-wide``."""
    return SUFFIXES.get(fmt, fmt)


def render_document(doc: Document, fmt: str, *, pptx_template: Path | None = None) -> bytes:
    """The bytes of ``doc`` in ``fmt`` (one of :data:`FORMATS`), built-in renderers.

    ``pptx_template``: the ``.pptx`` master a deck is styled with (default:
    python-pptx's own, 16:9); see :mod:`cslib.render.pptx`.

    Raises
    ------
    ParameterError
        On an unknown format.
    """
    if fmt == "pptx":
        from cslib.errors import require_extra

        require_extra("pptx", "pptx", "decks (--to pptx)")
        from cslib.render.pptx import render_pptx

        return render_pptx(doc, template=pptx_template)
    if fmt == "html":
        from cslib.render.html import render_html

        return render_html(doc).encode("utf-8")
    if fmt in ("pdf", "pdf-wide"):
        from cslib.render.pdf import render_pdf

        return render_pdf(doc, wide=fmt == "pdf-wide")
    raise ParameterError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}.")
