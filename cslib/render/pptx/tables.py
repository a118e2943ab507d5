"""A deck's tables: native PowerPoint tables, sized and paged so that every row fits a slide.

A table is set in the template's table style at 16 pt (a small table), 14 pt,
or 12 pt (a wide one); its columns get their natural widths when they fit,
else each gives up what it can down to its longest word (a very long word
wraps, never hogs the row). A table too long for one slide continues on the
next ones with its header row repeated (:func:`table_pages`); a total row is
never alone on a slide, and the caption sits under the last rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree
from pptx.oxml.ns import qn

from cslib.render.pptx.measure import (
    CHAR_EM,
    EMU_IN,
    EMU_PT,
    GAP,
    Box,
    lines_height,
    one_line,
    text_units,
    wrapped_lines,
)
from cslib.render.pptx.shapes import MUTED, label

__all__ = ["draw_table", "table_pages"]

_CELL_X, _CELL_Y = int(0.08 * EMU_IN), int(0.04 * EMU_IN)  # table cell margins


def _table_size(block: dict[str, Any], width: int) -> float:
    """16 pt for a small table, 14 pt, or 12 pt for a wide one (more columns or text)."""
    n = len(block["columns"])
    natural = sum(max(text_units(c) for c in [col, *(r[i] for r in block["rows"])])
                  for i, col in enumerate(block["columns"]))

    def per_line(size: float) -> float:
        return width / (size * EMU_PT * CHAR_EM)

    if n <= 5 and len(block["rows"]) <= 10 and natural <= per_line(16):
        return 16.0
    return 12.0 if n > 6 or natural > 1.6 * per_line(14) else 14.0


def _column_widths(block: dict[str, Any], width: int, size: float) -> list[int]:
    cw = size * EMU_PT * (CHAR_EM + 0.03)
    pad = 2 * _CELL_X + int(0.05 * EMU_IN)
    natural, floor = [], []
    share = width / max(len(block["columns"]), 1)  # a very long word wraps, never hogs
    for i, col in enumerate(block["columns"]):
        cells = [col, *(r[i] for r in block["rows"])]
        natural.append(max(text_units(c) for c in cells) * cw + pad)
        longest_word = max((text_units(w) for c in cells for w in c.split()), default=1.0)
        floor.append(min(natural[-1],
                         max(min(longest_word * cw + pad, share), 0.9 * EMU_IN)))
    total = sum(natural)
    if total <= width:
        grow = min(width / total, 1.25) if total else 1.0
        return [int(w * grow) for w in natural]
    if sum(floor) >= width:
        return [int(w * width / sum(floor)) for w in floor]
    spare = [n - f for n, f in zip(natural, floor, strict=True)]
    cut = (total - width) / sum(spare)
    return [int(n - s * cut) for n, s in zip(natural, spare, strict=True)]


def _row_height(cells: Sequence[str], widths: Sequence[int], size: float,
                bold: bool = False) -> int:
    lines = max((wrapped_lines(c, w - 2 * _CELL_X, size, bold=bold)
                 for c, w in zip(cells, widths, strict=True)), default=1)
    return lines_height(lines, size) + 2 * _CELL_Y + int(size * 0.15 * EMU_PT)


def table_pages(block: dict[str, Any], area: Box, first: Box | None
                ) -> tuple[float, list[int], list[tuple[int, int]]]:
    """Font size, column widths and the rows of each slide.

    ``area`` is a content slide's room for the table, ``first`` the room left
    on the first slide (under the text above the table), if any.
    """
    size = _table_size(block, area.width)
    widths = _column_widths(block, area.width, size)
    header = _row_height(block["columns"], widths, size, bold=True)
    heights = [_row_height(r, widths, size, bold=block["total"] and
                           i == len(block["rows"]) - 1)
               for i, r in enumerate(block["rows"])]
    title = lines_height(1, 14) + 91440 if block["title"] else 0
    caption = (lines_height(wrapped_lines(block["caption"], area.width, 11), 11) + 91440 + GAP
               if block["caption"] else 0)
    full = area.height - title
    n = len(heights)
    pages: list[tuple[int, int]] = []
    i = 0
    cap = (first.height - title) if first is not None else full
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


def draw_table(slide: Any, block: dict[str, Any], box: Box, size: float,
               widths: Sequence[int], rows: tuple[int, int], *, continued: bool,
               name: str) -> None:
    """One slide's rows of a table, under its title; the caption under the last rows."""
    title = block["title"] + (" (continued)" if continued and block["title"] else "")
    used = label(slide, title, box, size=14, bold=True)
    box = box.below(used)
    a, b = rows
    body = block["rows"][a:b]
    header_h = _row_height(block["columns"], widths, size, bold=True)
    last = len(block["rows"]) - 1
    heights = [_row_height(r, widths, size, bold=block["total"] and a + i == last)
               for i, r in enumerate(body)]
    total_h = header_h + sum(heights)
    shape = slide.shapes.add_table(len(body) + 1, len(widths), box.left, box.top,
                                   sum(widths), total_h)
    shape.name = name
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
            _cell(tc, one_line(text), size=size, bold=bold, align=algn,
                  color="bg1" if r == 0 else "tx1")
    if block["caption"] and b == len(block["rows"]):
        label(slide, block["caption"], box.below(total_h + GAP // 2), size=11, color=MUTED)


def _cell(tc: Any, text: str, *, size: float, bold: bool, align: str, color: str) -> None:
    """Fill a new table cell's XML directly (python-pptx's proxies cost ~10x more per cell).

    Margins, middle anchor, alignment, and one run: size, bold, a theme colour.
    ``text`` is already clean (see :func:`cslib.render.pptx.shapes.clean`); lxml escapes it.
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
