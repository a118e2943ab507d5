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
