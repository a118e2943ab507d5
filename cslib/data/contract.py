"""The data contract: which tables a dataset holds and the rules each column obeys.

The contract is declared once, as plain :class:`ColumnSpec` records, and turned
into pandera schemas (``coerce=True``, unknown columns kept but ignored) that
validate every table at the boundary, when it is loaded. DESIGN.md ("The data
contract") is the human-readable version of the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

__all__ = [
    "ACTIVITY_KINDS",
    "ADVOCACY_KINDS",
    "CONTACT_ROLES",
    "CONTRACT",
    "GOAL_STATUSES",
    "REQUIRED_TABLES",
    "STRENGTHS",
    "ColumnSpec",
    "TableSpec",
    "schema_for",
]

CONTACT_ROLES = ("executive", "user")
STRENGTHS = ("none", "weak", "medium", "strong", "very_strong")
ACTIVITY_KINDS = ("email", "call", "meeting", "event")
GOAL_STATUSES = ("not_started", "on_track", "at_risk", "achieved", "missed")
ADVOCACY_KINDS = ("referral", "reference_call", "case_study", "review")

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

#: Kinds of column holding numbers.
NUMERIC_KINDS = ("money", "number", "count", "score")
#: The largest size of any number (money, counts, scores, goal figures). ``inf``,
#: ``Infinity``, values that overflow to it (``1e999``) and ``NaN`` written in a cell are
#: refused; so is anything beyond 1e15 (a thousand trillion), which no revenue or count
#: reaches, and which keeps sums over millions of rows finite and whole numbers exact.
#: A float ``NaN`` in a Parquet file, a frame or a database is a missing value, as an
#: empty CSV cell is: pandas and Arrow store a missing number that way.
MAX_ABS_NUMBER = 1e15


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract table.

    Attributes
    ----------
    name : str
        Column name, as in the file header.
    kind : str
        ``id``, ``text``, ``month`` (``YYYY-MM``), ``date`` (``YYYY-MM-DD``),
        ``money`` (number >= 0), ``number``, ``count`` (integer >= 0),
        ``score`` (integer in ``[low, high]``) or ``enum`` (one of ``values``).
    required : bool
        A required column must be present and may not have empty cells.
    nullable : bool
        Whether empty cells are allowed (only meaningful for required columns;
        optional columns may always be empty).
    """

    name: str
    kind: str
    required: bool = False
    nullable: bool = False
    low: int | None = None
    high: int | None = None
    values: tuple[str, ...] = ()
    unique: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract: its columns and the key that identifies a row."""

    name: str
    columns: tuple[ColumnSpec, ...]
    required: bool = False
    key: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns that must be present."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec:
        """The spec of column ``name``."""
        return next(c for c in self.columns if c.name == name)


def _c(name: str, kind: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(name, kind, **kw)  # type: ignore[arg-type]


_ACCOUNT = _c("account_id", "id", required=True)

CONTRACT: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "accounts",
            (
                _c("account_id", "id", required=True, unique=True),
                _c("name", "text", required=True),
                _c("segment", "text", required=True),
                _c("region", "text"),
                _c("industry", "text"),
                _c("csm", "text"),
                _c("plan", "text"),
                _c("renewal_date", "date"),
            ),
            required=True,
            key=("account_id",),
        ),
        TableSpec(
            "mrr",
            (_ACCOUNT, _c("month", "month", required=True), _c("mrr", "money", required=True)),
            required=True,
            key=("account_id", "month"),
        ),
        TableSpec(
            "usage",
            (
                _ACCOUNT,
                _c("month", "month", required=True),
                _c("active_users", "count", required=True),
                _c("licensed_seats", "count", required=True),
            ),
            key=("account_id", "month"),
        ),
        TableSpec(
            "nps",
            (
                _c("response_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("responded_on", "date", required=True),
                _c("score", "score", required=True, low=0, high=10),
                _c("contact_id", "id"),
                _c("comment", "text"),
            ),
            key=("response_id",),
        ),
        TableSpec(
            "tickets",
            (
                _c("ticket_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("opened_on", "date", required=True),
                _c("closed_on", "date"),
                _c("priority", "text"),
                _c("csat", "score", low=1, high=5),
                _c("ces", "score", low=1, high=7),
            ),
            key=("ticket_id",),
        ),
        TableSpec(
            "contacts",
            (
                _c("contact_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("name", "text", required=True),
                _c("role", "enum", required=True, values=CONTACT_ROLES),
                _c("title", "text"),
                _c("strength", "enum", values=STRENGTHS),
            ),
            key=("contact_id",),
        ),
        TableSpec(
            "activities",
            (
                _c("activity_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("occurred_on", "date", required=True),
                _c("kind", "enum", required=True, values=ACTIVITY_KINDS),
                _c("contact_id", "id"),
            ),
            key=("activity_id",),
        ),
        TableSpec(
            "goals",
            (
                _c("goal_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("title", "text", required=True),
                _c("due_on", "date", required=True),
                _c("status", "enum", required=True, values=GOAL_STATUSES),
                _c("metric", "text"),
                _c("baseline", "number"),
                _c("target", "number"),
                _c("current", "number"),
            ),
            key=("goal_id",),
        ),
        TableSpec(
            "advocacy",
            (
                _c("event_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("occurred_on", "date", required=True),
                _c("kind", "enum", required=True, values=ADVOCACY_KINDS),
            ),
            key=("event_id",),
        ),
    )
}

REQUIRED_TABLES = tuple(name for name, t in CONTRACT.items() if t.required)

# Human wording of each rule; pandera reports it back as the failed check's name.
RULE_DATE = "must be a date written YYYY-MM-DD"
RULE_MONTH = "must be a month written YYYY-MM"
RULE_NUMBER = "must be a number"
RULE_INTEGER = "must be a whole number"
RULE_FINITE = "must be a finite number between -1e15 and 1e15 (not inf or NaN)"


def rule_text(spec: ColumnSpec) -> str:
    """The rule of one column in words, as error messages quote it."""
    if spec.kind == "money":
        return "must be a number >= 0"
    if spec.kind == "count":
        return "must be a whole number >= 0"
    if spec.kind == "score":
        return f"must be a whole number from {spec.low} to {spec.high}"
    if spec.kind == "enum":
        return "must be one of " + ", ".join(spec.values)
    if spec.kind == "month":
        return RULE_MONTH
    if spec.kind == "date":
        return RULE_DATE
    if spec.kind == "number":
        return RULE_NUMBER
    return "must be text"


def _column_schema(spec: ColumnSpec) -> pa.Column:
    rule = rule_text(spec)
    checks: list[pa.Check] = []
    dtype: object = str
    if spec.kind == "money":
        dtype = "float64"
        checks.append(pa.Check.ge(0, error=rule))
    elif spec.kind == "number":
        dtype = "float64"
    elif spec.kind == "count":
        dtype = "Int64"
        checks.append(pa.Check.ge(0, error=rule))
    elif spec.kind == "score":
        dtype = "Int64"
        checks.append(pa.Check.in_range(spec.low, spec.high, error=rule))
    elif spec.kind == "enum":
        checks.append(pa.Check.isin(list(spec.values), error=rule))
    elif spec.kind == "month":
        checks.append(pa.Check.str_matches(MONTH_PATTERN, error=rule))
    elif spec.kind == "date":
        dtype = "datetime64[ns]"
    return pa.Column(
        dtype,
        checks=checks,
        nullable=spec.nullable or not spec.required,
        unique=spec.unique,
        required=spec.required,
        coerce=True,
        name=spec.name,
    )


def schema_for(table: str) -> pa.DataFrameSchema:
    """The pandera schema of one contract table (``coerce=True``, extra columns kept).

    Raises
    ------
    KeyError
        If ``table`` is not a contract table.
    """
    spec = CONTRACT[table]
    return pa.DataFrameSchema(
        {c.name: _column_schema(c) for c in spec.columns},
        name=table,
        strict=False,
        coerce=True,
    )
