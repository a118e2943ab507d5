"""What a failed read of a warehouse table means, said in the source file's terms.

A database answers a mistake in a source file with its own words (``Binder
Error: Referenced column "ticket_status" not found in FROM clause!``, ``column
"isdeleted" does not exist``, ``relation "salesforce.account" does not
exist``). This module reads those answers (DuckDB's, PostgreSQL's and
SQLite's) and says which key of the source file is wrong, with a did-you-mean
from what the database does have:

- a table or schema that is not there: the schema's tables (or the
  database's schemas) for a did-you-mean;
- a column a ``where``, ``expr`` or ``query`` names that is not there: the
  key that names it and the table's columns for a did-you-mean (an unquoted
  mixed-case name, which PostgreSQL folds to lower case, gets its quoted form);
- anything else: the driver's first line and its hints (DuckDB's
  ``Candidate bindings``, PostgreSQL's ``HINT``).

Only tables of the contract that are *not* in the source file may be absent
(the optional ones): a table the file maps must be there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cslib.data.warehouse import SourceTable
from cslib.secrets import mask_text
from cslib.settings import did_you_mean

__all__ = ["driver_text", "is_missing_table", "mapped_failure", "missing_name",
           "missing_table_message"]

_MISSING_TABLE = re.compile(
    r"no such table|relation \S+ does not exist|table with name \S+ does not exist"
    r"|schema with name \S+ does not exist|schema \S+ does not exist", re.IGNORECASE)
_UNKNOWN_COLUMN = re.compile(
    r'column "?(?:[\w]+\.)?"?(?P<name>[^"\s]+)"? does not exist'  # PostgreSQL
    r'|referenced column "(?P<duck>[^"]+)" not found'  # DuckDB
    r"|no such column: (?:\w+\.)?(?P<lite>\S+)", re.IGNORECASE)  # SQLite
_TABLE_NAME = re.compile(r'relation "(?P<pg>[^"]+)" does not exist'
                         r"|table with name (?P<duck>\S+?) does not exist"
                         r"|no such table: (?:\w+\.)?(?P<lite>\S+)", re.IGNORECASE)
_HINT_LINE = re.compile(r"^\s*(HINT:|Candidate bindings|Did you mean)", re.IGNORECASE)


def driver_text(exc: BaseException, url: str = "") -> str:
    r"""The driver's first line and its hint lines, password masked.

    Examples
    --------
    >>> driver_text(ValueError('Binder Error: Referenced column "x" not found!\n'
    ...                        'Candidate bindings: "status"\n\nLINE 1: SELECT'))
    'Binder Error: Referenced column "x" not found! Candidate bindings: "status"'
    """
    text = str(getattr(exc, "orig", None) or exc).strip()
    lines = text.splitlines() or [type(exc).__name__]
    kept = [lines[0].strip()] + [line.strip() for line in lines[1:] if _HINT_LINE.match(line)]
    return mask_text(" ".join(kept), [url])


def is_missing_table(exc: BaseException) -> bool:
    """Whether a read failed because the table (or its schema) is not there."""
    return _MISSING_TABLE.search(str(getattr(exc, "orig", None) or exc)) is not None


def missing_name(exc: BaseException) -> tuple[str | None, str]:
    """The schema (if it says) and table a "does not exist" answer names, or ``(None, "")``.

    Examples
    --------
    >>> missing_name(ValueError('relation "salesforce.acount" does not exist'))
    ('salesforce', 'acount')
    >>> missing_name(ValueError("Catalog Error: Table with name Acount does not exist!"))
    (None, 'Acount')
    """
    found = _TABLE_NAME.search(str(getattr(exc, "orig", None) or exc))
    if found is None:
        return None, ""
    if found["pg"]:
        schema, _, table = found["pg"].rpartition(".")
        return schema or None, table
    return None, found["duck"] or found["lite"] or ""


def _names(inspector: Any, schema: str | None) -> list[str]:
    try:
        return sorted({*inspector.get_table_names(schema=schema),
                       *inspector.get_view_names(schema=schema)})
    except Exception:
        return []


def missing_table_message(engine: Any, table: str, schema: str | None) -> str:
    """Why ``table`` cannot be found: no such schema, or no such table, with a did-you-mean.

    Empty when the catalog cannot be read or holds the table after all (then
    the driver's own words are all there is to say).
    """
    import sqlalchemy as sa

    try:
        inspector = sa.inspect(engine)
    except Exception:
        return ""
    if schema:
        try:
            # DuckDB names them with their catalog (wh.salesforce)
            schemas = sorted({n.rsplit(".", 1)[-1] for n in inspector.get_schema_names()})
        except Exception:
            schemas = []
        if schemas and schema not in schemas:
            return (f"the database has no schema `{schema}` (the file's `schema:`)."
                    f"{did_you_mean(schema, schemas, code=True)}")
    names = _names(inspector, schema)
    if not names or table in names:
        return ""
    where = f"schema `{schema}`" if schema else "the database"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return (f"{where} has no table `{table}`.{did_you_mean(table, names, code=True)} "
            f"Its tables: {shown}.")


def mapped_failure(name: str, entry: SourceTable, exc: BaseException, url: str,
                   keys: Sequence[str] = ()) -> str:
    """Which key of ``tables.<name>`` a failed derived read points at, and the fix.

    ``keys``: the columns the table (or query) has, when its plain read worked.
    """
    text = driver_text(exc, url)
    found = _UNKNOWN_COLUMN.search(str(getattr(exc, "orig", None) or exc))
    at = f"tables.{name}"
    if found is not None:
        column = found["name"] or found["duck"] or found["lite"]
        at = _key_naming(name, entry, column)
        hint = did_you_mean(column, list(keys), code=True) if keys else ""
        folded = [k for k in keys if k.lower() == column.lower() and k != column]
        if folded:  # PostgreSQL folds an unquoted name to lower case
            hint = (f" Did you mean `{folded[0]}`? Quote a mixed-case name: "
                    f"\"{folded[0]}\".")
        return f"`{at}` names a column `{column}` that is not there ({text}).{hint}"
    scaled = [c for c, m in entry.columns.items() if m.scale is not None]
    if scaled and re.search(r"\*|operator|multiply", text, re.IGNORECASE):
        return (f"`{at}.columns.{scaled[0]}.scale` cannot be applied ({text}): is "
                f"`{entry.columns[scaled[0]].column}` a number?")
    what = "`query`" if entry.query is not None else "`where`, `expr` or `scale`"
    return f"`{at}` ({what}) cannot be read: {text}"


def _key_naming(name: str, entry: SourceTable, column: str) -> str:
    """The key of ``tables.<name>`` whose SQL names ``column`` (the table's, if none does)."""
    word = re.compile(rf"(?<![\w\"]){re.escape(column)}(?![\w\"])|\"{re.escape(column)}\"",
                      re.IGNORECASE)
    if entry.where is not None and word.search(entry.where):
        return f"tables.{name}.where"
    for col, m in entry.columns.items():
        if m.expr is not None and word.search(m.expr):
            return f"tables.{name}.columns.{col}.expr"
    if entry.query is not None and word.search(entry.query):
        return f"tables.{name}.query"
    return f"tables.{name}"
