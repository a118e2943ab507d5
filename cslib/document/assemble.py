"""Assemble a :class:`~cslib.document.model.Document` from executed notebooks.

Only two things of a notebook reach a document: its markdown cells (parsed
into headings, paragraphs and lists; raw HTML, images and unsafe links
dropped) and the structured blocks that ``cslib`` calls display (their
``application/vnd.cslib.block+json`` outputs). Code, the parameters and
injected-parameters cells, stream output (warnings, stderr) and cells tagged
``remove-cell`` never do. A board pack is several notebooks assembled under one
cover: each part becomes a level-1 section with its own headings below it, and
one appendix at the end explains the definitions used and where the data came
from.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import mistune
import nbformat

from cslib.document.model import BLOCK_MIME, Document
from cslib.errors import AssemblyError
from cslib.metrics.definitions import definitions_for
from cslib.names import slugify

__all__ = ["Part", "assemble", "is_plot_result", "markdown_blocks", "warm_up"]

SKIP_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove"}
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_markdown = mistune.create_markdown(renderer=None, plugins=["strikethrough", "table"])


Part = nbformat.NotebookNode


def warm_up() -> None:
    """Parse one markdown text of every kind now, before a warm worker forks.

    mistune compiles each parser's scanner on first use; done once in the warm
    worker, every fork parses with it.
    """
    _markdown("# Title\n\nSome **bold**, *em*, `code`, ~~gone~~ and a [link](https://x.org).\n\n"
              "- one\n- two\n\n1. first\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")


# Markdown ----------------------------------------------------------------
def _inline(tokens: Iterable[dict[str, Any]], style: str | None = None) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = []
    for tok in tokens:
        kind = tok["type"]
        if kind == "text":
            spans.append({"text": tok["raw"], "style": style})
        elif kind == "codespan":
            spans.append({"text": tok["raw"], "style": "code"})
        elif kind in ("emphasis", "strong"):
            inner = "em" if kind == "emphasis" else "strong"
            spans += _inline(tok.get("children", []), style or inner)
        elif kind == "strikethrough":
            spans += _inline(tok.get("children", []), style)
        elif kind == "link":
            url = str(tok.get("attrs", {}).get("url", ""))
            for span in _inline(tok.get("children", []), style):
                if url.lower().startswith(_SAFE_SCHEMES):
                    span["href"] = url
                spans.append(span)
        elif kind in ("softbreak", "linebreak"):
            spans.append({"text": " ", "style": None})
        elif kind == "image":  # no remote images in a self-contained report; keep the alt text
            spans += _inline(tok.get("children", []), style)
        # inline_html and anything unknown is dropped: markdown cells never inject markup
    return _merge(spans)


def _merge(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for span in spans:
        if out and out[-1].get("style") == span.get("style") and "href" not in out[-1] \
                and "href" not in span:
            out[-1] = {**out[-1], "text": out[-1]["text"] + span["text"]}
        else:
            out.append(span)
    return out


def _text(tokens: Iterable[dict[str, Any]]) -> str:
    return "".join(s["text"] for s in _inline(tokens)).strip()


def markdown_blocks(source: str, *, level_shift: int = -1) -> list[dict[str, Any]]:
    """Document blocks of one markdown cell.

    Parameters
    ----------
    source : str
        The cell's markdown.
    level_shift : int
        Added to every heading level (``## Section`` becomes level 1 with the
        default -1). The notebook's ``#`` title is dropped: it is on the cover.
    """
    blocks: list[dict[str, Any]] = []
    for tok in _markdown(source):
        kind = tok["type"]
        if kind == "heading":
            level = int(tok["attrs"]["level"]) + level_shift
            if int(tok["attrs"]["level"]) > 1 and level >= 1:
                blocks.append(
                    {"type": "heading", "level": min(level, 3), "text": _text(tok["children"])}
                )
        elif kind == "paragraph":
            spans = _inline(tok["children"])
            if any(s["text"].strip() for s in spans):
                blocks.append({"type": "paragraph", "spans": spans})
        elif kind == "list":
            items = []
            for item in tok.get("children", []):
                inner = [c for c in item.get("children", []) if "children" in c]
                spans = _merge([s for c in inner for s in _inline(c["children"])])
                items.append(spans)
            blocks.append(
                {"type": "list", "ordered": bool(tok["attrs"].get("ordered")), "items": items}
            )
        elif kind == "block_code":
            blocks.append(
                {"type": "paragraph", "spans": [{"text": tok["raw"].rstrip(), "style": "code"}]}
            )
        elif kind == "block_quote":
            for child in markdown_blocks_from_tokens(tok.get("children", [])):
                blocks.append(child)
        # block_html, tables and thematic breaks are left out on purpose
    return blocks


def markdown_blocks_from_tokens(tokens: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Paragraph blocks of already-parsed tokens (used for block quotes)."""
    return [
        {"type": "paragraph", "spans": _inline(t["children"])}
        for t in tokens
        if t["type"] == "paragraph"
    ]


# Outputs -----------------------------------------------------------------
def _output_blocks(cell: nbformat.NotebookNode, where: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            raise AssemblyError(
                f"{where}: the cell raised {output.get('ename')}: {output.get('evalue')}"
            )
        if kind not in ("display_data", "execute_result"):
            continue  # stream output (prints, warnings, stderr) never reaches a report
        data = output.get("data", {})
        block = data.get(BLOCK_MIME)
        if block is not None:
            block = dict(block)
            if block.get("type") == "figure":
                block["svg"] = data.get("image/svg+xml", "")
            blocks.append(block)
        elif "image/svg+xml" in data or "image/png" in data:  # an analyst's own chart
            # shown at its own size (capped at the page width); a PNG is wrapped in SVG
            # so every renderer has one figure type
            svg = (str(data["image/svg+xml"]) if "image/svg+xml" in data
                   else _png_svg(str(data["image/png"]).strip()))
            figure = {"type": "figure", "title": "", "caption": "", "alt": "chart", "svg": svg}
            width = _svg_width_pt(svg)
            if width is not None:
                figure["width_pt"] = round(width, 1)
            blocks.append(figure)
        elif "text/plain" in data:  # an analyst's own output: shown as text, never as HTML
            text = data["text/plain"]
            text = "".join(text) if isinstance(text, list) else str(text)
            if is_plot_result(output):
                continue  # what ax.set_title(...) returns: Jupyter prints it, a report does not
            blocks.append({"type": "paragraph", "spans": [{"text": text, "style": "code"}]})
    return blocks


#: The value a plotting call returns, as a cell's last line shows it: ``Text(0.5, 1.0, 'x')``,
#: ``<BarContainer object of 3 artists>``, ``<Axes: >``, ``[<matplotlib.lines.Line2D at
#: 0x7f...>]``, ``<Figure size 640x480 with 1 Axes>`` or a tuple or list of these.
_ONE_PLOT_RESULT = (r"(?:Text\(.*\)|<(?:Axes|AxesSubplot|Figure)\b[^<>]*>"
                    r"|<\w+ object of \d+ artists>"
                    r"|<matplotlib\.[\w.]+ (?:object )?at 0x[0-9a-f]+>)")
_PLOT_RESULT = re.compile(rf"{_ONE_PLOT_RESULT}|[\[(]\s*{_ONE_PLOT_RESULT}"
                          rf"(?:\s*,\s*{_ONE_PLOT_RESULT})*\s*,?\s*[\])]", re.DOTALL)


def is_plot_result(output: Mapping[str, Any]) -> bool:
    """Whether a cell output is only the value a plotting call returned.

    A cell ending in ``ax.set_title("MRR")`` shows ``Text(0.5, 1.0, 'MRR')`` in
    Jupyter; ``ax.bar(...)`` shows ``<BarContainer object of 3 artists>``. No
    report shows them (both renderers leave them out); anything else the cell
    returns is shown.

    Examples
    --------
    >>> is_plot_result({"output_type": "execute_result", "data": {"text/plain": "<Axes: >"}})
    True
    >>> is_plot_result({"output_type": "execute_result", "data": {"text/plain": "42"}})
    False
    """
    data = output.get("data")
    if output.get("output_type") != "execute_result" or not isinstance(data, Mapping):
        return False
    if set(data) - {"text/plain"}:
        return False
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else str(text)
    return _PLOT_RESULT.fullmatch(text.strip()) is not None


def _svg_width_pt(svg: str) -> float | None:
    """The natural width of an SVG in points (``width="460.8pt"``), if it says."""
    found = re.search(r'<svg[^>]*?\swidth="([\d.]+)(pt|px)?"', svg)
    if found is None:
        return None
    value = float(found[1])
    return value * 0.75 if found[2] in (None, "px") else value


def _png_svg(png_base64: str) -> str:
    """An SVG document showing a base64 PNG at its own size."""
    raw = base64.b64decode(png_base64)
    is_png = raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24]) if is_png else (640, 480)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<image width="{width}" height="{height}" '
        f'xlink:href="data:image/png;base64,{png_base64}"/></svg>'
    )


def _notebook_blocks(
    nb: nbformat.NotebookNode, *, level_shift: int, name: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    meta: dict[str, Any] | None = None
    sections: list[_Section] = [_Section()]
    for index, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & SKIP_TAGS:
            continue
        if cell.cell_type == "markdown":
            for block in markdown_blocks(cell.source, level_shift=level_shift):
                if block["type"] == "heading":
                    sections.append(_Section())
                sections[-1].blocks.append(block)
        elif cell.cell_type == "code":
            sections[-1].code = True
            for block in _output_blocks(cell, f"{name}, cell {index + 1}"):
                if block["type"] == "report":
                    meta = meta or block
                else:
                    sections[-1].blocks.append(block)
                    sections[-1].shown = True
    return meta, [b for s in sections if s.kept for b in s.blocks]


class _Section:
    """A heading and what follows it up to the next heading, while a notebook is read."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.code = False  # the section has code cells...
        self.shown = False  # ...and one of them displayed something

    @property
    def kept(self) -> bool:
        """False for a section whose code cells all displayed nothing: it is left out.

        A report function returns ``None`` where its reader has nothing to see
        (a QBR section without the customer's data); the heading and its
        introduction then go too. A section of markdown only is kept.
        """
        return self.shown or not self.code


def _keep_intros_with_next(blocks: list[dict[str, Any]]) -> None:
    """Keep the paragraphs between a heading and its first chart or table with that block."""
    for i, block in enumerate(blocks):
        if block["type"] != "heading":
            continue
        j = i + 1
        while j < len(blocks) and blocks[j]["type"] == "paragraph":
            j += 1
        if j > i + 1 and j < len(blocks) and blocks[j]["type"] in ("figure", "table", "kpis"):
            for intro in blocks[i + 1:j]:
                intro["keep_with_next"] = True


def _assign_ids(blocks: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for block in blocks:
        if block["type"] == "heading":
            base = slugify(block["text"], limit=80, empty="section")
            n = seen.get(base, 0)
            seen[base] = n + 1
            block["id"] = base if n == 0 else f"{base}-{n + 1}"


def _table(title: str, columns: Sequence[str], rows: list[tuple[str, ...]]) -> dict[str, Any]:
    return {
        "type": "table",
        "title": title,
        "columns": list(columns),
        "align": ["left"] * len(columns),
        "rows": [list(r) for r in rows],
        "caption": "",
        "total": False,
    }


def _appendix(metas: list[dict[str, Any]], keys: list[str], *,
              title: str = "Appendix") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"type": "heading", "level": 1, "text": title, "new_page": True}
    ]
    defs = definitions_for(keys)
    first = metas[0]
    if first.get("audience") == "customer":
        return out + _customer_appendix(first, defs)
    if defs:
        out.append({"type": "heading", "level": 2, "text": "Definitions used"})
        out.append(
            _table("", ("Metric", "Definition", "Standard"),
                   [(d.name, d.text, d.standard) for d in defs])
        )
    out.append({"type": "heading", "level": 2, "text": "Provenance"})
    rows = [
        ("Period", first["period_label"]),
        ("Data as of", first["as_of"]),
        ("Data source", first.get("data_source", "")),
        ("Data fingerprint", first["data_fingerprint"]),
        ("Report fingerprint", _fingerprint(metas)),
        ("Health and risk snapshot", first.get("snapshot", "")),
        ("cslib version", first["version"]),
        ("Git commit", first["commit"]),
    ]
    for meta in metas:
        part = meta["subtitle"] or meta["title"]
        label = "Parameters" if len(metas) == 1 else f"Parameters: {part}"
        params = "; ".join(f"{k} = {v}" for k, v in meta["parameters"].items())
        rows.append((label, params))
    out.append(_table("", ("Item", "Value"), rows))
    return out


def _customer_appendix(meta: dict[str, Any], defs: Sequence[Any]) -> list[dict[str, Any]]:
    """A shared QBR's appendix: what its figures mean, and which document this is.

    No build details (version, commit, data source, parameters) and no
    vendors' names: the document id traces it back to the build's records.
    """
    out: list[dict[str, Any]] = []
    if defs:
        out.append({"type": "heading", "level": 2, "text": "What the figures mean"})
        out.append(_table("", ("Figure", "Definition"), [(d.name, d.text) for d in defs]))
    out.append({"type": "heading", "level": 2, "text": "About this document"})
    out.append(_table("", ("Item", "Value"), [
        ("Period", meta["period_label"]),
        ("Figures as of", meta.get("snapshot") or meta["as_of"]),
        ("Document id", str(meta["fingerprint"])),
    ]))
    return out


def _fingerprint(metas: list[dict[str, Any]]) -> str:
    if len(metas) == 1:
        return str(metas[0]["fingerprint"])
    joined = ",".join(str(m["fingerprint"]) for m in metas)
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def assemble(parts: Sequence[nbformat.NotebookNode], *, names: Sequence[str] = ()) -> Document:
    """Turn one executed notebook, or a main notebook plus sections, into a document.

    Parameters
    ----------
    parts : sequence of NotebookNode
        Executed notebooks; the first gives the cover. With more than one, the
        first part's sections sit under "Company overview" and each further
        part becomes a level-1 appendix titled by its subtitle ("Appendix:
        Enterprise segment"), before "Appendix: definitions and provenance".
    names : sequence of str
        Names of the parts for error messages (notebook paths).

    Raises
    ------
    AssemblyError
        If a notebook displays no report block (it did not call
        ``open_report``) or holds an error output.
    """
    names = list(names) or [f"part {i + 1}" for i in range(len(parts))]
    composite = len(parts) > 1
    metas: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    for i, (nb, name) in enumerate(zip(parts, names, strict=True)):
        meta, body = _notebook_blocks(nb, level_shift=0 if composite else -1, name=name)
        if meta is None:
            raise AssemblyError(
                f"{name}: the notebook shows no report header; call "
                "`open_report(...)` right after the parameters cell and display its result."
            )
        metas.append(meta)
        if composite:  # the main notebook, then its sections as appendices
            title = ("Company overview" if i == 0
                     else f"Appendix: {meta['subtitle'] or meta['title']}")
            blocks.append({"type": "heading", "level": 1, "text": title})
        blocks += [b for b in body if b["type"] != "appendix"]
    keys = [k for b in blocks for k in b.get("definitions", [])]
    blocks += _appendix(metas, keys, title="Appendix: definitions and provenance" if composite
                        else "Appendix")
    _assign_ids(blocks)
    _keep_intros_with_next(blocks)
    first = metas[0]
    meta = {
        "company": first["company"],
        "title": first["title"],
        "subtitle": "" if composite else first["subtitle"],
        "period": first["period"],
        "period_label": first["period_label"],
        "as_of": first["as_of"],
        "fingerprint": _fingerprint(metas),
        "audience": first["audience"],
    }
    return Document(meta=meta, blocks=blocks, scopes=tuple(_scope(m) for m in metas))


def _scope(meta: dict[str, Any]) -> tuple[str, str]:
    """``(kind, key)`` of one part from its report block: what it says it is about."""
    kind = str(meta.get("kind", ""))
    params = meta.get("parameters") or {}
    key = {"customer": "account_id", "segment": "segment", "book": "group"}.get(kind)
    return kind, str(params.get(key, "")) if key else ""
