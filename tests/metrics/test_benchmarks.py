"""Peer benchmarks in a customer's QBR: other accounts only, enough of them, coarsened."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import write_database
from hypothesis import given, settings
from hypothesis import strategies as st

from cslib.data.load import from_frames
from cslib.metrics.benchmarks import coarsen, peer_benchmarks, peer_values
from cslib.metrics.definitions import DEFINITIONS
from cslib.pipeline.scope import Slicer
from cslib.present import narrative
from cslib.present.report import open_report, report_slice

MONTH = pd.Period("2026-09", freq="M")


def customer_slice(full, account_id, *, month, min_group_size=5):
    """A customer's slice with its peer benchmarks, as a build cuts it."""
    return Slicer(full, month, min_group_size=min_group_size).for_parameters(
        {"account_id": account_id})


def _company(utilization: dict[str, float], *, segment: str = "SMB") -> object:
    """Accounts with 100 licensed seats each and the given utilization in 2026-09."""
    ids = list(utilization)
    accounts = pd.DataFrame({"account_id": ids, "name": [f"Company {i}" for i in ids],
                             "segment": segment})
    mrr = pd.DataFrame({"account_id": ids * 2, "month": ["2026-08"] * len(ids)
                        + ["2026-09"] * len(ids), "mrr": 100.0})
    usage = pd.DataFrame({"account_id": ids, "month": "2026-09",
                          "active_users": [round(100 * u) for u in utilization.values()],
                          "licensed_seats": 100})
    return from_frames({"accounts": accounts, "mrr": mrr, "usage": usage})


SIX = {"a1": 0.50, "a2": 0.61, "a3": 0.66, "a4": 0.70, "a5": 0.72, "a6": 0.90}


def test_the_customer_is_not_its_own_peer():
    """Six accounts: each customer's figure is over the five others, rounded to 5 points."""
    data = _company(SIX)
    bench = dict(customer_slice(data, "a6", month=MONTH).scope.benchmarks)
    # median of a1..a5 is a3's 66%: published as 65%, and the customer's 90% never enters
    assert bench == {"segment": "SMB", "min_group_size": 5, "accounts": 5,
                     "seat_utilization_median": 0.65}
    bench = dict(customer_slice(data, "a1", month=MONTH).scope.benchmarks)
    assert (bench["accounts"], bench["seat_utilization_median"]) == (5, 0.70)  # a4's 70%


def test_a_segment_of_exactly_min_group_size_accounts_shows_no_figure():
    """With five accounts, a customer has four peers: too few, whatever its own figure."""
    data = _company({k: v for k, v in SIX.items() if k != "a6"})
    for account in ("a1", "a3", "a5"):
        bench = dict(customer_slice(data, account, month=MONTH).scope.benchmarks)
        assert bench == {"segment": "SMB", "min_group_size": 5}, account


def test_an_account_without_usage_has_all_the_others_as_peers():
    usage = _company(SIX).tables["usage"]
    peers = peer_values(usage[usage["account_id"] != "a6"], month=MONTH)
    bench = peer_benchmarks(peers, "a6", segment="SMB", min_group_size=5)
    assert (bench["accounts"], bench["seat_utilization_median"]) == (5, 0.65)


def test_the_build_gives_each_customer_its_own_figure_sorting_each_segment_once(monkeypatch):
    import cslib.pipeline.scope as scope

    calls = []
    real = scope.segment_peers
    monkeypatch.setattr(scope, "segment_peers",
                        lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    slicer = Slicer(_company(SIX), MONTH)
    figures = {a: dict(slicer.for_parameters({"account_id": a}).scope.benchmarks)
               ["seat_utilization_median"] for a in SIX}
    assert figures == {"a1": 0.70, "a2": 0.70, "a3": 0.70, "a4": 0.65, "a5": 0.65,
                       "a6": 0.65}
    assert calls == ["SMB"]  # the segment's figures are read once, not once per customer


def test_a_database_source_applies_the_same_rule(tmp_path):
    data = _company(SIX)
    duck = str(tmp_path / "w.duckdb")
    write_database(data, duck)
    for account in SIX:
        part = report_slice(duck, "customer", account_id=account, period="2026-09")
        assert dict(part.scope.benchmarks) == dict(
            customer_slice(data, account, month=MONTH).scope.benchmarks), account
    five = _company({k: v for k, v in SIX.items() if k != "a6"})
    write_database(five, duck)
    part = report_slice(duck, "customer", account_id="a1", period="2026-09")
    assert dict(part.scope.benchmarks) == {"segment": "SMB", "min_group_size": 5}


def test_the_qbr_says_other_customers_and_its_appendix_states_the_rule():
    report = open_report("customer", data=_company(SIX), account_id="a6", period="2026-09",
                         company="Larkspur")
    # the QBR the customer reads does not say how many peers there are; the CSM's review does
    paragraph = narrative.adoption_summary(report)
    assert "Across other SMB customers the median is about 65% (anonymized)." in \
        paragraph.text()
    internal = open_report("customer", data=_company(SIX), account_id="a6", period="2026-09",
                           company="Larkspur", audience="internal")
    assert "Across 5 other SMB customers the median is about 65% (anonymized)." in \
        narrative.adoption_summary(internal).text()
    assert "peer_benchmarks" in paragraph.definitions
    rule = DEFINITIONS["peer_benchmarks"]
    assert rule.text.startswith(
        "Peer figures are the median of at least 5 other customers of your segment (your "
        "own figure is not among them), rounded to the nearest 5 points; shown only when "
        "that many took part")


# ---- the rule, for any group and any values ---------------------------------------------

figures = st.floats(min_value=0.0, max_value=1.5, allow_nan=False).map(lambda x: round(x, 4))


@settings(max_examples=300, deadline=None)
@given(others=st.lists(figures, min_size=0, max_size=40), own=st.none() | figures,
       other_own=figures, min_group_size=st.integers(min_value=2, max_value=12))
def test_the_published_figure_is_the_coarsened_median_of_the_others_only(
        others, own, other_own, min_group_size):
    values = dict(zip([f"p{i}" for i in range(len(others))], others, strict=True))
    if own is not None:
        values["me"] = own
    peers = pd.Series(values, dtype=float).sort_values(kind="mergesort")
    bench = peer_benchmarks(peers, "me", segment="S", min_group_size=min_group_size)
    if len(others) < min_group_size:
        assert set(bench) == {"segment", "min_group_size"}
        return
    assert bench["accounts"] == len(others)
    figure = bench["seat_utilization_median"]
    true_median = float(pd.Series(others).median())
    assert figure == coarsen(true_median)
    assert abs(figure - true_median) <= 0.025 + 1e-9
    # on the 5-point grid: equal to a peer's own figure only when that one is on it too
    assert math.isclose(figure * 20, round(figure * 20), abs_tol=1e-9)
    # the customer's own figure never enters: any other value gives the same benchmark
    if own is not None:
        values["me"] = other_own
        again = pd.Series(values, dtype=float).sort_values(kind="mergesort")
        assert peer_benchmarks(again, "me", segment="S",
                               min_group_size=min_group_size) == bench


@pytest.mark.parametrize(("value", "expected"),
                         [(0.0, 0.0), (0.024, 0.0), (0.025, 0.05), (0.63, 0.65),
                          (0.675, 0.7), (0.974, 0.95), (1.0, 1.0), (1.26, 1.25)])
def test_coarsen_rounds_to_the_nearest_five_points(value, expected):
    assert coarsen(value) == expected
