"""The warm local executor: a pool of warm workers, one fresh fork per document.

Each worker process imports everything a report needs once (pandas,
matplotlib, IPython, ``cslib``, the Typst compiler and fonts). For every
document it receives the job and the slices of data its notebooks may see
(made by the build's own process, :mod:`cslib.pipeline.scope`), then forks: the
child registers the slices, executes the notebooks in-process
(:mod:`cslib.execute.inprocess`), renders, sends the bytes back through a pipe
and exits. The warm parent never runs report code and never holds the whole
dataset, so each report starts from the same clean, warm state: nothing one
report leaves behind (variables, module state, open figures, caches) can be
seen by the next, and no other customer's rows are in reach.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import pickle
import signal
from collections.abc import Sequence

from cslib.data.dataset import Dataset
from cslib.pipeline.jobs import Built, Outcome
from cslib.pipeline.plan import Job
from cslib.pipeline.signals import die_with_parent
from cslib.pipeline.worker import build_job

__all__ = ["WARM_MODULES", "build_job_forked", "init_worker"]


#: What every report imports: loaded once by each warm worker, shared by its forks.
WARM_MODULES = (
    "papermill.parameterize",
    "IPython.core.interactiveshell",
    "cslib.execute.inprocess",
    "cslib.present.charts",
    "cslib.present.narrative",
    "cslib.present.report",
    "cslib.present.tables",
    "cslib.document.assemble",
    "cslib.render.html",
    "cslib.render.pdf",
    "cslib.pipeline.worker",
)


def init_worker() -> None:
    """Warm a worker before any fork: imports, the Typst compiler, fonts, python-pptx."""
    import matplotlib

    matplotlib.use("Agg")
    for name in WARM_MODULES:
        importlib.import_module(name)
    from cslib import typeface
    from cslib.document import assemble
    from cslib.execute.inprocess import interactive_shell
    from cslib.render import compiler, html
    from cslib.render.fonts import font_face_css

    compiler.warm_up()  # fonts loaded and the compiler built once, shared by every fork
    if importlib.util.find_spec("pptx") is not None:  # the `pptx` extra, when installed
        from cslib.render import pptx

        pptx.warm_up()  # python-pptx loaded once (no Typst compile here: forks follow)
    html.warm_up()  # the page template compiled once
    assemble.warm_up()  # the markdown parser's scanners compiled once
    font_face_css()
    typeface.warm_up()  # both weights of the house font and its common glyph outlines
    interactive_shell()  # an empty shell; each fork fills its own copy
    _warm_notebook_validator()
    # Freeze everything loaded so far: the garbage collector of a fork then never walks
    # (and so never copies) the parent's objects; about 25% off each report.
    gc.collect()
    gc.freeze()


def _warm_notebook_validator() -> None:
    """Compile nbformat's notebook schema in the warm-up (~35 ms), not in each new worker.

    Papermill validates each notebook it reads; nbformat compiles its schema
    (fastjsonschema) on first use and keeps it per (format version, minor). A
    worker reads its notebooks before it forks, so without this each worker
    compiled it once; warmed in the fork server, no worker does. Warmed for
    the current minor version, which ``cslib new`` and Jupyter write; a
    notebook of an older minor compiles its own once per worker.
    """
    from nbformat import v4
    from nbformat.validator import get_validator

    get_validator(4, v4.nbformat_minor)


def _child(job: Job, slices: Sequence[Dataset | None], write_fd: int, backend: str,
           quarto: str | None) -> None:
    built = build_job(job, slices=slices, executor="inprocess", attempts=1, backend=backend,
                      quarto=quarto)
    with os.fdopen(write_fd, "wb") as pipe:
        pickle.dump(built, pipe, protocol=pickle.HIGHEST_PROTOCOL)


def build_job_forked(
    job: Job,
    *,
    slices: Sequence[Dataset | None] = (),
    backend: str = "builtin",
    quarto: str | None = None,
) -> object:
    """Build ``job`` in a fresh fork of this warm worker; returns its :class:`Built`."""
    from cslib.execute.parameters import notebook_parameters

    for notebook, _ in job.parts:  # parsed once per worker, not once per fork
        notebook_parameters(notebook)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one report, then gone
        os.close(read_fd)
        code = 0
        try:
            die_with_parent()  # a worker stopped (timeout, Ctrl-C, SIGTERM) takes its fork along
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides what stops
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _child(job, slices, write_fd, backend, quarto)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if payload:
        return pickle.loads(payload)
    why = (f"killed by {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
           else f"exit code {os.WEXITSTATUS(status)}")
    return Built(Outcome(job.key, job.document, job.title, status="crashed",
                         error=f"the report's process ended without a result ({why})"))
