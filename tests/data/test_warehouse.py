"""A real warehouse, mapped only through a source file: Salesforce, Stripe, Zendesk tables.

The sample company is written the way a warehouse holds it (soft-deleted
duplicate accounts, amounts in cents, TIMESTAMP and TIMESTAMPTZ columns with
NULLs, NUMERIC, BIGINT and BOOLEAN columns, a table only reachable through a
query) into DuckDB and into a real PostgreSQL server; the source file's
``where``, ``scale``, ``expr`` and ``query`` bring it back to the contract, and
validate, metrics and a document must say exactly what the CSV folder says.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest
from conftest import postgres_database

from cslib.cli import main
from cslib.data.load import load
from cslib.data.sources import open_source, read_source_file
from cslib.data.warehouse import CentsWarning
from cslib.errors import ParameterError

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
PG_URL = os.environ.get("CSLIB_TEST_POSTGRES_URL", "")

SOURCE = """\
url: {url}
tables:
  accounts:
    table: Account
    where: NOT "IsDeleted"
    columns:
      account_id: Id
      name: Name
      segment: Segment__c
      region: Region__c
      industry: Industry
      csm: {{expr: 'TRIM("Owner_Name")'}}
      plan: Plan__c
      renewal_date: Renewal_Date__c
  mrr:
    table: stripe_mrr
    columns:
      account_id: customer
      month: period_start
      mrr: {{column: amount, scale: 0.01}}
  tickets:
    table: zendesk_tickets
    columns:
      ticket_id: id
      account_id: organization_id
      opened_on: created_at
      closed_on: solved_at
      category: type
  nps:
    query: |
      SELECT response_id, account_id, responded_on, score, contact_id, comment
      FROM nps_raw
      WHERE NOT is_test  -- survey tests are not answers
"""


def _warehouse_frames(sample) -> dict[str, pd.DataFrame]:
    """The sample as a Salesforce/Stripe/Zendesk warehouse holds it."""
    acc = sample.accounts.rename(columns={
        "account_id": "Id", "name": "Name", "segment": "Segment__c", "region": "Region__c",
        "industry": "Industry", "csm": "Owner_Name", "plan": "Plan__c",
        "renewal_date": "Renewal_Date__c"}).assign(IsDeleted=False)
    acc["Renewal_Date__c"] = acc["Renewal_Date__c"] + pd.Timedelta(hours=9)  # TIMESTAMP
    dupes = acc.head(3).assign(IsDeleted=True, Name="Deleted duplicate", Segment__c="Trash")
    mrr = sample.mrr.assign(account_id=sample.mrr["account_id"].astype(str))
    stripe = pd.DataFrame({
        "customer": mrr["account_id"],
        "period_start": mrr["month"].dt.to_timestamp(),          # TIMESTAMP, first of month
        "amount": (mrr["mrr"] * 100).round().astype("int64"),    # BIGINT cents
    })
    t = sample.tables["tickets"].assign(account_id=lambda f: f["account_id"].astype(str))
    noon = pd.Timedelta(hours=12)
    zendesk = pd.DataFrame({
        "id": t["ticket_id"], "organization_id": t["account_id"],
        "created_at": (t["opened_on"] + noon).dt.tz_localize("UTC"),   # TIMESTAMPTZ
        "solved_at": (t["closed_on"] + noon).dt.tz_localize("UTC"),    # NULL while open
        "priority": t["priority"], "type": t["category"], "csat": t["csat"], "ces": t["ces"],
    })
    nps = sample.tables["nps"].assign(account_id=lambda f: f["account_id"].astype(str))
    probe = nps.head(2).assign(response_id=["TEST-1", "TEST-2"], score=0)
    nps_raw = pd.concat([nps.assign(is_test=False), probe.assign(is_test=True)],
                        ignore_index=True)
    frames = {"Account": pd.concat([acc, dupes], ignore_index=True), "stripe_mrr": stripe,
              "zendesk_tickets": zendesk, "nps_raw": nps_raw}
    for name in ("usage", "contacts", "activities", "goals", "advocacy", "churn_events"):
        frame = sample.tables[name].copy()
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.PeriodDtype):
                frame[col] = frame[col].dt.strftime("%Y-%m")
            elif isinstance(frame[col].dtype, pd.CategoricalDtype):
                frame[col] = frame[col].astype(str)
        frames[name] = frame
    return frames


def _write_duckdb(frames: dict[str, pd.DataFrame], path: Path) -> str:
    import duckdb

    with duckdb.connect(str(path)) as con:
        for name, frame in frames.items():
            con.register("frame", frame)
            cast = ("* REPLACE (CAST(baseline AS DECIMAL(18,4)) AS baseline, CAST(target AS "
                    "DECIMAL(18,4)) AS target, CAST(\"current\" AS DECIMAL(18,4)) AS \"current\")"
                    if name == "goals" else "*")
            con.execute(f'CREATE TABLE "{name}" AS SELECT {cast} FROM frame')
            con.unregister("frame")
    return str(path)


def _write_postgres(frames: dict[str, pd.DataFrame], url: str) -> str:
    import sqlalchemy as sa

    url = postgres_database(url, "cslib_warehouse")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for name, frame in frames.items():
            numeric = ({c: sa.Numeric(18, 4) for c in ("baseline", "target", "current")}
                       if name == "goals" else {})
            frame.to_sql(name, conn, index=False, dtype=numeric)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def frames(sample):
    return _warehouse_frames(sample)


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def warehouse(request, frames, tmp_path_factory) -> Path:
    """A source file over the warehouse, in DuckDB or in PostgreSQL."""
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "duckdb":
        url = _write_duckdb(frames, folder / "warehouse.duckdb")
    else:
        if not PG_URL:
            pytest.skip("no PostgreSQL server: run `make test` (CSLIB_TEST_POSTGRES_URL)")
        url = _write_postgres(frames, PG_URL)
    path = folder / "warehouse.yaml"
    path.write_text(SOURCE.format(url=url))
    return path


def _metrics(data: str, capsys) -> dict:
    assert main(["metrics", "--data", data, "--period", "2026Q3", "--by", "segment"]) == 0
    return json.loads(capsys.readouterr().out)


def _close(a: object, b: object, where: str = "") -> None:
    """Equal, floats to 1e-9 relative (cents x 0.01 is not exact in binary)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (where, a, b)
    else:
        assert a == b, (where, a, b)


def test_the_warehouse_reads_as_the_csv_folder(sample, warehouse, capsys) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CentsWarning)  # scaled: no cents warning
        data = open_source(warehouse).read()
    for name in sample.tables:
        got, want = data.tables[name], sample.tables[name]
        assert list(got.columns) == list(want.columns), name
        if name == "mrr":
            assert (got["mrr"] - want["mrr"]).abs().max() < 1e-9
            got, want = got.drop(columns="mrr"), want.drop(columns="mrr")
        pd.testing.assert_frame_equal(got, want, check_categorical=False, obj=name)
    assert data.coverage == sample.coverage
    assert main(["validate", str(warehouse)]) == 0
    assert "Deleted duplicate" not in capsys.readouterr().out
    _close(_metrics(str(warehouse), capsys), _metrics(str(SAMPLE), capsys))


def test_a_customer_read_pushes_the_mapping_and_its_filters_down(warehouse) -> None:
    src = open_source(warehouse)
    one = src.read(account_ids=["A0004"], until=pd.Period("2026-09", "M"))
    assert one.accounts["account_id"].tolist() == ["A0004"]
    assert one.mrr["month"].max() == pd.Period("2026-09", "M")
    text = "\n".join(src.queries)
    assert 'WHERE NOT "IsDeleted"' in text          # the source file's filter...
    assert "(amount) * 0.01 AS mrr" in text.replace('"', "")  # ...and its scale, in SQL
    assert "WHERE NOT is_test" in text              # the query, inside the read
    assert "account_id IN" in text and "FROM (SELECT" in text


def test_cents_without_scale_are_warned_about(warehouse, tmp_path) -> None:
    unscaled = tmp_path / "unscaled.yaml"
    text = warehouse.read_text().replace("mrr: {column: amount, scale: 0.01}", "mrr: amount")
    unscaled.write_text(text.replace("url: warehouse.duckdb", f"url: {warehouse.parent}/"
                                     "warehouse.duckdb"))
    with pytest.warns(CentsWarning, match=r"mrr\.mrr \(database table stripe_mrr\): every "
                      r"amount is a whole number .* scale: 0.01"):
        open_source(unscaled).read()


def test_a_mapped_column_the_table_lacks_is_named_with_the_mapping(warehouse, tmp_path) -> None:
    bad = tmp_path / "typo.yaml"
    text = warehouse.read_text().replace("segment: Segment__c", "segment: Segment_c")
    bad.write_text(text)
    with pytest.raises(ParameterError) as exc:
        open_source(bad).read()
    assert ("typo.yaml: `accounts.segment` is mapped to `Segment_c`, which table `Account` "
            "does not have. Did you mean `Segment__c`?") in str(exc.value)


@pytest.mark.parametrize(("old", "new", "messages"), [
    ("  nps:\n", "  goals:\n    table: gaols\n  nps:\n",  # an optional table, misspelt
     ["`tables.goals.table` cannot be read:", "no table `gaols`. Did you mean `goals`?"]),
    ('where: NOT "IsDeleted"', 'where: NOT "IsDeletd"',
     ["`tables.accounts.where` names a column `IsDeletd` that is not there",
      "Did you mean `IsDeleted`?"]),
    ('TRIM("Owner_Name")', 'TRIM("Owner_Nam")',
     ["`tables.accounts.columns.csm.expr` names a column `Owner_Nam`", "`Owner_Name`"]),
    ("FROM nps_raw", "FROM nps_rw", ["`tables.nps.query` cannot be read:", "nps_raw"]),
    ("FROM nps_raw", "FROM read_csv('/etc/passwd')",  # DuckDB: the database, not the machine
     ["`tables.nps` (`query`) cannot be read:", "/etc/passwd"]),
    ('where: NOT "IsDeleted"', "where: NOT IsDeleted",  # PostgreSQL folds it to isdeleted
     ["`tables.accounts.where` names a column `isdeleted`",
      "Did you mean `IsDeleted`? Quote a mixed-case name"]),
])
def test_a_mistake_in_the_mapping_names_its_key_and_the_fix(warehouse, tmp_path, old, new,
                                                             messages) -> None:
    from cslib.errors import CslibError

    postgres = "postgresql" in warehouse.read_text()
    if ("read_csv" in new and postgres) or ("NOT IsDeleted" in new and not postgres):
        pytest.skip("DuckDB's own: external files; PostgreSQL's own: case folding")
    bad = tmp_path / "typo.yaml"
    assert old in warehouse.read_text()
    bad.write_text(warehouse.read_text().replace(old, new, 1))
    with pytest.raises(CslibError) as exc:  # never an absent table, an empty report section
        open_source(bad).read()
    assert str(exc.value).startswith("typo.yaml: ")
    for message in messages:
        assert message in str(exc.value)


def test_the_command_line_shows_the_cents_warning(warehouse, tmp_path) -> None:
    import subprocess
    import sys

    unscaled = tmp_path / "unscaled.yaml"
    unscaled.write_text(warehouse.read_text().replace("mrr: {column: amount, scale: 0.01}",
                                                      "mrr: amount"))
    done = subprocess.run([sys.executable, "-m", "cslib", "validate", "--data", str(unscaled)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "cslib: WARNING: " in done.stderr and "they look like cents" in done.stderr
    assert "scale: 0.01" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("entry", "message"), [
    ("{table: a, wher: x}", "tables.accounts: unknown key 'wher'; expected table, columns, "
                           "where, query. Did you mean 'where'?"),
    ("{query: 'DELETE FROM a'}", "tables.accounts.query: must be one read-only SELECT (or "
                                 "WITH ... SELECT) statement; it starts with DELETE."),
    ("{query: 'SELECT 1; DROP TABLE a'}", "tables.accounts.query: one statement only"),
    ("{query: 'WITH x AS (DELETE FROM a RETURNING *) SELECT * FROM x'}",
     "tables.accounts.query: DELETE is not allowed in a read-only query."),
    ("{table: a, where: '1=1; DROP TABLE a'}", "tables.accounts.where: one expression only"),
    ("{table: a, columns: {segment: {column: s, scale: cents}}}",
     "tables.accounts.columns.segment.scale: expected a non-zero number"),
    ("{table: a, columns: {segment: {column: s, expr: t}}}",
     "tables.accounts.columns.segment: give exactly one of `column`"),
    ("{table: a, columns: {segmnt: s}}", "Did you mean 'segment'?"),
    ("{table: a, query: 'SELECT 1'}", "tables.accounts: give `table` or `query`, not both."),
])
def test_bad_table_entries_say_what_is_wrong(tmp_path, entry, message) -> None:
    (tmp_path / "x.duckdb").write_bytes(b"")
    path = tmp_path / "warehouse.yaml"
    path.write_text(f"url: x.duckdb\ntables:\n  accounts: {entry}\n")
    with pytest.raises(ParameterError) as exc:
        read_source_file(path)
    assert message in str(exc.value)


def test_a_misspelt_top_level_key_gets_a_did_you_mean(tmp_path) -> None:
    (tmp_path / "x.duckdb").write_bytes(b"")
    path = tmp_path / "warehouse.yaml"
    path.write_text("url: x.duckdb\ntabels: {}\n")
    with pytest.raises(ParameterError, match="Did you mean 'tables'"):
        read_source_file(path)


def test_a_board_report_from_the_warehouse_says_what_the_folder_says(warehouse) -> None:
    from cslib.present import narrative, tables
    from cslib.present.report import open_report

    a = open_report("company", data=str(warehouse), period="2026Q3", company="Larkspur")
    b = open_report("company", data=str(SAMPLE), period="2026Q3", company="Larkspur")
    # Renewals due in the period's last month are told renewed from the month after it,
    # which a database read must fetch too (not only the period's months).
    assert tables.customer_outcomes(a).text() == tables.customer_outcomes(b).text()
    assert tables.headline_kpis(a).text() == tables.headline_kpis(b).text()
    assert narrative.executive_summary(a).text() == narrative.executive_summary(b).text()
    # Build details name the database as a customer's slice does, not the source file's name
    assert a.provenance()["parameters"]["data"] in ("duckdb database warehouse.duckdb",
                                                    "postgresql database cslib_warehouse")
