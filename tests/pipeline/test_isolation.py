"""Isolation by construction: a QBR runs on its customer's rows only; the leak scan."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from cslib.data.load import load
from cslib.data.slices import segment_slice, write_slice
from cslib.errors import ParameterError
from cslib.pipeline.build import build_plan
from cslib.pipeline.leaks import LeakScanner, html_text, pdf_text, words
from cslib.pipeline.plan import load_plan
from cslib.pipeline.scope import Slicer
from cslib.present import narrative, tables
from cslib.present.report import open_report, resolve_data

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MONTH = pd.Period("2026-09", freq="M")


def customer_slice(full, account_id, *, month, min_group_size=5):
    """A customer's slice with its peer benchmarks, as a build cuts it."""
    return Slicer(full, month, min_group_size=min_group_size).for_parameters(
        {"account_id": account_id})


@pytest.fixture(scope="module")
def company():
    return resolve_data("sample")


def test_a_customer_slice_holds_that_customers_rows_and_aggregates_only(company):
    part = customer_slice(company, "A0003", month=MONTH)
    assert part.scope is not None and (part.scope.kind, part.scope.key) == ("customer", "A0003")
    for name, frame in part.tables.items():
        assert set(frame["account_id"].astype(str)) <= {"A0003"}, name
    assert len(part.mrr) == (company.mrr["account_id"].astype(str) == "A0003").sum()
    bench = dict(part.scope.benchmarks)
    assert set(bench) == {"segment", "min_group_size", "accounts", "seat_utilization_median"}
    assert bench["segment"] == "Enterprise" and bench["accounts"] >= 5
    assert isinstance(bench["seat_utilization_median"], float)
    assert (part.first_month, part.last_month) == (company.first_month, company.last_month)


def test_benchmarks_are_left_out_when_the_group_is_too_small(company):
    part = customer_slice(company, "A0003", month=MONTH, min_group_size=10_000)
    assert dict(part.scope.benchmarks) == {"segment": "Enterprise", "min_group_size": 10_000}


def test_a_segment_slice_holds_its_segments_accounts_only(company):
    part = segment_slice(company, "SMB")
    smb = set(company.accounts.loc[company.accounts["segment"] == "SMB", "account_id"])
    assert set(part.accounts["account_id"]) == smb
    for name, frame in part.tables.items():
        assert set(frame["account_id"].astype(str)) <= smb, name


def test_a_slice_round_trips_through_its_folder(company, tmp_path):
    part = customer_slice(company, "A0003", month=MONTH)
    back = load(write_slice(part, tmp_path / "slice"))
    # The book's figures travel in memory only; a report read from a folder computes its own.
    assert part.scope.figures and not back.scope.figures
    assert back.scope == dataclasses.replace(part.scope, figures={})
    assert (back.source, back.fingerprint, back.coverage) == (
        part.source, part.fingerprint, part.coverage)
    assert set(back.tables) == set(part.tables)
    for name, frame in part.tables.items():
        pd.testing.assert_frame_equal(back.tables[name], frame, check_categorical=False,
                                      obj=name)


def test_a_report_from_a_slice_says_the_same_as_from_the_whole_dataset(company):
    part = customer_slice(company, "A0003", month=MONTH)
    whole = open_report("customer", account_id="A0003", period="2026Q3", data="sample",
                        company="Acme")
    cut = open_report("customer", account_id="A0003", period="2026Q3", data=part,
                      company="Acme")
    assert cut.benchmarks == whole.benchmarks
    assert cut.provenance() == whole.provenance()
    assert narrative.qbr_summary(cut).text() == narrative.qbr_summary(whole).text()
    assert tables.qbr_kpis(cut).text() == tables.qbr_kpis(whole).text()


@pytest.mark.parametrize(
    ("kind", "extra", "message"),
    [
        ("customer", {"account_id": "A0004"},
         "`data` holds account 'A0003' only; got 'A0004'."),
        ("company", {}, "`data` holds account 'A0003' only; a board pack ('company') report "
                        "cannot be made from it."),
        ("segment", {"segment": "Enterprise"}, "`data` holds account 'A0003' only; a segment "
                                               "review ('segment') report cannot be made"),
    ],
)
def test_a_slice_cannot_open_anything_but_its_own_report(company, kind, extra, message):
    part = customer_slice(company, "A0003", month=MONTH)
    with pytest.raises(ParameterError) as err:
        open_report(kind, period="2026Q3", data=part, company="Acme", **extra)
    assert str(err.value).startswith(message)


def test_the_slicer_gives_each_part_its_scope(company):
    slicer = Slicer(company, MONTH)
    assert slicer.for_parameters({"account_id": "A0001", "data": "sample"}).scope.key == "A0001"
    assert slicer.for_parameters({"segment": "SMB"}).scope.kind == "segment"
    assert slicer.for_parameters({"data": "sample"}) is None


def _probe_plan(tmp_path: Path, ids: list[str], note: str = "", formats: str = "[html]") -> Path:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Acme
output: out
formats: {formats}
documents:
  - name: probe
    notebook: {FIXTURES / "reach_probe.ipynb"}
    for_each: account
    accounts: {{ids: [{", ".join(ids)}]}}
    parameters: {{note: "{note}"}}
""")
    return plan_file


def _reachable(page: str) -> list[str]:
    match = re.search(r"REACHABLE ACCOUNTS: ([A-Z0-9 ]*)", page)
    assert match, "the probe did not report"
    return match.group(1).split()


@pytest.mark.parametrize("executor", ["local", "kernel"])
def test_a_built_qbr_can_reach_no_other_customers_rows(tmp_path, executor):
    """The probe walks every object of its process (gc), the registry and the data it was
    given: in a build it finds its own account and nothing else."""
    ids = ["A0001", "A0002", "A0003"] if executor == "local" else ["A0002"]
    result = build_plan(load_plan(_probe_plan(tmp_path, ids)), period="2026Q3", workers=1,
                        executor=executor, echo=lambda line: None)
    assert [o.status for o in result.outcomes] == ["built"] * len(ids), result.outcomes
    for outcome in result.outcomes:
        account = outcome.key.split("/")[1].split("-")[0].upper()  # probe/a0001-name
        page = (result.out_dir / outcome.files["html"]).read_text()
        assert _reachable(page) == [account]


def test_the_reach_probe_does_see_every_account_when_given_the_whole_dataset():
    """Run by hand on the full dataset, the same probe finds all 400 accounts (so the
    test above can fail)."""
    import multiprocessing

    from cslib.execute.inprocess import execute_inprocess
    from cslib.present.blocks import BLOCK_MIME

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        nb = pool.apply(execute_inprocess, (str(FIXTURES / "reach_probe.ipynb"),
                                            {"account_id": "A0001"}))
    texts = [out["data"][BLOCK_MIME]["spans"][0]["text"] for cell in nb.cells
             for out in cell.get("outputs", []) if BLOCK_MIME in out.get("data", {})
             and out["data"][BLOCK_MIME].get("type") == "paragraph"]
    assert len(_reachable(texts[0])) == 400


# The leak scan ------------------------------------------------------------------------
ACCOUNTS = pd.DataFrame({
    "account_id": ["A1", "A2", "A3", "A4", "12"],
    "name": ["Acme Inc", "Acme Holdings", "Northwind Traders", "Globex", "Initech"],
})


@pytest.mark.parametrize(
    ("text", "allowed", "found"),
    [
        ("Prepared for ACME, inc.", {"A1"}, []),
        ("Prepared for Acme Holdings", {"A2"}, []),  # "Acme" alone is not another account
        ("We compared you with Northwind\nTraders.", {"A1"}, ["A3"]),
        ("north-\nwind traders", {"A1"}, ["A3"]),  # a hyphen break at a line end joins
        ("Northwind Tra-\nders and globex", {"A1"}, ["A3", "A4"]),
        ("Globexian synergy", {"A1"}, []),  # inside a longer word: not a name
        ("Account a2 renews", {"A1"}, ["A2"]),  # an id
        ("12 of 20 seats", {"A1"}, []),  # a numeric id is not searched
        ("Initech", {"A1"}, ["12"]),  # its name still is
    ],
)
def test_the_leak_scanner_matches_names_and_ids_as_words(text, allowed, found):
    scanner = LeakScanner(ACCOUNTS, company="Larkspur Analytics")
    assert sorted(leak.account_id for leak in scanner.scan({"PDF": text}, allowed)) == found


def test_names_listed_to_ignore_are_not_searched():
    accounts = pd.DataFrame({"account_id": ["A1", "A2"], "name": ["Acme Inc", "Target"]})
    text = {"HTML": "Baseline → target for Acme Inc"}
    assert [leak.account_id for leak in LeakScanner(accounts).scan(text, {"A1"})] == ["A2"]
    assert LeakScanner(accounts, ignore=["TARGET"]).scan(text, {"A1"}) == []


def test_words_normalize_case_width_and_soft_hyphens():
    assert words("ＡＣＭＥ\u00adInc., «Ümlaut»") == ["acmeinc", "umlaut"]  # accents too


def test_a_leak_in_a_document_fails_it_and_nothing_is_written(tmp_path):
    """A parameter plants another customer's name (A0003's) in every probe document:
    A0001's document fails the scan and is not written; A0003's own document is fine."""
    plan = load_plan(_probe_plan(tmp_path, ["A0001", "A0003"], note="Quillon Financial",
                                 formats="[html, pdf]"))
    result = build_plan(plan, period="2026Q3", workers=1, echo=lambda line: None)
    by_key = {o.key: o for o in result.outcomes}
    leaked = by_key["probe/a0001-sunmeadow-consulting-ab"]
    assert leaked.status == "failed" and leaked.files == {}
    assert leaked.error.startswith("leak scan: ")
    assert "names account 'A0003' (its name 'Quillon Financial')" in leaked.error
    assert not list((result.out_dir / "probe").glob("a0001*"))
    assert by_key["probe/a0003-quillon-financial"].status == "built"


def test_html_and_pdf_text_are_what_a_reader_sees(tmp_path):
    from cslib.document.model import Document
    from cslib.render.html import render_html
    from cslib.render.pdf import render_pdf

    doc = Document(
        meta={"company": "Acme", "title": "QBR", "subtitle": "Northwind Traders",
              "period": "2026Q3", "period_label": "Q3 2026", "as_of": "2026-09-30",
              "fingerprint": "0" * 12, "audience": "customer"},
        blocks=[{"type": "paragraph", "spans": [{"text": "Globex is mentioned here."}]}],
    )
    for text in (html_text(render_html(doc)), pdf_text(render_pdf(doc))):
        assert "Northwind Traders" in text and "Globex is mentioned here." in text
    assert "font-face" not in html_text(render_html(doc))  # styles are not text


def test_a_long_name_broken_to_fit_a_column_is_still_found():
    """Long words get <wbr> (HTML) and zero-width spaces (PDF) to wrap in a table cell:
    the scan must read the pieces as the one word a reader sees."""
    from cslib.document.assemble import _table
    from cslib.document.model import Document
    from cslib.render.html import render_html
    from cslib.render.pdf import render_pdf

    name = "Acme-InternationalHoldingsGroupWorldwideLimited"
    doc = Document(
        meta={"company": "Larkspur", "title": "QBR", "subtitle": "Northwind Traders",
              "period": "2026Q3", "period_label": "Q3 2026", "as_of": "2026-09-30",
              "fingerprint": "0" * 12, "audience": "customer"},
        blocks=[_table("Peers", ["Account", "Note", "MRR"],
                       [(name, "x" * 60, "$1,000"), ("Northwind Traders", "ok", "$2")])],
    )
    accounts = pd.DataFrame({"account_id": ["A1", "A2"],
                             "name": ["Northwind Traders", name]})
    scanner = LeakScanner(accounts, company="Larkspur")
    html, pdf = render_html(doc), render_pdf(doc)
    assert "<wbr>" in html  # the renderer did break the name
    for text in (html_text(html), pdf_text(pdf)):
        assert [leak.account_id for leak in scanner.scan({"doc": text}, {"A1"})] == ["A2"]


@pytest.mark.first
def test_every_sample_qbr_names_no_other_customer(tmp_path, page_numbers):
    """A QBR for each of the sample company's 400 accounts (churned ones too), HTML and
    PDF, through the build's leak scan (which fails any document naming another account).
    Every 10th PDF's page numbers and contents are checked too (every PDF's layout settled,
    or the renderer would have failed it)."""
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Larkspur Analytics
output: out
documents:
  - name: qbr
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{paying: false}}  # churned customers too
""")
    result = build_plan(load_plan(plan_file), period="2026Q3", echo=lambda line: None)
    assert len(result.outcomes) == 400
    assert [o for o in result.outcomes if o.status != "built"] == []
    files = list((result.out_dir / "qbr").iterdir())
    assert len([f for f in files if f.suffix == ".pdf"]) == 400
    assert len([f for f in files if f.suffix == ".html"]) == 400
    for path in sorted(f for f in files if f.suffix == ".pdf")[::10]:
        page_numbers(path.read_bytes(), path.name)
