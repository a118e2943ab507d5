"""Tests for cslib.data.load, cslib.data.contract and cslib.data.dataset.

Bad data must raise one DataError whose message names the file, the column, the
rule and a few offending rows; the broken variants below start from the valid
dataset of conftest.py and change one table each.
"""

from __future__ import annotations

import io
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cslib import DataError, from_frames, load
from cslib.data.contract import CONTRACT, REQUIRED_TABLES, rule_text, schema_for
from cslib.data.load import read_table

HEAD = "{folder}: the data does not meet the contract ({n} problem{s}):"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"

MRR = "account_id,month,mrr\n"
NPS = "response_id,account_id,responded_on,score,contact_id,comment\n"
TICKETS = "ticket_id,account_id,opened_on,closed_on,priority,csat,ces\n"
CONTACTS = "contact_id,account_id,name,role,title,strength\n"
ACTIVITIES = "activity_id,account_id,occurred_on,kind,contact_id\n"
USAGE = "account_id,month,active_users,licensed_seats\n"


def _load_error(folder) -> DataError:
    with pytest.raises(DataError) as info:
        load(folder)
    return info.value


def _head(folder, n: int) -> str:
    return HEAD.format(folder=folder, n=n, s="" if n == 1 else "s")


# One broken table -> the one complete problem line it must produce.
# "{folder}" in an expected line stands for the dataset folder.
ONE_PROBLEM = [
    pytest.param(
        {"accounts": None},
        "accounts: required table missing; expected accounts.csv or accounts.parquet "
        "in {folder}.",
        id="missing-accounts",
    ),
    pytest.param(
        {"mrr": None},
        "mrr: required table missing; expected mrr.csv or mrr.parquet in {folder}.",
        id="missing-mrr",
    ),
    pytest.param(
        {"accounts": None, "files": {"account.csv": "account_id,name,segment\na1,A,SMB\n"}},
        "accounts: required table missing; expected accounts.csv or accounts.parquet "
        "in {folder} (found 'account': a typo?).",
        id="misnamed-accounts-typo-hint",
    ),
    pytest.param(
        {"accounts": lambda t: t.replace("segment", "segmnet", 1)},
        "accounts.csv: column 'segment' is required but missing (found 'segmnet': a typo?); "
        "the file has: account_id, name, segmnet, region, industry, csm, plan, renewal_date.",
        id="missing-column-typo-hint",
    ),
    pytest.param(
        {"accounts": lambda t: t.replace("segment", "tier", 1)},
        "accounts.csv: column 'segment' is required but missing; "
        "the file has: account_id, name, tier, region, industry, csm, plan, renewal_date.",
        id="missing-column-no-hint",
    ),
    pytest.param(
        {"accounts": "account_id,name,segment\n"},
        "accounts.csv: the table has no rows; at least one is required.",
        id="accounts-header-only",
    ),
    pytest.param(
        {"accounts": ""},
        "accounts.csv: the file is empty; it needs at least a header row.",
        id="empty-file",
    ),
    pytest.param(
        {"accounts": lambda t: t.replace("Acme Corp", "Café Olé").encode("latin-1")},
        "accounts.csv: the file is not UTF-8 text (byte 68); save it as UTF-8 CSV.",
        id="latin-1",
    ),
    pytest.param(
        {"accounts": PNG},
        "accounts.csv: the file is not UTF-8 text (byte 0); save it as UTF-8 CSV.",
        id="png-named-csv",
    ),
    pytest.param(
        {"accounts": None, "files": {"accounts.parquet": b"PAR1 this is not parquet"}},
        re.compile(r"accounts\.parquet: cannot be read as Parquet \(.+\)\."),
        id="parquet-not-parquet",
    ),
    pytest.param(
        {"files": {"mrr.parquet": b"PAR1"}},
        "mrr: both mrr.csv and mrr.parquet exist; keep only one.",
        id="csv-and-parquet",
    ),
    pytest.param(
        {"accounts": lambda t: t + "a3,Initech again,SMB,,,,,\n"},
        "accounts.csv: column 'account_id' must be unique (one row per account_id); "
        "duplicated in 2 rows: line 4 ('a3'), line 7 ('a3')",
        id="duplicate-account",
    ),
    pytest.param(
        {"mrr": lambda t: t.replace("a1,2026-02,1000", "a1,2026-01,120")},
        "mrr.csv: columns account_id, month must be unique (one row per account_id and "
        "month); duplicated in 2 rows: line 2 ('a1 2026-01'), line 3 ('a1 2026-01')",
        id="duplicate-account-month",
    ),
    pytest.param(
        {"mrr": MRR + "a1,2026-01,100\na1,2026-02,-12.5\n"},
        "mrr.csv: column 'mrr' must be a number >= 0; 1 row: line 3 ('-12.5')",
        id="negative-mrr",
    ),
    pytest.param(
        {"mrr": MRR + "a1,2026-01,abc\n"},
        "mrr.csv: column 'mrr' must be a number >= 0; 1 row: line 2 ('abc')",
        id="mrr-not-a-number",
    ),
    pytest.param(
        {"mrr": MRR + "a1,2026-13,100\n"},
        "mrr.csv: column 'month' must be a month written YYYY-MM; 1 row: line 2 ('2026-13')",
        id="month-13",
    ),
    pytest.param(
        {"mrr": MRR + "a1,2026-01,100\na1,2026/02,100\n"},
        "mrr.csv: column 'month' must be a month written YYYY-MM; 1 row: line 3 ('2026/02')",
        id="month-slash",
    ),
    pytest.param(
        {"mrr": MRR + "a1,,100\n"},
        "mrr.csv: column 'month' must not be empty; 1 row: line 2",
        id="required-cell-empty",
    ),
    pytest.param(
        {"nps": NPS + "r1,a1,2026-02-30,9,,\n"},
        "nps.csv: column 'responded_on' must be a date written YYYY-MM-DD; "
        "1 row: line 2 ('2026-02-30')",
        id="impossible-date",
    ),
    pytest.param(
        {"accounts": lambda t: t.replace("2026-11-15", "15/11/2026")},
        "accounts.csv: column 'renewal_date' must be a date written YYYY-MM-DD; "
        "1 row: line 2 ('15/11/2026')",
        id="optional-date-unparseable",
    ),
    pytest.param(
        {"accounts": lambda t: re.sub(r"(\d{4})-(\d\d)-(\d\d)", r"\3/\2/\1", t)},
        "accounts.csv: column 'renewal_date' must be a date written YYYY-MM-DD; 4 rows: "
        "line 2 ('15/11/2026'), line 3 ('01/02/2027'), line 4 ('31/08/2026'), "
        "line 6 ('01/10/2026')",
        id="all-dates-day-first",
    ),
    pytest.param(
        {"accounts": lambda t: t.replace("Globex", "Globex, LLC")},
        "accounts.csv: cannot be read as CSV (Error tokenizing data. C error: Expected 8 "
        "fields in line 3, saw 9).",
        id="unquoted-comma",
    ),
    pytest.param(
        {"nps": NPS + "r1,a1,2026-02-01,11,,\n"},
        "nps.csv: column 'score' must be a whole number from 0 to 10; 1 row: line 2 ('11')",
        id="nps-11",
    ),
    pytest.param(
        {"nps": NPS + "r1,a1,2026-02-01,8,,\nr2,a1,2026-02-01,-1,,\n"},
        "nps.csv: column 'score' must be a whole number from 0 to 10; 1 row: line 3 ('-1')",
        id="nps-minus-1",
    ),
    pytest.param(
        {"nps": NPS + "r1,a1,2026-02-01,7.5,,\n"},
        "nps.csv: column 'score' must be a whole number from 0 to 10; 1 row: line 2 ('7.5')",
        id="nps-7.5",
    ),
    pytest.param(
        {"nps": NPS + "r1,a1,2026-02-01,9,,\nr1,a2,2026-02-02,3,,\n"},
        "nps.csv: column 'response_id' must be unique (one row per response_id); "
        "duplicated in 2 rows: line 2 ('r1'), line 3 ('r1')",
        id="duplicate-response-id",
    ),
    pytest.param(
        {"tickets": TICKETS + "t1,a1,2026-01-01,2026-01-02,high,6,3\n"},
        "tickets.csv: column 'csat' must be a whole number from 1 to 5; 1 row: line 2 ('6')",
        id="csat-6",
    ),
    pytest.param(
        {"tickets": TICKETS + "t1,a1,2026-01-01,2026-01-02,high,4,0\n"},
        "tickets.csv: column 'ces' must be a whole number from 1 to 7; 1 row: line 2 ('0')",
        id="ces-0",
    ),
    pytest.param(
        {"usage": USAGE + "a1,2026-01,-1,10\n"},
        "usage.csv: column 'active_users' must be a whole number >= 0; 1 row: line 2 ('-1')",
        id="usage-negative",
    ),
    pytest.param(
        {"usage": USAGE + "a1,2026-01,10,10\na1,2026-02,500,10\n"},
        "usage.csv: column 'active_users' is more than 10x licensed_seats "
        "(a swapped column?); 1 row: line 3",
        id="usage-swapped-columns",
    ),
    pytest.param(
        {"mrr": lambda t: t + "zz,2026-09,100\n"},
        "mrr.csv: column 'account_id' must name an account in accounts.csv; "
        "1 row: line 39 ('zz')",
        id="orphan-mrr",
    ),
    pytest.param(
        {"tickets": TICKETS + "t1,a1,2026-01-01,,,,\nt2,a9,2026-01-01,,,,\n"},
        "tickets.csv: column 'account_id' must name an account in accounts.csv; "
        "1 row: line 3 ('a9')",
        id="orphan-tickets",
    ),
    pytest.param(
        {"contacts": CONTACTS + "c1,a1,Ann,manager,,\n"},
        "contacts.csv: column 'role' must be one of executive, user; 1 row: line 2 ('manager')",
        id="role-manager",
    ),
    pytest.param(
        {"contacts": CONTACTS + "c1,a1,Ann,executive,,strongest\n"},
        "contacts.csv: column 'strength' must be one of none, weak, medium, strong, "
        "very_strong; 1 row: line 2 ('strongest')",
        id="strength-strongest",
    ),
    pytest.param(
        {"activities": ACTIVITIES + "e1,a1,2026-01-01,lunch,\n"},
        "activities.csv: column 'kind' must be one of email, call, meeting, event; "
        "1 row: line 2 ('lunch')",
        id="activity-kind",
    ),
    pytest.param(
        {"goals": "goal_id,account_id,title,due_on,status\ng1,a1,Go live,2026-09-30,done\n"},
        "goals.csv: column 'status' must be one of not_started, on_track, at_risk, achieved, "
        "missed; 1 row: line 2 ('done')",
        id="goal-status",
    ),
    pytest.param(
        {"advocacy": "event_id,account_id,occurred_on,kind\nv1,a1,2026-01-01,tweet\n"},
        "advocacy.csv: column 'kind' must be one of referral, reference_call, case_study, "
        "review; 1 row: line 2 ('tweet')",
        id="advocacy-kind",
    ),
    pytest.param(
        {"tickets": TICKETS + "t1,a1,2026-01-05,2026-01-02,high,4,3\n"},
        "tickets.csv: column 'closed_on' must not be before opened_on; "
        "1 row: line 2 ('opened 2026-01-05, closed 2026-01-02')",
        id="closed-before-opened",
    ),
    pytest.param(
        {"activities": lambda t: t.replace("e2,a2,2026-08-15,call,c3", "e2,a2,2026-08-15,call,c9")},
        "activities.csv: column 'contact_id' must name a contact in contacts.csv; "
        "1 row: line 3 ('c9')",
        id="activity-contact-not-in-contacts",
    ),
    pytest.param(
        {"nps": lambda t: t.replace("r1,a1,2026-07-10,9,c1", "r1,a1,2026-07-10,9,c7")},
        "nps.csv: column 'contact_id' must name a contact in contacts.csv; "
        "1 row: line 2 ('c7')",
        id="nps-contact-not-in-contacts",
    ),
    pytest.param(
        {"mrr": pd.DataFrame({"account_id": ["a1", "a1"], "month": ["2026-01", "2026-02"],
                              "mrr": [100.0, -12.5]})},
        "mrr.parquet: column 'mrr' must be a number >= 0; 1 row: row 2 ('-12.5')",
        id="parquet-rows-not-lines",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("tables", "expected"), ONE_PROBLEM)
def test_broken_dataset_names_file_column_rule_and_rows(tmp_path, make_dataset, tables, expected):
    folder = make_dataset(tmp_path, **tables)
    error = _load_error(folder)
    assert len(error.problems) == 1, str(error)
    (problem,) = error.problems
    if isinstance(expected, re.Pattern):
        assert expected.fullmatch(problem), problem
        expected = problem
    expected = expected.replace("{folder}", str(folder))
    assert problem == expected
    assert str(error) == _head(folder, 1) + "\n  - " + expected


def test_more_than_five_offending_rows_says_how_many_more(tmp_path, make_dataset):
    rows = "".join(f"a{i % 5 + 1},2026-{i:02d},-{i}.5\n" for i in range(1, 9))
    folder = make_dataset(tmp_path, mrr=MRR + "a1,2026-10,1\n" + rows)
    assert _load_error(folder).problems == [
        "mrr.csv: column 'mrr' must be a number >= 0; 8 rows: line 3 ('-1.5'), "
        "line 4 ('-2.5'), line 5 ('-3.5'), line 6 ('-4.5'), line 7 ('-5.5') and 3 more"
    ]


def test_exactly_five_offending_rows_has_no_more_clause(tmp_path, make_dataset):
    rows = "".join(f"z{i},2026-01,1\n" for i in range(1, 6))
    folder = make_dataset(tmp_path, mrr=lambda t: t + rows)
    assert _load_error(folder).problems == [
        "mrr.csv: column 'account_id' must name an account in accounts.csv; 5 rows: "
        "line 39 ('z1'), line 40 ('z2'), line 41 ('z3'), line 42 ('z4'), line 43 ('z5')"
    ]


def test_problems_in_several_files_are_collected_in_one_error(tmp_path, make_dataset):
    folder = make_dataset(
        tmp_path,
        accounts=lambda t: t.replace("segment", "segmnet", 1),
        mrr=MRR + "a1,2026-01,-12.5\n",
        nps=NPS + "r1,a1,2026-02-01,11,,\n",
        contacts=CONTACTS + "c1,a1,Ann,manager,,strongest\n",
        goals="",
        usage=None,
    )
    assert str(_load_error(folder)) == "\n".join(
        [
            _head(folder, 6),
            "  - goals.csv: the file is empty; it needs at least a header row.",
            "  - accounts.csv: column 'segment' is required but missing (found 'segmnet': "
            "a typo?); the file has: account_id, name, segmnet, region, industry, csm, plan, "
            "renewal_date.",
            "  - mrr.csv: column 'mrr' must be a number >= 0; 1 row: line 2 ('-12.5')",
            "  - nps.csv: column 'score' must be a whole number from 0 to 10; 1 row: line 2 ('11')",
            "  - contacts.csv: column 'role' must be one of executive, user; "
            "1 row: line 2 ('manager')",
            "  - contacts.csv: column 'strength' must be one of none, weak, medium, strong, "
            "very_strong; 1 row: line 2 ('strongest')",
        ]
    )


def test_every_bad_value_of_a_column_is_counted(tmp_path, make_dataset):
    # 11 and -1 are out of range, 7.5 is not a whole number: three bad rows, all reported
    # (not only the one that fails the type, hiding the others until it is fixed).
    folder = make_dataset(
        tmp_path, nps=NPS + "r1,a1,2026-02-01,11,,\nr2,a1,2026-02-01,-1,,\nr3,a1,2026-02-01,7.5,,\n"
    )
    assert _load_error(folder).problems == [
        "nps.csv: column 'score' must be a whole number from 0 to 10; "
        "3 rows: line 2 ('11'), line 3 ('-1'), line 4 ('7.5')"
    ]


@pytest.mark.parametrize(
    "nps",
    [
        pytest.param(NPS + 'r1,a1,2026-02-01,9,,"first line\nsecond line"\n'
                     "r2,a1,2026-02-01,11,,\n", id="quoted-newline"),
        pytest.param(NPS + "r1,a1,2026-02-01,9,,\n\nr2,a1,2026-02-01,11,,\n", id="blank-line"),
    ],
)  # fmt: skip
def test_csv_line_number_is_the_line_in_the_file(tmp_path, make_dataset, nps):
    # The offending row "r2,...,11" is on line 4 of the file as an editor shows it.
    folder = make_dataset(tmp_path, nps=nps)
    assert nps.splitlines()[3].startswith("r2,")
    assert _load_error(folder).problems == [
        "nps.csv: column 'score' must be a whole number from 0 to 10; 1 row: line 4 ('11')"
    ]


def test_unquoted_comma_in_the_first_row_is_reported_not_misread(tmp_path, make_dataset):
    # One field too many in the first data row: pandas would silently take the first
    # column as the index and shift every column left ("Acme" as the account_id).
    folder = make_dataset(tmp_path, accounts=lambda t: t.replace("Acme Corp", "Acme, Inc."))
    problems = _load_error(folder).problems
    assert len(problems) == 1, problems
    assert problems[0].startswith("accounts.csv: ")
    assert "line 2" in problems[0]
    assert "9" in problems[0] and "8" in problems[0]  # fields seen vs expected


def test_load_a_folder_that_does_not_exist(tmp_path):
    folder = tmp_path / "nope"
    error = _load_error(folder)
    assert str(error) == f"{folder}: no such folder; expected a folder of CSV or Parquet files."
    assert error.problems == []


def test_load_a_file_instead_of_a_folder(tmp_path, make_dataset):
    path = make_dataset(tmp_path) / "accounts.csv"
    assert str(_load_error(path)) == (
        f"{path}: no such folder; expected a folder of CSV or Parquet files."
    )


# Valid data ------------------------------------------------------------------------


def test_valid_dataset_loads_with_contract_dtypes(valid_dir):
    ds = load(valid_dir)
    assert {name: len(frame) for name, frame in ds.tables.items()} == {
        "accounts": 5, "mrr": 37, "usage": 7, "nps": 4, "tickets": 4,
        "contacts": 4, "activities": 3, "goals": 3, "advocacy": 2, "churn_events": 1,
    }  # fmt: skip
    assert ds.mrr["month"].dtype == pd.PeriodDtype("M")
    assert list(ds.mrr["account_id"].cat.categories) == ["a1", "a2", "a3", "a4", "a5"]
    assert ds.mrr["mrr"].dtype == "float64"
    assert pd.api.types.is_datetime64_any_dtype(ds.get("nps")["responded_on"])
    assert ds.get("nps")["score"].dtype == "Int64"
    assert ds.get("tickets")["csat"].tolist()[:3] == [5, 3, pd.NA]
    assert pd.isna(ds.get("tickets").at[2, "closed_on"])
    assert (str(ds.first_month), str(ds.last_month)) == ("2026-01", "2026-09")
    assert ds.as_of == pd.Timestamp("2026-09-30")
    assert ds.source == str(valid_dir)


def test_csv_text_is_not_second_guessed(valid_dir):
    # "NA" is North America, not a missing value; an empty cell is missing.
    accounts = load(valid_dir).accounts
    assert accounts["region"].tolist() == ["EMEA", "NA", "NA", "APAC", "NA"]
    assert pd.isna(accounts.at[3, "plan"])
    assert pd.isna(accounts.at[3, "renewal_date"])


def test_read_table_keeps_cells_as_text(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(" account_id , name\n007,NA\n008,\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["account_id", "name"]
    assert frame["account_id"].tolist() == ["007", "008"]
    assert frame.at[0, "name"] == "NA"
    assert pd.isna(frame.at[1, "name"])


def test_utf8_with_byte_order_mark_loads(tmp_path, make_dataset, dataset_tables):
    folder = make_dataset(tmp_path, accounts=("\ufeff" + dataset_tables["accounts"]).encode())
    assert load(folder).accounts.columns[0] == "account_id"


def _native_frame(text: str) -> pd.DataFrame:
    """A table as a user's own pipeline would hold it: numbers as numbers."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def test_parquet_files_load_the_same_as_csv(tmp_path, make_dataset, dataset_tables):
    from_csv = load(make_dataset(tmp_path / "csv"))
    frames = {name: _native_frame(text) for name, text in dataset_tables.items()}
    folder = make_dataset(tmp_path / "parquet", **frames)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.parquet" for n in CONTRACT)
    from_parquet = load(folder)
    assert list(from_parquet.tables) == list(from_csv.tables)
    for name in CONTRACT:
        assert_frame_equal(from_parquet.tables[name], from_csv.tables[name], obj=name)


def test_csv_and_parquet_can_be_mixed(tmp_path, make_dataset, dataset_tables):
    folder = make_dataset(tmp_path, mrr=_native_frame(dataset_tables["mrr"]))
    assert (folder / "mrr.parquet").is_file() and not (folder / "mrr.csv").exists()
    ds = load(folder)
    assert_frame_equal(ds.mrr, load(make_dataset(tmp_path / "csv")).mrr)
    # 2026-09: a1 1,200 + a2 1,500 + a4 500 + a5 800
    assert ds.mrr.loc[ds.mrr["month"] == pd.Period("2026-09", "M"), "mrr"].sum() == 4000


def test_optional_tables_may_be_missing(tmp_path, make_dataset):
    optional = [name for name in CONTRACT if name not in REQUIRED_TABLES]
    folder = make_dataset(tmp_path, **dict.fromkeys(optional))
    ds = load(folder)
    assert list(ds.tables) == ["accounts", "mrr"]
    assert not ds.has("nps")
    assert ds.get("nps") is None
    assert ds.summary()["missing_tables"] == optional


def test_optional_table_with_header_only_is_present_but_empty(tmp_path, make_dataset):
    ds = load(make_dataset(tmp_path, nps=NPS))
    assert ds.get("nps") is not None
    assert not ds.has("nps")


def test_get_rejects_a_name_that_is_not_a_table(valid_dir):
    with pytest.raises(KeyError, match="'npss' is not a contract table; expected one of "):
        load(valid_dir).get("npss")


def test_unknown_columns_and_files_are_kept_but_ignored(tmp_path, make_dataset):
    folder = make_dataset(
        tmp_path,
        # an extra column whose value would break any rule of the contract: not checked
        accounts=lambda t: t.replace("renewal_date\n", "renewal_date,notes\n", 1).replace(
            "2026-11-15\n", "2026-11-15,-5 / not a date\n"
        ),
        files={"invoices.csv": "garbage\x00", "README.txt": "hello"},
    )
    ds = load(folder)
    assert ds.accounts.at[0, "notes"] == "-5 / not a date"
    assert ds.accounts["notes"].isna().sum() == 4
    assert list(ds.tables) == list(CONTRACT)


def test_unknown_files_do_not_change_the_fingerprint(tmp_path, make_dataset):
    plain = load(make_dataset(tmp_path / "plain")).fingerprint
    extra = load(make_dataset(tmp_path / "extra", files={"notes.txt": "x"})).fingerprint
    assert extra == plain


def test_summary_figures(valid_dir):
    ds = load(valid_dir)
    assert ds.summary() == {
        "source": str(valid_dir),
        "fingerprint": ds.fingerprint,
        "first_month": "2026-01",
        "last_month": "2026-09",
        "months": 9,
        "accounts": 5,
        "tables": {
            "accounts": {"rows": 5},
            "mrr": {"rows": 37, "from": "2026-01", "to": "2026-09"},
            "usage": {"rows": 7, "from": "2026-07", "to": "2026-09"},
            "nps": {"rows": 4, "from": "2026-02-01", "to": "2026-09-12"},
            "tickets": {"rows": 4, "from": "2026-03-01", "to": "2026-09-25"},
            "contacts": {"rows": 4},
            "activities": {"rows": 3, "from": "2026-07-20", "to": "2026-09-01"},
            "goals": {"rows": 3, "from": "2026-08-31", "to": "2026-12-31"},
            "advocacy": {"rows": 2, "from": "2026-05-10", "to": "2026-08-01"},
            "churn_events": {"rows": 1, "from": "2026-08-20", "to": "2026-08-20"},
        },
        "missing_tables": [],
    }


def test_subset_keeps_only_those_accounts_in_every_table(valid_dir):
    ds = load(valid_dir)
    part = ds.subset(["a5", "a4"])
    assert part.accounts["account_id"].tolist() == ["a4", "a5"]
    rows = {name: len(frame) for name, frame in part.tables.items()}
    assert rows == {
        "accounts": 2, "mrr": 11, "usage": 1, "nps": 1, "tickets": 1,
        "contacts": 1, "activities": 1, "goals": 1, "advocacy": 1, "churn_events": 0,
    }  # fmt: skip
    for name, frame in part.tables.items():
        assert set(frame["account_id"].astype(str)) <= {"a4", "a5"}, name
        if name != "accounts":
            assert list(frame["account_id"].cat.categories) == ["a4", "a5"], name
    assert part.mrr["mrr"].sum() == 500 * 2 + 800 * 9


def test_subset_keeps_the_parent_coverage(valid_dir):
    ds = load(valid_dir)
    part = ds.subset(["a4"])  # a4 pays only in 2026-08 and 2026-09
    assert str(part.mrr["month"].min()) == "2026-08"
    assert (str(part.first_month), str(part.last_month)) == ("2026-01", "2026-09")
    assert part.summary()["months"] == 9


def test_subset_fingerprint_is_traceable_and_distinct(valid_dir):
    ds = load(valid_dir)
    a = ds.subset(["a1"])
    assert a.fingerprint != ds.fingerprint
    assert a.fingerprint == ds.subset(["a1"]).fingerprint
    assert a.fingerprint != ds.subset(["a2"]).fingerprint
    assert a.source == ds.source


def test_fingerprint_is_stable_for_the_same_bytes(tmp_path, make_dataset):
    first = load(make_dataset(tmp_path / "a"))
    assert load(tmp_path / "a").fingerprint == first.fingerprint
    shutil.copytree(tmp_path / "a", tmp_path / "copy")
    assert load(tmp_path / "copy").fingerprint == first.fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", first.fingerprint)


def test_fingerprint_changes_when_one_byte_changes(tmp_path, make_dataset):
    folder = make_dataset(tmp_path)
    before = load(folder).fingerprint
    path = folder / "advocacy.csv"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"2026-08-01", b"2026-08-02"))
    assert len(path.read_bytes()) == len(data)
    assert load(folder).fingerprint != before


def test_from_frames_accepts_period_months():
    accounts = pd.DataFrame({"account_id": ["a", "b"], "name": ["A", "B"], "segment": ["SMB"] * 2})
    months = pd.PeriodIndex(["2026-01", "2026-02", "2026-02"], freq="M")
    mrr = pd.DataFrame(
        {"account_id": ["a", "a", "b"], "month": months, "mrr": [100, 120, 50]},
        index=[10, 11, 12],
    )
    ds = from_frames({"accounts": accounts, "mrr": mrr})
    assert ds.mrr["month"].tolist() == list(months)
    assert ds.mrr["mrr"].tolist() == [100.0, 120.0, 50.0]
    assert (str(ds.first_month), str(ds.last_month)) == ("2026-01", "2026-02")
    as_text = from_frames({"accounts": accounts, "mrr": mrr.assign(month=months.strftime("%Y-%m"))})
    assert as_text.fingerprint == ds.fingerprint
    assert (
        from_frames({"accounts": accounts, "mrr": mrr.assign(mrr=[100, 121, 50])}).fingerprint
        != ds.fingerprint
    )


@pytest.mark.parametrize(
    ("tables", "problem"),
    [
        pytest.param(
            {"mrr": None},
            "mrr: required table missing; pass it as tables['mrr'].",
            id="missing-mrr",
        ),
        pytest.param(
            {"mrr": pd.DataFrame({"account_id": ["a", "a"], "month": ["2026-01", "2026-02"],
                                  "mrr": [1.0, -12.5]})},
            "mrr (frame): column 'mrr' must be a number >= 0; 1 row: row 2 ('-12.5')",
            id="negative-mrr-row-number",
        ),
        pytest.param(
            {"mrr": pd.DataFrame({"account_id": ["a", "a"], "month": ["2026-01", "2026-02"],
                                  "mrr": [1.0, np.inf]})},
            "mrr (frame): column 'mrr' must be a finite number between -1e15 and 1e15 "
            "(not inf or NaN); 1 row: row 2 ('inf')",
            id="infinite-mrr-in-a-frame",
        ),
        pytest.param(
            {"invoices": pd.DataFrame({"x": [1]})},
            "unknown table(s) invoices; the contract's tables are accounts, mrr, usage, nps, "
            "tickets, contacts, activities, goals, advocacy, churn_events.",
            id="unknown-table",
        ),
    ],
)  # fmt: skip
def test_from_frames_errors(tables, problem):
    frames = {
        "accounts": pd.DataFrame({"account_id": ["a"], "name": ["A"], "segment": ["SMB"]}),
        "mrr": pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": [1.0]}),
    }
    frames.update(tables)
    frames = {k: v for k, v in frames.items() if v is not None}
    with pytest.raises(DataError) as info:
        from_frames(frames, source="my extract")
    assert (
        str(info.value) == f"my extract: the data does not meet the contract (1 problem):\n"
        f"  - {problem}"
    )


# The contract itself ---------------------------------------------------------------


def test_required_tables_are_accounts_and_mrr():
    assert REQUIRED_TABLES == ("accounts", "mrr")
    assert list(CONTRACT) == [
        "accounts", "mrr", "usage", "nps", "tickets", "contacts", "activities", "goals",
        "advocacy", "churn_events",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("table", "column", "rule"),
    [
        ("mrr", "mrr", "must be a number >= 0"),
        ("mrr", "month", "must be a month written YYYY-MM"),
        ("usage", "licensed_seats", "must be a whole number >= 0"),
        ("nps", "score", "must be a whole number from 0 to 10"),
        ("nps", "responded_on", "must be a date written YYYY-MM-DD"),
        ("tickets", "ces", "must be a whole number from 1 to 7"),
        ("contacts", "role", "must be one of executive, user"),
        ("goals", "baseline", "must be a number"),
        ("accounts", "name", "must be text"),
    ],
)
def test_rule_text(table, column, rule):
    assert rule_text(CONTRACT[table].column(column)) == rule


def test_schema_keeps_unknown_columns():
    frame = pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": ["5"], "note": ["x"]})
    out = schema_for("mrr").validate(frame)
    assert list(out.columns) == ["account_id", "month", "mrr", "note"]
    assert out.at[0, "mrr"] == 5.0


def test_dates_with_times_and_mixed_zones_keep_the_written_day(tmp_path, make_dataset):
    make_dataset(
        tmp_path,
        nps=(
            "response_id,account_id,responded_on,score\n"
            "r1,a1,2026-07-01T00:30:00+02:00,10\n"
            "r2,a2,2026-09-30T23:59:00Z,3\n"
            "r3,a2,2026-10-01 08:00,9\n"
        ),
    )
    nps = load(tmp_path).tables["nps"]
    assert nps["responded_on"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-07-01",
        "2026-09-30",
        "2026-10-01",
    ]


# Non-finite numbers ------------------------------------------------------------------
# inf, Infinity, 1e999 (which overflows to inf) and "NaN" written in a cell are refused in
# every numeric column: a sum over them is inf, and documents showed "+inf%". A value
# beyond 1e15 is refused too (it overflows the whole-number columns and sums).

FINITE = "must be a finite number between -1e15 and 1e15 (not inf or NaN)"


def _cell(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param({"mrr": _cell("a1,2026-02,1000", "a1,2026-02,inf")},
                     [f"mrr.csv: column 'mrr' {FINITE}; 1 row: line 3 ('inf')"], id="inf"),
        pytest.param({"mrr": _cell("a1,2026-02,1000", "a1,2026-02,Infinity")},
                     [f"mrr.csv: column 'mrr' {FINITE}; 1 row: line 3 ('Infinity')"],
                     id="Infinity"),
        pytest.param({"mrr": _cell("a1,2026-02,1000", "a1,2026-02,1e999")},
                     [f"mrr.csv: column 'mrr' {FINITE}; 1 row: line 3 ('1e999')"],
                     id="overflows-to-inf"),
        pytest.param({"mrr": _cell("a1,2026-02,1000", "a1,2026-02,-inf")},
                     [f"mrr.csv: column 'mrr' {FINITE}; 1 row: line 3 ('-inf')"],
                     id="minus-inf-once"),
        pytest.param({"mrr": _cell("a1,2026-02,1000", "a1,2026-02,NaN")},
                     [f"mrr.csv: column 'mrr' {FINITE}; 1 row: line 3 ('NaN')"],
                     id="NaN-text"),
        pytest.param({"mrr": _cell("a1,2026-02,1000", "a1,2026-02,2e15")},
                     [f"mrr.csv: column 'mrr' {FINITE}; 1 row: line 3 ('2e15')"],
                     id="beyond-1e15"),
        pytest.param({"usage": _cell("a1,2026-07,40,50", "a1,2026-07,1e20,inf")},
                     [f"usage.csv: column 'active_users' {FINITE}; 1 row: line 2 ('1e20')",
                      f"usage.csv: column 'licensed_seats' {FINITE}; 1 row: line 2 ('inf')"],
                     id="usage-counts"),
        pytest.param({"nps": _cell("r1,a1,2026-07-10,9,", "r1,a1,2026-07-10,inf,")},
                     [f"nps.csv: column 'score' {FINITE}; 1 row: line 2 ('inf')"],
                     id="nps-score"),
        pytest.param({"tickets": _cell("high,5,2", "high,NaN,-Infinity")},
                     [f"tickets.csv: column 'csat' {FINITE}; 1 row: line 2 ('NaN')",
                      f"tickets.csv: column 'ces' {FINITE}; 1 row: line 2 ('-Infinity')"],
                     id="csat-and-ces"),
        pytest.param({"goals": _cell("seats,10,50,55", "seats,-inf,1e999,nan")},
                     [f"goals.csv: column 'baseline' {FINITE}; 1 row: line 2 ('-inf')",
                      f"goals.csv: column 'target' {FINITE}; 1 row: line 2 ('1e999')",
                      f"goals.csv: column 'current' {FINITE}; 1 row: line 2 ('nan')"],
                     id="goal-figures"),
    ],
)  # fmt: skip
def test_non_finite_numbers_are_refused(tmp_path, make_dataset, tables, expected):
    assert _load_error(make_dataset(tmp_path, **tables)).problems == expected


def test_parquet_inf_is_refused_and_nan_is_a_missing_value(tmp_path, make_dataset,
                                                           dataset_tables):
    mrr = _native_frame(dataset_tables["mrr"]).astype({"mrr": float})
    goals = _native_frame(dataset_tables["goals"]).astype({"target": float})
    mrr.loc[1, "mrr"] = np.inf
    goals.loc[0, "target"] = -np.inf
    assert _load_error(make_dataset(tmp_path / "inf", mrr=mrr, goals=goals)).problems == [
        f"mrr.parquet: column 'mrr' {FINITE}; 1 row: row 2 ('inf')",
        f"goals.parquet: column 'target' {FINITE}; 1 row: row 1 ('-inf')",
    ]
    # A float NaN is how pandas and Arrow hold a missing number: the same as an empty
    # CSV cell, so allowed in an optional column and "empty" in a required one.
    mrr.loc[1, "mrr"] = np.nan
    goals.loc[0, "target"] = np.nan
    assert _load_error(make_dataset(tmp_path / "nan", mrr=mrr, goals=goals)).problems == [
        "mrr.parquet: column 'mrr' must not be empty; 1 row: row 2"
    ]
    assert pd.isna(load(make_dataset(tmp_path / "ok", goals=goals)).get("goals").at[0, "target"])


# Months and dates far from the rest of the data -------------------------------------------
# The MRR months form one unbroken run (a month inside the data with no MRR row at all is a
# stray row or a broken extract); dated rows may run at most 3 months past the data's
# as-of date; no date lies more than 10 years before the first MRR month, and a planned
# date (renewal, goal due date) at most 10 years past the as-of date. A single stray row
# must never move the data's as-of date, which picks the default period.

CUT_OFF = ("mrr.csv: column 'month' must form one unbroken run of months, but no row falls "
           "in {gaps}, which cuts these rows off the main run {main} (a mistyped month or a "
           "broken extract?); ")
AFTER_AS_OF = ("must not be after 2026-12-31 (3 months past the data's as-of date 2026-09-30, "
               "the end of the last MRR month); ")
BEFORE_FIRST = "must not be before 2016-01-01 (10 years before the first MRR month 2026-01); "


def _without_month(month: str):
    return lambda t: "".join(line for line in t.splitlines(keepends=True) if month not in line)


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param({"mrr": lambda t: t + "a1,2062-09,5\n"},
                     CUT_OFF.format(gaps="2026-10..2062-08", main="2026-01..2026-09")
                     + "1 row: line 39 ('2062-09')", id="mrr-far-future"),
        pytest.param({"mrr": lambda t: "account_id,month,mrr\na5,1926-09,800\n"
                      + t.split("\n", 1)[1]},
                     CUT_OFF.format(gaps="1926-10..2025-12", main="2026-01..2026-09")
                     + "1 row: line 2 ('1926-09')", id="mrr-far-past"),
        pytest.param({"mrr": _without_month("2026-03")},
                     CUT_OFF.format(gaps="2026-03", main="2026-04..2026-09")
                     + "8 rows: line 2 ('2026-01'), line 3 ('2026-02'), line 10 ('2026-01'), "
                     "line 11 ('2026-02'), line 18 ('2026-01') and 3 more",
                     id="mrr-a-month-without-rows"),
        pytest.param({"usage": lambda t: t + "a5,2026-12,12,20\na5,2027-01,12,20\n"},
                     "usage.csv: column 'month' must not be after 2026-12 (3 months past the "
                     "last MRR month 2026-09); 1 row: line 10 ('2027-01')",
                     id="usage-past-the-tolerance"),
        pytest.param({"nps": _cell("r1,a1,2026-07-10", "r1,a1,2062-07-10")},
                     "nps.csv: column 'responded_on' " + AFTER_AS_OF
                     + "1 row: line 2 ('2062-07-10')", id="nps-far-future"),
        pytest.param({"tickets": _cell("t3,a5,2026-09-25,,", "t3,a5,2026-09-25,2062-09-30,")},
                     "tickets.csv: column 'closed_on' " + AFTER_AS_OF
                     + "1 row: line 4 ('2062-09-30')", id="ticket-closed-far-future"),
        pytest.param({"activities": _cell("e3,a5,2026-07-20", "e3,a5,1926-07-20")},
                     "activities.csv: column 'occurred_on' " + BEFORE_FIRST
                     + "1 row: line 4 ('1926-07-20')", id="activity-far-past"),
        pytest.param({"advocacy": lambda t: t + "v3,a2,2027-01-01,review\n"},
                     "advocacy.csv: column 'occurred_on' " + AFTER_AS_OF
                     + "1 row: line 4 ('2027-01-01')", id="advocacy-after-the-tolerance"),
        pytest.param({"accounts": _cell("2026-11-15", "2062-11-15")},
                     "accounts.csv: column 'renewal_date' must not be after 2036-09-30 (10 "
                     "years past the data's as-of date 2026-09-30); 1 row: line 2 ('2062-11-15')",
                     id="renewal-far-future"),
        pytest.param({"goals": _cell("2026-12-31", "1900-01-01")},
                     "goals.csv: column 'due_on' " + BEFORE_FIRST + "1 row: line 3 ('1900-01-01')",
                     id="goal-due-as-a-null-stand-in"),
    ],
)  # fmt: skip
def test_months_and_dates_far_from_the_data_are_refused(tmp_path, make_dataset, tables,
                                                        expected):
    assert _load_error(make_dataset(tmp_path, **tables)).problems == [expected]


def test_dates_within_the_tolerances_load(tmp_path, make_dataset):
    edges = {
        "usage": lambda t: t + "a5,2026-12,12,20\n",                    # 3 months ahead
        "nps": _cell("r1,a1,2026-07-10", "r1,a1,2026-12-31"),
        "accounts": _cell("2026-11-15", "2036-09-30"),                  # 10 years ahead
        "goals": _cell("2026-12-31", "2016-01-01"),                     # 10 years back
    }
    stray = make_dataset(tmp_path / "stray", mrr=lambda t: t + "a1,2062-09,5\n", **edges)
    assert [p.split(":")[0] for p in _load_error(stray).problems] == ["mrr.csv"]
    assert load(make_dataset(tmp_path / "ok", **edges)).last_month == pd.Period("2026-09", "M")


def test_one_accounts_gap_is_not_a_stray_month_nor_is_a_slice_of_it(tmp_path, valid_dir):
    from cslib.data.slices import Scope, write_slice

    frames = {name: _native_frame(p.read_text()) for name, p in
              ((p.stem, p) for p in valid_dir.glob("*.csv"))}
    frames["mrr"] = frames["mrr"].astype({"month": str})
    # a5 pays in every month but 2026-03 and 2026-04 (a gap of its own: 0, then back)...
    mrr = frames["mrr"][~((frames["mrr"]["account_id"] == "a5")
                          & frames["mrr"]["month"].isin(["2026-03", "2026-04"]))]
    ds = from_frames({**frames, "mrr": mrr})
    part = ds.subset(["a5"]).scoped(Scope("customer", "a5"))
    assert load(write_slice(part, tmp_path / "slice")).coverage == ds.coverage
    # ... but no account at all in 2026-03 and 2026-04 cuts 2026-01..02 off the data.
    with pytest.raises(DataError, match=r"no row falls in 2026-03\.\.2026-04, which cuts these "
                       r"rows off the main run 2026-05\.\.2026-09"):
        from_frames({**frames, "mrr": frames["mrr"][~frames["mrr"]["month"].isin(
            ["2026-03", "2026-04"])]})


def test_a_stray_month_in_frames_is_refused():
    frames = {
        "accounts": pd.DataFrame({"account_id": ["a"], "name": ["A"], "segment": ["SMB"]}),
        "mrr": pd.DataFrame({"account_id": ["a", "a", "a"],
                             "month": ["2026-01", "2026-02", "2062-09"], "mrr": [1.0] * 3}),
    }
    with pytest.raises(DataError) as info:
        from_frames(frames)
    assert info.value.problems == [
        "mrr (frame): column 'month' must form one unbroken run of months, but no row falls "
        "in 2026-03..2062-08, which cuts these rows off the main run 2026-01..2026-02 (a "
        "mistyped month or a broken extract?); 1 row: row 3 ('2062-09')"
    ]


# Headers, contacts and text ----------------------------------------------------------------
# A column named twice in a CSV header (pandas would rename the second 'name.1'), a
# contact of another account, control characters and text longer than its column's limit.

ONE_LINE = ("must be one line of text without control characters (no line breaks, tabs, "
            "escapes, NUL or bidi overrides)")
FREE_TEXT = ("must be text without control characters (tabs and line breaks are fine; no "
             "escapes, NUL or bidi overrides)")


@pytest.mark.parametrize(
    ("accounts", "expected"),
    [
        pytest.param(_cell("plan,renewal_date", "plan,name"),
                     ["accounts.csv: column 'name' appears 2 times in the header (columns 2 and "
                      "8); a column must appear once: rename or remove the others."],
                     id="name-twice"),
        pytest.param(_cell("region,industry,csm", "segment , region,segment"),
                     ["accounts.csv: column 'segment' appears 3 times in the header (columns 3, "
                      "4 and 6); a column must appear once: rename or remove the others."],
                     id="padded-with-spaces"),
    ],
)  # fmt: skip
def test_a_column_named_twice_in_a_csv_header_is_refused(tmp_path, make_dataset, accounts,
                                                         expected):
    assert _load_error(make_dataset(tmp_path, accounts=accounts)).problems == expected


def test_a_column_named_twice_in_a_frame_is_refused_the_same_way():
    accounts = pd.DataFrame([["a", "A", "SMB", "B"]],
                            columns=["account_id", "name", "segment", "name"])
    mrr = pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": [1.0]})
    with pytest.raises(DataError) as info:
        from_frames({"accounts": accounts, "mrr": mrr})
    assert info.value.problems == [
        "accounts (frame): column 'name' appears 2 times in the header (columns 2 and 4); a "
        "column must appear once: rename or remove the others."
    ]


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param({"activities": _cell("e1,a1,2026-09-01,meeting,c1",
                                          "e1,a1,2026-09-01,meeting,c3")},
                     "activities.csv: column 'contact_id' must name a contact of the row's own "
                     "account in contacts.csv; 1 row: line 2 ('c3' is a contact of 'a2', not "
                     "of 'a1')", id="activity"),
        pytest.param({"nps": _cell("r1,a1,2026-07-10,9,c1", "r1,a1,2026-07-10,9,c4")},
                     "nps.csv: column 'contact_id' must name a contact of the row's own account "
                     "in contacts.csv; 1 row: line 2 ('c4' is a contact of 'a5', not of 'a1')",
                     id="nps"),
    ],
)  # fmt: skip
def test_a_contact_of_another_account_is_refused(tmp_path, make_dataset, tables, expected):
    assert _load_error(make_dataset(tmp_path, **tables)).problems == [expected]


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param({"accounts": _cell("Globex", "Glo\x00bex")},
                     f"accounts.csv: column 'name' {ONE_LINE}; 1 row: line 3 ('Glo\\x00bex')",
                     id="NUL"),
        pytest.param({"contacts": _cell("VP Operations", "VP \x1b[31mOperations")},
                     f"contacts.csv: column 'title' {ONE_LINE}; 1 row: line 2 "
                     "('VP \\x1b[31mOperations')", id="terminal-escape"),
        pytest.param({"accounts": _cell("Acme Corp", "Acme\u202eprOC")},
                     f"accounts.csv: column 'name' {ONE_LINE}; 1 row: line 2 "
                     "('Acme\\u202eprOC')", id="bidi-override"),
        pytest.param({"accounts": _cell("Hooli", "\u2066Hooli\u2069")},
                     f"accounts.csv: column 'name' {ONE_LINE}; 1 row: line 6 "
                     "('\\u2066Hooli\\u2069')", id="bidi-isolate"),
        pytest.param({"accounts": _cell(",SMB,", ",S\x85MB,")},
                     f"accounts.csv: column 'segment' {ONE_LINE}; 1 row: line 4 ('S\\x85MB')",
                     id="C1-next-line"),
        pytest.param({"accounts": _cell("Acme Corp", '"Acme\nCorp"')},
                     f"accounts.csv: column 'name' {ONE_LINE}; 1 row: line 2 ('Acme\\nCorp')",
                     id="line-break-in-a-name"),
        pytest.param({"goals": _cell("Roll out to EMEA", "Roll out\tto EMEA")},
                     f"goals.csv: column 'title' {ONE_LINE}; 1 row: line 2 ('Roll out\\tto EMEA')",
                     id="tab-in-a-title"),
        pytest.param({"nps": _cell("Great support", "Great\x07support")},
                     f"nps.csv: column 'comment' {FREE_TEXT}; 1 row: line 2 ('Great\\x07support')",
                     id="bell-in-a-comment"),
        pytest.param({"tickets": _cell("t1,a1", "t\x001,a1")},
                     f"tickets.csv: column 'ticket_id' {ONE_LINE}; 1 row: line 2 ('t\\x001')",
                     id="NUL-in-an-id"),
        pytest.param({"accounts": _cell("Globex", "G" * 60 + "\x00")},
                     f"accounts.csv: column 'name' {ONE_LINE}; 1 row: line 3 "
                     "('...GGGGGGGGGG\\x00' (61 characters))", id="shown-where-it-is"),
    ],
)  # fmt: skip
def test_control_characters_are_refused_and_shown_escaped(tmp_path, make_dataset, tables,
                                                          expected):
    assert _load_error(make_dataset(tmp_path, **tables)).problems == [expected]


def test_tabs_and_line_breaks_are_fine_in_free_text(tmp_path, make_dataset):
    folder = make_dataset(tmp_path, nps=_cell("Great support", '"Great\tsupport\r\nThanks"'),
                          accounts=_cell("Globex", "Glo\x00bex"))
    assert [p.split(":")[0] for p in _load_error(folder).problems] == ["accounts.csv"]
    folder = make_dataset(tmp_path / "ok", nps=_cell("Great support", '"Great\tsupport\nThanks"'))
    assert load(folder).get("nps").at[0, "comment"] == "Great\tsupport\nThanks"


def test_control_characters_in_frames_are_refused():
    frames = {
        "accounts": pd.DataFrame({"account_id": ["a"], "name": ["A\x00"], "segment": ["SMB"]}),
        "mrr": pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": [1.0]}),
    }
    with pytest.raises(DataError) as info:
        from_frames(frames)
    assert info.value.problems == [f"accounts (frame): column 'name' {ONE_LINE}; 1 row: row 1 "
                                   "('A\\x00')"]


def test_a_lone_surrogate_in_a_frame_is_refused_not_a_crash():
    frames = {
        "accounts": pd.DataFrame({"account_id": ["a", "b"], "name": pd.Series(["A", "B\ud800"],
                                                                             dtype=object),
                                  "segment": ["SMB", "SMB"]}),
        "mrr": pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": [1.0]}),
    }
    with pytest.raises(DataError) as info:
        from_frames(frames)
    assert info.value.problems == [
        "accounts (frame): column 'name' must be valid Unicode text (a lone surrogate "
        "cannot be written to a document); 1 row: row 2 ('B\\ud800')"
    ]


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param({"accounts": _cell("Globex", "Globex" + "x" * 1994)},
                     "accounts.csv: column 'name' must be at most 200 characters long; 1 row: "
                     f"line 3 ('Globex{'x' * 31}...' (2,000 characters))",
                     id="2000-character-name"),
        pytest.param({"accounts": _cell(",SMB,", ",SMB" + "B" * 198 + ",")},
                     "accounts.csv: column 'segment' must be at most 200 characters long; 1 row: "
                     f"line 4 ('SMB{'B' * 34}...' (201 characters))", id="segment-201"),
        pytest.param({"advocacy": _cell("v1,a1", "v" + "1" * 100 + ",a1")},
                     "advocacy.csv: column 'event_id' must be at most 100 characters long; 1 row: "
                     f"line 2 ('v{'1' * 36}...' (101 characters))", id="101-character-id"),
        pytest.param({"nps": _cell("Great support", "G" * 4001)},
                     "nps.csv: column 'comment' must be at most 4,000 characters long; 1 row: "
                     f"line 2 ('{'G' * 37}...' (4,001 characters))", id="comment-4001"),
    ],
)  # fmt: skip
def test_text_longer_than_its_columns_limit_is_refused(tmp_path, make_dataset, tables,
                                                       expected):
    assert _load_error(make_dataset(tmp_path, **tables)).problems == [expected]


def test_text_up_to_its_columns_limit_loads(tmp_path, make_dataset):
    edges = {"accounts": _cell("Globex", "G" * 200), "nps": _cell("Great support", "g" * 4000)}
    too_long = make_dataset(tmp_path / "long", tickets=_cell("t1,a1", "t" * 101 + ",a1"), **edges)
    assert [p.split(":")[0] for p in _load_error(too_long).problems] == ["tickets.csv"]
    ds = load(make_dataset(tmp_path / "ok", **edges))
    assert len(ds.accounts.at[1, "name"]) == 200


# One currency ------------------------------------------------------------------------------
# An optional `currency` column in mrr or accounts (ISO 4217 codes) must hold one currency
# for the whole dataset: amounts in two currencies would be summed as one. Once a table
# names a currency, every row of it must.

CONVERT = "; convert amounts to one currency before loading."


def _with_currency(code: str = "USD", **changes: str):
    """The valid table with a currency column: ``code`` on every row, some rows changed."""

    def edit(text: str) -> str:
        head, *rows = text.strip().splitlines()
        rows = [r + "," + changes.get(r.split(",")[0] + ":" + r.split(",")[1], code)
                for r in rows]
        return "\n".join([head + ",currency", *rows]) + "\n"

    return edit


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param({"mrr": _with_currency(**{"a1:2026-04": "EUR"})},
                     ["mrr.csv: column 'currency' must hold one currency, found USD (36 rows) "
                      "and EUR (1 row: line 5)" + CONVERT], id="one-row-in-euros"),
        pytest.param({"mrr": _with_currency(**{"a1:2026-04": "EUR", "a2:2026-01": "GBP",
                                               "a2:2026-02": "GBP"})},
                     ["mrr.csv: column 'currency' must hold one currency, found USD (34 rows), "
                      "GBP (2 rows: line 11, line 12) and EUR (1 row: line 5)" + CONVERT],
                     id="three-currencies"),
        pytest.param({"accounts": _with_currency("EUR"), "mrr": _with_currency("USD")},
                     ["accounts.csv: column 'currency' must hold one currency, found EUR (5 rows: "
                      "line 2, line 3, line 4, line 5, line 6) while mrr.csv holds USD (37 rows)"
                      + CONVERT], id="accounts-and-mrr-differ"),
        pytest.param({"mrr": _with_currency(**{"a1:2026-03": ""})},
                     ["mrr.csv: column 'currency' must not be empty once a currency is given "
                      "(an amount without its currency cannot be checked); 1 row: line 4"],
                     id="blank-beside-a-currency"),
        pytest.param({"mrr": _with_currency(**{"a1:2026-02": "usd", "a1:2026-03": "$"})},
                     ["mrr.csv: column 'currency' must be a currency code of three capital "
                      "letters (ISO 4217, such as USD or EUR); 2 rows: line 3 ('usd'), "
                      "line 4 ('$')"], id="not-a-code"),
    ],
)  # fmt: skip
def test_more_than_one_currency_is_refused(tmp_path, make_dataset, tables, expected):
    assert _load_error(make_dataset(tmp_path, **tables)).problems == expected


def test_one_currency_is_the_datasets(tmp_path, make_dataset, valid_dir):
    ds = load(make_dataset(tmp_path, accounts=_with_currency("EUR"), mrr=_with_currency("EUR")))
    assert ds.currency == "EUR"
    assert load(valid_dir).currency is None
    frames = {
        "accounts": pd.DataFrame({"account_id": ["a"], "name": ["A"], "segment": ["SMB"]}),
        "mrr": pd.DataFrame({"account_id": ["a", "a"], "month": ["2026-01", "2026-02"],
                             "mrr": [1.0, 2.0], "currency": ["USD", "EUR"]}),
    }
    with pytest.raises(DataError) as info:
        from_frames(frames)
    assert info.value.problems == [
        "mrr (frame): column 'currency' must hold one currency, found EUR (1 row) and "
        "USD (1 row: row 1)" + CONVERT
    ]
