"""The warm local executor: a pool of warm workers, one fresh fork per document.

Each worker process imports everything a report needs once (pandas,
matplotlib, IPython, ``cslib``, the Typst compiler and fonts) and loads the
build's dataset once. For every document it then forks: the child executes
the notebooks in-process (:mod:`cslib.build.inprocess`), renders, writes the
files atomically and reports back through a pipe; then it exits. The warm
parent never runs report code, so each report starts from the same clean,
warm state and nothing one report leaves behind (variables, module state,
open figures, caches) can be seen by the next.
"""

from __future__ import annotations

import gc
import json
import os
import signal
from dataclasses import asdict
from pathlib import Path

from cslib.build.plan import Job

__all__ = ["build_job_forked", "init_worker"]


def init_worker(data: str) -> None:
    """Worker initializer: warm imports, the compiler, fonts and the dataset, before any fork."""
    from cslib.build.fonts import font_face_css
    from cslib.build.inprocess import warm_up
    from cslib.present.report import preload

    warm_up()
    font_face_css()
    preload(data)
    # Freeze everything loaded so far: the garbage collector of a fork then never walks
    # (and so never copies) the parent's objects; about 25% off each report.
    gc.collect()
    gc.freeze()


def _child(job: Job, out_dir: Path, write_fd: int, backend: str, quarto: str | None) -> None:
    from cslib.build.runner import build_job

    outcome = build_job(job, out_dir, executor="inprocess", attempts=1, backend=backend,
                        quarto=quarto)
    with os.fdopen(write_fd, "w") as pipe:
        json.dump(asdict(outcome), pipe)


def build_job_forked(
    job: Job, out_dir: Path, *, backend: str = "builtin", quarto: str | None = None
) -> dict:
    """Build ``job`` in a fresh fork of this warm worker; returns the outcome as a dict."""
    from cslib.build.execute import notebook_parameters
    from cslib.build.runner import Outcome

    for notebook, _ in job.parts:  # parsed once per worker, not once per fork
        notebook_parameters(notebook)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one report, then gone
        os.close(read_fd)
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _child(job, out_dir, write_fd, backend, quarto)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if payload:
        return json.loads(payload)
    why = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
           else f"exit code {os.WEXITSTATUS(status)}")
    return asdict(Outcome(job.key, job.document, job.title, status="failed",
                          error=f"the report's process ended without a result ({why})"))
