"""Building one document: execute its notebooks, assemble them, render every format.

:func:`build_job` is what every executor runs for a job (in a fork of a warm
worker, in a kernel worker, on a Dask worker). It returns the bytes; nothing
is written here (:mod:`cslib.pipeline.guard` checks, then writes).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat

from cslib.data.dataset import Dataset
from cslib.document.assemble import assemble
from cslib.document.model import Document
from cslib.errors import CslibError, ExecutionError
from cslib.names import slugify
from cslib.pipeline.jobs import Built, Outcome
from cslib.pipeline.plan import DEFAULT_TIMEOUT, Job
from cslib.render import render_document
from cslib.secrets import mask_parameters, mask_text

__all__ = [
    "build_job",
    "job_secrets",
]


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
        from cslib.data.slices import write_slice

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
    from cslib.execute.inprocess import execute_inprocess
    from cslib.execute.kernel import execute_notebook

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
    from cslib.render.quarto import render_with_quarto

    merged = tmp / f"{slugify(job.key.replace('/', '-'))}.ipynb"
    titles = [job.title] + [p.get("segment", p.get("account_id", "")) for _, p in job.parts[1:]]
    nbformat.write(_merged_notebook(executed, titles), merged)
    wanted = [f for f in job.formats if f in ("html", "pdf")]  # a deck, a 16:9 PDF: built-in
    rendered = render_with_quarto(
        merged, formats=wanted, output_dir=tmp / "out", exe=quarto,
        metadata=_quarto_titles(doc.meta),
        appendix=_appendix_blocks(doc),
    ) if wanted else {}
    return {fmt: rendered[fmt].read_bytes() if fmt in rendered
            else render_document(doc, fmt, pptx_template=job.pptx_template)
            for fmt in job.formats}


def _quarto_titles(meta: dict[str, Any]) -> dict[str, str]:
    """Quarto's title block: the title, then the subtitle and the data's as-of date."""
    sub = " · ".join(x for x in (meta.get("subtitle"), meta.get("as_of") and
                                 f"data as of {meta['as_of']}") if x)
    return {k: v for k, v in (("title", meta.get("title") or ""), ("subtitle", sub)) if v}


def _appendix_blocks(doc: Any) -> list[dict[str, Any]]:
    """The blocks of the document's appendix: from its last page-starting level-1 heading."""
    starts = [i for i, b in enumerate(doc.blocks)
              if b.get("type") == "heading" and b.get("level") == 1 and b.get("new_page")]
    return list(doc.blocks[starts[-1]:]) if starts else []


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
    """Build one document (see :class:`~cslib.pipeline.plan.Job`) and return its bytes.

    ``slices[i]``, when given, is the only data the job's ``i``-th notebook
    gets (:mod:`cslib.pipeline.scope`): its ``data`` parameter names that slice.
    Nothing is written to the output folder here; :func:`accept` does that.

    Never raises for a failure of the document itself: the outcome says
    ``failed`` with the error's last line and the failing cell, and the
    executed notebook comes back for ``_failed/``. A fault outside the
    report (a kernel that died or did not start) is tried again, up to
    ``attempts`` times in all; an error raised by the report's own cells is not.
    ``executor`` is ``"kernel"`` (Papermill and a fresh Jupyter kernel) or
    ``"inprocess"`` (IPython in this process; used inside a fresh fork by the
    warm local executor, :mod:`cslib.pipeline.fork`). ``timeout``: seconds a
    cell may run under a kernel (the build's workers also stop a whole
    document at that age, :mod:`cslib.pipeline.pool`); a timeout is not retried.
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
    """The secret parameters of a job's notebooks (name -> value; see cslib.execute.parameters)."""
    from cslib.execute.parameters import secret_parameters

    out: dict[str, str] = {}
    for notebook, params in job.parts:
        out.update(secret_parameters(notebook, params))
    return out
