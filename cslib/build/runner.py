"""Build documents: execute notebooks, assemble, render, write atomically, index.

:func:`build_plan` runs a whole plan for a period into ``<output>/<period>/``
with an ``index.html`` linking every document and showing its status and a
``build.json`` ledger; :func:`render_notebook` builds one document from one
notebook. The data and the plan are validated before anything is written; a
failing document does not stop the others, and its executed notebook is kept
under ``_failed/`` for debugging.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import nbformat

from cslib.build.assemble import assemble
from cslib.build.document import Document
from cslib.build.execute import ExecutionError, check_parameters, notebook_parameters
from cslib.build.leaks import LeakScanner, html_text, pdf_text, pptx_text
from cslib.build.output import OutputLock, append_durably, prepare_output, write_atomic
from cslib.build.plan import DEFAULT_FORMATS, FORMATS, Job, Plan, absolute_paths, expand, slugify
from cslib.build.pool import DEFAULT_TIMEOUT, Terminated, signals_deferred, stop_on_sigterm
from cslib.data.dataset import Dataset
from cslib.data.scope import Slicer
from cslib.data.sources import is_database, open_source, report_slice
from cslib.errors import CslibError, OutputError, ParameterError
from cslib.metrics.summary import check_period
from cslib.periods import Period, latest_complete_quarter
from cslib.present.report import choose, resolve_data
from cslib.secrets import mask_parameters, mask_text, secret_literals

__all__ = [
    "BuildResult",
    "Built",
    "Outcome",
    "accept",
    "build_job",
    "build_plan",
    "render_document",
    "render_notebook",
    "write_atomic",
]

Echo = Callable[[str], None]
#: What a document's outcome can say: built, failed (its own error, a leak, a timeout),
#: crashed (the process building it died, twice), skipped (the build stopped first).
STATUSES = ("built", "failed", "crashed", "skipped")
#: The parameters that decide which data a notebook may see and whom it may name.
GATE_PARAMETERS = ("data", "account_id", "segment", "company")


@dataclass
class Outcome:
    """What happened to one document of a build."""

    key: str
    document: str
    title: str
    status: str = "pending"
    files: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""
    cell: int | None = None
    parameters: list[dict[str, str]] = field(default_factory=list)
    cache_key: str = ""
    reused: bool = False


@dataclass
class Built:
    """A document built but not yet written: its outcome and the bytes of each format.

    Executors (local forks, kernels, Dask workers) return this to the build's
    own process, which alone scans documents for leaks and writes them
    (:func:`accept`).
    """

    outcome: Outcome
    files: dict[str, bytes] = field(default_factory=dict)
    failed_notebook: bytes | None = None
    chart_text: str = ""
    scopes: tuple[tuple[str, str], ...] = ()


@dataclass
class BuildResult:
    """A finished build: its period, output folder and one outcome per document."""

    period: str
    out_dir: Path
    outcomes: list[Outcome]
    seconds: float
    interrupted: bool = False
    terminated: bool = False
    error: str = ""

    @property
    def failed(self) -> list[Outcome]:
        """The documents that could not be built."""
        return [o for o in self.outcomes if o.status != "built"]


def render_document(doc: Document, fmt: str, *, pptx_template: Path | None = None) -> bytes:
    """The bytes of ``doc`` in ``fmt`` (``"html"``, ``"pdf"`` or ``"pptx"``), built-in renderers.

    ``pptx_template``: the ``.pptx`` master a deck is styled with (default:
    python-pptx's own, 16:9); see :mod:`cslib.build.pptx`.
    """
    if fmt == "pptx":
        from cslib.build.pptx import render_pptx

        return render_pptx(doc, template=pptx_template)
    if fmt == "html":
        from cslib.build.html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        from cslib.build.pdf import render_pdf

        return render_pdf(doc)
    raise ParameterError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}.")


def _merged_notebook(parts: Sequence[nbformat.NotebookNode], titles: Sequence[str]) -> Any:
    """One notebook holding several executed parts (for Quarto), a heading per section."""
    merged = nbformat.v4.new_notebook(metadata=parts[0].metadata)
    merged.cells = list(parts[0].cells)
    for nb, title in zip(parts[1:], titles[1:], strict=True):
        merged.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
        merged.cells += [
            c for c in nb.cells if c.cell_type != "raw"  # a section's .qmd front matter
            and not {"parameters", "injected-parameters"}
            & set(c.get("metadata", {}).get("tags", []))
        ]
    return merged


def _kernel_fault(exc: BaseException) -> bool:
    """A fault of the Jupyter machinery (worth one more try), not of the report or renderer.

    A cell that ran out of time is not: it would hang again.
    """
    if type(exc).__name__ == "CellTimeoutError":
        return False
    module = type(exc).__module__ or ""
    return module.startswith(("nbclient", "jupyter_client", "zmq")) or isinstance(
        exc, TimeoutError | ConnectionError
    )


def _hand_over(part: Dataset, folder: Path, executor: str) -> str:
    """Give a notebook its slice of the data; returns the ``data`` parameter naming it."""
    if executor == "inprocess":  # this fresh process: the slice in memory, nothing on disk
        from cslib.present.report import register_dataset

        register_dataset(str(folder), part)
    else:  # a kernel is another process: a private folder of Parquet files
        from cslib.data.scope import write_slice

        write_slice(part, folder)
    return str(folder)


def _chart_text(doc: Document) -> str:
    """The text drawn in the document's charts (their SVGs hold it as paths)."""
    return "\n".join(t for block in doc.blocks if block.get("type") == "figure"
                     for t in block.get("texts", ()))


def _payloads(
    job: Job, tmp: Path, built: Built, *, slices: Sequence[Dataset | None], backend: str,
    quarto: str | None, kernel_name: str, executor: str, timeout: float,
) -> dict[str, bytes]:
    """Execute the job's notebooks, assemble the document and render every format."""
    from cslib.build.execute import execute_notebook
    from cslib.build.inprocess import execute_inprocess

    executed: list[nbformat.NotebookNode] = []
    for i, (notebook, params) in enumerate(job.parts):
        kept = tmp / f"part{i}-{notebook.stem}.ipynb"  # executed: a notebook, even from a .qmd
        part = slices[i] if i < len(slices) else None
        if part is not None:  # the notebook gets its slice, never the whole dataset
            params = {**params, "data": _hand_over(part, tmp / f"data{i}", executor)}
        try:
            # Each document runs in its own folder: parallel runs never share files.
            workdir = tmp / f"work{i}"
            workdir.mkdir()
            if executor == "inprocess":
                executed.append(execute_inprocess(notebook, params, output=kept, cwd=workdir))
            else:
                executed.append(execute_notebook(notebook, params, output=kept,
                                                 kernel_name=kernel_name, cwd=workdir,
                                                 timeout=timeout))
        except ExecutionError as exc:
            built.outcome.cell = exc.cell
            if kept.exists():
                built.failed_notebook = kept.read_bytes()
            raise
    doc = assemble(executed, names=[str(nb_path) for nb_path, _ in job.parts])
    built.chart_text = _chart_text(doc)
    built.scopes = doc.scopes
    if backend != "quarto":
        return {fmt: render_document(doc, fmt, pptx_template=job.pptx_template)
                for fmt in job.formats}
    from cslib.build.quarto import render_with_quarto

    merged = tmp / f"{slugify(job.key.replace('/', '-'))}.ipynb"
    titles = [job.title] + [p.get("segment", p.get("account_id", "")) for _, p in job.parts[1:]]
    nbformat.write(_merged_notebook(executed, titles), merged)
    wanted = [f for f in job.formats if f != "pptx"]  # a deck: always from the document
    rendered = render_with_quarto(
        merged, formats=wanted, output_dir=tmp / "out", exe=quarto,
        metadata={"title": f"{doc.meta['title']} {doc.meta['subtitle']}".strip()},
    ) if wanted else {}
    return {fmt: rendered[fmt].read_bytes() if fmt in rendered
            else render_document(doc, fmt, pptx_template=job.pptx_template)
            for fmt in job.formats}


def build_job(
    job: Job,
    *,
    slices: Sequence[Dataset | None] = (),
    backend: str = "builtin",
    quarto: str | None = None,
    kernel_name: str = "python3",
    attempts: int = 2,
    executor: str = "kernel",
    timeout: float = DEFAULT_TIMEOUT,
) -> Built:
    """Build one document (see :class:`~cslib.build.plan.Job`) and return its bytes.

    ``slices[i]``, when given, is the only data the job's ``i``-th notebook
    gets (:mod:`cslib.data.scope`): its ``data`` parameter names that slice.
    Nothing is written to the output folder here; :func:`accept` does that.

    Never raises for a failure of the document itself: the outcome says
    ``failed`` with the error's last line and the failing cell, and the
    executed notebook comes back for ``_failed/``. A fault outside the
    report (a kernel that died or did not start) is tried again, up to
    ``attempts`` times in all; an error raised by the report's own cells is not.
    ``executor`` is ``"kernel"`` (Papermill and a fresh Jupyter kernel) or
    ``"inprocess"`` (IPython in this process; used inside a fresh fork by the
    warm local executor, :mod:`cslib.build.engine`). ``timeout``: seconds a
    cell may run under a kernel (the build's workers also stop a whole
    document at that age, :mod:`cslib.build.pool`); a timeout is not retried.
    """
    secrets = job_secrets(job)
    outcome = Outcome(
        job.key,
        job.document,
        job.title,
        parameters=[{k: str(v) for k, v in mask_parameters(p, secrets).items()}
                    for _, p in job.parts],
    )
    built = Built(outcome)
    hide = list(secrets.values())
    start = time.perf_counter()
    for attempt in range(1, attempts + 1):
        with tempfile.TemporaryDirectory(prefix="cslib-job-") as tmp:
            try:
                built.files = _payloads(job, Path(tmp), built, slices=slices, backend=backend,
                                        quarto=quarto, kernel_name=kernel_name,
                                        executor=executor, timeout=timeout)
                outcome.status, outcome.error = "built", ""
                break
            except CslibError as exc:
                outcome.status, outcome.error = "failed", mask_text(str(exc), hide)
                break
            except Exception as exc:  # a kernel or renderer fault must not stop the batch
                outcome.status = "failed"
                outcome.error = mask_text(f"{type(exc).__name__}: {exc}", hide) + (
                    f" (after {attempt} attempts)" if attempt > 1 else ""
                )
                if not _kernel_fault(exc):
                    break
    outcome.seconds = round(time.perf_counter() - start, 2)
    return built


def job_secrets(job: Job) -> dict[str, str]:
    """The secret parameters of a job's notebooks (name -> value; see cslib.build.execute)."""
    from cslib.build.execute import secret_parameters

    out: dict[str, str] = {}
    for notebook, params in job.parts:
        out.update(secret_parameters(notebook, params))
    return out


def _texts(built: Built) -> dict[str, str]:
    texts = {"chart text": built.chart_text}
    if "html" in built.files:
        texts["HTML"] = html_text(built.files["html"])
    if "pdf" in built.files:
        texts["PDF"] = pdf_text(built.files["pdf"])
    if "pptx" in built.files:
        texts["PPTX"] = pptx_text(built.files["pptx"])
    return texts


def accept(
    built: Built,
    out_dir: Path,
    *,
    scanner: LeakScanner | None = None,
    allowed: set[str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> Outcome:
    """Scan a built document for leaks, then write its files atomically into ``out_dir``.

    With a ``scanner`` and an ``allowed`` set of account ids (a document
    scoped to customers or a segment), the HTML text, the PDF text, the
    deck's text (slides and notes) and the charts' text must name no other
    account; and no document may show the
    value of a secret parameter (nor a URL's password). A document that does
    is failed and not written; so is a customer's or a segment's document
    (its first part's ``open_report`` kind) built without its slice
    (``allowed`` is None). A failed document's executed notebook goes to
    ``out_dir/_failed/``.

    Raises
    ------
    OutputError
        If a file cannot be written (nothing of the document is left half-written).
    """
    outcome = built.outcome
    secrets = {k: v for k, v in (secrets or {}).items() if v}
    lead = built.scopes[0][0] if built.scopes else ""
    if outcome.status == "built" and lead in ("customer", "segment") and allowed is None:
        # A customer's or a segment's document is only ever made from its own slice.
        outcome.status = "failed"
        outcome.error = (f"a {lead} document must be built from its {lead}'s slice of the data, "
                         "and this one was not (a part reports on the whole company?); the "
                         "document was not written")
        built.files = {}
    texts = _texts(built) if outcome.status == "built" and (secrets or allowed is not None) \
        else {}
    spellings = {name: {value, *secret_literals([value])} for name, value in secrets.items()}
    shown = sorted({name for name, values in spellings.items()
                    for text in texts.values() for value in values if value in text})
    if shown:
        outcome.status = "failed"
        outcome.error = (f"secret parameter {', '.join(f'`{n}`' for n in shown)} appears in the "
                         "document; the document was not written")
        built.files = {}
    if outcome.status == "built" and scanner is not None and allowed is not None:
        leaks = scanner.scan(texts, allowed)
        if leaks:
            shown = "; ".join(str(leak) for leak in leaks[:3])
            more = f" and {len(leaks) - 3} more" if len(leaks) > 3 else ""
            outcome.status = "failed"
            outcome.error = mask_text(
                f"leak scan: {shown}{more}; the document was not written (if such a name is "
                "only an ordinary word here, list it under leak_scan_ignore in the plan)"
            )
            built.files = {}
    try:
        for fmt, data in built.files.items():
            write_atomic(out_dir / f"{outcome.key}.{fmt}", data)
            outcome.files[fmt] = f"{outcome.key}.{fmt}"
    except OutputError:  # all of a document's formats, or none: no file the ledger lacks
        for name in outcome.files.values():
            (out_dir / name).unlink(missing_ok=True)
        outcome.files = {}
        raise
    if built.failed_notebook is not None:
        write_atomic(out_dir / "_failed" / f"{outcome.key}.ipynb", built.failed_notebook)
    return outcome


def library_fingerprint() -> str:
    """SHA-256 over the code and templates that turn data into documents, and the pins.

    Any change to ``cslib`` (metrics, tables, charts, renderers, templates) or
    to the pinned dependencies changes it, so every document is rebuilt.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in
                   (".py", ".typ", ".j2", ".css", ".yaml"))
    pins = root.parent / "requirements.txt"
    for path in [*files, *([pins] if pins.is_file() else [])]:
        digest.update(str(path.relative_to(root.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_or_missing(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b"missing"


def _settings_bytes(params: Mapping[str, Any], read: Callable[[Path], bytes]) -> bytes:
    from cslib.present.report import PROJECT_ROOT

    return b"".join(
        read(Path(str(params.get(key) or PROJECT_ROOT / "params" / default)))
        for key, default in (("health_config", "health.yaml"), ("risk_config", "risk.yaml"))
    )


def cache_key(
    job: Job,
    *,
    data_fingerprint: str,
    library: str,
    backend: str,
    read: Callable[[Path], bytes] = _read_or_missing,
) -> str:
    """A content hash of everything a document is built from.

    The notebooks' bytes, the parameters, the data's content fingerprint, the
    settings files the notebooks read, the library and the renderer: if none
    changed, the document on disk is up to date (no timestamps involved).
    ``read`` reads a file (a build passes one that reads each file once).
    """
    digest = hashlib.sha256()
    for notebook, params in job.parts:
        digest.update(read(Path(notebook)))
        digest.update(json.dumps(params, sort_keys=True, default=str).encode())
        digest.update(_settings_bytes(params, read))
    digest.update(json.dumps([job.formats, backend, data_fingerprint, library]).encode())
    if "pptx" in job.formats and job.pptx_template is not None:
        digest.update(read(Path(job.pptx_template)))
    return digest.hexdigest()[:20]


#: One line per document finished by a build still running (or killed): what build.json
#: will say once the build ends. The next build reads it, so no finished work is lost.
JOURNAL = ".build-journal.jsonl"


def _ledger(out_dir: Path) -> dict[str, Outcome]:
    """The last recorded outcome of each document.

    ``build.json``, then the journal of a build that never finished (killed);
    a torn last line is ignored.
    """
    out: dict[str, Outcome] = {}
    try:
        documents = json.loads((out_dir / "build.json").read_text(encoding="utf-8"))["documents"]
        out = {d["key"]: Outcome(**d) for d in documents}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        lines = (out_dir / JOURNAL).read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            d = json.loads(line)
            out[d["key"]] = Outcome(**d)
        except (ValueError, KeyError, TypeError):
            continue
    return out


def _journal(out_dir: Path, outcome: Outcome) -> None:
    """Append one finished document to the journal (after its files are written)."""
    append_durably(out_dir / JOURNAL, (json.dumps(asdict(outcome)) + "\n").encode("utf-8"))


def _sweep(out_dir: Path) -> None:
    """Remove temporary files that a killed build left half-written (never a document)."""
    for tmp in out_dir.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def resolve_period(plan: Plan, dataset: Any, period: str | None) -> Period:
    """The period to build: the option, else the plan's, else the latest complete quarter."""
    label = (period or plan.period or "").strip()
    if label:
        p = Period.parse(label, fiscal_year_start_month=plan.fiscal_year_start)
    else:
        p = latest_complete_quarter(
            dataset.last_month, fiscal_year_start_month=plan.fiscal_year_start
        )
    check_period(dataset, p)
    return p


class Progress:
    """One progress bar for a batch on a terminal; plain log lines otherwise.

    The bar shows done, failed, remaining, rate and ETA; each failure is also
    printed above it with its error, so nothing scrolls away unseen.
    """

    def __init__(self, total: int, *, echo: Echo | None = None) -> None:
        self.total, self.count, self.failed = total, 0, 0
        self.echo = echo
        self.bar: Any = None
        if echo is None and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", dynamic_ncols=True, file=sys.stderr)
        self.width = len(str(total))

    def _line(self, text: str) -> None:
        # Names from data are shown with control characters escaped; a reader that went
        # away (| head) raises OutputClosedError, which the command line ends quietly on.
        from cslib.terminal import echo, terminal_text

        if self.bar is not None:
            self.bar.write(terminal_text(text), file=sys.stderr)
        elif self.echo is not None:
            self.echo(terminal_text(text))
        else:
            echo(text)

    def start(self, text: str) -> None:
        """Say what is about to be built."""
        self._line(text)

    def done(self, outcome: Outcome) -> None:
        """Count one finished document."""
        self.count += 1
        failed = outcome.status != "built"
        self.failed += failed
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(failed=self.failed, refresh=False)
            if failed:
                self._line(f"FAILED {outcome.key}: {outcome.error}")
            return
        status = "FAILED" if failed else "built "
        detail = outcome.error if failed else ", ".join(outcome.files)
        self._line(f"[{self.count:>{self.width}}/{self.total}] {status} {outcome.key} "
                   f"({detail}) {outcome.seconds:.1f} s")

    def close(self) -> None:
        """Close the bar."""
        if self.bar is not None:
            self.bar.close()


def effective_parameters(notebook: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` plus the notebook's own defaults for what decides its scope.

    A notebook run without ``data``, ``account_id``, ``segment`` (or
    ``company``, whose name every document may show) uses the
    default its ``parameters`` cell declares; the build makes that default
    explicit, so the same slicing and leak scan apply whether a value was
    given or not (``cslib render`` of a QBR with no parameters at all is
    still a QBR of one customer, built from that customer's slice).
    """
    out = dict(params)
    for name, spec in notebook_parameters(notebook).items():
        if name in GATE_PARAMETERS and name not in out:
            try:
                value = ast.literal_eval(str(spec.get("default")))
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, str) and value:
                out[name] = value
    return out


def _complete(job: Job) -> Job:
    """``job`` with every part's scope parameters made explicit (:func:`effective_parameters`)."""
    parts = tuple((notebook, effective_parameters(notebook, params))
                  for notebook, params in job.parts)
    return dataclasses.replace(job, parts=parts)


def _run(
    jobs: Sequence[Job], finish: Callable[[Job, Built], bool], *,
    slices: Callable[[Job], tuple[Dataset | None, ...]], executor: str, workers: int,
    backend: str, quarto: str | None, scheduler: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Build ``jobs`` on the chosen executor; ``finish`` returns True to stop the batch.

    Each job's slices are made here, in the build's process, just before the
    job is handed out. ``local`` and ``kernel`` run on this machine's worker
    pool (:mod:`cslib.build.pool`: a dead worker fails only its document, a
    document past ``timeout`` seconds is stopped); ``dask`` on a cluster.
    """
    if not jobs:
        return
    if executor == "dask":
        from cslib.build.cluster import build_on_dask

        build_on_dask(jobs, finish, slices=slices, scheduler=scheduler or "",
                      backend=backend, quarto=quarto, timeout=timeout)
        return
    if executor not in ("local", "kernel"):
        raise ParameterError(
            f"executor must be 'local', 'kernel' or 'dask', got {executor!r}."
        )
    from cslib.build.pool import run_jobs

    run_jobs(jobs, finish, slices=slices, workers=workers, mode=executor, backend=backend,
             quarto=quarto, timeout=timeout)


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
) -> BuildResult:
    """Build every document of ``plan`` for ``period`` into ``<plan.output>/<period>/``.

    Parameters
    ----------
    plan : Plan
        A validated plan (:func:`cslib.build.plan.load_plan`).
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
        and run its notebooks in-process with IPython (:mod:`cslib.build.engine`).
        ``kernel``: Papermill with a new Jupyter kernel per notebook. ``dask``:
        the documents built on a Dask cluster (:mod:`cslib.build.cluster`).
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
        (default: the plan's ``timeout``, else :data:`cslib.build.pool.DEFAULT_TIMEOUT`).
    echo : callable, optional
        Receives one progress line per document. By default a progress bar on
        a terminal, plain lines otherwise (CI logs).

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
        from cslib.build.quarto import choose_backend

        chosen = choose_backend(chosen, quarto=quarto)
    out_dir = plan.output / p.label
    prepare_output(out_dir)
    with OutputLock(out_dir):
        return _build_locked(
            plan, dataset, p, jobs, out_dir, started=started, backend=chosen, quarto=quarto,
            only=only, workers=workers, executor=executor, force=force,
            retry_failed=retry_failed, fail_fast=fail_fast, scheduler=scheduler,
            timeout=timeout or plan.timeout, echo=echo,
        )


def _build_locked(
    plan: Plan, dataset: Dataset, p: Period, jobs: list[Job], out_dir: Path, *,
    started: float, backend: str, quarto: str | None, only: Sequence[str],
    workers: int | None, executor: str, force: bool, retry_failed: bool, fail_fast: bool,
    scheduler: str | None, timeout: float, echo: Echo | None,
) -> BuildResult:
    """The part of :func:`build_plan` that runs holding the output folder's lock."""
    _sweep(out_dir)
    previous = _ledger(out_dir)
    library = library_fingerprint()
    read = functools.lru_cache(maxsize=None)(_read_or_missing)  # each file once per build
    keys = {j.key: cache_key(j, data_fingerprint=dataset.fingerprint, library=library,
                             backend=backend, read=read) for j in jobs}
    outcomes: dict[str, Outcome] = {}
    todo: list[Job] = []
    for job in jobs:
        before = previous.get(job.key)
        current = (
            before is not None and before.status == "built" and before.cache_key == keys[job.key]
            and all((out_dir / f).is_file() for f in before.files.values())
        )
        wanted = (before is None or before.status != "built") if retry_failed else not current
        if force or wanted:
            todo.append(job)
        elif before is not None:
            outcomes[job.key] = dataclasses.replace(before, reused=True)
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
            _journal(out_dir, outcome)
        progress.done(outcome)
        return outcome.status != "built" and fail_fast

    interrupted = terminated = False
    error = ""
    try:
        with stop_on_sigterm():
            _run(todo, finish, slices=slicer.slices, executor=executor, workers=workers,
                 backend=backend, quarto=quarto, scheduler=scheduler, timeout=timeout)
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
            write_index(result, plan, earlier=earlier)
        except OutputError as exc:  # the journal still holds what was written
            result.error = result.error or str(exc)
    return result


_INDEX = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ company }} · reports · {{ period }}</title>
<style>
body{font-family:"DejaVu Sans",Verdana,sans-serif;color:#222;max-width:60rem;margin:2rem auto;
padding:0 1rem}
h1{color:#0072B2;font-size:1.5rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd}
th{background:#f3f6f9}.built{color:#007a4d}.failed,.crashed{color:#b3261e;font-weight:bold}
.err{color:#b3261e;font-size:.8rem}small{color:#666}
</style></head><body>
<h1>{{ company }} · reports for {{ period }}</h1>
<p>{{ built }} of {{ total }} documents built{% if failed %}, <span class="failed">{{ failed }}
failed</span>{% endif %} in {{ "%.1f" | format(seconds) }} s.</p>
{% for group, rows in groups %}<h2>{{ group }}</h2>
<table><thead><tr><th>Document</th><th>Status</th><th>Files</th><th>Seconds</th></tr></thead>
<tbody>{% for o in rows %}<tr><td>{{ o.title }}<br><small>{{ o.key }}</small></td>
<td class="{{ o.status }}">{{ o.status }}</td>
<td>{% for fmt, path in o.files.items() %}<a href="{{ path }}">{{ fmt | upper }}</a> {% endfor %}
{% if o.error %}<div class="err">{{ o.error }}</div>{% endif %}</td>
<td>{{ "%.1f" | format(o.seconds) }}</td></tr>{% endfor %}</tbody></table>
{% endfor %}
</body></html>
"""
)


def write_index(result: BuildResult, plan: Plan, *, earlier: Sequence[Outcome] = ()) -> Path:
    """Write ``index.html`` (every document, its status and links) and ``build.json``.

    ``earlier``: documents recorded by an earlier build of the same folder that
    this build did not touch (a build of part of a plan, ``--only``); they stay
    listed with their recorded status.
    """
    titles = {d.name: d.title for d in plan.documents}
    order = {d.name: i for i, d in enumerate(plan.documents)}
    current = {o.key for o in result.outcomes}
    everything = [o for o in earlier if o.key not in current] + result.outcomes
    everything.sort(key=lambda o: (order.get(o.document, len(order)), o.document))
    groups: dict[str, list[Outcome]] = {}
    for o in everything:
        groups.setdefault(o.document, []).append(o)
    page = _INDEX.render(
        company=plan.company,
        period=result.period,
        built=sum(o.status == "built" for o in everything),
        failed=sum(o.status != "built" for o in everything),
        total=len(everything),
        seconds=result.seconds,
        groups=[(titles.get(name, name), rows) for name, rows in groups.items()],
    )
    index = result.out_dir / "index.html"
    write_atomic(index, page)
    ledger = {
        "plan": str(plan.path),
        "period": result.period,
        "seconds": result.seconds,
        "documents": [asdict(o) for o in everything],
    }
    write_atomic(result.out_dir / "build.json", json.dumps(ledger, indent=1) + "\n")
    (result.out_dir / JOURNAL).unlink(missing_ok=True)  # build.json now says it all
    return index


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
        from cslib.build.quarto import choose_backend

        chosen = choose_backend(backend, quarto=quarto)
    stem = name or "-".join(
        [path.stem] + [slugify(str(params[k])) for k in ("segment", "account_id") if k in params]
    )
    template = None
    if "pptx" in formats and pptx_template not in (None, ""):
        from cslib.build.pptx import check_template

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
    if not (params.get("account_id") or params.get("segment")):
        return (), None, None
    data = str(params.get("data", ""))
    company = str(params.get("company", ""))
    if is_database(data):
        # A database: the slice is read with its filters pushed down (the
        # customer's rows only), plus every account's id and name for the leak scan.
        source = open_source(data)
        part = report_slice(
            source, "customer" if params.get("account_id") else "segment",
            period=str(params.get("period") or "").strip(),
            segment=str(params.get("segment", "")), account_id=str(params.get("account_id", "")),
            fiscal_year_start=int(params.get("fiscal_year_start") or 1))
        return ((part,), set(part.accounts["account_id"].astype(str)),
                LeakScanner(source.account_names(), company=company))
    dataset = resolve_data(data)
    for name, column in (("account_id", "account_id"), ("segment", "segment")):
        if params.get(name):  # the notebook would say so too, but only after running
            choose(str(params[name]), sorted(dataset.accounts[column].astype(str).unique()),
                   name=name)
    label = str(params.get("period") or "").strip()
    fys = int(params.get("fiscal_year_start") or 1)
    p = (Period.parse(label, fiscal_year_start_month=fys) if label
         else latest_complete_quarter(dataset.last_month, fiscal_year_start_month=fys))
    check_period(dataset, p)
    slicer = Slicer(dataset, p.last_month)
    return slicer.slices(job), slicer.allowed(job), LeakScanner(dataset.accounts, company=company)
