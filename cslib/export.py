"""CSV exports that a spreadsheet opens as data, never as formulas.

A spreadsheet (Excel, LibreOffice, Google Sheets) runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula, and some also after a leading tab or
carriage return: a segment named ``=HYPERLINK("https://evil.example", "Click")``
becomes a live link, ``=cmd|' /C calc'!A0`` a command (CSV injection). Every CSV
cslib writes for people goes through :func:`csv_text`, which follows OWASP's
advice: every text cell is quoted (embedded quotes doubled), and one that starts
with one of those characters gets a leading single quote (``'=HYPERLINK(...)``),
so it is shown as text. Numbers stay numbers (a negative NPS is ``-12.5``, not
text) and an undefined value is an empty cell.

Dataset files (``cslib sample``, ``cslib import``) are not exports: they are
read back by cslib and keep every value as it is.

Reference: https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = ["FORMULA_STARTS", "csv_cell", "csv_text"]

#: First characters that make a spreadsheet read a text cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    r"""One CSV field: a number as a number, text quoted and neutralised, undefined empty.

    Parameters
    ----------
    value : object
        ``None`` or NaN (undefined: an empty cell), a number (``int``,
        ``float`` or their numpy kinds; ``bool`` is text), or anything else,
        written as its ``str()``.

    Returns
    -------
    str
        The field as it goes between commas.

    Examples
    --------
    >>> csv_cell(-12.5), csv_cell(3), csv_cell(None), csv_cell(float("nan"))
    ('-12.5', '3', '', '')
    >>> csv_cell("Enterprise"), csv_cell('5" disk')
    ('"Enterprise"', '"5"" disk"')
    >>> csv_cell("=1+2"), csv_cell("-5"), csv_cell("@SUM(A1)")
    ('"\'=1+2"', '"\'-5"', '"\'@SUM(A1)"')
    """
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, numbers.Integral) else repr(float(value))
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return '"' + text.replace('"', '""') + '"'


def csv_text(rows: Iterable[Sequence[object]], *, header: Sequence[str]) -> str:
    r"""A whole CSV document: ``header`` then ``rows``, every cell through :func:`csv_cell`.

    Lines end with ``\n``; a text cell may hold a line break inside its quotes.
    """
    lines = [",".join(csv_cell(c) for c in row) for row in [header, *rows]]
    return "\n".join(lines) + "\n"
