"""Tests for cslib.cli: `cslib validate`, `cslib metrics`, `cslib report-metrics`.

Most run in-process through ``main([...])``; a few run the installed ``cslib``
script as a subprocess to check the real exit code and that stderr holds a
clear message and never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cslib import METRIC_KEYS, load
from cslib.cli import main

pytestmark = pytest.mark.slow

CSLIB = Path(sys.executable).with_name("cslib")
MRR = "account_id,month,mrr\n"

BAD_PERIOD = (
    "cslib: error: `period` must look like 2026Q3 (quarter), 2026-09 (month), 2026 (year) "
    "or TTM2026-09 (trailing twelve months), got '2026-Q3'.\n"
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_script(*argv: object) -> subprocess.CompletedProcess[str]:
    """Run the installed ``cslib`` script as a separate process."""
    assert CSLIB.is_file(), f"{CSLIB} is not installed"
    return subprocess.run(
        [str(CSLIB), *map(str, argv)], capture_output=True, text=True, timeout=60, check=False
    )


# validate ---------------------------------------------------------------------------


def test_validate_good_folder_prints_ok_and_row_counts(capsys, valid_dir):
    code, out, err = run(capsys, "validate", valid_dir)
    fingerprint = load(valid_dir).fingerprint
    assert (code, err) == (0, "")
    assert out == "\n".join(
        [
            f"OK: {valid_dir} meets the data contract",
            f"  months 2026-01..2026-09 (9), 5 accounts, fingerprint {fingerprint[:12]}",
            "  accounts             5 rows",
            "  mrr                 37 rows  2026-01..2026-09",
            "  usage                7 rows  2026-07..2026-09",
            "  nps                  4 rows  2026-02-01..2026-09-12",
            "  tickets              4 rows  2026-03-01..2026-09-25",
            "  contacts             4 rows",
            "  activities           3 rows  2026-07-20..2026-09-01",
            "  goals                3 rows  2026-08-31..2026-12-31",
            "  advocacy             2 rows  2026-05-10..2026-08-01",
            "  churn_events         1 rows  2026-08-20..2026-08-20",
            "",
        ]
    )


def test_validate_names_missing_optional_tables(capsys, tmp_path, make_dataset):
    folder = make_dataset(tmp_path, usage=None, goals=None, advocacy=None, churn_events=None)
    code, out, _ = run(capsys, "validate", folder)
    assert code == 0
    assert out.startswith(f"OK: {folder} meets the data contract\n")
    assert out.splitlines()[-1] == (
        "  not present (optional; their report sections will say so): usage, goals, advocacy, "
        "churn_events"
    )


def test_validate_lists_ignored_files(capsys, tmp_path, make_dataset):
    folder = make_dataset(tmp_path, files={"invoices.csv": "id\n1\n", "notes.txt": "x"})
    code, out, _ = run(capsys, "validate", folder)
    assert code == 0
    assert "  ignored (not contract tables): invoices.csv\n" in out
    assert "notes.txt" not in out


def test_validate_json_is_the_dataset_summary(capsys, valid_dir):
    code, out, _ = run(capsys, "validate", valid_dir, "--json")
    assert code == 0
    assert json.loads(out) == load(valid_dir).summary()


def test_validate_bad_folder_exits_2_with_the_problems_on_stderr(capsys, tmp_path, make_dataset):
    folder = make_dataset(
        tmp_path, mrr=MRR + "a1,2026-01,100\na1,2026-02,-12.5\n", nps=lambda t: t + "r9,a1,x,9,,\n"
    )
    code, out, err = run(capsys, "validate", folder)
    assert code == 2
    assert out == ""
    assert err == (
        f"cslib: invalid data: {folder}: the data does not meet the contract (2 problems):\n"
        "  - mrr.csv: column 'mrr' must be a number >= 0; 1 row: line 3 ('-12.5')\n"
        "  - nps.csv: column 'responded_on' must be a date written YYYY-MM-DD; "
        "1 row: line 6 ('x')\n"
    )


def test_validate_missing_folder(capsys, tmp_path):
    code, out, err = run(capsys, "validate", tmp_path / "nope")
    assert (code, out) == (2, "")
    assert err == (
        f"cslib: invalid data: {tmp_path / 'nope'}: no such folder; "
        "expected a folder of CSV or Parquet files.\n"
    )


def test_validate_bad_folder_as_a_process(tmp_path, make_dataset):
    folder = make_dataset(tmp_path, accounts=lambda t: t.replace("segment", "segmnet", 1))
    proc = run_script("validate", folder)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines == [
        f"cslib: invalid data: {folder}: the data does not meet the contract (1 problem):",
        "  - accounts.csv: column 'segment' is required but missing (found 'segmnet': a typo?); "
        "the file has: account_id, name, segmnet, region, industry, csm, plan, renewal_date.",
    ]


def test_validate_never_shows_a_traceback(tmp_path, make_dataset):
    # A ticket closed before it opened is a contract problem like any other.
    tickets = "ticket_id,account_id,opened_on,closed_on\nt1,a1,2026-01-05,2026-01-02\n"
    proc = run_script("validate", make_dataset(tmp_path, tickets=tickets))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2
    assert proc.stderr.startswith("cslib: invalid data: ")
    assert "tickets.csv: column 'closed_on' must not be before opened_on" in proc.stderr


# metrics ----------------------------------------------------------------------------


def test_metrics_json_has_exactly_the_contract_keys(capsys, valid_dir):
    code, out, err = run(capsys, "metrics", "--data", valid_dir, "--period", "2026Q3")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert list(result) == ["period", "start_month", "end_month", "total"]
    assert (result["period"], result["start_month"], result["end_month"]) == (
        "2026Q3", "2026-06", "2026-09",
    )  # fmt: skip
    total = result["total"]
    assert list(total) == list(METRIC_KEYS)
    # Hand-computed in conftest.py.
    assert (total["starting_mrr"], total["ending_mrr"]) == (4100.0, 4000.0)
    assert (total["new_mrr"], total["expansion_mrr"]) == (500.0, 200.0)
    assert (total["contraction_mrr"], total["churned_mrr"]) == (500.0, 300.0)
    assert total["nrr"] == pytest.approx(3500 / 4100)
    assert total["grr"] == pytest.approx(3300 / 4100)
    assert total["logo_retention"] == 0.75
    assert total["customers_start"] == 4 and isinstance(total["customers_start"], int)


def test_metrics_json_by_segment(capsys, valid_dir):
    code, out, _ = run(
        capsys, "metrics", "--data", valid_dir, "--period", "2026Q3", "--by", "segment"
    )
    assert code == 0
    result = json.loads(out)
    assert list(result) == ["period", "start_month", "end_month", "total", "by"]
    assert list(result["by"]) == ["segment"]
    groups = result["by"]["segment"]
    assert sorted(groups) == ["Enterprise", "Mid-Market", "SMB"]
    assert {g: m["ending_mrr"] for g, m in groups.items()} == {
        "Enterprise": 2700.0, "Mid-Market": 800.0, "SMB": 500.0,
    }  # fmt: skip
    assert all(list(m) == list(METRIC_KEYS) for m in groups.values())
    assert groups["SMB"]["nps"] is None  # no response in the period: null, not NaN
    assert "NaN" not in out


def test_metrics_default_period_is_the_latest_complete_quarter(capsys, valid_dir):
    code, out, _ = run(capsys, "metrics", "--data", valid_dir)
    assert code == 0
    assert json.loads(out)["period"] == "2026Q3"


def test_metrics_csv_has_the_company_row_then_one_row_per_group(capsys, valid_dir):
    code, out, _ = run(
        capsys, "metrics", "--data", valid_dir, "--period", "2026Q3", "--by", "segment",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False, na_values=[""])
    assert list(frame.columns) == ["period", "level", "by", "group", *METRIC_KEYS]
    assert frame["level"].tolist() == ["company", "group", "group", "group"]
    assert frame["by"].tolist()[1:] == ["segment"] * 3 and pd.isna(frame.at[0, "by"])
    assert frame["group"].tolist()[1:] == ["Enterprise", "Mid-Market", "SMB"]
    assert set(frame["period"]) == {"2026Q3"}
    assert frame["starting_mrr"].tolist() == [4100.0, 3000.0, 800.0, 300.0]
    assert frame.at[0, "nrr"] == pytest.approx(3500 / 4100)
    assert pd.isna(frame.set_index("group").at["SMB", "nps"])
    assert out.splitlines()[1].startswith('"2026Q3","company",,,4100.0,4000.0,')


def test_metrics_csv_without_by_has_only_the_company_row(capsys, valid_dir):
    code, out, _ = run(
        capsys, "metrics", "--data", valid_dir, "--period", "2026Q3", "--format", "csv"
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert frame["level"].tolist() == ["company"]
    assert frame.at[0, "ending_mrr"] == 4000.0


def _table(capsys, folder) -> list[str]:
    code, out, err = run(
        capsys, "metrics", "--data", folder, "--period", "2026Q3", "--by", "segment",
        "--format", "table",
    )  # fmt: skip
    assert (code, err) == (0, "")
    return out.splitlines()


def test_metrics_table_is_aligned_and_formatted(capsys, valid_dir):
    lines = _table(capsys, valid_dir)
    assert lines[:2] == ["Period 2026Q3: 2026-06 -> 2026-09", ""]
    body = lines[2:]
    assert len(body) == 3 + 21  # the --by column, header, rule, one line per metric
    assert len({len(line) for line in body}) == 1, body
    assert body[0].split() == ["|", "segment"]
    assert body[1].split() == ["Metric", "Company", "|", "Enterprise", "Mid-Market", "SMB"]
    assert set(body[2].replace(" ", "").replace("|", "")) == {"-"}
    # The company's column, then the groups after the bar, in every line.
    assert len({line.index("|") for line in body}) == 1
    rows = {line[:17].strip(): line[17:].replace("|", "").split() for line in body[3:]}
    assert rows["Starting MRR"] == ["$4,100", "$3,000", "$800", "$300"]
    assert rows["Ending MRR"] == ["$4,000", "$2,700", "$800", "$500"]
    assert rows["NRR"] == ["85.4%", "90.0%", "100.0%", "0.0%"]
    assert rows["Logo retention"] == ["75.0%", "100.0%", "100.0%", "0.0%"]
    assert rows["Customers (start)"] == ["4", "2", "1", "1"]
    # Numbers are right-aligned: every value column ends at the same place.
    ends = {line.rstrip().rfind(line.split()[-1]) + len(line.split()[-1]) for line in body[1:]}
    assert len(ends) == 1


def test_metrics_table_shows_undefined_as_a_dash(capsys, valid_dir):
    # SMB has no NPS response in 2026Q3: its NPS and NPS margin are undefined.
    rows = {line[:17].strip(): line[17:].replace("|", "").split()
            for line in _table(capsys, valid_dir)[5:]}
    assert rows["NPS"][-1] == "–"
    assert rows["NPS margin (95%)"] == ["±106.7", "±138.6", "±0.0", "–"]


def test_metrics_bad_period_is_one_line(capsys, valid_dir):
    code, out, err = run(capsys, "metrics", "--data", valid_dir, "--period", "2026-Q3")
    assert (code, out, err) == (2, "", BAD_PERIOD)


def test_metrics_bad_period_as_a_process(valid_dir):
    proc = run_script("metrics", "--data", valid_dir, "--period", "2026-Q3")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == BAD_PERIOD
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("period", "books"),
    [("2025Q4", "2025-09 with 2025-12"), ("2026Q1", "2025-12 with 2026-03"),
     ("2026-10", "2026-09 with 2026-10")],
)  # fmt: skip
def test_metrics_period_outside_the_data_names_the_covered_months(capsys, valid_dir, period, books):
    code, out, err = run(capsys, "metrics", "--data", valid_dir, "--period", period)
    assert (code, out) == (2, "")
    assert err == (
        f"cslib: error: period {period} compares {books}, but the MRR data covers "
        "2026-01..2026-09; choose a period whose month before its first month is 2026-01 "
        "or later and whose last month is 2026-09 or earlier.\n"
    )


@pytest.mark.parametrize("by", ["nosuchcolumn", "account_id"])
def test_metrics_by_unknown_column_names_the_valid_columns(capsys, valid_dir, by):
    code, out, err = run(capsys, "metrics", "--data", valid_dir, "--period", "2026Q3", "--by", by)
    assert (code, out) == (2, "")
    assert err == (
        "cslib: error: `by` must be a column of accounts (name, segment, region, industry, "
        f"csm, plan, renewal_date), got {by!r}.\n"
    )


def test_metrics_bad_fiscal_year_start(capsys, valid_dir):
    code, _, err = run(
        capsys, "metrics", "--data", valid_dir, "--period", "2026Q3", "--fiscal-year-start", "13"
    )
    assert code == 2
    assert err == "cslib: error: `fiscal_year_start_month` must be 1..12, got 13.\n"


def test_metrics_unknown_format_is_rejected_by_the_parser(capsys, valid_dir):
    with pytest.raises(SystemExit) as info:
        main(["metrics", "--data", str(valid_dir), "--format", "xml"])
    assert info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_metrics_on_bad_data_exits_2(capsys, tmp_path, make_dataset):
    folder = make_dataset(tmp_path, accounts=None)
    code, out, err = run(capsys, "metrics", "--data", folder, "--period", "2026Q3")
    assert (code, out) == (2, "")
    assert err.startswith(f"cslib: invalid data: {folder}: the data does not meet the contract")
    assert "  - accounts: required table missing" in err


# report-metrics ---------------------------------------------------------------------


def test_report_metrics_writes_json_csv_and_txt(capsys, tmp_path, valid_dir):
    out_dir = tmp_path / "reports"
    code, out, err = run(
        capsys, "report-metrics", "--data", valid_dir, "--period", "2026Q3", "--by", "segment",
        "--out", out_dir,
    )  # fmt: skip
    assert (code, err) == (0, "")
    folder = out_dir / "data" / "2026Q3"  # one folder per dataset (valid_dir is .../data)
    assert sorted(p.name for p in out_dir.rglob("*")) == [
        "2026Q3", "data",
        "metrics-by-segment.csv", "metrics-by-segment.json", "metrics-by-segment.txt",
    ]  # fmt: skip
    assert out.endswith(f"\nWrote {folder}/metrics-by-segment.json, .csv and .txt\n")
    argv = ["metrics", "--data", valid_dir, "--period", "2026Q3", "--by", "segment", "--format"]
    for fmt, suffix in (("json", "json"), ("csv", "csv"), ("table", "txt")):
        _, expected, _ = run(capsys, *argv, fmt)
        assert (folder / f"metrics-by-segment.{suffix}").read_text(encoding="utf-8") == expected
    assert json.loads((folder / "metrics-by-segment.json").read_text())["total"]["ending_mrr"] == (
        4000.0
    )


def test_report_metrics_without_by(capsys, tmp_path, valid_dir):
    code, _, _ = run(
        capsys, "report-metrics", "--data", valid_dir, "--period", "2026-09", "--out", tmp_path
    )
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "data" / "2026-09").iterdir()) == [
        "metrics.csv", "metrics.json", "metrics.txt",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("tables", "extra"),
    [
        pytest.param({"mrr": MRR + "a1,2026-01,-12.5\n"}, [], id="bad-data"),
        pytest.param({}, ["--period", "2026-Q3"], id="bad-period"),
        pytest.param({}, ["--period", "2025Q4"], id="period-outside-data"),
        pytest.param({}, ["--by", "nosuchcolumn"], id="bad-by"),
    ],
)
def test_report_metrics_writes_nothing_on_error(capsys, tmp_path, make_dataset, tables, extra):
    folder = make_dataset(tmp_path / "data", **tables)
    out_dir = tmp_path / "reports"
    argv = ["report-metrics", "--data", folder, "--out", out_dir, "--by", "segment", *extra]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("cslib: ")
    assert not out_dir.exists()


# build and render -------------------------------------------------------------------

PLAN = Path(__file__).resolve().parents[1] / "params" / "quarterly.yaml"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ROOT = NOTEBOOKS.parent


def _plan(tmp_path: Path, extra: str = "", data: str = "sample") -> Path:
    text = PLAN.read_text().replace("../notebooks/", f"{NOTEBOOKS}/")
    text = text.replace("output: ../reports", f"output: {tmp_path / 'reports'}")
    text = text.replace("data: sample", f"data: {data}")
    text = text.replace("pptx_template: qbr-template.pptx",
                        f"pptx_template: {PLAN.parent / 'qbr-template.pptx'}")
    path = tmp_path / "plan.yaml"
    path.write_text(text + extra)
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("colour: blue\n", "unknown setting 'colour'"),
        ("period: 2026-Q3\n", "period: `period` must look like 2026Q3"),
    ],
)
def test_build_refuses_a_bad_plan_before_writing_anything(capsys, tmp_path, extra, message):
    code, out, err = run(capsys, "build", _plan(tmp_path, extra))
    assert code == 2 and out == ""
    assert err.startswith("cslib: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "reports").exists()


def test_build_refuses_bad_data_and_bad_periods_before_writing_anything(
    capsys, tmp_path, make_dataset
):
    bad = make_dataset(tmp_path / "bad", mrr=MRR + "A1,2026-01,-5\n")
    code, _, err = run(capsys, "build", _plan(tmp_path, data=str(bad)))
    assert code == 2 and "cslib: invalid data" in err and "mrr.csv" in err
    code, _, err = run(capsys, "build", _plan(tmp_path), "--period", "2030Q1")
    assert code == 2 and "2030Q1" in err
    code, _, err = run(capsys, "build", _plan(tmp_path), "--only", "boardpack")
    assert code == 2 and "no document named boardpack" in err
    assert not (tmp_path / "reports").exists()


def test_render_refuses_unknown_and_mistyped_parameters(capsys, tmp_path):
    qbr = NOTEBOOKS / "customer_qbr.ipynb"
    code, _, err = run(capsys, "render", qbr, "-p", "acount_id", "A0003", "--out", tmp_path)
    assert code == 2
    assert "unknown parameter `acount_id`" in err and "Did you mean `account_id`?" in err
    code, _, err = run(capsys, "render", qbr, "-p", "fiscal_year_start", "July",
                       "--out", tmp_path)
    assert code == 2 and "parameter `fiscal_year_start` must be int, got 'July'" in err
    code, _, err = run(capsys, "render", qbr, "--to", "docx", "--out", tmp_path)
    assert code == 2 and "--to must list formats among html, pdf" in err
    assert not list(tmp_path.iterdir())


def test_render_one_qbr_and_a_failing_one(tmp_path):
    qbr = NOTEBOOKS / "customer_qbr.ipynb"
    done = run_script("render", qbr, "-p", "account_id", "A0001", "--to", "html",
                      "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "customer_qbr-a0001.html")
    page = (tmp_path / "customer_qbr-a0001.html").read_text()
    assert "Sunmeadow Consulting AB" in page and "Quarterly business review" in page
    # An account not in the data is refused before the notebook runs (its slice is cut first).
    failed = run_script("render", qbr, "-p", "account_id", "A9999", "--out", tmp_path / "x")
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.startswith("cslib: error: `account_id` must be one of 'A0001', ")
    assert "; got 'A9999'." in failed.stderr
    assert not (tmp_path / "x" / "customer_qbr-a9999.html").exists()


def test_build_with_failures_summarizes_them_and_exits_1(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Acme
output: out
formats: [html]
documents:
  - name: broken
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0001]}}
    parameters: {{risk_config: /no/such/risk.yaml}}
  - name: fine
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0002]}}
""")
    done = run_script("build", plan, "--period", "2026Q3", "--jobs", "2")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    # Not a terminal: plain progress lines, one per document, then the summary.
    assert "built  fine/a0002-maplecroft-lending-pty-ltd (html)" in done.stdout
    assert "1 of 2 documents ready" in done.stdout
    assert ("FAILED broken/a0001-sunmeadow-consulting-ab (cell 3): customer_qbr.ipynb, cell 3: "
            "ConfigError: /no/such/risk.yaml: no such settings file.") in done.stderr
    assert "executed notebooks of failures kept in" in done.stderr
    out = tmp_path / "out" / "sample" / "2026Q3"
    assert (out / "_failed" / "broken" / "a0001-sunmeadow-consulting-ab.ipynb").is_file()
    index = (out / "index.html").read_text()
    assert index.count(">failed<") == 1 and index.count(">built<") == 1


def test_the_same_failure_everywhere_is_one_line_and_stops_the_build_early(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Acme
output: out
formats: [html]
max_same_failures: 0  # never stop: the command line's --max-same-failures wins
documents:
  - name: broken
    notebook: {NOTEBOOKS}/customer_qbr.ipynb
    for_each: account
    accounts: {{ids: [A0001, A0002, A0003, A0004, A0005, A0006, A0007, A0008]}}
    parameters: {{risk_config: /no/such/risk.yaml}}
""")
    dry = run_script("build", plan, "--period", "2026Q3", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Dry run: 8 of 8 documents for 2026Q3 would be built")
    assert "broken: 8 to build, 0 up to date" in dry.stdout
    assert not (tmp_path / "out").exists()  # nothing written
    done = run_script("build", plan, "--period", "2026Q3", "--jobs", "1",
                      "--max-same-failures", "3")
    assert done.returncode == 1, done.stderr
    failed = [line for line in done.stderr.splitlines() if "FAILED" in line]
    assert len(failed) == 2, done.stderr  # the three failures in one line, the rest in one
    assert failed[0].startswith("  FAILED 3 documents in cell 3, all with the same error: "
                                "customer_qbr.ipynb, cell 3: ConfigError: /no/such/risk.yaml: "
                                "no such settings file. (broken/a0")
    assert failed[1].startswith("  FAILED 5 documents, all with the same error: not built: "
                                "the build stopped after the first 3 documents all failed "
                                "with the same error")
    assert "0 of 8 documents ready" in done.stdout
    quiet = run_script("-q", "build", plan, "--period", "2026Q3", "--dry-run")
    assert quiet.returncode == 0 and "Dry run" in quiet.stdout  # the result is still printed
    elsewhere = run_script("build", plan, "--period", "2026Q3", "--dry-run", "--out",
                           tmp_path / "trial")  # not the plan's `output`
    assert f"would be built into {tmp_path / 'trial'}/" in elsewhere.stdout, elsewhere.stderr


def test_python_m_cslib_and_validate_data_option(tmp_path):
    done = subprocess.run([sys.executable, "-m", "cslib", "validate", "--data",
                           str(ROOT / "data" / "sample"), "-q"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: ")
    helped = subprocess.run([sys.executable, "-m", "cslib", "--help"], capture_output=True,
                            text=True, timeout=60, check=False)
    assert "exit codes:" in helped.stdout and "143  stopped by SIGTERM" in helped.stdout
    both = run_script("validate", ROOT / "data" / "sample", "--data", tmp_path)
    assert both.returncode == 2 and "differ; give one" in both.stderr


# group names that attack the output -------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-3", "@SUM(A1)"]


def _renamed(column: str, names: dict[str, str]):
    """A make_dataset edit: rename values of one accounts column."""

    def edit(text: str) -> str:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        frame[column] = frame[column].replace(names)
        return frame.to_csv(index=False, lineterminator="\n")

    return edit


def _formula_company(tmp_path: Path, make_dataset) -> Path:
    # Four industries, renamed to spreadsheet formulas; a2 (only a detractor, NPS -100)
    # is the "-3" group, so a negative number sits next to a text that starts with "-".
    names = dict(zip(["Manufacturing", "Energy", "Software", "Health"], FORMULAS, strict=True))
    names["Energy"], names["Software"] = "-3", "+1+2"
    return make_dataset(tmp_path / "data", accounts=_renamed("industry", names))


def _assert_spreadsheet_safe(text: str) -> None:
    """No cell a spreadsheet would run: text never starts with = + - @ tab CR."""
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert cell[:1] == "-" and float(cell) < 0, f"formula cell {cell!r} in {row}"


def test_metrics_csv_neutralises_formulas_and_keeps_numbers(capsys, tmp_path, make_dataset):
    data = _formula_company(tmp_path, make_dataset)
    code, out, err = run(capsys, "metrics", "--data", data, "--period", "2026Q3",
                         "--by", "industry", "--format", "csv")
    assert (code, err) == (0, "")
    _assert_spreadsheet_safe(out)
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False, na_values=[""])
    groups = frame[frame["level"] == "group"].set_index("group")
    assert sorted(groups.index) == sorted(f"'{f}" for f in FORMULAS)
    # OWASP: the neutralised cell is quoted, with its inner quotes doubled.
    assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in out
    assert groups.at["'-3", "nps"] == -100.0  # a negative number stays a number
    assert ",-100.0," in out and "'-100" not in out
    assert frame["ending_mrr"].dtype == float


def test_report_metrics_csv_file_is_spreadsheet_safe(capsys, tmp_path, make_dataset):
    data = _formula_company(tmp_path, make_dataset)
    code, _, err = run(capsys, "report-metrics", "--data", data, "--period", "2026Q3",
                       "--by", "industry", "--out", tmp_path / "reports")
    assert code == 0, err
    text = (tmp_path / "reports" / "data" / "2026Q3" / "metrics-by-industry.csv").read_text()
    _assert_spreadsheet_safe(text)
    assert "\"'@SUM(A1)\"" in text


TOTALS = {"Enterprise": "total", "SMB": "Total", "Mid-Market": "TOTAL"}


@pytest.fixture()
def totals_dir(tmp_path, make_dataset) -> Path:
    """The valid company with its three segments named total, Total and TOTAL."""
    return make_dataset(tmp_path / "totals", accounts=_renamed("segment", TOTALS))


def test_groups_named_total_keep_their_own_json_entries(capsys, totals_dir):
    code, out, _ = run(capsys, "metrics", "--data", totals_dir, "--period", "2026Q3",
                       "--by", "segment")
    assert code == 0
    result = json.loads(out)
    assert result["total"]["ending_mrr"] == 4000.0
    assert {g: m["ending_mrr"] for g, m in result["by"]["segment"].items()} == {
        "total": 2700.0, "Total": 500.0, "TOTAL": 800.0,
    }  # fmt: skip


def test_groups_named_total_never_replace_the_company_row_in_csv(capsys, totals_dir):
    code, out, _ = run(capsys, "metrics", "--data", totals_dir, "--period", "2026Q3",
                       "--by", "segment", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False, na_values=[""])
    assert list(frame.columns[:4]) == ["period", "level", "by", "group"]
    company = frame[frame["level"] == "company"]
    assert len(company) == 1 and company["ending_mrr"].tolist() == [4000.0]
    assert company[["by", "group"]].isna().all(axis=None)
    groups = frame[frame["level"] == "group"]
    assert set(groups["by"]) == {"segment"}
    assert dict(zip(groups["group"], groups["ending_mrr"], strict=True)) == {
        "total": 2700.0, "Total": 500.0, "TOTAL": 800.0,
    }  # fmt: skip


def test_groups_named_total_never_replace_the_company_column_in_the_table(capsys, totals_dir):
    lines = _table(capsys, totals_dir)
    header, rule = lines[3], lines[4]
    assert lines[2].split() == ["|", "segment"]
    assert header.split() == ["Metric", "Company", "|", "TOTAL", "Total", "total"]
    assert set(rule.replace(" ", "").replace("|", "")) == {"-"}
    rows = {line[:17].strip(): line[17:].split() for line in lines[5:]}
    assert rows["Ending MRR"] == ["$4,000", "|", "$800", "$500", "$2,700"]


# a reader that goes away (| head) ---------------------------------------------------


def _run_into_a_closed_pipe(*argv: object) -> subprocess.CompletedProcess[str]:
    """Run ``cslib`` with stdout a pipe whose reader is already gone: every write fails."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([str(CSLIB), *map(str, argv)], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{data}"],
        ["validate", "{data}", "--json"],
        ["metrics", "--data", "{data}", "--by", "segment", "--format", "table"],
        ["metrics", "--data", "{data}", "--format", "csv"],
        ["--help"],
    ],
    ids=["validate", "validate-json", "metrics-table", "metrics-csv", "help"],
)
def test_a_closed_pipe_ends_quietly_with_141(valid_dir, argv):
    done = _run_into_a_closed_pipe(*[a.format(data=valid_dir) for a in argv])
    assert (done.returncode, done.stderr) == (141, "")


def test_piped_into_head_prints_no_error(valid_dir):
    script = f'"{CSLIB}" validate "{valid_dir}" | head -1; echo "status=${{PIPESTATUS[0]}}"'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                          check=False)
    first, status = done.stdout.splitlines()
    assert first.startswith("OK: ") and status in ("status=0", "status=141")
    assert done.stderr == ""


@pytest.mark.parametrize("n", ["0", "99999999999"])
def test_sample_refuses_an_account_count_out_of_range(capsys, tmp_path, n):
    code, out, err = run(capsys, "sample", tmp_path / "s", "--accounts", n)
    assert (code, out) == (2, "")
    assert err == (
        f"cslib: error: --accounts: `n_accounts` must be an integer from 1 to 2808, got {n}.\n"
    )
    assert not (tmp_path / "s").exists()
