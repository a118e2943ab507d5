"""Reporting periods on a fiscal calendar.

A period is a month (``2026-09``), a quarter (``2026Q3``) or a year (``2026``).
Its *start book* is the month before its first month and its *end book* is its
last month, so ``2026Q3`` compares 2026-06 with 2026-09 (calendar year).

Fiscal years are named after the calendar year in which they end (the common
US convention: with ``fiscal_year_start_month=2``, FY2027 runs from February
2026 to January 2027 and ``2027Q1`` is February to April 2026). With the
default ``fiscal_year_start_month=1`` fiscal and calendar years coincide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from cslib.errors import PeriodError

__all__ = ["Period", "latest_complete_quarter", "month_label", "period_or_latest"]

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_TRAILING = re.compile(r"^TTM(\d{4})-(\d{2})$")


def month_label(month: pd.Period) -> str:
    """Format a monthly ``pd.Period`` as ``YYYY-MM``."""
    return f"{month.year:04d}-{month.month:02d}"


@dataclass(frozen=True)
class Period:
    """A span of whole months that metrics are computed over.

    Attributes
    ----------
    label : str
        The period as written, for example ``"2026Q3"``.
    first_month, last_month : pandas.Period
        The first and last months inside the period (monthly frequency).
    kind : str
        ``"month"``, ``"quarter"``, ``"year"`` or ``"trailing"`` (twelve months).
    fiscal_year_start_month : int
        First month (1-12) of the fiscal year the label is read on.
    """

    label: str
    first_month: pd.Period
    last_month: pd.Period
    kind: str
    fiscal_year_start_month: int = 1

    @classmethod
    def parse(cls, text: str | Period, *, fiscal_year_start_month: int = 1) -> Period:
        """Read a period label.

        Parameters
        ----------
        text : str
            ``YYYY-MM`` (a month), ``YYYYQn`` (a fiscal quarter), ``YYYY`` (a
            fiscal year) or ``TTMYYYY-MM`` (the twelve months ending that month).
        fiscal_year_start_month : int, default 1
            First month (1-12) of the fiscal year.

        Raises
        ------
        PeriodError
            If the label matches none of the forms above.

        Examples
        --------
        >>> p = Period.parse("2026Q3")
        >>> (str(p.start_book), str(p.end_book))
        ('2026-06', '2026-09')
        """
        if isinstance(text, Period):
            return text
        if not 1 <= int(fiscal_year_start_month) <= 12:
            raise PeriodError(
                f"`fiscal_year_start_month` must be 1..12, got {fiscal_year_start_month!r}."
            )
        raw = str(text).strip()
        # Months before the fiscal year's first month, counted back from January of
        # the naming year: FY named by the year it ends in.
        shift = 0 if fiscal_year_start_month == 1 else 13 - fiscal_year_start_month
        if m := _QUARTER.match(raw):
            year, q = int(m.group(1)), int(m.group(2))
            first = pd.Period(year=year, month=1, freq="M") - shift + 3 * (q - 1)
            return cls(raw, first, first + 2, "quarter", fiscal_year_start_month)
        if m := _MONTH.match(raw):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(_bad_period(raw))
            p = pd.Period(year=int(m.group(1)), month=month, freq="M")
            return cls(raw, p, p, "month", fiscal_year_start_month)
        if m := _YEAR.match(raw):
            first = pd.Period(year=int(m.group(1)), month=1, freq="M") - shift
            return cls(raw, first, first + 11, "year", fiscal_year_start_month)
        if m := _TRAILING.match(raw):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(_bad_period(raw))
            last = pd.Period(year=int(m.group(1)), month=month, freq="M")
            return cls(raw, last - 11, last, "trailing", fiscal_year_start_month)
        raise PeriodError(_bad_period(raw))

    @classmethod
    def trailing_twelve_months(cls, last_month: str | pd.Period) -> Period:
        """The twelve months ending with ``last_month`` (compares it with a year before)."""
        last = pd.Period(last_month, freq="M")
        return cls(f"TTM{month_label(last)}", last - 11, last, "trailing")

    @property
    def long_label(self) -> str:
        """The period for a reader: ``"2026Q3 (Jul–Sep 2026)"``, ``"Sep 2026"``.

        Examples
        --------
        >>> Period.parse("2026Q3").long_label
        '2026Q3 (Jul–Sep 2026)'
        """
        first, last = self.first_month, self.last_month
        if self.kind == "month":
            return f"{last:%b %Y}"
        if self.kind == "trailing":
            return f"Twelve months to {last:%b %Y}"
        same_year = first.year == last.year
        span = f"{first:%b}–{last:%b %Y}" if same_year else f"{first:%b %Y}–{last:%b %Y}"
        return f"{self.label} ({span})"

    @property
    def start_book(self) -> pd.Period:
        """The month whose MRR opens the period (the month before its first month)."""
        return self.first_month - 1

    @property
    def end_book(self) -> pd.Period:
        """The month whose MRR closes the period (its last month)."""
        return self.last_month

    @property
    def n_months(self) -> int:
        """Number of months inside the period."""
        return (self.last_month - self.first_month).n + 1

    @property
    def first_day(self) -> pd.Timestamp:
        """First calendar day inside the period."""
        return self.first_month.start_time

    @property
    def last_day(self) -> pd.Timestamp:
        """Last calendar day inside the period (midnight)."""
        return self.last_month.end_time.normalize()

    def months(self) -> pd.PeriodIndex:
        """The months inside the period, in order."""
        return pd.period_range(self.first_month, self.last_month, freq="M")

    def shift(self, n: int) -> Period:
        """The period of the same kind ``n`` periods later (earlier when negative).

        Examples
        --------
        >>> Period.parse("2026Q1").shift(-1).label
        '2025Q4'
        >>> Period.parse("2027Q1", fiscal_year_start_month=2).shift(1).label
        '2027Q2'
        """
        step = self.n_months * n
        first, last = self.first_month + step, self.last_month + step
        fy = self.fiscal_year_start_month
        # The fiscal month of `first`, counted from January of the fiscal year's name.
        fiscal = first + (0 if fy == 1 else 13 - fy)
        if self.kind == "month":
            label = month_label(first)
        elif self.kind == "trailing":
            label = f"TTM{month_label(last)}"
        elif self.kind == "quarter" and (fiscal.month - 1) % 3 == 0:
            label = f"{fiscal.year}Q{(fiscal.month - 1) // 3 + 1}"
        elif self.kind == "year" and fiscal.month == 1:
            label = str(fiscal.year)
        else:
            label = f"{month_label(first)}..{month_label(last)}"
        return Period(label, first, last, self.kind, fy)

    def __str__(self) -> str:
        return self.label


def _bad_period(raw: str) -> str:
    return (
        "`period` must look like 2026Q3 (quarter), 2026-09 (month), 2026 (year) or "
        f"TTM2026-09 (trailing twelve months), got {raw!r}."
    )


def latest_complete_quarter(
    last_month: str | pd.Period, *, fiscal_year_start_month: int = 1
) -> Period:
    """The latest fiscal quarter that ends on or before ``last_month``.

    Examples
    --------
    >>> latest_complete_quarter("2026-10").label
    '2026Q3'
    """
    last = pd.Period(last_month, freq="M")
    shift = 0 if fiscal_year_start_month == 1 else 13 - fiscal_year_start_month
    # Fiscal month index (0-based) of `last`, counted from January of the naming year.
    fiscal = last + shift
    q = (fiscal.month - 1) // 3 + 1
    if (fiscal.month - 1) % 3 != 2:  # `last` is not a quarter's final month
        q -= 1
    year = fiscal.year
    if q == 0:
        year, q = year - 1, 4
    return Period.parse(f"{year}Q{q}", fiscal_year_start_month=fiscal_year_start_month)


def period_or_latest(
    label: str | None, last_month: str | pd.Period, *, fiscal_year_start_month: int = 1
) -> Period:
    """The period ``label`` names, else the latest complete quarter to ``last_month``.

    The one rule every command and report uses for "the given period, or by
    default the latest complete quarter in the data".

    Raises
    ------
    PeriodError
        If ``label`` is malformed.

    Examples
    --------
    >>> period_or_latest("", "2026-10").label, period_or_latest("2026-09", "2026-10").label
    ('2026Q3', '2026-09')
    """
    text = (label or "").strip()
    if text:
        return Period.parse(text, fiscal_year_start_month=fiscal_year_start_month)
    return latest_complete_quarter(last_month, fiscal_year_start_month=fiscal_year_start_month)
