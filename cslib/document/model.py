"""The document model: what the renderers turn into HTML and PDF pages.

A :class:`Document` is assembled from one or more executed notebooks (see
:mod:`cslib.document.assemble`); the renderers (:mod:`cslib.render.html`,
:mod:`cslib.render.pdf`) read only this model, never notebook code or HTML.

``meta`` (all values strings):

- ``company``: who publishes the report ("Larkspur Analytics");
- ``title``: the report ("Board pack", "Quarterly business review");
- ``subtitle``: what it is about ("Acme Corp", "Enterprise segment") or "";
- ``period``: "2026Q3"; ``period_label``: "Q3 2026 (Jul–Sep 2026)";
- ``as_of``: the data's as-of date, "2026-10-31";
- ``fingerprint``: 12 hex digits over the data and parameters;
- ``audience``: "internal" or "customer" (a QBR shared with that customer).

``blocks`` is a list of dicts, each with a ``type``:

- ``heading``: ``level`` (1..3), ``text``, ``id`` (unique anchor slug); optional
  ``new_page`` (the appendix starts a page in print);
- ``paragraph``: ``spans``: ``[{"text", "style": None|"strong"|"em"|"code",
  "href": optional http(s)/mailto URL}]``; optional ``keep_with_next`` (a
  section's introduction, kept on the page of the chart or table after it);
- ``list``: ``ordered`` (bool), ``items``: list of span lists;
- ``kpis``: ``title``, ``items``: ``[{"label", "value", "delta", "trend",
  "good", "note"}]`` (see :class:`cslib.present.blocks.Kpi`);
- ``table``: ``title``, ``columns``, ``align``, ``rows`` (strings),
  ``caption``, ``total`` (last row is a total);
- ``figure``: ``title``, ``caption``, ``alt``, ``svg`` (a complete SVG document);
  optional ``texts`` (the text drawn in the chart, for the leak scan);
- ``callout``: ``tone`` ("info" | "warning"), ``spans``.

Every string is plain text from data or narrative: renderers must escape it
for their output language and never interpret it as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["META_KEYS", "Document"]

META_KEYS = (
    "company",
    "title",
    "subtitle",
    "period",
    "period_label",
    "as_of",
    "fingerprint",
    "audience",
)


@dataclass
class Document:
    """A report ready to render: ``meta`` (cover, header, footer) and ``blocks``.

    ``scopes`` says what each part reports on, as its ``open_report`` call
    said: ``("company", "")``, ``("segment", "SMB")``, ``("customer", "A0001")``;
    the first part's decides the document's audience. The build checks it
    against the data each part was given (see :func:`cslib.pipeline.guard.accept`).
    """

    meta: dict[str, str]
    blocks: list[dict[str, Any]] = field(default_factory=list)
    scopes: tuple[tuple[str, str], ...] = ()

    def headings(self) -> list[dict[str, Any]]:
        """The heading blocks, in order (the table of contents)."""
        return [b for b in self.blocks if b["type"] == "heading"]
