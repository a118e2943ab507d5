"""Tests for cslib.periods: period labels, fiscal calendars, start and end books."""

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cslib
from cslib import Period, PeriodError, latest_complete_quarter
from cslib.periods import month_label

BAD_LABEL = (
    "`period` must look like 2026Q3 (quarter), 2026-09 (month), 2026 (year) or "
    "TTM2026-09 (trailing twelve months), got {!r}."
)


def m(text: str) -> pd.Period:
    return pd.Period(text, freq="M")


# label, fiscal_year_start_month, first month, last month, start book, end book, kind, months
PARSED = [
    ("2026-09", 1, "2026-09", "2026-09", "2026-08", "2026-09", "month", 1),
    ("2026-01", 1, "2026-01", "2026-01", "2025-12", "2026-01", "month", 1),
    ("2026Q1", 1, "2026-01", "2026-03", "2025-12", "2026-03", "quarter", 3),
    ("2026Q3", 1, "2026-07", "2026-09", "2026-06", "2026-09", "quarter", 3),
    ("2026Q4", 1, "2026-10", "2026-12", "2026-09", "2026-12", "quarter", 3),
    ("2026", 1, "2026-01", "2026-12", "2025-12", "2026-12", "year", 12),
    ("TTM2026-09", 1, "2025-10", "2026-09", "2025-09", "2026-09", "trailing", 12),
    ("TTM2026-01", 1, "2025-02", "2026-01", "2025-01", "2026-01", "trailing", 12),
    # Fiscal year starting in February: FY2027 = 2026-02..2027-01.
    ("2027Q1", 2, "2026-02", "2026-04", "2026-01", "2026-04", "quarter", 3),
    ("2027Q2", 2, "2026-05", "2026-07", "2026-04", "2026-07", "quarter", 3),
    ("2027Q4", 2, "2026-11", "2027-01", "2026-10", "2027-01", "quarter", 3),
    ("2027", 2, "2026-02", "2027-01", "2026-01", "2027-01", "year", 12),
    # Fiscal year starting in April: FY2027 = 2026-04..2027-03.
    ("2027Q1", 4, "2026-04", "2026-06", "2026-03", "2026-06", "quarter", 3),
    ("2027Q3", 4, "2026-10", "2026-12", "2026-09", "2026-12", "quarter", 3),
    ("2027Q4", 4, "2027-01", "2027-03", "2026-12", "2027-03", "quarter", 3),
    ("2027", 4, "2026-04", "2027-03", "2026-03", "2027-03", "year", 12),
    # Fiscal year starting in July: FY2027 = 2026-07..2027-06.
    ("2027Q1", 7, "2026-07", "2026-09", "2026-06", "2026-09", "quarter", 3),
    ("2027Q2", 7, "2026-10", "2026-12", "2026-09", "2026-12", "quarter", 3),
    ("2027Q3", 7, "2027-01", "2027-03", "2026-12", "2027-03", "quarter", 3),
    ("2027Q4", 7, "2027-04", "2027-06", "2027-03", "2027-06", "quarter", 3),
    ("2027", 7, "2026-07", "2027-06", "2026-06", "2027-06", "year", 12),
    # Months and trailing twelve months do not depend on the fiscal calendar.
    ("2026-09", 7, "2026-09", "2026-09", "2026-08", "2026-09", "month", 1),
    ("TTM2026-09", 4, "2025-10", "2026-09", "2025-09", "2026-09", "trailing", 12),
]


@pytest.mark.parametrize(
    ("label", "fy", "first", "last", "start", "end", "kind", "n"),
    PARSED,
    ids=[f"{row[0]}-fy{row[1]}" for row in PARSED],
)
def test_parse(label, fy, first, last, start, end, kind, n):
    p = Period.parse(label, fiscal_year_start_month=fy)
    assert p.label == label
    assert p.kind == kind
    assert (p.first_month, p.last_month) == (m(first), m(last))
    assert (p.start_book, p.end_book) == (m(start), m(end))
    assert p.n_months == n
    assert list(p.months()) == list(pd.period_range(m(first), m(last), freq="M"))


def test_design_example_2026q3_compares_june_with_september():
    p = Period.parse("2026Q3")
    assert (month_label(p.start_book), month_label(p.end_book)) == ("2026-06", "2026-09")


def test_default_calendar_is_january():
    assert Period.parse("2026Q2") == Period.parse("2026Q2", fiscal_year_start_month=1)


def test_label_is_stripped():
    p = Period.parse("  2026Q3 ")
    assert p.label == "2026Q3"
    assert p.first_month == m("2026-07")


def test_parse_passes_a_period_through():
    p = Period.parse("2027Q1", fiscal_year_start_month=4)
    assert Period.parse(p) is p


def test_trailing_twelve_months_constructor_matches_label():
    assert Period.trailing_twelve_months("2026-06") == Period.parse("TTM2026-06")
    assert Period.trailing_twelve_months(m("2026-06")).label == "TTM2026-06"


def test_ttm_compares_same_month_a_year_apart():
    p = Period.parse("TTM2026-06")
    assert (p.end_book - p.start_book).n == 12
    assert p.start_book.month == p.end_book.month


@pytest.mark.parametrize(
    ("label", "fy", "first_day", "last_day"),
    [
        ("2026Q3", 1, "2026-07-01", "2026-09-30"),
        ("2027Q4", 2, "2026-11-01", "2027-01-31"),
        ("2028-02", 1, "2028-02-01", "2028-02-29"),
        ("2027", 7, "2026-07-01", "2027-06-30"),
    ],
)
def test_first_and_last_day(label, fy, first_day, last_day):
    p = Period.parse(label, fiscal_year_start_month=fy)
    assert p.first_day == pd.Timestamp(first_day)
    assert p.last_day == pd.Timestamp(last_day)


@pytest.mark.parametrize("fy", range(1, 13))
def test_fiscal_year_is_four_contiguous_quarters_named_by_the_year_it_ends_in(fy):
    year = Period.parse("2027", fiscal_year_start_month=fy)
    quarters = [Period.parse(f"2027Q{q}", fiscal_year_start_month=fy) for q in (1, 2, 3, 4)]
    assert year.first_month.month == fy
    assert year.last_month.year == 2027
    assert year.n_months == 12
    assert quarters[0].first_month == year.first_month
    assert quarters[-1].last_month == year.last_month
    for a, b in itertools.pairwise(quarters):
        assert b.first_month == a.last_month + 1
    assert all(q.n_months == 3 for q in quarters)


@pytest.mark.parametrize(
    "label",
    ["2026-Q3", "2026q3", "2026Q5", "2026Q0", "2026-13", "2026-00", "2026-1", "26Q3",
     "TTM2026-13", "TTM2026-00", "ttm2026-09", "FY2026", "2026-09-01", "", "  "],
)  # fmt: skip
def test_bad_label_message(label):
    with pytest.raises(PeriodError) as info:
        Period.parse(label)
    assert str(info.value) == BAD_LABEL.format(label.strip())


def test_period_error_is_a_cslib_error():
    with pytest.raises(cslib.CslibError):
        Period.parse("Q3")


@pytest.mark.parametrize("fy", [0, 13, -1])
def test_bad_fiscal_year_start_month(fy):
    with pytest.raises(PeriodError) as info:
        Period.parse("2026Q1", fiscal_year_start_month=fy)
    assert str(info.value) == f"`fiscal_year_start_month` must be 1..12, got {fy}."


@pytest.mark.parametrize(
    ("last_month", "fy", "label", "first", "last"),
    [
        ("2026-10", 1, "2026Q3", "2026-07", "2026-09"),
        ("2026-09", 1, "2026Q3", "2026-07", "2026-09"),
        ("2026-12", 1, "2026Q4", "2026-10", "2026-12"),
        ("2026-01", 1, "2025Q4", "2025-10", "2025-12"),
        ("2026-02", 1, "2025Q4", "2025-10", "2025-12"),
        ("2026-03", 1, "2026Q1", "2026-01", "2026-03"),
        ("2026-04", 2, "2027Q1", "2026-02", "2026-04"),
        ("2026-03", 2, "2026Q4", "2025-11", "2026-01"),
        ("2026-01", 2, "2026Q4", "2025-11", "2026-01"),
        ("2027-01", 2, "2027Q4", "2026-11", "2027-01"),
        ("2026-03", 4, "2026Q4", "2026-01", "2026-03"),
        ("2026-05", 4, "2026Q4", "2026-01", "2026-03"),
        ("2026-06", 4, "2027Q1", "2026-04", "2026-06"),
        ("2026-06", 7, "2026Q4", "2026-04", "2026-06"),
        ("2026-08", 7, "2026Q4", "2026-04", "2026-06"),
        ("2026-09", 7, "2027Q1", "2026-07", "2026-09"),
        ("2026-12", 7, "2027Q2", "2026-10", "2026-12"),
    ],
)
def test_latest_complete_quarter(last_month, fy, label, first, last):
    q = latest_complete_quarter(last_month, fiscal_year_start_month=fy)
    assert q.label == label
    assert q.kind == "quarter"
    assert (q.first_month, q.last_month) == (m(first), m(last))


def test_latest_complete_quarter_accepts_a_period():
    assert latest_complete_quarter(m("2026-10")).label == "2026Q3"


@settings(max_examples=150, deadline=None)
@given(
    ordinal=st.integers(min_value=m("2000-01").ordinal, max_value=m("2060-12").ordinal),
    fy=st.integers(min_value=1, max_value=12),
)
def test_latest_complete_quarter_properties(ordinal, fy):
    last = pd.Period(ordinal=ordinal, freq="M")
    q = latest_complete_quarter(last, fiscal_year_start_month=fy)
    # It ends on or before `last`, and the next quarter does not.
    assert q.last_month <= last
    assert (last - q.last_month).n < 3
    # Its label reads back to the same months on the same calendar.
    again = Period.parse(q.label, fiscal_year_start_month=fy)
    assert (again.first_month, again.last_month) == (q.first_month, q.last_month)
    # Quarters of a fiscal year start 0, 3, 6 or 9 months after its first month.
    assert (q.first_month.month - fy) % 3 == 0


@pytest.mark.parametrize(
    ("label", "n", "expected", "first", "last"),
    [
        ("2026Q4", 1, "2027Q1", "2027-01", "2027-03"),
        ("2026Q3", -4, "2025Q3", "2025-07", "2025-09"),
        ("2026", -1, "2025", "2025-01", "2025-12"),
        ("2026-12", 1, "2027-01", "2027-01", "2027-01"),
        ("TTM2026-09", 1, "TTM2027-09", "2026-10", "2027-09"),
    ],
)
def test_shift_calendar(label, n, expected, first, last):
    s = Period.parse(label).shift(n)
    assert s.label == expected
    assert (s.first_month, s.last_month) == (m(first), m(last))


@pytest.mark.parametrize(
    ("label", "fy", "n", "first", "last", "shifted"),
    [
        ("2027Q1", 4, 1, "2026-07", "2026-09", "2027Q2"),
        ("2027Q4", 4, 1, "2027-04", "2027-06", "2028Q1"),
        ("2027Q3", 7, 1, "2027-04", "2027-06", "2027Q4"),
        ("2027Q4", 7, -1, "2027-01", "2027-03", "2027Q3"),
        ("2027", 2, 1, "2027-02", "2028-01", "2028"),
    ],
)
def test_shift_fiscal_gives_fiscal_labels(label, fy, n, first, last, shifted):
    s = Period.parse(label, fiscal_year_start_month=fy).shift(n)
    assert (s.first_month, s.last_month) == (m(first), m(last))
    assert s.label == shifted
    # The label names the same months when read back on the same fiscal calendar.
    back = Period.parse(s.label, fiscal_year_start_month=fy)
    assert (back.first_month, back.last_month) == (s.first_month, s.last_month)


def test_str_is_label():
    assert str(Period.parse("TTM2026-09")) == "TTM2026-09"
