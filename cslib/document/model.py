"""The document model: the one definition of a report's blocks, read by every renderer.

Notebook cells show :mod:`cslib.present.blocks` objects; each also carries its
JSON under :data:`BLOCK_MIME` in the executed notebook. :mod:`cslib.document.assemble`
reads those (never the HTML, never the code) into a :class:`Document`, which
the renderers (:mod:`cslib.render`) turn into HTML, PDF and decks. The JSON of
each block is one of the ``TypedDict`` s below; this is the only place its
shape is written down.

``meta`` (all values strings, :data:`META_KEYS`):

- ``company``: who publishes the report ("Larkspur Analytics");
- ``title``: the report ("Board pack", "Quarterly business review");
- ``subtitle``: what it is about ("Acme Corp", "Enterprise segment") or "";
- ``period``: "2026Q3"; ``period_label``: "Q3 2026 (Jul–Sep 2026)";
- ``as_of``: the data's as-of date, "2026-10-31";
- ``fingerprint``: 12 hex digits over the data and parameters;
- ``audience``: "internal" or "customer" (a QBR shared with that customer).

Every block may list ``definitions``: keys of
:data:`cslib.metrics.definitions.DEFINITIONS` it relies on; the appendix
explains exactly those. Every string is plain text from data or narrative:
renderers escape it for their output language and never read it as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

__all__ = [
    "BLOCK_MIME",
    "META_KEYS",
    "AppendixBlock",
    "Block",
    "CalloutBlock",
    "Document",
    "FigureBlock",
    "HeadingBlock",
    "KpiItem",
    "KpisBlock",
    "ListBlock",
    "ParagraphBlock",
    "ReportBlock",
    "SpanJSON",
    "TableBlock",
]

#: The MIME type under which a notebook output carries its block's JSON.
BLOCK_MIME = "application/vnd.cslib.block+json"

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


class SpanJSON(TypedDict, total=False):
    """A run of text: ``style`` None, "strong", "em" or "code"; ``href`` an http(s)/mailto URL."""

    text: str
    style: str | None
    href: str


class HeadingBlock(TypedDict, total=False):
    """A heading: ``level`` 1..3, ``id`` a unique anchor; the appendix's starts a page."""

    type: Literal["heading"]
    level: int
    text: str
    id: str
    new_page: bool


class ParagraphBlock(TypedDict, total=False):
    """A paragraph; ``keep_with_next`` keeps an introduction with the chart or table after it."""

    type: Literal["paragraph"]
    spans: list[SpanJSON]
    keep_with_next: bool
    definitions: list[str]


class ListBlock(TypedDict, total=False):
    """A bulleted or numbered list: one span list per item."""

    type: Literal["list"]
    ordered: bool
    items: list[list[SpanJSON]]
    definitions: list[str]


class KpiItem(TypedDict, total=False):
    """A headline card: preformatted strings; ``trend`` "up", "down", "flat" or None."""

    label: str
    value: str
    delta: str
    trend: str | None
    good: bool | None
    note: str


class KpisBlock(TypedDict, total=False):
    """A row of headline cards."""

    type: Literal["kpis"]
    title: str
    items: list[KpiItem]
    definitions: list[str]


class TableBlock(TypedDict, total=False):
    """A table of preformatted strings; ``align`` "left"/"right" per column; ``total``: last row."""

    type: Literal["table"]
    title: str
    columns: list[str]
    align: list[str]
    rows: list[list[str]]
    caption: str
    total: bool
    definitions: list[str]


class FigureBlock(TypedDict, total=False):
    """A chart: ``svg`` a complete SVG document; ``texts`` the text drawn in it (leak scan)."""

    type: Literal["figure"]
    title: str
    caption: str
    alt: str
    svg: str
    texts: list[str]
    definitions: list[str]
    width_pt: float  # an analyst's own figure: its natural width, never stretched past it


class CalloutBlock(TypedDict, total=False):
    """A note set apart: ``tone`` "info" or "warning"."""

    type: Literal["callout"]
    tone: str
    spans: list[SpanJSON]
    definitions: list[str]


class ReportBlock(TypedDict, total=False):
    """A report's identity and provenance (:meth:`cslib.present.report.Report.provenance`)."""

    type: Literal["report"]
    kind: str
    company: str
    title: str
    subtitle: str
    period: str
    period_label: str
    as_of: str
    fingerprint: str
    parameters: dict[str, str]
    audience: str


class AppendixBlock(TypedDict):
    """Where the definitions used and the provenance go."""

    type: Literal["appendix"]


#: Any block of a document (``report`` and ``appendix`` only in executed notebooks).
Block = (HeadingBlock | ParagraphBlock | ListBlock | KpisBlock | TableBlock | FigureBlock
         | CalloutBlock | ReportBlock | AppendixBlock)


@dataclass
class Document:
    """A report ready to render: ``meta`` (cover, header, footer) and ``blocks``.

    ``scopes`` says what each part reports on, as its ``open_report`` call
    said: ``("company", "")``, ``("segment", "SMB")``, ``("customer", "A0001")``;
    the first part's decides the document's audience. The build checks it
    against the data each part was given (see :func:`cslib.pipeline.guard.accept`).
    """

    meta: dict[str, str]
    blocks: list[dict[str, Any]] = field(default_factory=list)  # each a Block
    scopes: tuple[tuple[str, str], ...] = ()

    def headings(self) -> list[dict[str, Any]]:
        """The heading blocks, in order (the table of contents)."""
        return [b for b in self.blocks if b["type"] == "heading"]
