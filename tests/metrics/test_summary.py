"""Tests for cslib.metrics.summary: period_metrics, the public JSON contract."""

import json
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cslib
from cslib import Period

EXPECTED_KEYS = [
    "starting_mrr", "ending_mrr", "new_mrr", "expansion_mrr", "reactivation_mrr",
    "contraction_mrr", "churned_mrr", "nrr", "grr", "logo_retention", "logo_churn",
    "customers_start", "customers_end", "quick_ratio", "nps", "nps_margin", "nps_responses",
    "csat", "csat_responses", "ces", "ces_responses",
]  # fmt: skip
COUNTS = ["customers_start", "customers_end", "nps_responses", "csat_responses", "ces_responses"]
MONEY = ["starting_mrr", "ending_mrr", "new_mrr", "expansion_mrr", "reactivation_mrr",
         "contraction_mrr", "churned_mrr"]  # fmt: skip
RATES = [k for k in EXPECTED_KEYS if k not in COUNTS and k not in MONEY]


def mrr_rows(accounts):
    return pd.DataFrame(
        [(a, month, float(v)) for a, months in accounts.items() for month, v in months.items()],
        columns=["account_id", "month", "mrr"],
    )


ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["a", "b", "c", "d", "e"],
        "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "segment": ["Ent", "Ent", "SMB", "SMB", "Mid"],
        "region": ["EU", None, "US", "US", "EU"],
    }
)
MRR = mrr_rows(
    {
        "a": {"2026-05": 100, "2026-06": 100, "2026-07": 100, "2026-08": 120, "2026-09": 120,
              "2026-10": 120},
        "b": {"2026-05": 50, "2026-06": 50, "2026-07": 50, "2026-08": 0, "2026-09": 0,
              "2026-10": 0},
        "c": {"2026-08": 30, "2026-09": 30, "2026-10": 30},
        "d": {"2026-05": 40},  # churned before the period's start book
        # "e" has no MRR at all
    }
)  # fmt: skip
NPS = pd.DataFrame(
    {
        "response_id": ["r1", "r2", "r3", "r4"],
        "account_id": ["a", "b", "c", "c"],
        "responded_on": ["2026-07-01", "2026-09-30", "2026-06-30", "2026-08-15"],
        "score": [10, 6, 9, 8],
    }
)
TICKETS = pd.DataFrame(
    {
        "ticket_id": ["t1", "t2", "t3", "t4"],
        "account_id": ["a", "c", "b", "b"],
        "opened_on": ["2026-06-20", "2026-09-25", "2026-08-01", "2026-07-10"],
        "closed_on": ["2026-07-02", "2026-10-03", None, "2026-09-30"],
        "csat": [5, 1, None, 3],
        "ces": [2, 7, None, 5],
    }
)


@pytest.fixture(scope="module")
def ds():
    return cslib.from_frames({"accounts": ACCOUNTS, "mrr": MRR, "nps": NPS, "tickets": TICKETS})


# Hand-computed for 2026Q3 (2026-06 vs 2026-09):
# a 100 -> 120 (expansion 20), b 50 -> 0 (churn 50), c new 30, d and e nothing.
# NPS in Q3: a 10, b 6, c 8 (c's 9 on 2026-06-30 is outside). Tickets closed in Q3: t1, t4.
TOTAL_Q3 = {
    "starting_mrr": 150.0, "ending_mrr": 150.0, "new_mrr": 30.0, "expansion_mrr": 20.0,
    "reactivation_mrr": 0.0, "contraction_mrr": 0.0, "churned_mrr": 50.0,
    "nrr": 120 / 150, "grr": 100 / 150, "logo_retention": 0.5, "logo_churn": 0.5,
    "customers_start": 2, "customers_end": 2, "quick_ratio": 1.0,
    "nps": 0.0, "nps_margin": 1.96 * 100 * math.sqrt((2 / 3) / 3), "nps_responses": 3,
    "csat": 0.5, "csat_responses": 2, "ces": 3.5, "ces_responses": 2,
}  # fmt: skip
SEGMENTS_Q3 = {
    "Ent": {
        "starting_mrr": 150.0, "ending_mrr": 120.0, "new_mrr": 0.0, "expansion_mrr": 20.0,
        "reactivation_mrr": 0.0, "contraction_mrr": 0.0, "churned_mrr": 50.0,
        "nrr": 0.8, "grr": 100 / 150, "logo_retention": 0.5, "logo_churn": 0.5,
        "customers_start": 2, "customers_end": 1, "quick_ratio": 20 / 50,
        "nps": 0.0, "nps_margin": 1.96 * 100 * math.sqrt(1 / 2), "nps_responses": 2,
        "csat": 0.5, "csat_responses": 2, "ces": 3.5, "ces_responses": 2,
    },
    "SMB": {
        "starting_mrr": 0.0, "ending_mrr": 30.0, "new_mrr": 30.0, "expansion_mrr": 0.0,
        "reactivation_mrr": 0.0, "contraction_mrr": 0.0, "churned_mrr": 0.0,
        "nrr": None, "grr": None, "logo_retention": None, "logo_churn": None,
        "customers_start": 0, "customers_end": 1, "quick_ratio": None,
        "nps": 0.0, "nps_margin": 0.0, "nps_responses": 1,
        "csat": None, "csat_responses": 0, "ces": None, "ces_responses": 0,
    },
    "Mid": {
        "starting_mrr": 0.0, "ending_mrr": 0.0, "new_mrr": 0.0, "expansion_mrr": 0.0,
        "reactivation_mrr": 0.0, "contraction_mrr": 0.0, "churned_mrr": 0.0,
        "nrr": None, "grr": None, "logo_retention": None, "logo_churn": None,
        "customers_start": 0, "customers_end": 0, "quick_ratio": None,
        "nps": None, "nps_margin": None, "nps_responses": 0,
        "csat": None, "csat_responses": 0, "ces": None, "ces_responses": 0,
    },
}  # fmt: skip


def assert_metrics_equal(got, expected):
    assert list(got) == list(expected)
    for key, value in expected.items():
        if value is None:
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(value), key


def assert_json_types(metrics):
    assert list(metrics) == EXPECTED_KEYS
    for key, value in metrics.items():
        if key in COUNTS:
            assert type(value) is int, key
            assert value >= 0, key
        elif key in MONEY:
            assert type(value) is float, key
        else:
            assert value is None or type(value) is float, key
        if isinstance(value, float):
            assert math.isfinite(value), key


def test_metric_keys_are_the_contract():
    assert list(cslib.METRIC_KEYS) == EXPECTED_KEYS


def test_top_level_keys_and_books(ds):
    out = cslib.period_metrics(ds, period="2026Q3")
    assert list(out) == ["period", "start_month", "end_month", "total"]
    assert (out["period"], out["start_month"], out["end_month"]) == (
        "2026Q3", "2026-06", "2026-09"
    )  # fmt: skip
    assert "by" not in out


def test_total_hand_computed(ds):
    out = cslib.period_metrics(ds, period="2026Q3")
    assert_metrics_equal(out["total"], TOTAL_Q3)
    assert_json_types(out["total"])


def test_by_segment_hand_computed(ds):
    out = cslib.period_metrics(ds, period="2026Q3", by="segment")
    assert list(out) == ["period", "start_month", "end_month", "total", "by"]
    assert list(out["by"]) == ["segment"]
    groups = out["by"]["segment"]
    assert set(groups) == {"Ent", "SMB", "Mid"}  # Mid has no MRR and no responses
    for name, expected in SEGMENTS_Q3.items():
        assert_metrics_equal(groups[name], expected)
        assert_json_types(groups[name])
    assert_metrics_equal(out["total"], TOTAL_Q3)


def test_by_column_with_missing_values(ds):
    groups = cslib.period_metrics(ds, period="2026Q3", by="region")["by"]["region"]
    assert set(groups) == {"EU", "US", "(none)"}
    assert groups["(none)"]["churned_mrr"] == 50.0  # b has no region
    assert groups["EU"]["expansion_mrr"] == 20.0
    assert groups["US"]["new_mrr"] == 30.0


@pytest.mark.parametrize("by", ["segment", "region", "name"])
def test_totals_equal_the_sum_over_groups(ds, by):
    out = cslib.period_metrics(ds, period="2026Q3", by=by)
    groups = out["by"][by]
    assert set(groups) == {str(v) if pd.notna(v) else "(none)" for v in ACCOUNTS[by]}
    for key in MONEY + COUNTS:
        assert sum(g[key] for g in groups.values()) == pytest.approx(out["total"][key]), key


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2026Q3", "2026-06", "2026-09"),
        ("2026-06", "2026-05", "2026-06"),
        ("2026-10", "2026-09", "2026-10"),
        (Period.parse("2027Q1", fiscal_year_start_month=7), "2026-06", "2026-09"),
    ],
)
def test_json_round_trip_without_nan(ds, period, start, end):
    out = cslib.period_metrics(ds, period=period, by="segment")
    assert (out["start_month"], out["end_month"]) == (start, end)
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text) == out
    assert_json_types(out["total"])
    for metrics in out["by"]["segment"].values():
        assert_json_types(metrics)


def test_fiscal_period_object_keeps_its_label(ds):
    fiscal = Period.parse("2027Q1", fiscal_year_start_month=7)
    out = cslib.period_metrics(ds, period=fiscal)
    assert out["period"] == "2027Q1"
    assert out["total"] == cslib.period_metrics(ds, period="2026Q3")["total"]


def test_frames_with_periods_and_datetimes_give_the_same_answer(ds):
    typed = cslib.from_frames(
        {
            "accounts": ACCOUNTS,
            "mrr": MRR.assign(month=pd.PeriodIndex(MRR["month"], freq="M")),
            "nps": NPS.assign(responded_on=pd.to_datetime(NPS["responded_on"])),
            "tickets": TICKETS.assign(
                opened_on=pd.to_datetime(TICKETS["opened_on"]),
                closed_on=pd.to_datetime(TICKETS["closed_on"]),
            ),
        }
    )
    assert cslib.period_metrics(typed, period="2026Q3", by="segment") == cslib.period_metrics(
        ds, period="2026Q3", by="segment"
    )


def test_without_optional_tables():
    ds = cslib.from_frames({"accounts": ACCOUNTS, "mrr": MRR})
    total = cslib.period_metrics(ds, period="2026Q3")["total"]
    assert total["nrr"] == pytest.approx(0.8)
    for key in ("nps", "nps_margin", "csat", "ces"):
        assert total[key] is None, key
    for key in ("nps_responses", "csat_responses", "ces_responses"):
        assert total[key] == 0, key
    assert_json_types(total)


def test_metrics_frame_matches_period_metrics(ds):
    frame = cslib.metrics_frame(ds, period="2026Q3", by="segment")
    assert list(frame.columns) == EXPECTED_KEYS
    assert sorted(frame.index) == ["Ent", "Mid", "SMB"]
    assert frame.loc["Ent", "ending_mrr"] == 120.0
    assert frame.loc["Mid", "customers_end"] == 0


@pytest.mark.parametrize(
    ("period", "label", "start", "end"),
    [
        ("2026Q4", "2026Q4", "2026-09", "2026-12"),  # ends after the data
        ("2026Q2", "2026Q2", "2026-03", "2026-06"),  # starts before the data
        ("2026-05", "2026-05", "2026-04", "2026-05"),  # its start book is before the data
        ("2026", "2026", "2025-12", "2026-12"),
    ],
)
def test_period_outside_the_data(ds, period, label, start, end):
    with pytest.raises(cslib.PeriodError) as info:
        cslib.period_metrics(ds, period=period)
    assert str(info.value) == (
        f"period {label} compares {start} with {end}, but the MRR data covers "
        "2026-05..2026-10; choose a period whose month before its first month is "
        "2026-05 or later and whose last month is 2026-10 or earlier."
    )


def test_malformed_period(ds):
    with pytest.raises(cslib.PeriodError) as info:
        cslib.period_metrics(ds, period="2026-Q3")
    assert str(info.value) == (
        "`period` must look like 2026Q3 (quarter), 2026-09 (month), 2026 (year) or "
        "TTM2026-09 (trailing twelve months), got '2026-Q3'."
    )


@pytest.mark.parametrize("by", ["segmnt", "account_id"])
def test_unknown_by_column(ds, by):
    with pytest.raises(cslib.ParameterError) as info:
        cslib.period_metrics(ds, period="2026Q3", by=by)
    assert str(info.value) == (
        f"`by` must be a column of accounts (name, segment, region), got {by!r}."
    )


# --------------------------------------------------------------------------
# Property: on random small datasets the contract always holds
# --------------------------------------------------------------------------

MONTHS = [str(p) for p in pd.period_range("2026-01", "2026-09", freq="M")]
IDS = ["a", "b", "c", "d"]

cells = st.one_of(st.none(), st.just(0), st.integers(min_value=1, max_value=100_000))


@st.composite
def datasets(draw):
    segments = draw(st.lists(st.sampled_from(["Ent", "SMB", None]), min_size=4, max_size=4))
    grid = draw(st.lists(st.lists(cells, min_size=9, max_size=9), min_size=4, max_size=4))
    for m in range(9):  # a month without any row is refused (a broken extract): a 0 row
        if all(row[m] is None for row in grid):  # means the same as no row
            grid[0][m] = 0
    mrr = pd.DataFrame(
        [
            (a, month, value / 100)
            for a, row in zip(IDS, grid, strict=True)
            for month, value in zip(MONTHS, row, strict=True)
            if value is not None
        ],
        columns=["account_id", "month", "mrr"],
    )
    if mrr.empty:
        mrr = pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": [0.0]})
    day = st.integers(min_value=0, max_value=272)  # 2026-01-01 .. 2026-09-30
    responses = draw(st.lists(st.tuples(st.sampled_from(IDS), day, st.integers(0, 10)), max_size=6))
    start = pd.Timestamp("2026-01-01")
    nps = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(len(responses))],
            "account_id": [r[0] for r in responses],
            "responded_on": [start + pd.Timedelta(days=r[1]) for r in responses],
            "score": [r[2] for r in responses],
        }
    )
    accounts = pd.DataFrame(
        {"account_id": IDS, "name": IDS, "segment": ["x"] * 4, "tier": segments}
    )
    return cslib.from_frames({"accounts": accounts, "mrr": mrr, "nps": nps})


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(ds=datasets(), label=st.sampled_from(["2026Q2", "2026Q3", "2026-06", "2026-09"]))
def test_contract_holds_on_random_data(ds, label):
    first, last = ds.first_month, ds.last_month
    period = Period.parse(label)
    if period.start_book < first or period.end_book > last:
        with pytest.raises(cslib.PeriodError):
            cslib.period_metrics(ds, period=period, by="tier")
        return
    out = cslib.period_metrics(ds, period=period, by="tier")
    json.dumps(out, allow_nan=False)
    assert_json_types(out["total"])
    groups = out["by"]["tier"]
    assert set(groups) == set(ds.groups("tier"))
    for metrics in groups.values():
        assert_json_types(metrics)
    for key in MONEY + COUNTS:
        assert sum(g[key] for g in groups.values()) == pytest.approx(out["total"][key]), key
