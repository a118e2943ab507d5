from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import cslib
from cslib.errors import ConfigError
from cslib.periods import Period
from cslib.pipeline.plan import AccountFilter, expand, load_plan, slugify
from cslib.present.report import resolve_data

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLAN = ROOT / "params" / "quarterly.yaml"


@pytest.fixture(scope="module")
def sample():
    return resolve_data("sample")


def write_plan(tmp_path: Path, text: str) -> Path:
    (tmp_path / "nb.ipynb").write_text((ROOT / "notebooks" / "customer_qbr.ipynb").read_text())
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return path


BASE = """company: Acme
documents:
  - name: qbr
    notebook: nb.ipynb
    for_each: account
"""


def test_default_plan_reads_and_fans_out_over_segments_and_renewing_accounts(sample):
    plan = load_plan(DEFAULT_PLAN)
    assert [d.name for d in plan.documents] == ["board-pack", "segment-review", "qbr",
                                                "account-review", "csm-book",
                                                "team-scorecard", "loss-review"]
    jobs = expand(plan, sample, Period.parse("2026Q3"))
    keys = [j.key for j in jobs]
    assert keys[0] == "board-pack"
    assert len(jobs[0].parts) == 4  # company + three segments under one cover
    assert keys[1:4] == [
        "segment-review/enterprise",
        "segment-review/mid-market",
        "segment-review/smb",
    ]
    # QBRs: accounts paying in 2026-09 whose renewal falls in 2026Q4 or 2027Q1.
    acc = sample.accounts.set_index("account_id")
    renewal = pd.to_datetime(acc["renewal_date"])
    mrr = sample.mrr
    paying = mrr[(mrr["month"] == pd.Period("2026-09", "M")) & (mrr["mrr"] > 0)]
    expected = {
        a
        for a in paying["account_id"].astype(str)
        if pd.Timestamp("2026-10-01") <= renewal[a] <= pd.Timestamp("2027-03-31")
    }
    qbrs = [j for j in jobs if j.document == "qbr"]
    assert {j.parts[0][1]["account_id"] for j in qbrs} == expected
    assert len(qbrs) == len(expected) > 50
    reviews = [j for j in jobs if j.document == "account-review"]  # the same customers
    assert [j.parts[0][1]["account_id"] for j in reviews] == \
        [j.parts[0][1]["account_id"] for j in qbrs]
    books = [j for j in jobs if j.document == "csm-book"]  # one per CSM, in name order
    assert [j.parts[0][1]["group"] for j in books] == sorted(set(sample.accounts["csm"]))
    assert keys[-2:] == ["team-scorecard", "loss-review"]
    assert all(k.startswith(("qbr/a", "account-review/a", "csm-book/")) for k in keys[4:-2])


def test_every_notebook_gets_company_data_and_period(sample):
    plan = load_plan(DEFAULT_PLAN)
    for job in expand(plan, sample, Period.parse("2026Q2")):
        for _, params in job.parts:
            assert params["company"] == "Larkspur Analytics"
            assert params["period"] == "2026Q2"
            assert params["data"] == "sample"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            BASE + "    acounts: {top_arr: 3}\n",
            "documents[0]: unknown setting 'acounts'; expected one of name, title, notebook, "
            "for_each, segments, accounts, sections, formats, parameters. "
            "Did you mean 'accounts'?",
        ),
        ("compny: Acme\n" + BASE[len("company: Acme\n"):], "unknown setting 'compny'"),
        (BASE + "    formats: [html, docx]\n", "formats must be among html, pdf"),
        (BASE.replace("for_each: account", "for_each: ../csm"),
         "for_each must be segment, account, or a column of accounts"),
        (BASE.replace("for_each: account", "for_each: account_id"),
         "other than account_id or name, got 'account_id'"),
        (BASE + "    accounts: {top_arr: 0}\n", "accounts.top_arr must be a whole number >= 1"),
        (BASE + "    accounts: {renewing_within_days: 30, renewing_within_quarters: 1}\n",
         "give renewing_within_days or renewing_within_quarters, not both"),
        (BASE.replace("nb.ipynb", "missing.ipynb"), "no such notebook 'missing.ipynb'"),
        (BASE.replace("name: qbr", "name: ../etc"), "name must be lowercase letters"),
        (BASE + "  - name: qbr\n    notebook: nb.ipynb\n", "name 'qbr' is used twice"),
        (BASE + "    parameters: {'import os': 1}\n", "'import os' is not a valid parameter name"),
        ("company: Acme\ndocuments: []\n", "documents must be a non-empty list"),
        ("company: Acme\nperiod: 2026-Q3\n" + BASE[len("company: Acme\n"):], "2026-Q3"),
        (BASE.replace("for_each: account", "for_each: segment") + "    accounts: {top_arr: 2}\n",
         "accounts only applies with for_each: account"),
        ("documents: []\n", "`company` is required"),
        ("- just\n- a list\n", "expected a mapping of settings (`key: value` lines) at the top "
         "level, got a list."),
    ],
)
def test_bad_plans_fail_with_the_key_named(tmp_path, text, message):
    path = write_plan(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_plan(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_account_filters(sample):
    p = Period.parse("2026Q3")
    top = AccountFilter(top_arr=5).select(sample, p, where="t")
    paying = sample.mrr[sample.mrr["month"] == p.last_month].set_index("account_id")["mrr"]
    assert top == list(paying.sort_values(ascending=False).index.astype(str)[:5])
    ent = AccountFilter(segments=("Enterprise",)).select(sample, p, where="t")
    seg = sample.accounts.set_index("account_id")["segment"]
    assert ent and all(seg[a] == "Enterprise" for a in ent)
    soon = AccountFilter(renewing_within_days=30).select(sample, p, where="t")
    renewal = pd.to_datetime(sample.accounts.set_index("account_id")["renewal_date"])
    assert soon and all(
        pd.Timestamp("2026-09-30") < renewal[a] <= pd.Timestamp("2026-10-30") for a in soon
    )
    assert AccountFilter(ids=("A0002", "A0001")).select(sample, p, where="t") == ["A0002", "A0001"]
    with pytest.raises(ConfigError, match=r"t\.ids: not in accounts: NOPE"):
        AccountFilter(ids=("NOPE",)).select(sample, p, where="t")
    with pytest.raises(ConfigError, match="Enterprize not in the data"):
        AccountFilter(segments=("Enterprize",)).select(sample, p, where="t")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Acme Inc", "acme-inc"),
        ("Acme, Inc.", "acme-inc"),
        ("../../etc/passwd", "etc-passwd"),
        ("Café Ünïcode", "cafe-unicode"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("مرحبا", "x"),
        (".hidden", "hidden"),
    ],
)
def test_slugify_is_file_name_safe(text, slug):
    assert slugify(text) == slug


def test_account_file_names_do_not_collide_and_are_stable(tmp_path, sample):
    plan = load_plan(DEFAULT_PLAN)
    keys = [j.key for j in expand(plan, sample, Period.parse("2026Q3"))]
    assert len(keys) == len(set(keys))
    assert keys == [j.key for j in expand(plan, sample, Period.parse("2026Q3"))]


def test_for_each_any_account_column_fans_out_one_book_per_value(tmp_path, sample):
    """`for_each: csm` (or region, an extra column): one document per value, safe slugs."""
    hostile = sample.accounts.copy()
    hostile.loc[hostile.index[:3], "csm"] = ["../../etc/passwd", "<b>Ann</b>", "ann"]
    hostile.loc[hostile.index[3], "csm"] = None  # no CSM: in no book
    ds = cslib.from_frames({**sample.tables, "accounts": hostile})
    plan = load_plan(write_plan(tmp_path, BASE.replace("for_each: account", "for_each: csm")))
    jobs = expand(plan, ds, Period.parse("2026Q3"))
    values = sorted(set(hostile["csm"].dropna()))
    assert [j.parts[0][1]["group"] for j in jobs] == values
    assert all(j.parts[0][1]["group_by"] == "csm" for j in jobs)
    keys = [j.key.split("/", 1)[1] for j in jobs]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", k) for k in keys), keys
    assert [j.title for j in jobs] == values
    region = load_plan(write_plan(tmp_path, BASE.replace("for_each: account", "for_each: region")))
    assert [j.parts[0][1]["group"] for j in expand(region, ds, Period.parse("2026Q3"))] == [
        "APAC", "EMEA", "LATAM", "NA"]  # fmt: skip


def test_for_each_a_column_the_data_lacks_names_the_columns(tmp_path, sample):
    plan = load_plan(write_plan(tmp_path, BASE.replace("for_each: account", "for_each: csms")))
    with pytest.raises(ConfigError) as err:
        expand(plan, sample, Period.parse("2026Q3"))
    text = str(err.value)
    assert "'csms' is not a column of accounts" in text and "Did you mean `csm`?" in text
