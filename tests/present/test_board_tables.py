"""The board's tables recomputed independently from the sample company's CSV files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cslib.present import tables
from cslib.present.formats import fmt_count, fmt_money, fmt_percent
from cslib.present.report import open_report

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def company():
    return open_report("company", company="Larkspur", period="2026Q3")


@pytest.fixture(scope="module")
def csv():
    return {name: pd.read_csv(SAMPLE / f"{name}.csv")
            for name in ("accounts", "mrr", "tickets", "nps")}


def test_renewals_ahead_count_the_paying_accounts_renewing_in_each_quarter(company, csv):
    mrr = csv["mrr"][(csv["mrr"]["month"] == "2026-09") & (csv["mrr"]["mrr"] > 0)]
    acc = csv["accounts"].merge(mrr, on="account_id")
    acc["renewal_date"] = pd.to_datetime(acc["renewal_date"])
    table = tables.renewals_ahead(company)
    for row, (start, end) in zip(table.rows, (("2026-10-01", "2026-12-31"),
                                              ("2027-01-01", "2027-03-31")), strict=False):
        inside = acc[acc["renewal_date"].between(start, end)]
        assert row[1] == fmt_count(len(inside))
        assert row[2] == fmt_money(12 * inside["mrr"].sum(), compact=True)
        assert int(row[3]) + int(row[5]) == len(inside)  # likely + at risk
    assert table.rows[-1][0] == "Both quarters"
    # at risk: red, an emergency, or a renewal-at-risk flag on an account that is not green
    flags = tables.risk_frame(company)
    bands = tables.health_frame(company)["health_band"].reindex(flags.index)
    q4 = flags["renewal_date"].between("2026-10-01", "2026-12-31")
    risky = (bands == "red") | flags["emergency"].fillna(False).astype(bool) \
        | (flags["renewal_at_risk"].fillna(False).astype(bool) & (bands != "green"))
    assert table.rows[0][5] == fmt_count((q4 & risky).sum())


def test_losses_list_every_churned_and_contracted_customer_with_arr_lost(company, csv):
    m = csv["mrr"].pivot_table(index="account_id", columns="month", values="mrr",
                               fill_value=0.0)
    months = ["2026-06", "2026-07", "2026-08", "2026-09"]
    steps = m.reindex(columns=months, fill_value=0.0).diff(axis=1).iloc[:, 1:]
    lost = (-steps.clip(upper=0)).sum(axis=1)  # churned + contraction, month by month
    names = csv["accounts"].set_index("account_id")["name"]
    lost = lost[lost > 0]
    order = sorted(lost.index, key=lambda a: (-round(lost[a], 6), names[a]))  # ties by name
    table = tables.losses(company, n=100)
    assert [r[0] for r in table.rows] == [names[a] for a in order]
    shown = {r[0]: r[2] for r in table.rows}
    for aid, value in lost.items():
        assert shown[names[aid]] == fmt_money(12 * value, compact=True), aid
    assert all(r[4].startswith(("health ", "no health score")) for r in table.rows)
    assert tables.losses(open_report("customer", company="L", account_id="A0003")) is None


def test_ticket_themes_count_the_period_tickets_by_category(company, csv):
    t = csv["tickets"]
    opened = pd.to_datetime(t["opened_on"])
    now = t[(opened >= "2026-07-01") & (opened <= "2026-09-30")]
    counts = now["category"].value_counts()
    table = tables.ticket_themes(company)
    top = table.rows[0]
    assert top[0] == counts.index[0] and top[1] == fmt_count(counts.iloc[0])
    assert top[2] == fmt_percent(counts.iloc[0] / len(now), digits=0)
    before = t[(opened >= "2026-04-01") & (opened <= "2026-06-30")]
    assert top[3] == fmt_count((before["category"] == counts.index[0]).sum())
    assert tables.ticket_themes(open_report("customer", company="L", account_id="A0003")) is None


def test_what_customers_said_quotes_promoters_and_detractors_verbatim(company, csv):
    nps = csv["nps"].dropna(subset=["comment"])
    day = pd.to_datetime(nps["responded_on"])
    year = nps[(day > "2025-09-30") & (day <= "2026-09-30")]
    table = tables.customer_comments(company)
    scores = [int(r[2]) for r in table.rows]
    assert scores[:3] == [s for s in scores[:3] if s >= 9] and all(s <= 6 for s in scores[3:])
    quoted = {r[3].strip("“”") for r in table.rows}
    assert quoted <= set(year["comment"])
    worst = year[year["score"] <= 6]["comment"].value_counts()
    assert f"“{worst.index[0]}” ({worst.iloc[0]} answers)" in table.caption


def test_the_dashboard_shows_renewal_rate_goals_and_advocacy(company):
    cards = {k.label: k for k in tables.outlook_kpis(company).items}
    assert {"Renewing in 2026Q4", "Renewing in 2027Q1", "Red accounts", "Logo renewal rate",
            "Goals achieved", "Advocates, 12 months"} <= set(cards)
    outcomes = {r[0]: r for r in tables.customer_outcomes(company).rows}
    assert outcomes["Logo renewal rate"][2].startswith(cards["Logo renewal rate"].value)
    assert cards["Logo renewal rate"].delta.endswith(
        f"vs 2026Q2 ({outcomes['Logo renewal rate'][1].split(' ')[0]})")
