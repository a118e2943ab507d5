"""A CSM's book: scoped to the CSM's accounts, its worklist ranked by the priority rule."""

from __future__ import annotations

import pandas as pd
import pytest

from cslib.errors import ConfigError, ParameterError
from cslib.pipeline.scope import Slicer
from cslib.present import tables
from cslib.present.report import open_report, resolve_data

pytestmark = pytest.mark.slow

CSM = "Priya Raman"


@pytest.fixture(scope="module")
def company():
    return resolve_data("sample")


@pytest.fixture(scope="module")
def book(company):
    return open_report("book", group_by="csm", group=CSM, data=company, company="Acme")


def test_a_book_holds_its_csms_accounts_only(company, book):
    mine = set(company.accounts.loc[company.accounts["csm"] == CSM, "account_id"])
    assert set(book.dataset.accounts["account_id"]) == mine
    for name, frame in book.dataset.tables.items():
        assert set(frame["account_id"].astype(str)) <= mine, name
    assert (book.title, book.subtitle) == ("Book of business", CSM)
    sliced = Slicer(company, pd.Period("2026-09", "M")).for_parameters(
        {"group_by": "csm", "group": CSM})
    assert sliced.scope.describe() == f"csm {CSM!r} only"
    assert set(sliced.accounts["account_id"]) == mine


def test_the_worklist_is_ranked_by_the_documented_priority(book):
    frame = tables.worklist_frame(book)
    assert len(frame) > 5
    # Recomputed from the documented rule: ARR x (1 + flags) x band weight x 2 within 90 days.
    band = frame["health_band"].map({"red": 3, "yellow": 2, "green": 1}).fillna(1)
    soon = frame["days_to_renewal"].between(0, 90)
    want = 12 * frame["mrr"] * (1 + frame["flags"]) * band * soon.map({True: 2, False: 1})
    pd.testing.assert_series_equal(frame["priority"], want.astype(float), check_names=False)
    assert frame["priority"].is_monotonic_decreasing
    # Every row says why, and what to do about its most pressing reason.
    assert all(frame["reasons"].map(len) > 0) and all(frame["action"] != "")
    red = frame[frame["health_band"] == "red"]
    assert all(any(w.startswith("red health") for w in r) for r in red["reasons"])
    table = tables.worklist(book, n=5)
    assert [row[1] for row in table.rows] == list(frame["name"].head(5))
    assert table.columns[-1] == "Suggested action"


def test_the_ranking_rule_is_a_setting(company, tmp_path):
    """The `priority` block of a risk settings file: weighting red 1,000 times puts red first."""
    path = tmp_path / "risk.yaml"
    path.write_text("priority:\n  band_weights: {red: 1000}\n")
    report = open_report("book", group_by="csm", group=CSM, data=company, company="Acme",
                         risk_config=str(path))
    assert report.risk_settings.priority.band_weights["red"] == 1000
    assert report.risk_settings.priority.band_weights["yellow"] == 2  # the others kept
    bands = tables.worklist_frame(report)["health_band"].tolist()
    reds = bands.count("red")
    assert reds and bands[:reds] == ["red"] * reds
    default = tables.worklist_frame(open_report("book", group_by="csm", group=CSM, data=company,
                                                company="Acme"))["health_band"].tolist()
    assert default != bands  # the default rule ranks some non-red account before a red one
    bad = tmp_path / "bad.yaml"
    bad.write_text("priority:\n  band_weight: {red: 3}\n")
    with pytest.raises(ConfigError, match="band_weight"):
        open_report("book", group="x", data=company, company="Acme", risk_config=str(bad))


def test_a_book_of_an_unknown_value_or_column_is_refused(company):
    with pytest.raises(ParameterError, match="Did you mean 'Priya Raman'"):
        open_report("book", group="Priya Ramen", data=company, company="Acme")
    with pytest.raises(ParameterError, match="`group_by` must be a column of accounts"):
        open_report("book", group_by="team", group="x", data=company, company="Acme")
    with pytest.raises(ParameterError, match="for a book of business"):
        open_report("segment", segment="SMB", group="x", data=company, company="Acme")
