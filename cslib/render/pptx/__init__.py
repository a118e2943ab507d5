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
Typst compiler the PDF renderer already holds, all of a deck's charts in one
compile. Tables are native PowerPoint tables in the template's table style;
text is live text in the template's fonts and colours. Text sizes and table
pages are planned from an estimate of text width, so nothing runs off a slide.
A ``template`` (``.pptx``) styles the deck with its master, layouts, theme and
size; what the deck does not use of it is dropped. Every string is data
(characters XML cannot hold become U+FFFD, bidi controls are balanced, links
keep only ``http(s)``/``mailto`` targets). The same document and template
always give the same bytes.

The package, one job a module, each importing only the ones above it:

- :mod:`~cslib.render.pptx.measure`: EMU units, boxes, text measured before it
  is drawn (word wrap, fitting sizes);
- :mod:`~cslib.render.pptx.shapes`: text hygiene, runs, text frames, labels,
  colours;
- :mod:`~cslib.render.pptx.charts`: SVG charts rasterized to PNG
  (:func:`rasterize_svgs`);
- :mod:`~cslib.render.pptx.template`: the template opened and checked
  (:func:`check_template`), its layouts found, what the deck does not use of
  it dropped;
- :mod:`~cslib.render.pptx.tables`: tables sized and paged over slides;
- :mod:`~cslib.render.pptx.deck`: the slides and what is drawn on them;
- :mod:`~cslib.render.pptx.package`: core properties and a deterministic zip;
- :mod:`~cslib.render.pptx.slides`: the document cut into slides
  (:func:`render_pptx`, :func:`warm_up`).
"""

from __future__ import annotations

from cslib.render.pptx.charts import CHART_PPI, rasterize_svgs
from cslib.render.pptx.slides import render_pptx, warm_up
from cslib.render.pptx.template import check_template

__all__ = [
    "CHART_PPI",
    "check_template",
    "rasterize_svgs",
    "render_pptx",
    "warm_up",
]
