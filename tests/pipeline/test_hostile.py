"""Hostile text: markup, scripts, TeX/Typst/Markdown syntax, quotes, newlines, very long
strings, right-to-left text and emoji in data and parameters stay inert, readable text.

One small company whose names, contacts, goals and segments are all hostile is built
into every kind of document (board pack, segment reviews, a QBR per account), HTML and
PDF; each page is then checked for live markup and for the hostile text shown as text.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from conftest import TABLES

from cslib.data.contract import TEXT_LIMITS
from cslib.periods import Period
from cslib.pipeline.build import build_plan
from cslib.pipeline.jobs import BuildResult
from cslib.pipeline.leaks import html_text, pdf_text, words
from cslib.pipeline.plan import expand, load_plan
from cslib.present.report import resolve_data

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

# The longest name the data contract allows (longer names, tabs and line breaks in names
# are refused when the data is loaded: tests/data/test_load.py); a long run of one letter.
LONG = "Z" * TEXT_LIMITS["text"]
NAMES = {
    "a1": '<script>alert("pwned")</script> Acme',
    "a2": "Globex <img src=x onerror=\"document.body.setAttribute('data-x','EXE'+'CUTED')\">",
    "a3": "[Initech](javascript:alert(1)) **bold** $\\frac{1}{2}$ #set page(fill: red) "
          "\\LaTeX{} @ref <lbl> {{7*7}} `code`",
    "a4": "\"Umbrella\" 'Corp' \\n Second line",
    "a5": "شركة هولي 🚀 Hooli עברית",
    "a6": "Acme Inc",
    "a7": "Acme, Inc.",
    "a8": "../../etc/passwd",
    "a9": LONG,
}
SEGMENTS = {"a3": "SMB & <Small>", "a4": "SMB & <Small>"}
COMPANY = 'Larkspur <Analytics> & "Co" 🚀'
CONTACT = "<b>Ann</b> \"The Boss\" O'Neil"
GOAL = "<svg onload=alert(3)>Launch & grow $x^2$ 🚀"


def _frame(name: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(TABLES[name]), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> BuildResult:
    """Build the hostile company's plan once."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    accounts = _frame("accounts")
    extra = pd.DataFrame([{**accounts.iloc[4].to_dict(), "account_id": a}
                          for a in ("a6", "a7", "a8", "a9")])
    accounts = pd.concat([accounts, extra], ignore_index=True)
    accounts["name"] = accounts["account_id"].map(NAMES)
    accounts["segment"] = accounts["account_id"].map(SEGMENTS).fillna(accounts["segment"])
    mrr = _frame("mrr")
    mrr = pd.concat([mrr] + [mrr[mrr["account_id"] == "a5"].assign(account_id=a)
                             for a in ("a6", "a7", "a8", "a9")], ignore_index=True)
    contacts = _frame("contacts")
    contacts.loc[0, "name"] = CONTACT
    contacts.loc[0, "title"] = "CFO & <i>Co</i> {{x}} \\n second line"
    goals = _frame("goals")
    goals.loc[0, "title"] = GOAL
    # A long word of its own: LONG is account a9's name, which no other QBR may show.
    evil = '#import "evil.typ": * \\input{secrets.tex} '
    goals.loc[1, "title"] = evil + "Y" * (TEXT_LIMITS["text"] - len(evil))
    nps = _frame("nps")
    nps.loc[0, "comment"] = "</td></tr><script>alert(2)</script>\nsecond line"
    tables = {name: _frame(name) for name in TABLES}
    tables.update(accounts=accounts, mrr=mrr, contacts=contacts, goals=goals, nps=nps)
    for name, frame in tables.items():
        frame.to_csv(data / f"{name}.csv", index=False)
    plan_file = root / "plan.yaml"
    plan_file.write_text(f"""company: '{COMPANY}'
data: data
output: out
documents:
  - name: board-pack
    notebook: {NOTEBOOKS / "board_pack.ipynb"}
    sections:
      - notebook: {NOTEBOOKS / "segment_review.ipynb"}
        for_each: segment
  - name: segment-review
    notebook: {NOTEBOOKS / "segment_review.ipynb"}
    for_each: segment
  - name: qbr
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{paying: false}}
""", encoding="utf-8")
    result = build_plan(load_plan(plan_file), period="2026Q3", echo=lambda line: None)
    return result


def _documents(result, suffix: str) -> list[Path]:
    return sorted(p for p in result.out_dir.rglob(f"*{suffix}") if p.name != "index.html")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _bare(text: str) -> str:
    return re.sub(r"[\s\u200b\u2066-\u2069]+", "", text)


def test_every_document_of_the_hostile_company_is_built(hostile):
    assert [(o.key, o.error) for o in hostile.outcomes if o.status != "built"] == []
    assert len(hostile.outcomes) == 1 + 3 + 9


def test_html_runs_nothing_from_data(hostile):
    pages = [*_documents(hostile, ".html"), hostile.out_dir / "index.html"]
    assert len(pages) == 14
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I), page  # no handlers
        assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", html, re.I), page
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
        assert csp, page
        policy = unescape(csp.group(1))
        assert policy.startswith("default-src 'none';"), page
        if page.name != "index.html":  # a document: no script may run, whatever the markup
            assert "<script" not in html.lower() and "script-src" not in policy, page
            continue
        # the index runs one script, ours (sorting, filtering), pinned by its hash: no other
        # script, and nothing of the data, can run
        scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
        assert len(scripts) == html.lower().count("<script") == 1
        digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
        assert policy.endswith(f"script-src 'sha256-{digest}'"), policy
        assert not any(name in scripts[0] for name in NAMES.values())
        assert "<img src=x" not in html and "<svg onload" not in html, page
        assert "<b>Ann</b>" not in html and "<lbl>" not in html, page


def test_hostile_text_is_shown_as_written_in_html_and_pdf(hostile):
    qbrs = {p.stem.split("-")[0]: p for p in _documents(hostile, ".html") if "qbr" in p.parts}
    assert len(qbrs) == 9
    for account, page in qbrs.items():
        name = _flat(NAMES[account])
        html = _flat(html_text(page.read_bytes()))
        assert name in html, (account, "HTML")
        # The PDF wraps long runs and bidi-isolates: compare the characters, not the spacing;
        # its font has no emoji, so they are spelled out.
        raw = pdf_text(page.with_suffix(".pdf").read_bytes())
        pdf, shown = _bare(raw), name.replace("🚀", ":rocket:")
        if account == "a5":  # mixed directions: PDF text comes in visual order; the words
            assert set(words(shown)) <= set(words(raw)) and "rocket" in words(raw)
        else:
            assert _bare(shown) in pdf, (account, "PDF")
        assert _flat(COMPANY) in html and _bare(COMPANY.replace("🚀", ":rocket:")) in pdf
    a1 = _flat(html_text(qbrs["a1"].read_bytes()))
    assert _flat(GOAL) in a1  # (contact names and NPS comments are in no report)
    assert _bare("#set page(fill: red)") in _bare(pdf_text(qbrs["a3"].with_suffix(".pdf")
                                                           .read_bytes()))


def test_hostile_names_make_safe_distinct_stable_file_names(hostile):
    keys = [o.key for o in hostile.outcomes]
    files = [p for p in hostile.out_dir.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(hostile.out_dir.resolve()) for p in files)
    for key in keys:
        assert re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)?", key), key
    qbr = {k for k in keys if k.startswith("qbr/")}
    assert "qbr/a6-acme-inc" in qbr and "qbr/a7-acme-inc" in qbr  # different accounts
    assert "qbr/a8-etc-passwd" in qbr
    assert len(max(keys, key=len)) <= 100
    plan = load_plan(hostile.out_dir.parents[2] / "plan.yaml")  # <plan>/out/<run>/<period>
    dataset = resolve_data(plan.data)
    again = [j.key for j in expand(plan, dataset, Period.parse("2026Q3"))]
    assert again == keys  # the same names on every run


def test_ids_that_slug_alike_still_get_their_own_files(make_dataset, tmp_path):
    def rename(text: str) -> str:
        return text.replace("a1,", "A-1,").replace("a2,", "a_1,")

    data = make_dataset(tmp_path / "data", **{t: rename for t in TABLES})
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(f"""company: Acme
data: data
documents:
  - name: qbr
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{paying: false}}
""")
    plan = load_plan(plan_file)
    keys = [j.key for j in expand(plan, resolve_data(data), Period.parse("2026Q3"))]
    assert len(set(keys)) == len(keys) == 5
    pair = sorted(k for k in keys if k.startswith("qbr/a-1-"))
    assert len(pair) == 2 and pair[0] != pair[1]
