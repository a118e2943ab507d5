"""The PowerPoint deck (``--to pptx``): read back with python-pptx, slide by slide."""

from __future__ import annotations

import functools
import io
import math
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from cslib.document.model import Document
from cslib.errors import ConfigError, ParameterError
from cslib.metrics.definitions import DEFINITIONS
from cslib.pipeline.guard import accept
from cslib.pipeline.jobs import Built, Outcome
from cslib.pipeline.leaks import LeakScanner, pptx_text
from cslib.pipeline.ledger import cache_key
from cslib.pipeline.plan import DEFAULT_FORMATS, Job, load_plan
from cslib.render import render_document
from cslib.render.pptx import rasterize_svgs, render_pptx
from cslib.render.pptx_template import write_template

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<script>alert(1)</script> #set $x$ *bold* \\ ' \" \u202eRTL 😀"
LONG_NAME = "Zeta" + "".join(chr(ord("a") + i % 26) for i in range(296))
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="468pt" height="180pt" '
    'viewBox="0 0 468 180"><rect x="20" y="40" width="80" height="120" fill="#0072B2"/>'
    '<rect x="140" y="80" width="80" height="80" fill="#E69F00"/></svg>'
)
HEADLINES = {
    "Summary": "In 2026Q3, 380 of 400 licensed seats at Acme Corp were active (95% utilization).",
    "Adoption": "Seat utilization was 95% in Sep 2026, up 3 points over three months.",
    "Health": "The health score sums up adoption, growth, satisfaction and goals.",
}

TEMPLATE = Path(__file__).resolve().parents[2] / "params" / "qbr-template.pptx"


def _p(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "paragraph", "spans": [{"text": text, "style": None}], **extra}


def _table(title: str, rows: list[list[str]], **extra: Any) -> dict[str, Any]:
    return {"type": "table", "title": title, "columns": ["Measure", "Value", "Score"],
            "align": ["left", "right", "right"], "rows": rows, "caption": "", "total": False,
            **extra}


def qbr_document(account: str = "Acme Corp", *, rows: int = 4) -> Document:
    """A customer QBR as ``assemble`` makes it: sections, headlines, visuals, appendix."""
    meta = {"company": "Larkspur Analytics", "title": "Quarterly business review",
            "subtitle": account, "period": "2026Q3", "period_label": "2026Q3 (Jul–Sep 2026)",
            "as_of": "2026-10-31", "fingerprint": "3f9a1c0b7e42", "audience": "customer"}
    health_rows = [[f"Measure {i}", f"{90 - i}%", str(100 - i)] for i in range(1, rows + 1)]
    blocks = [
        {"type": "heading", "level": 1, "text": "Summary"},
        _p(HEADLINES["Summary"], definitions=["seat_utilization"]),
        {"type": "kpis", "title": "At a glance, 2026Q3", "items": [
            {"label": "Seat utilization", "value": "95.0%", "delta": "+3.0 pts",
             "trend": "up", "good": True, "note": ""},
            {"label": "Health score", "value": "88", "delta": "", "trend": None,
             "good": None, "note": "green band"},
        ], "definitions": ["health_score"]},
        {"type": "heading", "level": 1, "text": "Success plan"},
        _p("The goals we agreed on together and where each one stands."),
        {"type": "callout", "tone": "info",
         "spans": [{"text": "No success-plan goals are recorded yet.", "style": None}]},
        {"type": "heading", "level": 1, "text": "Adoption"},
        _p(HEADLINES["Adoption"], definitions=["seat_utilization"]),
        {"type": "figure", "title": "Active users and licensed seats",
         "caption": "Summed over the account's subscriptions.",
         "alt": "Active users rose from 350 to 380 on 400 seats.", "svg": SVG,
         "texts": ["Active users 380"], "definitions": ["seat_utilization"]},
        {"type": "heading", "level": 1, "text": "Health"},
        _p(HEADLINES["Health"]),
        _table("Health score drivers", [*health_rows, ["Health score", "green", "88"]],
               total=True, definitions=["health_score"]),
        {"type": "heading", "level": 1, "text": "Relationships"},
        _table("Relationships", [["Executives", "4", "2"]]),
        {"type": "figure", "title": "Relationship coverage", "caption": "",
         "alt": "4 executive contacts.", "svg": SVG, "definitions": ["relationship_coverage"]},
        {"type": "heading", "level": 1, "text": "Recommendations and next steps"},
        {"type": "list", "ordered": True, "items": [
            [{"text": "Hold an executive business review.", "style": None}],
            [{"text": "Agree on a success plan.", "style": None}]]},
        {"type": "heading", "level": 1, "text": "Appendix", "new_page": True},
        {"type": "heading", "level": 2, "text": "Definitions used"},
        _table("", [["ARR", "x", "y"]]),
    ]
    return Document(meta=meta, blocks=blocks)


@functools.cache
def _deck(kind: str = "qbr", template: bool = False) -> bytes:
    doc = {"qbr": qbr_document, "long": lambda: qbr_document(rows=60),
           "hostile": hostile_document}[kind]()
    return render_pptx(doc, template=TEMPLATE if template else None)


def _open(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def _titles(prs: Any) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def _texts(slide: Any) -> list[str]:
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [c.text for row in shape.table.rows for c in row.cells]
    return out


def _tables(slide: Any) -> list[Any]:
    return [s.table for s in slide.shapes if s.has_table]


def _pictures(slide: Any) -> list[Any]:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def _notes(slide: Any) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


# ---- structure ----------------------------------------------------------------------------


def test_title_slide_and_one_slide_per_section() -> None:
    prs = _open(_deck())
    assert _titles(prs) == ["Acme Corp", "Summary", "Success plan", "Adoption", "Health",
                            "Relationships", "Relationships", "Recommendations and next steps"]
    cover = " ".join(_texts(prs.slides[0]))
    for part in ("Quarterly business review", "2026Q3 (Jul–Sep 2026)", "Larkspur Analytics",
                 "Data as of 2026-10-31"):
        assert part in cover
    assert "Appendix" not in " ".join(t for s in prs.slides for t in _texts(s))
    assert "Prepared for Acme Corp by Larkspur Analytics" in _notes(prs.slides[0])
    assert "3f9a1c0b7e42" in _notes(prs.slides[0])


def test_each_section_slide_shows_its_headline() -> None:
    prs = _open(_deck())
    by_title = {}
    for slide, title in zip(prs.slides, _titles(prs), strict=True):
        by_title.setdefault(title, slide)
    for section, headline in HEADLINES.items():
        assert headline in _texts(by_title[section])
    texts = _texts(by_title["Recommendations and next steps"])
    assert "Hold an executive business review.\nAgree on a success plan." in texts
    assert "No success-plan goals are recorded yet." in _texts(by_title["Success plan"])


def test_a_picture_per_chart_with_its_alt_text() -> None:
    prs = _open(_deck())
    pictures = [p for s in prs.slides for p in _pictures(s)]
    assert len(pictures) == 2
    descr = [p._element.nvPicPr.cNvPr.get("descr") for p in pictures]
    assert descr == ["Active users rose from 350 to 380 on 400 seats.", "4 executive contacts."]
    image = pictures[0].image
    assert image.content_type == "image/png"
    width_px, _ = image.size
    assert width_px >= 1500  # 6.5 in at 250 ppi: sharp when the chart fills the slide
    aspect = pictures[0].width / pictures[0].height
    assert aspect == pytest.approx(468 / 180, rel=0.01)  # never stretched


def test_kpi_cards_show_every_figure() -> None:
    summary = _open(_deck()).slides[1]
    text = "\n".join(_texts(summary))
    for part in ("Seat utilization", "95.0%", "▲ +3.0 pts", "Health score", "88", "green band"):
        assert part in text


def test_tables_are_native_with_header_and_readable_text() -> None:
    prs = _open(_deck())
    health = next(s for s in prs.slides if s.shapes.title.text == "Health")
    (table,) = _tables(health)
    assert [c.text for c in table.rows[0].cells] == ["Measure", "Value", "Score"]
    assert [c.text for c in table.rows[1].cells] == ["Measure 1", "89%", "99"]
    last = table.rows[len(table.rows) - 1].cells
    assert [c.text for c in last] == ["Health score", "green", "88"]
    assert all(r.font.bold for c in last for r in c.text_frame.paragraphs[0].runs)
    sizes = {r.font.size.pt for row in table.rows for c in row.cells
             for r in c.text_frame.paragraphs[0].runs}
    assert min(sizes) >= 12


def test_long_table_continues_on_more_slides_with_its_header() -> None:
    prs = _open(_deck("long"))
    slides = [s for s in prs.slides if s.shapes.title.text == "Health"]
    assert len(slides) >= 3
    rows: list[str] = []
    for slide in slides:
        (table,) = _tables(slide)
        assert [c.text for c in table.rows[0].cells] == ["Measure", "Value", "Score"]
        rows += [table.cell(r, 0).text for r in range(1, len(table.rows))]
    assert rows == [f"Measure {i}" for i in range(1, 61)] + ["Health score"]
    assert "Health score drivers (continued)" in _texts(slides[1])
    assert HEADLINES["Health"] in _texts(slides[0])
    assert HEADLINES["Health"] not in _texts(slides[1])
    last = _tables(slides[-1])[0]
    assert len(last.rows) > 2  # the total row never ends up alone


def test_every_shape_inside_the_slide() -> None:
    for data in (_deck(), _deck("long"), _deck("hostile"), _deck(template=True)):
        prs = _open(data)
        for n, slide in enumerate(prs.slides, 1):
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.top >= 0, (n, shape.name)
                assert shape.left + shape.width <= prs.slide_width, (n, shape.name)
                assert shape.top + shape.height <= prs.slide_height, (n, shape.name)


# ---- speaker notes ------------------------------------------------------------------------


def test_notes_hold_the_definitions_of_the_section() -> None:
    prs = _open(_deck())
    notes = {s.shapes.title.text: _notes(s) for s in list(prs.slides)[1:]}
    summary = notes["Summary"]
    assert HEADLINES["Summary"] in summary
    for key in ("seat_utilization", "health_score"):
        d = DEFINITIONS[key]
        assert f"- {d.name}: {d.text}" in summary
    assert "Gainsight" not in summary  # a customer's deck names no vendor as a standard
    assert DEFINITIONS["relationship_coverage"].text not in summary
    assert "Chart: Active users rose from 350 to 380 on 400 seats." in notes["Adoption"]
    assert DEFINITIONS["relationship_coverage"].text in notes["Relationships"]
    assert "Definitions used" not in notes["Recommendations and next steps"]


# ---- template -----------------------------------------------------------------------------


def _theme(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("ppt/theme/theme1.xml").decode()


def test_default_deck_is_16_9_in_the_default_theme() -> None:
    prs = _open(_deck())
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    theme = _theme(_deck())
    assert '<a:latin typeface="Calibri"/>' in theme and "0072B2" not in theme


def test_template_is_applied() -> None:
    data = _deck(template=True)
    prs = _open(data)
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    theme = _theme(data)
    assert '<a:accent1><a:srgbClr val="0072B2"/></a:accent1>' in theme
    assert '<a:latin typeface="Arial"/>' in theme and "Calibri" not in theme
    assert [s.slide_layout.name for s in prs.slides][:2] == ["Title Slide", "Title Only"]
    assert "Brand bar" in [s.name for s in prs.slide_master.shapes]
    # titles inherit the template's font and colour: no run overrides them
    for slide in prs.slides:
        for run in slide.shapes.title.text_frame.paragraphs[0].runs:
            assert run.font.name is None and run.font._rPr.find(
                "{http://schemas.openxmlformats.org/drawingml/2006/main}solidFill") is None
    assert _titles(prs) == _titles(_open(_deck()))


def test_template_slides_are_dropped_and_a_bad_template_refused(tmp_path: Path) -> None:
    prs = Presentation(str(TEMPLATE))
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "EXAMPLE SLIDE"
    own = tmp_path / "own.pptx"
    prs.save(str(own))
    deck = _open(render_pptx(qbr_document(), template=own))
    assert "EXAMPLE SLIDE" not in _titles(deck)
    assert len(deck.slides) == len(_open(_deck()).slides)
    broken = tmp_path / "broken.pptx"
    broken.write_text("not a zip")
    with pytest.raises(ParameterError) as err:
        render_pptx(qbr_document(), template=broken)
    assert str(err.value) == (
        f"the PowerPoint template {str(broken)!r} cannot be read as a presentation "
        "(PackageNotFoundError: Package not found at '" + str(broken) + "'); open it in "
        "PowerPoint and save it as .pptx."
    )
    with pytest.raises(ParameterError) as err:
        render_pptx(qbr_document(), template=tmp_path / "brand.potx")
    assert str(err.value) == (
        f"the PowerPoint template must be an existing .pptx file, got "
        f"{str(tmp_path / 'brand.potx')!r}; save a .potx template as .pptx."
    )


def test_committed_template_is_what_write_template_makes(tmp_path: Path) -> None:
    assert write_template(tmp_path / "t.pptx").read_bytes() == TEMPLATE.read_bytes()


def test_same_document_same_bytes() -> None:
    assert render_pptx(qbr_document(), template=TEMPLATE) == _deck(template=True)


# ---- hostile text -------------------------------------------------------------------------


def hostile_document() -> Document:
    doc = qbr_document(HOSTILE)
    doc.meta["company"] = HOSTILE
    doc.blocks[1:1] = [
        _p(f"{LONG_NAME} renewed; NUL\x00 ESC\x1b FFFE\ufffe lone\ud800 end."),
        _table(HOSTILE, [[LONG_NAME, "<b>1</b>", "&amp;"], [HOSTILE, "x", "y"]]),
    ]
    doc.blocks.insert(1, {"type": "heading", "level": 1, "text": LONG_NAME})
    return doc


def test_hostile_text_is_inert_and_readable() -> None:
    data = _deck("hostile")
    prs = _open(data)
    assert prs.slides[0].shapes.title.text.startswith("<script>alert(1)</script>")
    text = pptx_text(data)
    assert "<script>alert(1)</script> #set $x$ *bold*" in text
    assert "<b>1</b>" in text and "&amp;" in text
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        slides = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/slides/"))
    assert "<script" not in slides and "&lt;script&gt;alert(1)&lt;/script&gt;" in slides
    # the right-to-left override is closed inside the name: it cannot reverse what follows
    assert "\u202eRTL 😀\u202c" in text
    # control characters XML cannot hold are shown as U+FFFD instead of failing the deck
    assert "NUL\ufffd ESC\ufffd FFFE\ufffd lone\ufffd end." in text
    assert LONG_NAME in text  # whole: a long word wraps, it is never cut


def test_long_names_shrink_to_fit_their_box() -> None:
    prs = _open(_deck("hostile"))
    long_title = next(s for s in prs.slides if s.shapes.title.text == LONG_NAME).shapes.title
    size = long_title.text_frame.paragraphs[0].runs[0].font.size
    assert size is not None and size.pt < 44  # shrunk from the layout's 44 pt
    width_pt = long_title.width / 12700 - 14.4  # less the text frame's margins
    lines = math.ceil(len(LONG_NAME) * 0.59 * size.pt / width_pt)  # bold Arial: ~0.59 em
    assert lines * size.pt * 1.2 <= long_title.height / 12700


def test_a_chart_that_cannot_be_drawn_says_so() -> None:
    assert rasterize_svgs(["<svg", SVG])[0] is None
    doc = qbr_document()
    doc.blocks[8] = {**doc.blocks[8], "svg": "<not-svg"}
    prs = _open(render_pptx(doc))
    adoption = next(s for s in prs.slides if s.shapes.title.text == "Adoption")
    assert not _pictures(adoption)
    assert any("[chart not shown: Active users rose" in t for t in _texts(adoption))


# ---- leak scan and secrets ----------------------------------------------------------------

ACCOUNTS = pd.DataFrame({"account_id": ["A1", "A2"], "name": ["Acme Corp", "Hooli Systems"]})


def _built(doc: Document) -> Built:
    return Built(Outcome("qbr/a1", "qbr", "Acme Corp", status="built"),
                 files={"pptx": render_pptx(doc)})


def test_leak_scan_passes_a_clean_deck(tmp_path: Path) -> None:
    outcome = accept(_built(qbr_document()), tmp_path, scanner=LeakScanner(ACCOUNTS),
                     allowed={"A1"})
    assert outcome.status == "built"
    assert (tmp_path / "qbr" / "a1.pptx").is_file()


@pytest.mark.parametrize("where", ["slide", "notes only"])
def test_leak_scan_fails_a_deck_naming_another_account(tmp_path: Path, where: str) -> None:
    doc = qbr_document()
    if where == "slide":
        doc.blocks[1] = _p("Acme Corp now uses more seats than HOOLI systems.")
    else:  # a chart's alt text: on no slide, but in the notes and the picture's description
        doc.blocks[8] = {**doc.blocks[8], "alt": "Seats compared with Hooli Systems."}
    outcome = accept(_built(doc), tmp_path, scanner=LeakScanner(ACCOUNTS), allowed={"A1"})
    assert outcome.status == "failed"
    assert ("PPTX (a slide, ppt/slides/slide2.xml) names account 'A2' (its name 'Hooli Systems')"
            in outcome.error if where == "slide" else
            "PPTX (a slide, ppt/slides/slide4.xml) names account 'A2'" in outcome.error)
    assert not list(tmp_path.rglob("*.pptx"))


def test_a_deck_showing_a_secret_is_not_written(tmp_path: Path) -> None:
    doc = qbr_document()
    doc.blocks[1] = _p("Token tok_9f8e7d6c5b4a in the headline.")
    outcome = accept(_built(doc), tmp_path, secrets={"api_token": "tok_9f8e7d6c5b4a"})
    assert outcome.status == "failed" and "`api_token`" in outcome.error
    assert not list(tmp_path.rglob("*.pptx"))


# ---- wiring: formats, plan key, cache key, render ------------------------------------------


def test_render_document_pptx() -> None:
    assert render_document(qbr_document(), "pptx")[:2] == b"PK"


def test_plan_formats_and_template_key(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "deck.pptx").write_bytes(TEMPLATE.read_bytes())
    body = ("company: Larkspur Analytics\ndocuments:\n  - name: qbr\n"
            f"    notebook: {ROOT / 'notebooks' / 'customer_qbr.ipynb'}\n")
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(body)
    plan = load_plan(plan_file)
    assert plan.formats == DEFAULT_FORMATS == ("html", "pdf") and plan.pptx_template is None
    plan_file.write_text("formats: [html, pptx]\npptx_template: brand/deck.pptx\n" + body)
    plan = load_plan(plan_file)
    assert plan.formats == ("html", "pptx")
    assert plan.pptx_template == (tmp_path / "brand" / "deck.pptx").resolve()
    plan_file.write_text("pptx_template: brand/nope.pptx\n" + body)
    with pytest.raises(ConfigError, match=r"plan\.yaml: pptx_template: the PowerPoint template "
                       r"must be an existing \.pptx file"):
        load_plan(plan_file)


def test_cache_key_follows_the_template_bytes() -> None:
    job = Job("qbr/a1", "qbr", "Acme", ((Path("q.ipynb"), {"account_id": "A1"}),),
              ("html", "pptx"), pptx_template=Path("deck.pptx"))
    contents = {"deck.pptx": b"v1"}

    def read(path: Path) -> bytes:
        return contents.get(str(path), b"missing")

    def key() -> str:
        return cache_key(job, data_fingerprint="f", library="l", backend="builtin", read=read)

    before = key()
    contents["deck.pptx"] = b"v2"
    assert key() != before


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["builtin", "quarto"])
def test_render_a_sample_qbr_to_pptx(tmp_path: Path, monkeypatch: Any, backend: str) -> None:
    """The whole path: a real QBR executed, assembled, rendered as a deck and leak-scanned."""
    import cslib.render.quarto as quarto
    from cslib.pipeline.build import render_notebook

    asked: list[list[str]] = []

    def fake_quarto(notebook: Path, *, formats: Any, output_dir: Path, **_: Any) -> Any:
        asked.append(list(formats))  # Quarto renders what it can; the deck is built-in
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "qbr.html").write_text("<p>Quillon Financial</p>")
        return {"html": output_dir / "qbr.html"}

    monkeypatch.setattr(quarto, "choose_backend", lambda *a, **k: "quarto")
    monkeypatch.setattr(quarto, "render_with_quarto", fake_quarto)
    outcome = render_notebook(ROOT / "notebooks" / "customer_qbr.ipynb", {"account_id": "A0003"},
                              formats=["html", "pptx"], out_dir=tmp_path, backend=backend,
                              pptx_template=TEMPLATE)
    assert list(outcome.files) == ["html", "pptx"]
    assert asked == ([["html"]] if backend == "quarto" else [])
    prs = Presentation(str(tmp_path / outcome.files["pptx"]))
    titles = _titles(prs)
    assert titles[0] == "Quillon Financial"
    assert {"Agenda", "Your quarter at a glance", "Adoption", "Your subscription",
            "Next steps"} <= set(titles)
    assert "Health" not in titles  # internal unless the plan shares it
    assert sum(len(_pictures(s)) for s in prs.slides) >= 1
    assert prs.slides[0].slide_layout.name == "Title Slide"


# ---- what a template carries into every deck ----------------------------------------------

OTHER = "Hooli Systems"  # another account (ACCOUNTS' A2), planted in a template
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")  # a (tiny) JPEG


def _add_part(files: dict[str, bytes], name: str, data: bytes, content_type: str | None,
              rels_of: str, rel_type: str) -> None:
    """Add a part to a package held as {name: bytes}, related from ``rels_of``."""
    import re as _re

    files[name] = data
    if content_type:
        files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
            b"</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/>'
                         f"</Types>".encode())
    folder, _, base = rels_of.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else "_rels/.rels"
    rels = files.get(rels_name, f'<Relationships xmlns="{_PR}"></Relationships>'.encode())
    n = 1 + max([int(i) for i in _re.findall(rb'Id="rId(\d+)"', rels)] or [0])
    target = "/" + name
    files[rels_name] = rels.replace(
        b"</Relationships>",
        f'<Relationship Id="rId{n}" Type="{rel_type}" Target="{target}"/>'
        f"</Relationships>".encode())


#: Where _planted_template plants OTHER's name, each time as f"{OTHER} ({place})".
PLACES = ("used layout", "cover layout", "unused layout", "master prompt", "notes master",
          "core author", "core keywords", "core comments", "core identifier",
          "app company", "app titles", "custom property", "comment author", "custom xml")


def _planted_template(path: Path, *, master_textbox: bool = False,
                      theme: bool = False) -> Path:
    """The house template with OTHER's name everywhere a template can hold text."""
    from pptx.util import Inches

    def at(place: str) -> str:
        return f"{OTHER} ({place})"

    prs = Presentation(str(TEMPLATE))
    example = prs.slides.add_slide(prs.slide_layouts[0])  # an example slide (dropped)
    example.shapes.title.text = OTHER

    def textbox(holder: Any, text: str) -> None:  # masters and layouts have no add_textbox
        box = example.shapes.add_textbox(Inches(1), Inches(6.8), Inches(4), Inches(0.5))
        box.text = text
        holder.shapes._spTree.append(box._element)  # moved: off the example slide

    layouts = {layout.name: layout for layout in prs.slide_layouts}
    layouts["Title Only"].placeholders[0].text = at("used layout")  # the deck uses these
    layouts["Title Slide"].placeholders[1].text = at("cover layout")
    textbox(layouts["Two Content"], at("unused layout"))  # the deck does not use this one
    master = prs.slide_master
    for ph in master.placeholders:  # prompt text of every master placeholder
        ph.text = at("master prompt")
    if master_textbox:  # text the master draws on every slide: branding, not a prompt
        textbox(master, at("master textbox"))
    for ph in prs.notes_master.placeholders:
        if ph.has_text_frame:
            ph.text = at("notes master")
    core = prs.core_properties
    for field in ("author", "last_modified_by", "keywords", "comments", "subject",
                  "category", "content_status", "identifier", "language", "version", "title"):
        setattr(core, field, at(f"core {field}"))
    out = io.BytesIO()
    prs.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        files = {name: z.read(name) for name in z.namelist()}
    files["docProps/app.xml"] = files["docProps/app.xml"].replace(
        b"<Company></Company>", f"<Company>{at('app company')}</Company>".encode()).replace(
        b"<vt:lpstr>Office Theme</vt:lpstr>", f"<vt:lpstr>{at('app titles')}</vt:lpstr>".encode())
    files["docProps/thumbnail.jpeg"] = _JPEG  # a picture of the old deck's first slide
    _add_part(files, "docProps/custom.xml", (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        f'name="Client"><vt:lpwstr>{at("custom property")}</vt:lpwstr></property>'
        "</Properties>").encode(),
        "application/vnd.openxmlformats-officedocument.custom-properties+xml", "",
        f"{_R}/custom-properties")
    _add_part(files, "ppt/commentAuthors.xml", (
        '<p:cmAuthorLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
        f'<p:cmAuthor id="1" name="{at("comment author")}" initials="HS" lastIdx="1" '
        'clrIdx="0"/></p:cmAuthorLst>').encode(),
        "application/vnd.openxmlformats-officedocument.presentationml.commentAuthors+xml",
        "ppt/presentation.xml", f"{_R}/commentAuthors")
    _add_part(files, "customXml/item1.xml", f"<client>{at('custom xml')}</client>".encode(),
              None, "ppt/presentation.xml", f"{_R}/customXml")
    if theme:
        files["ppt/theme/theme1.xml"] = files["ppt/theme/theme1.xml"].replace(
            b'name="Larkspur QBR"', f'name="{OTHER} QBR"'.encode())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def _parts(deck: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(deck)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_pptx_text_reads_every_part_of_the_package(tmp_path: Path) -> None:
    """Masters, layouts, the notes master, every property part, comments' authors, custom
    XML: a reader can open them all, so the scan reads them all."""
    text = pptx_text(_planted_template(tmp_path / "old-customer.pptx").read_bytes())
    for place in PLACES:
        assert f"{OTHER} ({place})" in text, place
    leaks = LeakScanner(ACCOUNTS).scan({"PPTX": text}, {"A1"})
    assert [leak.account_id for leak in leaks] == ["A2"]


def test_pptx_text_reads_external_link_targets_of_any_part(tmp_path: Path) -> None:
    prs = Presentation(str(TEMPLATE))
    layout = prs.slide_layouts[5]
    layout.part.relate_to("https://hooli-systems.example/portal", f"{_R}/hyperlink",
                          is_external=True)
    out = io.BytesIO()
    prs.save(out)
    assert "https://hooli-systems.example/portal" in pptx_text(out.getvalue())


def test_a_deck_keeps_nothing_of_the_templates_leftovers(tmp_path: Path) -> None:
    """Custom properties, the thumbnail, comments' authors, custom XML, the template's
    core and app properties, unused layouts and the prompt text of placeholders in the
    master, the layouts and the notes master: none of it reaches the deck."""
    template = _planted_template(tmp_path / "old-customer.pptx")
    deck = render_pptx(qbr_document(), template=template)
    parts = _parts(deck)
    assert not [n for n in parts if n.startswith(("docProps/custom", "docProps/thumbnail",
                                                  "customXml/", "ppt/comment"))]
    assert "docProps/app.xml" not in parts or OTHER.encode() not in parts["docProps/app.xml"]
    for name, data in parts.items():
        assert OTHER.encode() not in data, name
    assert "Hooli" not in pptx_text(deck)
    prs = _open(deck)
    used = {s.slide_layout.name for s in prs.slides}
    assert {layout.name for layout in prs.slide_layouts} == used  # unused ones are gone
    core = prs.core_properties
    assert core.title == "Quarterly business review · Acme Corp · 2026Q3"
    assert core.author == core.last_modified_by == "Larkspur Analytics"
    assert [getattr(core, f) for f in ("keywords", "comments", "subject", "category",
                                      "content_status", "identifier", "language",
                                      "version")] == [""] * 8
    # the brand survives: theme colours and the master's bar
    assert '<a:accent1><a:srgbClr val="0072B2"/></a:accent1>' in _theme(deck)
    assert "Brand bar" in [s.name for s in prs.slide_master.shapes]
    outcome = accept(Built(Outcome("qbr/a1", "qbr", "Acme Corp", status="built"),
                           files={"pptx": deck}), tmp_path / "out",
                     scanner=LeakScanner(ACCOUNTS), allowed={"A1"})
    assert outcome.status == "built", outcome.error


@pytest.mark.parametrize(
    ("plant", "where"),
    [({"master_textbox": True}, "PPTX (the template's slide master"),
     ({"theme": True}, "PPTX (the template's theme")],
)
def test_template_text_a_deck_shows_fails_the_leak_scan_saying_where(
        tmp_path: Path, plant: dict[str, bool], where: str) -> None:
    """Text the master draws on every slide is the template's branding: it stays, and the
    scan fails a deck in which it names another account, saying it is the template's."""
    deck = render_pptx(qbr_document(), template=_planted_template(tmp_path / "t.pptx", **plant))
    outcome = accept(Built(Outcome("qbr/a1", "qbr", "Acme Corp", status="built"),
                           files={"pptx": deck}), tmp_path / "out",
                     scanner=LeakScanner(ACCOUNTS), allowed={"A1"})
    assert outcome.status == "failed"
    assert f"{where}" in outcome.error
    assert "names account 'A2' (its name 'Hooli Systems')" in outcome.error
    assert not list((tmp_path / "out").rglob("*.pptx"))
