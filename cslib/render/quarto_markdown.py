"""The notebook copy Quarto renders: what to drop, and Markdown for every house block.

Quarto picks, for each output, the richest form its format can use. For Typst
(the PDF) HTML is no use, so an output without ``text/markdown`` falls back to
its ``text/plain``, set as a grey monospace code box: the narrative, KPI cards,
lists and callouts of a report came out that way. :func:`prepare_cells` gives
each house block (``application/vnd.cslib.block+json``) a ``text/markdown``
form written from its JSON (tables already carry one), drops the cells no
document shows (``remove-cell``, ``remove``: an analyst's notes, the
parameters) and the report header output, and puts the title and subtitle in a
front-matter raw cell, where YAML quoting is read as YAML (``-M title:"..."``
on the command line is not: the quotes were printed).

Every text from the data is escaped for Pandoc Markdown (each ASCII
punctuation character behind a backslash), so a name can never become markup.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from typing import Any

from cslib.document.assemble import is_plot_result

__all__ = ["DROP_TAGS", "block_markdown", "escape", "front_matter", "prepare_cells"]

BLOCK_MIME = "application/vnd.cslib.block+json"
#: Cells no document shows (the same as the built-in renderer's).
DROP_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "remove"})
_PUNCT = frozenset(string.punctuation)


def escape(text: str) -> str:
    r"""``text`` as literal Pandoc Markdown: punctuation escaped, lines joined.

    Examples
    --------
    >>> escape("*Acme* <b>")
    '\\*Acme\\* \\<b\\>'
    """
    return "".join("\\" + c if c in _PUNCT else c for c in str(text).replace("\n", " "))


def _spans(spans: list[Mapping[str, Any]]) -> str:
    out = []
    for s in spans:
        text = escape(s.get("text", ""))
        style = s.get("style")
        if style == "strong":
            text = f"**{text}**"
        elif style == "em":
            text = f"*{text}*"
        elif style == "code":
            text = f"`{str(s.get('text', '')).replace('`', '')}`"
        out.append(text)
    return "".join(out)


def block_markdown(block: Mapping[str, Any]) -> str | None:
    """Markdown for one house block, or ``None`` when it has none to give (a figure)."""
    kind = block.get("type")
    if kind == "paragraph":
        return _spans(block.get("spans", []))
    if kind == "list":
        mark = "1." if block.get("ordered") else "-"
        return "\n".join(f"{mark} {_spans(item)}" for item in block.get("items", []))
    if kind == "callout":  # a block quote: Quarto's callouts fetch an icon package for Typst
        return "> " + _spans(block.get("spans", []))
    if kind == "kpis":
        lines = [f"**{escape(block.get('title', ''))}**", ""] if block.get("title") else []
        lines += ["| | |", "|:---|:---|"]
        for item in block.get("items", []):
            detail = " · ".join(escape(x) for x in (item.get("delta"), item.get("note")) if x)
            lines.append(f"| {escape(item.get('label', ''))} | **{escape(item.get('value', ''))}**"
                         + (f" {detail}" if detail else "") + " |")
        return "\n".join(lines)
    if kind == "heading":
        return "#" * int(block.get("level", 2)) + " " + escape(block.get("text", ""))
    if kind == "table":
        def row(cells: list[Any]) -> str:
            return "| " + " | ".join(escape(c) for c in cells) + " |"

        align = block.get("align") or ["left"] * len(block.get("columns", []))
        lines = [f"**{escape(block['title'])}**", ""] if block.get("title") else []
        lines += [row(block.get("columns", [])),
                  "| " + " | ".join("---:" if a == "right" else ":---" for a in align) + " |"]
        lines += [row(r) for r in block.get("rows", [])]
        if block.get("caption"):
            lines += ["", escape(block["caption"])]
        return "\n".join(lines)
    return None


def front_matter(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A raw cell holding ``metadata`` as YAML front matter (strings JSON-quoted)."""
    lines = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in metadata.items()]
    # one string per line, each ending in a newline, as Jupyter writes them: Quarto joins
    # a raw cell's lines as they are
    return {"cell_type": "raw", "metadata": {}, "source": [f"{line}\n" for line in
                                                          [*lines, "---"]]}


def prepare_cells(cells: list[Any], metadata: Mapping[str, Any],
                  appendix: list[Mapping[str, Any]] | None = None) -> list[Any]:
    """The cells Quarto should render: dropped, given Markdown, headed by front matter.

    ``appendix``: the blocks of the document's appendix (definitions and
    provenance, :func:`cslib.document.assemble.assemble`), written where the
    notebook calls ``report.appendix()``; without them that output is left out.
    """
    out: list[Any] = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        if DROP_TAGS.intersection(tags):
            continue
        outputs = []
        for output in cell.get("outputs") or []:
            if isinstance(output, dict) and is_plot_result(output):
                continue  # Text(0.5, 1.0, 'x'): what a plotting call returned
            data = output.get("data") if isinstance(output, dict) else None
            block = data.get(BLOCK_MIME) if isinstance(data, dict) else None
            if isinstance(block, dict):
                if block.get("type") == "report":
                    continue  # the header card: Quarto makes its own title block
                if block.get("type") == "appendix":
                    if not appendix:
                        continue
                    outputs.append(_markdown_output(
                        "\n\n".join(m for m in map(block_markdown, appendix) if m)))
                    continue
                if block.get("type") == "figure":  # the chart, with its title and caption
                    if block.get("title"):
                        outputs.append(_markdown_output(f"**{escape(block['title'])}**"))
                    outputs.append(output)
                    if block.get("caption"):
                        outputs.append(_markdown_output(escape(block["caption"])))
                    continue
                md = block_markdown(block)
                if md is not None and "text/markdown" not in data:
                    output = {**output, "data": {**data, "text/markdown": md}}
            outputs.append(output)
        if cell.get("cell_type") == "code":
            cell = {**cell, "outputs": outputs}
        out.append(cell)
    return ([front_matter(metadata)] if metadata else []) + _drop_empty_sections(out)


def _markdown_output(md: str) -> dict[str, Any]:
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/markdown": md, "text/plain": ""}}


def _drop_empty_sections(cells: list[Any]) -> list[Any]:
    """Leave out a section (a heading to the next) whose code cells all show nothing.

    As the built-in renderer does: a section about data the customer does not
    have (or may not see) is not printed as a heading and an introduction alone.
    """
    sections: list[list[Any]] = [[]]
    for cell in cells:
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown" and text.lstrip().startswith("#"):
            sections.append([])
        sections[-1].append(cell)
    kept: list[Any] = []
    for section in sections:
        code = [c for c in section if c.get("cell_type") == "code"]
        if code and not any(c.get("outputs") for c in code):
            continue
        kept += section
    return kept
