"""Loading a dataset from a folder of CSV or Parquet files and validating it.

Every table is checked against the contract (pandera schemas, see
:mod:`cslib.data.contract`): types, finite numbers, text without control
characters and within its length. Then the rules that span tables or rows are
checked (every reference names a row of its table, of the same account; one row
per key; tickets closed after they opened; one currency; the MRR months form one
run and the dates lie near them). All problems are collected and raised together as one
:class:`~cslib.errors.DataError`, each naming the file, the column, the rule and
up to five offending rows; nothing is returned for bad data.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from cslib.data.contract import (
    CONTRACT,
    REQUIRED_TABLES,
)
from cslib.data.dataset import Dataset
from cslib.data.slices import read_slice_manifest
from cslib.data.sources import is_database, open_source
from cslib.data.validate import Table, normalize, validate
from cslib.errors import DataError

__all__ = ["from_frames", "load", "normalize", "read_table", "unrecognized_files"]

SUFFIXES = (".csv", ".parquet")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one table file (CSV or Parquet) as raw, unvalidated columns.

    CSV cells are read as text (an empty cell is missing) so that validation,
    not the reader, decides what a value means.

    Raises
    ------
    DataError
        If the file cannot be read as the format its suffix says.
    """
    path = Path(path)
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    path,
                    dtype=str,
                    keep_default_na=False,
                    na_values=[""],
                    encoding="utf-8-sig",
                    skipinitialspace=True,
                    index_col=False,
                )
    except pd.errors.ParserWarning:
        raise DataError(_field_count_problem(path)) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path.name}: the file is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{path.name}: the file is empty; it needs at least a header row."
        ) from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        kind = "Parquet" if path.suffix == ".parquet" else "CSV"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path.name}: cannot be read as {kind} ({first}).") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if path.suffix != ".parquet":
        header = _csv_header(path)
        if len(set(header)) < len(header) == len(frame.columns):
            frame.columns = header  # pandas renamed a repeat 'name.1': keep it, to refuse it
    return frame


def _csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's header as written (stripped)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [c.strip() for c in next(csv.reader(fh, skipinitialspace=True), [])]


def _field_count_problem(path: Path) -> str:
    """Name the first CSV record whose number of fields differs from the header's."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if row and len(row) != len(header):
                return (
                    f"{path.name}: line {start} has {len(row)} fields but the header has "
                    f"{len(header)}; quote values that contain commas (\"Acme, Inc.\")."
                )
    return f"{path.name}: a row's number of fields differs from the header's."


def _find_files(folder: Path) -> tuple[dict[str, Path], list[str]]:
    found: dict[str, Path] = {}
    problems: list[str] = []
    for name in CONTRACT:
        paths = [folder / f"{name}{s}" for s in SUFFIXES if (folder / f"{name}{s}").is_file()]
        if len(paths) > 1:
            problems.append(
                f"{name}: both {paths[0].name} and {paths[1].name} exist; keep only one."
            )
        elif paths:
            found[name] = paths[0]
        elif name in REQUIRED_TABLES:
            close = difflib.get_close_matches(
                name, [p.stem for p in _table_files(folder)], n=1, cutoff=0.8
            )
            hint = f" (found {close[0]!r}: a typo?)" if close else ""
            problems.append(
                f"{name}: required table missing; expected {name}.csv or {name}.parquet "
                f"in {folder}{hint}."
            )
    return found, problems


def _table_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES)


def unrecognized_files(path: str | Path) -> list[str]:
    """CSV or Parquet files in a dataset folder that are not contract tables (they are ignored)."""
    return [p.name for p in _table_files(Path(path)) if p.stem not in CONTRACT]


def _fingerprint(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def load(path: str | Path) -> Dataset:
    """Load and validate a dataset from a folder with one CSV or Parquet file per table.

    Parameters
    ----------
    path : str or pathlib.Path
        Folder holding ``accounts`` and ``mrr`` (required) and any of ``usage``,
        ``nps``, ``tickets``, ``contacts``, ``activities``, ``goals``,
        ``advocacy``, each as ``NAME.csv`` or ``NAME.parquet``; or a database
        (a SQLAlchemy URL, a DuckDB file or a YAML source file), read whole
        (:mod:`cslib.data.sources`).

    Returns
    -------
    Dataset
        The validated tables with contract dtypes: months as monthly
        ``pandas.Period``, dates as ``datetime64``, ``account_id`` as a
        categorical over ``accounts.account_id``.

    Raises
    ------
    DataError
        If the folder is missing, a required table is missing, or any table
        breaks a rule of the contract. The message lists every problem found.

    Examples
    --------
    >>> ds = load("data/sample")                     # doctest: +SKIP
    >>> ds.summary()["tables"]["accounts"]["rows"]   # doctest: +SKIP
    400
    """
    if is_database(path):  # a URL, a DuckDB file or a YAML source file
        return open_source(path).read()
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder; expected a folder of CSV or Parquet files.")
    manifest = read_slice_manifest(folder)  # a slice written by a build: what it was cut from
    found, problems = _find_files(folder)
    raw: dict[str, Table] = {}
    for name, file in found.items():
        try:
            raw[name] = Table(name, file.name, read_table(file), path=file)
        except DataError as exc:
            problems.append(str(exc))
    if manifest is not None:
        valid = validate(raw, problems, where=str(folder), filtered=True,
                          coverage=manifest["coverage"])
        return Dataset(valid, **manifest)
    valid = validate(raw, problems, where=str(folder))
    return Dataset(valid, source=str(folder), fingerprint=_fingerprint(found.values()))


def from_frames(tables: dict[str, pd.DataFrame], *, source: str = "frames") -> Dataset:
    """Validate in-memory tables against the contract and wrap them as a :class:`Dataset`.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Contract tables by name; ``accounts`` and ``mrr`` are required. Months
        may be ``YYYY-MM`` text or monthly ``pandas.Period`` values.
    source : str
        What to call the tables in error messages and provenance.

    Raises
    ------
    DataError
        As :func:`load`, with ``NAME (frame)`` and 1-based row numbers in place
        of file names and line numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> ds = from_frames({
    ...     "accounts": pd.DataFrame({"account_id": ["a"], "name": ["Acme"], "segment": ["SMB"]}),
    ...     "mrr": pd.DataFrame({"account_id": ["a"], "month": ["2026-01"], "mrr": [100.0]}),
    ... })
    >>> str(ds.last_month)
    '2026-01'
    """
    problems: list[str] = []
    unknown = sorted(set(tables) - set(CONTRACT))
    if unknown:
        problems.append(
            f"unknown table(s) {', '.join(unknown)}; the contract's tables are "
            + ", ".join(CONTRACT)
            + "."
        )
    problems += [
        f"{name}: required table missing; pass it as tables[{name!r}]."
        for name in REQUIRED_TABLES
        if name not in tables
    ]
    raw = {
        name: Table(name, f"{name} (frame)", _as_text(frame))
        for name, frame in tables.items()
        if name in CONTRACT
    }
    valid = validate(raw, problems, where=source)
    digest = hashlib.sha256()
    for name in sorted(valid):
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(valid[name], index=False).to_numpy().tobytes())
    return Dataset(valid, source=source, fingerprint=digest.hexdigest())


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Months given as ``pandas.Period`` become ``YYYY-MM`` text, as in a file."""
    out = frame.reset_index(drop=True).copy()
    if "month" in out and isinstance(out["month"].dtype, pd.PeriodDtype):
        out["month"] = out["month"].dt.strftime("%Y-%m")
    return out


