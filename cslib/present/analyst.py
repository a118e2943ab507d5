"""The analyst's own tables and charts, in the house style.

A notebook of one's own (``cslib new``) shows plain pandas and matplotlib, and
they reach the document as the house's own blocks:

- a DataFrame shown in a cell (its last expression, or ``display(df)``) becomes a
  house :class:`~cslib.present.blocks.Table` (:func:`table` with default
  formats): a real table with a header row, numbers right-aligned with
  thousands separators, days as ``YYYY-MM-DD`` (or the locale's), missing values as a dash, and
  the index kept when it means something (named, or not ``0, 1, 2, ...``);
- :func:`table` gives the formats by column: ``table(df, money=["arr"],
  percent=["nrr"])``;
- a matplotlib figure is drawn as SVG at its own size (``figsize``), never
  stretched past it, and never wider than the page; :func:`use_house_style`
  gives it the house's fonts, colours and grid.

:func:`install_display` registers both with the running IPython shell; opening
a report (:func:`cslib.present.report.open_report`) and :func:`use_house_style`
call it, so an analyst writes nothing more.

References
----------
STYLE.md (house number formats); matplotlib ``rcParams``; IPython display
formatters (``mimebundle_formatter``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cslib.present.blocks import Table
from cslib.present.formats import (
    DASH,
    fmt_count,
    fmt_day,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_score,
)

__all__ = ["install_display", "table", "use_house_style"]

#: The most rows a DataFrame shown in a cell puts in a document (as pandas shows 60).
MAX_ROWS = 200


def _plain(value: Any, digits: int | None = None) -> str:
    """A cell without a declared format: numbers with the locale's separators, days its way.

    ``digits``: the decimals of every number of the column (see :func:`_plain_format`);
    without it a whole number of 1,000 or more has none and any other float two.
    """
    if value is None or (not isinstance(value, str) and bool(np.all(pd.isna(value)))):
        return DASH
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return fmt_number(int(value))
    if isinstance(value, float | np.floating):
        v = float(value)
        if digits is None:
            digits = 0 if v.is_integer() and abs(v) >= 1000 else 2
        return fmt_number(v, digits=digits)
    if isinstance(value, pd.Timestamp | dt.date):
        stamp = pd.Timestamp(value)
        day = fmt_day(stamp)
        return day if stamp == stamp.normalize() else f"{day} {stamp:%H:%M}"
    return str(value)


def _plain_format(column: pd.Series) -> Any:
    """How a column without a declared format is written: one number of decimals for all.

    A float column whose values are all whole (counts that pandas made floats
    to hold a missing value) has none; any other float column two, so that
    ``432.100,00`` stands under ``1.114.205,50`` rather than ``432.100``.
    """
    if not isinstance(column, pd.Series) or not pd.api.types.is_float_dtype(column):
        return _plain
    finite = column[np.isfinite(column.to_numpy(dtype=float, na_value=np.nan))]
    digits = 0 if bool((finite % 1 == 0).all()) else 2
    return lambda v: _plain(v, digits)


def table(
    df: pd.DataFrame | pd.Series,
    *,
    title: str = "",
    caption: str = "",
    money: Sequence[str] = (),
    percent: Sequence[str] = (),
    count: Sequence[str] = (),
    score: Sequence[str] = (),
    compact: bool = False,
    digits: int = 1,
    index: bool | None = None,
    max_rows: int | None = MAX_ROWS,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """A DataFrame as a house table, with formats by column.

    Parameters
    ----------
    df : pandas.DataFrame or pandas.Series
        What to show; a Series is one column.
    title, caption : str
        Shown above and below the table.
    money, percent, count, score : sequence of str
        Columns formatted as money (``$1,234``; ``compact=True``: ``$1.2K``),
        proportions as percents (0.953 -> ``95.3%``), counts (``1,162``) or
        scores (``32.1``), each with ``digits`` decimals where it has any.
    index : bool, optional
        Show the index as the first column(s); by default when it is named
        or is not ``0, 1, 2, ...``.
    max_rows : int, optional
        At most this many rows (the caption says how many are left out).
    labels : mapping of str to str, optional
        Headings to show instead of column (or index) names, e.g.
        ``{"ending_mrr": "MRR"}``; formats are still given by the names.

    Returns
    -------
    Table
        Right-aligned numeric columns, left-aligned text; missing values as ``–``.

    Examples
    --------
    >>> t = table(pd.DataFrame({"account": ["Acme"], "arr": [125000.0], "nrr": [1.043]}),
    ...           money=["arr"], percent=["nrr"])
    >>> t.rows, t.align
    ((('Acme', '$125,000', '104.3%'),), ('left', 'right', 'right'))
    """
    frame = df.to_frame() if isinstance(df, pd.Series) else df
    keep = (index if index is not None else
            any(n is not None for n in frame.index.names)
            or not isinstance(frame.index, pd.RangeIndex))
    if keep:
        frame = frame.reset_index()
    frame.columns = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c)
                     for c in frame.columns]
    declared = [*money, *percent, *count, *score]
    unknown = [c for c in [*declared, *(labels or {})] if c not in frame.columns]
    if unknown:
        raise KeyError(f"table(): no column {unknown[0]!r}; the columns are "
                       f"{', '.join(frame.columns)}.")
    total = len(frame)
    if max_rows is not None and total > max_rows:
        frame = frame.head(max_rows)
        more = f"First {max_rows} of {total:,} rows."
        caption = f"{caption} {more}".strip()

    def fmt(col: str) -> Any:
        if col in money:
            return lambda v: fmt_money(float(v), compact=compact, digits=digits)
        if col in percent:
            return lambda v: fmt_percent(float(v), digits=digits)
        if col in count:
            return lambda v: fmt_count(v)
        if col in score:
            return lambda v: fmt_score(float(v), digits=digits)
        return _plain_format(frame[col])

    def cell(f: Any, v: Any) -> str:
        missing = v is None or (not isinstance(v, str) and bool(np.all(pd.isna(v))))
        return DASH if missing else f(v)

    formats = {c: fmt(c) for c in frame.columns}
    rows = tuple(tuple(cell(formats[c], v) for c, v in zip(frame.columns, r, strict=True))
                 for r in frame.itertuples(index=False, name=None))
    numeric = {c for c in frame.columns
               if c in declared or (pd.api.types.is_numeric_dtype(frame[c])
                                    and not pd.api.types.is_bool_dtype(frame[c]))}
    align = tuple("right" if c in numeric else "left" for c in frame.columns)
    headings = tuple((labels or {}).get(c, c) for c in frame.columns)
    return Table(title, headings, rows, align=align, caption=caption)


def use_house_style() -> None:
    """Draw this notebook's own matplotlib figures in the house style, as SVG.

    Sets matplotlib's ``rcParams`` to the house's (fonts, colours, grid, sizes;
    :func:`cslib.present.style.house_rc`) for the rest of the session, and
    registers the display of DataFrames and figures (:func:`install_display`).
    For one figure only, use ``with cslib.present.style.house_style(): ...``.
    """
    import matplotlib as mpl

    from cslib.present.style import house_rc

    mpl.rcParams.update(house_rc())
    _HOUSE_AXES[0] = True
    install_display()


#: Whether :func:`use_house_style` was called: figures' plain number axes then follow the locale.
_HOUSE_AXES = [False]


def _house_numbers(fig: Any) -> None:
    """Plain number ticks (matplotlib's default, ``1e6`` above them) as the house writes numbers.

    ``1,000,000`` (``1.000.000`` in de_DE) under each tick, with the decimals
    the ticks need and no offset label; axes given another formatter (money,
    percent, dates, logs) are left as they are.
    """
    from matplotlib.ticker import ScalarFormatter

    from cslib.present.style import number_axis

    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                number_axis(ax, axis=name)


def _svg_bundle(fig: Any, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    import io

    if _HOUSE_AXES[0]:
        _house_numbers(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):] if "<svg" in svg else svg
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:  # shown once: the end of the cell would show an open figure again
        plt.close(fig)
    return {"image/svg+xml": svg, "text/plain": f"<Figure {fig.get_size_inches()[0]:.1f} x "
                                                  f"{fig.get_size_inches()[1]:.1f} in>"}


def _frame_bundle(df: Any, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    block = table(df)
    html = df._repr_html_() if hasattr(df, "_repr_html_") else None
    bundle = block._repr_mimebundle_()
    if html:  # JupyterLab keeps pandas' own view; the document takes the house table
        bundle["text/html"] = html
    return bundle


def install_display(shell: Any = None) -> bool:
    """Register the house display of DataFrames and figures with an IPython shell.

    ``shell`` defaults to the running one; nothing happens outside IPython.
    Returns whether a shell was found. Calling it again changes nothing.
    """
    if shell is None:
        import sys

        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatter = shell.display_formatter.mimebundle_formatter
    formatter.for_type(pd.DataFrame, _frame_bundle)
    formatter.for_type(pd.Series, _frame_bundle)
    try:
        from matplotlib.figure import Figure

        formatter.for_type(Figure, _svg_bundle)
        png = shell.display_formatter.formatters.get("image/png")
        if png is not None:  # the inline backend's PNG would come along otherwise
            png.pop(Figure, None)
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    return True
