from __future__ import annotations

import base64

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cslib.document.assemble import assemble, markdown_blocks
from cslib.errors import AssemblyError
from cslib.present.blocks import BLOCK_MIME

REPORT = {
    "type": "report",
    "kind": "company",
    "company": "Acme",
    "title": "Board pack",
    "subtitle": "",
    "period": "2026Q3",
    "period_label": "2026Q3 (Jul–Sep 2026)",
    "as_of": "2026-10-31",
    "snapshot": "2026-09-30",
    "fingerprint": "abcdefabcdef",
    "data_fingerprint": "0123456789ab",
    "data_source": "sample",
    "parameters": {"period": "2026Q3", "token": "***"},
    "version": "0.1.0",
    "commit": "deadbeef",
    "audience": "internal",
}


def display(block: dict, **extra: str) -> nbformat.NotebookNode:
    return new_output("display_data", data={BLOCK_MIME: block, "text/plain": "x", **extra})


def notebook(*cells: nbformat.NotebookNode, report: dict | None = None) -> nbformat.NotebookNode:
    header = new_code_cell("report", outputs=[display(report or REPORT)])
    params = new_code_cell("secret = 'hunter2'", metadata={"tags": ["parameters"]})
    params.outputs = [new_output("stream", name="stdout", text="hunter2")]
    return new_notebook(cells=[new_markdown_cell("# Title"), params, header, *cells])


def test_markdown_becomes_headings_paragraphs_and_lists_with_markup_dropped():
    blocks = markdown_blocks(
        "# Notebook title\n\n## Section\n\nSome **bold** and *em* and `code` with "
        "<script>alert(1)</script> and [safe](https://example.com) and "
        "[bad](javascript:alert(1)).\n\n- one\n- two\n\n<div onclick='x()'>raw</div>\n"
    )
    assert blocks[0] == {"type": "heading", "level": 1, "text": "Section"}
    spans = blocks[1]["spans"]
    text = "".join(s["text"] for s in spans)
    assert "<script>" not in text and "alert(1)</script>" not in text
    assert {"text": "bold", "style": "strong"} in spans
    assert {"text": "code", "style": "code"} in spans
    links = [s for s in spans if "href" in s]
    assert links == [{"text": "safe", "style": None, "href": "https://example.com"}]
    assert "and bad." in text  # the text stays, the link does not
    assert blocks[2]["type"] == "list" and len(blocks[2]["items"]) == 2
    assert len(blocks) == 3  # raw HTML block dropped


def test_only_blocks_reach_the_document_not_code_streams_or_parameters():
    table = {"type": "table", "title": "T", "columns": ["a"], "align": ["left"],
             "rows": [["1"]], "caption": "", "total": False, "definitions": ["nrr"]}
    cells = [
        new_markdown_cell("## Results"),
        new_code_cell("print('debug'); tables.x()", outputs=[
            new_output("stream", name="stderr", text="Warning: something"),
            display(table),
        ]),
        new_markdown_cell("hidden note", metadata={"tags": ["remove-cell"]}),
        new_code_cell("report.appendix()", outputs=[display({"type": "appendix"})]),
    ]
    doc = assemble([notebook(*cells)])
    types = [b["type"] for b in doc.blocks]
    assert types[:2] == ["heading", "table"]
    text = repr(doc.blocks)
    assert "hunter2" not in text and "debug" not in text and "Warning" not in text
    assert "hidden note" not in text and "Title" not in text
    assert doc.meta["company"] == "Acme" and doc.meta["fingerprint"] == "abcdefabcdef"
    # The appendix explains the definitions the blocks used and gives the provenance.
    appendix = [b for b in doc.blocks if b["type"] == "table" and b["columns"][0] == "Metric"]
    assert [r[0] for r in appendix[0]["rows"]] == ["Net revenue retention (NRR)"]
    provenance = next(b for b in doc.blocks if b["type"] == "table" and b["columns"][0] == "Item")
    values = dict((r[0], r[1]) for r in provenance["rows"])
    assert values["Git commit"] == "deadbeef"
    assert values["Parameters"] == "period = 2026Q3; token = ***"
    ids = [b["id"] for b in doc.headings()]
    assert len(ids) == len(set(ids))


def test_figure_blocks_carry_their_svg_and_foreign_outputs_stay_text():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>'
    png = base64.b64encode(
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (30).to_bytes(4, "big")
        + (20).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    ).decode()
    cells = [
        new_code_cell("chart", outputs=[display(
            {"type": "figure", "title": "C", "caption": "", "alt": "a"}, **{"image/svg+xml": svg}
        )]),
        new_code_cell("df", outputs=[new_output(
            "execute_result", data={"text/plain": "   a\n0  1", "text/html": "<table><script>"},
            execution_count=1)]),
        new_code_cell("plt.plot()", outputs=[new_output("display_data",
                                                        data={"image/png": png})]),
    ]
    blocks = assemble([notebook(*cells)]).blocks
    assert blocks[0]["svg"] == svg
    assert blocks[1] == {"type": "paragraph", "spans": [{"text": "   a\n0  1", "style": "code"}]}
    assert blocks[2]["type"] == "figure" and 'width="30" height="20"' in blocks[2]["svg"]


def test_a_board_pack_is_one_document_with_a_section_per_part():
    seg = dict(REPORT, kind="segment", title="Segment review", subtitle="Enterprise segment",
               fingerprint="111111111111")
    part = [new_markdown_cell("## Executive summary")]
    doc = assemble([notebook(*part), notebook(*part, report=seg)], names=["a", "b"])
    heads = [(b["level"], b["text"]) for b in doc.headings()]
    assert heads[:4] == [
        (1, "Company overview"),
        (2, "Executive summary"),
        (1, "Appendix: Enterprise segment"),
        (2, "Executive summary"),
    ]
    last = (1, "Appendix: definitions and provenance")
    assert heads[-3:] == [last, (2, "Definitions used"), (2, "Provenance")] or \
        heads[-2:] == [last, (2, "Provenance")]
    assert doc.meta["fingerprint"] not in ("abcdefabcdef", "111111111111")
    assert len({b["id"] for b in doc.headings()}) == len(doc.headings())


def test_errors_name_the_notebook_and_cell():
    failing = new_code_cell("1/0", outputs=[new_output("error", ename="ZeroDivisionError",
                                                       evalue="division by zero", traceback=[])])
    expected = r"qbr\.ipynb, cell 4: the cell raised ZeroDivisionError"
    with pytest.raises(AssemblyError, match=expected):
        assemble([notebook(failing)], names=["qbr.ipynb"])
    bare = new_notebook(cells=[new_markdown_cell("## x")])
    with pytest.raises(AssemblyError, match="no report header"):
        assemble([bare], names=["bare.ipynb"])


def test_a_section_whose_cells_show_nothing_is_left_out_with_its_introduction():
    """A QBR section without the customer's data (its cell returns None) is not printed as a
    heading over nothing; a section of markdown only, or one whose cell shows a block, stays."""
    para = {"type": "paragraph", "spans": [{"text": "shown", "style": None}]}
    cells = [
        new_markdown_cell("## Health\n\nThe health score sums up adoption."),
        new_code_cell("tables.health_drivers(report)", outputs=[]),  # returned None
        new_code_cell("print('x')", outputs=[new_output("stream", name="stdout", text="x")]),
        new_markdown_cell("## Agenda\n\n1. Review the quarter"),
        new_markdown_cell("## Support"),
        new_code_cell("narrative.support_summary(report)", outputs=[display(para)]),
        new_code_cell("tables.support_table(report)", outputs=[]),
    ]
    doc = assemble([notebook(*cells)])
    headings = [b["text"] for b in doc.blocks if b["type"] == "heading"]
    assert headings[:2] == ["Agenda", "Support"]
    assert "health score" not in repr(doc.blocks).lower()
    assert [b for b in doc.blocks if b["type"] == "paragraph"][-1] == para


def test_a_customer_appendix_explains_the_figures_and_names_the_document_only():
    shared = {**REPORT, "kind": "customer", "audience": "customer", "subtitle": "Acme Corp",
              "parameters": {"account_id": "A0001"}}
    table = {"type": "table", "title": "T", "columns": ["a"], "align": ["left"],
             "rows": [["1"]], "caption": "", "total": False, "definitions": ["nps"]}
    doc = assemble([notebook(new_code_cell("t", outputs=[display(table)]), report=shared)])
    text = repr(doc.blocks)
    for internal in ("Provenance", "deadbeef", "0.1.0", "A0001", "Bain", "Standard", "sample"):
        assert internal not in text, internal
    headings = [b["text"] for b in doc.blocks if b["type"] == "heading"]
    assert headings[-2:] == ["What the figures mean", "About this document"]
    assert ["Document id", "abcdefabcdef"] in doc.blocks[-1]["rows"]
