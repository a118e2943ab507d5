"""The house font, DejaVu Sans, for the PDF and HTML renderers.

DejaVu Sans ships with matplotlib (``mpl-data/fonts/ttf``), so the charts, the
PDF and the HTML use the same typeface without any extra download. The PDF
renderer hands Typst that folder; the HTML renderer embeds small WOFF subsets
of the regular and bold styles as ``data:`` URIs, so an HTML report needs no
network. Characters outside the subset (Greek, Cyrillic, CJK, most emoji...)
fall back to the reader's system fonts.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib

__all__ = ["FONT_FAMILY", "WEB_UNICODES", "DejaVuSans", "dejavu_sans", "font_dir", "font_face_css"]

FONT_FAMILY = "DejaVu Sans"

_RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement: · × £ ¥ © and accented letters
    (0x0100, 0x017F),  # Latin Extended-A
    (0x2000, 0x206F),  # General Punctuation: – — ‘ ’ “ ” … • ‰ and the bidi controls
    (0x20A0, 0x20CF),  # Currency Symbols: €, ₹, ...
    (0x2190, 0x21FF),  # Arrows: ← ↑ → ↓ ...
)
_SYMBOLS = "−≈≠≤≥∞±÷▲▼▶◀►◆●○■□✓✗"

WEB_UNICODES: frozenset[int] = frozenset(
    [cp for lo, hi in _RANGES for cp in range(lo, hi + 1)] + [ord(c) for c in _SYMBOLS]
)
"""Code points the embedded HTML fonts cover."""


@dataclass(frozen=True)
class DejaVuSans:
    """Paths of the four DejaVu Sans styles (TrueType files)."""

    regular: Path
    bold: Path
    oblique: Path
    bold_oblique: Path

    def styles(self) -> tuple[tuple[str, str, Path], ...]:
        """``(font-weight, font-style, path)`` for each style, regular first."""
        return (
            ("400", "normal", self.regular),
            ("700", "normal", self.bold),
            ("400", "italic", self.oblique),
            ("700", "italic", self.bold_oblique),
        )


def font_dir() -> Path:
    """The folder holding matplotlib's bundled TrueType fonts (DejaVu Sans among them).

    Returns
    -------
    pathlib.Path
        ``<matplotlib>/mpl-data/fonts/ttf``.
    """
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.cache
def dejavu_sans() -> DejaVuSans:
    """Locate the four DejaVu Sans TrueType files that ship with matplotlib.

    Returns
    -------
    DejaVuSans
        Paths of the regular, bold, oblique and bold-oblique files.

    Raises
    ------
    FileNotFoundError
        If matplotlib's font folder lacks one of them (a broken installation).

    Examples
    --------
    >>> dejavu_sans().regular.name
    'DejaVuSans.ttf'
    """
    folder = font_dir()
    fonts = DejaVuSans(
        regular=folder / "DejaVuSans.ttf",
        bold=folder / "DejaVuSans-Bold.ttf",
        oblique=folder / "DejaVuSans-Oblique.ttf",
        bold_oblique=folder / "DejaVuSans-BoldOblique.ttf",
    )
    for _weight, _style, path in fonts.styles():
        if not path.is_file():
            raise FileNotFoundError(
                f"DejaVu Sans should ship with matplotlib at {path}, but that file is "
                "missing; reinstall matplotlib."
            )
    return fonts


def _cache_dir() -> Path:
    """Where computed font subsets are kept between processes (``$XDG_CACHE_HOME/cslib``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cslib"


def _woff_subset(path: Path) -> bytes:
    """A WOFF subset of ``path`` for :data:`WEB_UNICODES`; computed once per machine.

    Subsetting takes about a third of a second per style, in every build
    worker; the result depends only on the font file, the code points and
    fontTools' version, so it is kept in a cache file named by a hash of
    those (a missing or unwritable cache just means computing it again).
    """
    import fontTools

    key = hashlib.sha256(path.read_bytes())
    key.update(repr(sorted(WEB_UNICODES)).encode())
    key.update(f"{fontTools.version}/{_SUBSET_VERSION}".encode())
    cached = _cache_dir() / f"dejavu-{key.hexdigest()[:24]}.woff"
    with contextlib.suppress(OSError):
        return cached.read_bytes()
    data = _compute_woff_subset(path)
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, cached)
    return data


#: Bump when :func:`_compute_woff_subset` changes what it makes (the cache is keyed on it).
_SUBSET_VERSION = 1


def _compute_woff_subset(path: Path) -> bytes:
    """A WOFF (zlib) subset of ``path`` covering :data:`WEB_UNICODES`, byte-reproducible."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False  # browsers hint on their own; halves the size
    # Kerning only: the subset holds precomposed Latin letters, so no mark positioning
    # is needed, and every other feature costs time and bytes.
    options.layout_features = ["kern"]
    options.drop_tables = [*options.drop_tables, "FFTM"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # copyright, family, style, id, full name, version
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=WEB_UNICODES)
    # recalcTimestamp=False keeps the 'head' dates, so the same input gives the same bytes.
    font = TTFont(path, recalcTimestamp=False)
    quiet = logging.getLogger("fontTools.subset")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        subsetter.subset(font)
    finally:
        quiet.setLevel(level)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


@functools.cache
def font_face_css() -> str:
    """``@font-face`` rules embedding DejaVu Sans regular and bold as WOFF ``data:`` URIs.

    DejaVu Sans Oblique is the regular design slanted, so the browser's own
    slant of the regular face (``font-synthesis``) looks the same, and leaving
    the two oblique faces out halves the size and the time. Computed once per
    process (the subsets once per machine, see :func:`_woff_subset`) and the
    same every time, so rendered HTML is byte-reproducible. About 73 kB of CSS.

    Returns
    -------
    str
        Two ``@font-face`` rules (weights 400 and 700) for the family ``"DejaVu Sans"``.
    """
    rules = []
    for weight, style, path in dejavu_sans().styles()[:2]:
        data = base64.b64encode(_woff_subset(path)).decode("ascii")
        rules.append(
            "@font-face{"
            f'font-family:"{FONT_FAMILY}";font-weight:{weight};font-style:{style};'
            f'font-display:swap;src:url("data:font/woff;base64,{data}") format("woff")'
            "}"
        )
    return "\n".join(rules)
