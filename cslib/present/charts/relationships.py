"""The relationship chart: contacts by role, stacked by relationship strength."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cslib.data.contract import STRENGTHS
from cslib.data.dataset import Dataset
from cslib.metrics.relationships import NOT_SET, contact_strengths, relationship_summary
from cslib.present.blocks import Callout
from cslib.present.charts._draw import (
    WIDTH_IN,
    ChartBlock,
    as_day,
    bar_labels,
    figure_block,
    hbar_axes,
    top_legend,
)
from cslib.present.formats import fmt_count
from cslib.present.style import PALETTE, count_axis, house_style, new_figure, text_colour_on

__all__ = ["relationship_coverage_chart"]

#: Each strength's colour (light to dark) and legend name; a missing strength is hollow.
_COLOURS = dict(zip(STRENGTHS, PALETTE.ordinal, strict=True)) | {NOT_SET: "white"}
_NAMES = {
    "none": "None",
    "weak": "Weak",
    "medium": "Medium",
    "strong": "Strong",
    "very_strong": "Very strong",
    NOT_SET: "Not set",
}


def relationship_coverage_chart(
    dataset: Dataset, *, as_of: str | pd.Timestamp
) -> ChartBlock | None:
    """Contacts by role (executives, users), stacked by relationship strength.

    Counts the contacts on record of the dataset's accounts, by role and
    strength (none, weak, medium, strong, very strong; light to dark). Next
    to each bar: how many are strong or very strong and, from
    :func:`cslib.metrics.relationships.relationship_summary`, the days since
    the latest activity with a contact of that role up to ``as_of`` (for one
    account) or the median over the accounts with such contacts.

    Parameters
    ----------
    dataset : Dataset
        Uses ``contacts`` and, for recency, ``activities``.
    as_of : str or pandas.Timestamp
        The day recency is measured to.

    Returns
    -------
    Figure, Callout or None
        A Callout when there is no contact; ``None`` (nothing displayed) when
        the data has no ``contacts`` table at all: the section's table
        (:func:`cslib.present.tables.contacts_table`) says so.

    References
    ----------
    Definition key ``relationship_coverage``.
    """
    day = as_day(as_of)
    when = f"{day:%Y-%m-%d}"
    contacts = dataset.get("contacts")
    if contacts is None:
        return None
    if contacts.empty:
        return Callout.of("No contacts recorded, so relationship coverage cannot be shown.")
    counts = contact_strengths(contacts)
    ids = pd.Index(dataset.accounts["account_id"].astype(str))
    rel = relationship_summary(contacts, dataset.get("activities"), account_ids=ids, as_of=day)
    strong = [int(rel[f"strong_{plural}"].sum()) for plural in ("executives", "users")]
    notes = [
        f"{fmt_count(n)} strong · {_recency(rel, plural, one=len(ids) == 1)}"
        for n, plural in zip(strong, ("executives", "users"), strict=True)
    ]

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.0)
        _draw_strengths(ax, counts, notes)
        top_legend(fig, ax.get_legend_handles_labels()[0])
        totals = counts.sum(axis=1).to_numpy(float)
        alt = (
            f"Relationship coverage on {when}: {fmt_count(totals[0])} executive contacts, "
            f"{fmt_count(strong[0])} strong or very strong; {fmt_count(totals[1])} user "
            f"contacts, {fmt_count(strong[1])} strong or very strong."
        )
        caption = (
            f"Contacts on record by role and relationship strength; strong = strong or very "
            f"strong. Days since contact: to {when}, from the latest activity with a contact "
            "of that role."
        )
        return figure_block(
            fig,
            title=f"Relationship coverage on {when}",
            alt=alt,
            caption=caption,
            definitions=("relationship_coverage",),
        )


def _recency(rel: pd.DataFrame, plural: str, *, one: bool) -> str:
    """Days since the last contact with a role: the account's, or the median over accounts."""
    role = "executive" if plural == "executives" else "user"
    with_role = rel[rel[plural] > 0][f"days_since_{role}_contact"].dropna()
    if not len(with_role):
        return "no contact on record"
    if one:
        return f"last contact {with_role.iloc[0]:.0f} days ago"
    return f"median {with_role.median():.0f} days since contact"


def _draw_strengths(ax: Axes, counts: pd.DataFrame, notes: list[str]) -> None:
    """Two stacked bars (executives, users), a count in each wide segment, a note at the end."""
    y = np.array([1.0, 0.0])
    totals = counts.sum(axis=1).to_numpy(float)
    xmax = max(float(totals.max()), 1.0)
    left = np.zeros(2)
    for level in counts.columns:
        w = counts[level].to_numpy(float)
        colour = _COLOURS[level]
        ax.barh(
            y,
            w,
            left=left,
            height=0.6,
            color=colour,
            label=_NAMES[level],
            edgecolor=PALETTE.edge if level == NOT_SET else "none",
            linewidth=0.6 if level == NOT_SET else 0,
        )
        bar_labels(ax, y, left, w, [fmt_count(wi) for wi in w], text_colour_on(colour),
                   show=[wi > 0 and wi >= xmax * 0.045 for wi in w])  # fmt: skip
        left = left + w
    for yi, total, note in zip(y, totals, notes, strict=True):
        ax.text(
            total + xmax * 0.02,
            yi,
            note,
            va="center",
            ha="left",
            fontsize=8,
            color=PALETTE.text,
            # gridlines run behind the note, not through it
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
        )
    ax.set_yticks(y, [f"Executives ({fmt_count(totals[0])})", f"Users ({fmt_count(totals[1])})"])
    hbar_axes(ax)
    ax.set_xlim(0, xmax * 1.9)
    ax.set_ylim(-0.55, 1.55)
    count_axis(ax, axis="x")
    ticks = [t for t in ax.get_xticks() if 0 <= t <= xmax]
    ax.set_xticks(ticks)
    ax.spines["bottom"].set_bounds(0, ticks[-1] if ticks else xmax)
    ax.set_xlabel("Contacts")
