"""The bad-input corpus: broken datasets and plans, each refused with one clear message.

Every case runs ``cslib build PLAN`` (the command line, as a user would) on a small
valid company (tests/conftest.py) with one thing broken, and must end with a non-zero
exit, a message that names what is wrong and where, no traceback, and nothing written
under the plan's ``reports/`` folder. A few cases also run as a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import write_dataset

from cslib.cli import main
from cslib.pipeline.leaks import html_text

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def _edit(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def _append(line: str) -> Callable[[str], str]:
    return lambda text: text + line + "\n"


def _drop_column(col: str) -> Callable[[str], str]:
    def drop(text: str) -> str:
        rows = [r.split(",") for r in text.strip().splitlines()]
        i = rows[0].index(col)
        return "\n".join(",".join(r[:i] + r[i + 1 :]) for r in rows) + "\n"

    return drop


PLAN = f"""company: Acme
data: data
output: reports
period: 2026Q3
documents:
  - name: qbr
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
"""


@dataclass
class Case:
    """One broken input: table changes (see conftest.write_dataset), a plan, the message."""

    name: str
    expect: tuple[str, ...]
    tables: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str | bytes] = field(default_factory=dict)
    plan: Callable[[str], str] = lambda text: text
    code: int = 2


CASES = [
    # Tables and files -------------------------------------------------------------------
    Case(
        "missing required table",
        ("accounts: required table missing; expected accounts.csv or accounts.parquet",),
        {"accounts": None},
    ),
    Case(
        "missing column",
        ("mrr.csv: column 'mrr' is required but missing",),
        {"mrr": _drop_column("mrr")},
    ),
    Case(
        "text in a money column",
        ("mrr.csv", "column 'mrr' must be a number >= 0", "line 3 ('lots')"),
        {"mrr": _edit("a1,2026-02,1000", "a1,2026-02,lots")},
    ),
    Case(
        "negative money",
        ("mrr.csv", "column 'mrr' must be a number >= 0", "line 3 ('-1000')"),
        {"mrr": _edit("a1,2026-02,1000", "a1,2026-02,-1000")},
    ),
    Case(
        "duplicate account ids",
        ("accounts.csv: column 'account_id' must be unique", "line 7 ('a2')"),
        {"accounts": _append("a2,Globex again,SMB,NA,Energy,Dana,starter,2027-01-01")},
    ),
    Case(
        "duplicate account-month",
        ("mrr.csv: columns account_id, month must be unique", "('a1 2026-01')"),
        {"mrr": _append("a1,2026-01,5")},
    ),
    Case(
        "orphan rows",
        ("mrr.csv: column 'account_id' must name an account in accounts.csv", "('zz9')"),
        {"mrr": _append("zz9,2026-01,5")},
    ),
    Case(
        "month out of range",
        ("mrr.csv: column 'month' must be a month written YYYY-MM", "('2026-13')"),
        {"mrr": _append("a5,2026-13,800")},
    ),
    Case(
        "impossible date",
        ("tickets.csv: column 'opened_on' must be a date", "line 2 ('2026-02-30')"),
        {"tickets": _edit("t1,a1,2026-07-01", "t1,a1,2026-02-30")},
    ),
    Case(
        "closed before opened",
        ("tickets.csv: column 'closed_on' must not be before opened_on", "line 2"),
        {"tickets": _edit("t1,a1,2026-07-01,2026-07-03", "t1,a1,2026-07-01,2026-06-03")},
    ),
    Case(
        "NPS score out of range",
        ("nps.csv: column 'score' must be a whole number from 0 to 10", "('11')"),
        {"nps": _edit("r1,a1,2026-07-10,9", "r1,a1,2026-07-10,11")},
    ),
    Case(
        "CSAT out of range",
        ("tickets.csv: column 'csat' must be a whole number from 1 to 5", "('9')"),
        {"tickets": _edit("high,5,2", "high,9,2")},
    ),
    Case(
        "negative active users",
        ("usage.csv: column 'active_users' must be a whole number >= 0", "('-40')"),
        {"usage": _edit("a1,2026-07,40,50", "a1,2026-07,-40,50")},
    ),
    Case(
        "unknown goal status",
        ("goals.csv: column 'status' must be one of", "('done-ish')"),
        {"goals": _edit("achieved", "done-ish")},
    ),
    Case(
        "unknown contact in activities",
        ("activities.csv: column 'contact_id' must name a contact", "('c99')"),
        {"activities": _edit("e1,a1,2026-09-01,meeting,c1", "e1,a1,2026-09-01,meeting,c99")},
    ),
    Case(
        "a renewal date that is not a date",
        ("accounts.csv: column 'renewal_date' must be a date", "('someday')"),
        {"accounts": _edit("2026-11-15", "someday")},
    ),
    Case(
        "a row with an extra field",
        ("accounts.csv: cannot be read as CSV", "line 3, saw 9"),
        {"accounts": _edit("a2,Globex,", "a2,Globex, Inc,")},
    ),
    Case("empty table", ("mrr.csv: the table has no rows",), {"mrr": "account_id,month,mrr\n"}),
    Case("empty file", ("accounts.csv: the file is empty",), {"accounts": ""}),
    Case("not a CSV file", ("usage.csv: the file is not UTF-8 text",), {"usage": PNG}),
    Case(
        "not UTF-8",
        ("accounts.csv: the file is not UTF-8 text (byte 278)",),
        {"accounts": lambda text: text.replace("Hooli", "H\xe9li").encode("latin-1")},
    ),
    Case(
        "both CSV and Parquet",
        ("nps: both nps.csv and nps.parquet exist",),
        files={"nps.parquet": PNG},
    ),
    Case(
        "a Parquet file that is not Parquet",
        ("usage.parquet: cannot be read as Parquet",),
        {"usage": None},
        files={"usage.parquet": b"not parquet at all"},
    ),
    # Numbers that are not finite (inf, NaN, overflow) ----------------------------------------
    Case(
        "infinite MRR",
        ("mrr.csv: column 'mrr' must be a finite number between -1e15 and 1e15 (not inf or NaN)",
         "line 3 ('inf')"),
        {"mrr": _edit("a1,2026-02,1000", "a1,2026-02,inf")},
    ),
    Case(
        "a goal target that overflows",
        ("goals.csv: column 'target' must be a finite number", "line 2 ('1e999')"),
        {"goals": _edit("seats,10,50,55", "seats,10,1e999,55")},
    ),
    Case(
        "a usage count too large for a whole number",
        ("usage.csv: column 'active_users' must be a finite number", "line 2 ('1e20')"),
        {"usage": _edit("a1,2026-07,40,50", "a1,2026-07,1e20,50")},
    ),
    # Months and dates far from the rest of the data -----------------------------------------
    Case(
        "a stray MRR month far ahead",
        ("mrr.csv: column 'month' must form one unbroken run of months, but no row falls in "
         "2026-10..2062-08, which cuts these rows off the main run 2026-01..2026-09",
         "1 row: line 39 ('2062-09')"),
        {"mrr": _append("a1,2062-09,5")},
    ),
    Case(
        "a stray MRR month far back",
        ("mrr.csv: column 'month' must form one unbroken run of months", "1926-10..2025-12",
         "line 39 ('1926-09')"),
        {"mrr": _append("a5,1926-09,800")},
    ),
    Case(
        "an NPS answer dated far past the data",
        ("nps.csv: column 'responded_on' must not be after 2026-12-31 (3 months past the "
         "data's as-of date 2026-09-30", "line 2 ('2062-07-10')"),
        {"nps": _edit("r1,a1,2026-07-10", "r1,a1,2062-07-10")},
    ),
    Case(
        "a usage month past the tolerance",
        ("usage.csv: column 'month' must not be after 2026-12", "line 9 ('2027-01')"),
        {"usage": _append("a5,2027-01,12,20")},
    ),
    # Headers, contacts and text ---------------------------------------------------------------
    Case(
        "a column named twice in a header",
        ("accounts.csv: column 'name' appears 2 times in the header (columns 2 and 8); a column "
         "must appear once",),
        {"accounts": _edit("plan,renewal_date", "plan,name")},
    ),
    Case(
        "a contact of another account",
        ("activities.csv: column 'contact_id' must name a contact of the row's own account in "
         "contacts.csv", "line 2 ('c3' is a contact of 'a2', not of 'a1')"),
        {"activities": _edit("e1,a1,2026-09-01,meeting,c1", "e1,a1,2026-09-01,meeting,c3")},
    ),
    Case(
        "a NUL character in an account name",
        ("accounts.csv: column 'name' must be one line of text without control characters",
         "line 3 ('Glo\\x00bex')"),
        {"accounts": _edit("Globex", "Glo\x00bex")},
    ),
    Case(
        "a bidi override in a contact's title",
        ("contacts.csv: column 'title' must be one line of text without control characters",
         "line 2 ('VP \\u202eOperations')"),
        {"contacts": _edit("VP Operations", "VP \u202eOperations")},
    ),
    Case(
        "a 2,000-character account name",
        ("accounts.csv: column 'name' must be at most 200 characters long",
         "line 2 ('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...' (2,000 characters))"),
        {"accounts": _edit("Acme Corp", "A" * 2000)},
    ),
    # One currency ------------------------------------------------------------------------
    Case(
        "MRR in two currencies",
        ("mrr.csv: column 'currency' must hold one currency, found USD (36 rows) and EUR "
         "(1 row: line 3); convert amounts to one currency before loading.",),
        {"mrr": lambda text: text.replace("\n", ",USD\n").replace("mrr,USD", "mrr,currency", 1)
         .replace("a1,2026-02,1000,USD", "a1,2026-02,1000,EUR")},
    ),
    Case(
        "accounts and MRR in different currencies",
        ("accounts.csv: column 'currency' must hold one currency, found EUR (5 rows: line 2, "
         "line 3, line 4, line 5, line 6) while mrr.csv holds USD (37 rows)",),
        {"mrr": lambda text: text.replace("\n", ",USD\n").replace("mrr,USD", "mrr,currency", 1),
         "accounts": lambda text: text.replace("\n", ",EUR\n")
         .replace("renewal_date,EUR", "renewal_date,currency", 1)},
    ),
    # Plans and parameters -----------------------------------------------------------------
    Case(
        "data folder missing",
        ("`data` must name an existing dataset folder", "nowhere"),
        plan=_edit("data: data", "data: nowhere"),
    ),
    Case(
        "period outside the data",
        ("period 2030Q1", "2026-01..2026-09"),
        plan=_edit("period: 2026Q3", "period: 2030Q1"),
    ),
    Case("malformed period", ("period", "2026Q5"), plan=_edit("period: 2026Q3", "period: 2026Q5")),
    Case(
        "unknown plan key",
        ("unknown setting 'outptu'", "Did you mean 'output'?"),
        plan=_append("outptu: elsewhere"),
    ),
    Case(
        "unknown document key",
        ("documents[0]: unknown setting 'notebok'",),
        plan=_append("    notebok: x.ipynb"),
    ),
    Case(
        "plan is not YAML",
        ("plan.yaml", "not valid YAML", "line"),
        plan=_append("  - name: [unclosed"),
    ),
    Case(
        "notebook missing",
        ("documents[0].notebook", "no such notebook"),
        plan=_edit("customer_qbr.ipynb", "no_such_qbr.ipynb"),
    ),
    Case(
        "unknown fan-out",
        ("qbr.for_each: 'customer' is not a column of accounts (columns: segment, region, "
         "industry, csm, plan, renewal_date). One document per customer is `for_each: "
         "account`.",),
        plan=_edit("for_each: account", "for_each: customer"),
    ),
    Case(
        "unknown segment in a filter",
        ("qbr.accounts.segments: Enterprize not in the data", "Enterprise"),
        plan=_append("    accounts: {segments: [Enterprize]}"),
    ),
    Case(
        "unknown account in a filter",
        ("qbr.accounts.ids: not in accounts: a42",),
        plan=_append("    accounts: {ids: [a42]}"),
    ),
    Case(
        "misspelt notebook parameter",
        ("unknown parameter `acount_id`", "Did you mean `account_id`?"),
        plan=_append("    parameters: {acount_id: a1}"),
    ),
    Case(
        "code as a parameter name",
        ("documents[0].parameters", "is not a valid parameter name"),
        plan=_append("    parameters: {\"__import__('os').system('id')\": 1}"),
    ),
    Case(
        "code in a whole-number parameter",
        ("fiscal_year_start must be a whole number",),
        plan=_edit("period: 2026Q3", "fiscal_year_start: \"__import__('os').system('id')\""),
    ),
    Case(
        "code in the period",
        ("`period` must look like 2026Q3", "__import__"),
        plan=_edit("period: 2026Q3", "period: \"2026Q3'); __import__('os').system('id'); ('\""),
    ),
    Case(
        "fiscal year start out of range",
        ("fiscal_year_start", "13"),
        plan=_edit("period: 2026Q3", "fiscal_year_start: 13"),
    ),
    Case(
        "unknown format",
        ("formats must be among html, pdf", "docx"),
        plan=_append("formats: [html, docx]"),
    ),
    Case(
        "benchmark group too small", ("min_group_size", ">= 2"), plan=_append("min_group_size: 1")
    ),
    # Numbers out of range, keys given twice (issue 12) ---------------------------------
    Case(
        "renewal window of too many days",
        ("plan.yaml: documents[0].accounts.renewing_within_days must be a whole number from 1 "
         "to 3660, got 99999999999.",),
        plan=_append("    accounts: {renewing_within_days: 99999999999}"),
    ),
    Case(
        "renewal window of too many quarters",
        ("plan.yaml: documents[0].accounts.renewing_within_quarters must be a whole number from "
         "1 to 40, got 99999999999.",),
        plan=_append("    accounts: {renewing_within_quarters: 99999999999}"),
    ),
    Case(
        "plan key given twice",
        ("plan.yaml: line 9: 'period' is given twice (first on line 4); a key may appear once",),
        plan=_append("period: 2026Q2"),
    ),
    Case(
        "document key given twice",
        ("plan.yaml: line 9: 'for_each' is given twice (first on line 8)",),
        plan=_append("    for_each: segment"),
    ),
    Case(
        "account filter key given twice",
        ("plan.yaml: line 9: 'top_arr' is given twice (first on line 9)",),
        plan=_append("    accounts: {top_arr: 1, top_arr: 500}"),
    ),
]


def _setup(tmp_path: Path, case: Case) -> Path:
    write_dataset(tmp_path / "data", files=case.files, **case.tables)
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(case.plan(PLAN), encoding="utf-8")
    return plan_file


def test_the_corpus_has_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_with_one_clear_message(tmp_path, capsys, case):
    plan_file = _setup(tmp_path, case)
    code = main(["build", str(plan_file)])
    out, err = capsys.readouterr()
    assert code == case.code, err
    assert err.startswith("cslib: "), err
    assert "Traceback" not in err + out and "internal error" not in err
    for fragment in case.expect:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    reports = tmp_path / "reports"
    assert not reports.exists() or not any(p.is_file() for p in reports.rglob("*"))


@pytest.mark.parametrize(
    "name", ["not UTF-8", "period outside the data", "code as a parameter name"]
)
def test_the_command_itself_exits_non_zero_without_a_traceback(tmp_path, name):
    case = next(c for c in CASES if c.name == name)
    plan_file = _setup(tmp_path, case)
    done = subprocess.run(
        [sys.executable, "-m", "cslib.cli", "build", str(plan_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == case.code
    assert "Traceback" not in done.stderr and done.stderr.startswith("cslib: ")
    assert not (tmp_path / "reports").exists()


#: The data cases also run through `cslib validate`.
VALIDATE = [
    "infinite MRR",
    "a goal target that overflows",
    "a usage count too large for a whole number",
    "a stray MRR month far ahead",
    "a stray MRR month far back",
    "an NPS answer dated far past the data",
    "a usage month past the tolerance",
    "a column named twice in a header",
    "a contact of another account",
    "a NUL character in an account name",
    "a bidi override in a contact's title",
    "a 2,000-character account name",
    "MRR in two currencies",
    "accounts and MRR in different currencies",
]


@pytest.mark.parametrize("name", VALIDATE)
def test_validate_refuses_the_same_data_with_the_same_message(tmp_path, capsys, name):
    case = next(c for c in CASES if c.name == name)
    folder = write_dataset(tmp_path / "data", files=case.files, **case.tables)
    code = main(["validate", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert err.startswith(f"cslib: invalid data: {folder}: the data does not meet the contract")
    assert "Traceback" not in err + out and "internal error" not in err and not out
    for fragment in case.expect:
        assert fragment in err, f"{fragment!r} not in {err!r}"


def test_a_stray_month_never_moves_the_default_period(tmp_path, capsys):
    # Without --period the latest complete quarter of the data is reported: one mistyped
    # row must not make that 2062Q2.
    folder = write_dataset(tmp_path / "data", mrr=_append("a1,2062-09,5"))
    code = main(["metrics", "--data", str(folder)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "no row falls in 2026-10..2062-08" in err and "2062Q" not in err


def test_code_in_a_text_parameter_is_only_text(tmp_path):
    """A company name written to break out of the injected parameter cell stays a name."""
    marker = tmp_path / "MARKER"
    company = f"Acme\"); __import__('pathlib').Path({str(marker)!r}).write_text('x'); (\""
    write_dataset(tmp_path / "data")
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        PLAN.replace("company: Acme", "company: " + json.dumps(company)).replace(
            "for_each: account", "for_each: account\n    accounts: {ids: [a1]}"
        ),
        encoding="utf-8",
    )
    assert main(["build", str(plan_file)]) == 0
    assert not marker.exists()
    page = next((tmp_path / "reports").rglob("qbr/*.html")).read_bytes()
    assert company in html_text(page)
