"""A document cut into slides: the title slide, a slide per section, speaker notes.

:func:`render_pptx` reads the document's sections (each heading with its
blocks, up to the appendix) and gives each one a slide per chart, table or
set of KPI cards, with the text before it (the section's generated headline)
above it; text too long to share a slide with its visual gets a slide of its
own, and a section of text only is a text slide. Every slide has speaker
notes: the headline, what a chart shows (its alt text and caption), and the
definitions of the metrics the section uses (:mod:`cslib.metrics.definitions`,
as in the report's appendix). The appendix itself is not turned into slides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cslib.document.model import Document
from cslib.metrics.definitions import DEFINITIONS
from cslib.render.pptx.charts import rasterize_svgs
from cslib.render.pptx.deck import Deck
from cslib.render.pptx.measure import GAP, block_text
from cslib.render.pptx.package import deck_bytes
from cslib.render.pptx.shapes import clean
from cslib.render.pptx.tables import draw_table, table_pages
from cslib.render.pptx.template import open_presentation, strip_template
from cslib.render.text import id_label, normalized

__all__ = ["render_pptx", "warm_up"]

_VISUALS = ("figure", "table", "kpis")


@dataclass
class _Section:
    title: str
    kicker: str = ""
    blocks: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    level: int = 1


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
    render_pptx(doc)


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
        If a block is malformed (see :func:`cslib.render.text.normalized`).

    Examples
    --------
    >>> from cslib.document.model import Document
    >>> deck = render_pptx(Document({"company": "Larkspur", "title": "QBR", "subtitle": "Acme"}))
    >>> deck[:2]
    b'PK'
    """
    data = normalized(doc, clean=clean)
    meta = data["meta"]
    prs = open_presentation(template)
    deck = Deck(prs, meta)
    sections = _sections(doc, data)
    figures = [b for s in sections for _, b in s.blocks if b["type"] == "figure"]
    pngs = dict(zip(map(id, figures), rasterize_svgs([b["svg"] for b in figures]), strict=True))
    provenance = [f"Period: {meta['period_label'] or meta['period']}"] if meta["period"] else []
    if meta["as_of"]:
        provenance.append(f"Data as of {meta['as_of']}")
    if meta["fingerprint"]:
        provenance.append(f"{id_label(meta)} {meta['fingerprint']}")
    prepared = (f"Prepared for {meta['subtitle']} by {meta['company']}."
                if meta["audience"] == "customer" and meta["subtitle"] else "")
    deck.cover_slide(_notes_text(prepared, ". ".join(provenance)))
    for n, section in enumerate(sections):
        if not section.blocks:
            following = sections[n + 1] if n + 1 < len(sections) else None
            if following is not None and following.level > section.level:
                deck.divider_slide(section.title)
            continue
        definitions = _definitions_note([raw for raw, _ in section.blocks],
                                        shared=meta["audience"] == "customer")
        for k, (texts, visual) in enumerate(_groups(section)):
            _section_slides(deck, section, texts, visual, pngs,
                            definitions=definitions, first=k == 0)
    strip_template(prs)
    return deck_bytes(prs, meta)


def _section_slides(deck: Deck, section: _Section, texts: list[dict[str, Any]],
                    visual: dict[str, Any] | None, pngs: dict[int, bytes | None], *,
                    definitions: str, first: bool) -> None:
    """The slide(s) of one visual of a section with the text shown above it."""
    said = "\n".join(block_text(b) for b in texts)
    about = ""
    if visual is not None and visual["type"] == "figure":
        about = _notes_text(f"Chart: {visual['alt']}" if visual["alt"] else "",
                            visual["caption"])
    elif visual is not None and visual["type"] == "table" and visual["caption"]:
        about = f"Note: {visual['caption']}"
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
        rest = box.below(used + (GAP if used else 0))
        size, widths, pages = table_pages(visual, deck.area, rest)
        for p, rows in enumerate(pages):
            if p:
                slide, rest = deck.content_slide(section.title, section.kicker)
            if rows[1] > rows[0] or not visual["rows"]:
                draw_table(slide, visual, rest, size, widths, rows, continued=rows[0] > 0,
                           name=f"Table {deck.count}")
            deck.notes(slide, notes if p == 0 else _notes_text(about, definitions))
        return
    slide, box = deck.content_slide(section.title, section.kicker)
    used = deck.draw_texts(slide, texts, box, sizes) if texts else 0
    rest = box.below(used + (GAP if used else 0))
    if visual is not None and visual["type"] == "figure":
        deck.figure(slide, visual, pngs.get(id(visual)), rest)
    elif visual is not None:
        deck.kpis(slide, visual, rest)
    deck.notes(slide, notes)


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


def _definitions_note(raws: Sequence[dict[str, Any]], *, shared: bool = False) -> str:
    """The definitions a section's blocks use, for its speaker notes.

    A deck shared with a customer gives each definition without the public
    standard it follows (no vendors' names in a customer's document).
    """
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
        lines.append(f"- {d.name}: {d.text}" + ("" if shared else f" ({d.standard})"))
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


def _notes_text(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())
