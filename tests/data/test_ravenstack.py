"""RavenStack importer: the overlap rule, the mapping, the published figure, bad input, reports.

``tests/fixtures/ravenstack_mini`` is a hand-made RavenStack folder (the real
headers, rows written by hand). Its monthly MRR, worked out on paper from the
rule "start_date <= month end and (end_date empty or end_date >= month
start)", as of 2024-06-30 (its latest subscription date):

==========  ===================================================  =========================
account     subscriptions (start .. end, mrr_amount)             MRR by month
==========  ===================================================  =========================
Company_1   S1 01-15..03-10 100; S2 02-01..open 50 (annual);     Jan 100, Feb 150, Mar 175,
            S3 03-31..04-01 25 (one day in each of two months)    Apr 75, May 50, Jun 50
Company_10  S4 04-30..open 0 (trial); S5 05-01..06-30 1000        Apr 0, May 1000, Jun 1000
Company_2   S6 2023-08-15..open 10 (annual); S7 02-29..open 5     2023-08..2024-01 10,
                                                                  2024-02..06 15
Company_3   S8 02-29..open 40 (annual); S9 06-30..06-30 7         Feb..May 40, Jun 47
==========  ===================================================  =========================

2024Q2 (start book 2024-03, end book 2024-06): start 175 + 15 + 40 = 230; new
1,000 (Company_10's first paying month is May: April's trial pays 0);
expansion 7 (Company_3 in June); contraction 100 + 25 = 125 (Company_1 in April
and May); end 50 + 1,000 + 15 + 47 = 1,112 = 230 + 1,000 + 7 - 125. NRR =
(50 + 15 + 47) / 230, GRR = (50 + 15 + 40) / 230.

The real folder (``../shared/datasets/ravenstack``) is not in the repository:
tests that read it are skipped when it is absent (a clean CI clone); the
committed import ``data/ravenstack`` and the fixture are always tested.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

import cslib
from cslib.cli import main
from cslib.data.importers import ravenstack
from cslib.data.importers.ravenstack import OUTPUT_FILES, import_ravenstack, monthly_mrr
from cslib.errors import DataError, ParameterError
from cslib.pipeline.build import build_plan
from cslib.pipeline.leaks import LeakScanner
from cslib.pipeline.plan import AccountFilter, load_plan
from cslib.present import charts, narrative, tables
from cslib.present.blocks import Figure, Table
from cslib.present.report import open_report

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "ravenstack_mini"
REAL = ROOT.parent / "shared" / "datasets" / "ravenstack"  # the Makefile's RAVENSTACK
COMMITTED = ROOT / "data" / "ravenstack"
needs_real = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"the RavenStack source folder {REAL} is not here"
)

#: The published figure (SOURCE.md): MRR of $10.7M in December 2024, 10,734,251 exactly.
DEC_2024_MRR = 10_734_251.0

MINI_MRR = {
    ("A-000001", "2024-01"): 100.0, ("A-000001", "2024-02"): 150.0,
    ("A-000001", "2024-03"): 175.0, ("A-000001", "2024-04"): 75.0,
    ("A-000001", "2024-05"): 50.0, ("A-000001", "2024-06"): 50.0,
    ("A-000010", "2024-04"): 0.0, ("A-000010", "2024-05"): 1000.0,
    ("A-000010", "2024-06"): 1000.0,
    **{("A-000002", m): 10.0 for m in ("2023-08", "2023-09", "2023-10", "2023-11", "2023-12",
                                       "2024-01")},
    **{("A-000002", f"2024-0{m}"): 15.0 for m in range(2, 7)},
    **{("A-000003", f"2024-0{m}"): 40.0 for m in range(2, 6)},
    ("A-000003", "2024-06"): 47.0,
}  # fmt: skip


def _leftovers(folder: Path) -> list[str]:
    """Temporary folders an import left beside its destination."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the hand-made fixture."""
    return Path(shutil.copytree(MINI, tmp_path / "src"))


# The overlap rule -----------------------------------------------------------------------
def _subs(*rows: tuple[str, str, str | None, float]) -> pd.DataFrame:
    account, start, end, mrr = zip(*rows, strict=True)
    return pd.DataFrame({"account_id": account, "start": pd.to_datetime(start),
                         "end": pd.to_datetime(list(end)), "mrr": mrr})


@pytest.mark.parametrize(
    ("subs", "expected"),
    [
        # two overlapping subscriptions add up; the open one runs to the as-of month
        (_subs(("a", "2024-01-15", "2024-02-10", 100.0), ("a", "2024-02-01", None, 50.0)),
         [("a", "2024-01", 100.0), ("a", "2024-02", 150.0), ("a", "2024-03", 50.0)]),
        # one day in each of two months counts in both, in full (no proration)
        (_subs(("a", "2024-01-31", "2024-02-01", 30.0)),
         [("a", "2024-01", 30.0), ("a", "2024-02", 30.0)]),
        # a subscription of a single day counts for its month
        (_subs(("a", "2024-03-31", "2024-03-31", 7.0)), [("a", "2024-03", 7.0)]),
        # an ended subscription stops after its end month; a trial (0) still makes a row
        (_subs(("b", "2023-12-01", "2024-01-31", 20.0), ("a", "2024-03-01", None, 0.0)),
         [("a", "2024-03", 0.0), ("b", "2023-12", 20.0), ("b", "2024-01", 20.0)]),
        # accounts are summed separately
        (_subs(("a", "2024-03-01", None, 1.0), ("b", "2024-03-02", None, 2.0),
               ("a", "2024-03-31", None, 4.0)),
         [("a", "2024-03", 5.0), ("b", "2024-03", 2.0)]),
    ],
)  # fmt: skip
def test_overlapping_subscriptions_sum_by_month(subs, expected) -> None:
    out = monthly_mrr(subs, as_of=pd.Timestamp("2024-03-31"))
    assert list(out.itertuples(index=False, name=None)) == expected


def test_mini_fixture_gives_the_hand_computed_tables(mini: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "ravenstack"
    summary = import_ravenstack(mini, dest)
    assert sorted(p.name for p in dest.iterdir()) == sorted(OUTPUT_FILES)
    assert _leftovers(dest.parent) == []
    mrr = pd.read_csv(dest / "mrr.csv", dtype={"month": str})
    keys = zip(mrr["account_id"], mrr["month"], strict=True)
    assert dict(zip(keys, mrr["mrr"], strict=True)) == MINI_MRR
    assert len(mrr) == len(MINI_MRR) == summary.mrr_rows == 25
    accounts = pd.read_csv(dest / "accounts.csv", keep_default_na=False).set_index("account_id")
    assert accounts.to_dict("index") == {
        "A-000001": {"name": "Company_1", "segment": "Basic", "region": "NA",
                     "industry": "FinTech", "plan": "Basic", "renewal_date": "2025-02-01"},
        # the earlier of two annual anniversaries; a 29 February start renews on the 28th
        "A-000002": {"name": "Company_2", "segment": "Pro", "region": "APAC",
                     "industry": "DevTools", "plan": "Pro", "renewal_date": "2024-08-15"},
        "A-000003": {"name": "Company_3", "segment": "Pro", "region": "BR",
                     "industry": "HealthTech", "plan": "Pro", "renewal_date": "2025-02-28"},
        # its annual term ended; a monthly one does not make a renewal date
        "A-000010": {"name": "Company_10", "segment": "Enterprise", "region": "EMEA",
                     "industry": "EdTech", "plan": "Enterprise", "renewal_date": ""},
    }  # fmt: skip
    assert (dest / "tickets.csv").read_text() == (
        "ticket_id,account_id,opened_on,closed_on,priority,csat\n"
        "T-000001,A-000001,2024-03-01,2024-03-02,high,4\n"
        "T-000002,A-000010,2024-05-05,2024-05-06,low,\n"
        "T-000003,A-000002,2024-06-01,2024-06-01,urgent,3\n"
        "T-000004,A-000003,2024-06-20,,medium,\n"
    )
    assert summary.line() == (
        f"Imported RavenStack into {dest}: 4 accounts, 25 MRR rows (2023-08..2024-06, as of "
        "2024-06-30), 4 tickets (2 with CSAT); no data for usage, accounts.csm, tickets.ces, "
        "nps, contacts, activities, goals, advocacy."
    )


def test_mini_import_through_the_metric_engine(mini: Path, tmp_path: Path) -> None:
    import_ravenstack(mini, tmp_path / "rs")
    total = cslib.period_metrics(cslib.load(tmp_path / "rs"), period="2024Q2")["total"]
    assert (total["starting_mrr"], total["ending_mrr"]) == (230.0, 1112.0)
    assert (total["new_mrr"], total["expansion_mrr"], total["contraction_mrr"],
            total["churned_mrr"]) == (1000.0, 7.0, 125.0, 0.0)
    assert total["nrr"] == pytest.approx(112 / 230)
    assert total["grr"] == pytest.approx(105 / 230)
    assert (total["csat"], total["csat_responses"]) == (0.0, 1)  # T-000003: a 3 of 5


# The real dataset and its published figure ------------------------------------------------
def test_committed_copy_meets_the_contract_and_reproduces_the_published_mrr() -> None:
    assert sorted(p.name for p in COMMITTED.iterdir()) == sorted(OUTPUT_FILES)
    assert sum(p.stat().st_size for p in COMMITTED.iterdir()) < 2_000_000
    ds = cslib.load(COMMITTED)
    assert (len(ds.accounts), len(ds.mrr), len(ds.get("tickets"))) == (500, 5257, 2000)
    assert ds.get("usage") is None and ds.get("nps") is None
    total = cslib.period_metrics(ds, period="2024Q4")["total"]
    assert total["ending_mrr"] == DEC_2024_MRR
    assert total["customers_end"] == 500


@needs_real
def test_committed_copy_is_what_the_importer_writes(tmp_path: Path) -> None:
    import_ravenstack(REAL, tmp_path / "rs")
    for name in OUTPUT_FILES:
        assert (tmp_path / "rs" / name).read_bytes() == (COMMITTED / name).read_bytes(), (
            f"data/ravenstack/{name} is stale: run `make ravenstack`"
        )


@needs_real
def test_every_month_matches_the_rule_applied_to_the_raw_subscriptions() -> None:
    subs = pd.read_csv(REAL / "ravenstack_subscriptions.csv", parse_dates=["start_date",
                                                                           "end_date"])
    mrr = cslib.load(COMMITTED).mrr
    by_month = mrr.groupby(mrr["month"].astype(str))["mrr"].sum()
    for month in pd.period_range("2023-01", "2024-12", freq="M"):
        first, last = month.start_time, month.end_time.normalize()
        active = (subs["start_date"] <= last) & (
            subs["end_date"].isna() | (subs["end_date"] >= first)
        )
        assert by_month[str(month)] == subs.loc[active, "mrr_amount"].sum(), str(month)
    assert by_month["2024-12"] == DEC_2024_MRR


# Bad input ------------------------------------------------------------------------------
def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / f"ravenstack_{name}.csv"
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


FILES = ("ravenstack_accounts.csv, ravenstack_subscriptions.csv, ravenstack_support_tickets.csv, "
         "ravenstack_churn_events.csv")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: (d / "ravenstack_support_tickets.csv").unlink(),
         "{src}: ravenstack_support_tickets.csv missing; a RavenStack folder holds " + FILES
         + " (the dataset's Raw/ folder, unchanged)."),
        (lambda d: _edit(d, "subscriptions", ",mrr_amount,", ",mrr,"),
         "{src}/ravenstack_subscriptions.csv: column 'mrr_amount' is required but missing; the "
         "file has: subscription_id, account_id, start_date, end_date, plan_tier, seats, mrr, "
         "arr_amount, is_trial, upgrade_flag, downgrade_flag, churn_flag, billing_frequency, "
         "auto_renew_flag."),
        (lambda d: _edit(d, "subscriptions", "A-000001,2024-03-31,", "A-000001,2024-03-32,"),
         "{src}/ravenstack_subscriptions.csv: column 'start_date' must be a date written "
         "YYYY-MM-DD; 1 row: line 4 ('2024-03-32')"),
        (lambda d: _edit(d, "subscriptions", "Enterprise,20,1000,", "Enterprise,20,-1000,"),
         "{src}/ravenstack_subscriptions.csv: column 'mrr_amount' must be a number >= 0; "
         "1 row: line 6 ('-1000')"),
        (lambda d: _edit(d, "subscriptions", "2023-08-15,,", "2023-08-15,2023-08-01,"),
         "{src}/ravenstack_subscriptions.csv: column 'end_date' must not be before start_date; "
         "1 row: line 7 ('2023-08-01')"),
        (lambda d: _edit(d, "support_tickets", "T-000003,A-000002,", "T-000003,A-999999,"),
         "{src}/ravenstack_support_tickets.csv: column 'account_id' must name an account in "
         "ravenstack_accounts.csv; 1 row: line 4 ('A-999999')"),
        (lambda d: _edit(d, "support_tickets", "urgent,5,3.0,", "urgent,5,7.0,"),
         "{src}/ravenstack_support_tickets.csv: column 'satisfaction_score' must be a whole "
         "number from 1 to 5 or empty; 1 row: line 4 ('7.0')"),
        (lambda d: _edit(d, "subscriptions", "S-000002,", "S-000001,"),
         "{src}/ravenstack_subscriptions.csv: column 'subscription_id' must be unique; "
         "2 rows: line 2 ('S-000001'), line 3 ('S-000001')"),
    ],
)  # fmt: skip
def test_bad_input_is_named_by_file_column_and_line(mini, tmp_path, change, message) -> None:
    change(mini)
    (tmp_path / "out").mkdir()
    dest = tmp_path / "out" / "rs"
    with pytest.raises(DataError) as err:
        import_ravenstack(mini, dest)
    assert str(err.value) == message.format(src=mini)
    assert not dest.exists() and _leftovers(dest.parent) == []


def test_every_problem_is_listed_at_once(mini: Path, tmp_path: Path) -> None:
    _edit(mini, "subscriptions", "A-000001,2024-03-31,", "A-000001,2024-03-32,")
    _edit(mini, "support_tickets", "2024-06-01,2024-06-01 03:00:00", "2024-06-01,2024-05-01")
    with pytest.raises(DataError) as err:
        import_ravenstack(mini, tmp_path / "rs")
    assert str(err.value) == (
        f"{mini}: the RavenStack files cannot be imported (2 problems):\n"
        "  - ravenstack_subscriptions.csv: column 'start_date' must be a date written "
        "YYYY-MM-DD; 1 row: line 4 ('2024-03-32')\n"
        "  - ravenstack_support_tickets.csv: column 'closed_at' must not be before "
        "submitted_at; 1 row: line 4 ('2024-05-01')"
    )


def test_no_such_source_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        import_ravenstack(tmp_path / "nowhere", tmp_path / "rs")
    assert str(err.value) == (
        f"{tmp_path / 'nowhere'}: no such folder; expected the RavenStack CSV files ({FILES})."
    )


def test_a_destination_holding_other_files_is_refused(mini: Path, tmp_path: Path) -> None:
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")
    with pytest.raises(ParameterError) as err:
        import_ravenstack(mini, dest)
    assert str(err.value) == (
        f"{dest}: holds files an import does not write (notes.txt); expected a new folder or "
        "one an earlier import wrote. Choose another DEST or empty it."
    )
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_output_is_validated_before_it_replaces_an_earlier_import(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "rs"
    import_ravenstack(mini, dest)
    before = {p.name: p.read_bytes() for p in dest.iterdir()}

    def broken(subscriptions: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
        return pd.DataFrame({"account_id": ["A-000001"], "month": ["2024-06"], "mrr": [-5.0]})

    monkeypatch.setattr(ravenstack, "monthly_mrr", broken)  # a mapping bug
    with pytest.raises(DataError) as err:
        import_ravenstack(mini, dest)
    assert str(err.value).startswith(
        f"{mini}: the imported tables do not meet the data contract; nothing was written to "
        f"{dest}:\n  - mrr.csv: column 'mrr' must be a number >= 0; 1 row: line 2"
    )
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    assert _leftovers(tmp_path) == []
    monkeypatch.undo()
    import_ravenstack(mini, dest)  # an earlier import is replaced whole
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before


def test_command_line(mini: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["import", "ravenstack", str(mini), str(tmp_path / "rs")]) == 0
    assert out.getvalue().startswith(f"Imported RavenStack into {tmp_path / 'rs'}: 4 accounts,")
    assert out.getvalue().count("\n") == 1 and err.getvalue() == ""
    (mini / "ravenstack_accounts.csv").unlink()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["import", "ravenstack", str(mini), str(tmp_path / "rs2")]) == 2
    assert err.getvalue() == (
        f"cslib: invalid data: {mini}: ravenstack_accounts.csv missing; a RavenStack folder "
        f"holds {FILES} (the dataset's Raw/ folder, unchanged).\n"
    )
    assert out.getvalue() == "" and not (tmp_path / "rs2").exists()


# Reports from the imported data -------------------------------------------------------------
@pytest.fixture(scope="module")
def company():
    return open_report("company", data=str(COMMITTED), period="2024Q4", company="RavenStack")


def test_board_pack_sections_say_what_the_data_lacks(company) -> None:
    summary = narrative.satisfaction_summary(company)
    assert summary.text() == (
        "In 2024Q4, CSAT 64.1% from 167 rated tickets. The data has no NPS survey (no nps "
        "table) and no effort scores (no ces column in tickets)."
    )
    chart = charts.satisfaction_trend_chart(company.dataset, period=company.period)
    assert isinstance(chart, Figure) and chart.title == "CSAT, 8 quarters to 2024Q4"
    assert "NPS not recorded in the data, CES not recorded in the data" in chart.alt
    assert charts.nps_breakdown_chart(company.dataset, period=company.period) is None
    segments = tables.segment_table(company)
    assert segments.columns == ("Segment", "Accounts", "ARR", "NRR", "GRR", "Logo churn",
                                "CSAT")
    assert segments.rows[-1][2] == "$128.8M"  # 12 x 10,734,251
    kpis = {k.label: k for k in tables.headline_kpis(company).items}
    assert (kpis["NPS"].value, kpis["NPS"].note) == ("–", "not recorded in the data")
    assert "nps" not in tables.headline_kpis(company).definitions
    # no flag can be evaluated (no usage, contacts, activities): the summary says so, and the
    # list holds the red accounts, the health score being read from what the data has
    assert "so no flag is evaluated" in narrative.risk_summary(company).text()
    risks = tables.top_risks(company)
    assert isinstance(risks, Table) and all(r[3].endswith(" red") for r in risks.rows)


def test_leak_scan_tells_company_1_from_company_10() -> None:
    accounts = cslib.load(COMMITTED).accounts
    ids = dict(zip(accounts["name"], accounts["account_id"], strict=True))
    scanner = LeakScanner(accounts, company="RavenStack")
    assert scanner.scan({"HTML": "Company_10 grew, Company_100 too"},
                        allowed=[ids["Company_10"], ids["Company_100"]]) == []
    leaks = scanner.scan({"HTML": "Company_10 and Company_1"}, allowed=[ids["Company_10"]])
    assert [(leak.account_id, leak.value) for leak in leaks] == [(ids["Company_1"], "Company_1")]


def test_qbrs_build_from_the_imported_data(tmp_path: Path) -> None:
    accounts = cslib.load(COMMITTED).accounts
    ids = dict(zip(accounts["name"], accounts["account_id"], strict=True))
    wanted = (ids["Company_1"], ids["Company_10"], ids["Company_100"])
    plan = load_plan(ROOT / "params" / "ravenstack.yaml")
    assert plan.period == "2024Q4" and Path(plan.data) == COMMITTED
    docs = tuple(dataclasses.replace(d, accounts=AccountFilter(ids=wanted), formats=("html",))
                 for d in plan.documents if d.name in ("qbr", "account-review"))
    plan = dataclasses.replace(plan, documents=docs, output=tmp_path / "reports")
    result = build_plan(plan, workers=1, echo=lambda _line: None)
    assert [o.status for o in result.outcomes] == ["built"] * 6, [o.error for o in result.outcomes]
    pages = {p.stem: p.read_text() for p in (result.out_dir / "qbr").glob("*.html")}
    reviews = [p.read_text() for p in (result.out_dir / "account-review").glob("*.html")]
    assert len(pages) == len(reviews) == 3
    for page in reviews:  # the CSM's review says what the data lacks...
        for said in ("The data has no success-plan goals (no goals table)",
                     "The data has no usage table (active users, licensed seats)",
                     "The data has no contacts (no contacts table)",
                     "could not be evaluated: the data has no usage, contacts or activities"):
            assert said in page
    for page in pages.values():  # ...the customer's QBR leaves those sections out
        seen = re.sub(r"<[^>]+>", "|", re.sub(r"<style\b.*?</style>", "", page, flags=re.S))
        for said in ("The data has no", "table", "|Success plan|", "|Adoption|",
                     "Ease of resolution", "No NPS"):
            assert said not in seen
        assert "Next steps" in page and "Agenda" in page
    one = next(v for k, v in pages.items() if k.endswith("company-1"))
    assert "Company_1" in one and "Company_10" not in one and "Company_100" not in one


def test_make_reports_uses_the_plans_own_data() -> None:
    """`make reports PLAN=params/ravenstack.yaml` must not fall back to the sample company."""
    import subprocess

    def dry_run(*args: str) -> list[str]:
        done = subprocess.run(
            ["make", "--no-print-directory", "-C", str(ROOT), "-o",
             str(ROOT / ".venv" / ".installed"), "-n", "reports", *args],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        return done.stdout.split()

    plan = str(ROOT / "params" / "ravenstack.yaml")
    words = dry_run(f"PLAN={plan}")
    assert "--data" not in words  # both steps read the plan's own `data`
    assert words[words.index("--plan") + 1] == plan  # the metrics step
    assert words[words.index("build") + 1] == plan
    words = dry_run(f"PLAN={plan}", "DATA=/elsewhere")
    assert words.count("/elsewhere") == 2  # DATA over the plan's `data`, in both steps...
    assert words[words.index("--plan") + 1] == plan  # ...and the plan's currency and locale


def test_report_metrics_reads_the_plans_own_data(tmp_path, capsys) -> None:
    plan = ROOT / "params" / "ravenstack.yaml"
    assert main(["report-metrics", "--plan", str(plan), "--by", "segment",
                 "--out", str(tmp_path)]) == 0
    folder = tmp_path / "ravenstack" / "2024Q4"  # <out>/<dataset>/<period>
    figures = json.loads((folder / "metrics-by-segment.json").read_text())
    assert sorted(figures["by"]["segment"]) == ["Basic", "Enterprise", "Pro"]
    assert round(figures["total"]["ending_mrr"]) == 10_734_251  # the published Dec 2024 MRR


def test_churn_events_are_imported_with_their_reason_and_feedback(mini: Path, tmp_path: Path):
    import_ravenstack(mini, tmp_path / "rs")
    events = pd.read_csv(tmp_path / "rs" / "churn_events.csv")
    assert events.to_dict("records") == [{
        "event_id": "C-000001", "account_id": "A-000003", "occurred_on": "2024-06-30",
        "kind": "churn", "reason": "pricing; feedback: too expensive"}]  # fmt: skip
