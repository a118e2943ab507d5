"""Datasets read from a database: a DuckDB file or any SQLAlchemy URL.

The tables are the contract's (:mod:`cslib.data.contract`), named as in the
contract or mapped onto the warehouse's own table and column names by a small
YAML *source file*::

    # params/warehouse.yaml
    url: ${CS_WAREHOUSE_URL}       # a SQLAlchemy URL or a DuckDB file; ${VAR} from the environment
    schema: analytics              # optional
    tables:
      accounts:
        table: Account             # a Salesforce-style export
        columns: {account_id: Id, name: Name, segment: Segment__c}
      mrr:
        table: fct_mrr_monthly
        columns: {account_id: AccountId, month: month_start, mrr: mrr_usd}

What is read is validated by the same contract as a CSV folder (the same
messages, with ``TABLE (database)`` in place of file names), so a report gets
the same :class:`~cslib.data.dataset.Dataset` whichever way the data came.

Reads push their filters down to the database: a customer's QBR reads that
customer's rows and no month after the period (:meth:`SqlSource.read` with
``account_ids`` and ``until``), plus one aggregate-sized read of its segment's
usage for the anonymized benchmark; a segment review reads its segment's
accounts only (a sub-query on ``accounts``). A build of a whole plan reads each
table once and cuts the slices in memory (:mod:`cslib.data.slices`): one scan is
cheaper than a thousand small ones. Every statement issued is kept in
:attr:`SqlSource.queries`, and printed on stderr when ``CSLIB_SHOW_QUERIES=1``
(``cslib ... --show-queries``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from cslib.data.contract import CONTRACT, REQUIRED_TABLES, month_runs
from cslib.data.dataset import Dataset
from cslib.data.diagnose import (
    driver_text,
    is_missing_table,
    mapped_failure,
    missing_name,
    missing_table_message,
)
from cslib.data.validate import MAX_EXAMPLES, Table, validate, validate_table
from cslib.data.warehouse import (
    CentsWarning,
    SourceSpec,
    SourceTable,
    cents_columns,
    contract_text,
    database_url,
    derived_sql,
    first_day_after,
    month_of,
    month_or_none,
    read_source_file,
)
from cslib.errors import DataError, ParameterError, require_extra
from cslib.secrets import mask_text, mask_url
from cslib.settings import did_you_mean

__all__ = [
    "DATABASE_SUFFIXES",
    "SHOW_QUERIES",
    "SourceSpec",
    "SqlSource",
    "database_url",
    "display_name",
    "is_database",
    "open_source",
    "read_source_file",
]

#: Files read as DuckDB databases.
DATABASE_SUFFIXES = (".duckdb", ".ddb")
#: Environment variable: print every statement a source issues on stderr.
SHOW_QUERIES = "CSLIB_SHOW_QUERIES"
#: Date columns filtered by ``until`` (rows after the period cannot be used by its report).
_TIME_COLUMNS = {
    "mrr": "month",
    "usage": "month",
    "nps": "responded_on",
    "tickets": "opened_on",
    "activities": "occurred_on",
    "advocacy": "occurred_on",
    "churn_events": "occurred_on",
}


def is_database(data: str | Path) -> bool:
    """Whether ``data`` names a database rather than a folder of files.

    A URL (``postgresql://...``, ``duckdb:///file.duckdb``), a ``.duckdb``
    file, or a ``.yaml`` source file (URL plus table mapping).
    """
    text = str(data).strip()
    if "://" in text:
        return True
    return Path(text).suffix.lower() in (*DATABASE_SUFFIXES, ".yaml", ".yml")


def display_name(url: str) -> str:
    """How a database is named in documents: its kind and database name, no host or user.

    Examples
    --------
    >>> display_name("postgresql://cs:secret@10.0.0.5:5432/analytics")
    'postgresql database analytics'
    >>> display_name("duckdb:////data/cs/warehouse.duckdb")
    'duckdb database warehouse.duckdb'
    """
    require_extra("sqlalchemy", "warehouse", "database sources")
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # a malformed URL is reported when it is opened
        return "database"
    name = Path(parsed.database or "").name or "(default)"
    return f"{parsed.get_backend_name()} database {name}"


def open_source(data: str | Path) -> SqlSource:
    """The :class:`SqlSource` named by ``data``: a URL, a DuckDB file or a YAML source file."""
    require_extra("sqlalchemy", "warehouse", "database sources")
    text = str(data).strip()
    if "://" not in text and Path(text).suffix.lower() in (".yaml", ".yml"):
        spec = read_source_file(Path(text).expanduser())
    else:
        url = database_url(text)
        spec = SourceSpec(url, origin=mask_url(text))
    return SqlSource(spec)


@cache
def _engine(url: str) -> Any:
    require_extra("sqlalchemy", "warehouse", "database sources")
    if url.startswith("duckdb:"):
        require_extra("duckdb_engine", "warehouse", "DuckDB files")
    import sqlalchemy as sa

    # No pool: no connection outlives its query, so nothing is left holding a DuckDB
    # file's lock, and forked build workers inherit no open socket.
    from sqlalchemy.pool import NullPool

    try:
        if url.startswith("duckdb:"):  # read-only: a build and a notebook can read at once;
            # no external access: a query reads the database, not the machine's files
            return sa.create_engine(url, poolclass=NullPool, connect_args={
                "read_only": True, "config": {"enable_external_access": False}})
        if url.startswith(("postgresql", "postgres")):  # read-only sessions: nothing written
            return sa.create_engine(url, poolclass=NullPool,
                                    execution_options={"postgresql_readonly": True})
        return sa.create_engine(url, poolclass=NullPool)
    except Exception as exc:  # unknown dialect, missing driver
        raise ParameterError(
            f"`data`: cannot use {mask_url(url)} ({_first_line(exc, url)})."
        ) from None


def _first_line(exc: BaseException, url: str = "") -> str:
    """The first line of a driver's error, with the source URL's password masked."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return mask_text(text.splitlines()[0] if text else type(exc).__name__, [url])


# Reading --------------------------------------------------------------------------------
@dataclass
class SqlSource:
    """A database holding the contract's tables, read with the filters pushed down.

    Examples
    --------
    >>> src = open_source("postgresql://cs@127.0.0.1:5432/cs")        # doctest: +SKIP
    >>> one = src.read(account_ids=["A-0001"], until=pd.Period("2026-09", "M"))  # doctest: +SKIP
    >>> print(src.queries[-1])                                          # doctest: +SKIP
    SELECT ... FROM tickets WHERE tickets.account_id IN (...) AND tickets.opened_on < ...
    """

    spec: SourceSpec
    queries: list[str] = field(default_factory=list)
    _probed: dict[str, dict[str, Any]] | None = None
    _derived: dict[str, Any] = field(default_factory=dict)
    _coverage: tuple[pd.Period, pd.Period] | None = None

    @property
    def name(self) -> str:
        """What documents call this source (no host, user or password)."""
        return display_name(self.spec.url)

    # -- plumbing --
    def _execute(self, stmt: Any) -> Any:
        import sqlalchemy as sa

        engine = _engine(self.spec.url)
        self._log(stmt)
        try:
            with engine.connect() as conn:
                result = conn.execute(stmt)
                return list(result.keys()), result.fetchall()
        except sa.exc.SQLAlchemyError as exc:
            raise DataError(f"{self.spec.origin}: {_first_line(exc, self.spec.url)}") from None

    def _log(self, stmt: Any) -> None:
        compiled = stmt.compile(_engine(self.spec.url),
                                compile_kwargs={"render_postcompile": True})
        params = compiled.params
        text = " ".join(str(compiled).split()) + (f"  -- {params}" if params else "")
        self.queries.append(text)
        if os.environ.get(SHOW_QUERIES) == "1":
            from cslib.terminal import terminal_text  # query parameters come from data

            print(f"sql: {terminal_text(text, one_line=True)}", file=sys.stderr, flush=True)

    def _table(self, name: str, columns: Iterable[str]) -> Any:
        """The table to select from: the database table, or the derived SELECT's sub-query."""
        import sqlalchemy as sa

        if self.spec.entry(name).derived:
            if name not in self._derived:
                self._probe()
            return self._derived[name]
        return sa.table(self.spec.table(name), *(sa.column(c) for c in columns),
                        schema=self.spec.schema)

    def _base(self, entry: SourceTable) -> str:
        """The FROM item of a derived SELECT: the quoted table, or the query as ``src``."""
        preparer = _engine(self.spec.url).dialect.identifier_preparer
        if entry.query is not None:
            return f"({entry.query}) AS src"
        table = preparer.quote(entry.table)
        return f"{preparer.quote_schema(self.spec.schema)}.{table}" if self.spec.schema else table

    def _check_mapping(self, name: str, keys: list[str]) -> None:
        """Every mapped warehouse column exists, or one message naming the mapping."""
        entry = self.spec.entry(name)
        for col, m in entry.columns.items():
            if m.column is not None and m.column not in keys:
                what = ("the source query" if entry.query is not None
                        else f"table `{entry.table}`")
                raise ParameterError(
                    f"{self.spec.origin}: `{name}.{col}` is mapped to `{m.column}`, which "
                    f"{what} does not have.{did_you_mean(m.column, keys, code=True)} "
                    f"Its columns: {', '.join(keys)}."
                )

    def _derive(self, name: str, keys: list[str]) -> Any:
        import sqlalchemy as sa

        entry = self.spec.entry(name)
        quote = _engine(self.spec.url).dialect.identifier_preparer.quote
        sql, cols = derived_sql(entry, keys, quote=quote, base=self._base(entry))
        return sa.text(sql).columns(*(sa.column(c) for c in cols)).subquery(f"{name}_src")

    def _select(self, name: str) -> tuple[Any, Any]:
        """The database table of contract table ``name`` and a select of its columns.

        Columns are labelled with their contract names, the contract's first
        (in its order), then any others the table has.
        """
        import sqlalchemy as sa

        sample = self._probe()[name]
        contract = [c.name for c in CONTRACT[name].columns]
        cols = [c for c in contract if c in sample] + [c for c in sample if c not in contract]
        table = self._table(name, [self._db(name, c) for c in cols])
        return table, sa.select(*(table.c[self._db(name, c)].label(c) for c in cols))

    def _segment_ids(self, segment: str, column: str = "segment") -> Any:
        """A sub-query: the ids of the accounts whose ``column`` is ``segment``."""
        import sqlalchemy as sa

        accounts = self._table("accounts", [self._db("accounts", c)
                                            for c in ("account_id", column)])
        return sa.select(accounts.c[self._db("accounts", "account_id")]).where(
            accounts.c[self._db("accounts", column)] == segment)

    def _probe(self) -> dict[str, dict[str, Any]]:
        """Contract table -> {contract column: a sample value} for the tables present.

        One ``SELECT ... LIMIT 1`` per contract table (portable, unlike
        catalog reflection); a table that cannot be selected is absent.
        """
        import sqlalchemy as sa

        if self._probed is not None:
            return self._probed
        found: dict[str, dict[str, Any]] = {}
        for name in CONTRACT:
            entry = self.spec.entry(name)
            base = (sa.text(f"SELECT * FROM {self._base(entry)} LIMIT 1") if entry.derived
                    else sa.select(sa.text("*")).select_from(self._table(name, [])).limit(1))
            try:
                keys, row = self._first_row(base)
            except sa.exc.SQLAlchemyError as exc:
                self._unreadable(name, entry, exc)  # raises, but for an absent optional table
                continue
            self._check_mapping(name, keys)
            if entry.derived:
                try:
                    self._derived[name] = self._derive(name, keys)
                    keys, row = self._first_row(sa.select(sa.text("*")).select_from(
                        self._derived[name]).limit(1))
                except sa.exc.SQLAlchemyError as exc:
                    raise DataError(f"{self.spec.origin}: "
                                    f"{mapped_failure(name, entry, exc, self.spec.url, keys)}"
                                    ) from None
            back = {v: k for k, v in self.spec.columns(name).items()}
            values = dict(zip(keys, row, strict=True)) if row is not None else {}
            found[name] = {back.get(k, k): values.get(k) for k in keys}
        self._probed = found
        return found

    def _unreadable(self, name: str, entry: SourceTable, exc: BaseException) -> None:
        """Say why contract table ``name`` cannot be read; return only if it may be absent.

        An optional table the source file does not map may be absent; one it
        maps (a typo in its name must not empty a report section) and a
        required one may not. Cannot connect, permission denied: said as is.
        """
        origin, url = self.spec.origin, self.spec.url
        text = driver_text(exc, url)
        if not is_missing_table(exc):
            if name in self.spec.tables and entry.query is not None:
                raise DataError(f"{origin}: {mapped_failure(name, entry, exc, url)}") from None
            raise DataError(f"{origin}: {text}") from None
        listed = name in self.spec.tables
        if not listed and name not in REQUIRED_TABLES:
            return
        schema, missing = ((self.spec.schema, entry.table) if entry.query is None
                           else missing_name(exc))
        why = missing_table_message(_engine(url), missing, schema or self.spec.schema
                                    ) if missing else ""
        if entry.query is not None:  # the driver's words name the table; add a did-you-mean
            raise DataError(f"{origin}: `tables.{name}.query` cannot be read: {text}"
                            + (f" ({why})" if "Did you mean" in why
                               and "did you mean" not in text.lower() else "")) from None
        if listed:
            raise DataError(f"{origin}: `tables.{name}.table` cannot be read: "
                            f"{why or text}") from None
        raise DataError(
            f"{origin}: required table {name!r} (database table {entry.table!r}) cannot be "
            f"read: {why or text} "
            f"Name the warehouse's table in a source file (tables: {name}: table: ...)."
        ) from None

    def _first_row(self, stmt: Any) -> tuple[list[str], Any]:
        self._log(stmt)
        with _engine(self.spec.url).connect() as conn:
            result = conn.execute(stmt)
            return list(result.keys()), result.fetchone()

    def _ids(self, name: str, ids: Sequence[str]) -> list[Any]:
        """Account ids typed like the database's column (integers stay integers)."""
        sample = self._probe().get(name, {}).get("account_id")
        if isinstance(sample, int) and all(i.lstrip("-").isdigit() for i in ids):
            return [int(i) for i in ids]
        return list(ids)

    def read(
        self,
        *,
        account_ids: Sequence[str] | None = None,
        segment: str | None = None,
        until: pd.Period | None = None,
        group_by: str = "segment",
    ) -> Dataset:
        """Read and validate the contract's tables, with the filters done by the database.

        Parameters
        ----------
        account_ids : sequence of str, optional
            Only these accounts' rows, in every table.
        segment : str, optional
            Only the accounts of this segment (a sub-query on ``accounts``), or
            with this value of ``group_by``.
        group_by : str, default "segment"
            The column of ``accounts`` that ``segment`` is matched against (a
            CSM's book: ``"csm"``).
        until : pandas.Period, optional
            No month after this one (``mrr``/``usage`` months, and the dates
            of ``nps``, ``tickets``, ``activities``, ``advocacy``); goals and
            contacts are not dated rows and are read whole.

        Returns
        -------
        Dataset
            Its ``coverage`` is the database's whole MRR span (one aggregate
            query), so the data's as-of date is the same as an unfiltered read's.

        Raises
        ------
        DataError
            If the database cannot be read or its rows break the contract.
        """
        present = self._probe()
        raw: dict[str, Table] = {}
        problems: list[str] = []
        for name, sample in present.items():
            table, stmt = self._select(name)
            key = table.c[self._db(name, "account_id")] if "account_id" in sample else None
            if key is not None and account_ids is not None:
                stmt = stmt.where(key.in_(self._ids(name, account_ids)))
            if key is not None and segment is not None:
                stmt = stmt.where(key.in_(self._segment_ids(segment, group_by)))
            when = _TIME_COLUMNS.get(name)
            if until is not None and when in sample and sample[when] is not None:
                bound = first_day_after(sample[when], until)
                stmt = stmt.where(table.c[self._db(name, when)] < bound)
            order = [c for c in CONTRACT[name].key if c in sample]
            stmt = stmt.order_by(*(table.c[self._db(name, c)] for c in order))  # deterministic
            keys, rows = self._execute(stmt)
            frame = pd.DataFrame.from_records(rows, columns=keys)
            raw[name] = Table(name, f"{name} ({self.spec.entry(name).label})",
                               contract_text(name, frame))
            for col in cents_columns(name, raw[name].frame):
                warnings.warn(
                    f"{self.spec.origin}: {name}.{col} ({self.spec.entry(name).label}): every "
                    "amount is a whole number and the median is "
                    f"{pd.to_numeric(raw[name].frame[col]).median():,.0f}; they look like "
                    f"cents. If so, map it with `{col}: {{column: ..., scale: 0.01}}`.",
                    CentsWarning, stacklevel=2)
        missing = [t for t in REQUIRED_TABLES if t not in raw]
        problems += [f"{self.spec.origin}: required table {t!r} is missing." for t in missing]
        filtered = account_ids is not None or segment is not None
        # A part of the table: its dates are checked against the whole table's months.
        whole = self.coverage() if filtered or until is not None else None
        valid = validate(raw, problems, where=self.spec.origin, filtered=filtered,
                          coverage=whole)
        digest = hashlib.sha256()  # the content, not where it was read from
        for name in sorted(valid):
            digest.update(name.encode())
            digest.update(pd.util.hash_pandas_object(valid[name], index=False).to_numpy()
                          .tobytes())
        return Dataset(valid, source=self.name, fingerprint=digest.hexdigest(), coverage=whole)

    def _db(self, table: str, column: str) -> str:
        return self.spec.columns(table).get(column, column)

    def coverage(self) -> tuple[pd.Period, pd.Period]:
        """The first and last month of the whole ``mrr`` table (one aggregate query).

        The months are counted by month at the database, and must form one unbroken
        run (:func:`cslib.data.contract.month_runs`), as a whole read checks them:
        a stray month must not move the as-of date of a filtered read.

        Raises
        ------
        DataError
            If the table has no rows, or a month with no row cuts some rows off
            the rest (naming up to five of them, by account and month).
        """
        import sqlalchemy as sa

        if self._coverage is not None:
            return self._coverage
        col = self._db("mrr", "month")
        table = self._table("mrr", [col, self._db("mrr", "account_id")])
        month = table.c[col]
        _, rows = self._execute(sa.select(month, sa.func.count()).group_by(month))
        # One row per distinct month value; a value that is not a month is left to the
        # read that meets it, which names its row.
        parsed = {raw: month_or_none(raw) for raw, _ in rows}
        counts = pd.Series([n for raw, n in rows if parsed[raw] is not None],
                           index=pd.PeriodIndex([m for m in parsed.values() if m is not None],
                                                freq="M"), dtype="int64")
        label = f"mrr ({self.spec.entry('mrr').label})"
        if counts.empty:
            raise DataError(f"{self.spec.origin}: {label}: the table has no rows; "
                            "at least one is required.")
        runs = month_runs(counts.groupby(level=0).sum())
        if runs.stray:
            values = [raw for raw, m in parsed.items() if m in runs.stray]
            key = table.c[self._db("mrr", "account_id")]
            _, found = self._execute(sa.select(key, month).where(month.in_(values))
                                     .order_by(key, month).limit(MAX_EXAMPLES))
            total = int(counts[counts.index.isin(runs.stray)].sum())
            shown = ", ".join(f"{a} in {month_of(m)}" for a, m in found)
            more = f" and {total - len(found)} more" if total > len(found) else ""
            raise DataError(
                f"{self.spec.origin}: the data does not meet the contract (1 problem):",
                [f"{label}: column 'month' {runs.rule}; {total} row{'s' * (total != 1)}: "
                 f"{shown}{more}"],
            )
        self._coverage = runs.main
        return self._coverage

    def segment_usage(self, segment: str, month: pd.Period) -> pd.DataFrame | None:
        """The usage rows of one segment's accounts for the three months to ``month``.

        What a QBR's peer benchmark needs (:func:`cslib.metrics.benchmarks.peer_benchmarks`),
        read with both filters pushed down; ``None`` when the source has no usage table.
        """
        sample = self._probe().get("usage")
        if sample is None:
            return None
        table, stmt = self._select("usage")
        when = table.c[self._db("usage", "month")]
        stmt = (stmt.where(table.c[self._db("usage", "account_id")].in_(
                    self._segment_ids(segment)))
                .where(when >= first_day_after(sample["month"], month - 4))
                .where(when < first_day_after(sample["month"], month)))
        keys, rows = self._execute(stmt)
        frame = pd.DataFrame.from_records(rows, columns=keys)
        label = f"usage ({self.spec.entry('usage').label})"
        valid, problems = validate_table(Table("usage", label,
                                                 contract_text("usage", frame)))
        if problems or valid is None:
            raise DataError(f"{self.spec.origin}: the data does not meet the contract:", problems)
        valid = valid.copy()
        valid["month"] = pd.PeriodIndex(valid["month"].astype(str), freq="M")
        valid["account_id"] = valid["account_id"].astype(str)
        return valid

    def account_names(self) -> pd.DataFrame:
        """Every account's id and name (what the leak scan looks for), nothing else."""
        import sqlalchemy as sa

        cols = {c: self._db("accounts", c) for c in ("account_id", "name")}
        table = self._table("accounts", cols.values())
        keys, rows = self._execute(sa.select(*(table.c[v].label(k) for k, v in cols.items())))
        return pd.DataFrame.from_records(rows, columns=keys).astype(str)

    def account_columns(self) -> list[str]:
        """The columns of ``accounts``, by their contract names (extra columns as they are)."""
        return list(self._probe()["accounts"])

    def segments(self, column: str = "segment") -> list[str]:
        """The distinct values of ``column`` in ``accounts`` (one aggregate-sized query)."""
        import sqlalchemy as sa

        col = self._db("accounts", column)
        table = self._table("accounts", [col])
        _, rows = self._execute(sa.select(table.c[col]).distinct())
        return sorted(str(r[0]) for r in rows if r[0] is not None)
