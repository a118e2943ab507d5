"""End to end: the default plan built on a small company, documents checked like a reader would."""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from pypdf import PdfReader

from cslib.cli import main
from cslib.data import sample
from cslib.pipeline.build import build_plan
from cslib.pipeline.plan import load_plan
from cslib.present.formats import fmt_money, fmt_percent

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    data = base / "data"
    sample.write(data, n_accounts=15)
    plan = dataclasses.replace(
        load_plan(ROOT / "params" / "quarterly.yaml"), data=str(data), output=base / "reports"
    )
    lines: list[str] = []
    result = build_plan(plan, period=PERIOD, workers=2, echo=lines.append)
    return result, data, lines


def cli_metrics(data: Path, *args: str) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["metrics", "--data", str(data), "--period", PERIOD, *args]) == 0
    return json.loads(out.getvalue())


def pdf_text(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def kpis(page: str) -> dict[str, str]:
    pairs = re.findall(
        r'<div class="kpi-label">(.*?)</div>\s*<div class="kpi-value">(.*?)</div>', page, re.S
    )
    first: dict[str, str] = {}  # the first card of each label: the company's in a board pack
    for k, v in pairs:
        first.setdefault(html.unescape(k).replace("\u200b", ""),
                         html.unescape(v).replace("\u200b", ""))
    return first


def test_every_document_of_the_plan_is_built(built):
    result, data, lines = built
    assert not result.failed, [(o.key, o.error) for o in result.failed]
    out = result.out_dir
    assert out.name == PERIOD
    rows = (data / "accounts.csv").read_text().splitlines()[1:]
    segments = sorted({r.split(",")[2] for r in rows})
    expected = {"board-pack"} | {f"segment-review/{s.lower()}" for s in segments}
    keys = {o.key for o in result.outcomes}
    assert expected <= keys
    qbrs = [k for k in keys if k.startswith("qbr/")]
    assert qbrs, "the small company has accounts renewing in the next two quarters"
    for key in keys:
        for fmt in ("html", "pdf"):
            assert (out / f"{key}.{fmt}").stat().st_size > 1000
    # The default plan makes a deck of each QBR and of the board pack (and of nothing else),
    # on the template; the board pack also as a 16:9 PDF to present.
    from pptx import Presentation

    assert sorted(p.relative_to(out).with_suffix("").as_posix() for p in out.rglob("*.pptx")) \
        == sorted(["board-pack", *qbrs])
    assert [p.name for p in out.rglob("*.wide.pdf")] == ["board-pack.wide.pdf"]
    wide = PdfReader(out / "board-pack.wide.pdf").pages[0].mediabox
    assert (round(float(wide.width)), round(float(wide.height))) == (960, 540)  # 16:9
    deck = Presentation(out / f"{qbrs[0]}.pptx")
    assert len(deck.slides) >= 5 and deck.slide_width > deck.slide_height
    assert "Quarterly business review" in " ".join(
        s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert len(lines) == len(keys) + 1 and lines[-1].startswith(f"[{len(keys)}/{len(keys)}]")
    index = (out / "index.html").read_text()
    for key in keys:
        assert f'href="{key}.html"' in index and f'href="{key}.pdf"' in index
    assert index.count(">built<") == len(keys)
    ledger = json.loads((out / "build.json").read_text())
    assert {d["key"] for d in ledger["documents"]} == keys
    assert not list(out.rglob("*.tmp"))


def test_board_pack_is_one_pdf_with_a_section_per_segment(built):
    result, data, _ = built
    reader, text = pdf_text(result.out_dir / "board-pack.pdf")
    assert len(reader.pages) >= 10
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    segments = json.loads(json.dumps(cli_metrics(data, "--by", "segment")["by"]["segment"]))
    assert outline[0] == "Company overview"
    assert [f"Appendix: {s} segment" for s in sorted(segments)] == \
        outline[1:1 + len(segments)]
    assert outline[-1] == "Appendix: definitions and provenance"
    assert "Larkspur Analytics" in text and "Board pack" in text and "Contents" in text
    front = next(i for i, page in enumerate(reader.pages) if "Page 1 of" in page.extract_text())
    assert front >= 2  # the cover, then the contents (one page or more)
    assert f"Page 1 of {len(reader.pages) - front}" in text  # numbered from the first body page
    for bad in ("Traceback", "import ", "open_report(", "nbval", "Warning"):
        assert bad not in text


def test_page_numbers_and_contents_agree_in_every_pdf(built, page_numbers):
    result, _, _ = built
    pdfs = sorted(result.out_dir.rglob("*.pdf"))
    assert len(pdfs) >= 5
    for path in pdfs:
        page_numbers(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def sample_reviews(tmp_path_factory):
    """The sample company's board pack and segment reviews: long enough for tables to
    break across pages."""
    plan = dataclasses.replace(load_plan(ROOT / "params" / "quarterly.yaml"),
                               output=tmp_path_factory.mktemp("sample") / "reports")
    return build_plan(plan, period=PERIOD, only=["board-pack", "segment-review"], workers=2,
                      echo=lambda line: None)


def test_page_numbers_agree_where_tables_break_across_pages(sample_reviews, page_numbers):
    """Before: the sample board pack's layout never settled, and the pages after a table
    broke across a page break said "Page 1 of 26" (six of them)."""
    assert not sample_reviews.failed, sample_reviews.failed
    pdfs = sorted(sample_reviews.out_dir.rglob("*.pdf"))
    assert len(pdfs) == 5  # the board pack (portrait and 16:9) and three segment reviews
    bodies = {path.name: page_numbers(path.read_bytes(), path.name) for path in pdfs}
    # long enough for tables (accounts that need attention, losses) to break across pages,
    # short enough for a board: the segments' detail is a short appendix each
    assert 12 <= bodies["board-pack.pdf"] <= 24


def test_headline_figures_equal_cslib_metrics(built):
    result, data, _ = built
    total = cli_metrics(data)["total"]
    board = (result.out_dir / "board-pack.html").read_text()
    shown = kpis(board)
    assert shown["NRR"] == fmt_percent(total["nrr"])
    assert shown["GRR"] == fmt_percent(total["grr"])
    assert shown["Logo churn"] == fmt_percent(total["logo_churn"])
    digits = len(shown["ARR"].split(".")[1]) - 1 if "." in shown["ARR"] else 1
    assert shown["ARR"] == fmt_money(12 * total["ending_mrr"], compact=True, digits=digits)
    _, board_pdf = pdf_text(result.out_dir / "board-pack.pdf")
    assert fmt_percent(total["nrr"]) in board_pdf
    by = cli_metrics(data, "--by", "segment")["by"]["segment"]
    for segment, figures in by.items():
        page = (result.out_dir / "segment-review" / f"{segment.lower()}.html").read_text()
        shown = kpis(page)
        assert shown["NRR"] == fmt_percent(figures["nrr"]), segment
        assert shown["GRR"] == fmt_percent(figures["grr"]), segment
        digits = len(shown["ARR"].split(".")[1]) - 1 if "." in shown["ARR"] else 1
        assert shown["ARR"] == fmt_money(12 * figures["ending_mrr"], compact=True,
                                         digits=digits), segment
        _, text = pdf_text(result.out_dir / "segment-review" / f"{segment.lower()}.pdf")
        assert fmt_percent(figures["nrr"]) in text, segment


def visible_text(page: str) -> str:
    """The words a reader sees on an HTML page: no tags, no style, no attributes."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u200b", "").split())


def deck_text(path: Path) -> str:
    """Every word of a deck: its slides' text frames, tables and speaker notes."""
    from pptx import Presentation

    words = []
    for slide in Presentation(path).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                words.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                words += [c.text for row in shape.table.rows for c in row.cells]
        if slide.has_notes_slide:
            words.append(slide.notes_slide.notes_text_frame.text)
    return " ".join(" ".join(words).split())


#: What a customer's QBR must never say: internal scores and ratings, contact gaps, risk flags,
#: build details, vendors' names, words about data tables.
INTERNAL = re.compile(
    r"health score|health band|relationship|strong executive|days since|days ago|contact for"
    r"|risk flag|renewal at risk|single-threaded|emergency|build a champion|fingerprint"
    r"|provenance|git commit|cslib|parameters|data source|account_id|internal"
    r"|gainsight|chartmogul|saas capital|bain|satmetrix|gartner|acsi|\btables?\b|\bcolumns?\b"
    r"|/tmp|/work|\.csv",
    re.I,
)


def test_customer_qbrs_hold_nothing_internal_and_account_reviews_do(built):
    """A QBR is sent to the customer: its HTML, PDF and deck name the customer and carry a
    document id, and nothing internal; the account review of the same customer holds it all."""
    result, data, _ = built
    names = {
        line.split(",")[0]: line.split(",")[1]
        for line in (data / "accounts.csv").read_text().splitlines()[1:]
    }
    qbrs = [o for o in result.outcomes if o.document == "qbr"]
    reviews = {o.parameters[0]["account_id"]: o for o in result.outcomes
               if o.document == "account-review"}
    assert qbrs and set(reviews) == {o.parameters[0]["account_id"] for o in qbrs}
    for outcome in qbrs:
        account = outcome.parameters[0]["account_id"]
        reader, pdf = pdf_text(result.out_dir / f"{outcome.key}.pdf")
        assert 2 <= len(reader.pages) <= 12
        page = (result.out_dir / f"{outcome.key}.html").read_text()
        assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
        texts = {"html": visible_text(page), "pdf": " ".join(pdf.split()),
                 "pptx": deck_text(result.out_dir / f"{outcome.key}.pptx")}
        for fmt, text in texts.items():
            assert f"Prepared for {names[account]}" in text, (outcome.key, fmt)
            found = sorted({m.group(0).lower() for m in INTERNAL.finditer(text)})
            assert not found, (outcome.key, fmt, found)
            assert account not in text, (outcome.key, fmt)
        for marker in ("Agenda", "Next steps", "Document id", "About this document"):
            assert marker in texts["html"], (outcome.key, marker)
        review = result.out_dir / f"{reviews[account].key}.html"
        inside = visible_text(review.read_text())
        for marker in ("Internal: not for distribution", "Health score drivers", "Talking points",
                       "Risk signals", "Relationships on", "Provenance", "Definitions used",
                       f"account_id = {account}", "Why (internal)"):
            assert marker in inside, (reviews[account].key, marker)


def test_the_index_is_a_portfolio_of_the_documents(built):
    """Every customer document's row says whose it is: segment, CSM, ARR, health, renewal."""
    result, data, _ = built
    index = (result.out_dir / "index.html").read_text()
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>\s*<td>(.*?)</td><td class=\"num\" "
                      r"data-sort=\"([0-9.]*)\">(.*?)</td>\s*<td class=\"(\w*)\" "
                      r"data-sort=\"(\d*)\">(.*?)</td>\s*<td data-sort=\"([0-9-]*)\">", index)
    accounts = {r.split(",")[1]: r.split(",") for r in
                (data / "accounts.csv").read_text().splitlines()[1:]}
    mrr = {}
    for line in (data / "mrr.csv").read_text().splitlines()[1:]:
        aid, month, value = line.split(",")[:3]
        if month == "2026-09":
            mrr[aid] = float(value)
    reviews = [o for o in result.outcomes if o.document in ("qbr", "account-review")]
    assert len([r for r in rows if html.unescape(r[0]) in accounts]) == len(reviews)
    for name, segment, csm, arr_sort, arr, band, score, health, renewal in rows:
        name = html.unescape(name)
        if name not in accounts:
            continue
        row = accounts[name]
        assert (segment, csm, renewal) == (row[2], row[5], row[7]), name
        assert arr == fmt_money(12 * mrr[row[0]], compact=True), name
        assert float(arr_sort) == pytest.approx(12 * mrr[row[0]]), name  # sorts by the value
        assert health == (f"{score} {band}" if score else ""), name
        review = next(o for o in reviews if o.document == "account-review"
                      and o.parameters[0]["account_id"] == row[0])
        card = kpis((result.out_dir / review.files["html"]).read_text()).get("Health score")
        assert card == (score or None), name  # the index and the account review agree
    assert "Build details" in index and "sha256-" in index


def test_building_part_of_a_plan_keeps_the_rest_of_the_index(built):
    result, data, _ = built
    plan = dataclasses.replace(
        load_plan(ROOT / "params" / "quarterly.yaml"), data=str(data),
        output=result.out_dir.parent,
    )
    again = build_plan(plan, period=PERIOD, only=["segment-review"], workers=1,
                       echo=lambda line: None)
    assert {o.document for o in again.outcomes} == {"segment-review"}
    index = (result.out_dir / "index.html").read_text()
    assert index.count(">built<") == len(result.outcomes)
    ledger = json.loads((result.out_dir / "build.json").read_text())
    assert {d["key"] for d in ledger["documents"]} == {o.key for o in result.outcomes}


def test_negative_money_takes_a_minus_sign_not_a_hyphen(sample_reviews):
    from cslib.pipeline.leaks import html_text, pdf_text

    minus = 0
    for path in sorted(sample_reviews.out_dir.rglob("*.*")):
        if path.suffix not in (".html", ".pdf"):
            continue
        text = html_text(path.read_bytes()) if path.suffix == ".html" else pdf_text(
            path.read_bytes())
        assert not re.search(r"-\$\d", text), (path.name, re.findall(r".{20}-\$\d.{8}", text))
        minus += len(re.findall("\u2212\\$\\d", text))
    assert minus > 0  # the sample has contractions: the check saw negative amounts
