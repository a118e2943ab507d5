"""The report context: one validation call right after a notebook's ``parameters`` cell.

A report notebook starts with its typed ``parameters`` cell (Papermill's
convention) and then calls :func:`open_report` once. That call checks every
parameter (kind, period, data location, segment or account), loads and scopes
the dataset, and returns a :class:`Report` whose display carries the report's
identity and provenance (period, parameters with secrets masked, data as-of date
and fingerprint, library version and git commit) for the document's cover,
header, footer and appendix.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

import cslib
from cslib.data.dataset import Dataset, Scope
from cslib.data.load import load
from cslib.data.sample import sample_dataset
from cslib.data.slices import book_slice, customer_slice, segment_slice
from cslib.data.sources import SqlSource, display_name, is_database, open_source
from cslib.document.model import BLOCK_MIME
from cslib.errors import CslibError, ParameterError
from cslib.metrics.benchmarks import MIN_GROUP_SIZE, benchmarks_from_usage, segment_benchmarks
from cslib.metrics.health import HealthConfig, load_health_config
from cslib.metrics.risk import RiskSettings, load_risk_settings
from cslib.metrics.summary import check_period
from cslib.periods import Period, period_or_latest
from cslib.present.formats import fmt_period
from cslib.secrets import mask_parameters, mask_text
from cslib.settings import did_you_mean

__all__ = [
    "KINDS",
    "Report",
    "choose",
    "open_report",
    "register_dataset",
    "report_settings",
    "report_slice",
    "resolve_data",
    "snapshot_day",
]

#: The kinds of report: the company (board pack), one segment, one customer.
KINDS = {
    "company": "Board pack",
    "segment": "Segment review",
    "customer": "Quarterly business review",
    "book": "Book of business",
}

#: Who reads a report: ``"customer"`` (a QBR shared with that customer) or
#: ``"internal"`` (everything else, including a customer's internal account review).
AUDIENCES = ("customer", "internal")

#: The title of a customer report written for the company itself.
ACCOUNT_REVIEW = "Account review"




def _source_name(data: object) -> str:
    """A data location as shown in a document: a folder's name, never a full path."""
    text = str(data)
    if is_database(text):  # the kind of database and its name: no host, user or password
        try:  # a URL, a DuckDB file or a source file: named as a sliced document names it
            return display_name(open_source(text).spec.url)
        except CslibError:  # cannot be read here: its file name says enough
            return Path(text).name or "database"
    return Path(text).name or text


def _shown_parameter(name: str, value: object) -> str:
    """A parameter's value as a document shows it: never a path on the build machine.

    ``data`` is named by :func:`_source_name`; a value naming a file (a
    custom settings file) by the file's name and the first 12 hex digits of
    its SHA-256, which is enough to tell which settings were used; any other
    path by its last part only.
    """
    if name == "data":
        return _source_name(value)
    text = str(value)
    if "://" in text or ("/" not in text and "\\" not in text):
        return text
    path = Path(text).expanduser()
    try:
        if path.is_file():
            return f"{path.name} (sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:12]})"
    except OSError:
        pass
    return path.name or text


#: Datasets handed to this process by a build under the name its notebook is given.
_REGISTERED: dict[str, Dataset] = {}


def register_dataset(name: str, dataset: Dataset) -> None:
    """Make ``resolve_data(name)`` return ``dataset`` in this process.

    The warm build executor runs a notebook in a fresh process with its
    slice of the data (:mod:`cslib.pipeline.scope`) registered this way, so
    nothing is read from disk and nothing else is in reach.
    """
    _REGISTERED[str(name)] = dataset


def resolve_data(data: str | Path | Dataset) -> Dataset:
    """Load the dataset a report names: a folder, a database, ``"sample"``, or a :class:`Dataset`.

    A database is a SQLAlchemy URL, a DuckDB file or a YAML source file
    (:mod:`cslib.data.sources`); it is read whole here (see
    :func:`open_report` for the reads that push a report's filters down).

    Raises
    ------
    ParameterError
        If ``data`` is empty or names a folder that does not exist.
    DataError
        If the folder's tables break the data contract.
    """
    if isinstance(data, Dataset):
        return data
    text = str(data).strip()
    if text in _REGISTERED:
        return _REGISTERED[text]
    if text == "sample":
        return sample_dataset()
    if not text:
        raise ParameterError("`data` must name a dataset folder (CSV or Parquet files) or "
                             "'sample', got ''.")
    if is_database(text):
        return load(text)
    path = Path(text).expanduser()
    if not path.exists():
        shown = mask_text(text)
        raise ParameterError(
            f"`data` must name an existing dataset folder, got {shown!r} "
            f"(looked in {Path(shown).resolve()})."
        )
    return load(path)


@cache
def _git_commit() -> str:
    """The checkout's commit (read from .git, no subprocess), or ``"unknown"``."""
    git = Path(cslib.__file__).resolve().parents[1] / ".git"  # when run from a checkout
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = git / ref
            if ref_file.is_file():
                return ref_file.read_text().strip()[:12]
            packed = (git / "packed-refs").read_text().splitlines()
            for line in packed:
                if line.endswith(" " + ref):
                    return line.split()[0][:12]
            return "unknown"
        return head[:12]
    except OSError:
        return "unknown"


def choose(value: str, options: list[str], *, name: str) -> str:
    """``value`` if it is one of ``options``; else a ParameterError with a did-you-mean."""
    if value in options:
        return value
    did = did_you_mean(value, options)
    shown = ", ".join(repr(o) for o in options[:12]) + (" …" if len(options) > 12 else "")
    raise ParameterError(f"`{name}` must be one of {shown}; got {value!r}.{did}")


def snapshot_day(period: Period, dataset: Dataset) -> pd.Timestamp:
    """The day a report's health, flags and contacts are read on.

    The period's last day, or the data's as-of date when the period ends after it.
    """
    return min(period.last_day, dataset.as_of)


def report_settings(health_config: str, risk_config: str) -> tuple[HealthConfig, RiskSettings]:
    """The settings files named, else the built-in defaults (``params/*.yaml`` hold the same)."""
    health = (load_health_config(Path(health_config).expanduser()) if health_config
              else HealthConfig.default())
    risk = load_risk_settings(Path(risk_config).expanduser()) if risk_config else RiskSettings()
    return health, risk


@dataclass(frozen=True, eq=False)
class Report:
    """A validated report: what it is about, its scoped data, and its provenance.

    Attributes
    ----------
    kind : str
        ``"company"``, ``"segment"``, ``"customer"`` or ``"book"``.
    title, subtitle : str
        "Board pack" / "Segment review: Enterprise" / the customer's name.
    company : str
        Who publishes the report.
    period : Period
        The reporting period.
    dataset : Dataset
        The data the report may use: the whole dataset (company), the
        segment's accounts (segment) or the customer's rows (customer).
    as_of : pandas.Timestamp
        The day snapshots (health, risk, renewals) are taken: the period's last
        day, or the data's as-of date if earlier.
    parameters : dict
        The parameters as given (secrets masked in :meth:`provenance`).
    audience : {"customer", "internal"}
        ``"customer"`` for a QBR shared with the customer (no internal scores,
        ratings, contact gaps or build details), else ``"internal"``.
    share_health : bool
        Whether a customer's QBR shows its health score (the plan opts in).
    """

    kind: str
    title: str
    subtitle: str
    company: str
    period: Period
    dataset: Dataset
    as_of: pd.Timestamp
    parameters: dict[str, Any]
    health_config: HealthConfig
    risk_settings: RiskSettings
    account_id: str = ""
    segment: str = ""
    group_by: str = ""
    group: str = ""
    benchmarks: dict[str, Any] = field(default_factory=dict)
    audience: str = "internal"
    share_health: bool = False
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per report (health scores, flags and the like)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def shared(self) -> bool:
        """True for a document shared with the customer (a QBR): no internal figures."""
        return self.audience == "customer"

    @property
    def shows_health(self) -> bool:
        """Whether the health score may appear: internal reports, or a QBR that opts in."""
        return not self.shared or self.share_health

    @property
    def fingerprint(self) -> str:
        """12 hex digits over the data fingerprint and the parameters."""
        # The data's content fingerprint stands for the data; where it was read from
        # (a path, "sample") does not change the report.
        parameters = {k: v for k, v in self.parameters.items() if k != "data"}
        payload = json.dumps(
            {"data": self.dataset.fingerprint, "parameters": parameters, "kind": self.kind},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def provenance(self) -> dict[str, Any]:
        """Everything needed to trace a figure back: the ``report`` block's fields."""
        return {
            "kind": self.kind,
            "company": self.company,
            "title": self.title,
            "subtitle": self.subtitle,
            "period": self.period.label,
            "period_label": fmt_period(self.period),
            "as_of": f"{self.dataset.as_of:%Y-%m-%d}",
            "snapshot": f"{self.as_of:%Y-%m-%d}",
            "fingerprint": self.fingerprint,
            "data_fingerprint": self.dataset.fingerprint[:12],
            "data_source": Path(self.dataset.source).name or self.dataset.source,
            "parameters": {
                k: _shown_parameter(k, v) for k, v in mask_parameters(self.parameters).items()
            },
            "version": cslib.__version__,
            "commit": _git_commit(),
            "audience": self.audience,
        }

    # Display ------------------------------------------------------------
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        p = self.provenance()
        subtitle = f" — {p['subtitle']}" if p["subtitle"] else ""
        text = (
            f"{p['company']}: {p['title']}{subtitle}, {p['period_label']}\n"
            f"Data as of {p['as_of']} · fingerprint {p['fingerprint']}"
        )
        import html as _html

        html = (
            f"<div><strong>{_html.escape(p['company'])}</strong> · "
            f"{_html.escape(p['title'] + subtitle)} · {_html.escape(p['period_label'])}<br>"
            f"<small>Data as of {_html.escape(p['as_of'])} · fingerprint "
            f"{_html.escape(p['fingerprint'])}</small></div>"
        )
        return {"text/plain": text, "text/html": html, BLOCK_MIME: {"type": "report", **p}}

    def __repr__(self) -> str:
        return f"Report({self.kind!r}, {self.subtitle or self.company!r}, {self.period.label})"

    def appendix(self) -> Appendix:
        """The place of the definitions and provenance appendix (filled in by the build)."""
        return Appendix()


class Appendix:
    """Marks where the build puts the definitions used and the provenance table."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/plain": "Appendix: definitions and provenance (added when the report is built).",
            BLOCK_MIME: {"type": "appendix"},
        }


def open_report(
    kind: str,
    *,
    period: str = "",
    data: str | Path | Dataset = "sample",
    company: str = "",
    segment: str = "",
    account_id: str = "",
    group_by: str = "",
    group: str = "",
    fiscal_year_start: int = 1,
    health_config: str = "",
    risk_config: str = "",
    title: str = "",
    audience: str = "",
    share_health: bool = False,
    currency: str = "",
    locale: str = "",
    **unknown: Any,
) -> Report:
    """Validate a notebook's parameters and open its report.

    Parameters
    ----------
    kind : {"company", "segment", "customer", "book"}
        Board pack (whole company), segment review, customer QBR, or a book of
        business (the accounts of one CSM, region, plan...: ``group_by`` and ``group``).
    period : str
        ``"2026Q3"``, ``"2026-09"``, ``"2026"`` or ``"TTM2026-09"``; empty means
        the latest complete quarter in the data.
    data : str, Path or Dataset
        A dataset folder, ``"sample"`` for the embedded sample company, or a
        database: a SQLAlchemy URL (``postgresql://...``), a DuckDB file or a
        YAML source file mapping the warehouse's tables onto the contract
        (:mod:`cslib.data.sources`). A database is read with the report's
        filters pushed down: a QBR reads only its customer's rows.
    company : str
        Your company's name, shown on the cover and in headers.
    segment : str
        The segment (``accounts.segment``) of a segment review.
    account_id : str
        The customer (``accounts.account_id``) of a QBR.
    group_by, group : str
        A book's column of ``accounts`` (default ``"csm"``) and its value
        (``group_by="csm", group="Priya Shah"``: that CSM's accounts only).
    fiscal_year_start : int
        First month (1-12) of the fiscal year that period labels are read on.
    health_config, risk_config : str
        Settings files; empty means ``params/health.yaml`` and ``params/risk.yaml``.
    title : str
        The report's title on its cover and headers; empty means its kind's
        ("Quarterly business review", "Account review", "Segment review",
        "Board pack").
    audience : {"", "customer", "internal"}
        Who reads it. Empty means ``"customer"`` for a customer report (the QBR
        shared with the customer) and ``"internal"`` for the others; a customer
        report for ``"internal"`` readers is its account review (health and its
        drivers, relationships, contact gaps, risk flags, talking points).
    share_health : bool
        Show the health score in a customer's QBR (default: it stays internal).
    currency, locale : str
        How money, numbers, percents and dates are written (``"EUR"``,
        ``"de_DE"``; :mod:`cslib.present.locale`); empty means USD and en_US.

    Returns
    -------
    Report
        With the dataset scoped to the segment or the customer.

    Raises
    ------
    ParameterError
        On an unknown parameter, an unknown kind, segment or account, a missing
        company, or a bad fiscal year start.
    PeriodError
        If the period is malformed or not covered by the data.
    """
    if unknown:
        known = [p for p in inspect.signature(open_report).parameters
                 if p not in ("kind", "unknown")]
        did = "".join(did_you_mean(n, known, code=True) for n in sorted(unknown))
        raise ParameterError(
            f"unknown report parameter(s): {', '.join(sorted(unknown))}; "
            f"expected {', '.join(known)}.{did}"
        )
    kind = choose(str(kind), list(KINDS), name="kind")
    audience = choose(str(audience) or ("customer" if kind == "customer" else "internal"),
                      list(AUDIENCES), name="audience")
    if audience == "customer" and kind != "customer":
        raise ParameterError(
            f"a {KINDS[kind].lower()} is internal; only a customer report (a QBR) can have "
            "`audience` 'customer'."
        )
    if not isinstance(share_health, bool):
        raise ParameterError(f"`share_health` must be true or false, got {share_health!r}.")
    if not str(company).strip():
        raise ParameterError("`company` must name the company publishing the report, got ''.")
    if not isinstance(fiscal_year_start, int) or not 1 <= fiscal_year_start <= 12:
        raise ParameterError(f"`fiscal_year_start` must be a month number 1-12, got "
                             f"{fiscal_year_start!r}.")
    if isinstance(data, str | Path) and str(data).strip() not in _REGISTERED \
            and is_database(str(data).strip()):
        full = report_slice(str(data).strip(), kind, period=str(period).strip(),
                            segment=str(segment), account_id=str(account_id),
                            group_by=str(group_by or "csm"), group=str(group),
                            fiscal_year_start=fiscal_year_start)
    else:
        full = resolve_data(data)
    scope = full.scope
    if scope is not None and scope.kind != kind:
        raise ParameterError(f"`data` holds {scope.describe()}; a {KINDS[kind].lower()} "
                             f"({kind!r}) report cannot be made from it.")
    p = period_or_latest(str(period), full.last_month, fiscal_year_start_month=fiscal_year_start)
    check_period(full, p)
    health, risk = report_settings(health_config, risk_config)
    as_of = snapshot_day(p, full)
    # A slice shows where it was cut from (its source), not the build's private folder.
    shown_data = full.source if scope is not None else str(data)
    parameters: dict[str, Any] = {"period": p.label, "data": shown_data, "company": company}
    custom_title = str(title).strip()
    title, subtitle, scoped = KINDS[kind], "", full
    benchmarks: dict[str, Any] = {}
    wanted = str({"segment": segment, "book": group}.get(kind, account_id))
    if scope is not None and wanted != scope.key:
        raise ParameterError(f"`data` holds {scope.describe()}; got {wanted!r}.")
    if kind == "segment":
        segments = sorted(full.accounts["segment"].astype(str).unique())
        segment = choose(str(segment), segments, name="segment")
        scoped = full if scope is not None else segment_slice(full, segment)
        title, subtitle = "Segment review", f"{segment} segment"
        parameters["segment"] = segment
    elif kind == "customer":
        if not str(account_id).strip():
            raise ParameterError("`account_id` must name the customer of the QBR, got ''.")
        ids = list(full.accounts["account_id"].astype(str))
        if account_id not in set(ids):
            choose(str(account_id), ids, name="account_id")
        if scope is None:
            segment_of = str(full.accounts.loc[full.accounts["account_id"].astype(str)
                                               == account_id, "segment"].iloc[0])
            peers = segment_benchmarks(full, segment_of, account_id=account_id,
                                       month=p.last_month)
            scoped = customer_slice(full, account_id, benchmarks=peers)
        else:
            scoped = full
        assert scoped.scope is not None
        benchmarks = dict(scoped.scope.benchmarks)
        subtitle = str(scoped.accounts["name"].iloc[0])
        parameters["account_id"] = account_id
        if audience == "internal":
            title = ACCOUNT_REVIEW
            parameters["audience"] = audience
        elif share_health:
            parameters["share_health"] = True
    elif kind == "book":
        group_by = str(group_by or "csm")
        if group_by not in full.accounts.columns or group_by in ("account_id", "name"):
            cols = [c for c in full.accounts.columns if c not in ("account_id", "name")]
            raise ParameterError(f"`group_by` must be a column of accounts ({', '.join(cols)}), "
                                 f"got {group_by!r}.{did_you_mean(group_by, cols, code=True)}")
        values = sorted(full.accounts[group_by].dropna().astype(str).unique())
        group = choose(str(group), values, name="group")
        scoped = full if scope is not None else book_slice(full, group_by, group)
        label = group_by.replace("_", " ").capitalize()
        subtitle = group if group_by == "csm" else f"{label}: {group}"
        parameters["group_by"], parameters["group"] = group_by, group
    if kind != "book" and (group or group_by):
        raise ParameterError(f"`group_by` and `group` are for a book of business, not a "
                             f"{KINDS[kind].lower()}.")
    if kind == "company" and (segment or account_id):
        raise ParameterError("a company report takes neither `segment` nor `account_id`.")
    if custom_title:
        parameters["title"] = custom_title
    if fiscal_year_start != 1:
        parameters["fiscal_year_start"] = fiscal_year_start
    for name, value in (("health_config", health_config), ("risk_config", risk_config)):
        if value:
            parameters[name] = value
    from cslib.present.analyst import install_display
    from cslib.present.locale import use_locale

    use_locale(currency, locale)  # the whole notebook writes its figures this way
    parameters.update({k: v for k, v in (("currency", currency), ("locale", locale)) if v})
    install_display()  # the analyst's own DataFrames and figures, in the house style
    return Report(
        kind=kind,
        title=custom_title or title,
        subtitle=subtitle,
        company=str(company),
        period=p,
        dataset=scoped,
        as_of=as_of,
        parameters=parameters,
        health_config=health,
        risk_settings=risk,
        account_id=str(account_id) if kind == "customer" else "",
        segment=str(segment) if kind == "segment" else "",
        group_by=str(group_by) if kind == "book" else "",
        group=str(group) if kind == "book" else "",
        benchmarks=benchmarks,
        audience=audience,
        share_health=bool(share_health and audience == "customer"),
    )


def report_slice(
    data: str | SqlSource,
    kind: str,
    *,
    period: str = "",
    segment: str = "",
    account_id: str = "",
    group_by: str = "csm",
    group: str = "",
    fiscal_year_start: int = 1,
    min_group_size: int = MIN_GROUP_SIZE,
) -> Dataset:
    """What a report reads from a database, its filters pushed down to the database.

    ``data`` names a database (:func:`cslib.data.sources.is_database`) or is an
    open source. A QBR reads its
    customer's rows up to the period's last month, plus the segment's usage of
    that month for the anonymized benchmark; a segment review its segment's
    accounts; the board pack every account, up to the period's last month.

    Raises
    ------
    ParameterError
        If the account or segment is not in the database.
    """
    source = data if isinstance(data, SqlSource) else open_source(data)
    last = source.coverage()[1]
    month = min(period_or_latest(period, last, fiscal_year_start_month=fiscal_year_start)
                .last_month, last)
    # One month past the period: whether a renewal due in its last month renewed is
    # read from the month after, as a CSV folder (read whole) tells it.
    until = min(month + 1, last)
    if kind == "customer" and account_id.strip():
        part = source.read(account_ids=[account_id], until=until)
        if part.accounts.empty:
            raise ParameterError(f"`account_id` {account_id!r} is not in the accounts of "
                                 f"{source.name}.")
        seg = str(part.accounts["segment"].iloc[0])  # one row: account_id is unique
        benchmarks = benchmarks_from_usage(source.segment_usage(seg, month), seg,
                                           account_id=account_id, month=month,
                                           min_group_size=min_group_size)
        return part.scoped(Scope("customer", account_id, benchmarks))
    if kind == "segment" and segment.strip():
        known = source.segments()
        if segment not in known:
            raise ParameterError(f"`segment` must be one of {', '.join(map(repr, known))}; "
                                 f"got {segment!r}.")
        return source.read(segment=segment, until=until).scoped(Scope("segment", segment))
    if kind == "book" and group.strip():
        if group_by not in source.account_columns() or group_by == "account_id":
            raise ParameterError(f"`group_by` must be a column of accounts of {source.name}, "
                                 f"got {group_by!r}.")
        known = source.segments(group_by)
        if group not in known:
            raise ParameterError(f"`group` must be one of {', '.join(map(repr, known[:20]))}; "
                                 f"got {group!r}.")
        return source.read(segment=group, group_by=group_by, until=until).scoped(
            Scope("book", group, column=group_by))
    return source.read(until=until)
