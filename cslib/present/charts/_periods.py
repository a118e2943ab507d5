"""Which periods a chart shows and how they are labelled: trailing quarters, ticks, coverage.

A trend chart shows the quarters (or months) ending with the report's period
that the data covers; these helpers choose them, label them on the x axis and
in sentences, and say plainly when the period lies outside the data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from cslib.data.dataset import Dataset
from cslib.periods import Period, latest_complete_quarter, month_label
from cslib.present.blocks import Callout
from cslib.present.formats import fmt_month_abbr, fmt_month_id

_QUARTER_LABEL = re.compile(r"^(\d{4})Q([1-4])$")


def _abbr(month: pd.Period) -> str:
    return fmt_month_abbr(month, standalone=True)  # "Sep" (de_DE "Sep", fr_FR "sept.")


def quarter_anchor(period: Period) -> Period:
    """The quarter ending with ``period``'s last month.

    A quarter is returned as is; otherwise the fiscal quarter ending that month
    when there is one, else the three months ending it (labelled ``first..last``).
    """
    if period.kind == "quarter":
        return period
    fy = period.fiscal_year_start_month
    q = latest_complete_quarter(period.last_month, fiscal_year_start_month=fy)
    if q.last_month == period.last_month:
        return q
    first = period.last_month - 2
    label = f"{month_label(first)}..{month_label(period.last_month)}"
    return Period(label, first, period.last_month, "quarter", fy)


def trailing_quarters(
    dataset: Dataset, period: Period, n: int, *, need_start_book: bool
) -> tuple[list[Period], int]:
    """The up to ``n`` quarters ending with ``period``'s last month that the data covers.

    A quarter is kept when it ends by the data's last month and, with
    ``need_start_book``, when its start book is inside the data (else when its
    first month is). Returns ``(quarters, how many were left out)``.
    """
    anchor = quarter_anchor(period)
    wanted = [anchor.shift(-k) for k in reversed(range(max(int(n), 1)))]
    first_ok = dataset.first_month
    kept = [
        q
        for q in wanted
        if q.last_month <= dataset.last_month
        and (q.start_book if need_start_book else q.first_month) >= first_ok
    ]
    return kept, len(wanted) - len(kept)


def period_tick_labels(quarters: Sequence[Period], *, short_year: bool = False) -> list[str]:
    """Two-line quarter labels ("Q3" over "2026"), the year on the first tick and when it changes.

    ``short_year`` writes "’26" (for narrow panels, where "2025" next to "2026"
    would touch).
    """
    out, last_year = [], None
    for q in quarters:
        if m := _QUARTER_LABEL.match(q.label):
            top, year = f"Q{m.group(2)}", m.group(1)
        else:
            top = f"{_abbr(q.first_month)}–{_abbr(q.last_month)}"
            year = str(q.last_month.year)
        shown = f"’{year[2:]}" if short_year else year
        out.append(f"{top}\n{shown}" if year != last_year else top)
        last_year = year
    return out


def short(quarter: Period) -> str:
    """A quarter's label, or "Aug–Oct 2026" for three months that are not a fiscal quarter."""
    if _QUARTER_LABEL.match(quarter.label):
        return quarter.label
    first, last = quarter.first_month, quarter.last_month
    if first.year == last.year:
        return f"{_abbr(first)}–{_abbr(last)} {last.year}"
    return f"{_abbr(first)} {first.year}–{_abbr(last)} {last.year}"


def month_tick_labels(months: Sequence[pd.Period]) -> list[str]:
    """Month ticks ("Oct" over "2025"), the year on the first tick and when it changes."""
    out, last_year = [], None
    for m in months:
        out.append(f"{_abbr(m)}\n{m.year}" if m.year != last_year else _abbr(m))
        last_year = m.year
    return out


def range_label(quarters: Sequence[Period]) -> str:
    """"2024Q4 to 2026Q3" (or one quarter's label)."""
    return (
        short(quarters[-1])
        if len(quarters) == 1
        else f"{short(quarters[0])} to {short(quarters[-1])}"
    )


def quarters_to(quarters: Sequence[Period], period: Period) -> str:
    """How many quarters are shown, ending with ``period``: "8 quarters to 2026Q3"."""
    n = len(quarters)
    last = period.label if quarters[-1].last_month == period.last_month else short(quarters[-1])
    return f"{n} quarter{'s' if n != 1 else ''} to {last}"


def after_data(dataset: Dataset, period: Period) -> Callout | None:
    """A note when ``period`` ends after the data's last month (its as-of month)."""
    if period.last_month > dataset.last_month:
        return Callout.of(
            f"The data ends in {fmt_month_id(dataset.last_month)}, so {period.label} "
            f"(to {fmt_month_id(period.last_month)}) is not covered yet; choose a period "
            "that ends by then."
        )
    return None


def outside_data(dataset: Dataset, period: Period) -> Callout | None:
    """A note when ``period`` (with its start book) is not inside the months the data covers."""
    if (note := after_data(dataset, period)) is not None:
        return note
    if period.start_book < dataset.first_month:
        return Callout.of(
            f"The data starts in {fmt_month_id(dataset.first_month)}, so {period.label} "
            f"has no opening month ({fmt_month_id(period.start_book)}) to compare with."
        )
    return None
