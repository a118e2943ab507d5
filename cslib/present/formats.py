"""Number formats of the house style: $1.2M, 104.3%, +2.1 pts, NPS 32.1."""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "fmt_count",
    "fmt_date",
    "fmt_day",
    "fmt_days",
    "fmt_money",
    "fmt_money_pair",
    "fmt_month",
    "fmt_month_abbr",
    "fmt_month_id",
    "fmt_month_long",
    "fmt_number",
    "fmt_percent",
    "fmt_period",
    "fmt_plural",
    "fmt_points",
    "fmt_ratio",
    "fmt_score",
    "fmt_signed_percent",
    "minus",
    "money_digits",
]

DASH = "–"  # shown where a value is undefined


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def minus(text: str) -> str:
    """``text`` with a leading hyphen-minus as the typographic minus sign (U+2212).

    Every signed figure of the house style takes it, as the charts draw it:
    ``−4.2%``, ``−0.4 pts``, ``−$8.1K``, never a hyphen.

    Examples
    --------
    >>> minus("-4.2%"), minus("+1.0 pts")
    ('−4.2%', '+1.0 pts')
    """
    return "−" + text[1:] if text.startswith("-") else text


def _conv() -> Any:
    from cslib.present.locale import active

    conv = active()
    return None if conv.house else conv


def fmt_money(value: float | None, *, currency: str = "$", compact: bool = False,
              digits: int = 1) -> str:
    """Money: ``$1,234,567`` or, compact, ``$1.2M`` / ``$45.3K`` (``digits`` decimals).

    A negative amount takes the typographic minus sign (U+2212), as the charts
    draw it, never a hyphen.

    Examples
    --------
    >>> fmt_money(1234567.0, compact=True), fmt_money(-2500.0)
    ('$1.2M', '−$2,500')
    >>> fmt_money(1234567.0, compact=True, digits=2)
    '$1.23M'
    """
    if _missing(value):
        return DASH
    assert value is not None
    conv = _conv()
    if conv is not None and currency == "$":  # another currency or locale (cslib.present.locale)
        return minus(conv.money(float(value), compact=compact, digits=digits))
    sign = "−" if value < 0 else ""
    v = abs(value)
    if compact:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if v >= limit:
                return f"{sign}{currency}{v / limit:.{digits}f}{suffix}"
        return f"{sign}{currency}{v:.0f}"
    return f"{sign}{currency}{v:,.0f}"


def fmt_money_pair(a: float, b: float) -> tuple[str, str]:
    """Two amounts in compact form with as many decimals (1 to 3) as it takes to tell them apart.

    Examples
    --------
    >>> fmt_money_pair(1_260_000.0, 1_290_000.0), fmt_money_pair(1_000_000.0, 1_500_000.0)
    (('$1.26M', '$1.29M'), ('$1.0M', '$1.5M'))
    """
    digits = money_digits(a, b)
    return fmt_money(a, compact=True, digits=digits), fmt_money(b, compact=True, digits=digits)


def money_digits(a: float | None, b: float | None) -> int:
    """Decimals (1 to 3) that compact money needs to tell ``a`` and ``b`` apart.

    Examples
    --------
    >>> money_digits(1_200_000.0, 1_500_000.0), money_digits(1_260_000.0, 1_290_000.0)
    (1, 2)
    >>> money_digits(1_262_000.0, 1_264_000.0)
    3
    """
    digits = 1
    if _missing(a) or _missing(b):
        return digits
    while digits < 3 and fmt_money(a, compact=True, digits=digits) == fmt_money(
            b, compact=True, digits=digits):
        digits += 1
    return digits


def fmt_percent(value: float | None, *, digits: int = 1) -> str:
    """A proportion as a percent: 1.043 -> ``104.3%``."""
    if not _missing(value) and (conv := _conv()) is not None:
        return minus(conv.percent(float(value), digits=digits))  # type: ignore[arg-type]
    return DASH if _missing(value) else minus(f"{100.0 * value:.{digits}f}%")  # type: ignore[operator]


def fmt_signed_percent(value: float | None, *, digits: int = 1) -> str:
    """A relative change as a signed percent: 0.12 -> ``+12.0%``, -0.042 -> ``−4.2%``."""
    if not _missing(value) and (conv := _conv()) is not None:
        return minus(conv.percent(float(value), digits=digits, signed=True))  # type: ignore[arg-type]
    return DASH if _missing(value) else minus(f"{100.0 * value:+.{digits}f}%")  # type: ignore[operator]


def fmt_points(value: float | None, *, digits: int = 1) -> str:
    """A change in percentage points, signed: 0.021 -> ``+2.1 pts``."""
    if not _missing(value) and (conv := _conv()) is not None:
        v = 100.0 * float(value)  # type: ignore[arg-type]
        text = conv.number(abs(v), digits=digits)
        return f"{'+' if v >= 0 else '−'}{text} {conv.points_unit()}"
    return DASH if _missing(value) else minus(f"{100.0 * value:+.{digits}f} pts")  # type: ignore[operator]


def fmt_score(value: float | None, *, digits: int = 1) -> str:
    """A score (NPS in points, CES on 1-7): ``32.1``."""
    if not _missing(value) and (conv := _conv()) is not None:
        return minus(conv.number(float(value), digits=digits, grouping=False))  # type: ignore[arg-type]
    return DASH if _missing(value) else minus(f"{value:.{digits}f}")


def fmt_ratio(value: float | None, *, digits: int = 2) -> str:
    """A ratio such as the quick ratio: ``3.00x``."""
    if not _missing(value) and (conv := _conv()) is not None:
        return minus(conv.number(float(value), digits=digits)) + "x"  # type: ignore[arg-type]
    return DASH if _missing(value) else f"{value:.{digits}f}x"


def fmt_count(value: int | float | None) -> str:
    """A count with thousands separators: ``1,162``."""
    if not _missing(value) and (conv := _conv()) is not None:
        return minus(conv.number(int(value), digits=0))  # type: ignore[arg-type]
    return DASH if _missing(value) else f"{int(value):,}"  # type: ignore[arg-type]


def fmt_days(days: int) -> str:
    """Days from now, in words: ``today``, ``in 1 day``, ``in 41 days``, ``3 days ago``.

    Examples
    --------
    >>> fmt_days(41), fmt_days(1), fmt_days(0), fmt_days(-1)
    ('in 41 days', 'in 1 day', 'today', '1 day ago')
    """
    if days == 0:
        return "today"
    span = fmt_plural(abs(int(days)), "day")
    return f"in {span}" if days > 0 else f"{span} ago"


def fmt_plural(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun, singular or plural: ``1 account``, ``1,162 accounts``.

    Examples
    --------
    >>> fmt_plural(1, "rating"), fmt_plural(3, "reply", "replies")
    ('1 rating', '3 replies')
    """
    conv = _conv()
    count = conv.number(n, digits=0) if conv is not None else f"{n:,}"
    return f"{count} {noun if n == 1 else (plural or noun + 's')}"


def fmt_date(day: Any, *, long: bool = False) -> str:
    """A day for readers: ``Sep 30, 2026`` (long: ``September 30, 2026``), or the locale's.

    Examples
    --------
    >>> fmt_date("2026-09-30"), fmt_date("2026-12-06", long=True)
    ('Sep 30, 2026', 'December 6, 2026')
    """
    import pandas as pd

    conv = _conv()
    if conv is not None:
        return conv.date(day, long=long)
    ts = pd.Timestamp(day)
    return f"{ts:%B} {ts.day}, {ts.year}" if long else f"{ts:%b} {ts.day}, {ts.year}"


def _month(month: Any, house: str, skeleton: str) -> str:
    """A month in the house form (``strftime`` ``house``) or the locale's CLDR ``skeleton``."""
    import pandas as pd

    ts = pd.Period(month, freq="M").to_timestamp()
    conv = _conv()
    if conv is None:
        return f"{ts:{house}}"
    from babel.dates import format_skeleton

    return format_skeleton(skeleton, ts.date(), locale=conv.locale)


def fmt_month(month: Any) -> str:
    """A month for readers: ``Sep 2026``, or the locale's (``Sept. 2026`` in de_DE).

    Examples
    --------
    >>> fmt_month("2026-09")
    'Sep 2026'
    """
    return _month(month, "%b %Y", "yMMM")


def fmt_month_long(month: Any) -> str:
    """A month written out: ``December 2025``, or the locale's (``Dezember 2025``).

    Examples
    --------
    >>> fmt_month_long("2025-12")
    'December 2025'
    """
    return _month(month, "%B %Y", "yMMMM")


def fmt_number(value: float, *, digits: int = 0) -> str:
    """A plain number with thousands separators: ``1,234.5`` (or the locale's: ``1.234,5``).

    Examples
    --------
    >>> fmt_number(1234.5, digits=1), fmt_number(-3.0)
    ('1,234.5', '−3')
    """
    conv = _conv()
    if conv is not None:
        return minus(conv.number(value, digits=digits))
    return minus(f"{value:,.{digits}f}")


def fmt_month_abbr(month: Any, *, standalone: bool = False) -> str:
    """A month's short name: ``Sep``, or the locale's (``Sept.``; ``standalone``: ``Sep``).

    ``standalone`` is the form for a month alone (a chart tick), the other the
    form before a year (``Sept. 2026``). The house style writes ``Sep`` for both.

    Examples
    --------
    >>> fmt_month_abbr("2026-07"), fmt_month_abbr("2026-07", standalone=True)
    ('Jul', 'Jul')
    """
    import pandas as pd

    ts = pd.Period(month, freq="M").to_timestamp()
    conv = _conv()
    if conv is None:
        return f"{ts:%b}"
    from babel.dates import format_date

    return format_date(ts.date(), "LLL" if standalone else "MMM", locale=conv.locale)


def fmt_period(period: Any) -> str:
    """A period for a reader: ``2026Q3 (Jul–Sep 2026)``, ``Sep 2026``, or the locale's.

    ``period`` is a :class:`cslib.periods.Period`; the house style is its
    ``long_label``. Elsewhere the months are the locale's (``2026Q3 (Juli–Sept.
    2026)`` in de_DE); the sentence around a trailing period stays English.

    Examples
    --------
    >>> from cslib.periods import Period
    >>> fmt_period(Period.parse("2026Q3"))
    '2026Q3 (Jul–Sep 2026)'
    """
    if _conv() is None:
        return str(period.long_label)
    first, last = period.first_month, period.last_month
    if period.kind == "month":
        return fmt_month(last)
    if period.kind == "trailing":
        return f"Twelve months to {fmt_month(last)}"
    span = (f"{fmt_month_abbr(first)}–{fmt_month(last)}" if first.year == last.year
            else f"{fmt_month(first)}–{fmt_month(last)}")
    return f"{period.label} ({span})"


def fmt_day(day: Any) -> str:
    """A day in a table cell or a heading: ISO ``2026-09-30``, or the locale's (``30.09.2026``).

    The house style writes days in ISO form; another locale writes its own
    medium date, as :func:`fmt_date` does.

    Examples
    --------
    >>> fmt_day("2026-09-30")
    '2026-09-30'
    """
    import pandas as pd

    conv = _conv()
    if conv is not None:
        return conv.date(day)
    return f"{pd.Timestamp(day):%Y-%m-%d}"


def fmt_month_id(month: Any) -> str:
    """A month in a caption: ``2026-09`` in the house style, else the locale's (``Sept. 2026``).

    Examples
    --------
    >>> fmt_month_id("2026-09")
    '2026-09'
    """
    if _conv() is None:
        import pandas as pd

        from cslib.periods import month_label

        return month_label(pd.Period(month, freq="M"))
    return fmt_month(month)
