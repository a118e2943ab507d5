"""Shared fixtures: a small, valid dataset that meets the data contract.

``make_dataset(folder, **tables)`` writes the nine contract tables as CSV files
into ``folder`` and returns the folder. A keyword named after a table replaces
or drops that table, so a broken variant is one line::

    make_dataset(tmp_path, accounts=None)                      # no accounts.csv
    make_dataset(tmp_path, mrr="account_id,month,mrr\\na1,2026-13,1\\n")
    make_dataset(tmp_path, nps=b"\\xe9t\\xe9")                  # raw bytes
    make_dataset(tmp_path, mrr=lambda text: text + "a1,2026-10,5\\n")
    make_dataset(tmp_path, mrr=frame)                          # mrr.parquet
    make_dataset(tmp_path, files={"notes.txt": "hello"})       # any other file

The dataset (accounts a1..a5, MRR for 2026-01..2026-09) by hand, 2026Q3
(start book 2026-06, end book 2026-09):

======  ==========  =======  =======  ===============================
account segment     2026-06  2026-09  in Q3
======  ==========  =======  =======  ===============================
a1      Enterprise    1,000    1,200  expansion +200 (in 2026-07)
a2      Enterprise    2,000    1,500  contraction -500 (in 2026-08)
a3      SMB             300        0  churn -300 (0 in 2026-08, then no row)
a4      SMB               0      500  new +500 (first MRR in 2026-08)
a5      Mid-Market      800      800  flat
total                 4,100    4,000
======  ==========  =======  =======  ===============================

NRR = 3,500 / 4,100, GRR = 3,300 / 4,100, logo retention = 3 / 4.
"""

from __future__ import annotations

import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

MONTHS = [f"2026-{m:02d}" for m in range(1, 10)]

# MRR per account and month (2026-01..2026-09); None = no row (a missing month is 0).
MRR_BY_ACCOUNT: dict[str, list[float | None]] = {
    "a1": [1000, 1000, 1000, 1000, 1000, 1000, 1200, 1200, 1200],
    "a2": [2000, 2000, 2000, 2000, 2000, 2000, 2000, 1500, 1500],
    "a3": [300, 300, 300, 300, 300, 300, 300, 0, None],
    "a4": [None, None, None, None, None, None, None, 500, 500],
    "a5": [800, 800, 800, 800, 800, 800, 800, 800, 800],
}


def _mrr_text() -> str:
    lines = ["account_id,month,mrr"]
    for account, values in MRR_BY_ACCOUNT.items():
        for month, value in zip(MONTHS, values, strict=True):
            if value is not None:
                lines.append(f"{account},{month},{value:g}")
    return "\n".join(lines) + "\n"


TABLES: dict[str, str] = {
    "accounts": """\
account_id,name,segment,region,industry,csm,plan,renewal_date
a1,Acme Corp,Enterprise,EMEA,Manufacturing,Dana,enterprise,2026-11-15
a2,Globex,Enterprise,NA,Energy,Dana,enterprise,2027-02-01
a3,Initech,SMB,NA,Software,Lee,starter,2026-08-31
a4,Umbrella,SMB,APAC,Health,Lee,,
a5,Hooli,Mid-Market,NA,Software,Kim,growth,2026-10-01
""",
    "mrr": _mrr_text(),
    "usage": """\
account_id,month,active_users,licensed_seats
a1,2026-07,40,50
a1,2026-08,45,50
a1,2026-09,48,60
a2,2026-07,90,100
a2,2026-08,70,100
a2,2026-09,60,100
a5,2026-09,12,20
""",
    "nps": """\
response_id,account_id,responded_on,score,contact_id,comment
r1,a1,2026-07-10,9,c1,Great support
r2,a2,2026-08-03,6,c3,
r3,a5,2026-09-12,10,,"Fast, simple"
r4,a3,2026-02-01,7,,
""",
    "tickets": """\
ticket_id,account_id,opened_on,closed_on,priority,csat,ces
t1,a1,2026-07-01,2026-07-03,high,5,2
t2,a2,2026-08-10,2026-08-20,low,3,5
t3,a5,2026-09-25,,normal,,
t4,a1,2026-03-01,2026-03-02,normal,4,1
""",
    "contacts": """\
contact_id,account_id,name,role,title,strength
c1,a1,Ann Archer,executive,VP Operations,strong
c2,a1,Bob Baker,user,Analyst,medium
c3,a2,Cy Cole,executive,CFO,weak
c4,a5,Di Dunn,user,Admin,very_strong
""",
    "activities": """\
activity_id,account_id,occurred_on,kind,contact_id
e1,a1,2026-09-01,meeting,c1
e2,a2,2026-08-15,call,c3
e3,a5,2026-07-20,email,
""",
    "goals": """\
goal_id,account_id,title,due_on,status,metric,baseline,target,current
g1,a1,Roll out to EMEA,2026-09-30,achieved,seats,10,50,55
g2,a2,Cut ticket volume,2026-12-31,on_track,tickets,40,20,30
g3,a5,Launch SSO,2026-08-31,missed,,,,
""",
    "advocacy": """\
event_id,account_id,occurred_on,kind
v1,a1,2026-05-10,referral
v2,a5,2026-08-01,case_study
""",
    "churn_events": """\
event_id,account_id,occurred_on,kind,reason
l1,a3,2026-08-20,churn,"Budget cuts; feedback: too expensive"
""",
}

TableOverride = str | bytes | pd.DataFrame | Callable[[str], object] | None


def write_dataset(
    folder: Path, *, files: dict[str, str | bytes] | None = None, **tables: TableOverride
) -> Path:
    """Write the valid dataset into ``folder``, with some tables replaced or dropped.

    A table keyword takes ``None`` (no file), CSV text (``str``), raw bytes, a
    DataFrame (written as ``NAME.parquet`` instead of ``NAME.csv``) or a function
    of the valid CSV text returning one of those. ``files`` adds other files by name.
    """
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise TypeError(f"not contract tables: {sorted(unknown)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TABLES.items():
        content: object = tables.get(name, text)
        if callable(content):
            content = content(text)
        if content is None:
            continue
        if isinstance(content, pd.DataFrame):
            content.to_parquet(folder / f"{name}.parquet", index=False)
        elif isinstance(content, bytes):
            (folder / f"{name}.csv").write_bytes(content)
        else:
            (folder / f"{name}.csv").write_text(str(content), encoding="utf-8")
    for filename, data in (files or {}).items():
        path = folder / filename
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return folder


@pytest.fixture
def dataset_tables() -> dict[str, str]:
    """The valid CSV text of every contract table, by table name (a fresh copy)."""
    return dict(TABLES)


@pytest.fixture
def make_dataset() -> Callable[..., Path]:
    """Factory: ``make_dataset(folder, **tables)`` writes a dataset (see the module doc)."""
    return write_dataset


@pytest.fixture
def valid_dir(tmp_path: Path) -> Path:
    """A folder holding the valid dataset as CSV files."""
    return write_dataset(tmp_path / "data")


FAKE_QUARTO = Path(__file__).parent / "fixtures" / "fake_quarto" / "quarto"


@pytest.fixture
def fake_exe(tmp_path) -> Path:
    """The Quarto stand-in copied to tmp_path/bin/quarto, executable, run by this interpreter."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "quarto"
    text = FAKE_QUARTO.read_text(encoding="utf-8")
    if not any(ch.isspace() for ch in sys.executable):
        text = f"#!{sys.executable}\n" + text.split("\n", 1)[1]
    exe.write_text(text, encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe


def write_database(dataset, url: str, *, names: dict[str, str] | None = None) -> None:
    """Write a dataset's tables into a database, replacing tables of the same names.

    A test helper (cslib itself only reads databases): months are written as
    ``YYYY-MM`` text, dates as ``DATE``; ``names`` renames tables (contract
    name -> database name).
    A DuckDB file is written with DuckDB's own bulk path.
    """
    url = url if "://" in url else f"duckdb:///{Path(url).resolve()}"
    frames = {}
    for name, frame in dataset.tables.items():
        out = frame.copy()
        for col in out.columns:
            if isinstance(out[col].dtype, pd.PeriodDtype):
                out[col] = out[col].dt.strftime("%Y-%m")
            elif isinstance(out[col].dtype, pd.CategoricalDtype):
                out[col] = out[col].astype(str)
            elif pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].dt.date
        frames[(names or {}).get(name, name)] = out
    if url.startswith("duckdb:///"):
        import duckdb

        with duckdb.connect(url.removeprefix("duckdb:///")) as con:
            for name, out in frames.items():
                con.register("frame", out)
                con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM frame')
                con.unregister("frame")
        return
    import sqlalchemy as sa

    with sa.create_engine(url).begin() as conn:
        for name, out in frames.items():
            out.to_sql(name, conn, index=False, if_exists="replace")


def postgres_database(url: str, name: str) -> str:
    """A new, empty database ``name`` on the test server at ``url``; its URL.

    Test modules that write tables use their own database, so they can run in
    parallel (pytest-xdist) without replacing each other's tables.
    """
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def communicate_or_dump(proc, timeout: float) -> tuple[str, str]:
    """``proc.communicate(timeout)``; if it hangs, its stacks (SIGUSR1) go in the failure."""
    import signal
    import subprocess

    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)  # cslib prints every thread's stack
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        raise AssertionError(f"still running after {timeout} s; its stacks:\n{err}") from None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``first`` are collected first (the order is otherwise kept).

    Under pytest-xdist (``--dist loadscope``) their module then starts at once
    and the other process works through the rest beside it, instead of the
    400-QBR sweep starting last and running alone at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("first") is None)


_FOOTER = re.compile(r"Page (\d+) of (\d+)")
# A contents line: its text, a dot leader (text extraction may space the dots out) and a page.
_CONTENTS_ENTRY = re.compile(r"(\S.*?)\s*(?:\.\s?){3,}\s*(\d+)(?=\s|$)")


def check_page_numbers(pdf: bytes, name: str = "PDF") -> int:
    """Assert that a report PDF's footers, contents page and bookmarks agree; its body pages.

    - Every page from the first body page on has one footer "Page N of M",
      N its position counted from the first body page and M the number of
      body pages.
    - Every bookmark points at a page showing its heading, and the contents
      page lists the same entries, in order, with that page's number.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        texts = [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
        marks = [(" ".join(item.get_title().split()), item.get_dest().get_index())
                 for item in doc.get_toc()]
    finally:
        doc.close()
    footers = [_FOOTER.findall(t) for t in texts]
    first = next(i for i, f in enumerate(footers) if f)
    body = len(texts) - first
    for i in range(first, len(texts)):
        assert footers[i] == [(str(i - first + 1), str(body))], (
            f"{name}: page {i + 1} says {footers[i]}, expected Page {i - first + 1} of {body}")
    contents = _CONTENTS_ENTRY.findall(" ".join(texts[:first]))
    assert len(contents) == len(marks), f"{name}: contents {contents} vs bookmarks {marks}"
    for (title, page), (listed, number) in zip(marks, contents, strict=True):
        assert page >= first and title in texts[page], (
            f"{name}: {title!r} is not on page {page + 1}")
        assert listed.endswith(title) and int(number) == page - first + 1, (
            f"{name}: the contents list {listed!r} on page {number}; it is on page "
            f"{page - first + 1}")
    return body


@pytest.fixture
def page_numbers() -> Callable[..., int]:
    """:func:`check_page_numbers`: a report PDF's footers, contents and bookmarks agree."""
    return check_page_numbers
