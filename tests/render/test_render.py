"""The HTML and PDF renderers: structure, escaping, pagination, determinism."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from cslib.document.model import Document
from cslib.render.fonts import WEB_UNICODES, dejavu_sans, font_face_css
from cslib.render.html import CSP, render_html
from cslib.render.pdf import render_pdf
from cslib.render.text import BREAK_EVERY, isolate_bidi, long_run_pieces, normalized, safe_href

HOSTILE = "<script>alert(1)</script> #set page(width: 1pt) $x$ *bold* \\ ' \" \u202eRTL 😀"
LONG_TOKEN = "Z" + "".join(chr(ord("a") + i % 26) for i in range(298)) + "Z"
ZWSP = "\u200b"
CSP_ATTR = CSP.replace("'", "&#39;")

TINY_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120">'
    '<rect x="10" y="40" width="60" height="70" fill="#0072B2"/>'
    '<rect x="90" y="20" width="60" height="90" fill="#E69F00"/>'
    '<rect x="170" y="60" width="60" height="50" fill="#009E73"/>'
    '<line x1="0" y1="110" x2="400" y2="110" stroke="#333"/></svg>'
)


def _spans(*parts: tuple[str, str | None] | str) -> list[dict[str, Any]]:
    out = []
    for p in parts:
        text, style = (p, None) if isinstance(p, str) else p
        out.append({"text": text, "style": style})
    return out


@functools.cache
def _matplotlib_svg() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]
    ax.plot(
        months,
        [101.2, 102.0, 101.6, 103.1, 103.8, 104.0, 103.7, 104.6, 105.1],
        color="#0072B2",
        lw=2,
        label="NRR",
    )
    ax.plot(
        months,
        [92.1, 92.4, 91.8, 92.9, 93.0, 93.4, 93.1, 93.6, 94.0],
        color="#E69F00",
        lw=2,
        label="GRR",
    )
    ax.set_ylabel("%")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "cslib", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def long_rows(n: int = 60) -> list[list[str]]:
    return [
        [
            f"Account {i:03d}",
            ["Enterprise", "Mid-market", "SMB"][i % 3],
            f"${1000 + 37 * i:,}",
            f"{90 + i % 17}.{i % 10}%",
            f"R{i:03d}",
        ]
        for i in range(1, n + 1)
    ]


def make_document(
    *, audience: str = "internal", account: str = "Acme Corp", big: bool = True
) -> Document:
    """A realistic report: headings on three levels, text, KPIs, tables, charts, callouts."""
    meta = {
        "company": "Larkspur Analytics",
        "title": "Quarterly business review" if audience == "customer" else "Board pack",
        "subtitle": account if audience == "customer" else "All segments",
        "period": "2026Q3",
        "period_label": "Q3 2026 (Jul–Sep 2026)",
        "as_of": "2026-10-31",
        "fingerprint": "3f9a1c0b7e42",
        "audience": audience,
    }
    blocks: list[dict[str, Any]] = [
        {"type": "heading", "level": 1, "text": "Executive summary", "id": "executive-summary"},
        {
            "type": "paragraph",
            "spans": _spans(
                "Net revenue retention reached ",
                ("104.3%", "strong"),
                " in the quarter, up ",
                ("1.2 pts", "em"),
                " on Q2, while gross retention held at 93.1%. Expansion in the "
                "Enterprise segment more than offset contraction among SMB accounts; see ",
                ("nrr_ttm", "code"),
                " for the trailing view.",
            ),
        },
        {
            "type": "kpis",
            "title": "Headline figures",
            "items": [
                {
                    "label": "ARR",
                    "value": "$48.2M",
                    "delta": "+6.1%",
                    "trend": "up",
                    "good": True,
                    "note": "vs Q2 2026",
                },
                {
                    "label": "Net revenue retention",
                    "value": "104.3%",
                    "delta": "+1.2 pts",
                    "trend": "up",
                    "good": True,
                    "note": "start cohort of 1,162 accounts",
                },
                {
                    "label": "Logo churn",
                    "value": "2.4%",
                    "delta": "+0.3 pts",
                    "trend": "up",
                    "good": False,
                    "note": "28 accounts",
                },
                {
                    "label": "NPS",
                    "value": "32.1",
                    "delta": "0.0",
                    "trend": "flat",
                    "good": None,
                    "note": "±4.8 at 95%, n = 412",
                },
            ],
        },
        {
            "type": "callout",
            "tone": "info",
            "spans": _spans(
                "Definitions follow SaaS Capital for retention and ChartMogul for MRR movements."
            ),
        },
        {"type": "heading", "level": 2, "text": "Revenue retention", "id": "revenue-retention"},
        {
            "type": "figure",
            "title": "ARR bridge",
            "caption": "Source: billing, Jul–Sep 2026.",
            "alt": "Bar chart of new, expansion and churned ARR",
            "svg": TINY_SVG,
        },
        {
            "type": "table",
            "title": "Retention by segment",
            "columns": ["Segment", "Start ARR", "End ARR", "NRR", "GRR"],
            "align": ["left", "right", "right", "right", "right"],
            "rows": [
                ["Enterprise", "$30.1M", "$32.4M", "107.6%", "95.2%"],
                ["Mid-market", "$11.0M", "$11.2M", "101.8%", "91.9%"],
                ["SMB", "$4.3M", "$4.6M", "96.1%", "88.4%"],
                ["Total", "$45.4M", "$48.2M", "104.3%", "93.1%"],
            ],
            "caption": "NRR and GRR over the start cohort.",
            "total": True,
        },
        {"type": "heading", "level": 3, "text": "Drivers", "id": "drivers"},
        {
            "type": "list",
            "ordered": False,
            "items": [
                _spans("Seat expansion at ", ("12 Enterprise accounts", "strong")),
                _spans("Price uplift on renewals (", ("average 4%", "em"), ")"),
                _spans("Two SMB churns to a competitor"),
            ],
        },
    ]
    if big:
        blocks += [
            {
                "type": "figure",
                "title": "NRR and GRR, trailing months",
                "caption": "Trailing-twelve-month retention.",
                "alt": "Line chart of NRR and GRR",
                "svg": _matplotlib_svg(),
            },
            {"type": "heading", "level": 1, "text": "Accounts", "id": "accounts"},
            {"type": "paragraph", "spans": _spans("Every account in the start cohort.")},
            {
                "type": "table",
                "title": "Account list",
                "columns": ["Account", "Segment", "MRR", "Health", "Ref"],
                "align": ["left", "left", "right", "right", "left"],
                "rows": long_rows(60),
                "caption": "Sorted by account id.",
                "total": False,
            },
        ]
    blocks += [
        {"type": "heading", "level": 1, "text": "Risks and next steps", "id": "risks"},
        {
            "type": "callout",
            "tone": "warning",
            "spans": _spans(
                ("Renewal at risk: ", "strong"),
                "three accounts renew within 90 days without recent executive contact.",
            ),
        },
        {
            "type": "list",
            "ordered": True,
            "items": [
                _spans("Schedule executive sponsor calls"),
                _spans("Run an adoption workshop for ", ("SMB", "strong"), " accounts"),
            ],
        },
        {
            "type": "paragraph",
            "spans": [
                {"text": "Questions: ", "style": None},
                {
                    "text": "cs-team@example.com",
                    "style": None,
                    "href": "mailto:cs-team@example.com",
                },
                {"text": ".", "style": None},
            ],
        },
    ]
    return Document(meta=meta, blocks=blocks)


def long_document() -> Document:
    """A board pack of about a dozen pages: many sections, each with a long table."""
    doc = make_document()
    for n in range(1, 6):
        doc.blocks += [
            {"type": "heading", "level": 1, "text": f"Segment {n}", "id": f"segment-{n}"},
            {"type": "paragraph", "spans": _spans(f"Accounts of segment {n}.")},
            {
                "type": "heading",
                "level": 2,
                "text": f"Segment {n} accounts",
                "id": f"segment-{n}-accounts",
            },
            {
                "type": "table",
                "title": f"Segment {n} account list",
                "columns": ["Account", "Segment", "MRR", "Health", "Ref"],
                "align": ["left", "left", "right", "right", "left"],
                "rows": [[f"S{n} {r[0]}", *r[1:]] for r in long_rows(45)],
                "caption": "",
                "total": False,
            },
        ]
    return doc


def hostile_document() -> Document:
    doc = make_document(audience="customer", account=HOSTILE, big=False)
    doc.meta["company"] = HOSTILE
    doc.blocks += [
        {"type": "heading", "level": 1, "text": HOSTILE, "id": '"><script>x</script>'},
        {
            "type": "paragraph",
            "spans": [
                {"text": HOSTILE, "style": "strong"},
                {"text": " click ", "style": None, "href": "javascript:alert(1)"},
                {
                    "text": " data ",
                    "style": None,
                    "href": "data:text/html,<script>alert(1)</script>",
                },
                {"text": " tab ", "style": None, "href": "java\tscript:alert(1)"},
                {"text": LONG_TOKEN, "style": None},
                {"text": " END-OF-PARAGRAPH", "style": None},
            ],
        },
        {
            "type": "table",
            "title": HOSTILE,
            "columns": ["Account", "MRR"],
            "align": ["left", "right"],
            "rows": [
                [HOSTILE, "$1"],
                [LONG_TOKEN, "$2"],
                ["https://example.com/" + "x" * 120, "$3"],
            ],
            "caption": HOSTILE,
            "total": False,
        },
        {
            "type": "kpis",
            "title": HOSTILE,
            "items": [
                {
                    "label": HOSTILE,
                    "value": LONG_TOKEN,
                    "delta": "<b>",
                    "trend": "<i>",
                    "good": "yes",
                    "note": HOSTILE,
                }
            ],
        },
        {
            "type": "figure",
            "title": HOSTILE,
            "caption": HOSTILE,
            "alt": '"><script>',
            "svg": TINY_SVG,
        },
    ]
    return doc


# ---- helpers ------------------------------------------------------------------------------


@functools.cache
def _pdf(kind: str) -> bytes:
    doc = {
        "board": make_document,
        "hostile": hostile_document,
        "long": long_document,
        "qbr": lambda: make_document(audience="customer", big=False),
    }[kind]()
    return render_pdf(doc)


def _pages(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def _body(pages: list[str]) -> list[str]:
    """The body pages: from the one numbered "Page 1 of" on."""
    first = next(i for i, p in enumerate(pages) if "Page 1 of" in p)
    return pages[first:]


def _joined(text: str) -> str:
    """Extracted text with the wrap points of long tokens (newlines, ZWSP) removed."""
    return text.replace(ZWSP, "").replace("\n", "")


def _outline_titles(outline: list[Any]) -> list[str]:
    out = []
    for item in outline:
        if isinstance(item, list):
            out += _outline_titles(item)
        else:
            out.append(item.title)
    return out


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(page)
    return parser.tags


# ---- shared hygiene -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("http://example.com", "http://example.com"),
        ("mailto:cs@example.com", "mailto:cs@example.com"),
        ("HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        (" https://example.com", None),
        ("data:text/html,hi", None),
        ("file:///etc/passwd", None),
        ("/relative/path", None),
        ("https://", None),
        ("mailto:", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_href(href: object, expected: str | None) -> None:
    assert safe_href(href) == expected


FSI, PDI, PDF, RLO, LRE = "\u2068", "\u2069", "\u202c", "\u202e", "\u202a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("Café – 104.3% ▲", "Café – 104.3% ▲"),
        (RLO + "abc", FSI + RLO + "abc" + PDF + PDI),
        (RLO + "abc" + PDF, FSI + RLO + "abc" + PDF + PDI),
        ("\u2067" + LRE + "ab", FSI + "\u2067" + LRE + "ab" + PDF + PDI + PDI),
        ("\u2067" + LRE + "ab" + PDI, FSI + "\u2067" + LRE + "ab" + PDI + PDI),
        # Unmatched closers are dropped: they could end the wrapper early.
        (PDF + PDI + RLO + "x", FSI + RLO + "x" + PDF + PDI),
        ("שלום 12", FSI + "שלום 12" + PDI),  # right-to-left letters
    ],
)
def test_isolate_bidi(text: str, expected: str) -> None:
    assert isolate_bidi(text) == expected


def test_long_run_pieces() -> None:
    pieces = long_run_pieces(LONG_TOKEN)
    assert "".join(pieces) == LONG_TOKEN
    assert [len(p) for p in pieces] == [BREAK_EVERY] * 12 + [300 - 12 * BREAK_EVERY]
    assert long_run_pieces("short words stay as they are") == ["short words stay as they are"]
    words = "word " * 30
    assert long_run_pieces(words) == [words]
    assert long_run_pieces("ab cdefg", every=3) == ["ab cde", "fg"]
    # Never inside a grapheme: an accent stays with its letter, an emoji with its modifier.
    accented = "e\u0301" * 40
    assert all(not p.startswith("\u0301") for p in long_run_pieces(accented))
    thumbs = "👍🏽" * 30
    assert all(not p.startswith("🏽") for p in long_run_pieces(thumbs))
    assert "".join(long_run_pieces(thumbs)) == thumbs


def test_normalized_fills_defaults_and_sanitizes_ids() -> None:
    doc = Document(
        meta={"company": "C", "audience": "nobody"},
        blocks=[
            {"type": "heading", "level": 9, "text": "A", "id": "same"},
            {"type": "heading", "level": 2, "text": "B", "id": "same"},
            {"type": "heading", "text": "C", "id": '"><x'},
            {"type": "heading", "text": "D"},
            {"type": "table", "columns": ["a", "b"], "rows": [["1", "2"]], "total": True},
            {"type": "kpis", "items": [{"label": "x", "value": "1", "trend": "sideways"}]},
        ],
    )
    data = normalized(doc)
    assert data["meta"]["audience"] == "internal"
    assert data["meta"]["title"] == ""
    ids = [b["id"] for b in data["blocks"] if b["type"] == "heading"]
    assert ids == ["same", "same-2", "x", "section-3"]
    assert [b["level"] for b in data["blocks"][:2]] == [3, 2]
    table = data["blocks"][4]
    assert table["align"] == ["left", "left"] and table["title"] == "" and table["caption"] == ""
    kpi = data["blocks"][5]["items"][0]
    assert kpi["trend"] is None and kpi["arrow"] == "" and kpi["good"] is None


def test_malformed_blocks_are_refused() -> None:
    with pytest.raises(ValueError, match=r"block 0 has type 'video'; expected one of heading"):
        normalized(Document(meta={}, blocks=[{"type": "video"}]))
    bad_table = {"type": "table", "title": "T", "columns": ["a", "b"], "rows": [["1"]]}
    with pytest.raises(ValueError) as info:
        normalized(Document(meta={}, blocks=[bad_table]))
    assert str(info.value) == "table 'T': every row needs 2 cells (one per column), row 0 has 1."


# ---- fonts --------------------------------------------------------------------------------


def test_fonts_found_and_embedded_as_small_woff() -> None:
    fonts = dejavu_sans()
    assert [p.name for _w, _s, p in fonts.styles()] == [
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique.ttf",
    ]
    css = font_face_css()
    assert css is font_face_css()  # cached
    faces = re.findall(r"data:font/woff;base64,([A-Za-z0-9+/=]+)", css)
    assert len(faces) == 2
    assert "font-weight:400;font-style:normal" in css and "font-weight:700" in css
    for face in faces:
        woff = base64.b64decode(face)
        assert woff[:4] == b"wOFF"
        assert len(woff) < 40_000
    for c in "–—…•▲▼→×≥≤’“”€£é ŁŒ":
        assert ord(c) in WEB_UNICODES


def test_woff_subset_covers_the_symbols() -> None:
    from fontTools.ttLib import TTFont

    woff = base64.b64decode(re.findall(r"base64,([A-Za-z0-9+/=]+)", font_face_css())[0])
    cmap = TTFont(io.BytesIO(woff)).getBestCmap()
    for c in "Aa0–—…•▲▼→×≥≤’“”€é":
        assert ord(c) in cmap, c


# ---- HTML ---------------------------------------------------------------------------------


def test_html_structure() -> None:
    doc = make_document()
    page = render_html(doc)
    assert page.startswith("<!DOCTYPE html>")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP_ATTR}">' in page
    for text in (
        "Larkspur Analytics",
        "Board pack",
        "All segments",
        "2026Q3",
        "Q3 2026 (Jul–Sep 2026)",
        "Data as of 2026-10-31",
        "3f9a1c0b7e42",
        "Account 060",
        "$3,220",
        "104.3%",
    ):
        assert text in page, text
    assert "Prepared for" not in page
    tags = _tags(page)
    # A real table with a header, numeric cells right-aligned, the total row marked.
    assert page.count("<table>") == 2 and page.count("<thead>") == 2
    assert '<td class="right">$32.4M</td>' in page
    assert '<tr class="total"><td class="left nw">Total</td>' in page
    # Every row of the long table exactly once.
    for row in long_rows(60):
        assert page.count(f">{row[0]}<") == 1
    # Table of contents links to the heading ids, in order.
    toc = [a["href"] for t, a in tags if t == "a" and (a.get("href") or "").startswith("#")]
    ids = [a["id"] for t, a in tags if t in ("h2", "h3", "h4") and a.get("id") != "toc-title"]
    assert toc == ["#" + i for i in ids]
    assert ids == [b["id"] for b in doc.headings()]
    # Strong, em, code, the mailto link, KPI colours.
    assert "<strong>104.3%</strong>" in page and "<em>1.2 pts</em>" in page
    assert "<code>nrr_ttm</code>" in page
    assert '<a href="mailto:cs-team@example.com" rel="noopener noreferrer">' in page
    assert 'class="kpi-delta good"' in page and 'class="kpi-delta bad"' in page
    assert 'class="kpi-delta neutral"' in page


def test_html_is_self_contained() -> None:
    page = render_html(make_document())
    tags = _tags(page)
    assert "<script" not in page.lower()
    imgs = [a for t, a in tags if t == "img"]
    assert len(imgs) == 2
    assert all((a["src"] or "").startswith("data:image/svg+xml;base64,") for a in imgs)
    assert all(a.get("alt") for a in imgs)
    # No external resource: nothing but data: URIs in src, no <link>, no url() but data:.
    for tag, attrs in tags:
        assert tag not in ("link", "script", "iframe", "object", "embed", "base")
        assert not (attrs.get("src") or "data:").startswith(("http", "//"))
    urls = re.findall(r"url\(([^)]*)\)", page)
    assert urls and all(u.strip("'\"").startswith("data:") for u in urls)
    assert "@import" not in page
    # The charts decode back to the SVGs given.
    svg = base64.b64decode((imgs[0]["src"] or "").split(",", 1)[1]).decode()
    assert svg == TINY_SVG


def test_html_customer_footer() -> None:
    page = render_html(make_document(audience="customer", account="Acme Corp"))
    assert page.count("Prepared for Acme Corp") == 2  # masthead and footer


def test_html_escapes_hostile_data() -> None:
    page = render_html(hostile_document())
    tags = _tags(page)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; #set page(width: 1pt) $x$ *bold*" in page
    assert [t for t, _a in tags if t == "script"] == []
    hrefs = [a.get("href") or "" for t, a in tags if t == "a"]
    assert not [h for h in hrefs if not h.startswith(("#", "mailto:", "http"))]
    assert "javascript:" not in "".join(hrefs).lower()
    assert " click " in page and " data " in page  # the link text stays
    assert LONG_TOKEN in page  # whole in a paragraph, where CSS wraps it
    # In table cells and KPI cards it gets <wbr> break opportunities (table widths).
    cell = f'<td class="left">{"<wbr>".join(long_run_pieces(LONG_TOKEN))}</td>'
    assert cell in page
    # The right-to-left override is isolated in its own string.
    assert FSI + "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert RLO + "RTL 😀" + PDF + PDI in page
    # The hostile id became a harmless anchor.
    assert 'id="script-x-script"' in page and 'href="#script-x-script"' in page
    assert 'alt="&#34;&gt;&lt;script&gt;"' in page
    assert f'content="{CSP_ATTR}"' in page


def test_html_is_deterministic() -> None:
    assert render_html(make_document()) == render_html(make_document())


def test_minimal_and_empty_documents_render() -> None:
    empty = Document(meta={})
    odd = Document(
        meta={"title": "Odd"},
        blocks=[
            {"type": "heading", "level": 1, "text": "", "id": ""},
            {"type": "paragraph", "spans": []},
            {"type": "table", "title": "No columns", "columns": [], "rows": []},
            {"type": "table", "title": "No rows", "columns": ["a", "b"], "rows": [], "total": True},
            {"type": "kpis", "title": "", "items": []},
            {"type": "list", "ordered": True, "items": []},
            {"type": "list", "ordered": False, "items": [[]]},
            {"type": "callout", "tone": "warning", "spans": []},
            {"type": "figure", "title": "No chart", "caption": "", "alt": "", "svg": ""},
        ],
    )
    for doc in (empty, odd):
        page = render_html(doc)
        assert page.endswith("</html>\n")
        pdf = render_pdf(doc)
        assert pdf.startswith(b"%PDF-")
    assert "Contents" not in _pages(render_pdf(empty))[0]
    assert "No rows" in "".join(_pages(render_pdf(odd)))
    assert "<img" not in render_html(odd)


def test_same_bytes_in_a_fresh_process() -> None:
    code = (
        "import hashlib, sys; sys.path[:0] = ['tests', 'tests/render']; "
        "from test_render import make_document; "
        "from cslib.render.html import render_html; from cslib.render.pdf import render_pdf; "
        "d = make_document(); "
        "print(hashlib.sha256(render_html(d).encode()).hexdigest(), "
        "hashlib.sha256(render_pdf(d)).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    doc = make_document()
    assert out == [
        hashlib.sha256(render_html(doc).encode()).hexdigest(),
        hashlib.sha256(_pdf("board")).hexdigest(),
    ]


# ---- PDF ----------------------------------------------------------------------------------


def test_pdf_cover_contents_and_body() -> None:
    pdf = _pdf("board")
    reader = PdfReader(io.BytesIO(pdf))
    pages = _pages(pdf)
    assert len(pages) > 3
    cover = pages[0]
    for text in (
        "LARKSPUR ANALYTICS",
        "Board pack",
        "All segments",
        "Q3 2026 (Jul–Sep 2026)",
        "Data as of 2026-10-31",
        "Fingerprint 3f9a1c0b7e42",
        "Internal: not for distribution",
    ):
        assert text in cover, text
    assert "Prepared for" not in cover
    # A short table of contents shares the cover; numbering starts on the first body page.
    assert "Contents" in cover and "Executive summary" in cover and "Risks and next steps" in cover
    body = _body(pages)
    assert body == pages[1:]
    for i, text in enumerate(body, start=1):
        assert f"Page {i} of {len(body)}" in text
        assert "Larkspur Analytics · Board pack · All segments" in text
        assert "2026Q3" in text and "Data as of 2026-10-31" in text
        assert "Fingerprint 3f9a1c0b7e42" in text
    assert "Page" not in cover
    everything = "\n".join(body)
    for text in (
        "104.3%",
        "$48.2M",
        "Headline figures",
        "ARR bridge",
        "Retention by segment",
        "Source: billing, Jul–Sep 2026.",
        "cs-team@example.com",
        "nrr_ttm",
        "Executive summary",
        "Seat expansion at 12 Enterprise accounts",
    ):
        assert text in everything, text
    assert reader.metadata.title == "Larkspur Analytics · Board pack · All segments · 2026Q3"
    assert reader.metadata.author == "Larkspur Analytics"


def test_pdf_long_report_contents_page_and_section_breaks() -> None:
    doc = long_document()
    pages = _pages(_pdf("long"))
    assert "Contents" not in pages[0] and "Board pack" in pages[0]
    assert "Contents" in pages[1] and "Segment 5 accounts" in pages[1]
    body = _body(pages)
    assert body == pages[2:]
    assert len(body) >= 10
    assert f"Page {len(body)} of {len(body)}" in body[-1]
    # Each level-1 section of a long board pack opens a page.
    for h in doc.headings():
        if h["level"] == 1:
            starts = [p for p in body if p.split("\n", 1)[1].startswith(h["text"] + "\n")]
            assert len(starts) == 1, h["text"]
    titles = _outline_titles(PdfReader(io.BytesIO(_pdf("long"))).outline)
    assert titles == [h["text"] for h in doc.headings()]


def test_pdf_bookmarks_are_the_headings() -> None:
    reader = PdfReader(io.BytesIO(_pdf("board")))
    titles = _outline_titles(reader.outline)
    assert titles == [b["text"] for b in make_document().headings()]


def test_pdf_long_table_rows_once_and_header_repeated() -> None:
    body = _body(_pages(_pdf("board")))
    spanned = [p for p in body if re.search(r"Account \d{3}", p)]
    assert len(spanned) >= 2
    for page in spanned:
        assert "Account Segment MRR Health Ref" in page
    everything = "\n".join(body)
    for row in long_rows(60):
        line = " ".join(row)
        assert everything.count(line) == 1, line
    # Rows are never split: each row's cells are on the same page as its first cell.
    for row in long_rows(60):
        page = next(p for p in spanned if row[0] in p)
        assert row[-1] in page


def test_pdf_short_table_and_kpis_stay_on_one_page() -> None:
    body = _body(_pages(_pdf("board")))
    with_segment_table = [p for p in body if "Retention by segment" in p]
    assert len(with_segment_table) == 1
    page = with_segment_table[0]
    assert "Enterprise $30.1M $32.4M 107.6% 95.2%" in page
    assert "Total $45.4M $48.2M 104.3% 93.1%" in page
    assert "NRR and GRR over the start cohort." in page
    kpis = next(p for p in body if "Headline figures" in p)
    for text in ("$48.2M", "▲ +6.1%", "▲ +0.3 pts", "→ 0.0", "±4.8 at 95%, n = 412"):
        assert text in kpis, text


def test_pdf_customer_cover_and_compact_layout() -> None:
    pdf = _pdf("qbr")
    pages = _pages(pdf)
    assert "Prepared for Acme Corp" in pages[0]
    assert "Internal" not in pages[0]
    assert "Larkspur Analytics · Quarterly business review · Acme Corp" in pages[1]
    # A short customer report does not open a page per section.
    assert len(pages) <= 3


def test_pdf_embeds_dejavu_sans_only() -> None:
    reader = PdfReader(io.BytesIO(_pdf("board")))
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    assert all(
        re.fullmatch(r"/[A-Z]{6}\+DejaVuSans(-Bold|-Oblique|-BoldOblique|Mono)?", f) for f in fonts
    ), fonts


def test_pdf_hostile_text_prints_literally() -> None:
    pages = _pages(_pdf("hostile"))
    text = _joined("\n".join(pages))
    flat = " ".join("\n".join(pages).split())  # wrapped lines joined by one space
    literal = HOSTILE.split(RLO)[0].strip()
    assert literal == "<script>alert(1)</script> #set page(width: 1pt) $x$ *bold* \\ ' \""
    assert flat.count(literal) >= 8  # title, heading, paragraph, table, KPI, figure...
    assert literal.upper() in flat  # the cover shows the company in capitals
    # The override reverses its own string only (the PDF text is in visual order).
    assert literal + " 😀 LTR click data tab" in flat
    assert LONG_TOKEN in text  # wrapped, not lost
    assert "END-OF-PARAGRAPH" in text
    assert "https://example.com/" + "x" * 120 in text
    assert "javascript" not in text


def test_pdf_long_tokens_wrap_inside_the_page() -> None:
    lines = [ln for p in _pages(_pdf("hostile")) for ln in p.splitlines()]
    token_lines = [ln.strip() for ln in lines if re.fullmatch(r"\s*Z?[a-z]{10,}Z?\s*", ln)]
    # The 300-character token is laid out on several lines, none longer than a text line.
    assert len(token_lines) >= 3 * 4  # paragraph, table cell, KPI value
    assert max(len(ln) for ln in token_lines) <= 100
    assert max(len(ln) for ln in lines) <= 130


def test_pdf_is_deterministic() -> None:
    assert render_pdf(make_document()) == _pdf("board")


def _tall_few_rows() -> Document:
    """Twelve rows of long text: wraps, taller than a page, so it must break between rows."""
    doc = make_document(big=False)
    doc.blocks.append({
        "type": "table", "title": "Definitions", "columns": ["Term", "Definition"],
        "align": ["left", "left"], "caption": "", "total": False,
        "rows": [[f"Term {i}", " ".join(["retention"] * 60)] for i in range(12)],
    })
    return doc


def _wide_table() -> Document:
    """A one-line table whose natural width is within a point of the body's."""
    from cslib.render.pdf import _BODY_WIDTH, _CELL_INSET, _TABLE_SIZE, _quick_table
    from cslib.typeface import text_width

    doc = make_document(big=False)
    text = "Seat utilization"
    while text_width(text + " x", _TABLE_SIZE) + text_width("Value", _TABLE_SIZE, bold=True) \
            + 2 * _CELL_INSET <= _BODY_WIDTH:
        text += " x"
    table = {"type": "table", "title": "Wide", "columns": ["Measure", "Value"],
             "align": ["left", "right"], "caption": "", "total": False,
             "rows": [[text, "65%"], ["Active users", "13"]]}
    assert _quick_table(table)  # the widest a quick table can be
    doc.blocks.append(table)
    return doc


def _wrapped_table() -> Document:
    """Cells that wrap, as many rows as stay quick: a height bound just under 80% of 6.5 in."""
    from cslib.render.pdf import (
        _CELL_INSET,
        _KEEP_WHOLE,
        _TABLE_SIZE,
        _clean,
        _height_bound,
        _quick_table,
    )
    from cslib.render.text import normalized
    from cslib.typeface import text_width

    def cleaned() -> dict[str, Any]:
        return next(b for b in normalized(doc, clean=_clean)["blocks"]
                    if b["type"] == "table" and b["title"] == "Definitions")

    doc = make_document(big=False)
    words = "net revenue retention counts expansion and contraction of the same customers"
    table = {"type": "table", "title": "Definitions", "columns": ["Term", "Definition", "Source"],
             "align": ["left", "left", "left"], "caption": "", "total": False, "rows": []}
    doc.blocks.append(table)
    while True:
        i = len(table["rows"])
        table["rows"].append([f"Term {i}", " ".join([words] * (1 + i % 3)), "ChartMogul"])
        if not _quick_table(cleaned()):
            table["rows"].pop()
            break
    b = cleaned()
    natural = [max(text_width(str(r[j]), _TABLE_SIZE, bold=True) + _CELL_INSET
                   for r in [b["columns"], *b["rows"]]) for j in range(3)]
    assert len(b["rows"]) >= 4 and _quick_table(b)
    assert 0.7 * _KEEP_WHOLE < _height_bound(b, natural) <= 0.8 * _KEEP_WHOLE
    return doc


@pytest.mark.parametrize("kind", ["board", "hostile", "long", "qbr", "tall", "wide", "wrapped"])
def test_quick_tables_print_exactly_as_measured_ones(kind: str) -> None:
    # A table the renderer knows to be short skips Typst's measuring; the PDF is the same
    # bytes as when every table is measured (the template's general path).
    from cslib.render.compiler import compile_typst
    from cslib.render.pdf import _payload, _template

    doc = _tall_few_rows() if kind == "tall" else _wide_table() if kind == "wide" else \
        _wrapped_table() if kind == "wrapped" else {
        "board": make_document, "hostile": hostile_document, "long": long_document,
        "qbr": lambda: make_document(audience="customer", big=False),
    }[kind]()
    measured = compile_typst(_template(), format="pdf",
                             sys_inputs={"data": _payload(doc, quick_tables=False)})
    assert render_pdf(doc) == bytes(measured)
    import json

    quick = [b["quick"] for b in json.loads(_payload(doc))["blocks"] if b["type"] == "table"]
    assert any(quick) and (kind not in ("long", "tall") or not all(quick))  # both paths ran
    if kind == "wide":  # measured as Typst sets it: the widest quick row is not wrapped
        widest = doc.blocks[-1]["rows"][0][0]
        assert any(line == f"{widest} 65%" for page in _pages(bytes(measured))
                   for line in page.splitlines())


def test_which_tables_are_quick() -> None:
    from cslib.render.pdf import _quick_table

    def table(rows: list[list[str]], **extra: Any) -> dict[str, Any]:
        return {"title": "T", "caption": "", "columns": ["Name", "Value"], "total": False,
                "rows": rows, **extra}

    assert _quick_table(table([["Seat utilization", "65%"]] * 15))
    assert not _quick_table(table([["Seat utilization", "65%"]] * 16))  # could be long
    assert not _quick_table(table([["Seat utilization", "65%"]] * 14, title="t" * 151))
    # Cells that wrap: quick when a bound of the height is well under a page and at most
    # 20 rows (a long word breaks every 24 characters, as the renderer's cleaning allows).
    long_cell = " ".join(["x" * 20] * 6)
    assert _quick_table(table([["Seat utilization", long_cell]]))  # wraps, one row
    assert not _quick_table(table([["Seat utilization", long_cell * 8]] * 6))  # too tall
    assert not _quick_table(table([["Seat utilization", long_cell]] * 21))  # many rows
    assert not _quick_table(table([["a\nb\nc", "1"]] * 6))  # 18 lines
    assert not _quick_table(table([["a", "1"]], caption="c" * 601))
    # the tall table above is measured, and breaks across pages
    doc = _tall_few_rows()
    assert not _quick_table(normalized_table(doc))
    pages = _pages(render_pdf(doc))
    assert sum("Term 11" in p for p in pages) == 1 and sum("Term 0" in p for p in pages) == 1
    assert "Term 0" not in next(p for p in pages if "Term 11" in p)


def normalized_table(doc: Document) -> dict[str, Any]:
    from cslib.render.text import normalized

    return next(b for b in normalized(doc)["blocks"] if b["type"] == "table"
                and b["title"] == "Definitions")


def test_a_layout_that_does_not_settle_is_an_error_not_a_wrong_page_number():
    from cslib.errors import RenderError
    from cslib.render.compiler import compile_typst

    never = b"x\n#context { for i in range(counter(page).final().first()) { pagebreak() } }"
    with pytest.raises(RenderError, match="page numbers and contents would be wrong"):
        compile_typst(never, format="pdf")


def test_every_html_table_scrolls_in_its_own_labelled_region() -> None:
    """At phone width a wide table scrolls sideways inside its block, which a keyboard can
    reach and a screen reader names; the page itself never scrolls sideways."""
    import re

    from cslib.render.html import render_html

    page = render_html(make_document())
    tables = page.count("<table>")
    regions = re.findall(r'<div class="scroll" role="region" tabindex="0" aria-label="([^"]*)">'
                         r"\s*<table>", page)
    assert tables >= 2 and len(regions) == tables
    assert all(label.endswith("(scrolls sideways)") and len(label) > 20 for label in regions)
    css = (Path(__file__).resolve().parents[2] / "cslib/render/templates/report.css").read_text()
    assert ".scroll table { width: max-content; min-width: 100%; }" in css
