"""Running the Quarto CLI: its own process group, killed whole; its errors on one line.

:func:`run_quarto` runs a Quarto command line (never through a shell) in a
new process group, so that on a timeout or an interrupt Quarto and the tools
it started (Deno, Pandoc, Typst) are all killed, not just Quarto.
:func:`error_summary` reads what went wrong from its output: Quarto prints its
errors to stderr as lines starting with ``ERROR:`` (followed by a stack
trace), Typst as ``error:`` lines. :mod:`cslib.render.quarto` is the backend
that uses them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shlex
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cslib.errors import QuartoError

__all__ = ["INSTALL_HINT", "error_summary", "one_line", "run_quarto"]

logger = logging.getLogger(__name__)

#: What a user is told when no Quarto executable can be found.
INSTALL_HINT = (
    "quarto not found on PATH; install Quarto from https://quarto.org "
    "or use the built-in renderer (the default)"
)

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_quarto(
    args: list[str],
    *,
    cwd: Path | None,
    env: Mapping[str, str] | None,
    timeout: float,
    what: str,
) -> tuple[int, str, str]:
    """Run ``args`` (never through a shell); returns (exit code, stdout, stderr).

    The process gets its own process group, so that on timeout Quarto and the
    tools it started (Deno, Pandoc, Typst) are all killed.
    """
    logger.debug("running %s (cwd %s)", shlex.join(args), cwd)
    kwargs: dict[str, Any] = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    else:  # pragma: no cover - Windows
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            **kwargs,
        )
    except FileNotFoundError:
        raise QuartoError(f"quarto executable {args[0]!r} not found; {INSTALL_HINT}") from None
    except OSError as exc:
        raise QuartoError(f"cannot run quarto executable {args[0]!r}: {exc.strerror}") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        raise QuartoError(f"quarto timed out after {timeout:g} s for {what}") from None
    except BaseException:
        _kill_tree(proc)
        raise
    return proc.returncode, out or "", err or ""


def _kill_tree(proc: subprocess.Popen[str]) -> None:
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:  # pragma: no cover - Windows
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(proc.pid)],
            capture_output=True,
            check=False,
        )
    proc.kill()
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a child escaped the group
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        proc.wait()


def error_summary(stderr: str, stdout: str) -> str:
    """The last meaningful lines of Quarto's output, on one line.

    Lines starting with ``ERROR`` when there are any (Quarto's error lines,
    not the stack trace after them), else lines mentioning an error (Typst's
    ``error:``), else the last lines of stderr (or stdout).
    """
    text = _ANSI.sub("", stderr.strip() or stdout)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "(no output)"
    chosen = [line for line in lines if re.match(r"(?i)error\b", line)]
    if not chosen:
        chosen = [line for line in lines if re.search(r"(?i)\berror\b", line)]
    if not chosen:
        chosen = lines
    tail = list(dict.fromkeys(chosen[-3:]))
    return " | ".join(tail)


def one_line(text: str) -> str:
    """``text`` on one line, its runs of whitespace (newlines too) as single spaces."""
    return " ".join(text.split())
