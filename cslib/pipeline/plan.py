"""Report plans: which notebooks to build, fanned out over what, in which formats.

A plan is a YAML file (``params/quarterly.yaml`` is the default one ``make
reports`` builds). It is validated like data: an unknown key, a wrong type, a
notebook that does not exist or a filter that makes no sense is a
:class:`~cslib.errors.ConfigError` naming the file and the key, before any
notebook runs. Relative paths in a plan are relative to the plan file's folder.

Example::

    company: Larkspur Analytics
    data: sample                 # a dataset folder, or "sample"
    output: ../reports           # documents go to <output>/<run>/<period>/
    run: larkspur                # optional: the <run> folder (default the dataset's name)
    formats: [html, pdf]         # also pptx: a deck per document (cslib.render.pptx)
    pptx_template: qbr-template.pptx   # optional: the deck's .pptx master
    documents:
      - name: board-pack
        notebook: ../notebooks/board_pack.ipynb
        sections:                # more notebooks under the same cover
          - notebook: ../notebooks/segment_review.ipynb
            for_each: segment
      - name: qbr
        notebook: ../notebooks/customer_qbr.ipynb
        for_each: account
        accounts:
          renewing_within_quarters: 2

Numbers are whole numbers (``true`` is not one, nor ``2.5``), within bounds:
``fiscal_year_start`` 1..12, ``min_group_size`` at least 2, ``top_arr`` at
least 1, ``renewing_within_days`` 1..3660 and ``renewing_within_quarters``
1..40 (ten years ahead at most). A key given twice anywhere in the file is
refused (:func:`cslib.settings.read_yaml`), never silently last-one-wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cslib.data.dataset import Dataset
from cslib.errors import ConfigError, ParameterError, PeriodError
from cslib.execute.qmd import NOTEBOOK_SUFFIXES
from cslib.metrics.benchmarks import MIN_GROUP_SIZE
from cslib.metrics.risk import paying_accounts
from cslib.names import slugify, unique_slugs
from cslib.periods import Period
from cslib.render import FORMATS
from cslib.render.quarto import BACKENDS
from cslib.settings import check_keys, did_you_mean, read_yaml, whole_number

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "AccountFilter",
    "DocumentSpec",
    "Job",
    "Plan",
    "SectionSpec",
    "expand",
    "load_plan",
]

#: What a plan builds when it names no formats (a deck is asked for: ``formats: [..., pptx]``).
DEFAULT_FORMATS = ("html", "pdf")
#: The fan-outs with their own parameter; any other column of ``accounts`` (``csm``,
#: ``region``, ``plan``, an extra column) fans out a book per value (``group_by``, ``group``).
FAN_OUT = ("segment", "account")
_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: Columns that cannot be fanned out: one document per account is ``for_each: account``.
NOT_FANNED = ("account_id", "name")
#: Seconds a document may take before the build stops it (a plan's ``timeout``).
DEFAULT_TIMEOUT = 600.0
#: The longest ``timeout`` a plan may set: a day.
MAX_TIMEOUT = 86400.0
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: The farthest renewal window an account filter may look ahead: ten years.
MAX_RENEWAL_DAYS = 3660
MAX_RENEWAL_QUARTERS = 40


@dataclass(frozen=True)
class AccountFilter:
    """Which accounts a customer document is built for (all conditions must hold).

    Attributes
    ----------
    segments : tuple of str
        Only accounts of these segments.
    renewing_within_days : int, optional
        Renewal date within this many days after the period's last day.
    renewing_within_quarters : int, optional
        Renewal date within the this-many quarters (3 months each) after the
        period's last month.
    top_arr : int, optional
        Only the largest accounts by ARR at the period's end.
    ids : tuple of str
        Only these account ids (each must exist).
    paying : bool
        Only accounts paying in the period's last month (default true).
    """

    segments: tuple[str, ...] = ()
    renewing_within_days: int | None = None
    renewing_within_quarters: int | None = None
    top_arr: int | None = None
    ids: tuple[str, ...] = ()
    paying: bool = True

    KEYS = ("segments", "renewing_within_days", "renewing_within_quarters", "top_arr", "ids",
            "paying")

    def select(self, dataset: Dataset, period: Period, *, where: str) -> list[str]:
        """The account ids chosen, largest ARR first (ties by id).

        Raises
        ------
        ConfigError
            If a listed id or segment is not in the data.
        """
        acc = dataset.accounts.set_index("account_id")
        ids = pd.Index(acc.index.astype(str))
        if self.ids:
            unknown = [i for i in self.ids if i not in set(ids)]
            if unknown:
                raise ConfigError(f"{where}.ids: not in accounts: {', '.join(unknown[:5])}.")
            ids = pd.Index(list(self.ids))
        if self.segments:
            known = set(acc["segment"].astype(str))
            bad = [s for s in self.segments if s not in known]
            if bad:
                raise ConfigError(
                    f"{where}.segments: {', '.join(bad)} not in the data "
                    f"(segments: {', '.join(sorted(known))})."
                )
            ids = ids[acc.loc[ids, "segment"].astype(str).isin(self.segments).to_numpy()]
        mrr = paying_accounts(dataset.mrr, month=period.last_month)
        if self.paying:
            ids = ids[ids.isin(mrr.index)]
        if self.renewing_within_days is not None or self.renewing_within_quarters is not None:
            if "renewal_date" not in acc:
                raise ConfigError(f"{where}: a renewal filter needs accounts.renewal_date.")
            renewal = pd.to_datetime(acc.loc[ids, "renewal_date"])
            start = period.last_day
            if self.renewing_within_days is not None:
                end = start + pd.Timedelta(days=self.renewing_within_days)
            else:  # the next N quarters after the period: 3N months after its last month
                months = 3 * int(self.renewing_within_quarters or 0)
                end = (period.last_month + months).end_time.normalize()
            keep = (renewal > start) & (renewal <= end)
            ids = ids[keep.to_numpy()]
        arr = mrr.reindex(ids).fillna(0.0)
        order = pd.DataFrame({"id": ids, "arr": arr.to_numpy()})
        order = order.sort_values(["arr", "id"], ascending=[False, True])
        if self.top_arr is not None:
            order = order.head(self.top_arr)
        return list(order["id"])


@dataclass(frozen=True)
class SectionSpec:
    """A notebook built under another document's cover, once per segment or account."""

    notebook: Path
    for_each: str
    segments: tuple[str, ...] = ()
    accounts: AccountFilter = field(default_factory=AccountFilter)


@dataclass(frozen=True)
class DocumentSpec:
    """One entry of a plan's ``documents``."""

    name: str
    notebook: Path
    title: str = ""
    for_each: str | None = None
    segments: tuple[str, ...] = ()
    accounts: AccountFilter = field(default_factory=AccountFilter)
    sections: tuple[SectionSpec, ...] = ()
    formats: tuple[str, ...] = DEFAULT_FORMATS
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A validated report plan."""

    path: Path
    company: str
    data: str
    output: Path
    documents: tuple[DocumentSpec, ...]
    period: str = ""
    fiscal_year_start: int = 1
    formats: tuple[str, ...] = DEFAULT_FORMATS
    backend: str = "builtin"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    min_group_size: int = MIN_GROUP_SIZE
    leak_scan_ignore: tuple[str, ...] = ()
    pptx_template: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    currency: str = ""
    locale: str = ""
    run: str = ""
    max_same_failures: int | None = None


@dataclass(frozen=True)
class Job:
    """One document to build: its notebooks with their parameters, and where it goes.

    ``key`` is the document's path under the period folder without extension
    (``"qbr/a0003-quillon-financial"``); ``parts[0]`` is the main notebook.
    """

    key: str
    document: str
    title: str
    parts: tuple[tuple[Path, dict[str, Any]], ...]
    formats: tuple[str, ...]
    pptx_template: Path | None = None  # the deck's template, for the pptx format


# Reading -------------------------------------------------------------------
def _str(value: object, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ConfigError(f"{where} must be a non-empty string, got {value!r}.")
    return value


def _int(value: object, where: str, *, low: int = 0, high: int | None = None) -> int:
    return whole_number(value, where=where, low=low, high=high)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{where} must be a list of strings, got {value!r}.")
    return tuple(str(v) for v in value)


def _formats(value: object, where: str) -> tuple[str, ...]:
    formats = _strings(value, where)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ConfigError(f"{where}: formats must be among {', '.join(FORMATS)}, got {value!r}.")
    return tuple(dict.fromkeys(formats))


def _pptx_template(value: object, base: Path, where: str) -> Path | None:
    """``pptx_template``: a .pptx file relative to the plan's folder, checked it opens."""
    if value in (None, ""):
        return None
    from cslib.render.pptx import check_template  # python-pptx only when a plan names one

    try:
        return check_template(base / _str(value, f"{where}: pptx_template")).resolve()
    except ParameterError as exc:
        raise ConfigError(f"{where}: pptx_template: {exc}") from None


def _notebook(value: object, base: Path, where: str) -> Path:
    path = (base / _str(value, where)).resolve()
    if path.suffix.lower() not in NOTEBOOK_SUFFIXES:
        raise ConfigError(f"{where}: {value!r} must be a Jupyter notebook (.ipynb) or a Quarto "
                          "document (.qmd).")
    if not path.is_file():
        raise ConfigError(f"{where}: no such notebook {value!r} (looked for {path}).")
    return path


#: Parameters that name files: relative values are read from the plan file's folder.
PATH_PARAMETERS = ("data", "health_config", "risk_config")


def absolute_paths(params: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """``params`` with relative file parameters made absolute against ``base``.

    Notebooks run in their own folder, not the plan's or the caller's, so a
    relative ``data`` or ``health_config`` must be resolved before they start;
    ``"sample"``, empty values and URLs are left as they are.
    """
    out = dict(params)
    for key in PATH_PARAMETERS:
        value = out.get(key)
        if isinstance(value, str) and value not in ("", "sample") and "://" not in value:
            out[key] = str((base / Path(value).expanduser()).resolve())
    return out


def _params(value: object, where: str, base: Path) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must map parameter names to values, got {value!r}.")
    out = {}
    for k, v in value.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise ConfigError(f"{where}: {k!r} is not a valid parameter name.")
        if not isinstance(v, str | int | float | bool):
            raise ConfigError(f"{where}.{k} must be a string, number or true/false, got {v!r}.")
        out[k] = v
    return absolute_paths(out, base)


def _accounts(value: object, where: str) -> AccountFilter:
    spec = check_keys(value, AccountFilter.KEYS, where=where)
    days = spec.get("renewing_within_days")
    quarters = spec.get("renewing_within_quarters")
    if days is not None and quarters is not None:
        raise ConfigError(
            f"{where}: give renewing_within_days or renewing_within_quarters, not both."
        )
    paying = spec.get("paying", True)
    if not isinstance(paying, bool):
        raise ConfigError(f"{where}.paying must be true or false, got {paying!r}.")
    return AccountFilter(
        segments=_strings(spec.get("segments", []), f"{where}.segments"),
        renewing_within_days=_int(days, f"{where}.renewing_within_days", low=1,
                                  high=MAX_RENEWAL_DAYS) if days is not None else None,
        renewing_within_quarters=_int(quarters, f"{where}.renewing_within_quarters", low=1,
                                      high=MAX_RENEWAL_QUARTERS) if quarters is not None else None,
        top_arr=_int(spec["top_arr"], f"{where}.top_arr", low=1) if "top_arr" in spec else None,
        ids=_strings(spec.get("ids", []), f"{where}.ids"),
        paying=paying,
    )


def _fan_out(spec: Mapping[str, Any], where: str, *, required: bool) -> str | None:
    value = spec.get("for_each")
    if value is None:
        if required:
            raise ConfigError(f"{where}.for_each is required (segment, account, or a column "
                              "of accounts such as csm).")
        return None
    if not isinstance(value, str) or not _COLUMN.match(value) or value in NOT_FANNED:
        raise ConfigError(f"{where}.for_each must be segment, account, or a column of accounts "
                          f"(csm, region, plan, ...) other than {' or '.join(NOT_FANNED)}, "
                          f"got {value!r}.")
    if "accounts" in spec and value != "account":
        raise ConfigError(f"{where}.accounts only applies with for_each: account.")
    if "segments" in spec and value != "segment":
        raise ConfigError(f"{where}.segments only applies with for_each: segment.")
    return str(value)


def _section(value: object, base: Path, where: str) -> SectionSpec:
    spec = check_keys(value, _SECTION_KEYS, where=where)
    for_each = _fan_out(spec, where, required=True)
    return SectionSpec(
        notebook=_notebook(spec.get("notebook"), base, f"{where}.notebook"),
        for_each=str(for_each),
        segments=_strings(spec.get("segments", []), f"{where}.segments"),
        accounts=_accounts(spec.get("accounts", {}), f"{where}.accounts"),
    )


_SECTION_KEYS = ("notebook", "for_each", "segments", "accounts")
_DOC_KEYS = ("name", "title", "notebook", "for_each", "segments", "accounts", "sections", "formats",
             "parameters")
_PLAN_KEYS = ("company", "data", "output", "period", "fiscal_year_start", "formats", "backend",
              "min_group_size", "leak_scan_ignore", "pptx_template", "parameters", "documents",
              "timeout", "currency", "locale", "run",
              "max_same_failures")


def _timeout(value: object, where: str) -> float:
    """``timeout``: seconds one document may take, 1 to a day."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not 1 <= value <= MAX_TIMEOUT:  # type: ignore[operator]
        raise ConfigError(f"{where}: timeout must be a number of seconds between 1 and "
                          f"{MAX_TIMEOUT:g}, got {value!r}.")
    return float(value)  # type: ignore[arg-type]


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file.

    Raises
    ------
    ConfigError
        Naming the file and the key, on any unknown key or bad value.
    """
    path = Path(path)
    raw = read_yaml(path)
    where = str(path)
    top = check_keys(raw, _PLAN_KEYS, where=where)
    base = path.resolve().parent
    for key in ("company", "documents"):
        if key not in top:
            raise ConfigError(f"{where}: `{key}` is required.")
    formats = _formats(top.get("formats", list(DEFAULT_FORMATS)), f"{where}: formats")
    backend = top.get("backend", "builtin")
    if backend not in BACKENDS:
        raise ConfigError(
            f"{where}: backend must be one of {', '.join(BACKENDS)}, got {backend!r}."
        )
    fys = _int(top.get("fiscal_year_start", 1), f"{where}: fiscal_year_start", low=1, high=12)
    period = top.get("period", "")
    if period not in ("", None):
        try:  # fail early on a bad label
            Period.parse(str(period), fiscal_year_start_month=fys)
        except PeriodError as exc:
            raise ConfigError(f"{where}: period: {exc}") from None
    data = _str(top.get("data", "sample"), f"{where}: data")
    if data != "sample" and "://" not in data:  # a folder or database file, not a URL
        data = str((base / data).resolve())
    docs_raw = top["documents"]
    if not isinstance(docs_raw, list) or not docs_raw:
        raise ConfigError(f"{where}: documents must be a non-empty list.")
    documents = []
    names: set[str] = set()
    for i, item in enumerate(docs_raw):
        w = f"{where}: documents[{i}]"
        spec = check_keys(item, _DOC_KEYS, where=w)
        name = _str(spec.get("name"), f"{w}.name")
        if not _NAME.match(name):
            raise ConfigError(
                f"{w}.name must be lowercase letters, digits and dashes (a file name), "
                f"got {name!r}."
            )
        if name in names:
            raise ConfigError(f"{w}.name {name!r} is used twice.")
        names.add(name)
        for_each = _fan_out(spec, w, required=False)
        sections = spec.get("sections", [])
        if not isinstance(sections, list):
            raise ConfigError(f"{w}.sections must be a list.")
        if sections and for_each:
            raise ConfigError(f"{w}: a document with sections cannot also use for_each.")
        documents.append(
            DocumentSpec(
                name=name,
                title=_str(spec["title"], f"{w}.title") if "title" in spec
                else name.replace("-", " ").capitalize(),
                notebook=_notebook(spec.get("notebook"), base, f"{w}.notebook"),
                for_each=for_each,
                segments=_strings(spec.get("segments", []), f"{w}.segments"),
                accounts=_accounts(spec.get("accounts", {}), f"{w}.accounts"),
                sections=tuple(
                    _section(s, base, f"{w}.sections[{j}]") for j, s in enumerate(sections)
                ),
                formats=_formats(spec["formats"], f"{w}.formats") if "formats" in spec
                else formats,
                parameters=_params(spec.get("parameters", {}), f"{w}.parameters", base),
            )
        )
    return Plan(
        path=path.resolve(),
        company=_str(top["company"], f"{where}: company"),
        data=data,
        output=(base / _str(top.get("output", "reports"), f"{where}: output")).resolve(),
        documents=tuple(documents),
        period=str(period or ""),
        fiscal_year_start=fys,
        formats=formats,
        backend=str(backend),
        parameters=_params(top.get("parameters", {}), f"{where}: parameters", base),
        min_group_size=_int(top.get("min_group_size", MIN_GROUP_SIZE), f"{where}: min_group_size",
                            low=2),
        leak_scan_ignore=_strings(top.get("leak_scan_ignore", []), f"{where}: leak_scan_ignore"),
        pptx_template=_pptx_template(top.get("pptx_template"), base, where),
        timeout=_timeout(top.get("timeout", DEFAULT_TIMEOUT), where),
        **_money_locale(top, where),
        run=_run(top.get("run"), where),
        max_same_failures=None if top.get("max_same_failures") is None
        else _int(top["max_same_failures"], f"{where}: max_same_failures"),
    )


def _run(value: Any, where: str) -> str:
    """The plan's ``run``: the folder under ``output`` its runs go to (default the dataset's)."""
    if value is None:
        return ""
    run = _str(value, f"{where}: run")
    if not _NAME.match(run):
        raise ConfigError(f"{where}: run must be lowercase letters, digits and dashes "
                          f"(a folder name), got {run!r}.")
    return run


def _money_locale(top: Mapping[str, Any], where: str) -> dict[str, str]:
    """The plan's ``currency`` and ``locale`` (checked; absent ones are left out)."""
    from cslib.present.locale import conventions

    out = {k: _str(top[k], f"{where}: {k}") for k in ("currency", "locale") if k in top}
    try:
        conv = conventions(out.get("currency", ""), out.get("locale", ""))
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None
    return {k: getattr(conv, k) for k in out}


# Fan-out -------------------------------------------------------------------
def _segments(dataset: Dataset, wanted: Sequence[str], where: str) -> list[str]:
    known = sorted(dataset.accounts["segment"].astype(str).unique())
    if not wanted:
        return known
    bad = [s for s in wanted if s not in known]
    if bad:
        raise ConfigError(
            f"{where}: segments {', '.join(bad)} not in the data ({', '.join(known)})."
        )
    return list(wanted)


def _column_values(dataset: Dataset, column: str, where: str) -> list[str]:
    """The distinct values of an account column, as text, sorted (no value: in no book)."""
    acc = dataset.accounts
    if column not in acc.columns:
        cols = [c for c in acc.columns if c not in NOT_FANNED]
        hint = did_you_mean(column, cols, code=True) or (
            " One document per customer is `for_each: account`."
            if column.lower().startswith(("customer", "client", "account")) else "")
        raise ConfigError(
            f"{where}.for_each: {column!r} is not a column of accounts "
            f"(columns: {', '.join(cols)}).{hint}"
        )
    text = acc[column].dropna().astype(str)
    values = sorted(set(text[text.str.strip() != ""]))
    if not values:
        raise ConfigError(f"{where}.for_each: accounts.{column} has no values to fan out over.")
    return values


def _targets(
    dataset: Dataset, period: Period, for_each: str, segments: Sequence[str],
    accounts: AccountFilter, where: str,
) -> list[tuple[str, dict[str, Any], str]]:
    """(slug, fan-out parameters, title) for each segment, account or column value.

    Slugs are made unique over every segment or account id of the dataset,
    not only those chosen, so a document keeps its file name from one build
    to the next whatever the filters ("A-1" and "a_1" get different files).
    """
    if for_each == "segment":
        names = _segments(dataset, segments, where)
        slugs = unique_slugs(sorted(dataset.accounts["segment"].astype(str).unique()))
        return [(slugs[s], {"segment": s}, s) for s in names]
    if for_each != "account":
        values = _column_values(dataset, for_each, where)
        slugs = unique_slugs(values)
        return [(slugs[v], {"group_by": for_each, "group": v}, v) for v in values]
    names = dataset.accounts.set_index("account_id")["name"].astype(str)
    ids = unique_slugs(list(names.index.astype(str)), limit=20)
    return [
        (f"{ids[a]}-{slugify(names[a], limit=40)}", {"account_id": a}, names[a])
        for a in accounts.select(dataset, period, where=f"{where}.accounts")
    ]


def expand(plan: Plan, dataset: Dataset, period: Period) -> list[Job]:
    """The documents a plan builds for ``period`` on ``dataset``, in plan order.

    Every notebook gets ``company``, ``data``, ``period`` and
    ``fiscal_year_start``, then the plan's and the document's ``parameters``,
    then its fan-out parameters (``segment``, ``account_id``, or ``group_by`` and
    ``group`` for any other column of ``accounts``: one book per CSM).
    """
    common: dict[str, Any] = {
        "company": plan.company,
        "data": plan.data,
        "period": period.label,
        "fiscal_year_start": plan.fiscal_year_start,
        **{k: v for k, v in (("currency", plan.currency), ("locale", plan.locale)) if v},
        **plan.parameters,
    }
    jobs: list[Job] = []
    for doc in plan.documents:
        where = f"{plan.path.name}: {doc.name}"
        base = {**common, **doc.parameters}
        if doc.for_each is None:
            parts: list[tuple[Path, dict[str, Any]]] = [(doc.notebook, dict(base))]
            for section in doc.sections:
                for _, extra, _ in _targets(dataset, period, section.for_each, section.segments,
                                            section.accounts, where):
                    parts.append((section.notebook, {**base, **extra}))
            jobs.append(Job(doc.name, doc.name, doc.title, tuple(parts), doc.formats,
                            pptx_template=plan.pptx_template))
            continue
        for slug, extra, title in _targets(dataset, period, doc.for_each, doc.segments,
                                           doc.accounts, where):
            jobs.append(Job(f"{doc.name}/{slug}", doc.name, title,
                            ((doc.notebook, {**base, **extra}),), doc.formats,
                            pptx_template=plan.pptx_template))
    return jobs
