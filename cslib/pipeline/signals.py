"""Signals and process lifetimes: Ctrl-C and SIGTERM stop a build cleanly, nothing outlives it.

- SIGTERM (``timeout``, systemd, CI) becomes :class:`Terminated`, handled like
  Ctrl-C's :class:`KeyboardInterrupt` (:func:`stop_on_sigterm`);
- a short step that must end whole (a document's files and its journal line,
  the ledger) holds both back until it is done (:func:`signals_deferred`);
- every process a build starts dies with the process that started it, even
  when that one is killed with SIGKILL (:func:`die_with_parent`, Linux).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from collections.abc import Iterator
from typing import Any

__all__ = ["Terminated", "die_with_parent", "signals_deferred", "stop_on_sigterm"]

_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """The build was sent SIGTERM (``timeout``, systemd, CI); handled like Ctrl-C."""

    signum = signal.SIGTERM


def die_with_parent() -> None:
    """Have Linux kill this process (SIGKILL) when the process that started it ends.

    A worker, or a worker's fork, never outlives the build, even one killed
    with SIGKILL. Elsewhere a no-op.
    """
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in this (main) thread while inside the block."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: signals are not ours to take
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_deferred(*, reraise: bool = True) -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back during a short step that must end whole.

    Writing a document's files and recording them in the journal, or writing
    the ledger, is never cut in the middle: a signal that arrives meanwhile
    takes effect when the block ends (as :class:`KeyboardInterrupt` or
    :class:`Terminated`), or is dropped with ``reraise=False`` (the build is
    already stopping).
    """
    caught: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        caught.append(signum)

    try:
        saved = {s: signal.signal(s, hold) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    if caught and reraise:
        raise Terminated() if caught[0] == signal.SIGTERM else KeyboardInterrupt()
