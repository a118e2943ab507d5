"""The QBR's charts drawn straight to SVG: text layout, glyphs, and every label readable."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from matplotlib._text_helpers import layout as raqm_layout

import cslib
from cslib.present import charts
from cslib.present.charts import _svg
from cslib.typeface import face

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-10-31"
PERIOD = "2026Q3"
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def sample() -> cslib.Dataset:
    return cslib.load(ROOT / "data" / "sample")


CHARTS = {
    "goals": lambda d: charts.goal_progress_chart(d, as_of=AS_OF),
    "adoption": lambda d: charts.adoption_chart(d, period=PERIOD),
    "relationships": lambda d: charts.relationship_coverage_chart(d, as_of=AS_OF),
}


def _draw(dataset: cslib.Dataset) -> dict[str, object]:
    return {name: chart(dataset) for name, chart in CHARTS.items()}


# Text layout ---------------------------------------------------------------------------


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("text", [
    "Roll out to additional teams", "AVAWAY To. Ty, Yo; LT", "Licensed seats 1,234",
    "75% · missed", "−$1.2M – “quoted” … ok", "Zoë Ærø façade", "0123456789",
])  # fmt: skip
def test_left_to_right_layout_matches_matplotlib_libraqm(bold: bool, text: str) -> None:
    # the fast path (advances + kerning pairs) places every glyph where libraqm does
    f = face(bold)
    mine, width = f.layout(text)
    theirs = [(f"{i.ft_object.postscript_name}-{i.glyph_index:x}", i.x)
              for i in raqm_layout(text, f.font)]  # fmt: skip
    assert [g for g, _ in mine] == [g for g, _ in theirs]
    assert max(abs(a - b) for (_, a), (_, b) in zip(mine, theirs, strict=True)) < 0.1
    assert width > mine[-1][1]


def test_text_that_needs_shaping_goes_through_libraqm() -> None:
    f = face()
    arabic = "مرحبا"
    shaped, width = f.layout(arabic)
    isolated = [f"{f.name}-{f.font.get_char_index(ord(c)):x}" for c in arabic]
    assert width > 0 and len(shaped) == len(arabic)
    assert [g for g, _ in shaped] != isolated  # joined forms, not the isolated letters
    hebrew, _ = f.layout("שלום")
    xs = [x for _, x in hebrew]
    assert xs == sorted(xs)  # laid out visually, as libraqm does
    assert all(g in f.paths for g, _ in shaped + hebrew)  # outlines kept for <defs>


def test_every_glyph_used_is_defined_once_and_nothing_else(sample) -> None:
    for name, block in _draw(sample.subset(["A0004"])).items():
        root = ET.fromstring(block.svg.encode("utf-8"))
        defined = [p.attrib["id"] for p in root.iter(f"{SVG_NS}path") if "id" in p.attrib]
        used = {u.attrib[XLINK].lstrip("#") for u in root.iter(f"{SVG_NS}use")}
        assert len(defined) == len(set(defined)), name
        assert set(defined) == used, name
        assert re.search(r'width="468pt" height="[\d.]+pt" viewBox="0 0 468 [\d.]+"', block.svg)


# Every label readable ------------------------------------------------------------------


def _overlaps(boxes: list[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    out = []
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
            out.append((i, j))
    return out


def _check_layout(name: str, block: object, canvas: _svg.Canvas) -> None:
    assert canvas.texts == list(block.texts), name
    for text, (x0, y0, x1, y1) in zip(canvas.texts, canvas.boxes, strict=True):
        assert -0.5 <= x0 < x1 <= canvas.width + 0.5, (name, text, x0, x1)
        assert -0.5 <= y0 < y1 <= canvas.height + 0.5, (name, text, y0, y1)
    clashes = _overlaps(canvas.boxes)
    assert not clashes, (name, [(canvas.texts[i], canvas.texts[j]) for i, j in clashes])


@pytest.fixture
def canvases(monkeypatch) -> list[_svg.Canvas]:
    """Every canvas the charts draw, in order (to read their text boxes)."""
    made: list[_svg.Canvas] = []
    real = _svg.Canvas.svg

    def keep(self: _svg.Canvas, alt: str | None = None) -> str:
        made.append(self)
        return real(self, alt)

    monkeypatch.setattr(_svg.Canvas, "svg", keep)
    return made


def test_labels_stay_inside_the_chart_and_never_overlap(sample, canvases) -> None:
    # every 9th customer, one segment and the whole company: short and long goal titles,
    # one to dozens of contacts, tens to thousands of seats; and full adoption (both lines
    # end on the same value, so their labels must be pushed apart)
    ids = sample.accounts["account_id"].tolist()
    segment = sample.accounts.loc[sample.accounts["segment"] == "Enterprise", "account_id"]
    one = sample.subset(["A0004"])
    usage = one.get("usage").assign(active_users=lambda u: u["licensed_seats"])
    full = cslib.from_frames({name: one.get(name) for name in one.tables} | {"usage": usage})
    datasets = [sample.subset([a]) for a in ids[::9]] + [sample.subset(segment), sample, full]
    drawn = 0
    for dataset in datasets:
        for name, chart in CHARTS.items():
            block = chart(dataset)
            if not isinstance(block, cslib.present.blocks.Figure):
                continue
            _check_layout(name, block, canvases[-1])
            drawn += 1
    assert drawn > 100


def test_long_right_to_left_and_emoji_goal_titles(sample, canvases) -> None:
    one = sample.subset(["A0004"])
    goals = one.get("goals").copy()
    titles = ["ביטול מנויים ישנים ומעבר לתוכנית החדשה", "Grow 🚀 usage", "x" * 90]
    goals = pd.concat([goals] * 3, ignore_index=True).head(3)
    goals["title"] = titles
    goals["goal_id"] = ["G1", "G2", "G3"]
    tables = {name: one.get(name) for name in one.tables}
    block = charts.goal_progress_chart(cslib.from_frames(tables | {"goals": goals}), as_of=AS_OF)
    drawn = "\n".join(block.texts)
    assert "ביטול" in drawn and ":rocket:" in drawn and "x" * 38 + "…" in drawn
    _check_layout("goals", block, canvases[-1])
