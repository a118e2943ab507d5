"""Tests for cslib.metrics.satisfaction: NPS and its margin of error, CSAT, CES."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cslib
from cslib import Period
from cslib.metrics.satisfaction import nps_breakdown, satisfaction_trend, trailing_satisfaction

NAN = float("nan")

# 1,162 responses: 291 promoters, 476 passives, 395 detractors.
NPS_EXAMPLE = [10] * 150 + [9] * 141 + [8] * 300 + [7] * 176 + [6] * 200 + [0] * 195
CSAT_EXAMPLE = np.repeat([5, 4, 3, 2, 1], [10, 20, 10, 5, 5])
CES_EXAMPLE = np.repeat(np.arange(1, 8), [80, 210, 140, 110, 160, 180, 120])

WORKED_EXAMPLES = [
    pytest.param(lambda: cslib.net_promoter_score(NPS_EXAMPLE), -8.95, 0.005,
                 id="NPS 1162 responses 291 promoters 395 detractors = -8.95"),
    pytest.param(
        lambda: cslib.nps_margin_of_error(promoters=291, detractors=395, responses=1162),
        4.39, 0.005, id="NPS 95% margin = 4.39",
    ),
    pytest.param(lambda: cslib.customer_satisfaction(CSAT_EXAMPLE), 0.60, 1e-12,
                 id="CSAT 10,20,10,5,5 for 5..1 = 0.60"),
    pytest.param(lambda: cslib.customer_effort_score(CES_EXAMPLE), 4.08, 1e-12,
                 id="CES 80/210/140/110/160/180/120 for 1..7 = 4.08"),
]  # fmt: skip


@pytest.mark.parametrize(("compute", "expected", "tolerance"), WORKED_EXAMPLES)
def test_worked_examples(compute, expected, tolerance):
    assert compute() == pytest.approx(expected, abs=tolerance)


def test_nps_example_is_exact_in_points():
    assert len(NPS_EXAMPLE) == 1162
    assert cslib.net_promoter_score(NPS_EXAMPLE) == pytest.approx(100 * (291 - 395) / 1162)


def test_worked_examples_through_the_summary():
    day = pd.Timestamp("2026-08-15")
    nps = pd.DataFrame({"account_id": "a", "responded_on": day, "score": NPS_EXAMPLE})
    tickets = pd.DataFrame(
        {
            "account_id": "a",
            "closed_on": day,
            "csat": np.concatenate([CSAT_EXAMPLE, np.full(1000 - 50, NAN)]),
            "ces": CES_EXAMPLE.astype(float),
        }
    )
    s = cslib.satisfaction_summary(nps=nps, tickets=tickets, period="2026Q3").loc["total"]
    assert round(s["nps"], 2) == -8.95
    assert round(s["nps_margin"], 2) == 4.39
    assert s["nps_responses"] == 1162
    assert s["csat"] == pytest.approx(0.60)
    assert s["csat_responses"] == 50
    assert s["ces"] == pytest.approx(4.08)
    assert s["ces_responses"] == 1000


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([10, 9, 8, 3], 25.0),
        ([9, 9], 100.0),
        ([6, 0], -100.0),
        ([7, 8], 0.0),
        ([9, 6], 0.0),  # 9 is a promoter, 6 a detractor
        ([7], 0.0),  # 7 is passive
        ([10, NAN, 8], 50.0),  # a missing answer is not a response
    ],
)
def test_net_promoter_score(scores, expected):
    assert cslib.net_promoter_score(scores) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [([4], 1.0), ([3], 0.0), ([5, 4, 3, 1], 0.5), ([5, NAN], 1.0)],
)
def test_customer_satisfaction(ratings, expected):
    assert cslib.customer_satisfaction(ratings) == pytest.approx(expected)


@pytest.mark.parametrize(("ratings", "expected"), [([1, 7], 4.0), ([2, NAN, 3], 2.5)])
def test_customer_effort_score(ratings, expected):
    assert cslib.customer_effort_score(ratings) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("promoters", "detractors", "responses", "expected"),
    [
        (10, 0, 10, 0.0),  # everybody agrees: no spread
        (5, 5, 10, 1.96 * 100 * math.sqrt(1 / 10)),
        (1, 1, 3, 1.96 * 100 * math.sqrt((2 / 3) / 3)),
    ],
)
def test_nps_margin_of_error(promoters, detractors, responses, expected):
    got = cslib.nps_margin_of_error(promoters=promoters, detractors=detractors, responses=responses)
    assert got == pytest.approx(expected)


def test_undefined_scores_are_none():
    assert cslib.net_promoter_score([]) is None
    assert cslib.net_promoter_score([NAN]) is None
    assert cslib.nps_margin_of_error(promoters=0, detractors=0, responses=0) is None
    assert cslib.customer_satisfaction([]) is None
    assert cslib.customer_effort_score(pd.Series([], dtype=float)) is None


# --------------------------------------------------------------------------
# Which responses and tickets count in a period (2026Q3: 2026-07-01..2026-09-30)
# --------------------------------------------------------------------------

COLUMNS = ["nps", "nps_margin", "nps_responses", "csat", "csat_responses", "ces",
           "ces_responses"]  # fmt: skip


def nps_frame(rows):
    """rows: (account_id, "YYYY-MM-DD", score)."""
    frame = pd.DataFrame(rows, columns=["account_id", "responded_on", "score"])
    frame["responded_on"] = pd.to_datetime(frame["responded_on"])
    return frame


def tickets_frame(rows):
    """rows: (account_id, opened "YYYY-MM-DD", closed "YYYY-MM-DD" or None, csat, ces)."""
    frame = pd.DataFrame(rows, columns=["account_id", "opened_on", "closed_on", "csat", "ces"])
    frame["opened_on"] = pd.to_datetime(frame["opened_on"])
    frame["closed_on"] = pd.to_datetime(frame["closed_on"])
    return frame.astype({"csat": float, "ces": float})


@pytest.mark.parametrize(
    ("responded_on", "counted"),
    [
        ("2026-06-30", False),  # the day before the period
        ("2026-07-01", True),  # first day
        ("2026-08-15", True),
        ("2026-09-30", True),  # last day
        ("2026-09-30 23:59:59", True),  # late on the last day
        ("2026-10-01", False),  # the day after
    ],
)
def test_nps_counts_by_responded_on(responded_on, counted):
    nps = nps_frame([("a", responded_on, 10)])
    s = cslib.satisfaction_summary(nps=nps, tickets=None, period="2026Q3").loc["total"]
    assert s["nps_responses"] == int(counted)
    assert s["nps"] == (100.0 if counted else None)


def test_nps_period_edges_together():
    nps = nps_frame(
        [
            ("a", "2026-06-30", 0),
            ("a", "2026-07-01", 10),
            ("b", "2026-09-30", 6),
            ("b", "2026-10-01", 0),
            ("c", "2026-08-01", 8),
        ]
    )
    s = cslib.satisfaction_summary(nps=nps, tickets=None, period="2026Q3").loc["total"]
    assert s["nps_responses"] == 3
    assert s["nps"] == pytest.approx(0.0)
    assert s["nps_margin"] == pytest.approx(1.96 * 100 * math.sqrt((2 / 3) / 3))


@pytest.mark.parametrize(
    ("opened_on", "closed_on", "counted"),
    [
        ("2026-06-15", "2026-07-01", True),  # opened before, closed on the first day
        ("2026-05-01", "2026-08-15", True),  # opened before, closed inside
        ("2026-07-10", "2026-09-30", True),  # closed on the last day
        ("2026-06-15", "2026-06-30", False),  # closed the day before
        ("2026-09-20", "2026-10-01", False),  # opened inside, closed the day after
        ("2026-07-10", None, False),  # still open: no CSAT or CES
    ],
)
def test_ticket_scores_count_when_closed(opened_on, closed_on, counted):
    tickets = tickets_frame([("a", opened_on, closed_on, 5, 2)])
    s = cslib.satisfaction_summary(nps=None, tickets=tickets, period="2026Q3").loc["total"]
    assert (s["csat_responses"], s["ces_responses"]) == (int(counted), int(counted))
    assert s["csat"] == (1.0 if counted else None)
    assert s["ces"] == (2.0 if counted else None)


def test_ticket_period_edges_together():
    tickets = tickets_frame(
        [
            ("a", "2026-06-15", "2026-07-01", 5, 1),
            ("a", "2026-09-20", "2026-10-01", 1, 7),
            ("b", "2026-07-10", None, 1, 7),
            ("b", "2026-07-10", "2026-09-30", 3, 4),
            ("c", "2026-08-01", "2026-08-02", NAN, 6),  # CES answered, CSAT not
            ("c", "2026-08-01", "2026-08-03", 4, NAN),
        ]
    )
    s = cslib.satisfaction_summary(nps=None, tickets=tickets, period="2026Q3").loc["total"]
    assert s["csat_responses"] == 3
    assert s["csat"] == pytest.approx(2 / 3)
    assert s["ces_responses"] == 3
    assert s["ces"] == pytest.approx((1 + 4 + 6) / 3)
    assert (s["nps_responses"], s["nps"], s["nps_margin"]) == (0, None, None)


def test_ticket_without_csat_or_ces_columns():
    tickets = tickets_frame([("a", "2026-07-01", "2026-07-02", 5, 2)]).drop(columns=["csat"])
    s = cslib.satisfaction_summary(nps=None, tickets=tickets, period="2026Q3").loc["total"]
    assert (s["csat"], s["csat_responses"], s["ces"], s["ces_responses"]) == (None, 0, 2.0, 1)


@pytest.mark.parametrize(
    ("nps", "tickets"),
    [
        (None, None),
        (nps_frame([]), tickets_frame([])),
        (nps_frame([("a", "2025-01-01", 10)]), tickets_frame([("a", "2025-01-01", None, 5, 1)])),
    ],
    ids=["no tables", "empty tables", "nothing in the period"],
)
def test_no_responses_gives_none(nps, tickets):
    s = cslib.satisfaction_summary(nps=nps, tickets=tickets, period="2026Q3")
    assert list(s.index) == ["total"]
    assert list(s.columns) == COLUMNS
    assert s.loc["total"].tolist() == [None, None, 0, None, 0, None, 0]


def test_groups():
    nps = nps_frame(
        [("a", "2026-07-05", 10), ("b", "2026-07-05", 2), ("c", "2026-07-05", 9),
         ("z", "2026-07-05", 0)]
    )  # fmt: skip
    tickets = tickets_frame([("a", "2026-07-01", "2026-07-02", 2, 5)])
    groups = pd.Series({"a": "Ent", "b": "Ent", "c": "SMB"}, name="segment")
    s = cslib.satisfaction_summary(nps=nps, tickets=tickets, period="2026Q3", groups=groups)
    assert s.index.name == "segment"
    assert sorted(s.index) == ["(none)", "Ent", "SMB"]  # "z" has no group
    assert s.loc["Ent", "nps"] == pytest.approx(0.0)
    assert s.loc["Ent", "nps_responses"] == 2
    assert s.loc["Ent", "csat"] == 0.0
    assert s.loc["SMB", "nps"] == pytest.approx(100.0)
    assert s.loc["SMB", "csat"] is None
    assert s.loc["SMB", "csat_responses"] == 0
    assert s.loc["(none)", "nps"] == pytest.approx(-100.0)


def test_fiscal_period_object():
    nps = nps_frame([("a", "2026-07-01", 10), ("a", "2026-06-30", 0)])
    fiscal = Period.parse("2027Q1", fiscal_year_start_month=7)  # 2026-07..2026-09
    s = cslib.satisfaction_summary(nps=nps, tickets=None, period=fiscal).loc["total"]
    assert (s["nps_responses"], s["nps"]) == (1, 100.0)


def test_bad_period_message():
    with pytest.raises(cslib.PeriodError) as info:
        cslib.satisfaction_summary(nps=None, tickets=None, period="Q3 2026")
    assert str(info.value) == (
        "`period` must look like 2026Q3 (quarter), 2026-09 (month), 2026 (year) or "
        "TTM2026-09 (trailing twelve months), got 'Q3 2026'."
    )


# --------------------------------------------------------------------------
# Property tests: a naive reference, ranges, group totals
# --------------------------------------------------------------------------

DAY0 = pd.Timestamp("2026-05-25")
ACCOUNTS = ["a", "b", "c", "d"]
PERIODS = ["2026Q3", "2026-06", "2026-07", "2026-09", "2026-10"]
GROUPS = pd.Series({"a": "Ent", "b": "Ent", "c": "SMB"}, name="segment")  # "d": "(none)"

EDGES = ["2026-05-31", "2026-06-01", "2026-06-30", "2026-07-01", "2026-07-31", "2026-08-31",
         "2026-09-01", "2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01"]  # fmt: skip
days = st.one_of(
    st.integers(min_value=0, max_value=160),  # 2026-05-25 .. 2026-11-01
    st.sampled_from([(pd.Timestamp(d) - DAY0).days for d in EDGES]),  # the periods' edges
)
nps_rows = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS), days, st.integers(min_value=0, max_value=10)),
    max_size=12,
)
ticket_rows = st.lists(
    st.tuples(
        st.sampled_from(ACCOUNTS),
        days,
        st.one_of(st.none(), st.integers(min_value=0, max_value=40), st.just(1)),  # to close
        st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
        st.one_of(st.none(), st.integers(min_value=1, max_value=7)),
    ),
    max_size=12,
)


def build(nps, tickets):
    nps_df = pd.DataFrame(
        {
            "account_id": [r[0] for r in nps],
            "responded_on": pd.to_datetime([DAY0 + pd.Timedelta(days=r[1]) for r in nps]),
            "score": pd.Series([r[2] for r in nps], dtype="Int64"),
        }
    )
    tickets_df = pd.DataFrame(
        {
            "account_id": [r[0] for r in tickets],
            "opened_on": pd.to_datetime([DAY0 + pd.Timedelta(days=r[1]) for r in tickets]),
            "closed_on": pd.to_datetime(
                [None if r[2] is None else DAY0 + pd.Timedelta(days=r[1] + r[2]) for r in tickets]
            ),
            "csat": pd.Series([r[3] for r in tickets], dtype="Int64"),
            "ces": pd.Series([r[4] for r in tickets], dtype="Int64"),
        }
    )
    return nps_df, tickets_df


def naive_satisfaction(nps, tickets, period, group_of):
    """One response at a time, straight from DESIGN.md; returns {group: scores}."""
    first = period.first_month.start_time.date()
    last = period.last_month.end_time.date()
    out = {}

    def bucket(account):
        g = group_of(account)
        return out.setdefault(g, {"p": 0, "d": 0, "n": 0, "sat": 0, "csat_n": 0, "ces": []})

    for account, day, score in nps:
        when = (DAY0 + pd.Timedelta(days=day)).date()
        if first <= when <= last:
            b = bucket(account)
            b["n"] += 1
            b["p"] += score >= 9
            b["d"] += score <= 6
    for account, opened, to_close, csat, ces in tickets:
        if to_close is None:
            continue
        closed = (DAY0 + pd.Timedelta(days=opened + to_close)).date()
        if first <= closed <= last:
            b = bucket(account)
            if csat is not None:
                b["csat_n"] += 1
                b["sat"] += csat >= 4
            if ces is not None:
                b["ces"].append(ces)
    result = {}
    for g, b in out.items():
        n = b["n"]
        result[g] = {
            "nps": 100 * (b["p"] - b["d"]) / n if n else None,
            "nps_responses": n,
            "csat": b["sat"] / b["csat_n"] if b["csat_n"] else None,
            "csat_responses": b["csat_n"],
            "ces": sum(b["ces"]) / len(b["ces"]) if b["ces"] else None,
            "ces_responses": len(b["ces"]),
        }
    return result


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=120, deadline=None)
@given(nps=nps_rows, tickets=ticket_rows, label=st.sampled_from(PERIODS))
def test_matches_naive_reference_by_group(nps, tickets, label):
    period = Period.parse(label)
    nps_df, tickets_df = build(nps, tickets)
    got = cslib.satisfaction_summary(nps=nps_df, tickets=tickets_df, period=period, groups=GROUPS)
    expected = naive_satisfaction(nps, tickets, period, lambda a: GROUPS.get(a, "(none)"))
    assert set(got.index) == set(expected)
    for group, values in expected.items():
        for key, value in values.items():
            assert same(got.loc[group, key], value), (group, key)


@settings(max_examples=120, deadline=None)
@given(nps=nps_rows, tickets=ticket_rows, label=st.sampled_from(PERIODS))
def test_total_matches_reference_ranges_and_group_sums(nps, tickets, label):
    nps_df, tickets_df = build(nps, tickets)
    total = cslib.satisfaction_summary(nps=nps_df, tickets=tickets_df, period=label)
    assert list(total.index) == ["total"]
    t = total.loc["total"]
    expected = naive_satisfaction(nps, tickets, Period.parse(label), lambda a: "total")
    expected = expected.get("total", {k: 0 for k in COLUMNS if k.endswith("_responses")})
    for key, value in expected.items():
        assert same(t[key], value), key
    if t["nps_responses"]:
        assert -100 <= t["nps"] <= 100
        assert t["nps_margin"] >= 0
    if t["csat_responses"]:
        assert 0 <= t["csat"] <= 1
    if t["ces_responses"]:
        assert 1 <= t["ces"] <= 7
    by = cslib.satisfaction_summary(nps=nps_df, tickets=tickets_df, period=label, groups=GROUPS)
    for key in ("nps_responses", "csat_responses", "ces_responses"):
        assert by[key].sum() == t[key], key


# --------------------------------------------------------------------------
# One definition of the answer groups, exact on a threshold
# --------------------------------------------------------------------------


def test_an_nps_on_a_threshold_is_exactly_on_it():
    # 7 promoters, 1 passive, 2 detractors: 100 x (7 - 2) / 10 = 50 exactly.
    # fails before: 100 x (0.7 - 0.2) = 49.99999999999999, below a health threshold of 50.
    scores = [9] * 7 + [7] + [0] * 2
    assert cslib.net_promoter_score(scores) == 50.0
    nps = nps_frame([("a", "2026-08-01", s) for s in scores])
    total = cslib.satisfaction_summary(nps=nps, tickets=None, period="2026Q3").loc["total"]
    assert total["nps"] == 50.0


def test_the_answer_groups_are_defined_once_in_metrics():
    # fails before: tables.qbr_kpis, narrative and charts compared scores with 9, 6 and 4
    # themselves, and charts defined its own PROMOTER_MIN and DETRACTOR_MAX.
    import ast
    import re
    from pathlib import Path

    root = Path(cslib.__file__).parent
    home = root / "metrics" / "satisfaction.py"
    rated = re.compile(r"score|csat|rating|^s$")
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == home or root / "data" / "sample" in path.parents:  # the data generator
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [ast.unparse(t) for t in targets]
                if any(re.search(r"PROMOTER|DETRACTOR|SATISFIED", n) for n in names):
                    found.append(f"{path.relative_to(root)}:{node.lineno} defines {names}")
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                literal = any(isinstance(s, ast.Constant) and s.value in (4, 6, 9) for s in sides)
                named = any(rated.search(ast.unparse(s)) for s in sides
                            if not isinstance(s, ast.Constant))
                if literal and named:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)}")
    assert not found, "answer groups written outside metrics/satisfaction.py:\n" + "\n".join(
        found
    )


# --------------------------------------------------------------------------
# Several periods at once (trends), a rolling window, the NPS breakdown
# --------------------------------------------------------------------------

QUARTERS = [Period.parse(q) for q in ("2026Q2", "2026Q3", "2026Q4")]


def test_satisfaction_trend_hand_computed():
    nps = nps_frame(
        [
            ("a", "2026-03-31", 10),  # before the first quarter: not counted
            ("a", "2026-04-01", 10), ("b", "2026-06-30", 2),  # Q2: 1 - 1 of 2 = 0
            ("a", "2026-07-01", 9), ("a", "2026-09-30", 9), ("b", "2026-08-01", 8),  # Q3: 2 of 3
            ("a", "2027-01-01", 0),  # after the last quarter
        ]
    )  # fmt: skip
    tickets = tickets_frame(
        [
            ("a", "2026-06-20", "2026-07-02", 5, 7),  # opened in Q2, closed in Q3: counts in Q3
            ("a", "2026-07-10", "2026-09-30", 3, 4),  # Q3
            ("b", "2026-07-10", None, 1, 1),  # still open: nowhere
            ("b", "2026-10-01", "2026-12-31", 4, None),  # Q4, no CES answer
        ]
    )
    t = satisfaction_trend(nps=nps, tickets=tickets, periods=QUARTERS)
    assert t.index.name == "period" and list(t.index) == ["2026Q2", "2026Q3", "2026Q4"]
    assert list(t.columns) == COLUMNS
    assert t["nps"].tolist() == [0.0, pytest.approx(200 / 3), None]
    assert t["nps_responses"].tolist() == [2, 3, 0]
    assert t["csat"].tolist() == [None, 0.5, 1.0]
    assert t["csat_responses"].tolist() == [0, 2, 1]
    assert t["ces"].tolist() == [None, 5.5, None]
    assert t["ces_responses"].tolist() == [0, 2, 0]
    q3 = cslib.satisfaction_summary(nps=nps, tickets=tickets, period="2026Q3").loc["total"]
    assert t.loc["2026Q3"].tolist() == q3.tolist()


def test_satisfaction_trend_refuses_overlapping_periods():
    periods = [Period.parse("2026Q3"), Period.parse("2026-08")]
    with pytest.raises(cslib.ParameterError) as err:
        satisfaction_trend(nps=None, tickets=None, periods=periods)
    assert str(err.value) == (
        "`periods` must not overlap, got 2026Q3 and 2026-08, which share 2026-08; pass periods "
        "that follow each other."
    )


TRENDS = [
    ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"],
    ["2026Q2", "2026Q3", "2026Q4"],
    ["2026-10", "2026Q3", "2026-06"],  # any order, any lengths, gaps allowed
]


@settings(max_examples=120, deadline=None)
@given(nps=nps_rows, tickets=ticket_rows, labels=st.sampled_from(TRENDS))
def test_satisfaction_trend_equals_the_reference_of_each_period(nps, tickets, labels):
    nps_df, tickets_df = build(nps, tickets)
    periods = [Period.parse(label) for label in labels]
    t = satisfaction_trend(
        nps=nps_df, tickets=tickets_df, periods=periods
    )
    assert list(t.index) == labels
    for period in periods:
        expected = naive_satisfaction(nps, tickets, period, lambda a: "total").get(
            "total", {k: 0 for k in COLUMNS if k.endswith("_responses")}
        )
        for key, value in expected.items():
            assert same(t.loc[period.label, key], value), (period.label, key)


def test_trailing_satisfaction_counts_the_twelve_months_up_to_as_of():
    nps = nps_frame(
        [
            ("a", "2025-10-31", 0),  # exactly twelve months before: outside
            ("a", "2025-11-01", 10),
            ("b", "2026-10-31", 9),  # on the as-of day: inside
            ("b", "2026-11-01", 0),  # after: outside
            ("c", "2026-04-30", 3),  # inside twelve months, outside six
        ]
    )
    tickets = tickets_frame(
        [("a", "2025-10-01", "2025-10-31", 1, 1), ("a", "2025-10-01", "2025-11-01", 5, 6)]
    )
    trailing = trailing_satisfaction
    total = trailing(nps=nps, tickets=tickets, as_of="2026-10-31").loc["total"]
    assert (total["nps_responses"], total["nps"]) == (3, pytest.approx(100 / 3))
    assert (total["csat"], total["csat_responses"], total["ces"]) == (1.0, 1, 6.0)
    six = trailing(nps=nps, tickets=None, as_of="2026-10-31", months=6).loc["total"]
    assert (six["nps_responses"], six["nps"]) == (1, 100.0)
    by = trailing(nps=nps, tickets=tickets, as_of="2026-10-31", groups=GROUPS)
    assert by.index.name == "segment"
    assert by.loc["Ent", "nps"] == 100.0 and by.loc["SMB", "nps"] == -100.0


def test_nps_breakdown_hand_computed():
    nps = nps_frame(
        [("a", "2026-07-05", 10), ("a", "2026-07-05", 7), ("b", "2026-07-05", 6),
         ("b", "2026-07-05", 9), ("c", "2026-07-05", 0), ("c", "2026-06-30", 10)]
    )  # fmt: skip
    breakdown = nps_breakdown
    total = breakdown(nps, period="2026Q3").loc["total"]
    counts = ["nps_responses", "promoters", "passives", "detractors"]
    assert total[counts].tolist() == [5, 2, 1, 2]
    assert total[["promoter_share", "passive_share", "detractor_share"]].tolist() == [
        0.4, 0.2, 0.4,
    ]  # fmt: skip
    assert total["nps"] == 0.0
    assert total["nps_margin"] == pytest.approx(1.96 * 100 * math.sqrt(0.8 / 5))
    by = breakdown(nps, period="2026Q3", groups=GROUPS)
    assert by.index.name == "segment" and list(by.index) == ["Ent", "SMB"]
    assert by.loc["Ent", counts].tolist() == [4, 2, 1, 1]
    assert by.loc["Ent", "nps"] == 25.0 and by.loc["SMB", "nps"] == -100.0
    for group in by.index:
        shares = by.loc[group, ["promoter_share", "passive_share", "detractor_share"]]
        assert shares.sum() == pytest.approx(1.0)


def test_nps_breakdown_without_responses():
    total = nps_breakdown(None, period="2026Q3").loc["total"]
    assert total[["nps_responses", "promoters", "passives", "detractors"]].tolist() == [0] * 4
    assert np.isnan(total["promoter_share"]) and total["nps"] is None
