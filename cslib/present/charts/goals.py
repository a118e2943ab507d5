"""The success-plan chart: one bar per goal, progress to target, coloured by status."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from cslib.data.dataset import Dataset
from cslib.metrics.outcomes import OPEN_GOAL_STATUSES, goal_progress
from cslib.present.charts._draw import (
    WIDTH_IN,
    ChartBlock,
    as_day,
    figure_block,
    hbar_axes,
    top_legend,
    truncate,
)
from cslib.present.formats import fmt_count, fmt_percent
from cslib.present.style import PALETTE, house_style, new_figure, percent_axis

__all__ = ["GOAL_STATUS_COLOURS", "goal_progress_chart"]

#: Goal statuses (the data contract's) in the order the goal chart lists them, with their colours.
GOAL_STATUS_COLOURS: dict[str, str] = {
    "achieved": PALETTE.positive,
    "on_track": PALETTE.primary,
    "at_risk": PALETTE.secondary,
    "missed": PALETTE.negative,
    "not_started": PALETTE.neutral,
}


def goal_progress_chart(
    dataset: Dataset, *, as_of: str | pd.Timestamp, limit: int = 12
) -> ChartBlock | None:
    """One bar per success-plan goal: progress to target, coloured by status, with the due date.

    Progress = (current − baseline) / (target − baseline), clipped to 0-100%
    (:func:`cslib.metrics.outcomes.goal_progress`); a goal without a numeric target shows its status
    only. Colours: achieved green, on track blue, at risk orange, missed
    vermillion, not started grey (statuses as recorded). An open goal due
    before ``as_of`` is marked overdue. At most ``limit`` goals, the latest
    due first; the caption says how many are left out.

    Parameters
    ----------
    dataset : Dataset
        Uses ``goals`` (and ``accounts`` for names when there are several accounts).
    as_of : str or pandas.Timestamp
        The day the plan is reported on.
    limit : int, default 12
        Most goals shown.

    Returns
    -------
    Figure or None
        ``None`` (nothing displayed) when no goal is recorded: the success-plan
        table (:func:`cslib.present.tables.goals_table`) already says so.

    References
    ----------
    Definition key ``goals``.
    """
    day = as_day(as_of)
    when = f"{day:%Y-%m-%d}"
    goals = dataset.get("goals")
    if goals is None or goals.empty:
        return None
    g = goals.assign(progress=goal_progress(goals))
    g = g.sort_values(["due_on", "goal_id"], ascending=[False, True], kind="stable")
    n_all = len(g)
    g = g.head(max(int(limit), 1))
    n = len(g)

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 0.85 + 0.44 * n)
        _draw_goals(ax, g, _goal_labels(dataset, g, day))
        handles = [
            Patch(color=c, label=s.replace("_", " ").capitalize())
            for s, c in GOAL_STATUS_COLOURS.items()
        ]
        top_legend(fig, handles)
        status_counts = g["status"].value_counts()
        parts = [
            f"{status_counts[s]} {s.replace('_', ' ')}"
            for s in GOAL_STATUS_COLOURS
            if s in status_counts
        ]
        alt = (
            f"Success-plan goals on {when}: {n} goal{'s' if n != 1 else ''} shown, "
            + ", ".join(parts)
            + "."
        )
        caption = (
            "Progress = (current − baseline) / (target − baseline), clipped to 0–100%; goals "
            "without a numeric target show their status only. Statuses as recorded."
        )
        if n_all > n:
            caption += f" Showing the {n} goals with the latest due dates of {fmt_count(n_all)}."
        return figure_block(
            fig,
            title=f"Success-plan goals on {when}",
            alt=alt,
            caption=caption,
            definitions=("goals",),
        )


def _goal_labels(dataset: Dataset, g: pd.DataFrame, day: pd.Timestamp) -> list[str]:
    """Each goal's title over its due date, "· overdue" when open and past due.

    With several accounts in the report, the account's name follows the date.
    """
    several = dataset.accounts["account_id"].nunique() > 1
    names = dataset.accounts.set_index(dataset.accounts["account_id"].astype(str))["name"]
    labels = []
    for _, row in g.iterrows():
        due = f"due {row['due_on']:%Y-%m-%d}" if pd.notna(row["due_on"]) else "no due date"
        if row["status"] in OPEN_GOAL_STATUSES and pd.notna(row["due_on"]) and row["due_on"] < day:
            due += " · overdue"
        if several:
            due += f" · {truncate(names.get(str(row['account_id']), row['account_id']), 22)}"
        labels.append(f"{truncate(row['title'], 40)}\n{due}")
    return labels


def _draw_goals(ax: Axes, g: pd.DataFrame, labels: list[str]) -> None:
    """A grey 0-100% track per goal, its progress over it in the status colour, the status."""
    n = len(g)
    y = np.arange(n)[::-1].astype(float)
    progress = g["progress"].to_numpy(float)
    colours = [GOAL_STATUS_COLOURS.get(s, PALETTE.neutral) for s in g["status"]]
    ax.barh(y, np.ones(n), height=0.55, color=PALETTE.light)  # the 0-100% track
    ax.barh(y, np.nan_to_num(progress), height=0.55, color=colours)
    for yi, pr, status in zip(y, progress, g["status"], strict=True):
        status_text = str(status).replace("_", " ")
        if np.isfinite(pr):
            ax.text(
                pr + 0.015,
                yi,
                f"{fmt_percent(pr, digits=0)} · {status_text}",
                va="center",
                ha="left",
                fontsize=8,
            )
        else:
            ax.text(
                0.015,
                yi,
                f"{status_text} (no numeric target)",
                va="center",
                ha="left",
                fontsize=8,
                color=GOAL_STATUS_COLOURS.get(status, PALETTE.muted),
                fontweight="bold",
            )
    ax.set_yticks(y, labels, fontsize=8)
    hbar_axes(ax)
    ax.set_xlim(0, 1.4)
    ax.set_ylim(-0.6, n - 0.4)
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    percent_axis(ax, axis="x")
    ax.set_xlabel("Progress from baseline to target (%)")
