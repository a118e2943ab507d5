"""Database sources: DuckDB files, SQLAlchemy URLs (a real PostgreSQL server), mappings.

`make test` (and `.ci/run`) start a throwaway PostgreSQL server on loopback
(`.ci/postgres.sh`) and pass its URL and statement log in
``CSLIB_TEST_POSTGRES_URL`` / ``CSLIB_TEST_POSTGRES_LOG``; run alone without
them, the PostgreSQL tests are skipped and say why.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_database
from sqlalchemy.engine import make_url

from cslib.cli import main
from cslib.data.load import load
from cslib.data.sources import (
    SourceSpec,
    SqlSource,
    display_name,
    is_database,
    open_source,
    read_source_file,
)
from cslib.errors import DataError, ParameterError
from cslib.pipeline.build import render_notebook
from cslib.pipeline.leaks import html_text
from cslib.present.report import open_report, report_slice

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
QBR = ROOT / "notebooks" / "customer_qbr.ipynb"
PG_URL = os.environ.get("CSLIB_TEST_POSTGRES_URL", "")
PG_LOG = os.environ.get("CSLIB_TEST_POSTGRES_LOG", "")
needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL server: run `make test`, "
                              "which starts one (CSLIB_TEST_POSTGRES_URL)")
CONTENT = ("accounts", "mrr", "usage", "nps", "tickets", "contacts", "activities", "goals",
           "advocacy")


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def duck(sample, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("duck") / "warehouse.duckdb"
    write_database(sample, str(path))
    return str(path)


@pytest.fixture(scope="module")
def pg(sample) -> str:
    if not PG_URL:
        pytest.skip("no PostgreSQL server: run `make test` (CSLIB_TEST_POSTGRES_URL)")
    write_database(sample, PG_URL)
    return PG_URL


def _assert_same_tables(a, b) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_categorical=False,
                                      obj=name)
    assert a.coverage == b.coverage


def _metrics_json(data: str, capsys) -> dict:
    assert main(["metrics", "--data", data, "--period", "2026Q3", "--by", "segment"]) == 0
    return json.loads(capsys.readouterr().out)


# Same figures as the CSV folder ------------------------------------------------------------
def test_duckdb_file_gives_the_folders_tables_and_figures(sample, duck, capsys) -> None:
    _assert_same_tables(sample, open_source(duck).read())
    assert _metrics_json(duck, capsys) == _metrics_json(str(SAMPLE), capsys)


@needs_pg
def test_postgresql_gives_the_folders_tables_and_figures(sample, pg, capsys) -> None:
    _assert_same_tables(sample, open_source(pg).read())
    figures = _metrics_json(pg, capsys)
    assert figures == _metrics_json(str(SAMPLE), capsys)
    assert figures["total"]["nrr"] is not None  # a real figure, not two empty answers


@needs_pg
def test_a_qbr_from_postgresql_matches_the_folders_and_hides_the_password(pg, tmp_path) -> None:
    # The throwaway server trusts loopback, so any password connects: it must show nowhere.
    secret_url = pg.replace("postgresql://cslib@", "postgresql://cslib:Hunter2-Secret@")
    params = {"account_id": "A0004", "period": "2026Q3"}
    # the account review: the customer's QBR names no data source at all
    review = QBR.with_name("account_review.ipynb")
    db = render_notebook(review, {**params, "data": secret_url}, formats=["html"],
                         out_dir=tmp_path / "db")
    folder = render_notebook(review, {**params, "data": str(SAMPLE)}, formats=["html"],
                             out_dir=tmp_path / "folder")
    db_bytes = (tmp_path / "db" / db.files["html"]).read_bytes()
    assert b"Hunter2" not in db_bytes
    db_words = html_text(db_bytes).split()
    folder_words = html_text((tmp_path / "folder" / folder.files["html"]).read_bytes()).split()
    assert len(folder_words) > 500
    changes = [(" ".join(folder_words[i1:i2]), " ".join(db_words[j1:j2])) for op, i1, i2, j1, j2
               in difflib.SequenceMatcher(None, folder_words, db_words,
                                          autojunk=False).get_opcodes() if op != "equal"]
    # Only provenance differs: the data's fingerprints and the source's name.
    for before, after in changes:
        if re.fullmatch(r"[0-9a-f]{12}", before):
            assert re.fullmatch(r"[0-9a-f]{12}", after)
        else:
            assert (before.rstrip(";"), after.rstrip(";")) == ("sample",
                                                               "postgresql database cslib")
    assert any(after.startswith("postgresql") for _, after in changes)


# Pushdown -----------------------------------------------------------------------------------
def _statements(log: str) -> list[tuple[str, str]]:
    """(statement, its parameters) as PostgreSQL logged them (log_statement=all)."""
    out: list[tuple[str, str]] = []
    ours = make_url(PG_URL).database
    for chunk in re.split(r"\n(?=\d{4}-\d{2}-\d{2} )", log):
        prefix = re.match(r"\S+ \S+ \S+ \[\d+\] (\S*) ", chunk)
        if prefix and prefix[1] != ours:
            continue  # another test module's database (tests run in parallel)
        m = re.search(r"LOG:  (?:execute <unnamed>|statement): (.*)", chunk, re.S)
        if m:
            out.append((" ".join(m[1].split()), ""))
        d = re.search(r"DETAIL:  parameters: (.*)", chunk)
        if d and out:
            out[-1] = (out[-1][0], d[1])
    return out


@needs_pg
def test_a_qbr_reads_only_its_customers_rows_at_the_server(pg) -> None:
    assert PG_LOG, "CSLIB_TEST_POSTGRES_LOG names the server's statement log"
    log = Path(PG_LOG)
    start = log.stat().st_size
    report = open_report("customer", data=pg, account_id="A0004", period="2026Q3",
                         company="Larkspur Analytics")
    with log.open(encoding="utf-8", errors="replace") as fh:
        fh.seek(start)
        issued = _statements(fh.read())
    reads = [(s, p) for s, p in issued if s.startswith("SELECT") and " LIMIT " not in s
             and "GROUP BY" not in s and "FROM pg_type" not in s]  # the driver's type lookup
    assert reads, "the server logged no reads"
    for table in CONTENT:
        mine = [(s, p) for s, p in reads if re.search(rf"\bFROM {table}\b", s)
                and f"WHERE {table}.account_id IN ($1" in s]
        assert mine, f"no read of {table} filtered by account at the server"
        assert "'A0004'" in mine[0][1]
    dated = [s for s, _ in reads if "FROM mrr" in s and "WHERE mrr.account_id" in s]
    assert "mrr.month < $2" in dated[0]  # nothing after the month after the period is read
    # The one read beyond the customer: its segment's usage of the benchmark months.
    others = [(s, p) for s, p in reads if "IN ($1" not in s]
    assert len(others) == 1 and "WHERE accounts.segment = $1" in others[0][0]
    assert "'SMB'" in others[0][1]
    # Nothing unfiltered, and the report holds one customer with the folder's benchmark.
    assert report.dataset.accounts["account_id"].tolist() == ["A0004"]
    folder = open_report("customer", data=str(SAMPLE), account_id="A0004", period="2026Q3",
                         company="Larkspur Analytics")
    assert report.benchmarks == folder.benchmarks
    assert report.benchmarks["accounts"] >= 5


def test_segment_reads_push_a_subquery_down(duck, sample) -> None:
    part = report_slice(duck, "segment", segment="Enterprise", period="2026Q3")
    ids = set(sample.accounts.loc[sample.accounts["segment"] == "Enterprise", "account_id"])
    assert set(part.accounts["account_id"]) == ids
    assert set(part.mrr["account_id"].astype(str)) <= ids
    assert part.mrr["month"].max() == pd.Period("2026-10", "M")  # the month after 2026Q3
    assert part.coverage == sample.coverage  # the whole table's span, from one aggregate
    with pytest.raises(ParameterError, match="`segment` must be one of 'Enterprise'"):
        report_slice(duck, "segment", segment="Nope", period="2026Q3")
    with pytest.raises(ParameterError, match="'A9999' is not in the accounts of duckdb"):
        report_slice(duck, "customer", account_id="A9999", period="2026Q3")


def test_show_queries_prints_the_statements(duck, tmp_path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cslib.cli", "validate", duck, "--show-queries"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "sql: SELECT mrr.account_id AS account_id, mrr.month AS month" in run.stderr
    assert "OK: duckdb database warehouse.duckdb meets the data contract" in run.stdout


# A warehouse's own names, mapped by a YAML source file -------------------------------------
SALESFORCE = """\
url: ${CSLIB_TEST_WAREHOUSE}
tables:
  accounts:
    table: sf_account
    columns: {account_id: Id, name: Name, segment: Segment__c, renewal_date: Renewal_Date__c}
  mrr:
    table: fct_mrr
    columns: {account_id: AccountId, month: month_start, mrr: mrr_usd}
"""


def _salesforce_style(sample, path: Path) -> None:
    """The sample under Salesforce-style names, with months as DATE (first of the month)."""
    tables = dict(sample.tables)
    tables["accounts"] = tables["accounts"].rename(columns={
        "account_id": "Id", "name": "Name", "segment": "Segment__c",
        "renewal_date": "Renewal_Date__c"})
    mrr = tables["mrr"].rename(columns={"account_id": "AccountId", "mrr": "mrr_usd"})
    mrr["month_start"] = mrr.pop("month").dt.to_timestamp()
    tables["mrr"] = mrr
    renamed = type(sample)(tables, source="x", fingerprint="x", coverage=sample.coverage)
    write_database(renamed, str(path), names={"accounts": "sf_account", "mrr": "fct_mrr"})


def test_a_yaml_mapping_reads_a_salesforce_style_warehouse(sample, tmp_path, monkeypatch,
                                                           capsys) -> None:
    _salesforce_style(sample, tmp_path / "crm.duckdb")
    source = tmp_path / "warehouse.yaml"
    source.write_text(SALESFORCE)
    monkeypatch.setenv("CSLIB_TEST_WAREHOUSE", "crm.duckdb")  # relative to the YAML file
    _assert_same_tables(sample, open_source(source).read())
    assert _metrics_json(str(source), capsys) == _metrics_json(str(SAMPLE), capsys)
    one = report_slice(str(source), "customer", account_id="A0004", period="2026Q3")
    assert one.mrr["month"].max() == pd.Period("2026-10", "M")  # DATE months bounded too
    assert len(one.mrr) == (sample.mrr.assign(a=sample.mrr["account_id"].astype(str))
                            .query("a == 'A0004' and month <= '2026-10'").shape[0])


# Bad sources: one clear message, no traceback ----------------------------------------------
@pytest.mark.parametrize(("yaml_text", "message"), [
    ("tables: {}\n", "warehouse.yaml: `url` must be a SQLAlchemy URL or a DuckDB file."),
    ("url: x.duckdb\nwhere: 1\n", "warehouse.yaml: unknown key(s) where; expected url, schema, "
     "tables."),
    ("url: x.duckdb\ntables: {accounts: {table: a, columns: {acct: Id}}}\n",
     "warehouse.yaml: tables.accounts.columns: acct not in the contract's accounts"),
    ("url: x.duckdb\ntables: {customers: a}\n",
     "warehouse.yaml: tables.customers: not a contract table"),
    ("url: ${CSLIB_NOT_SET_ANYWHERE}\n",
     "warehouse.yaml: environment variable CSLIB_NOT_SET_ANYWHERE is not set."),
    ("url: missing.duckdb\n", "warehouse.yaml: `url`: no DuckDB database file at"),
])
def test_bad_source_files_say_what_is_wrong(tmp_path, yaml_text, message) -> None:
    (tmp_path / "x.duckdb").write_bytes(b"")
    path = tmp_path / "warehouse.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ParameterError) as exc:
        read_source_file(path)
    assert message in str(exc.value)


def test_contract_breaks_in_a_database_name_the_table_column_and_rows(sample, tmp_path) -> None:
    tables = dict(sample.tables)
    mrr = tables["mrr"].copy()
    mrr.loc[[3, 7], "mrr"] = -5.0
    tables["mrr"] = mrr
    del tables["accounts"]
    broken = type(sample)(tables, source="x", fingerprint="x", coverage=sample.coverage)
    path = tmp_path / "bad.duckdb"
    write_database(broken, str(path))
    with pytest.raises(DataError) as exc:
        open_source(path).read()
    assert "required table 'accounts' (database table 'accounts') cannot be read" in str(exc.value)
    tables["accounts"] = sample.accounts
    path = tmp_path / "negative.duckdb"
    write_database(type(sample)(tables, source="x", fingerprint="x", coverage=sample.coverage),
                   str(path))
    with pytest.raises(DataError) as exc:
        open_source(path).read()
    text = str(exc.value)
    assert ("mrr (database table mrr): column 'mrr' must be a number >= 0; 2 rows: "
            "row 4 ('-5.0'), row 8 ('-5.0')") in text
    assert text.startswith(f"{path}: the data does not meet the contract (1 problem)")


FINITE = "must be a finite number between -1e15 and 1e15 (not inf or NaN)"


def _with(sample, table: str, rows: list[int], column: str, value: object):
    """The sample with ``value`` written into some cells of one table."""
    tables = dict(sample.tables)
    frame = tables[table].copy()
    if isinstance(value, float):
        frame[column] = frame[column].astype(float)
    frame.loc[rows, column] = value
    tables[table] = frame
    return type(sample)(tables, source="x", fingerprint="x", coverage=sample.coverage)


def test_infinite_numbers_in_duckdb_are_refused(sample, tmp_path) -> None:
    broken = _with(_with(sample, "mrr", [3], "mrr", np.inf), "goals", [0, 2], "target", -np.inf)
    path = tmp_path / "inf.duckdb"
    write_database(broken, str(path))
    with pytest.raises(DataError) as exc:
        open_source(path).read()
    assert exc.value.problems == [
        f"mrr (database table mrr): column 'mrr' {FINITE}; 1 row: row 4 ('inf')",
        f"goals (database table goals): column 'target' {FINITE}; 2 rows: row 1 ('-inf'), "
        "row 3 ('-inf')",
    ]


@needs_pg
def test_postgresql_infinity_is_refused_as_float_and_as_numeric(sample, pg) -> None:
    import sqlalchemy as sa

    # Tables of their own (mapped by a source file), so the shared sample stays valid.
    write_database(_with(sample, "mrr", [3], "mrr", np.inf), pg, names={"mrr": "mrr_inf"})
    with sa.create_engine(pg).begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS mrr_numeric"))
        conn.execute(sa.text(
            "CREATE TABLE mrr_numeric AS SELECT account_id, month, CASE WHEN mrr = "
            "'Infinity'::float THEN 'Infinity'::numeric ELSE mrr::numeric END AS mrr "
            "FROM mrr_inf"))
    for table, shown in (("mrr_inf", "inf"), ("mrr_numeric", "inf")):  # NUMERIC read as float
        spec = SourceSpec(pg, tables={"mrr": (table, {})}, origin="warehouse")
        with pytest.raises(DataError) as exc:
            SqlSource(spec).read()
        assert exc.value.problems == [
            f"mrr (database table {table}): column 'mrr' {FINITE}; 1 row: row 4 ({shown!r})"
        ], table


def _with_row(sample, table: str, row: dict):
    tables = dict(sample.tables)
    frame = tables[table]
    extra = pd.DataFrame([row]).astype({c: frame[c].dtype for c in row if c != "account_id"})
    tables[table] = pd.concat([frame.astype({"account_id": str}), extra], ignore_index=True)
    return type(sample)(tables, source="x", fingerprint="x", coverage=sample.coverage)


def test_a_stray_month_in_a_database_is_refused_and_never_moves_the_period(sample,
                                                                          tmp_path) -> None:
    stray = _with_row(sample, "mrr", {"account_id": "A0004", "month": pd.Period("2062-09", "M"),
                                      "mrr": 5.0})
    path = tmp_path / "stray.duckdb"
    write_database(stray, str(path))
    rule = ("column 'month' must form one unbroken run of months, but no row falls in "
            "2026-11..2062-08, which cuts these rows off the main run 2023-11..2026-10 (a "
            "mistyped month or a broken extract?); 1 row: ")
    with pytest.raises(DataError) as exc:
        open_source(path).read()  # the whole table: rows as read, ordered by account and month
    assert exc.value.problems == [f"mrr (database table mrr): {rule}row 111 ('2062-09')"]
    # A report's read is filtered (one customer, up to the period): the coverage comes from
    # one aggregate query over the whole table, which refuses the stray month too.
    for kind, key in (("customer", {"account_id": "A0001"}), ("segment", {"segment": "SMB"}),
                      ("company", {})):
        with pytest.raises(DataError) as exc:
            report_slice(str(path), kind, **key)
        assert str(exc.value) == (f"{path}: the data does not meet the contract (1 problem):\n"
                                  f"  - mrr (database table mrr): {rule}A0004 in 2062-09")


def test_an_unreachable_server_is_one_line_with_the_password_masked(tmp_path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cslib.cli", "validate",
         "postgresql://cs:Hunter2-Secret@127.0.0.1:1/cs"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("cslib: invalid data: postgresql://cs:***@127.0.0.1:1/cs: ")
    assert "Connection refused" in run.stderr
    assert "Hunter2" not in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_names_shown_in_documents_carry_no_host_or_credentials() -> None:
    assert display_name("postgresql://cs:pw@db.internal:5432/analytics") == \
        "postgresql database analytics"
    assert is_database("postgresql://x/y") and is_database("w.duckdb")
    assert is_database("params/warehouse.yaml") and not is_database("data/sample")
