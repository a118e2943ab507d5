"""Named in the fork server's preload: importing it there warms the server once.

A build's workers are forked from Python's ``multiprocessing`` fork server
(:func:`cslib.pipeline.boot.worker_context`): one fresh interpreter, started
the first time a build needs a worker and kept for the life of the process
that started it. The server imports the modules named in its *preload* list
before it forks anything (the standard library's own mechanism for warm
workers); this module is that list. Imported by the fork server, it does what
every worker would otherwise do on its own start, once: lean imports first
(:mod:`cslib.startup`), then :func:`cslib.pipeline.fork.init_worker` (pandas,
IPython, the report modules, the Typst compiler and fonts). Each worker forked
after that starts in milliseconds instead of ~1.5 s of CPU, and a second build
in the same process (a notebook, a test run) starts none from cold.

The server dies with the process that started it (even one killed with
SIGKILL), and its workers with the server. The server holds no data: it
receives nothing but requests to fork, and each worker gets its jobs over its
own pipe. Nothing it opens is read through a shared file offset by its forks
(the house font is read from memory, IPython keeps no history file).
Imported anywhere else (the doctest collector, an editor), this module does
nothing; if warming fails, the server stays cold and each worker warms
itself, reporting any error as it always did.
"""

from __future__ import annotations

import sys

__all__: list[str] = []


def _imported_by_the_fork_server() -> bool:
    from multiprocessing import forkserver

    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


def _warm() -> None:
    from cslib.pipeline.signals import die_with_parent
    from cslib.startup import lean_imports

    # The server dies with the process that started it, even by SIGKILL; its workers die
    # with it. (Each worker holds the server's keep-alive pipe, so the server alone would
    # never notice.)
    die_with_parent()
    lean_imports()
    try:
        from cslib.pipeline.fork import init_worker

        init_worker()
    except Exception:  # each worker warms itself and reports what fails
        pass


if _imported_by_the_fork_server():
    _warm()
