"""A source file's per-table mapping: renames, filters and simple read-only transforms.

A warehouse table rarely holds the contract's rows as they are. A source file
(:func:`cslib.data.sources.read_source_file`) says, per contract table::

    tables:
      accounts:
        table: Account                     # Salesforce
        where: IsDeleted = false           # rows to keep (an SQL condition)
        columns:
          account_id: Id                   # a plain rename
          segment: Segment__c
          renewal_date: {expr: "CAST(Renewal_Date__c AS DATE)"}   # an SQL expression
      mrr:
        table: stripe_mrr
        columns:
          mrr: {column: amount, scale: 0.01}  # Stripe amounts are in cents
      tickets:
        query: |                           # or a whole read-only SELECT
          SELECT org_id AS account_id, id AS ticket_id, created_at AS opened_on, ...
          FROM zendesk.tickets WHERE status <> 'deleted'

Nothing is written to the warehouse: a table with a ``where``, ``scale``,
``expr`` or ``query`` is read through one derived ``SELECT`` (:func:`derived_sql`)
that every read wraps with its own filters (a customer's rows, no month after
the period), so the database still does the filtering; ``--show-queries``
prints the statements whole. A ``query`` must be a single ``SELECT`` (or
``WITH ... SELECT``) statement (:func:`check_read_only`); DuckDB files are opened
read-only and PostgreSQL sessions are read-only too.

References
----------
README.md, "Databases"; DESIGN.md, "The data contract".
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cslib.data.contract import CONTRACT
from cslib.errors import ParameterError
from cslib.secrets import mask_url, url_userinfo
from cslib.settings import did_you_mean, read_yaml

__all__ = [
    "TABLE_KEYS",
    "CentsWarning",
    "ColumnMap",
    "SourceSpec",
    "SourceTable",
    "cents_columns",
    "check_read_only",
    "contract_text",
    "database_url",
    "derived_sql",
    "first_day_after",
    "month_of",
    "month_or_none",
    "parse_table",
    "read_source_file",
    "strip_comments",
]

#: Keys of one table's entry in a source file.
TABLE_KEYS = ("table", "columns", "where", "query")
_COLUMN_KEYS = ("column", "scale", "expr")
#: Statements that write, found anywhere in a query, ``where`` or ``expr`` (outside quotes and
#: comments). Column names such as ``comment`` or ``update_at`` do not match.
_WRITES = {
    "INSERT": r"\binsert\s+into\b",
    "DELETE": r"\bdelete\s+from\b",
    "UPDATE": r"\bupdate\s+[\w.\"]+\s+set\b",
    "MERGE": r"\bmerge\s+into\b",
    "DROP": r"\bdrop\s+\w+",
    "ALTER": r"\balter\s+\w+",
    "CREATE": r"\bcreate\s+\w+",
    "TRUNCATE": r"\btruncate\b\s+\w+",
    "GRANT": r"\bgrant\s+\w+",
    "REVOKE": r"\brevoke\s+\w+",
    "COPY": r"\bcopy\s+[\w.(\"]",
    "ATTACH": r"\battach\s+",
    "PRAGMA": r"\bpragma\s+\w+",
    "SET": r"^\s*set\s+\w+",
}
_SOURCE_KEYS = ("url", "schema", "tables")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: A money column whose values are all whole numbers with this median or more reads as cents.
CENTS_MEDIAN = 100_000


class CentsWarning(UserWarning):
    """A money column read from a warehouse looks like it holds cents (:func:`cents_columns`)."""


@dataclass(frozen=True)
class ColumnMap:
    """Where one contract column comes from: a warehouse column or an SQL expression.

    ``value = column x scale`` (or ``expr x scale``); ``scale`` is ``None`` for 1.
    """

    column: str | None = None
    scale: float | None = None
    expr: str | None = None

    @property
    def rename_only(self) -> bool:
        """Whether this is a plain rename (no scale, no expression)."""
        return self.expr is None and self.scale is None

    def describe(self) -> str:
        """The mapping as the source file wrote it, for messages."""
        base = f"expr {self.expr!r}" if self.expr is not None else repr(self.column)
        return base + (f" x {self.scale:g}" if self.scale is not None else "")


@dataclass(frozen=True)
class SourceTable:
    """One contract table's place in the warehouse: a table (or query) and its mapping."""

    table: str
    columns: dict[str, ColumnMap] = field(default_factory=dict)
    where: str | None = None
    query: str | None = None

    @property
    def derived(self) -> bool:
        """Whether reads go through a derived SELECT (a filter or a transform)."""
        return (self.where is not None or self.query is not None
                or any(not c.rename_only for c in self.columns.values()))

    @property
    def label(self) -> str:
        """How messages name it: ``database table Account`` or ``source query``."""
        return "source query" if self.query is not None else f"database table {self.table}"

    def renames(self) -> dict[str, str]:
        """Contract column -> warehouse column, for the plain renames."""
        return {k: v.column for k, v in self.columns.items()
                if v.rename_only and v.column is not None}


def _fail(where: str, text: str) -> ParameterError:
    return ParameterError(f"{where}: {text}")


def _column(name: str, col: str, value: object, where: str) -> ColumnMap:
    at = f"tables.{name}.columns.{col}"
    if isinstance(value, str) and value.strip():
        return ColumnMap(column=value.strip())
    if not isinstance(value, dict):
        raise _fail(where, f"{at}: expected a column name, or a mapping with `column` (and "
                           "`scale`) or `expr`.")
    unknown = sorted(str(k) for k in value if k not in _COLUMN_KEYS)
    if unknown:
        raise _fail(where, f"{at}: unknown key {unknown[0]!r}; expected "
                           f"{', '.join(_COLUMN_KEYS)}.{did_you_mean(unknown[0], _COLUMN_KEYS)}")
    column, expr, scale = value.get("column"), value.get("expr"), value.get("scale")
    if (column is None) == (expr is None):
        raise _fail(where, f"{at}: give exactly one of `column` (a warehouse column) and "
                           "`expr` (an SQL expression).")
    for key, text in (("column", column), ("expr", expr)):
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise _fail(where, f"{at}.{key}: expected text.")
    if expr is not None:
        _check_fragment(str(expr), f"{where}: {at}.expr")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int | float)
                              or not math.isfinite(scale) or scale == 0):
        raise _fail(where, f"{at}.scale: expected a non-zero number (0.01 turns cents into "
                           f"dollars), got {scale!r}.")
    return ColumnMap(column=column.strip() if isinstance(column, str) else None,
                     scale=float(scale) if scale is not None else None,
                     expr=strip_comments(expr).strip() if isinstance(expr, str) else None)


def parse_table(name: str, entry: object, where: str) -> SourceTable:
    """One ``tables.<name>`` entry of a source file, checked.

    Raises
    ------
    ParameterError
        On an unknown key (with a did-you-mean), a column not in the contract,
        both ``table`` and ``query``, a ``scale`` that is not a number, or a
        ``query``/``where``/``expr`` that could write.
    """
    if isinstance(entry, str):
        entry = {"table": entry}
    if not isinstance(entry, dict):
        raise _fail(where, f"tables.{name}: expected `table:` (or `query:`) and optional "
                           "`columns:` and `where:`.")
    unknown = sorted(str(k) for k in entry if k not in TABLE_KEYS)
    if unknown:
        raise _fail(where, f"tables.{name}: unknown key {unknown[0]!r}; expected "
                           f"{', '.join(TABLE_KEYS)}.{did_you_mean(unknown[0], TABLE_KEYS)}")
    if "table" in entry and "query" in entry:
        raise _fail(where, f"tables.{name}: give `table` or `query`, not both.")
    columns = entry.get("columns") or {}
    known = [c.name for c in CONTRACT[name].columns]
    if not isinstance(columns, dict):
        raise _fail(where, f"tables.{name}.columns: expected a mapping of contract columns "
                           "to warehouse columns.")
    bad = sorted(str(c) for c in columns if c not in known)
    if bad:
        raise _fail(where, f"tables.{name}.columns: {', '.join(bad)} not in the contract's "
                           f"{name} ({', '.join(sorted(known))}).{did_you_mean(bad[0], known)}")
    query = entry.get("query")
    if query is not None:
        if not isinstance(query, str) or not query.strip():
            raise _fail(where, f"tables.{name}.query: expected a SELECT statement.")
        query = check_read_only(strip_comments(query), f"{where}: tables.{name}.query")
    cond = entry.get("where")
    if cond is not None:
        if not isinstance(cond, str | bool) or (isinstance(cond, str) and not cond.strip()):
            raise _fail(where, f"tables.{name}.where: expected an SQL condition, e.g. "
                               "`IsDeleted = false`.")
        cond = strip_comments(cond).strip() if isinstance(cond, str) else str(cond).lower()
        _check_fragment(cond, f"{where}: tables.{name}.where")
    table = entry.get("table", name)
    if not isinstance(table, str) or not table.strip():
        raise _fail(where, f"tables.{name}.table: expected a table name.")
    return SourceTable(table.strip(), {str(k): _column(name, str(k), v, where)
                                       for k, v in columns.items()}, cond, query)


# Source files ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceSpec:
    """Where the contract's tables are in a database, and under which names.

    Attributes
    ----------
    url : str
        SQLAlchemy URL (``duckdb:///path`` for a DuckDB file).
    schema : str or None
        Database schema holding the tables (default: the connection's).
    tables : dict
        Contract table -> :class:`~cslib.data.warehouse.SourceTable` (the
        database table or query, column renames and transforms, a row filter).
        Tables and columns not listed keep their contract names.
    origin : str
        What to call the source in messages (the YAML file, or the URL masked).
    """

    url: str
    schema: str | None = None
    tables: dict[str, SourceTable] = field(default_factory=dict)
    origin: str = ""

    def __post_init__(self) -> None:
        # (table, {contract: warehouse}) pairs, as earlier versions took them
        fixed = {k: v if isinstance(v, SourceTable) else parse_table(
                     k, {"table": v[0], "columns": dict(v[1])}, self.origin or "source")
                 for k, v in self.tables.items()}
        object.__setattr__(self, "tables", fixed)

    def entry(self, name: str) -> SourceTable:
        """The mapping of contract table ``name`` (its own name, unmapped, by default)."""
        return self.tables.get(name) or SourceTable(name)

    def table(self, name: str) -> str:
        """The database table holding contract table ``name``."""
        return self.entry(name).table

    def columns(self, name: str) -> dict[str, str]:
        """Contract column -> database column for contract table ``name`` (plain renames).

        A table read through a derived SELECT (a ``where``, ``scale``, ``expr``
        or ``query``) already has its columns under their contract names.
        """
        entry = self.entry(name)
        return {} if entry.derived else entry.renames()


def _expand(text: str, where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m[1] not in os.environ:
            raise ParameterError(f"{where}: environment variable {m[1]} is not set.")
        return os.environ[m[1]]

    return _ENV.sub(sub, text)


def database_url(text: str, base: Path | None = None) -> str:
    """A SQLAlchemy URL for a URL or a DuckDB file path (relative to ``base``)."""
    if "://" in text:
        parts = url_userinfo(text)
        if parts is not None and "@" in parts[2]:
            raise ParameterError(
                f"`data`: the password in {mask_url(text)} holds a raw '@', which a URL cannot "
                "carry as it is (the rest would be read as the host); write it as %40."
            )
        return text
    path = Path(text).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise ParameterError(f"`data`: no DuckDB database file at {path}.")
    return f"duckdb:///{path.resolve()}"


def read_source_file(path: Path) -> SourceSpec:
    """Read a YAML source file: ``url``, optional ``schema`` and ``tables`` mapping.

    Raises
    ------
    ParameterError
        On a missing file or ``url``, unknown keys, a table or column that is
        not in the contract, or a mapping that is not ``{contract: warehouse}``.
    """
    if not path.is_file():
        raise ParameterError(f"`data`: no source file at {path}.")
    raw = read_yaml(path)
    where = path.name
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}: expected a mapping with `url` and `tables`.")
    unknown = sorted(str(k) for k in set(raw) - set(_SOURCE_KEYS))
    if unknown:
        raise ParameterError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(_SOURCE_KEYS)}."
            + did_you_mean(unknown[0], _SOURCE_KEYS)
        )
    if not isinstance(raw.get("url"), str) or not raw["url"].strip():
        raise ParameterError(f"{where}: `url` must be a SQLAlchemy URL or a DuckDB file.")
    text = _expand(raw["url"].strip(), where)
    try:
        url = database_url(text, base=path.parent)
    except ParameterError as exc:  # said in the file's terms: its `url`
        raise ParameterError(f"{where}: {str(exc).replace('`data`', '`url`', 1)}") from None
    schema = raw.get("schema")
    if schema is not None and not isinstance(schema, str):
        raise ParameterError(f"{where}: `schema` must be text.")
    tables: dict[str, SourceTable] = {}
    mapping = raw.get("tables") or {}
    if not isinstance(mapping, dict):
        raise ParameterError(f"{where}: `tables` must map contract tables to warehouse tables.")
    for name, entry in mapping.items():
        if name not in CONTRACT:
            raise ParameterError(
                f"{where}: tables.{name}: not a contract table; expected one of "
                f"{', '.join(CONTRACT)}.{did_you_mean(str(name), CONTRACT)}"
            )
        tables[str(name)] = parse_table(str(name), entry, where)
    return SourceSpec(url, schema, tables, origin=where)



# Read-only SQL --------------------------------------------------------------------------
_TOKENS = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")|--[^\n]*|/\*.*?\*/", re.S)


def strip_comments(sql: str) -> str:
    r"""``sql`` without its ``--`` and ``/* */`` comments (quoted text kept as it is).

    A query is read inside ``(...) AS src``: a trailing ``--`` comment would
    swallow the rest of the statement.

    Examples
    --------
    >>> strip_comments("SELECT '--x' AS a -- note\nFROM t /* c */")
    "SELECT '--x' AS a  \nFROM t  "
    """
    return _TOKENS.sub(lambda m: m[1] if m[1] else " ", sql)


def _code(sql: str) -> str:
    """``sql`` without comments and quoted text (what keywords are looked for in)."""
    sql = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", " '' ", sql)


def _writes(code: str) -> str | None:
    return next((k for k, rx in _WRITES.items() if re.search(rx, code, flags=re.I | re.M)),
                None)


def _check_fragment(sql: str, where: str) -> None:
    code = _code(sql)
    if ";" in code:
        raise ParameterError(f"{where}: one expression only; ';' is not allowed.")
    word = _writes(code)
    if word is not None:
        raise ParameterError(f"{where}: {word} is not allowed; a source only reads.")


def check_read_only(sql: str, where: str) -> str:
    """``sql`` if it is one read-only ``SELECT``/``WITH`` statement, trailing ``;`` dropped.

    A guard, not a parser: comments and quoted text are set aside, then the
    statement must start with ``SELECT`` or ``WITH`` and hold no second
    statement and no writing statement (:data:`_WRITES`). The database enforces it
    too: DuckDB files are opened read-only, PostgreSQL sessions are read-only.

    Examples
    --------
    >>> check_read_only("SELECT id AS account_id FROM crm.account;", "q")
    'SELECT id AS account_id FROM crm.account'
    >>> check_read_only("DELETE FROM account", "q")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cslib.errors.ParameterError: q: must be one read-only SELECT ...; it starts with DELETE.
    """
    text = sql.strip().rstrip(";").strip()
    code = _code(text).strip()
    first = (code.split() or [""])[0].lower()
    if first not in ("select", "with", "("):
        raise ParameterError(f"{where}: must be one read-only SELECT (or WITH ... SELECT) "
                             f"statement; it starts with {first.upper() or 'nothing'}.")
    if ";" in code:
        raise ParameterError(f"{where}: one statement only; found a ';' inside it.")
    word = _writes(code)
    if word is not None:
        raise ParameterError(f"{where}: {word} is not allowed in a read-only query.")
    return text


# The derived SELECT ---------------------------------------------------------------------
def derived_sql(spec: SourceTable, base_columns: list[str], *, quote: Any,
                base: str) -> tuple[str, list[str]]:
    """The derived ``SELECT`` of one table and its output columns (contract names first).

    Parameters
    ----------
    spec : SourceTable
        The table's mapping.
    base_columns : list of str
        The columns of the warehouse table (or query), as the database names them.
    quote : callable
        The dialect's identifier quoting (``preparer.quote``).
    base : str
        The ``FROM`` item: the quoted table name or ``(query) AS src``.

    Returns
    -------
    tuple
        ``(sql, columns)``: ``SELECT <expr> AS <contract column>, ..., <other
        columns> FROM <base> [WHERE <where>]`` and its output column names. The
        other columns are those no mapping reads (a column named in an ``expr``
        is read by it), passed through under their own names.
    """
    items: list[tuple[str, str]] = []
    used: set[str] = set()
    for name, m in spec.columns.items():
        value = m.expr if m.expr is not None else quote(str(m.column))
        if m.scale is not None:
            value = f"({value}) * {m.scale!r}"
        items.append((value, name))
        if m.column is not None:
            used.add(m.column)
    exprs = " ".join([m.expr for m in spec.columns.values() if m.expr is not None]
                     + [spec.where or ""])
    used |= {c for c in base_columns  # a column an expression or the filter reads: not extra
             if re.search(rf'(?<![\w"]){re.escape(c)}(?![\w"])|"{re.escape(c)}"', exprs)}
    taken = {n for _, n in items}
    for col in base_columns:  # everything else passes through under its own name
        if col not in used and col not in taken:
            items.append((quote(col), col))
            taken.add(col)
    select = ", ".join(f"{v} AS {quote(n)}" for v, n in items)
    sql = f"SELECT {select} FROM {base}"
    if spec.where is not None:
        sql += f" WHERE {spec.where}"
    return sql, [n for _, n in items]


def cents_columns(name: str, frame: pd.DataFrame) -> list[str]:
    """Money columns of ``frame`` that look like cents: whole numbers, implausibly large.

    The rule: every non-missing value is a whole number and their median is at
    least :data:`CENTS_MEDIAN` (a median account paying $100,000 a month is
    rare; 10,000,000 cents is $100,000). Such a column gets a warning that
    suggests ``scale: 0.01``.
    """
    out = []
    for spec in CONTRACT[name].columns:
        if spec.kind != "money" or spec.name not in frame:
            continue
        values = pd.to_numeric(frame[spec.name], errors="coerce").dropna()
        values = values[values > 0]
        if len(values) and (values == values.round()).all() and (
                values.median() >= CENTS_MEDIAN):
            out.append(spec.name)
    return out


# Values as the loader reads them --------------------------------------------------------
def _utc(value: Any) -> Any:
    """A timestamp with a time zone as UTC without one; other values as they are."""
    if isinstance(value, pd.Timestamp | dt.datetime) and value.tzinfo is not None:
        return pd.Timestamp(value).tz_convert("UTC").tz_localize(None)
    return value


def _text(value: Any, fmt: str) -> Any:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None  # SQL NULL, or NaT/NaN as the driver handed it over
    value = _utc(value)
    return format(value, fmt) if isinstance(value, dt.date | pd.Timestamp) else value


def contract_text(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Database values as the loader reads them: months ``YYYY-MM``, dates ``YYYY-MM-DD``.

    Every type a warehouse uses for these fields reads the same: ``DATE``,
    ``TIMESTAMP`` (the date of it), ``TIMESTAMP WITH TIME ZONE`` (the date in
    UTC), text, and NULL (missing); ``NUMERIC``/``DECIMAL`` numbers become floats
    and ``BOOLEAN`` values stay booleans.
    """
    out = frame.copy()
    kinds = {c.name: c.kind for c in CONTRACT[name].columns}
    for col in out.columns:
        kind = kinds.get(col)
        if kind == "month":
            out[col] = [_text(v, "%Y-%m") for v in out[col]]
        elif kind == "date":
            out[col] = [_text(v, "%Y-%m-%d") for v in out[col]]
        elif out[col].dtype == object and any(isinstance(v, decimal.Decimal) for v in out[col]):
            out[col] = [float(v) if isinstance(v, decimal.Decimal) else v for v in out[col]]
    return out


def month_of(value: Any) -> pd.Period:
    """The month of a database value (a date, timestamp or ``YYYY-MM...`` text)."""
    if isinstance(value, dt.date | pd.Timestamp):
        return pd.Period(_utc(value).strftime("%Y-%m"), freq="M")
    return pd.Period(str(value)[:7], freq="M")


def month_or_none(value: Any) -> pd.Period | None:
    """The month of a database value, or ``None`` for NULL or a value that is not one."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    text = f"{_utc(value):%Y-%m}" if isinstance(value, dt.date | pd.Timestamp) else str(value)
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-\d{2}([T ].*)?)?", text.strip()) is None:
        return None
    return pd.Period(text.strip()[:7], freq="M")


def first_day_after(sample: Any, month: pd.Period) -> Any:
    """The first day after ``month``, typed like the column (text, date or timestamp)."""
    after = month + 1
    if isinstance(sample, dt.datetime | pd.Timestamp):
        tz = sample.tzinfo
        return dt.datetime(after.year, after.month, 1, tzinfo=dt.UTC if tz else None)
    if isinstance(sample, dt.date):
        return dt.date(after.year, after.month, 1)
    return f"{after:%Y-%m}"  # text: "2026-09" and "2026-09-30" both sort before "2026-10"
