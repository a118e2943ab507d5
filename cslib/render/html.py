"""Render a :class:`~cslib.document.model.Document` to one self-contained HTML file.

The file needs nothing else: the CSS is inline, DejaVu Sans is embedded as
WOFF ``data:`` URIs (see :mod:`cslib.render.fonts`), charts are SVG documents
inside ``<img src="data:image/svg+xml;base64,...">`` (an SVG shown through
``<img>`` cannot run script, fetch anything, or clash with the page's ids), and
there is no JavaScript at all. A strict Content-Security-Policy ``<meta>`` tag
forbids any other resource, as a second line of defence.

Every string of the document is data: the Jinja2 template escapes it
(``autoescape=True``), links keep their ``href`` only when it is an
``http``, ``https`` or ``mailto`` URL (otherwise the text stays, the link
goes), and a string with right-to-left text or bidi controls is isolated
(:func:`isolate_bidi`), so a right-to-left override in an account name cannot
reverse the text that follows it. Runs of more than :data:`BREAK_EVERY`
characters without a space get ``<wbr>`` break opportunities in tables and
KPI cards, so a 300-character name cannot stretch them off the screen.

The hygiene every renderer shares (:func:`~cslib.render.text.normalized`,
:func:`~cslib.render.text.safe_href`, :func:`~cslib.render.text.isolate_bidi`)
lives in :mod:`cslib.render.text`.
"""

from __future__ import annotations

import base64
import functools

import jinja2
import markupsafe

from cslib.document.model import Document
from cslib.render.compiler import TEMPLATES
from cslib.render.fonts import font_face_css
from cslib.render.text import joined, long_run_pieces, normalized

__all__ = ["CSP", "render_html", "warm_up"]


CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)
"""The Content-Security-Policy of every HTML report: nothing but inline styles and data: URIs."""


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["svg_data_uri"] = _svg_data_uri
    env.filters["breakable"] = _breakable
    return env


def _breakable(text: str) -> markupsafe.Markup:
    """``text`` escaped, with ``<wbr>`` between the pieces of :func:`long_run_pieces`."""
    return markupsafe.Markup("<wbr>").join(markupsafe.escape(p) for p in long_run_pieces(text))


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@functools.cache
def _css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def warm_up() -> None:
    """Compile the page template and read the style sheet now, before a warm worker forks.

    Jinja compiles a template to Python on first use; done once in the warm
    worker, every fork renders with it (about 30 ms off each document).
    """
    _environment().get_template("report.html.j2")
    _css()


def render_html(doc: Document) -> str:
    """Render ``doc`` as one self-contained HTML5 page.

    Header (company, title, subtitle, period), a table of contents linking to
    the headings, the body, and a footer with the data's as-of date, the
    fingerprint and, for a customer report, whom it was prepared for. No
    external resource, no script; every data string is escaped. The same
    document always gives the same bytes.

    Parameters
    ----------
    doc : Document
        The report (see :mod:`cslib.document.model`).

    Returns
    -------
    str
        The HTML document (UTF-8 text; write it with ``encoding="utf-8"``).

    Raises
    ------
    ValueError
        If a block is malformed (see :func:`normalized`).

    Examples
    --------
    >>> from cslib.document.model import Document
    >>> page = render_html(Document({"company": "Larkspur", "title": "Board pack"}))
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    data = normalized(doc)
    meta = data["meta"]
    headline = joined(meta["company"], meta["title"], meta["subtitle"], meta["period"])
    template = _environment().get_template("report.html.j2")
    return template.render(
        meta=meta,
        blocks=data["blocks"],
        headings=[b for b in data["blocks"] if b["type"] == "heading"],
        headline=headline,
        csp=CSP,
        fonts=markupsafe.Markup(font_face_css()),
        css=markupsafe.Markup(_css()),
    )
