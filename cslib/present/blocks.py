"""Report blocks: what a notebook cell shows, in a form every renderer can read.

Every table, chart, headline and note that ``cslib`` returns to a notebook is a
:class:`Block`. Displayed in JupyterLab it shows as HTML; in the executed
notebook it also carries a structured JSON copy under the MIME type
:data:`BLOCK_MIME`. The build layer reads those JSON copies (never the HTML,
never the code) to assemble one document model, which the HTML and PDF
renderers turn into pages. Tables therefore stay real tables in every format,
and text taken from data is only ever text: renderers escape it.

Each block's JSON (``to_block()``) is one of the shapes that
:mod:`cslib.document.model` defines; that module is the only place they are
written down.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from cslib.document.model import BLOCK_MIME

__all__ = [
    "BLOCK_MIME",
    "Block",
    "Bullets",
    "Callout",
    "Figure",
    "Kpi",
    "Kpis",
    "Paragraph",
    "Span",
    "Table",
    "spans_text",
]



@dataclass(frozen=True)
class Span:
    """A run of text, optionally ``strong`` or ``em``."""

    text: str
    style: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "style": self.style}


def _spans(parts: Iterable[Span | str]) -> list[Span]:
    return [p if isinstance(p, Span) else Span(str(p)) for p in parts]


def spans_text(spans: Iterable[Span | dict[str, Any]]) -> str:
    """The plain text of ``spans`` (Span objects or their JSON)."""
    return "".join(s.text if isinstance(s, Span) else str(s["text"]) for s in spans)


def _spans_html(spans: Sequence[Span]) -> str:
    out = []
    for s in spans:
        text = html.escape(s.text)
        out.append(f"<{_TAG[s.style]}>{text}</{_TAG[s.style]}>" if s.style in _TAG else text)
    return "".join(out)


_TAG = {"strong": "strong", "em": "em"}


class Block:
    """Base of every displayable report block.

    Subclasses implement :meth:`to_block` (the JSON), :meth:`text` (plain text,
    also what nbval compares) and :meth:`html` (the notebook display).
    """

    kind: ClassVar[str] = ""
    definitions: tuple[str, ...] = ()

    def to_block(self) -> dict[str, Any]:
        """The block's JSON fields (without ``type`` and ``definitions``)."""
        raise NotImplementedError

    def text(self) -> str:
        """Plain text: the notebook's ``text/plain`` output, compared by nbval."""
        raise NotImplementedError

    def html(self) -> str:
        """HTML for the notebook display in JupyterLab (data escaped)."""
        raise NotImplementedError

    def _block_json(self) -> dict[str, Any]:
        block = {"type": self.kind, **self.to_block()}
        if self.definitions:
            block["definitions"] = list(self.definitions)
        return block

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/plain": self.text(),
            "text/html": self.html(),
            BLOCK_MIME: self._block_json(),
        }

    def __repr__(self) -> str:
        return self.text()


@dataclass(frozen=True, repr=False)
class Paragraph(Block):
    """A paragraph of generated narrative."""

    spans: tuple[Span, ...]
    definitions: tuple[str, ...] = ()
    kind: ClassVar[str] = "paragraph"

    @classmethod
    def of(cls, *parts: Span | str, definitions: Iterable[str] = ()) -> Paragraph:
        """Build a paragraph from strings and :class:`Span` objects."""
        return cls(tuple(_spans(parts)), tuple(definitions))

    def to_block(self) -> dict[str, Any]:
        return {"spans": [s.to_json() for s in self.spans]}

    def text(self) -> str:
        return spans_text(self.spans)

    def html(self) -> str:
        return f"<p>{_spans_html(self.spans)}</p>"


@dataclass(frozen=True, repr=False)
class Callout(Block):
    """A short note set apart: ``info`` (e.g. a section without data) or ``warning``."""

    spans: tuple[Span, ...]
    tone: str = "info"
    kind: ClassVar[str] = "callout"

    @classmethod
    def of(cls, *parts: Span | str, tone: str = "info") -> Callout:
        """Build a callout from strings and :class:`Span` objects."""
        if tone not in ("info", "warning"):
            raise ValueError(f"tone must be 'info' or 'warning', got {tone!r}")
        return cls(tuple(_spans(parts)), tone)

    def to_block(self) -> dict[str, Any]:
        return {"tone": self.tone, "spans": [s.to_json() for s in self.spans]}

    def text(self) -> str:
        return f"[{self.tone}] {spans_text(self.spans)}"

    def html(self) -> str:
        colour = "#fff4e0" if self.tone == "warning" else "#eef4fa"
        return (
            f'<div style="background:{colour};padding:0.5em 0.8em;border-radius:4px">'
            f"{_spans_html(self.spans)}</div>"
        )


@dataclass(frozen=True, repr=False)
class Bullets(Block):
    """A bulleted (or numbered) list of generated sentences."""

    items: tuple[tuple[Span, ...], ...]
    ordered: bool = False
    definitions: tuple[str, ...] = ()
    kind: ClassVar[str] = "list"

    @classmethod
    def of(cls, items: Iterable[Sequence[Span | str] | str], *, ordered: bool = False) -> Bullets:
        """Build a list; each item is a string or a sequence of strings and spans."""
        return cls(
            tuple(tuple(_spans([i] if isinstance(i, str) else i)) for i in items), ordered
        )

    def to_block(self) -> dict[str, Any]:
        return {"ordered": self.ordered, "items": [[s.to_json() for s in i] for i in self.items]}

    def text(self) -> str:
        marks = [f"{n}." for n in range(1, len(self.items) + 1)] if self.ordered else None
        return "\n".join(
            f"{marks[n] if marks else '-'} {spans_text(i)}" for n, i in enumerate(self.items)
        )

    def html(self) -> str:
        tag = "ol" if self.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{_spans_html(i)}</li>" for i in self.items) + f"</{tag}>"


@dataclass(frozen=True)
class Kpi:
    """One headline figure: its label, formatted value and change.

    ``trend`` is the direction of the change; ``good`` says whether that
    direction is good news (churn going up is not), so renderers colour it.
    """

    label: str
    value: str
    delta: str = ""
    trend: str | None = None
    good: bool | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "delta": self.delta,
            "trend": self.trend,
            "good": self.good,
            "note": self.note,
        }


@dataclass(frozen=True, repr=False)
class Kpis(Block):
    """A row of headline figures (KPI cards)."""

    title: str
    items: tuple[Kpi, ...]
    definitions: tuple[str, ...] = ()
    kind: ClassVar[str] = "kpis"

    def to_block(self) -> dict[str, Any]:
        return {"title": self.title, "items": [k.to_json() for k in self.items]}

    def text(self) -> str:
        lines = [self.title]
        for k in self.items:
            extra = f" ({k.delta})" if k.delta else ""
            note = f" — {k.note}" if k.note else ""
            lines.append(f"  {k.label}: {k.value}{extra}{note}")
        return "\n".join(lines)

    def html(self) -> str:
        cards = "".join(
            '<div style="display:inline-block;min-width:9em;margin:0 1em 0.6em 0;'
            'padding:0.4em 0.8em;border:1px solid #ddd;border-radius:4px">'
            f'<div style="font-size:85%;color:#555">{html.escape(k.label)}</div>'
            f'<div style="font-size:150%;font-weight:bold">{html.escape(k.value)}</div>'
            f'<div style="font-size:85%;color:{_delta_colour(k.good)}">'
            f"{html.escape(k.delta)}</div>"
            f'<div style="font-size:75%;color:#777">{html.escape(k.note)}</div></div>'
            for k in self.items
        )
        return f"<div><strong>{html.escape(self.title)}</strong><div>{cards}</div></div>"


def _delta_colour(good: bool | None) -> str:
    return {True: "#007a4d", False: "#b3261e"}.get(good, "#555")  # type: ignore[arg-type]


@dataclass(frozen=True, repr=False)
class Table(Block):
    """A formatted table: every cell is already a string in the house format.

    Build one with the functions of :mod:`cslib.present.tables`; the
    renderers keep it a real table (repeated header row, rows never split).
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...] = ()
    caption: str = ""
    total: bool = False
    definitions: tuple[str, ...] = ()
    kind: ClassVar[str] = "table"

    def __post_init__(self) -> None:
        if not self.align:
            object.__setattr__(self, "align", ("left",) * len(self.columns))
        if len(self.align) != len(self.columns):
            raise ValueError("align needs one entry per column")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"row {row!r} has {len(row)} cells, expected {len(self.columns)}")

    def to_block(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": list(self.columns),
            "align": list(self.align),
            "rows": [list(r) for r in self.rows],
            "caption": self.caption,
            "total": self.total,
        }

    def text(self) -> str:
        widths = [
            max([len(c)] + [len(r[i]) for r in self.rows]) for i, c in enumerate(self.columns)
        ]

        def line(cells: Sequence[str]) -> str:
            parts = [
                c.rjust(w) if a == "right" else c.ljust(w)
                for c, w, a in zip(cells, widths, self.align, strict=True)
            ]
            return "  ".join(parts).rstrip()

        out = [self.title, line(self.columns)]
        out += [line(r) for r in self.rows]
        if self.caption:
            out.append(self.caption)
        return "\n".join(out)

    def html(self) -> str:
        def cells(tag: str, row: Sequence[str]) -> str:
            return "".join(
                f'<{tag} style="text-align:{a}">{html.escape(c)}</{tag}>'
                for c, a in zip(row, self.align, strict=True)
            )

        body = "".join(f"<tr>{cells('td', r)}</tr>" for r in self.rows)
        caption = f"<p><em>{html.escape(self.caption)}</em></p>" if self.caption else ""
        return (
            f"<div><strong>{html.escape(self.title)}</strong>"
            f"<table><thead><tr>{cells('th', self.columns)}</tr></thead>"
            f"<tbody>{body}</tbody></table>{caption}</div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(include, exclude)
        bundle["text/markdown"] = self.markdown()
        return bundle

    def markdown(self) -> str:
        """A pipe table (for Quarto and other Markdown consumers), cells escaped."""

        def esc(c: str) -> str:
            return html.escape(c).replace("|", "\\|").replace("\n", " ")

        rule = ["---:" if a == "right" else ":---" for a in self.align]
        lines = [
            f"**{esc(self.title)}**",
            "",
            "| " + " | ".join(esc(c) for c in self.columns) + " |",
            "| " + " | ".join(rule) + " |",
        ]
        lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in self.rows]
        if self.caption:
            lines += ["", f"*{esc(self.caption)}*"]
        return "\n".join(lines)


@dataclass(frozen=True, repr=False)
class Figure(Block):
    """A chart rendered once to SVG (text as paths, so it looks the same everywhere).

    Made by the functions of :mod:`cslib.present.charts` (through matplotlib,
    whose figure is drawn and released on construction, so no figure stays
    open, or straight to SVG); ``texts`` holds every text drawn in it.
    """

    title: str
    svg: str
    alt: str
    caption: str = ""
    definitions: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()  # the text drawn in the chart (the SVG holds it as paths)
    kind: ClassVar[str] = "figure"

    def to_block(self) -> dict[str, Any]:
        return {"title": self.title, "caption": self.caption, "alt": self.alt,
                "texts": list(self.texts)}

    def text(self) -> str:
        return f"[chart] {self.title}"

    def html(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/plain": self.text(),
            "image/svg+xml": self.svg,
            BLOCK_MIME: self._block_json(),
        }
