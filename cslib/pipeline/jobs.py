"""What a build is made of: jobs in, outcomes and built documents out.

A :class:`~cslib.pipeline.plan.Job` is one document to build; an executor
returns a :class:`Built` (its outcome and the bytes of each format) to the
build's own process, which alone scans and writes it; a :class:`BuildResult`
is the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "STATUSES",
    "BuildResult",
    "Built",
    "Outcome",
]


#: What a document's outcome can say: built, failed (its own error, a leak, a timeout),
#: crashed (the process building it died, twice), skipped (the build stopped first).
STATUSES = ("built", "failed", "crashed", "skipped")


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
