r"""Text shown on a terminal: control characters from data are shown escaped, never sent.

A segment, account or file name is data; printed raw, an ESC starts an escape
sequence (colours, cursor moves, a rewritten title bar, a cleared screen), BEL
rings, NUL or CR hides what came before, and the Unicode bidirectional
overrides and isolates (U+202A-U+202E, U+2066-U+2069, the "Trojan Source"
characters) reorder what a reader sees. Everything cslib writes to stdout or
stderr goes through :func:`terminal_text` (the command line's output and error
line, the build's progress lines), so such characters are shown as ``\x1b``
or ``\u202e`` instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from typing import TextIO

from cslib.errors import OutputClosedError

__all__ = ["discard_output", "echo", "flush", "log_to_stderr", "terminal_text"]

#: C0 controls but newline, DEL, C1 controls, line/paragraph separators, bidi embeddings,
#: overrides and isolates.
_UNSAFE = "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_TEXT = re.compile(f"[{_UNSAFE}]")
_UNSAFE_LINE = re.compile(f"[{_UNSAFE}\n]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_text(text: object, *, one_line: bool = False) -> str:
    r"""``text`` with every control and bidi-reordering character shown escaped.

    Parameters
    ----------
    text : object
        What to show (``str()`` of it).
    one_line : bool, default False
        Escape newlines too (``\x0a``): for a cell of a table or a name on a
        line of its own, which must not start a new line.

    Returns
    -------
    str
        The text with ESC shown as ``\x1b``, U+202E as ``\u202e`` and so on;
        tabs are escaped too (they would shift a table's columns); letters of
        every script, emoji and newlines (unless ``one_line``) are kept.

    Examples
    --------
    >>> terminal_text("Acme\x1b[2J")
    'Acme\\x1b[2J'
    >>> terminal_text("abc\u202edef")
    'abc\\u202edef'
    >>> terminal_text("two\nlines"), terminal_text("two\nlines", one_line=True)
    ('two\nlines', 'two\\x0alines')
    """
    pattern = _UNSAFE_LINE if one_line else _UNSAFE_TEXT
    return pattern.sub(_escaped, str(text))


def echo(text: object = "", *, err: bool = False, end: str = "\n") -> None:
    """Print ``text`` made safe by :func:`terminal_text` on stdout (or stderr with ``err``).

    Raises
    ------
    OutputClosedError
        If the stream is a pipe whose reader has gone.
    """
    stream: TextIO = sys.stderr if err else sys.stdout
    try:
        stream.write(terminal_text(text) + end)
    except BrokenPipeError:
        raise OutputClosedError from None


def flush() -> None:
    """Write out what stdout and stderr hold (a pipe's output is buffered until then).

    Raises
    ------
    OutputClosedError
        If a reader has gone.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            raise OutputClosedError from None


def discard_output() -> None:
    """Point stdout and stderr at the null device.

    Nothing left in their buffers is then written (and fails again) when the
    interpreter exits: Python's documented recipe for a closed pipe
    (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):  # a test's capture
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def log_to_stderr(*, quiet: bool, verbose: bool) -> None:
    """Send cslib's log messages to stderr: warnings by default, debug with -v, errors with -q."""
    import logging

    logger = logging.getLogger("cslib")
    logger.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("cslib: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
    import warnings

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: object = None, line: str | None = None) -> None:
        # A CentsWarning and the like, through the same channel (logging.captureWarnings
        # would hand them to a "py.warnings" logger that has nowhere to write them).
        ours = category.__module__.startswith("cslib")
        logger.warning("%s", message if ours else f"{category.__name__}: {message}")

    warnings.showwarning = show
    if quiet:
        warnings.simplefilter("ignore")
