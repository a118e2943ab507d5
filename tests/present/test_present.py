from __future__ import annotations

import pandas as pd
import pytest

from cslib.errors import ConfigError, DataError, ParameterError, PeriodError
from cslib.metrics.satisfaction import MIN_RESPONSES
from cslib.metrics.summary import metrics_frame
from cslib.present import charts, meeting, narrative, tables
from cslib.present.blocks import BLOCK_MIME, Callout, Kpis, Paragraph, Table
from cslib.present.formats import fmt_money, fmt_percent, fmt_points, fmt_signed_percent
from cslib.present.report import open_report
from cslib.secrets import mask_parameters


@pytest.fixture(scope="module")
def company():
    return open_report("company", company="Larkspur", period="2026Q3")


@pytest.fixture(scope="module")
def qbr():
    return open_report("customer", company="Larkspur", period="2026Q3", account_id="A0003")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kind": "board"}, ParameterError, "`kind` must be one of 'company', 'segment', "
         "'customer', 'book'; got 'board'."),
        ({"kind": "segment", "segment": "Enterprse"}, ParameterError,
         "`segment` must be one of 'Enterprise', 'Mid-Market', 'SMB'; got 'Enterprse'. "
         "Did you mean 'Enterprise'?"),
        ({"kind": "customer", "account_id": "A00003"}, ParameterError,
         "Did you mean 'A0003'?"),
        ({"kind": "customer"}, ParameterError,
         "`account_id` must name the customer of the QBR, got ''."),
        ({"kind": "company", "period": "2026-Q3"}, PeriodError, "got '2026-Q3'"),
        ({"kind": "company", "period": "2019Q1"}, PeriodError, "2019Q1"),
        ({"kind": "company", "company": " "}, ParameterError, "`company` must name the company"),
        ({"kind": "company", "fiscal_year_start": 13}, ParameterError,
         "`fiscal_year_start` must be a month number 1-12, got 13."),
        ({"kind": "company", "data": "/no/such/folder"}, ParameterError,
         "`data` must name an existing dataset folder, got '/no/such/folder'"),
        ({"kind": "company", "segmnt": "SMB"}, ParameterError,
         "unknown report parameter(s): segmnt; expected period, data, company, segment, "
         "account_id, group_by, group, fiscal_year_start, health_config, risk_config, title, "
         "audience, share_health, currency, locale. Did you mean `segment`?"),
        ({"kind": "company", "audience": "customer"}, ParameterError,
         "a board pack is internal; only a customer report (a QBR) can have `audience` "
         "'customer'."),
        ({"kind": "customer", "account_id": "A0003", "audience": "custmer"}, ParameterError,
         "`audience` must be one of 'customer', 'internal'; got 'custmer'."),
        ({"kind": "customer", "account_id": "A0003", "share_health": "yes"}, ParameterError,
         "`share_health` must be true or false, got 'yes'."),
        ({"kind": "company", "data": "postgresql://bob:s3cret@127.0.0.1:1/cs"}, DataError,
         "postgresql://bob:***@127.0.0.1:1/cs: connection failed: "),
        ({"kind": "company", "segment": "SMB"}, ParameterError,
         "a company report takes neither `segment` nor `account_id`."),
        ({"kind": "company", "health_config": "/no/health.yaml"}, ConfigError,
         "/no/health.yaml: no such settings file."),
    ],
)
def test_open_report_refuses_bad_parameters(kwargs, error, message):
    kwargs = {"company": "Larkspur", **kwargs}
    kind = kwargs.pop("kind")
    with pytest.raises(error) as err:
        open_report(kind, **kwargs)
    assert message in str(err.value)
    assert "s3cret" not in str(err.value)


def test_report_scopes_the_dataset_and_carries_provenance(qbr, company):
    assert set(qbr.dataset.accounts["account_id"]) == {"A0003"}
    for name, table in qbr.dataset.tables.items():
        assert set(table["account_id"].astype(str)) <= {"A0003"}, name
    assert company.period.label == "2026Q3" and str(company.as_of.date()) == "2026-09-30"
    bundle = qbr._repr_mimebundle_()
    block = bundle[BLOCK_MIME]
    assert block["type"] == "report" and block["audience"] == "customer"
    assert block["subtitle"] == "Quillon Financial"
    assert block["parameters"]["account_id"] == "A0003"
    assert block["parameters"]["data"] == "sample"
    assert len(block["fingerprint"]) == 12 and block["fingerprint"] in bundle["text/plain"]
    # The benchmark is an aggregate over at least five accounts of the segment.
    assert qbr.benchmarks["segment"] == "Enterprise" and qbr.benchmarks["accounts"] >= 5


def test_fingerprint_does_not_depend_on_where_the_data_was_read_from():
    by_name = open_report("company", company="X", data="sample")
    by_path = open_report("company", company="X", data="data/sample")
    assert by_name.fingerprint == by_path.fingerprint
    assert by_path.provenance()["parameters"]["data"] == "sample"  # a folder name, not a path
    other = open_report("company", company="Y", data="sample")
    assert other.fingerprint != by_name.fingerprint


def test_ttm_compares_with_the_ttm_a_year_before():
    report = open_report("company", company="X", period="TTM2026-09")
    kpis = {k.label: k for k in tables.headline_kpis(report).items}
    assert " vs TTM2025-09 (" in kpis["NRR"].delta
    assert not kpis["NRR"].note.startswith("12 months")  # already annual: no second TTM
    assert "vs TTM2025-09" in narrative.executive_summary(report).text()


def test_churned_customer_qbr_does_not_fail():
    report = open_report("customer", company="X", account_id="A0036")  # churned in 2026-08
    review = open_report("customer", company="X", account_id="A0036", audience="internal")
    assert isinstance(tables.health_drivers(review), Callout)
    assert tables.health_drivers(report) is None  # the customer's QBR has no health section
    assert "renews on" in narrative.qbr_summary(report).text()
    assert meeting.next_steps(report).rows and meeting.talking_points(review).items


def test_default_period_is_the_latest_complete_quarter():
    assert open_report("company", company="X").period.label == "2026Q3"


def test_secrets_are_masked():
    masked = mask_parameters({
        "api_token": "abc123",
        "data": "postgresql://cs:hunter2@db.example.com/warehouse",
        "period": "2026Q3",
    })
    assert masked == {
        "api_token": "***",
        "data": "postgresql://cs:***@db.example.com/warehouse",
        "period": "2026Q3",
    }


def test_headline_kpis_match_the_metric_engine(company):
    kpis = tables.headline_kpis(company)
    assert isinstance(kpis, Kpis)
    m = metrics_frame(company.dataset, period="2026Q3").iloc[0]
    prev = metrics_frame(company.dataset, period="2026Q2").iloc[0]
    values = {k.label: k for k in kpis.items}
    assert values["NRR"].value == fmt_percent(m["nrr"])
    assert values["ARR"].value == fmt_money(12 * m["ending_mrr"], compact=True)
    # each change names what it is against and shows that value
    assert values["NRR"].delta == (f"{fmt_points(m['nrr'] - prev['nrr'])} vs 2026Q2 "
                                   f"({fmt_percent(prev['nrr'])})")
    assert values["Logo churn"].good is (m["logo_churn"] < prev["logo_churn"])
    ttm = metrics_frame(company.dataset, period="TTM2026-09").iloc[0]
    year = metrics_frame(company.dataset, period="2025Q3").iloc[0]
    for label, key in (("NRR", "nrr"), ("GRR", "grr"), ("Logo churn", "logo_churn")):
        assert values[label].note == f"12 months to Sep 2026: {fmt_percent(ttm[key])}"
    growth = m["ending_mrr"] / year["ending_mrr"] - 1
    assert values["ARR"].note == (f"{fmt_signed_percent(growth)} year on year "
                                  f"({fmt_money(12 * year['ending_mrr'], compact=True)} in 2025Q3)")
    assert kpis.title == "Headline figures, 2026Q3"
    # 2026Q2 had 4 NPS responses: too few to compare, so no delta is shown.
    assert prev["nps_responses"] < MIN_RESPONSES and values["NPS"].delta == ""


def test_executive_summary_states_the_engine_figures(company):
    text = narrative.executive_summary(company).text()
    m = metrics_frame(company.dataset, period="2026Q3").iloc[0]
    prev = metrics_frame(company.dataset, period="2026Q2").iloc[0]
    change = 100 * (m["nrr"] - prev["nrr"])
    verb = "rose" if change > 0 else "fell"
    phrase = f"Net revenue retention {verb} {abs(change):.1f} points to {fmt_percent(m['nrr'])}"
    assert phrase in text
    assert f"to {fmt_money(12 * m['ending_mrr'], compact=True)} in 2026Q3" in text
    assert f"gross revenue retention was {fmt_percent(m['grr'])}" in text
    # The driver is the segment whose contribution to NRR fell most since 2026Q2:
    # start_s * (NRR_s - 1) / total start. In the sample that is Enterprise, whose
    # expansion slowed while it lost nothing.
    def contributions(period):
        by = metrics_frame(company.dataset, period=period, by="segment")
        return by["starting_mrr"] * (by["nrr"] - 1) / by["starting_mrr"].sum()

    delta = contributions("2026Q3") - contributions("2026Q2")
    segment = delta.idxmin()
    by = metrics_frame(company.dataset, period="2026Q3", by="segment").loc[segment]
    before = metrics_frame(company.dataset, period="2026Q2", by="segment").loc[segment]
    assert segment == "Enterprise" and by["churned_mrr"] == 0
    now_arr = fmt_money(12 * by["expansion_mrr"], compact=True)
    before_arr = fmt_money(12 * before["expansion_mrr"], compact=True)
    expected = f"driven by lower expansion in Enterprise ({now_arr} ARR against {before_arr}"
    assert expected + " in 2026Q2)" in text


@pytest.mark.parametrize(
    ("now", "before", "unit", "expected"),
    [
        (0.972, 1.013, "%", "NRR fell 4.1 points to 97.2%"),
        (1.05, 1.02, "%", "NRR rose 3.0 points to 105.0%"),
        (1.0, 1.0, "%", "NRR held at 100.0%"),
        (0.9, None, "%", "NRR was 90.0%"),
        (None, 0.9, "%", "NRR was not defined"),
        (32.0, 40.5, "pts", "NRR fell 8.5 points to 32.0"),
    ],
)
def test_change_phrase(now, before, unit, expected):
    assert narrative.change_phrase("NRR", now, before, unit=unit) == expected


def test_segment_table_rows_and_total(company):
    table = tables.segment_table(company)
    assert isinstance(table, Table) and table.total
    by = metrics_frame(company.dataset, period="2026Q3", by="segment")
    assert [r[0] for r in table.rows] == [*by.index, "Total"]
    for row, (_, m) in zip(table.rows, by.iterrows(), strict=False):
        assert row[3] == fmt_percent(m["nrr"])


def test_top_risks_rank_red_and_flagged_accounts_by_what_is_at_stake(company):
    """DESIGN.md's priority: ARR x (1 + flags) x band weight (red 3, yellow 2, green 1) x 2
    when renewing within 90 days; red accounts are listed whatever their flags."""
    table = tables.top_risks(company, n=400)
    flags = tables.risk_frame(company)
    health = tables.health_frame(company).reindex(flags.index)
    band = health["health_band"].map({"red": 3, "yellow": 2, "green": 1}).fillna(1)
    urgent = flags["days_to_renewal"].between(0, 90).map({True: 2, False: 1})
    score = 12 * flags["mrr"] * (1 + flags["flags"]) * band * urgent
    keep = (flags["flags"] > 0) | (health["health_band"] == "red")
    expected = (flags.assign(score=score)[keep]
                .sort_values(["score", "mrr", "name"], ascending=[False, False, True]))
    assert [r[0] for r in table.rows] == list(expected["name"])
    red_unflagged = flags[(flags["flags"] == 0) & (health["health_band"] == "red")]
    assert len(red_unflagged) > 0  # the sample has red accounts without a flag: listed, and why
    for _, r in red_unflagged.iterrows():
        row = next(row for row in table.rows if row[0] == r["name"])
        assert row[-1].startswith("red: ") and "(scores " in row[-1]
    assert all(r[-1] for r in table.rows)


def test_qbr_tables_hold_only_the_customer(qbr):
    review = open_report("customer", company="Larkspur", period="2026Q3", account_id="A0003",
                         audience="internal")
    for block in (tables.qbr_kpis(qbr), tables.support_table(qbr),
                  tables.contacts_table(qbr), tables.subscription_table(qbr),
                  narrative.qbr_summary(qbr), meeting.next_steps(qbr), meeting.agenda(qbr),
                  meeting.value_delivered(qbr), tables.health_drivers(review),
                  tables.account_flags(review), tables.customer_comments(review),
                  meeting.talking_points(review), meeting.expansion_prompts(review)):
        assert block is not None
        text = block.text()
        assert "Quillon" in text or "A0003" not in text
        for other in ("Sandpiper", "Mossgate", "Crestmoor"):
            assert other not in text


def test_sections_without_optional_data_say_so():
    from cslib.present.report import resolve_data

    full = resolve_data("sample")
    from cslib import from_frames

    frames = {n: full.tables[n].astype({"month": str}) if n == "mrr" else full.tables[n]
              for n in ("accounts", "mrr")}
    minimal = from_frames(frames)
    report = open_report("customer", company="X", data=minimal, account_id="A0003",
                         audience="internal")
    # each section of the internal review says once, in words, what the data lacks; its later
    # blocks show nothing
    said = {
        "The data has no success-plan goals (no goals table), so the success plan cannot be "
        "shown.": tables.goals_table(report),
        "The data has no support tickets (no tickets table), so support cannot be shown.":
            narrative.support_summary(report),
        "The data has no contacts (no contacts table), so relationships cannot be shown.":
            tables.contacts_table(report),
        "The data has no usage table (active users, licensed seats), so adoption cannot be "
        "shown.": narrative.adoption_summary(report),
    }  # fmt: skip
    for text, block in said.items():
        assert isinstance(block, Callout) and block.text() == f"[info] {text}"
    assert tables.support_table(report) is None
    assert charts.adoption_chart(report.dataset, period=report.period) is None
    assert charts.relationship_coverage_chart(report.dataset, as_of=report.as_of) is None
    assert charts.goal_progress_chart(report.dataset, as_of=report.as_of) is None
    assert narrative.qbr_summary(report).text().startswith("In 2026Q3, the account's health")
    # the customer's own QBR never talks about data tables: those sections show nothing (and are
    # left out of the document) and the summary states what there is
    shared = open_report("customer", company="X", data=minimal, account_id="A0003")
    assert [tables.goals_table(shared), narrative.support_summary(shared),
            narrative.adoption_summary(shared), tables.health_drivers(shared),
            meeting.value_delivered(shared)] == [None] * 5
    assert narrative.qbr_summary(shared).text().startswith("The subscription renews on")
    company = open_report("company", company="X", data=minimal)
    assert narrative.satisfaction_summary(company).text() == (
        "[info] The data has no NPS survey (no nps table) and no support tickets (no tickets "
        "table), so satisfaction cannot be shown."
    )
    assert charts.satisfaction_trend_chart(company.dataset, period=company.period) is None
    # no flag can be evaluated, but health (from the MRR alone) can: red accounts are listed
    assert isinstance(tables.top_risks(company), Table)
    assert "no flag is evaluated" in narrative.risk_summary(company).text()
    assert isinstance(narrative.executive_summary(company), Paragraph)


def test_blocks_escape_data_in_notebook_html():
    table = Table("t", ("Account",), (("<script>alert(1)</script>",),))
    html = table._repr_mimebundle_()["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\\|" in Table("t", ("a",), (("x|y",),)).markdown()


def test_periods_outside_the_data_have_no_comparison():
    report = open_report("company", company="X", period="2024Q1")
    assert tables.headline_figures(report, report.period.shift(-4)) is None
    assert "does not reach back" in narrative.retention_summary(report).text()


def test_as_of_is_the_period_end_or_the_data_end():
    report = open_report("company", company="X", period="2026-10")
    assert report.as_of == pd.Timestamp("2026-10-31")


@pytest.mark.parametrize(
    "name", ["qbr_kpis", "health_drivers", "contacts_table", "subscription_table"]
)
def test_a_customer_table_on_a_company_report_says_what_it_needs(company, name):
    # fails before: a bare ValueError ("this table is for a customer QBR ...")
    with pytest.raises(ParameterError) as err:
        getattr(tables, name)(company)
    assert str(err.value) == (
        f"`tables.{name}` shows one customer's figures, so it needs a customer report, got a "
        "company report; open one with open_report('customer', account_id=...)."
    )


def test_tables_are_split_by_audience_and_importable_from_one_place():
    from cslib.present.tables import company, customer

    assert tables.qbr_kpis is customer.qbr_kpis and tables.headline_kpis is company.headline_kpis
    assert set(company.__all__) | set(customer.__all__) <= set(tables.__all__)


def test_the_support_sentence_and_table_share_one_computation(monkeypatch):
    # the sentence and the table read one computation per period (each made its own before)
    from cslib.present import figures

    calls: list[str] = []
    real = figures.ticket_summary
    monkeypatch.setattr(figures, "ticket_summary",
                        lambda tickets, *, period, groups=None: calls.append(period.label) or real(
                            tickets, period=period, groups=groups))
    qbr = open_report("customer", company="Larkspur", period="2026Q3", account_id="A0004")
    sentence, table = narrative.support_summary(qbr), tables.support_table(qbr)
    assert sorted(calls) == ["2026Q2", "2026Q3"]
    assert "Your team opened 2 tickets and we closed 2 in 2026Q3" in sentence.text()
    assert [row[0] for row in table.rows][:2] == ["Tickets opened", "Tickets closed"]


def test_new_customers_are_not_listed_as_expansions():
    """An account that starts the period at $0 and grows after its first month is new
    business ("$0 -> $1.0M"), listed apart; top expansions are customers of the start.
    RavenStack's last quarter has 58 such accounts (the sample company none)."""
    from pathlib import Path

    from cslib.metrics.revenue import account_movements

    data = Path(__file__).resolve().parents[2] / "data" / "ravenstack"
    company = open_report("company", company="RavenStack", data=str(data))

    moves = account_movements(company.dataset.mrr, period=company.period)
    names = company.dataset.accounts.set_index("account_id")["name"]
    new = moves[(moves["starting_mrr"] == 0) & (moves["new_mrr"] > 0)]
    grew_after_joining = new[new["expansion_mrr"] > 0]
    assert not grew_after_joining.empty  # the sample has the case the rule is about
    expansions, newcomers = tables.top_expansions(company, n=500), tables.new_customers(company)
    listed = {row[0] for row in expansions.rows}
    assert not listed & set(names[new["account_id"]])
    assert all(row[2] != "$0" for row in expansions.rows)
    top = new.sort_values("ending_mrr", ascending=False).head(10)
    assert [row[0] for row in newcomers.rows] == list(names[top["account_id"]])
    assert newcomers.caption.startswith(f"{len(new)} new customers, ")


@pytest.mark.parametrize("segment", [None, "SMB", "Mid-Market", "Enterprise"])
def test_arr_growth_says_from_what_to_what_and_the_two_read_differently(segment):
    import re

    report = (open_report("segment", company="X", segment=segment) if segment
              else open_report("company", company="X"))
    text = narrative.executive_summary(report).text()
    match = re.match(r"ARR (grew|shrank) [\d.]+% from (\S+) to (\S+) in 2026Q3\. ", text)
    assert match, text
    assert match.group(2) != match.group(3)  # SMB: $1.3M both at one decimal: $1.29M -> $1.35M


def test_a_segment_review_shows_nps_by_region_and_one_group_is_not_called_by():
    import dataclasses

    report = open_report("segment", company="X", segment="SMB")
    chart = charts.nps_breakdown_chart(report.dataset, period=report.period,
                                       by=("region", "segment"))
    assert chart.title == "NPS by region, 2026Q3"
    accounts = report.dataset.accounts.drop(columns=["region"])
    no_region = dataclasses.replace(report.dataset, tables={**report.dataset.tables,
                                                             "accounts": accounts})
    chart = charts.nps_breakdown_chart(no_region, period=report.period, by=("region", "segment"))
    assert chart.title == "NPS, 2026Q3"  # one bar, the segment's total: not "NPS by segment"


def test_a_qbr_shows_the_health_score_only_when_the_plan_opts_in():
    shared = open_report("customer", company="X", account_id="A0003")
    opted = open_report("customer", company="X", account_id="A0003", share_health=True)
    review = open_report("customer", company="X", account_id="A0003", audience="internal")
    assert "Health score" not in tables.qbr_kpis(shared).text()
    assert "health score" not in narrative.qbr_summary(shared).text()
    assert tables.health_drivers(shared) is None
    for report in (opted, review):
        assert "Health score" in tables.qbr_kpis(report).text()
        assert "health score is" in narrative.qbr_summary(report).text()
        assert isinstance(tables.health_drivers(report), Table)
    assert len({shared.fingerprint, opted.fingerprint, review.fingerprint}) == 3
    assert (shared.title, review.title) == ("Quarterly business review", "Account review")
    assert tables.account_flags(shared) is None and tables.customer_comments(shared) is None


def test_flags_are_named_in_plain_words_with_their_evidence():
    import pandas as pd

    from cslib.metrics.risk import RiskSettings
    from cslib.present.tables._cells import flag_reasons

    row = pd.Series({"renewal_at_risk": True, "days_to_renewal": 41.0,
                     "days_since_executive_contact": 63.0, "single_threaded": True,
                     "strong_executives": 1, "segment": "Enterprise", "build_a_champion": False,
                     "emergency": True, "active_users_change": -0.28,
                     "days_since_user_contact": float("nan")})
    assert flag_reasons(row, RiskSettings()) == {
        "renewal_at_risk": "renews in 41 days; no executive contact for 63 days",
        "single_threaded": "only 1 strong executive relationship (2 wanted)",
        "emergency": "active users down 28% in 3 months; no user contact recorded",
    }


def test_next_steps_have_an_owner_and_a_date_and_no_internal_reason_for_the_customer():
    qbr = open_report("customer", company="Larkspur", account_id="A0003")
    review = open_report("customer", company="Larkspur", account_id="A0003", audience="internal")
    shared, inside = meeting.next_steps(qbr), meeting.next_steps(review)
    assert shared.columns == ("Next step", "Owner", "By")
    assert inside.columns == ("Next step", "Owner", "By", "Why (internal)")
    assert [r[:3] for r in inside.rows] == [tuple(r) for r in shared.rows]
    # Quillon renews on 2026-12-06 with its last executive contact 27 days before the snapshot
    assert shared.rows[0] == ("Plan the renewal of Dec 6, 2026 together: the seats, terms and "
                              "goals of the next term.", "Both teams", "Nov 14, 2026")
    assert inside.rows[0][3] == "renews in 67 days; no executive contact for 27 days"
    dates = [pd.Timestamp(r[2]) for r in shared.rows]
    assert dates == sorted(dates)
