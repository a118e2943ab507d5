"""Document hygiene every renderer shares: text made safe, links checked, the model normalized.

Every string of a document is data. :func:`normalized` turns a
:class:`~cslib.document.model.Document` into the plain structure a template
reads, with each string cleaned (:func:`isolate_bidi`, or the renderer's own
cleaning), every link checked (:func:`safe_href`: ``http``, ``https`` and
``mailto`` only) and every anchor unique; :func:`long_run_pieces` says where a
run without spaces may break, and :func:`joined` puts parts of a title line
together with the house separator. HTML (:mod:`cslib.render.html`), PDF
(:mod:`cslib.render.pdf`) and the deck (:mod:`cslib.render.pptx`) use them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cslib.document.model import META_KEYS, Document

__all__ = ["BREAK_EVERY", "SEPARATOR", "id_label", "isolate_bidi", "joined", "long_run_pieces",
           "normalized", "safe_href"]

_SCHEMES = frozenset({"http", "https", "mailto"})
_TRENDS = {"up": "▲", "down": "▼", "flat": "→"}
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE, RLE, LRO, RLO; closed by PDF
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI; closed by PDI
_POP_EMBEDDING, _POP_ISOLATE, _FSI = "\u202c", "\u2069", "\u2068"
_CONTROLS = _EMBEDDINGS | _ISOLATES | {_POP_EMBEDDING, _POP_ISOLATE}

BREAK_EVERY = 24
"""Longest run of characters without a line-break opportunity in a table cell or card."""
SEPARATOR = " · "
"""What separates the parts of a title, running or footer line (a middle dot)."""
_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


def joined(*parts: str, sep: str = SEPARATOR) -> str:
    """The non-empty ``parts`` joined by ``sep`` (company · title · period...).

    Examples
    --------
    >>> joined("Larkspur", "", "QBR", "2026Q3")
    'Larkspur · QBR · 2026Q3'
    """
    return sep.join(p for p in parts if p)


def id_label(meta: Mapping[str, Any]) -> str:
    """What a document's fingerprint is called where it is printed.

    "Document" in a customer's QBR (a reference to quote back to us), else
    "Fingerprint" (what the build records trace it by).
    """
    return "Document" if meta.get("audience") == "customer" else "Fingerprint"


def safe_href(href: object) -> str | None:
    r"""``href`` when it is a plain ``http(s)://`` or ``mailto:`` URL, else ``None``.

    A URL with whitespace or control characters anywhere (``"java\tscript:"``
    is ``javascript:`` to a browser) is refused, as is every other scheme
    (``javascript:``, ``data:``, ``file:``) and a relative reference.

    Parameters
    ----------
    href : object
        The candidate link target (anything; only a ``str`` can pass).

    Returns
    -------
    str or None
        The unchanged URL, or ``None`` when it must not become a link.

    Examples
    --------
    >>> safe_href("https://example.com/a?b=1")
    'https://example.com/a?b=1'
    >>> safe_href("javascript:alert(1)") is None
    True
    """
    if not isinstance(href, str) or not href:
        return None
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F or c.isspace() for c in href):
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        return None
    if scheme != "mailto" and not parts.netloc:
        return None
    if scheme == "mailto" and not parts.path:
        return None
    return href


def isolate_bidi(text: str) -> str:
    r"""``text`` made a bidi island: its direction cannot leak into the text around it.

    A right-to-left override (U+202E) in one account name must reverse only
    that name, and an Arabic or Hebrew name must not pull the neighbouring
    numbers or punctuation into its run. Text with right-to-left letters or
    bidi controls is wrapped in FIRST STRONG ISOLATE (U+2068) ... POP
    DIRECTIONAL ISOLATE (U+2069); embeddings, overrides and isolates it leaves
    open are closed inside, and closers it has without an opener are dropped
    (they are invisible, and could otherwise end the wrapper early). Other text
    is returned unchanged.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        ``text``, isolated when it needs to be.

    Examples
    --------
    >>> isolate_bidi("Acme Corp") == "Acme Corp"
    True
    >>> isolate_bidi("\u202eabc") == "\u2068\u202eabc\u202c\u2069"
    True
    """
    if not any(c in _CONTROLS or unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return text
    out: list[str] = []
    stack: list[str] = []
    for c in text:
        if c in _EMBEDDINGS:
            stack.append(_POP_EMBEDDING)
        elif c in _ISOLATES:
            stack.append(_POP_ISOLATE)
        elif c == _POP_EMBEDDING:
            if not (stack and stack[-1] == _POP_EMBEDDING):
                continue  # unmatched: dropped
            stack.pop()
        elif c == _POP_ISOLATE:
            if _POP_ISOLATE not in stack:
                continue  # unmatched: dropped
            # A PDI closes its isolate and every embedding opened inside it.
            while stack.pop() != _POP_ISOLATE:
                pass
        out.append(c)
    return _FSI + "".join(out) + "".join(reversed(stack)) + _POP_ISOLATE


def long_run_pieces(text: str, *, every: int = BREAK_EVERY) -> list[str]:
    """``text`` cut so that no piece holds a run of more than ``every`` non-space characters.

    ``"".join(pieces) == text``; a renderer puts a line-break opportunity
    between pieces (a zero-width space in the PDF, ``<wbr>`` in HTML), so a
    300-character account name or a URL wraps instead of overflowing its
    table cell. Cuts never fall between a character and an accent or emoji
    modifier that extends it.

    Parameters
    ----------
    text : str
        Any text.
    every : int, default :data:`BREAK_EVERY`
        Longest run without a break opportunity, in characters.

    Returns
    -------
    list of str
        One piece (``[text]``) when nothing needs cutting.

    Examples
    --------
    >>> long_run_pieces("ab cdefg", every=3)
    ['ab cde', 'fg']
    """
    if len(text) <= every:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    run = 0
    previous = ""
    for c in text:
        if c.isspace() or c == "\u200b":
            run = 0
        elif run >= every and not _extends(previous, c):
            pieces.append("".join(current))
            current, run = [], 0
        if not c.isspace():
            run += 1
        current.append(c)
        previous = c
    pieces.append("".join(current))
    return pieces


def _extends(previous: str, c: str) -> bool:
    """Whether ``c`` belongs to the same grapheme as ``previous`` (approximately)."""
    cp = ord(c)
    return (
        unicodedata.category(c) in ("Mn", "Me", "Mc")
        or c == "\u200d"  # zero-width joiner
        or previous == "\u200d"
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or 0xE0020 <= cp <= 0xE007F  # tag characters (subdivision flags)
        or (0x1F1E6 <= cp <= 0x1F1FF and 0x1F1E6 <= ord(previous or " ") <= 0x1F1FF)
    )


def _anchor(raw: object, n: int, seen: set[str]) -> str:
    """A safe, unique HTML id / anchor from a heading's ``id`` (letters, digits, ``-``, ``_``)."""
    base = _ID_CHARS.sub("-", str(raw or "")).strip("-")[:80] or f"section-{n}"
    if not base[0].isalpha():
        base = f"s-{base}"
    anchor, k = base, 2
    while anchor in seen:
        anchor, k = f"{base}-{k}", k + 1
    seen.add(anchor)
    return anchor


def _width(value: object) -> float | None:
    """A figure's natural width in points: a positive finite number, or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value < 10_000 else None


def normalized(doc: Document, *, clean: Callable[[str], str] = isolate_bidi) -> dict[str, Any]:
    """The document as plain JSON-able data with every field present and typed.

    The renderers read only this: every string has gone through ``clean``,
    every link through :func:`safe_href`, every heading has a safe unique
    ``id``, every optional field has its default (``""``, ``None``, ``False``),
    and unknown fields are dropped.

    Parameters
    ----------
    doc : Document
        The document to render.
    clean : callable, default :func:`isolate_bidi`
        Applied to every text string (not to ids, URLs or SVG sources).

    Returns
    -------
    dict
        ``{"meta": {key: str for key in META_KEYS}, "blocks": [dict, ...]}``;
        ``meta["audience"]`` is ``"customer"`` or ``"internal"``.

    Raises
    ------
    ValueError
        If a block has an unknown ``type`` or a table row has the wrong number
        of cells.
    """
    meta = {k: clean(str(doc.meta.get(k) or "")) for k in META_KEYS}
    meta["audience"] = "customer" if doc.meta.get("audience") == "customer" else "internal"
    seen: set[str] = {"toc-title"}  # the HTML table of contents' own heading
    blocks = [_block(b, i, clean, seen) for i, b in enumerate(doc.blocks)]
    return {"meta": meta, "blocks": blocks}


def _text(value: object, clean: Callable[[str], str]) -> str:
    return clean("" if value is None else str(value))


def _spans(spans: object, clean: Callable[[str], str]) -> list[dict[str, Any]]:
    out = []
    for s in spans if isinstance(spans, list | tuple) else []:
        span = s if isinstance(s, Mapping) else {"text": s}
        style = span.get("style")
        out.append(
            {
                "text": _text(span.get("text"), clean),
                "style": style if style in ("strong", "em", "code") else None,
                "href": safe_href(span.get("href")),
            }
        )
    return out


def _block(
    b: Mapping[str, Any], n: int, clean: Callable[[str], str], seen: set[str]
) -> dict[str, Any]:
    kind = b.get("type")
    if kind == "heading":
        level = b.get("level", 1)
        level = min(max(int(level), 1), 3) if isinstance(level, int | float) else 1
        return {
            "type": kind,
            "level": level,
            "text": _text(b.get("text"), clean),
            "id": _anchor(b.get("id"), n, seen),
            "new_page": bool(b.get("new_page")),
        }
    if kind in ("paragraph", "callout"):
        block: dict[str, Any] = {"type": kind, "spans": _spans(b.get("spans"), clean)}
        if kind == "callout":
            block["tone"] = "warning" if b.get("tone") == "warning" else "info"
        elif b.get("keep_with_next"):
            block["keep_with_next"] = True
        return block
    if kind == "list":
        items = b.get("items") or []
        return {
            "type": kind,
            "ordered": bool(b.get("ordered")),
            "items": [_spans(item, clean) for item in items],
        }
    if kind == "kpis":
        items = []
        for k in b.get("items") or []:
            trend = k.get("trend")
            good = k.get("good")
            items.append(
                {
                    "label": _text(k.get("label"), clean),
                    "value": _text(k.get("value"), clean),
                    "delta": _text(k.get("delta"), clean),
                    "trend": trend if trend in _TRENDS else None,
                    "arrow": _TRENDS.get(trend, ""),
                    "good": good if isinstance(good, bool) else None,
                    "note": _text(k.get("note"), clean),
                }
            )
        return {"type": kind, "title": _text(b.get("title"), clean), "items": items}
    if kind == "table":
        columns = [_text(c, clean) for c in b.get("columns") or []]
        align = list(b.get("align") or [])
        align = [
            a if a in ("left", "right", "center") else "left"
            for a in (align + ["left"] * len(columns))[: len(columns)]
        ]
        rows = []
        for i, row in enumerate(b.get("rows") or []):
            if len(row) != len(columns):
                raise ValueError(
                    f"table {b.get('title')!r}: every row needs {len(columns)} cells "
                    f"(one per column), row {i} has {len(row)}."
                )
            rows.append([_text(c, clean) for c in row])
        return {
            "type": kind,
            "title": _text(b.get("title"), clean),
            "columns": columns,
            "align": align,
            "rows": rows,
            "caption": _text(b.get("caption"), clean),
            "total": bool(b.get("total")) and bool(rows),
        }
    if kind == "figure":
        return {
            "type": kind,
            "title": _text(b.get("title"), clean),
            "caption": _text(b.get("caption"), clean),
            "alt": _text(b.get("alt"), clean),
            "svg": str(b.get("svg") or ""),
            "width_pt": _width(b.get("width_pt")),
        }
    raise ValueError(
        f"block {n} has type {kind!r}; expected one of heading, paragraph, list, kpis, "
        "table, figure, callout."
    )
