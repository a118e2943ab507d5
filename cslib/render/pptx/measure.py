"""A deck's units and boxes, and text measured before it is drawn, so nothing runs off a slide.

Sizes are EMU (English Metric Units: :data:`EMU_IN` per inch, :data:`EMU_PT`
per point), as python-pptx and the file format count them. Text width is
estimated, not measured with a font: a generous mean character advance
(:data:`CHAR_EM` ems; wide East Asian characters and emoji count twice) and a
greedy word wrap (:func:`wrapped_lines`) plan text sizes, table pages and card
heights; :func:`fit_size` picks the largest size at which a text fits its box.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHAR_EM",
    "EMU_IN",
    "EMU_PT",
    "GAP",
    "Box",
    "block_text",
    "fit_size",
    "lines_height",
    "one_line",
    "plain",
    "text_units",
    "wrapped_lines",
]

EMU_IN = 914400
"""EMU per inch."""
EMU_PT = 12700
"""EMU per point."""
CHAR_EM = 0.54
"""Mean advance of mixed text in Arial/Calibri, in ems (a little generous)."""
GAP = int(0.14 * EMU_IN)
"""The space between two things stacked on a slide."""
_LINE = 1.2  # line height / font size


@dataclass
class Box:
    """A rectangle on a slide (EMU): where something may be drawn."""

    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        """The box's lower edge."""
        return self.top + self.height

    def below(self, used: int) -> Box:
        """The part of the box under its first ``used`` EMU."""
        used = min(used, self.height)
        return Box(self.left, self.top + used, self.width, self.height - used)


def text_units(text: str) -> float:
    """The width of ``text`` in average characters (wide East Asian characters and emoji: 2)."""
    return sum(2.0 if unicodedata.east_asian_width(c) in ("W", "F") else
               0.0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 1.0 for c in text)


def wrapped_lines(text: str, width: int, size: float, *, bold: bool = False) -> int:
    """Lines ``text`` takes in a box ``width`` EMU wide at ``size`` pt (greedy word wrap)."""
    per_line = max(1.0, width / (size * EMU_PT * (CHAR_EM + (0.05 if bold else 0.0))))
    count = 0
    for para in text.split("\n"):
        count += 1
        col = 0.0
        for word in para.split():
            w = text_units(word)
            if col == 0:
                col = w
            elif col + 1 + w <= per_line:
                col += 1 + w
            else:
                count += 1
                col = w
            while col > per_line:  # a word longer than a line breaks inside itself
                count += 1
                col -= per_line
    return count


def lines_height(lines: int, size: float) -> int:
    """The height (EMU) of ``lines`` lines of text at ``size`` pt."""
    return int(lines * size * _LINE * EMU_PT)


def fit_size(text: str, box: Box, size: float, *, bold: bool = False,
             low: float = 12.0) -> float:
    """The largest size <= ``size`` (whole pt, >= ``low``) at which ``text`` fits ``box``."""
    inner = max(box.width - 2 * 91440, EMU_IN // 2)
    s = size
    while s > low and (lines_height(wrapped_lines(text, inner, s, bold=bold), s) + 91440
                       > box.height):
        s -= 1
    return s


def one_line(text: str) -> str:
    """``text`` with its newlines as spaces (a title, a table cell)."""
    return text.replace("\n", " ")


def plain(spans: Sequence[dict[str, Any]]) -> str:
    """The text of normalized spans, without their styles."""
    return "".join(s["text"] for s in spans)


def block_text(block: dict[str, Any]) -> str:
    """The text of a normalized paragraph, callout or list (one line per list item)."""
    if block["type"] == "list":
        return "\n".join(plain(item) for item in block["items"])
    return plain(block["spans"])
