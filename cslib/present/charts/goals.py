"""The success-plan chart: one bar per goal, progress to target, coloured by status."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.metrics.outcomes import OPEN_GOAL_STATUSES, goal_progress, status_on
from cslib.present.charts._draw import WIDTH_PT, ChartBlock, as_day, canvas_block, truncate
from cslib.present.charts._svg import (
    LABEL_PAD,
    LABEL_SIZE,
    PAD,
    TICK,
    TICK_PAD,
    Canvas,
    Frame,
    legend,
    text_height,
)
from cslib.present.formats import fmt_count, fmt_day, fmt_percent
from cslib.present.style import PALETTE
from cslib.typeface import text_width

__all__ = ["GOAL_STATUS_COLOURS", "goal_progress_chart"]

#: Goal statuses (the data contract's) in the order the goal chart lists them, with their colours.
GOAL_STATUS_COLOURS: dict[str, str] = {
    "achieved": PALETTE.positive,
    "on_track": PALETTE.primary,
    "at_risk": PALETTE.secondary,
    "missed": PALETTE.negative,
    "in_progress": PALETTE.neutral,
    "not_started": PALETTE.neutral,
}


def goal_progress_chart(
    dataset: Dataset, *, as_of: str | pd.Timestamp, limit: int = 12
) -> ChartBlock | None:
    """One bar per success-plan goal: progress to target, coloured by status, with the due date.

    Progress = (current − baseline) / (target − baseline), clipped to 0-100%
    (:func:`cslib.metrics.outcomes.goal_progress`); a goal without a numeric target shows its status
    only. Colours: achieved green, on track blue, at risk orange, missed
    vermillion, not started grey (statuses as recorded, except that a goal
    due after ``as_of`` is in progress, not missed:
    :func:`~cslib.metrics.outcomes.status_on`). An open goal due before
    ``as_of`` is marked overdue. At most ``limit`` goals, the latest
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
    when = fmt_day(day)
    goals = dataset.get("goals")
    if goals is None or goals.empty:
        return None
    g = goals.assign(progress=goal_progress(goals), status=status_on(goals, day))
    g = g.sort_values(["due_on", "goal_id"], ascending=[False, True], kind="stable")
    n_all = len(g)
    g = g.head(max(int(limit), 1))
    n = len(g)

    canvas = _draw_goals(g, _goal_labels(dataset, g, day), height_pt=72.0 * (0.85 + 0.44 * n))
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
        f"Progress = (current − baseline) / (target − baseline), clipped to "
        f"0–{fmt_percent(1.0, digits=0)}; goals "
        f"without a numeric target show their status only. Statuses on {when}."
    )
    if n_all > n:
        caption += f" Showing the {n} goals with the latest due dates of {fmt_count(n_all)}."
    return canvas_block(
        canvas,
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
        due = f"due {fmt_day(row['due_on'])}" if pd.notna(row["due_on"]) else "no due date"
        if row["status"] in OPEN_GOAL_STATUSES and pd.notna(row["due_on"]) and row["due_on"] < day:
            due += " · overdue"
        if several:
            due += f" · {truncate(names.get(str(row['account_id']), row['account_id']), 22)}"
        labels.append(f"{truncate(row['title'], 40)}\n{due}")
    return labels


def _draw_goals(g: pd.DataFrame, labels: list[str], *, height_pt: float) -> Canvas:
    """A grey 0-100% track per goal, its progress over it in the status colour, the status.

    Goals top to bottom, each labelled left with its title over its due date;
    the legend of statuses above; the x axis in percent (0-100%) with room
    right of 100% for the longest "75% · on track" label.
    """
    n = len(g)
    canvas = Canvas(WIDTH_PT, height_pt)
    shown = set(g["status"])  # "in progress" only where a goal is
    top = legend(canvas, [(c, s.replace("_", " ").capitalize(), None)
                          for s, c in GOAL_STATUS_COLOURS.items()
                          if s != "in_progress" or s in shown]) + 6.0
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
    tick_labels = [fmt_percent(t, digits=0) for t in ticks]
    label_w = max(text_width(line, 8.0) for label in labels for line in label.split("\n"))
    bottom = height_pt - PAD - text_height(size=LABEL_SIZE) - LABEL_PAD - text_height() \
        - TICK_PAD - TICK
    frame = Frame(canvas, left=PAD + label_w + TICK_PAD, top=top, right=WIDTH_PT - PAD,
                  bottom=bottom, x0=0.0, x1=1.4, y0=-0.6, y1=n - 0.4)
    frame.grid_x(ticks)
    progress = g["progress"].to_numpy(float)
    half = frame.y(0) - frame.y(0.275)  # bars 0.55 of a row high
    for i, (pr, status, label) in enumerate(zip(progress, g["status"], labels, strict=True)):
        yi = frame.y(n - 1 - i)
        colour = GOAL_STATUS_COLOURS.get(status, PALETTE.neutral)
        canvas.rect(frame.x(0), yi - half, frame.x(1) - frame.x(0), 2 * half, PALETTE.light)
        status_text = str(status).replace("_", " ")
        if np.isfinite(pr):
            canvas.rect(frame.x(0), yi - half, frame.x(pr) - frame.x(0), 2 * half, colour)
            canvas.text(frame.x(pr + 0.015), yi, f"{fmt_percent(pr, digits=0)} · {status_text}",
                        size=8.0)
        else:
            canvas.text(frame.x(0.015), yi, f"{status_text} (no numeric target)", size=8.0,
                        colour=GOAL_STATUS_COLOURS.get(status, PALETTE.muted), bold=True)
        canvas.text(frame.left - TICK_PAD, yi, label, size=8.0, ha="right")
    frame.left_spine()
    frame.bottom_spine(0.0, 1.0)
    frame.x_label("Progress from baseline to target (%)", frame.x_ticks(ticks, tick_labels))
    return canvas
