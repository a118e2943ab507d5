"""RavenStack (a public synthetic SaaS dataset) turned into the data contract.

RavenStack is a fully synthetic B2B SaaS company published by River @
Rivalytics (Kaggle ``rivalytics/saas-subscription-and-churn-analytics-dataset``,
MIT-like licence, credit to the author required): 500 accounts, 5,000
subscriptions, 25,000 feature-usage rows, 2,000 support tickets and 600 churn
events, dated 2023-01 to 2024-12, as five CSV files ``ravenstack_*.csv``.
:func:`import_ravenstack` reads three of them and writes ``accounts.csv``,
``mrr.csv`` and ``tickets.csv`` (plus a ``SOURCE.md`` saying where they came
from), validated by :func:`cslib.load` before they are published.

The mapping
-----------

========================  ==================================  ==============================
contract column           RavenStack source                   rule
========================  ==================================  ==============================
accounts.account_id       accounts.account_id                 as is
accounts.name             accounts.account_name               as is (``Company_0`` ...)
accounts.segment          accounts.plan_tier                  as is: Basic, Pro, Enterprise
accounts.region           accounts.country                    US, CA -> NA; UK, DE, FR ->
                                                              EMEA; IN, AU -> APAC; any
                                                              other code kept as written
accounts.industry         accounts.industry                   as is
accounts.plan             accounts.plan_tier                  as is
accounts.renewal_date     subscriptions (annual, no end)      earliest next anniversary of
                                                              start_date after the as-of
                                                              date; empty if none
accounts.csm              (none)                              left out: not in the source
mrr.account_id, .month,   subscriptions.account_id,           sum of mrr_amount over the
.mrr                      start_date, end_date, mrr_amount    subscriptions active in the
                                                              month (below)
tickets.ticket_id         support_tickets.ticket_id           as is
tickets.account_id        support_tickets.account_id          as is
tickets.opened_on         support_tickets.submitted_at        the date
tickets.closed_on         support_tickets.closed_at           the date (time dropped)
tickets.priority          support_tickets.priority            as is (low ... urgent)
tickets.csat              support_tickets.satisfaction_score  as is (1-5; empty stays empty)
tickets.ces               (none)                              left out: not in the source
churn_events.event_id     churn_events.churn_event_id         as is
churn_events.account_id   churn_events.account_id             as is
churn_events.occurred_on  churn_events.churn_date             as is
churn_events.kind         (none)                              ``churn``
churn_events.reason       churn_events.reason_code,           ``pricing; feedback: too
                          feedback_text                       expensive`` (code alone
                                                              without feedback)
========================  ==================================  ==============================

**Monthly MRR from overlapping subscriptions.** An account holds several
subscriptions at once (2 to 19 over its life, overlapping). Subscription
``s`` is *active* in month ``m`` when::

    start_date(s) <= last day of m  and  (end_date(s) empty or end_date(s) >= first day of m)

that is, when ``month(start_date) <= m <= month(end_date)``, an empty
``end_date`` meaning active through the as-of month. Then::

    MRR(a, m) = sum of mrr_amount(s) over the subscriptions s of account a active in m

the full ``mrr_amount`` in every month the subscription touches (no proration:
a subscription ending on 2024-04-12 counts all of April). ``mrr_amount`` is
already monthly for annual billing too (``arr_amount = 12 x mrr_amount`` on
every row). Trials (``is_trial``, ``mrr_amount`` 0) are active but add 0. One
row per account and month with at least one active subscription, from the
first subscription's month to the as-of month. This is the rule behind the
figure published with the dataset (MRR of $10.7M in December 2024; the sum is
10,734,251) and ChartMogul's MRR: the sum of the normalized monthly amounts of
the subscriptions active at the time.

**As-of date.** The latest ``start_date`` or ``end_date`` in the
subscriptions (2024-12-31): the day the billing snapshot was taken.

**Renewal date.** Monthly subscriptions renew every month, so only annual
terms have a renewal worth reporting. For each account, over its
subscriptions with ``billing_frequency`` = ``annual`` and no ``end_date``, the
earliest anniversary of ``start_date`` after the as-of date (a 29 February
start renews on 28 February in other years); empty when the account has none.

**Segment.** ``accounts.plan_tier`` is the account's own tier, one value per
account, the size-like grouping CS teams segment by (the sample company's
Enterprise / Mid-Market / SMB). Subscriptions carry a tier each as well, but an
account holds subscriptions of several tiers at once, so they cannot name one
segment. In this synthetic data the account's tier and its subscriptions'
tiers are independent (they agree on a third of subscriptions, chance level).

**Left out, and why.** ``usage`` needs ``active_users`` (people), which
RavenStack does not have: ``feature_usage.usage_count`` counts uses of a
feature per subscription and day, not users, and turning it into people would
invent numbers; ``licensed_seats`` alone (the sum of the active
subscriptions' ``seats``) cannot make the table, whose two columns are both
required. ``feature_usage`` has no contract table and is not read.

``churn_events`` are read as the contract's ``churn_events`` (``event_id`` =
``churn_event_id``, ``occurred_on`` = ``churn_date``, ``kind`` = ``churn``,
``reason`` = ``reason_code``, then ``; feedback: `` and ``feedback_text`` when
given): the loss review shows them as each loss's reason. Most of RavenStack's
churn events are recorded for accounts whose subscriptions continue; the
revenue figures follow the subscriptions (an account is lost when its MRR
falls), and the loss review lists the churn events of accounts still paying
separately, as a data-quality note, instead of counting them as losses.

NPS, contacts, activities, goals and advocacy are not in the source: the
reports say those sections have no data.

Why this module is long: the mapping is documented here, rule by rule (the
README points to this docstring), beside the code that applies it and the
checks that name each bad source value by file, column and line.

References
----------
RavenStack, ``rivalytics/saas-subscription-and-churn-analytics-dataset`` on
Kaggle (copy used: GitHub ``Afeezpm/SaaS-Subscription-and-Churn-Analysis``,
folder ``Raw/``). ChartMogul, "Monthly Recurring Revenue (MRR)",
https://help.chartmogul.com/hc/en-us/articles/203669891.

Examples
--------
>>> summary = import_ravenstack(Path("../shared/datasets/ravenstack"),
...                             Path("data/ravenstack"))          # doctest: +SKIP
>>> summary.line()                                                 # doctest: +SKIP
'Imported RavenStack into data/ravenstack: 500 accounts, ...'
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cslib.data.load import load, read_table
from cslib.data.validate import Table, examples, parse_column
from cslib.errors import DataError, ParameterError

__all__ = ["OUTPUT_FILES", "SOURCE_FILES", "ImportSummary", "import_ravenstack"]

#: The source files read and, for each, the columns the mapping uses.
SOURCE_FILES: dict[str, tuple[str, ...]] = {
    "ravenstack_accounts.csv": ("account_id", "account_name", "industry", "country",
                                "plan_tier"),
    "ravenstack_subscriptions.csv": ("subscription_id", "account_id", "start_date",
                                     "end_date", "mrr_amount", "billing_frequency"),
    "ravenstack_support_tickets.csv": ("ticket_id", "account_id", "submitted_at",
                                       "closed_at", "priority", "satisfaction_score"),
    "ravenstack_churn_events.csv": ("churn_event_id", "account_id", "churn_date", "reason_code",
                                    "feedback_text"),
}  # fmt: skip

#: The files an import writes (and the only ones it replaces in DEST).
OUTPUT_FILES: tuple[str, ...] = ("accounts.csv", "mrr.csv", "tickets.csv", "churn_events.csv",
                                  "SOURCE.md")

#: Country code -> region, in the sample company's region names.
REGIONS: dict[str, str] = {
    "US": "NA", "CA": "NA", "UK": "EMEA", "DE": "EMEA", "FR": "EMEA", "IN": "APAC", "AU": "APAC",
}  # fmt: skip

#: Contract tables and columns the source cannot fill, with the reason.
LEFT_OUT: tuple[str, ...] = (
    "usage (no user counts: usage_count counts feature uses, not people)",
    "accounts.csm, tickets.ces (not in the source)",
    "nps, contacts, activities, goals, advocacy (not in the source)",
)

_ACCOUNTS, _SUBSCRIPTIONS, _TICKETS, _CHURN = SOURCE_FILES


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote.

    Attributes
    ----------
    dest : pathlib.Path
        The published folder.
    accounts, mrr_rows, tickets : int
        Rows written to ``accounts.csv``, ``mrr.csv`` and ``tickets.csv``.
    first_month, last_month : str
        The months ``mrr.csv`` covers (``YYYY-MM``).
    as_of : str
        The source's as-of date (``YYYY-MM-DD``).
    csat_answers : int
        Tickets with a satisfaction score.
    left_out : tuple of str
        Contract tables and columns the source cannot fill, with the reason.
    """

    dest: Path
    accounts: int
    mrr_rows: int
    first_month: str
    last_month: str
    as_of: str
    tickets: int
    csat_answers: int
    left_out: tuple[str, ...] = LEFT_OUT

    def line(self) -> str:
        """One line for people: what was written where."""
        return (
            f"Imported RavenStack into {self.dest}: {self.accounts} accounts, "
            f"{self.mrr_rows} MRR rows ({self.first_month}..{self.last_month}, as of "
            f"{self.as_of}), {self.tickets} tickets ({self.csat_answers} with CSAT); "
            f"no data for {', '.join(s.split(' (')[0] for s in self.left_out)}."
        )


def import_ravenstack(src: Path, dest: Path) -> ImportSummary:
    """Turn the RavenStack CSV files in ``src`` into a contract dataset in ``dest``.

    The mapping is the module's (see :mod:`cslib.data.importers.ravenstack`);
    monthly MRR per account is::

        MRR(a, m) = sum of mrr_amount(s) over the subscriptions s of account a with
                    start_date(s) <= last day of m and
                    (end_date(s) empty or end_date(s) >= first day of m)

    The tables are written into a temporary folder beside ``dest``, validated with
    :func:`cslib.load`, and only then renamed into place, so a failed import
    leaves ``dest`` as it was.

    Parameters
    ----------
    src : pathlib.Path
        Folder holding ``ravenstack_accounts.csv``,
        ``ravenstack_subscriptions.csv`` and ``ravenstack_support_tickets.csv``.
    dest : pathlib.Path
        Folder to publish; created (with its parents) if missing. An existing
        folder is replaced only if it holds nothing but files an import
        writes (:data:`OUTPUT_FILES`).

    Returns
    -------
    ImportSummary
        Rows written per table, months covered, what was left out.

    Raises
    ------
    DataError
        If a source file or a column the mapping uses is missing, a value
        cannot be read (a date, an amount, a score outside 1-5), an id is
        repeated or names no account. Every problem names the file and the
        column. Nothing is written.
    ParameterError
        If ``dest`` is a file, or a folder holding files an import does not write.

    References
    ----------
    ChartMogul, "Monthly Recurring Revenue (MRR)": the sum of the monthly
    amounts of the subscriptions active at the time.

    Examples
    --------
    >>> import_ravenstack(Path("../shared/datasets/ravenstack"),
    ...                   Path("data/ravenstack")).mrr_rows         # doctest: +SKIP
    5257
    """
    src, dest = Path(src), Path(dest)
    _check_dest(dest)
    raw = _read_sources(src)
    tables, as_of = _map(raw, src)
    text = _source_note(src, as_of)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        for name, frame in tables.items():
            frame.to_csv(tmp / f"{name}.csv", index=False, float_format="%.2f",
                         lineterminator="\n", encoding="utf-8")
        (tmp / "SOURCE.md").write_text(text, encoding="utf-8")
        try:
            load(tmp)
        except DataError as exc:  # a mapping bug or a source value no check above caught
            raise DataError(
                f"{src}: the imported tables do not meet the data contract; nothing was "
                f"written to {dest}:", exc.problems or [str(exc)]
            ) from None
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700; a dataset is for sharing
        _publish(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    mrr = tables["mrr"]
    return ImportSummary(
        dest=dest,
        accounts=len(tables["accounts"]),
        mrr_rows=len(mrr),
        first_month=str(mrr["month"].min()),
        last_month=str(mrr["month"].max()),
        as_of=as_of.strftime("%Y-%m-%d"),
        tickets=len(tables["tickets"]),
        csat_answers=int(tables["tickets"]["csat"].notna().sum()),
    )


# Reading -------------------------------------------------------------------


def _read_sources(src: Path) -> dict[str, Table]:
    """Read the source files, checking the files and columns the mapping uses."""
    if not src.is_dir():
        raise DataError(
            f"{src}: no such folder; expected the RavenStack CSV files "
            f"({', '.join(SOURCE_FILES)})."
        )
    missing = [name for name in SOURCE_FILES if not (src / name).is_file()]
    if missing:
        raise DataError(
            f"{src}: {', '.join(missing)} missing; a RavenStack folder holds "
            f"{', '.join(SOURCE_FILES)} (the dataset's Raw/ folder, unchanged)."
        )
    problems: list[str] = []
    raw: dict[str, Table] = {}
    for name, columns in SOURCE_FILES.items():
        table = Table(name, name, read_table(src / name), path=src / name)
        absent = [c for c in columns if c not in table.frame.columns]
        for col in absent:
            problems.append(
                f"{name}: column {col!r} is required but missing; the file has: "
                f"{', '.join(table.frame.columns) or 'no columns'}."
            )
        raw[name] = table
    _raise(src, problems)
    return raw


def _raise(src: Path, problems: list[str]) -> None:
    if len(problems) == 1:
        raise DataError(f"{src}/{problems[0]}")
    if problems:
        raise DataError(
            f"{src}: the RavenStack files cannot be imported ({len(problems)} problems):",
            problems,
        )


def _parsed(table: Table, column: str, kind: str, problems: list[str], *,
            required: bool = True, rule: str) -> pd.Series:
    """One source column parsed as ``kind``; unreadable or empty cells become problems."""
    raw = table.frame[column]
    values, bad = parse_column(raw, kind)
    if required:
        empty = raw.isna() | (raw.astype("string").str.strip() == "").fillna(True)
        _problem(table, column, "must not be empty", empty, problems, values=False)
    _problem(table, column, rule, bad, problems)
    return values


def _problem(table: Table, column: str, rule: str, bad: pd.Series, problems: list[str], *,
             values: bool = True) -> None:
    if not bad.any():
        return
    index = np.flatnonzero(bad.to_numpy()).tolist()
    shown = [table.frame[column].iloc[i] for i in index[:5]] if values else None
    problems.append(f"{table.label}: column {column!r} {rule}; " + examples(table, index, shown))


def _unique(table: Table, column: str, problems: list[str]) -> None:
    ids = table.frame[column]
    _problem(table, column, "must not be empty", ids.isna(), problems, values=False)
    _problem(table, column, "must be unique",
             ids.notna() & ids.duplicated(keep=False), problems)


def _known(table: Table, ids: pd.Series, accounts: pd.Index, problems: list[str]) -> None:
    _problem(table, "account_id", f"must name an account in {_ACCOUNTS}",
             ~ids.isin(accounts), problems)


# Mapping -------------------------------------------------------------------


def _map(raw: dict[str, Table], src: Path) -> tuple[dict[str, pd.DataFrame], pd.Timestamp]:
    """The contract tables (accounts, mrr, tickets) and the as-of date."""
    problems: list[str] = []
    acc, sub, tic = raw[_ACCOUNTS], raw[_SUBSCRIPTIONS], raw[_TICKETS]
    problems += [f"{t.label}: the file has no rows; at least one is needed."
                 for t in (acc, sub) if t.frame.empty]
    _raise(src, problems)

    _unique(acc, "account_id", problems)
    for col in ("account_name", "plan_tier"):  # name and segment are required by the contract
        _problem(acc, col, "must not be empty", acc.frame[col].isna(), problems, values=False)
    ids = pd.Index(acc.frame["account_id"].dropna())

    _unique(sub, "subscription_id", problems)
    _known(sub, sub.frame["account_id"], ids, problems)
    start = _parsed(sub, "start_date", "date", problems, rule="must be a date written YYYY-MM-DD")
    end = _parsed(sub, "end_date", "date", problems, required=False,
                  rule="must be a date written YYYY-MM-DD or empty (active)")
    amount = _parsed(sub, "mrr_amount", "money", problems, rule="must be a number >= 0")
    _problem(sub, "mrr_amount", "must be a number >= 0", amount < 0, problems)
    _problem(sub, "end_date", "must not be before start_date", end < start, problems)

    _unique(tic, "ticket_id", problems)
    _known(tic, tic.frame["account_id"], ids, problems)
    opened = _parsed(tic, "submitted_at", "date", problems, rule="must be a date (YYYY-MM-DD)")
    closed = _parsed(tic, "closed_at", "date", problems, required=False,
                     rule="must be a date (YYYY-MM-DD) or empty (open)")
    score = _parsed(tic, "satisfaction_score", "score", problems, required=False,
                    rule="must be a whole number from 1 to 5 or empty")
    _problem(tic, "satisfaction_score", "must be a whole number from 1 to 5 or empty",
             score.notna() & ((score < 1) | (score > 5)).fillna(False), problems)
    _problem(tic, "closed_at", "must not be before submitted_at", closed < opened, problems)

    churn = raw[_CHURN]
    _unique(churn, "churn_event_id", problems)
    _known(churn, churn.frame["account_id"], ids, problems)
    churned_on = _parsed(churn, "churn_date", "date", problems,
                         rule="must be a date written YYYY-MM-DD")
    _raise(src, problems)

    as_of = max(start.max(), end.max()) if end.notna().any() else start.max()
    subs = pd.DataFrame({
        "account_id": sub.frame["account_id"], "start": start, "end": end, "mrr": amount,
        "annual": sub.frame["billing_frequency"].astype("string").str.strip().str.lower()
        == "annual",
    })  # fmt: skip
    accounts = pd.DataFrame({
        "account_id": acc.frame["account_id"],
        "name": acc.frame["account_name"],
        "segment": acc.frame["plan_tier"],
        "region": acc.frame["country"].map(REGIONS).fillna(acc.frame["country"]),
        "industry": acc.frame["industry"],
        "plan": acc.frame["plan_tier"],
    })  # fmt: skip
    renewal = next_renewal(subs, as_of=as_of)
    accounts["renewal_date"] = accounts["account_id"].map(renewal).dt.strftime("%Y-%m-%d")
    tickets = pd.DataFrame({
        "ticket_id": tic.frame["ticket_id"],
        "account_id": tic.frame["account_id"],
        "opened_on": opened.dt.strftime("%Y-%m-%d"),
        "closed_on": closed.dt.strftime("%Y-%m-%d"),
        "priority": tic.frame["priority"],
        "csat": score,
    })  # fmt: skip
    code = churn.frame["reason_code"].astype("string").str.strip()
    feedback = churn.frame["feedback_text"].astype("string").str.strip()
    reason = code.where(feedback.isna() | (feedback == ""), code + "; feedback: " + feedback)
    churn_events = pd.DataFrame({
        "event_id": churn.frame["churn_event_id"],
        "account_id": churn.frame["account_id"],
        "occurred_on": churned_on.dt.strftime("%Y-%m-%d"),
        "kind": "churn",
        "reason": reason,
    })  # fmt: skip
    tables = {
        "accounts": accounts.sort_values("account_id", kind="stable"),
        "mrr": monthly_mrr(subs, as_of=as_of),
        "tickets": tickets.sort_values("ticket_id", kind="stable"),
        "churn_events": churn_events.sort_values(["occurred_on", "event_id"], kind="stable"),
    }
    return tables, as_of


def monthly_mrr(subscriptions: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """Monthly MRR per account from overlapping subscriptions.

    ::

        MRR(a, m) = sum of mrr(s) over the subscriptions s of account a with
                    month(start(s)) <= m <= month(end(s))

    with an empty end meaning the month of ``as_of``; equivalently, ``start <=
    last day of m`` and (``end`` empty or ``end >= first day of m``). Each
    subscription counts in full in every month it touches (no proration).

    Parameters
    ----------
    subscriptions : pandas.DataFrame
        ``account_id``, ``start`` and ``end`` (datetime64; ``end`` may be NaT),
        ``mrr`` (money per month, >= 0).
    as_of : pandas.Timestamp
        The last day the data covers; open subscriptions run to its month.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``month`` (``YYYY-MM``), ``mrr``: one row per account
        and month with at least one active subscription (the sum may be 0),
        sorted by account and month.

    References
    ----------
    ChartMogul, "Monthly Recurring Revenue (MRR)".

    Examples
    --------
    >>> subs = pd.DataFrame({"account_id": ["a", "a"], "mrr": [100.0, 50.0],
    ...     "start": pd.to_datetime(["2024-01-15", "2024-02-01"]),
    ...     "end": pd.to_datetime(["2024-02-10", None])})
    >>> monthly_mrr(subs, as_of=pd.Timestamp("2024-03-31"))["mrr"].tolist()
    [100.0, 150.0, 50.0]
    """
    first = _ordinal(subscriptions["start"]).to_numpy(int)
    last_month = as_of.to_period("M").ordinal
    last = _ordinal(subscriptions["end"]).fillna(last_month).to_numpy(int)
    last = np.minimum(last, last_month)
    counts = np.maximum(last - first + 1, 0)
    rows = np.repeat(np.arange(len(subscriptions)), counts)
    # offset of each expanded row within its subscription's run of months
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    expanded = pd.DataFrame({
        "account_id": subscriptions["account_id"].to_numpy()[rows],
        "ordinal": first[rows] + offsets,
        "mrr": subscriptions["mrr"].to_numpy(float)[rows],
    })  # fmt: skip
    out = expanded.groupby(["account_id", "ordinal"], as_index=False, sort=True)["mrr"].sum()
    months = pd.PeriodIndex.from_ordinals(out["ordinal"].to_numpy(), freq="M")
    return pd.DataFrame({
        "account_id": out["account_id"], "month": months.strftime("%Y-%m"), "mrr": out["mrr"],
    })  # fmt: skip


def _ordinal(dates: pd.Series) -> pd.Series:
    """Monthly ``pandas.Period`` ordinals of dates (months since 1970-01); NaT stays NaN."""
    return (dates.dt.year - 1970) * 12 + dates.dt.month - 1


def next_renewal(subscriptions: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.Series:
    """Each account's next renewal: the first anniversary after ``as_of`` of open annual terms.

    For an open (no ``end``) annual subscription started on day ``d`` of month
    ``m``, the anniversary in year ``y`` is ``y-m-min(d, days in m of y)``; its
    next renewal is the first such date strictly after ``as_of``. Monthly
    subscriptions renew every month and are not counted.

    Parameters
    ----------
    subscriptions : pandas.DataFrame
        ``account_id``, ``start``, ``end`` (NaT when open) and ``annual`` (bool).
    as_of : pandas.Timestamp
        The last day the data covers.

    Returns
    -------
    pandas.Series
        Dates (datetime64) indexed by ``account_id``; accounts without an open
        annual subscription are absent.

    Examples
    --------
    >>> subs = pd.DataFrame({"account_id": ["a", "a"], "annual": [True, True],
    ...     "start": pd.to_datetime(["2024-02-29", "2023-06-01"]), "end": pd.NaT})
    >>> next_renewal(subs, as_of=pd.Timestamp("2024-12-31")).dt.strftime("%Y-%m-%d").to_dict()
    {'a': '2025-02-28'}
    """
    open_annual = subscriptions[subscriptions["annual"] & subscriptions["end"].isna()]
    start = open_annual["start"]

    def anniversary(year: int | np.ndarray) -> pd.Series:
        years = pd.Series(year, index=start.index)
        first_of_month = pd.to_datetime(
            pd.DataFrame({"year": years, "month": start.dt.month, "day": 1})
        )
        day = np.minimum(start.dt.day, first_of_month.dt.days_in_month)
        return first_of_month + pd.to_timedelta(day - 1, unit="D")

    this_year = anniversary(as_of.year)
    renewal = this_year.where(this_year > as_of, anniversary(as_of.year + 1))
    return renewal.groupby(open_annual["account_id"]).min()


def _check_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise ParameterError(f"{dest}: exists and is not a folder; give a folder to write to.")
    if dest.is_dir():
        other = sorted(p.name for p in dest.iterdir() if p.name not in OUTPUT_FILES)
        if other:
            shown = ", ".join(other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5
                                            else "")
            raise ParameterError(
                f"{dest}: holds files an import does not write ({shown}); expected a new "
                "folder or one an earlier import wrote. Choose another DEST or empty it."
            )


def _publish(tmp: Path, dest: Path) -> None:
    """Rename the validated folder into place, replacing an earlier import."""
    if not dest.exists():
        os.rename(tmp, dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
    old.rmdir()
    os.rename(dest, old)
    try:
        os.rename(tmp, dest)
    except BaseException:
        os.rename(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _source_note(src: Path, as_of: pd.Timestamp) -> str:
    """``SOURCE.md`` of the imported folder: where it came from, how, and the credit."""
    digests = "\n".join(
        f"  - `{name}`: sha256 `{hashlib.sha256((src / name).read_bytes()).hexdigest()}`"
        for name in SOURCE_FILES
    )
    left_out = "\n".join(f"  - {item}" for item in LEFT_OUT)
    return f"""\
# RavenStack, imported into the cslib data contract

Written by `cslib import ravenstack SRC DEST` (`cslib/data/importers/ravenstack.py`,
whose docstring documents the mapping); do not edit by hand.

- Source: RavenStack, a fully synthetic B2B SaaS dataset by River @ Rivalytics
  (Kaggle `rivalytics/saas-subscription-and-churn-analytics-dataset`),
  licence stated as MIT-like, credit to the author required for reuse.
- Files read:
{digests}
- As of {as_of:%Y-%m-%d} (the latest subscription date).
- `mrr.csv`: per account and month, the sum of `mrr_amount` over the
  subscriptions active in the month (start_date <= month end, end_date empty
  or >= month start), no proration.
- `accounts.csv`: segment and plan = `plan_tier`, region from `country`,
  renewal_date = next anniversary of the open annual subscriptions.
- `tickets.csv`: csat = `satisfaction_score`.
- No data for:
{left_out}
"""
