"""Progress of a batch: one bar on a terminal, plain lines in a log."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from cslib.pipeline.jobs import Outcome
from cslib.terminal import terminal_text

__all__ = [
    "Echo",
    "Progress",
]


Echo = Callable[[str], None]


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
        from cslib.terminal import echo

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
