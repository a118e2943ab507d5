"""The reader's currency and locale: how money, numbers, percents and dates are written.

The house style is written for ``USD`` / ``en_US`` (``$1.2M``, ``104.3%``,
``Sep 30, 2026``), and that stays the default, byte for byte. A plan (or a
notebook's ``currency`` and ``locale`` parameters, or :func:`use_locale`) may
name another: ``currency: EUR`` and ``locale: de_DE`` write ``1,2 Mio. €``,
``104,3 %``, ``+2,1 Pkt.`` and ``30.09.2026`` everywhere the house formats are
used (tables, KPI tiles, narrative, chart axes, decks). Symbols, separators,
compact patterns and dates come from Babel (the Unicode CLDR data).

Money is shown in the one currency named; cslib converts nothing (the data's
amounts are taken to be in that currency).

References
----------
Unicode CLDR number and date patterns (via Babel, https://babel.pocoo.org).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cslib.errors import ParameterError
from cslib.settings import did_you_mean

__all__ = ["DEFAULT", "Conventions", "active", "conventions", "use_locale"]


@dataclass(frozen=True)
class Conventions:
    """A currency (ISO 4217 code) and a locale (``de_DE``) to write figures in."""

    currency: str = "USD"
    locale: str = "en_US"

    @property
    def house(self) -> bool:
        """Whether this is the house default (USD, en_US): today's exact formats."""
        return self == DEFAULT

    # -- money --
    def money(self, value: float, *, compact: bool, digits: int) -> str:
        """``value`` as money, compact (``1,2 Mio. €``) or whole (``1.234.567 €``)."""
        from babel.numbers import format_compact_currency, format_currency, get_currency_symbol

        if compact:
            if abs(value) < 1000:
                return format_currency(round(value), self.currency, locale=self.locale,
                                       format=self._whole_pattern(), currency_digits=False)
            text = format_compact_currency(value, self.currency, locale=self.locale,
                                           fraction_digits=digits)
            text = self._fixed_digits(text, value, digits)
            if text is None:  # no short form at this size (de: none below 1 Mio.)
                return format_currency(round(value), self.currency, locale=self.locale,
                                       format=self._whole_pattern(), currency_digits=False)
            symbol = get_currency_symbol(self.currency, locale=self.locale)
            return text if symbol in text else f"{text} {symbol}"
        return format_currency(round(value), self.currency, locale=self.locale,
                               format=self._whole_pattern(), currency_digits=False)

    def _scale_of(self, text: str, value: float) -> tuple[re.Match[str], float] | None:
        """Where the number stands in Babel's compact ``text`` for ``value``, and its scale.

        ``1,2 Mio. €`` for 1,234,567 gives the match of ``1,2`` and 1e6; ``None``
        when the text holds no number to read.
        """
        from babel.numbers import NumberFormatError, parse_decimal

        found = re.search(r"\d(?:[\d.,\u00a0\u202f']*\d)?", text)
        if found is None:
            return None
        try:
            shown = float(parse_decimal(found.group(), locale=self.locale))
        except NumberFormatError:
            return None
        if shown == 0 or value == 0:
            return None
        return found, 10.0 ** round(math.log10(abs(value) / shown))

    def _fixed_digits(self, text: str, value: float, digits: int) -> str | None:
        """``text`` (Babel's compact form) with exactly ``digits`` decimals: ``2,0 Mio. €``.

        Babel drops trailing zeros (``2 Mio. €`` beside ``1,8 Mio. €``); the
        house writes ``$2.0M``, so the number is written again at the same
        scale. ``None`` when the locale has no short form at this size.
        """
        from babel.numbers import format_decimal

        parts = self._scale_of(text, value)
        if parts is None:
            return text
        found, scale = parts
        if scale < 10:
            return None
        if digits <= 0:
            return text
        number = format_decimal(abs(value) / scale, format="#,##0." + "0" * digits,
                                locale=self.locale)
        return text[:found.start()] + number + text[found.end():]

    def money_ticks(self, values: Sequence[float]) -> list[str]:
        """Axis ticks in one unit, with the decimals they need: ``0,25 Mio. €``, ``1,5 Mio. €``.

        The unit is the largest tick's short form (``Mio.``); where the locale
        has none at that size (German below a million) ticks are whole amounts
        (``250.000 €``). Zero is written without a unit.
        """
        from babel.numbers import format_compact_currency, format_decimal, get_currency_symbol

        finite = [float(v) for v in values if math.isfinite(v)]
        top = max((abs(v) for v in finite), default=0.0)
        text = (format_compact_currency(top, self.currency, locale=self.locale,
                                        fraction_digits=0) if top >= 1000 else "")
        parts = self._scale_of(text, top) if text else None
        if parts is None or parts[1] < 10:
            return [self.money(v, compact=False, digits=0) if math.isfinite(v) else ""
                    for v in values]
        found, scale = parts
        symbol = get_currency_symbol(self.currency, locale=self.locale)
        if symbol not in text:
            text = f"{text} {symbol}"
        decimals = next((d for d in range(4) if all(
            abs(round(v / scale, d) - v / scale) < 1e-9 * max(1.0, abs(v / scale))
            for v in finite)), 3)
        out = []
        for v in values:
            if not math.isfinite(v) or round(v / scale, decimals) == 0:
                out.append(self.money(0.0, compact=True, digits=0) if math.isfinite(v) else "")
                continue
            number = format_decimal(abs(v) / scale, format="#,##0." + "#" * decimals,
                                    locale=self.locale).rstrip(".,")
            out.append(("-" if v < 0 else "") + text[:found.start()] + number
                       + text[found.end():])
        return out

    def _whole_pattern(self) -> str:
        from babel import Locale

        pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
        pattern = pattern.split(";")[0]
        return pattern.replace("#,##0.00", "#,##0").replace("0.00", "0")

    def symbol(self) -> str:
        """The currency's symbol in this locale (``€``, ``£``, ``¥``; ``$`` by default)."""
        from babel.numbers import get_currency_symbol

        return "$" if self.house else get_currency_symbol(self.currency, locale=self.locale)

    # -- numbers --
    def number(self, value: float, *, digits: int, grouping: bool = True) -> str:
        """A plain number with this locale's separators."""
        from babel.numbers import format_decimal

        pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float, *, digits: int, signed: bool = False) -> str:
        """A proportion as a percent: ``104,3 %`` in de_DE."""
        from babel import Locale
        from babel.numbers import format_percent

        base = Locale.parse(self.locale).percent_formats[None].pattern.split(";")[0]
        pattern = base.replace("#,##0", "#,##0" + ("." + "0" * digits if digits else ""), 1)
        text = format_percent(abs(value), format=pattern, locale=self.locale)
        return (("+" if value >= 0 else "-") if signed else ("-" if value < 0 else "")) + text

    def points_unit(self) -> str:
        """The word for percentage points: ``pts``, ``Pkt.`` (de), ``pts`` (fr)."""
        return _POINTS.get(self.locale.split("_")[0], "pts")

    # -- dates --
    def date(self, day: Any, *, long: bool = False) -> str:
        """A day as this locale writes it (``30.09.2026``; long: ``30. September 2026``)."""
        import pandas as pd
        from babel.dates import format_date

        return format_date(pd.Timestamp(day).date(), format="long" if long else "medium",
                           locale=self.locale)


_POINTS = {"de": "Pkt.", "fr": "pts", "es": "pts", "it": "pt", "nl": "ptn", "ja": "pt"}
DEFAULT = Conventions()
_active: list[Conventions] = [DEFAULT]  # one slot: the process's (notebook's) setting


def active() -> Conventions:
    """The conventions figures are written in now."""
    return _active[0]


def conventions(currency: str = "", locale: str = "") -> Conventions:
    """Checked conventions (empty means the default); unknown codes are errors.

    Raises
    ------
    ParameterError
        On a currency that is not an ISO 4217 code Babel knows, or a locale it
        does not know, with a did-you-mean.
    """
    currency = (currency or DEFAULT.currency).strip().upper()
    locale = (locale or DEFAULT.locale).strip().replace("-", "_")
    from babel import Locale, UnknownLocaleError
    from babel.numbers import list_currencies

    known = list_currencies()
    if currency not in known:
        raise ParameterError(f"`currency` must be an ISO 4217 code such as USD, EUR or GBP, "
                             f"got {currency!r}.{did_you_mean(currency, sorted(known))}")
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        from babel.localedata import locale_identifiers

        raise ParameterError(f"`locale` must be a locale such as en_US, de_DE or fr_FR, got "
                             f"{locale!r}.{did_you_mean(locale, locale_identifiers())}"
                             ) from None
    return Conventions(currency, locale)


class _Setting:
    """What :func:`use_locale` returns: used with ``with``, the previous setting comes back."""

    def __init__(self, conv: Conventions, previous: Conventions) -> None:
        self.conv, self.previous = conv, previous

    def __enter__(self) -> Conventions:
        return self.conv

    def __exit__(self, *exc: object) -> None:
        _active[0] = self.previous


def use_locale(currency: str = "", locale: str = "") -> _Setting:
    r"""Write figures in ``currency`` and ``locale`` from now on (or, as ``with``, inside).

    ``use_locale("EUR", "de_DE")`` sets them for the rest of the session (a
    notebook); ``with use_locale("EUR", "de_DE"): ...`` for a block only. Empty
    values mean the default (USD, en_US).

    Examples
    --------
    >>> from cslib.present.formats import fmt_money, fmt_percent
    >>> with use_locale("EUR", "de_DE"):
    ...     fmt_money(1_234_567.0, compact=True), fmt_money(-2500.0), fmt_percent(1.043)
    ('1,2\xa0Mio.\xa0€', '−2.500\xa0€', '104,3\xa0%')
    >>> fmt_money(1_234_567.0, compact=True)
    '$1.2M'
    """
    conv = conventions(currency, locale)
    previous = _active[0]
    _active[0] = conv
    return _Setting(conv, previous)
