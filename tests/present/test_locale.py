"""Money, numbers, percents and dates in the reader's currency and locale (Babel)."""

from __future__ import annotations

import re

import pytest

from cslib.errors import ParameterError
from cslib.present import narrative, tables
from cslib.present.formats import (
    fmt_count,
    fmt_date,
    fmt_money,
    fmt_month,
    fmt_percent,
    fmt_points,
    fmt_score,
    fmt_signed_percent,
)
from cslib.present.locale import active, conventions, use_locale
from cslib.present.report import open_report

NBSP, NNBSP = "\xa0", "\u202f"


def _all(value: float = 1_234_567.0) -> tuple[str, ...]:
    return (fmt_money(value, compact=True), fmt_money(-2500.4), fmt_money(332_124.0, compact=True),
            fmt_percent(1.043), fmt_signed_percent(-0.042), fmt_points(0.021), fmt_score(32.14),
            fmt_count(1162), fmt_date("2026-09-30"), fmt_month("2026-09"))


def test_the_default_is_the_house_style_unchanged() -> None:
    assert active().house
    assert _all() == ("$1.2M", "−$2,500", "$332.1K", "104.3%", "−4.2%", "+2.1 pts", "32.1",
                      "1,162", "Sep 30, 2026", "Sep 2026")


@pytest.mark.parametrize(("currency", "locale", "want"), [
    ("EUR", "de_DE", (f"1,2{NBSP}Mio.{NBSP}€", f"−2.500{NBSP}€", f"332.124{NBSP}€",
                      f"104,3{NBSP}%", f"−4,2{NBSP}%", "+2,1 Pkt.", "32,1", "1.162", "30.09.2026",
                      "Sept. 2026")),
    ("EUR", "fr_FR", (f"1,2{NBSP}M{NBSP}€", f"−2{NNBSP}500{NBSP}€", f"332,1{NBSP}k{NBSP}€",
                      f"104,3{NBSP}%", f"−4,2{NBSP}%", "+2,1 pts", "32,1", f"1{NNBSP}162",
                      "30 sept. 2026", "sept. 2026")),
    ("JPY", "ja_JP", ("￥123.5万", "−￥2,500", "￥33.2万", "104.3%", "−4.2%", "+2.1 pt", "32.1",
                      "1,162", "2026/09/30", "2026年9月")),
    ("GBP", "en_GB", ("£1.2m", "−£2,500", "£332.1k", "104.3%", "−4.2%", "+2.1 pts", "32.1",
                      "1,162", "30 Sept 2026", "Sept 2026")),
])
def test_other_currencies_and_locales(currency, locale, want) -> None:
    with use_locale(currency, locale):
        assert _all() == want
    assert active().house  # `with` gives the previous setting back


@pytest.mark.parametrize(("currency", "locale", "want"), [
    ("USD", "en_US", ("$2.0M", "$1.8M", "$14.0M", "−$2.0M")),
    ("EUR", "de_DE", (f"2,0{NBSP}Mio.{NBSP}€", f"1,8{NBSP}Mio.{NBSP}€", f"14,0{NBSP}Mio.{NBSP}€",
                      f"−2,0{NBSP}Mio.{NBSP}€")),
    ("GBP", "en_GB", ("£2.0m", "£1.8m", "£14.0m", "−£2.0m")),
    ("JPY", "ja_JP", ("￥200.0万", "￥180.0万", "￥1,400.0万", "−￥200.0万")),
])
def test_compact_money_keeps_its_decimal_beside_its_neighbours(currency, locale, want) -> None:
    # Babel writes 2 Mio. € beside 1,8 Mio. €; a column of amounts needs one form.
    with use_locale(currency, locale):
        assert tuple(fmt_money(v, compact=True) for v in (2e6, 1.8e6, 14e6, -2e6)) == want


def test_chart_ticks_tell_their_values_apart_in_every_locale() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cslib.present.charts._draw import signed_score
    from cslib.present.style import _MoneyTicks, money_axis, score_axis

    bridge = [1.25e6, 1.275e6, 1.3e6, 1.325e6, 1.35e6, 1.375e6, 1.4e6]  # the SMB ARR bridge
    with use_locale("EUR", "de_DE"):
        ticks = _MoneyTicks().format_ticks(bridge)
        assert len(set(ticks)) == len(ticks)
        assert ticks[:3] == [f"1,25{NBSP}Mio.{NBSP}€", f"1,275{NBSP}Mio.{NBSP}€",
                             f"1,3{NBSP}Mio.{NBSP}€"]
        assert _MoneyTicks().format_ticks([0, 5e5, 1e6]) == [
            f"0{NBSP}€", f"0,5{NBSP}Mio.{NBSP}€", f"1{NBSP}Mio.{NBSP}€"]
        assert _MoneyTicks().format_ticks([-1e5, 0, 1e5]) == [
            f"−100.000{NBSP}€", f"0{NBSP}€", f"100.000{NBSP}€"]  # no short form below 1 Mio.
        assert (signed_score(24.549), signed_score(-1.64)) == ("+24,5", "−1,6")
        fig, ax = plt.subplots(figsize=(4, 2))
        try:
            ax.barh(["a", "b"], [120_000, 310_000])
            money_axis(ax, axis="x")  # long German ticks: few enough not to run together
            fig.canvas.draw()
            assert 2 <= len([t for t in ax.get_xticklabels() if t.get_text()]) <= 5
            ax2 = fig.add_subplot(2, 1, 2)
            ax2.set_ylim(4.4, 5.8)
            score_axis(ax2)
            fig.canvas.draw()
            labels = [t.get_text() for t in ax2.get_yticklabels()]
            assert "4,5" in labels and all(re.fullmatch(r"\d,\d", t) for t in labels), labels
        finally:
            plt.close(fig)
    assert _MoneyTicks().format_ticks(bridge)[:3] == ["$1.25M", "$1.275M", "$1.3M"]
    assert (signed_score(24.549), signed_score(-1.64)) == ("+24.5", "−1.6")


def test_a_month_written_out() -> None:
    from cslib.present.formats import fmt_month_long

    assert fmt_month_long("2025-12") == "December 2025"
    with use_locale("EUR", "de_DE"):
        assert fmt_month_long("2025-12") == "Dezember 2025"


def test_unknown_codes_are_refused_with_a_did_you_mean() -> None:
    with pytest.raises(ParameterError, match=r"`currency` must be an ISO 4217 code .* got 'EURO'"):
        conventions("EURO", "de_DE")
    with pytest.raises(ParameterError, match="Did you mean 'de_DE'"):
        conventions("EUR", "de_DEE")


@pytest.mark.slow
def test_a_euro_report_has_no_dollar_anywhere() -> None:
    report = open_report("company", period="2026Q3", data="sample", company="Larkspur",
                         currency="EUR", locale="de_DE")
    try:
        texts = [narrative.executive_summary(report).text(), tables.headline_kpis(report).text(),
                 tables.segment_table(report, by="segment").text()]
        from cslib.present import charts

        fig = charts.arr_bridge_chart(report.dataset, period=report.period)
        texts += list(fig.texts)
        joined = "\n".join(texts)
        assert "$" not in joined
        assert re.search(r"\d+,\d\xa0Mio\.\xa0€", joined)  # 19,8 Mio. €
        assert "ARR grew 4,7\xa0% from" in joined
        assert "ARR (€)" in joined
        assert report.parameters["currency"] == "EUR"
    finally:
        open_report("company", period="2026Q3", data="sample", company="Larkspur")
    assert active().house  # the next report opened without a locale is back to the default


def _dates() -> tuple[str, ...]:
    from cslib.periods import Period
    from cslib.present.formats import fmt_day, fmt_month_abbr, fmt_month_id, fmt_period, fmt_ratio

    return (fmt_period(Period.parse("2026Q3")), fmt_period(Period.parse("2026Q4")),
            fmt_day("2026-12-06"), fmt_month_abbr("2026-09"),
            fmt_month_abbr("2026-09", standalone=True), fmt_month_id("2026-06"),
            fmt_ratio(2.4, digits=1))


def test_periods_days_and_months_keep_the_house_style_by_default() -> None:
    assert _dates() == ("2026Q3 (Jul–Sep 2026)", "2026Q4 (Oct–Dec 2026)", "2026-12-06", "Sep",
                        "Sep", "2026-06", "2.4x")


@pytest.mark.parametrize(("locale", "want"), [
    ("de_DE", ("2026Q3 (Juli–Sept. 2026)", "2026Q4 (Okt.–Dez. 2026)", "06.12.2026", "Sept.",
               "Sep", "Juni 2026", "2,4x")),
    ("fr_FR", ("2026Q3 (juil.–sept. 2026)", "2026Q4 (oct.–déc. 2026)", "6 déc. 2026", "sept.",
               "sept.", "juin 2026", "2,4x")),
    ("ja_JP", ("2026Q3 (7月–2026年9月)", "2026Q4 (10月–2026年12月)", "2026/12/06", "9月", "9月",
               "2026年6月", "2.4x")),
    ("en_GB", ("2026Q3 (Jul–Sept 2026)", "2026Q4 (Oct–Dec 2026)", "6 Dec 2026", "Sept", "Sept",
               "Jun 2026", "2.4x")),
])
def test_periods_days_and_months_in_other_locales(locale, want) -> None:
    with use_locale("EUR", locale):
        assert _dates() == want


@pytest.mark.slow
def test_a_euro_build_reads_german(tmp_path) -> None:
    """The board pack and a QBR built from a plan with EUR/de_DE: no dollar, no American figure."""
    from pathlib import Path

    from cslib.pipeline.build import build_plan
    from cslib.pipeline.plan import load_plan

    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
output: out
formats: [html]
currency: EUR
locale: de_DE
documents:
  - name: board-pack
    notebook: {notebooks / "board_pack.ipynb"}
  - name: qbr
    notebook: {notebooks / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{ids: [A0003]}}
""")
    result = build_plan(load_plan(plan), period="2026Q3", workers=1, echo=lambda line: None)
    assert [o.status for o in result.outcomes] == ["built", "built"]
    for name in ("board-pack.html", "qbr/a0003-quillon-financial.html"):
        html = (result.out_dir / name).read_text(encoding="utf-8")
        body = html.split("<body", 1)[1]
        text = re.sub(r"<script.*?</script>|<style.*?</style>", "", body, flags=re.S)
        svg_text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", text))
        text = re.sub(r"<[^>]+>", " ", text)
        for shown in (text, svg_text):
            assert "$" not in shown, name
            assert not re.search(r"\d\.\d[KMB]\b|\d[KMB]\b", shown), name  # $1.2M, 45K
        assert "2026Q3 (Juli–Sept. 2026)" in text
        assert re.search(r"\d{1,3}\.\d{3}\xa0€", text), name  # 454.584 €
        assert re.search(r"\b\d{2}\.\d{2}\.2026\b", text), name  # a German day
        assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d", text)
        assert not re.search(r"\b(January|February|March|April|June|July|August|September"
                             r"|October|November|December)\b", text), name
        # No English decimal (+24.5, 4.4; 30.09.2026 is a day) before the appendix, whose
        # definitions quote their sources' formulas (1.96 x ...) and names (CES 2.0).
        before = re.sub(r"<[^>]+>", " ", body.split('<h2 id="appendix"', 1)[0])
        for shown in (before, svg_text):
            assert not re.search(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])", shown), name
            assert not re.search(r"\d%", shown), name  # 95 %, as captions write it too
    index = (result.out_dir / "index.html").read_text(encoding="utf-8")
    assert "$" not in re.sub(r"<script.*?</script>", "", index, flags=re.S)
    assert re.search(r"\d\xa0€", index)  # the run's page lists ARR in euros
    board = (result.out_dir / "board-pack.html").read_text(encoding="utf-8")
    assert re.search(r"\d+,\d\xa0%", board)  # 104,3 %
    assert re.search(r"\d,\d\xa0Mio\.\xa0€", board)  # 19,8 Mio. €
