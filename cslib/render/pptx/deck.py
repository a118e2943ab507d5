"""The deck builder: slides on a presentation, and the text, charts and KPI cards on them.

:class:`Deck` adds the slides of one deck to a presentation (a template or
the default, see :mod:`cslib.render.pptx.template`): the title slide (its
"Title Slide" layout), section dividers ("Section Header") and content
slides ("Title Only", found by name, else by their placeholders), with
content placed below the layout's title and a footer (company, customer,
period, the slide's part, its number). On a content slide it stacks text
blocks (sized down together until they fit their share of the slide), then
draws a chart (fit to the room left, centred) or KPI cards (rows of up to
four). Tables are drawn by :mod:`cslib.render.pptx.tables`; which blocks go
on which slide is decided in :mod:`cslib.render.pptx.slides`. Text boxes take
the theme's body font and theme colours, so a template's brand shows without
code; long text shrinks to fit its box (titles, KPI values).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Pt

from cslib.render.pptx.charts import svg_size
from cslib.render.pptx.measure import (
    EMU_IN,
    EMU_PT,
    GAP,
    Box,
    fit_size,
    lines_height,
    one_line,
    plain,
    wrapped_lines,
)
from cslib.render.pptx.shapes import (
    BAD,
    FILLS,
    GOOD,
    MUTED,
    add_runs,
    bidi,
    bullets,
    label,
    text_frame,
    unstyled,
)
from cslib.render.pptx.template import (
    find_layout,
    master_title_size,
    style_size,
    title_placeholder,
)
from cslib.render.text import SEPARATOR, joined

__all__ = ["Deck"]

_FOOTER = int(0.5 * EMU_IN)  # the band at the foot of a slide: footer text and number


class Deck:
    """Builds the slides of one deck on a presentation (template or default)."""

    def __init__(self, prs: Any, meta: dict[str, str]) -> None:
        self.prs = prs
        self.meta = meta
        self.width, self.height = int(prs.slide_width), int(prs.slide_height)
        self.cover = find_layout(prs, ("title slide",),
                                 {PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.SUBTITLE})
        self.content = find_layout(prs, ("title only",), {PP_PLACEHOLDER.TITLE})
        self.divider = find_layout(prs, ("section header",),
                                   {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.BODY})
        title = title_placeholder(self.content)
        margin = int(0.5 * EMU_IN)
        if title is not None and title.top is not None and title.top < self.height * 0.4:
            self.title_box = Box(int(title.left), int(title.top), int(title.width),
                                 int(title.height))
            self.title_size = style_size(title, master_title_size(prs))
        else:
            self.title_box = Box(margin, int(0.3 * EMU_IN), self.width - 2 * margin,
                                 int(0.9 * EMU_IN))
            self.title_size = 28.0
        top = self.title_box.bottom + GAP
        self.area = Box(self.title_box.left, top, self.title_box.width,
                        self.height - _FOOTER - top)
        self.footer = joined(meta["company"], meta["subtitle"] or meta["title"], meta["period"])
        self.count = 0
        self._geometry: dict[tuple[str, float | None], tuple[Box, float]] = {}

    # slides ---------------------------------------------------------------------------
    def _slide(self, layout: Any) -> Any:
        slide = self.prs.slides.add_slide(layout)
        self.count += 1
        return slide

    def _set_title(self, slide: Any, text: str, *, size: float | None = None) -> None:
        ph = title_placeholder(slide)
        if ph is None:
            ph = slide.shapes.add_textbox(self.title_box.left, self.title_box.top,
                                          self.title_box.width, self.title_box.height)
            size = size or self.title_size
        key = (str(slide.slide_layout.part.partname), size)
        if key not in self._geometry:  # inherited from layout and master: looked up once
            self._geometry[key] = (Box(int(ph.left), int(ph.top), int(ph.width),
                                       int(ph.height)), size or style_size(ph, self.title_size))
        box, base = self._geometry[key]
        text = one_line(text)
        fitted = fit_size(text, box, base, bold=True)
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
        text = self.footer + (f"{SEPARATOR}{kicker}" if kicker else "")
        top = self.height - _FOOTER + int(0.12 * EMU_IN)
        left, width = self.area.left, self.area.width
        number_w = int(0.8 * EMU_IN)
        box = slide.shapes.add_textbox(left, top, width - number_w, int(0.3 * EMU_IN))
        tf = text_frame(box, margins=0)
        tf.word_wrap = False
        short = text if len(text) <= 120 else bidi(text[:119].rstrip()) + "…"
        add_runs(tf.paragraphs[0], [{"text": short}], size=10, color=MUTED)
        num = slide.shapes.add_textbox(left + width - number_w, top, number_w,
                                       int(0.3 * EMU_IN))
        tf = text_frame(num, margins=0)
        tf.paragraphs[0].alignment = PP_ALIGN.RIGHT
        add_runs(tf.paragraphs[0], [{"text": str(self.count)}], size=10, color=MUTED)

    def notes(self, slide: Any, text: str) -> None:
        """Speaker notes of ``slide`` (none when ``text`` is blank)."""
        if text.strip():
            slide.notes_slide.notes_text_frame.text = text.strip()

    def cover_slide(self, notes: str) -> None:
        """The title slide: customer (or report), report and period, company, as-of date."""
        meta = self.meta
        slide = self._slide(self.cover)
        title = meta["subtitle"] or meta["title"] or meta["company"]
        self._set_title(slide, title)
        lines = [joined(meta["title"] if meta["subtitle"] else "",
                        meta["period_label"] or meta["period"]), meta["company"]]
        if meta["as_of"]:
            lines.append(f"Data as of {meta['as_of']}")
        lines = [line for line in lines if line]
        sub = next((ph for ph in slide.placeholders
                    if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
        if sub is None:
            t = title_placeholder(slide)
            top = (int(t.top) + int(t.height)) if t is not None else self.height // 2
            sub = slide.shapes.add_textbox(self.area.left, top + GAP, self.area.width,
                                           int(1.5 * EMU_IN))
        box = Box(int(sub.left), int(sub.top), int(sub.width), int(sub.height))
        size = fit_size("\n".join(lines), box, style_size(sub, 20.0), low=10)
        tf = sub.text_frame
        tf.word_wrap = True
        tf.text = ""
        for i, line in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            run = p.add_run()
            run.text = one_line(line)
            run.font.size = Pt(size)
        self._drop_empty_placeholders(slide)
        self.notes(slide, notes)

    def divider_slide(self, title: str) -> None:
        """A section divider: a part of a composite document, its content in subsections."""
        slide = self._slide(self.divider)
        self._set_title(slide, title)
        self._drop_empty_placeholders(slide)
        self._footer(slide)

    def content_slide(self, title: str, kicker: str) -> tuple[Any, Box]:
        """A titled slide with its footer (``kicker``: the part it belongs to); its free area."""
        slide = self._slide(self.content)
        self._set_title(slide, title)
        self._drop_empty_placeholders(slide)
        self._footer(slide, kicker)
        return slide, Box(self.area.left, self.area.top, self.area.width, self.area.height)

    # text blocks ------------------------------------------------------------------------
    @staticmethod
    def text_sizes(texts: Sequence[dict[str, Any]], scale: float) -> list[float]:
        """Font sizes of text blocks (a headline 20 pt, a list 18, others 16) times ``scale``."""
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
            inner = width - 2 * 91440 - (int(size * 1.6 * EMU_PT) if block["type"] == "list"
                                         else 0) - (91440 if block["type"] == "callout" else 0)
            lines = (sum(wrapped_lines(plain(item), inner, size) for item in block["items"])
                     if block["type"] == "list"
                     else wrapped_lines(plain(block["spans"]), inner, size))
            total += lines_height(lines, size) + int(size * 0.5 * EMU_PT) + 91440 + GAP // 2
        return total

    def fit_texts(self, texts: Sequence[dict[str, Any]], box: Box,
                  share: float) -> tuple[list[float], int] | None:
        """Font sizes and height for ``texts`` within ``share`` of the box, or None."""
        for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
            sizes = self.text_sizes(texts, scale)
            h = self._text_height(texts, sizes, box.width)
            if h <= box.height * share:
                return sizes, h
        return None

    def draw_texts(self, slide: Any, texts: Sequence[dict[str, Any]], box: Box,
                   sizes: Sequence[float]) -> int:
        """Stack the text blocks from the top of ``box``; returns the height used."""
        y = box.top
        for block, size in zip(texts, sizes, strict=True):
            h = self._text_height([block], [size], box.width) - GAP // 2
            h = min(h, box.bottom - y)
            if h <= 0:
                break
            if block["type"] == "callout":
                shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, box.left, y, box.width, h)
                shape.fill.solid()
                shape.fill.fore_color.rgb = FILLS[block["tone"]]
                shape.line.fill.background()
                unstyled(shape)
                tf = text_frame(shape, anchor=MSO_ANCHOR.MIDDLE, margins=int(0.15 * EMU_IN))
                tf.paragraphs[0].alignment = PP_ALIGN.LEFT
                add_runs(tf.paragraphs[0], block["spans"], size=size, color="tx1")
            else:
                shape = slide.shapes.add_textbox(box.left, y, box.width, h)
                tf = text_frame(shape)
                if block["type"] == "list":
                    for i, item in enumerate(block["items"]):
                        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
                        bullets(p, ordered=block["ordered"], size=size)
                        p.space_after = Pt(size * 0.4)
                        add_runs(p, item, size=size, color="tx1")
                else:
                    add_runs(tf.paragraphs[0], block["spans"], size=size, color="tx1")
            y += h + GAP // 2
        return y - box.top

    # visuals ----------------------------------------------------------------------------
    def figure(self, slide: Any, block: dict[str, Any], png: bytes | None, box: Box) -> None:
        """The chart's title, the chart (fit to the box, centred) and its caption."""
        used = label(slide, block["title"], box, size=14, bold=True)
        rest = box.below(used)
        caption_h = (lines_height(wrapped_lines(block["caption"], box.width - 2 * 91440, 11), 11)
                     + 91440 if block["caption"] else 0)
        area = Box(rest.left, rest.top, rest.width, max(rest.height - caption_h, EMU_IN))
        if png is None:
            label(slide, f"[chart not shown: {block['alt'] or block['title']}]", area,
                  size=14, color=MUTED)
            pic_h = int(0.5 * EMU_IN)
        else:
            w_pt, h_pt = svg_size(block["svg"])
            aspect = w_pt / h_pt
            pic_w = min(area.width, int(area.height * aspect))
            pic_h = int(pic_w / aspect)
            left = area.left + (area.width - pic_w) // 2
            pic = slide.shapes.add_picture(io.BytesIO(png), left, area.top, pic_w, pic_h)
            c_nv_pr = pic._element.nvPicPr.cNvPr
            c_nv_pr.set("name", f"Chart {self.count}")
            c_nv_pr.set("descr", block["alt"] or block["title"])
        if block["caption"]:
            label(slide, block["caption"], rest.below(pic_h + GAP // 2), size=11, color=MUTED)

    def kpis(self, slide: Any, block: dict[str, Any], box: Box) -> None:
        """KPI cards in rows of up to four: label, value, change, note."""
        used = label(slide, block["title"], box, size=14, bold=True)
        box = box.below(used)
        items = block["items"]
        if not items:
            return
        rows = math.ceil(len(items) / 4)
        cols = math.ceil(len(items) / rows)
        gap = int(0.18 * EMU_IN)
        card_w = (box.width - (cols - 1) * gap) // cols
        inner = card_w - 2 * int(0.12 * EMU_IN)
        scale = 1.0
        while True:
            sizes = {"label": 13 * scale, "value": 30 * scale, "delta": 13 * scale,
                     "note": 11 * scale}
            value_sizes = [fit_size(k["value"], Box(0, 0, inner + 2 * 91440,
                                                    lines_height(2, sizes["value"]) + 91440),
                                    sizes["value"], bold=True, low=10 * scale)
                           for k in items]
            heights = []
            for k, vs in zip(items, value_sizes, strict=True):
                h = sum(lines_height(wrapped_lines(k[key], inner, sizes[key]), sizes[key])
                        for key in ("label", "delta", "note") if k[key])
                h += lines_height(wrapped_lines(k["value"], inner, vs, bold=True), vs)
                heights.append(h + int(0.3 * EMU_IN))
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
            shape.fill.fore_color.rgb = FILLS["card"]
            shape.line.color.theme_color = MSO_THEME_COLOR.ACCENT_1
            shape.line.width = Pt(1)
            unstyled(shape)
            tf = text_frame(shape, margins=int(0.12 * EMU_IN))
            first = True
            delta = f"{k['arrow']} {k['delta']}".strip() if k["delta"] else ""
            colour = GOOD if k["good"] is True else BAD if k["good"] is False else MUTED
            for text, size, bold, color in (
                (k["label"], sizes["label"], False, MUTED),
                (k["value"], vs, True, "accent1"),
                (delta, sizes["delta"], False, colour),
                (k["note"], sizes["note"], False, MUTED),
            ):
                if not text:
                    continue
                p = tf.paragraphs[0] if first else tf.add_paragraph()
                first = False
                p.alignment = PP_ALIGN.LEFT
                add_runs(p, [{"text": text}], size=size, bold=bold, color=color)

