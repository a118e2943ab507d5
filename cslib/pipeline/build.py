"""The two entry points: a whole plan (``cslib build``) and one notebook (``cslib render``).

:func:`build_plan` runs a plan for a period into ``<output>/<run>/<period>/``
(:mod:`cslib.pipeline.runs`: one folder per dataset) with an ``index.html``
and a ``build.json`` ledger, and lists the run in ``<output>/index.html``;
:func:`render_notebook` builds one document from one notebook. Both go
through the same gate: every job's scope parameters made explicit, its
slice cut (:mod:`cslib.pipeline.scope`), its document checked before it
is written (:mod:`cslib.pipeline.guard`). The data and the plan are
validated before anything is written; a failing document does not stop the
others.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cslib.data.dataset import Dataset
from cslib.data.sources import is_database, open_source
from cslib.errors import CslibError, OutputError, ParameterError
from cslib.execute.parameters import check_parameters, effective_parameters
from cslib.metrics.summary import check_period
from cslib.names import slugify
from cslib.periods import Period, period_or_latest
from cslib.pipeline.executors import make_executor
from cslib.pipeline.guard import accept
from cslib.pipeline.index import portfolio_facts, write_index
from cslib.pipeline.jobs import BuildResult, Built, Outcome
from cslib.pipeline.leaks import LeakScanner
from cslib.pipeline.ledger import (
    cache_key,
    journal,
    library_fingerprint,
    read_ledger,
    read_or_missing,
    sweep,
)
from cslib.pipeline.output import OutputLock, prepare_output
from cslib.pipeline.plan import DEFAULT_FORMATS, Job, Plan, absolute_paths, expand
from cslib.pipeline.progress import Echo, Progress
from cslib.pipeline.runs import run_dir, run_name, write_runs_index
from cslib.pipeline.scope import Slicer, scope_of
from cslib.pipeline.signals import Terminated, signals_deferred, stop_on_sigterm
from cslib.pipeline.worker import build_job, job_secrets
from cslib.present.locale import use_locale
from cslib.present.report import choose, report_slice, resolve_data
from cslib.render import FORMATS

__all__ = [
    "SAME_FAILURES",
    "build_plan",
    "render_notebook",
    "resolve_period",
    "same_failure",
]

#: A build stops when this many documents have finished, every one failed the same way.
SAME_FAILURES = 10




def resolve_period(plan: Plan, dataset: Any, period: str | None) -> Period:
    """The period to build: the option, else the plan's, else the latest complete quarter."""
    p = period_or_latest(period or plan.period, dataset.last_month,
                         fiscal_year_start_month=plan.fiscal_year_start)
    check_period(dataset, p)
    return p




def _complete(job: Job) -> Job:
    """``job`` with every part's scope parameters made explicit (:func:`effective_parameters`)."""
    parts = tuple((notebook, effective_parameters(notebook, params))
                  for notebook, params in job.parts)
    return dataclasses.replace(job, parts=parts)


def build_plan(
    plan: Plan,
    *,
    period: str | None = None,
    backend: str | None = None,
    quarto: str | None = None,
    only: Sequence[str] = (),
    workers: int | None = None,
    executor: str = "local",
    force: bool = False,
    retry_failed: bool = False,
    fail_fast: bool = False,
    scheduler: str | None = None,
    timeout: float | None = None,
    echo: Echo | None = None,
    dry_run: bool = False,
    max_same_failures: int | None = None,
) -> BuildResult:
    """Build every document of ``plan`` for ``period`` into ``<plan.output>/<run>/<period>/``.

    Parameters
    ----------
    plan : Plan
        A validated plan (:func:`cslib.pipeline.plan.load_plan`).
    period : str, optional
        Overrides the plan's period; default the latest complete quarter in the data.
    backend : {"builtin", "quarto", "auto"}, optional
        Overrides the plan's backend.
    quarto : str, optional
        Path of the Quarto executable.
    only : sequence of str
        Build only the documents whose plan name is listed.
    workers : int, optional
        Documents built at once; default one per core.
    executor : {"local", "kernel", "dask"}
        ``local`` (default): warm workers that fork a fresh process per document
        and run its notebooks in-process with IPython (:mod:`cslib.pipeline.fork`).
        ``kernel``: Papermill with a new Jupyter kernel per notebook. ``dask``:
        the documents built on a Dask cluster (:mod:`cslib.pipeline.cluster`).
    scheduler : str, optional
        The Dask scheduler's address (``tcp://HOST:PORT``) for ``executor="dask"``.
    force : bool
        Rebuild every document, even those whose cache key is unchanged.
    retry_failed : bool
        Rebuild only the documents the last build of this folder failed.
    fail_fast : bool
        Stop at the first failure (documents not started are listed as skipped).
    timeout : float, optional
        Seconds one document may take before it is stopped and failed
        (default: the plan's ``timeout``, else :data:`cslib.pipeline.pool.DEFAULT_TIMEOUT`).
    echo : callable, optional
        Receives one progress line per document. By default a progress bar on
        a terminal, plain lines otherwise (CI logs).
    dry_run : bool
        Build and write nothing: the result lists every document, ``pending``
        (would be built) or ``built`` with ``reused`` (up to date).
    max_same_failures : int, optional
        Stop when this many documents have finished and every one failed in the
        same cell with the same error (a deterministic bug would fail them all);
        0 never stops. The rest are listed as not built. Default: the plan's
        ``max_same_failures``, else :data:`SAME_FAILURES`.

    Returns
    -------
    BuildResult
        One outcome per document. Also after Ctrl-C or SIGTERM
        (``interrupted``, ``terminated``) and after a write error (``error``):
        the ledger and the index then record what was written, and the next
        run builds the rest.

    Raises
    ------
    CslibError
        Before anything is written: bad data, a period outside the data, a
        plan filter naming unknown segments or accounts, unknown parameters.
    OutputError
        Before anything is written: the output folder cannot be created or
        written, or another build is writing into it.
    """
    started = time.perf_counter()
    dataset = resolve_data(plan.data)
    p = resolve_period(plan, dataset, period)
    jobs = expand(plan, dataset, p)
    if only:
        unknown = sorted(set(only) - {d.name for d in plan.documents})
        if unknown:
            raise ParameterError(
                f"--only: no document named {', '.join(unknown)} in {plan.path.name}; "
                f"it has {', '.join(d.name for d in plan.documents)}."
            )
        jobs = [j for j in jobs if j.document in set(only)]
    jobs = [_complete(job) for job in jobs]  # every scope explicit: one gate for all
    for job in jobs:  # refuse unknown parameters before any kernel starts
        for notebook, params in job.parts:
            check_parameters(notebook, params)
    chosen = backend or plan.backend
    if chosen != "builtin":
        from cslib.render.quarto import choose_backend

        chosen = choose_backend(chosen, quarto=quarto)
    out_dir = run_dir(plan.output, plan.data, p.label, run=plan.run)
    if dry_run:
        todo, reused = _todo(jobs, out_dir, dataset, backend=chosen, force=force,
                             retry_failed=retry_failed)
        wanted = {j.key for j in todo}
        outcomes = [reused[j.key] if j.key in reused else
                    Outcome(j.key, j.document, j.title, status="pending") for j in jobs
                    if j.key in wanted or j.key in reused]
        return BuildResult(p.label, out_dir, outcomes, round(time.perf_counter() - started, 2))
    prepare_output(out_dir)
    with OutputLock(out_dir):
        return _build_locked(
            plan, dataset, p, jobs, out_dir, started=started, backend=chosen, quarto=quarto,
            only=only, workers=workers, executor=executor, force=force,
            retry_failed=retry_failed, fail_fast=fail_fast, scheduler=scheduler,
            timeout=timeout or plan.timeout, echo=echo,
            max_same=next(n for n in (max_same_failures, plan.max_same_failures, SAME_FAILURES)
                          if n is not None),
        )


def _todo(jobs: list[Job], out_dir: Path, dataset: Dataset, *, backend: str, force: bool,
          retry_failed: bool) -> tuple[list[Job], dict[str, Outcome]]:
    """The jobs to build, and the outcomes of those up to date (by cache key and files)."""
    previous = read_ledger(out_dir)
    library = library_fingerprint()
    read = functools.lru_cache(maxsize=None)(read_or_missing)  # each file once per build
    todo: list[Job] = []
    reused: dict[str, Outcome] = {}
    for job in jobs:
        key = cache_key(job, data_fingerprint=dataset.fingerprint, library=library,
                        backend=backend, read=read)
        before = previous.get(job.key)
        current = (
            before is not None and before.status == "built" and before.cache_key == key
            and all((out_dir / f).is_file() for f in before.files.values())
        )
        wanted = (before is None or before.status != "built") if retry_failed else not current
        if force or wanted:
            todo.append(job)
        elif before is not None:
            reused[job.key] = dataclasses.replace(before, reused=True)
    return todo, reused


def _build_locked(
    plan: Plan, dataset: Dataset, p: Period, jobs: list[Job], out_dir: Path, *,
    started: float, backend: str, quarto: str | None, only: Sequence[str],
    workers: int | None, executor: str, force: bool, retry_failed: bool, fail_fast: bool,
    scheduler: str | None, timeout: float, echo: Echo | None, max_same: int,
) -> BuildResult:
    """The part of :func:`build_plan` that runs holding the output folder's lock."""
    sweep(out_dir)
    previous = read_ledger(out_dir)
    library = library_fingerprint()
    read = functools.lru_cache(maxsize=None)(read_or_missing)  # each file once per build
    keys = {j.key: cache_key(j, data_fingerprint=dataset.fingerprint, library=library,
                             backend=backend, read=read) for j in jobs}
    todo, reused = _todo(jobs, out_dir, dataset, backend=backend, force=force,
                         retry_failed=retry_failed)
    outcomes: dict[str, Outcome] = dict(reused)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    progress = Progress(len(todo), echo=echo)
    progress.start(
        f"Building {len(todo)} of {len(jobs)} documents for {p.label} into {out_dir} "
        f"({backend} renderer, {executor} executor, {workers} worker{'s' if workers > 1 else ''}"
        f"; {len(jobs) - len(todo)} up to date)"
    )

    slicer = Slicer(dataset, p.last_month, min_group_size=plan.min_group_size)
    scanner = LeakScanner(dataset.accounts, company=plan.company, ignore=plan.leak_scan_ignore)

    def finish(job: Job, built: Built) -> bool:
        with signals_deferred():  # files written and recorded, or neither
            outcome = accept(built, out_dir, scanner=scanner, allowed=slicer.allowed(job),
                             secrets=job_secrets(job))
            outcome.cache_key = keys[outcome.key]
            outcomes[outcome.key] = outcome
            journal(out_dir, outcome)
        progress.done(outcome)
        finished.append(outcome)
        if outcome.status != "built" and fail_fast:
            return True
        if 0 < max_same <= len(finished) < len(todo) and same_failure(finished):
            stopped_same[0] = True  # a deterministic error: the rest would fail the same way
            return True
        return False

    finished: list[Outcome] = []
    stopped_same = [False]

    interrupted = terminated = False
    error = ""
    try:
        with stop_on_sigterm():
            if todo:
                make_executor(executor, workers=workers, backend=backend, quarto=quarto,
                              timeout=timeout, scheduler=scheduler
                              ).run(todo, finish, slices=slicer.slices)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: keep what is done, say what is not
        interrupted, terminated = True, isinstance(exc, Terminated)
    except OutputError as exc:  # disk full, read-only: stop, record what was written
        error = str(exc)
    finally:
        progress.close()
    with signals_deferred(reraise=False):  # the ledger is written whole: already stopping
        if error:
            why = f"not built: the build stopped: {error}"
        elif interrupted:
            why = ("not built: the build was stopped (SIGTERM)" if terminated
                   else "not built: the build was interrupted")
        elif stopped_same[0]:
            why = (f"not built: the build stopped after the first {len(finished)} documents "
                   "all failed with the same error")
        else:
            why = "not built: the build stopped at a failure"
        for job in jobs:  # not started or not finished
            outcomes.setdefault(job.key, Outcome(job.key, job.document, job.title,
                                                 status="skipped", error=why))
        ordered = [outcomes[j.key] for j in jobs]
        result = BuildResult(p.label, out_dir, ordered, round(time.perf_counter() - started, 2),
                             interrupted=interrupted, terminated=terminated, error=error)
        earlier = [
            o for o in previous.values()
            if only and all((out_dir / f).is_file() for f in o.files.values())
        ]
        try:
            book = slicer.book_figures({"period": p.label, **plan.parameters})
            with use_locale(plan.currency, plan.locale):  # the index's ARR in the plan's money
                facts = portfolio_facts(dataset, p.last_month, book.get("health"))
                write_index(result, plan, earlier=earlier, facts=facts,
                            dataset=plan.run or run_name(plan.data))
            write_runs_index(plan.output)
        except OutputError as exc:  # the journal still holds what was written
            result.error = result.error or str(exc)
    return result


def same_failure(outcomes: Sequence[Outcome]) -> bool:
    """Whether every outcome failed, all in the same cell with the same error."""
    return bool(outcomes) and all(o.status != "built" for o in outcomes) and len(
        {(o.cell, o.error) for o in outcomes}) == 1


def render_notebook(
    notebook: str | Path,
    parameters: Mapping[str, Any],
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
    out_dir: str | Path = ".",
    name: str | None = None,
    backend: str = "builtin",
    quarto: str | None = None,
    pptx_template: str | Path | None = None,
) -> Outcome:
    """Build one document from one notebook (``cslib render``).

    ``pptx_template``: the ``.pptx`` master of the deck when ``formats``
    holds ``"pptx"`` (default: python-pptx's own, 16:9).

    Raises
    ------
    CslibError
        On unknown parameters or formats (before running), or when the
        document fails (with the failing cell and the error's last line).
    """
    path = Path(notebook)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"--to must list formats among {', '.join(FORMATS)}, got {bad}.")
    params = check_parameters(path, parameters)
    params = absolute_paths(params, Path.cwd())  # relative to the caller, not the notebook
    params = effective_parameters(path, params)  # the notebook's defaults decide too
    chosen = backend
    if backend != "builtin":
        from cslib.render.quarto import choose_backend

        chosen = choose_backend(backend, quarto=quarto)
    stem = name or "-".join(
        [path.stem] + [slugify(str(params[k])) for k in ("segment", "account_id", "group")
                       if k in params]
    )
    template = None
    if "pptx" in formats and pptx_template not in (None, ""):
        from cslib.render.pptx import check_template

        template = check_template(str(pptx_template)).resolve()
    job = _complete(Job(stem, path.stem, stem, ((path.resolve(), params),), tuple(formats),
                        pptx_template=template))
    slices, allowed, scanner = _render_scope(job)
    built = build_job(job, slices=slices, backend=chosen, quarto=quarto)
    outcome = accept(built, Path(out_dir), scanner=scanner, allowed=allowed,
                     secrets=job_secrets(job))
    if outcome.status != "built":
        raise CslibError(outcome.error)
    return outcome


def _render_scope(job: Job) -> tuple[tuple[Dataset | None, ...], set[str] | None,
                                      LeakScanner | None]:
    """The slice, the allowed account ids and the leak scanner of a one-notebook job.

    The same gate as a build's: a customer's or a segment's notebook gets its
    slice and its document is scanned; a company report gets the whole data.
    """
    params = job.parts[0][1]
    scope = scope_of(params)
    if scope is None:
        return (), None, None
    data = str(params.get("data", ""))
    company = str(params.get("company", ""))
    if is_database(data):
        # A database: the slice is read with its filters pushed down (the
        # customer's rows only), plus every account's id and name for the leak scan.
        source = open_source(data)
        part = report_slice(
            source, scope[0], period=str(params.get("period") or "").strip(),
            segment=str(params.get("segment", "")), account_id=str(params.get("account_id", "")),
            group_by=scope[1], group=str(params.get("group", "")),
            fiscal_year_start=int(params.get("fiscal_year_start") or 1))
        return ((part,), set(part.accounts["account_id"].astype(str)),
                LeakScanner(source.account_names(), company=company))
    dataset = resolve_data(data)
    _, column, value = scope  # the notebook would check these too, but only after running
    if column not in dataset.accounts.columns:
        raise ParameterError(f"`group_by` must be a column of accounts, got {column!r}.")
    choose(value, sorted(dataset.accounts[column].dropna().astype(str).unique()),
           name={"account_id": "account_id", "segment": "segment"}.get(column, "group"))
    p = period_or_latest(str(params.get("period") or ""), dataset.last_month,
                         fiscal_year_start_month=int(params.get("fiscal_year_start") or 1))
    check_period(dataset, p)
    slicer = Slicer(dataset, p.last_month)
    return slicer.slices(job), slicer.allowed(job), LeakScanner(dataset.accounts, company=company)
