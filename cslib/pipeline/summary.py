"""What a build says at its end: failures grouped, and what a dry run would build."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["dry_run_lines", "failure_lines"]


def failure_lines(failed: Sequence[Any]) -> list[str]:
    """One line per distinct failure: identical ones (same cell, same error) grouped.

    ``FAILED 140 documents in cell 7, all with the same error: ... KeyError: 'x'
    (qbr/a0001, qbr/a0002, qbr/a0003 and 137 more)``; a failure of its own keeps its
    ``FAILED key (cell n): error`` line.
    """
    groups: dict[tuple[Any, str], list[str]] = {}
    for o in failed:
        groups.setdefault((o.cell, o.error), []).append(o.key)
    lines = []
    for (cell, error), keys in groups.items():
        where = f" (cell {cell})" if cell else ""
        if len(keys) == 1:
            lines.append(f"  FAILED {keys[0]}{where}: {error}")
            continue
        shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
        cells = f" in cell {cell}" if cell else ""
        lines.append(f"  FAILED {len(keys)} documents{cells}, all with the same error: "
                     f"{error} ({shown})")
    return lines


def dry_run_lines(result: Any, *, verbose: bool) -> list[str]:
    """What a build would do: per plan document, how many to build and how many are current."""
    todo = [o for o in result.outcomes if o.status == "pending"]
    lines: list[str] = []
    lines.append(f"Dry run: {len(todo)} of {len(result.outcomes)} documents for {result.period} "
         f"would be built into {result.out_dir} ({len(result.outcomes) - len(todo)} up to "
         "date); nothing was built or written.")
    names: dict[str, list[Any]] = {}
    for o in result.outcomes:
        names.setdefault(o.document, []).append(o)
    for name, outs in names.items():
        build = [o.key for o in outs if o.status == "pending"]
        lines.append(f"  {name}: {len(build)} to build, {len(outs) - len(build)} up to date"
                     + ("" if verbose or not build or len(outs) == 1 else
                        f" ({', '.join(build[:3])}{' ...' if len(build) > 3 else ''})"))
        if verbose:
            for o in outs:
                state = "build     " if o.status == "pending" else "up to date"
                lines.append(f"    {state}  {o.key}")
    return lines
