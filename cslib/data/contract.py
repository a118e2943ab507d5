"""The data contract: which tables a dataset holds and the rules each column obeys.

The contract is declared once, as plain :class:`ColumnSpec` records, and turned
into pandera schemas (``coerce=True``, unknown columns kept but ignored) that
validate every table at the boundary, when it is loaded. The rules beyond one
cell's type are declared here too, each once: numbers are finite
(``MAX_ABS_NUMBER``), text has no control characters and a length limit
(``CONTROL_ONE_LINE``, ``TEXT_LIMITS``), one currency (``CURRENCY_PATTERN``),
and when the data is (``month_runs``, ``date_bounds``); :mod:`cslib.data.load`
applies them. The README's "The data contract" is the human-readable version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # imported where a schema is made: a build worker never validates
    import pandera.pandas as pa

__all__ = [
    "ACTIVITY_KINDS",
    "ADVOCACY_KINDS",
    "CONTACT_ROLES",
    "CONTRACT",
    "CURRENCY_PATTERN",
    "DATE_HORIZON_YEARS",
    "EVENT_LEAD_MONTHS",
    "FREE_TEXT_LIMIT",
    "GOAL_STATUSES",
    "MAX_ABS_NUMBER",
    "REQUIRED_TABLES",
    "STRENGTHS",
    "TEXT_LIMITS",
    "ColumnSpec",
    "DateBounds",
    "MonthRuns",
    "TableSpec",
    "date_bounds",
    "month_runs",
    "schema_for",
]

CONTACT_ROLES = ("executive", "user")
STRENGTHS = ("none", "weak", "medium", "strong", "very_strong")
ACTIVITY_KINDS = ("email", "call", "meeting", "event")
GOAL_STATUSES = ("not_started", "on_track", "at_risk", "achieved", "missed")
ADVOCACY_KINDS = ("referral", "reference_call", "case_study", "review")
#: What a churn event records: the account left (``churn``) or cut back (``contraction``).
LOSS_KINDS = ("churn", "contraction")

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

#: A currency: an ISO 4217 code. The optional ``currency`` column of ``mrr`` and
#: ``accounts`` must hold one currency for the whole dataset (amounts in two currencies
#: would be summed as one), and once a table names a currency, every row of it must: an
#: amount without its currency cannot be checked. No column at all means one currency.
CURRENCY_PATTERN = r"^[A-Z]{3}$"

#: Kinds of column holding numbers.
NUMERIC_KINDS = ("money", "number", "count", "score")
#: The largest size of any number (money, counts, scores, goal figures). ``inf``,
#: ``Infinity``, values that overflow to it (``1e999``) and ``NaN`` written in a cell are
#: refused; so is anything beyond 1e15 (a thousand trillion), which no revenue or count
#: reaches, and which keeps sums over millions of rows finite and whole numbers exact.
#: A float ``NaN`` in a Parquet file, a frame or a database is a missing value, as an
#: empty CSV cell is: pandas and Arrow store a missing number that way.
MAX_ABS_NUMBER = 1e15

# When the data is: the MRR months decide the data's coverage and its as-of date (the
# end of the last MRR month), which picks the default period ("the latest complete
# quarter"). One stray row must never move them, so:
# 1. the MRR months form one unbroken run: a month between the first and the last in
#    which no account has an MRR row is a stray (mistyped) month or a broken extract,
#    and the rows cut off the main run (the run holding the most rows) are refused
#    (:func:`month_runs`); a single account may still skip months (a missing month
#    means 0), and a slice of one customer or segment keeps its parent's coverage;
# 2. dated rows (usage months, NPS answers, tickets opened and closed, activities,
#    advocacy and churn events) may lie at most EVENT_LEAD_MONTHS past the as-of date: other
#    systems are often extracted a few weeks after the last complete billing month;
# 3. a planned date (``renewal_date``, ``due_on``: ``ColumnSpec.planned``) may lie in the
#    future, but at most DATE_HORIZON_YEARS past the as-of date, and no date lies more
#    than DATE_HORIZON_YEARS before the first MRR month (a CRM's history may start
#    before billing's, but not at a null stand-in such as 1900-01-01 or 1970-01-01).
# Text: ids, names and titles are one line; free text (an NPS comment) may hold tabs and
# line breaks. No text holds other control characters: C0 (NUL, escape, bell...), DEL,
# C1 (U+0080-U+009F, such as NEL) or the bidi overrides and isolates (U+202A-U+202E,
# U+2066-U+2069), which reorder what a document shows. Each column has a length limit
# (ColumnSpec.length_limit): a 2,000-character account name breaks a PDF's layout.
#: Text kinds checked for control characters and length.
TEXT_KINDS = ("id", "text")
#: The longest value, in characters, of an ``id`` and of a ``text`` column (names, titles).
TEXT_LIMITS = {"id": 100, "text": 200}
#: The longest free text (``ColumnSpec.free_text``: an NPS comment).
FREE_TEXT_LIMIT = 4000
#: Characters refused in one-line text (a regular expression), and in free text.
CONTROL_ONE_LINE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
CONTROL_FREE_TEXT = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"

#: How far dated rows may run past the data's as-of date (one quarter).
EVENT_LEAD_MONTHS = 3
#: How far planned dates may lie past the as-of date, and any date before the first month.
DATE_HORIZON_YEARS = 10


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
        ``score`` (integer in ``[low, high]``), ``enum`` (one of ``values``) or
        ``currency`` (an ISO 4217 code, one for the whole dataset).
    required : bool
        A required column must be present and may not have empty cells.
    nullable : bool
        Whether empty cells are allowed (only meaningful for required columns;
        optional columns may always be empty).
    planned : bool
        A date planned ahead (a renewal, a goal's due date), which may lie up to
        ``DATE_HORIZON_YEARS`` past the data's as-of date; other dates and months
        are of things that happened, at most ``EVENT_LEAD_MONTHS`` past it.
    references : str or None
        The table whose key this column names (``account_id`` outside
        ``accounts``, ``contact_id`` outside ``contacts``): every value must be
        a row of that table, of the same account; the text is checked there.
    free_text : bool
        Free text (a comment): tabs and line breaks allowed, ``FREE_TEXT_LIMIT`` long.
    max_length : int or None
        The longest value in characters, when not the kind's (``TEXT_LIMITS``).
    """

    name: str
    kind: str
    required: bool = False
    nullable: bool = False
    low: int | None = None
    high: int | None = None
    values: tuple[str, ...] = ()
    unique: bool = False
    planned: bool = False
    references: str | None = None
    free_text: bool = False
    max_length: int | None = None

    @property
    def length_limit(self) -> int | None:
        """The longest value in characters (text kinds only)."""
        if self.max_length is not None:
            return self.max_length
        if self.free_text:
            return FREE_TEXT_LIMIT
        return TEXT_LIMITS.get(self.kind)


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


_ACCOUNT = _c("account_id", "id", required=True, references="accounts")
_CONTACT = _c("contact_id", "id", references="contacts")

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
                _c("renewal_date", "date", planned=True),
                _c("currency", "currency"),
            ),
            required=True,
            key=("account_id",),
        ),
        TableSpec(
            "mrr",
            (
                _ACCOUNT,
                _c("month", "month", required=True),
                _c("mrr", "money", required=True),
                _c("currency", "currency"),
            ),
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
                _CONTACT,
                _c("comment", "text", free_text=True),
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
                _c("category", "text"),
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
                _CONTACT,
            ),
            key=("activity_id",),
        ),
        TableSpec(
            "goals",
            (
                _c("goal_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("title", "text", required=True),
                _c("due_on", "date", required=True, planned=True),
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
        TableSpec(
            "churn_events",
            (
                _c("event_id", "id", required=True, unique=True),
                _ACCOUNT,
                _c("occurred_on", "date", required=True),
                _c("kind", "enum", values=LOSS_KINDS),
                _c("reason", "text", free_text=True),
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
RULE_FINITE = "must be a finite number between -1e15 and 1e15 (not inf or NaN)"
RULE_ONE_LINE = ("must be one line of text without control characters (no line breaks, "
                 "tabs, escapes, NUL or bidi overrides)")
RULE_FREE_TEXT = ("must be text without control characters (tabs and line breaks are fine; "
                  "no escapes, NUL or bidi overrides)")
RULE_UNICODE = "must be valid Unicode text (a lone surrogate cannot be written to a document)"
RULE_ONE_CURRENCY = "must hold one currency"
RULE_CURRENCY_GIVEN = ("must not be empty once a currency is given (an amount without its "
                       "currency cannot be checked)")


def length_rule(spec: ColumnSpec) -> str:
    """The length rule of a text column in words."""
    return f"must be at most {spec.length_limit:,} characters long"


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
    if spec.kind == "currency":
        return "must be a currency code of three capital letters (ISO 4217, such as USD or EUR)"
    if spec.kind == "month":
        return RULE_MONTH
    if spec.kind == "date":
        return RULE_DATE
    if spec.kind == "number":
        return RULE_NUMBER
    return "must be text"


@dataclass(frozen=True)
class MonthRuns:
    """The months of the MRR table split into unbroken runs (see :func:`month_runs`).

    Attributes
    ----------
    main : (pandas.Period, pandas.Period)
        First and last month of the main run: the run holding the most rows (on a
        tie, the earliest, so that a stray row never moves the as-of date forward).
    gaps : tuple of (pandas.Period, pandas.Period)
        The stretches of months without any row between the first and last month.
    stray : tuple of pandas.Period
        The months outside the main run, whose rows are refused.
    """

    main: tuple[pd.Period, pd.Period]
    gaps: tuple[tuple[pd.Period, pd.Period], ...] = ()
    stray: tuple[pd.Period, ...] = ()

    @property
    def rule(self) -> str:
        """The broken rule in words, naming the gaps and the main run."""
        gaps = [str(a) if a == b else f"{a}..{b}" for a, b in self.gaps]
        listed = ", ".join(gaps[:-1]) + " and " + gaps[-1] if len(gaps) > 1 else "".join(gaps)
        return (
            f"must form one unbroken run of months, but no row falls in {listed}, which cuts "
            f"these rows off the main run {self.main[0]}..{self.main[1]} (a mistyped month "
            "or a broken extract?)"
        )


def month_runs(counts: pd.Series) -> MonthRuns:
    """Split months into unbroken runs and tell the main run from the stray months.

    Parameters
    ----------
    counts : pandas.Series
        Rows per month, indexed by monthly ``pandas.Period`` (in any order, non-empty).

    Returns
    -------
    MonthRuns
        ``stray`` is empty when the months form one run.

    Examples
    --------
    >>> months = pd.PeriodIndex(["2026-01", "2026-02", "2062-09"], freq="M")
    >>> runs = month_runs(pd.Series([40, 41, 1], index=months))
    >>> runs.main, [str(m) for m in runs.stray]
    ((Period('2026-01', 'M'), Period('2026-02', 'M')), ['2062-09'])
    """
    counts = counts.sort_index()
    ordinals = pd.PeriodIndex(counts.index, freq="M").asi8
    run = np.concatenate([[0], np.cumsum(np.diff(ordinals) > 1)])
    rows = np.bincount(run, weights=counts.to_numpy(dtype=float))
    main = int(np.argmax(rows))  # the first of equal maxima: the earliest run
    in_main = run == main
    months = pd.PeriodIndex.from_ordinals(ordinals, freq="M")
    starts = np.flatnonzero(np.diff(run)) + 1  # the first month of each run after the first
    gaps = tuple((months[i - 1] + 1, months[i] - 1) for i in starts)
    return MonthRuns(
        main=(months[in_main][0], months[in_main][-1]),
        gaps=gaps,
        stray=tuple(months[~in_main]),
    )


@dataclass(frozen=True)
class DateBounds:
    """The values a date or month column may hold, given the data's MRR months.

    A value is refused when ``value < start`` or ``value >= end``; ``before`` and
    ``after`` are the two rules in words.
    """

    start: pd.Period | pd.Timestamp
    end: pd.Period | pd.Timestamp
    before: str
    after: str


def date_bounds(spec: ColumnSpec, first: pd.Period, last: pd.Period) -> DateBounds:
    """Where the dates (or months) of column ``spec`` may lie, given MRR months ``first..last``.

    No earlier than ``DATE_HORIZON_YEARS`` before the first month; no later than
    ``EVENT_LEAD_MONTHS`` past the as-of date (the end of ``last``), or
    ``DATE_HORIZON_YEARS`` past it for a planned date (``spec.planned``).

    Examples
    --------
    >>> m = pd.Period("2026-09", "M")
    >>> date_bounds(CONTRACT["nps"].column("responded_on"), m - 8, m).after
    "must not be after 2026-12-31 (3 months past the data's as-of date 2026-09-30, the end \
of the last MRR month)"
    """
    years = DATE_HORIZON_YEARS
    ahead = 12 * years if spec.planned else EVENT_LEAD_MONTHS
    lo, hi = first - 12 * years, last + ahead
    span = f"{years} years" if spec.planned else f"{EVENT_LEAD_MONTHS} months"
    if spec.kind == "month":
        return DateBounds(
            lo, hi + 1,
            f"must not be before {lo} ({years} years before the first MRR month {first})",
            f"must not be after {hi} ({span} past the last MRR month {last})",
        )
    as_of = f"{last.end_time:%Y-%m-%d}"
    why = f"{span} past the data's as-of date {as_of}" + (
        "" if spec.planned else ", the end of the last MRR month")
    return DateBounds(
        lo.start_time, (hi + 1).start_time,
        f"must not be before {lo.start_time:%Y-%m-%d} ({years} years before the first MRR "
        f"month {first})",
        f"must not be after {hi.end_time:%Y-%m-%d} ({why})",
    )


def _column_schema(spec: ColumnSpec) -> pa.Column:
    import pandera.pandas as pa

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
    elif spec.kind == "currency":
        checks.append(pa.Check.str_matches(CURRENCY_PATTERN, error=rule))
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
    import pandera.pandas as pa

    spec = CONTRACT[table]
    return pa.DataFrameSchema(
        {c.name: _column_schema(c) for c in spec.columns},
        name=table,
        strict=False,
        coerce=True,
    )
