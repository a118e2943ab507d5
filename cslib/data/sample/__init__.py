"""A deterministic sample dataset: a fictitious B2B SaaS company and its customers.

The vendor is *Fernquill*, an invented company selling a service-operations
platform (ticket routing, knowledge base, workflow automation and reporting)
per seat on annual contracts. Its customers are invented too: about 400
companies in three segments (Enterprise, Mid-Market, SMB) and four regions,
each looked after by one of a handful of fictitious CSMs. Three years of
monthly MRR end on 2026-10 (the data are "as of" 2026-10-31), with new logos
joining throughout, expansions and contractions at renewals, mid-term seat
upsells, churn and a few reactivations, plus the customer-success record that
goes with it: seat usage, NPS surveys twice a year, support tickets with
CSAT/CES, contacts and their relationship strength, CSM activities, success-plan
goals and advocacy.

It exists so that every notebook, test and demo of cslib runs out of the box on
data that look real: Enterprise retains and expands best and SMB churns most,
scores follow account health, usage falls before churn, and each risk flag
fires for some accounts but not for most. Nothing in it describes a real
company or person.

Same arguments give the same tables and the same CSV bytes on every run and
machine: every draw comes from ``numpy.random.default_rng`` seeded with the
seed and a fixed per-table stream number, there is no clock, no iteration over
sets and every table is sorted by a stable sort before ids are assigned.

Examples
--------
>>> from cslib.data import sample
>>> tables = sample.generate(n_accounts=50)
>>> sorted(tables) == sorted(sample.TABLES)
True
>>> paths = sample.write("data/sample")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.data.sample._book import _Calendar, _rng, _simulate_book
from cslib.data.sample._tables import (
    _accounts_table,
    _activities_table,
    _advocacy_table,
    _churn_events_table,
    _contacts_table,
    _goals_table,
    _mrr_table,
    _nps_table,
    _tickets_table,
    _usage_table,
)
from cslib.data.sample._vocab import (
    _INDUSTRIES,
    _MONTH_RE,
    _STEMS,
    AS_OF,
    COLUMNS,
    LAST_MONTH,
    SAMPLE_SEED,
    TABLES,
)
from cslib.errors import ParameterError

__all__ = [
    "AS_OF",
    "COLUMNS",
    "LAST_MONTH",
    "SAMPLE_SEED",
    "TABLES",
    "generate",
    "sample_dataset",
    "write",
]



def generate(
    *,
    seed: int = SAMPLE_SEED,
    n_accounts: int = 400,
    n_months: int = 36,
    last_month: str = LAST_MONTH,
) -> dict[str, pd.DataFrame]:
    """Generate the sample company's tables.

    The frames hold exactly what :func:`write` puts in the CSV files: months as
    ``YYYY-MM`` strings, dates as ``YYYY-MM-DD`` strings (``None`` when empty),
    MRR and goal values as floats, counts and scores as integers (nullable
    ``Int64`` for the optional CSAT and CES answers). Load the files with the
    data layer to get typed columns.

    Parameters
    ----------
    seed : int, default SAMPLE_SEED
        Seed of every random draw; the same arguments always give the same tables.
    n_accounts : int, default 400
        Number of customer accounts, from 1 to 2,808 (the number of distinct
        invented company names); every account pays in at least one month.
    n_months : int, default 36
        Number of months of MRR history (at least 13, so that a year-over-year
        comparison exists).
    last_month : str, default "2026-10"
        The last month with data, ``YYYY-MM``; the data are as of its last day.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per table, keyed and ordered as :data:`TABLES`, with columns
        as in :data:`COLUMNS`.

    Raises
    ------
    ParameterError
        If an argument is out of range or ``last_month`` is not ``YYYY-MM``.

    Examples
    --------
    >>> tables = generate(n_accounts=40, n_months=24)
    >>> tables["mrr"]["month"].nunique()
    24
    >>> tables["accounts"]["account_id"].is_unique
    True
    """
    max_accounts = len(_STEMS) * sum(len(v) for v in _INDUSTRIES.values())
    if not isinstance(n_accounts, int | np.integer) or not 1 <= n_accounts <= max_accounts:
        raise ParameterError(
            f"`n_accounts` must be an integer from 1 to {max_accounts}, got {n_accounts!r}."
        )
    if not isinstance(n_months, int | np.integer) or n_months < 13:
        raise ParameterError(
            f"`n_months` must be an integer of at least 13 (one year and a month), "
            f"got {n_months!r}."
        )
    if not isinstance(last_month, str) or not _MONTH_RE.match(last_month):
        raise ParameterError(
            f"`last_month` must look like 2026-10 (YYYY-MM), got {last_month!r}. "
            "Pass the last month with data."
        )
    cal = _Calendar.make(last_month, int(n_months))
    book = _simulate_book(int(seed), int(n_accounts), cal)
    accounts = _accounts_table(_rng(seed, "accounts"), book)
    account_ids = accounts["account_id"].to_numpy()
    contacts = _contacts_table(_rng(seed, "contacts"), book, account_ids)
    tables = {
        "accounts": accounts,
        "mrr": _mrr_table(book, account_ids),
        "usage": _usage_table(book, account_ids),
        "nps": _nps_table(_rng(seed, "nps"), book, contacts, account_ids),
        "tickets": _tickets_table(_rng(seed, "tickets"), book, account_ids,
                                  _rng(seed, "ticket_categories")),
        "contacts": contacts.table,
        "activities": _activities_table(_rng(seed, "activities"), book, contacts, account_ids),
        "goals": _goals_table(_rng(seed, "goals"), book, account_ids),
        "advocacy": _advocacy_table(_rng(seed, "advocacy"), book, account_ids),
        "churn_events": _churn_events_table(_rng(seed, "churn_events"), book, account_ids),
    }
    return {name: tables[name].loc[:, list(COLUMNS[name])] for name in TABLES}


def write(dest: str | Path, *, seed: int = SAMPLE_SEED, n_accounts: int = 400) -> list[Path]:
    """Write the sample company as one CSV file per table into ``dest``.

    Files are UTF-8 with Unix line ends, a header row, no index column and
    floats with two decimals, so the same arguments give byte-identical files.

    Parameters
    ----------
    dest : str or pathlib.Path
        Folder to write into; created if missing. Existing files of the same
        names are overwritten, other files are left alone.
    seed : int, default SAMPLE_SEED
        Seed passed to :func:`generate`.
    n_accounts : int, default 400
        Number of accounts passed to :func:`generate`.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`TABLES` (``accounts.csv`` first).

    Raises
    ------
    ParameterError
        If :func:`generate` rejects an argument.

    Examples
    --------
    >>> paths = write("data/sample")  # doctest: +SKIP
    >>> [p.name for p in paths][:2]  # doctest: +SKIP
    ['accounts.csv', 'mrr.csv']
    """
    tables = generate(seed=seed, n_accounts=n_accounts)
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, float_format="%.2f", lineterminator="\n", encoding="utf-8")
        paths.append(path)
    return paths


@functools.cache
def sample_dataset() -> Dataset:
    """The sample company, validated, as ``data="sample"`` names it.

    Read from the committed ``data/sample`` folder beside the package when cslib
    runs from the project's checkout (the files :func:`write` makes; a test
    checks they are the same bytes, so the data's fingerprint matches the
    folder's); an installed copy generates the same company in memory.
    """
    from cslib.data.load import from_frames, load

    folder = Path(__file__).resolve().parents[3] / "data" / "sample"
    if (folder / "accounts.csv").is_file():
        return load(folder)
    return from_frames(generate(), source="sample (generated)")
