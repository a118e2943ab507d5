"""The analyst's own DataFrames and figures reach the document in the house style."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from cslib import table
from cslib.document.assemble import assemble
from cslib.execute.inprocess import execute_inprocess
from cslib.pipeline.leaks import pdf_text

ROOT = Path(__file__).resolve().parents[2]


def test_table_formats_by_column_and_aligns_numbers() -> None:
    df = pd.DataFrame({"account": ["Acme", "Beta"], "arr": [125000.0, np.nan],
                       "nrr": [1.043, 0.9], "seats": [1200, 3], "since": pd.to_datetime(
                           ["2024-01-31", "2025-06-01"])})
    t = table(df, money=["arr"], percent=["nrr"], title="Book")
    assert t.columns == ("account", "arr", "nrr", "seats", "since")
    assert t.rows == (("Acme", "$125,000", "104.3%", "1,200", "2024-01-31"),
                      ("Beta", "–", "90.0%", "3", "2025-06-01"))
    assert t.align == ("left", "right", "right", "right", "left")
    with pytest.raises(KeyError, match="no column 'ar'; the columns are account, arr"):
        table(df, money=["ar"])
    named = table(df[["account", "arr"]], money=["arr"], labels={"arr": "ARR", "account": "Who"})
    assert named.columns == ("Who", "ARR") and named.rows[0] == ("Acme", "$125,000")
    with pytest.raises(KeyError, match="no column 'acount'"):
        table(df, labels={"acount": "Account"})


def test_a_meaningful_index_is_kept_and_a_long_frame_is_cut() -> None:
    by = pd.DataFrame({"mrr": [1.5, 2.25]}, index=pd.Index(["SMB", "Enterprise"],
                                                           name="segment"))
    assert table(by).columns == ("segment", "mrr")
    assert table(by).rows == (("SMB", "1.50"), ("Enterprise", "2.25"))
    plain = pd.DataFrame({"n": range(300)})
    cut = table(plain)
    assert cut.columns == ("n",) and len(cut.rows) == 200
    assert cut.caption == "First 200 of 300 rows."



def test_a_frame_is_written_in_the_active_currency_and_locale() -> None:
    from cslib.present.locale import use_locale

    df = pd.DataFrame({"arr": [1114205.0], "share": [0.705], "seats": [1200], "x": [2.5]})
    with use_locale("EUR", "de_DE"):
        plain = table(df).rows[0]
        declared = table(df, money=["arr"], percent=["share"]).rows[0]
    assert plain == ("1.114.205", "0,70", "1.200", "2,50")
    assert declared == ("1.114.205\xa0€", "70,5\xa0%", "1.200", "2,50")
    assert table(df).rows[0] == ("1,114,205", "0.70", "1,200", "2.50")  # the default again

ANALYST_CELLS = [
    ('period: str = "2026Q3"', ["parameters"]),
    ('import matplotlib.pyplot as plt\nimport cslib\n'
     'from cslib.present.report import open_report\n'
     'report = open_report("company", period=period, data="sample", company="Larkspur", '
     'title="My analysis")\ncslib.use_house_style()\nreport', []),
    ('import pandas as pd\n'
     'df = pd.DataFrame({"MRR": [1114205.0, 465094.0], "Share": [0.705, 0.295]}, '
     'index=pd.Index(["Enterprise", "Mid-Market"], name="segment"))\ndf', []),
    ('cslib.table(df, title="MRR by segment", money=["MRR"], percent=["Share"])', []),
    ('fig, ax = plt.subplots(figsize=(4, 2.5))\nax.bar(df.index, df["MRR"])\nplt.show()', []),
    ('fig2, ax2 = plt.subplots(figsize=(3, 2))\nax2.plot([0, 1], [0, 2_000_000])\n'
     'ax2.set_title("Growth")', []),  # Jupyter prints Text(0.5, 1.0, 'Growth') under it
    ('ax2.bar([0], [1])', []),  # <BarContainer object of 1 artists>
    ('fig2', []),  # shown as the cell's value, and not again at the cell's end
]


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for source, tags in ANALYST_CELLS:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def test_a_dataframe_and_a_figure_become_a_house_table_and_a_natural_size_figure(
        tmp_path, monkeypatch) -> None:
    path = tmp_path / "analysis.ipynb"
    nbformat.write(_notebook(), path)
    monkeypatch.chdir(ROOT)  # the executor moves into the notebook's folder: come back after
    nb = execute_inprocess(path, {})
    blocks = assemble([nb], names=["analysis"]).blocks
    tables = [b for b in blocks if b["type"] == "table"]
    assert [t["columns"] for t in tables[:2]] == [["segment", "MRR", "Share"]] * 2
    assert tables[0]["rows"][0] == ["Enterprise", "1,114,205", "0.70"]  # plain defaults
    assert tables[1]["rows"][0] == ["Enterprise", "$1,114,205", "70.5%"]  # declared formats
    figures = [b for b in blocks if b["type"] == "figure"]
    assert len(figures) == 3  # the bars; Growth with its title; Growth again, shown as a value
    figure = figures[0]
    assert figure["svg"].lstrip().startswith("<svg")  # SVG, not a PNG
    assert 200 < figure["width_pt"] < 4 * 72  # its own width (4 in, cropped), not the page's
    said = [s["text"] for b in blocks if b["type"] == "paragraph" for s in b["spans"]]
    assert not [t for t in said if "Text(" in t or "artists>" in t], said


def test_a_plotting_calls_value_is_no_output_but_other_values_are() -> None:
    from cslib.document.assemble import is_plot_result

    def result(text: str) -> dict:
        return {"output_type": "execute_result", "data": {"text/plain": text}}

    for text in ("Text(0.5, 1.0, 'MRR by segment')", "<BarContainer object of 3 artists>",
                 "<Axes: >", "[<matplotlib.lines.Line2D at 0x7f3a2c>]",
                 "(<Figure size 640x480 with 1 Axes>, <Axes: >)"):
        assert is_plot_result(result(text)), text
    for text in ("42", "Text of my own", "[1, 2]", "'<Axes: >'"):
        assert not is_plot_result(result(text)), text
    shown = {"output_type": "display_data", "data": {"text/plain": "<Axes: >"}}
    assert not is_plot_result(shown)  # display(...) on purpose is shown


def test_a_column_has_one_number_of_decimals_and_days_follow_the_locale() -> None:
    from cslib.present.locale import use_locale

    df = pd.DataFrame({"mrr": [1114205.5, 432100.0, 98765.4], "tickets": [53, np.nan, 114],
                       "opened": pd.to_datetime(["2026-11-12", "2026-01-02", None])})
    assert table(df).rows == (("1,114,205.50", "53", "2026-11-12"),
                              ("432,100.00", "–", "2026-01-02"),
                              ("98,765.40", "114", "–"))
    with use_locale("EUR", "de_DE"):
        assert table(df).rows[0] == ("1.114.205,50", "53", "12.11.2026")


def test_house_style_writes_a_figures_plain_numbers_as_the_house_does() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cslib.present.analyst import _house_numbers
    from cslib.present.locale import use_locale
    from cslib.present.style import percent_axis

    fig, ax = plt.subplots(figsize=(3, 2))
    try:
        ax.plot([0, 1], [0, 2_000_000])
        percent_axis(ax, axis="x")
        _house_numbers(fig)
        with use_locale("EUR", "de_DE"):
            fig.canvas.draw()
            ys = [t.get_text() for t in ax.get_yticklabels()]
            xs = [t.get_text() for t in ax.get_xticklabels()]
        assert "2.000.000" in ys and not ax.yaxis.get_offset_text().get_text()  # no 1e6
        assert "100\xa0%" in xs  # a percent axis is left as it was
    finally:
        plt.close(fig)


@pytest.mark.slow
def test_the_analysts_notebook_renders_as_house_html_and_pdf(tmp_path) -> None:
    path = tmp_path / "analysis.ipynb"
    nbformat.write(_notebook(), path)
    done = subprocess.run([sys.executable, "-m", "cslib.cli", "render", str(path), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "analysis.html").read_text()
    assert re.search(r"<th[^>]*>MRR</th>", page) and "$1,114,205" in page
    assert "<pre" not in page and "dataframe" not in page  # no pandas HTML, no monospace dump
    width = re.search(r'style="width:([\d.]+)px;max-width:100%"', page)
    assert width is not None and float(width[1]) < 400  # natural size, capped at the page
    text = pdf_text((tmp_path / "out" / "analysis.pdf").read_bytes())
    assert "$1,114,205" in text and "70.5%" in text and "Mid-Market" in text
