"""The house typeface, DejaVu Sans: glyph advances, kerning and outlines, without a renderer.

DejaVu Sans ships inside matplotlib, so every machine has it; charts, PDFs
and decks all print in it. This module reads its two weights through
FreeType (matplotlib's ``FT2Font``) to lay a line of text out exactly as
matplotlib and Typst do (advance widths and kerning pairs for left-to-right
text; libraqm's shaping for right-to-left scripts and combining marks), so
that code above can measure text (:func:`text_width`) or draw it as glyph
outlines (:meth:`Face.layout`, :attr:`Face.paths`) without a figure or a
compile. A process keeps one :class:`Face` per weight (:func:`face`).
"""

from __future__ import annotations

import functools
import io
import unicodedata
from pathlib import Path

import numpy as np
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font, Kerning, LoadFlags

__all__ = ["FONT", "SCALE", "Face", "face", "text_width", "warm_up"]

FONT = "DejaVu Sans"
SCALE = 100.0  # glyph outlines and advances are in points of a 100 pt font (as matplotlib's)
_SIMPLE_BIDI = frozenset({"L", "EN", "ES", "ET", "CS", "ON", "WS", "B", "S"})


def _num(value: float) -> str:
    """A coordinate with at most 2 decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Face:
    """One weight of the house font: glyph advances, kerning, outlines and line layout.

    Parameters
    ----------
    bold : bool
        DejaVu Sans Bold rather than DejaVu Sans.
    """

    def __init__(self, *, bold: bool = False) -> None:
        path = findfont(FontProperties(family=FONT, weight="bold" if bold else "normal"))
        # Our own instance (matplotlib's shared ones change size), read from memory: forks
        # of a warm process share an open file's offset, and FreeType seeks as it reads.
        self.font = FT2Font(io.BytesIO(Path(path).read_bytes()))
        self.font.set_size(SCALE, 72)
        self.name = self.font.postscript_name
        self.paths: dict[str, str] = {}  # glyph id -> outline ("d", y up, 100 pt units)
        self._glyphs: dict[str, tuple[int, float, str] | None] = {}  # char -> index, advance, id
        self._kerning: dict[tuple[int, int], float] = {}
        self.font.set_text("lp", 0.0, flags=LoadFlags.NO_HINTING)
        _, h = self.font.get_width_height()
        self.lp_height = h / 64.0  # the height matplotlib gives a line of text
        self.lp_descent = self.font.get_descent() / 64.0

    def _glyph(self, ch: str) -> tuple[int, float, str] | None:
        """Index, advance and id of ``ch``; None when it needs shaping or the font lacks it."""
        if ch in self._glyphs:
            return self._glyphs[ch]
        code = ord(ch)
        index = self.font.get_char_index(code)
        simple = (
            index != 0
            and unicodedata.bidirectional(ch) in _SIMPLE_BIDI
            and not unicodedata.combining(ch)
            and unicodedata.category(ch) not in ("Cf", "Mn", "Me")
        )
        entry = None
        if simple:
            glyph = self.font.load_char(code, flags=LoadFlags.NO_HINTING)
            gid = self._glyph_id(index)
            if gid not in self.paths:
                self.paths[gid] = _outline(*self.font.get_path())
            entry = (index, glyph.linearHoriAdvance / 65536.0, gid)
        self._glyphs[ch] = entry
        return entry

    def _glyph_id(self, index: int) -> str:
        return f"{self.name}-{index:x}"

    def layout(self, text: str) -> tuple[list[tuple[str, float]], float]:
        """Glyph ids with their x offsets, and the advance width, at 100 pt."""
        glyphs = [self._glyph(ch) for ch in text]
        if any(g is None for g in glyphs):
            return self._shaped(text)
        out: list[tuple[str, float]] = []
        x = 0.0
        previous = -1
        for index, advance, gid in glyphs:  # type: ignore[misc]
            if previous >= 0:
                pair = (previous, index)
                kern = self._kerning.get(pair)
                if kern is None:
                    kern = self._kerning[pair] = (
                        self.font.get_kerning(previous, index, Kerning.UNFITTED) / 64.0
                    )
                x += kern
            out.append((gid, x))
            x += advance
            previous = index
        return out, x

    def _shaped(self, text: str) -> tuple[list[tuple[str, float]], float]:
        """Layout through libraqm (bidi, shaping), as matplotlib draws such text."""
        from matplotlib._text_helpers import layout

        out: list[tuple[str, float]] = []
        for item in layout(text, self.font):
            gid = f"{item.ft_object.postscript_name}-{item.glyph_index:x}"
            if gid not in self.paths:
                self.paths[gid] = _outline(*item.ft_object.get_path())
            out.append((gid, item.x))
        self.font.set_text(text, 0.0, flags=LoadFlags.NO_HINTING)
        return out, self.font.get_width_height()[0] / 64.0

    def width(self, text: str, size: float) -> float:
        """Advance width of one line of ``text`` at ``size`` pt."""
        return self.layout(text)[1] * size / SCALE


def _outline(vertices: np.ndarray, codes: np.ndarray) -> str:
    """An SVG path (``d``) from FreeType's outline (matplotlib path codes)."""
    out = []
    i = 0
    n = len(codes)
    while i < n:
        code = int(codes[i])
        if code == 1:  # MOVETO
            out.append(f"M{_num(vertices[i][0])} {_num(vertices[i][1])}")
            i += 1
        elif code == 2:  # LINETO
            out.append(f"L{_num(vertices[i][0])} {_num(vertices[i][1])}")
            i += 1
        elif code == 3:  # CURVE3: control, end
            (a, b), (c, d) = vertices[i], vertices[i + 1]
            out.append(f"Q{_num(a)} {_num(b)} {_num(c)} {_num(d)}")
            i += 2
        elif code == 4:  # CURVE4: two controls, end
            (a, b), (c, d), (e, f) = vertices[i], vertices[i + 1], vertices[i + 2]
            out.append(f"C{_num(a)} {_num(b)} {_num(c)} {_num(d)} {_num(e)} {_num(f)}")
            i += 3
        else:  # CLOSEPOLY (79) or STOP
            out.append("z")
            i += 1
    return "".join(out)


@functools.cache
def face(bold: bool = False) -> Face:
    """The house font's regular or bold :class:`Face`, one per process."""
    return Face(bold=bold)


def warm_up() -> None:
    """Load both weights and the outlines of printable ASCII and common signs (warm workers)."""
    common = "".join(chr(c) for c in range(32, 127)) + "·−–—…’“”%×"
    for bold in (False, True):
        f = face(bold)
        for ch in common:
            f._glyph(ch)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in pt of ``text`` set on one line at ``size`` pt (the widest line if several)."""
    f = face(bold)
    return max(f.layout(line)[1] for line in text.split("\n")) * size / SCALE
