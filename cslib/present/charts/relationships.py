"""The relationship chart: contacts by role, stacked by relationship strength."""

from __future__ import annotations

import pandas as pd

from cslib.data.contract import STRENGTHS
from cslib.data.dataset import Dataset
from cslib.metrics.relationships import NOT_SET, contact_strengths, relationship_summary
from cslib.present.blocks import Callout
from cslib.present.charts._draw import WIDTH_PT, ChartBlock, as_day, canvas_block
from cslib.present.charts._svg import (
    LABEL_PAD,
    LABEL_SIZE,
    PAD,
    TICK,
    TICK_PAD,
    TICK_SIZE,
    Canvas,
    Frame,
    legend,
    nice_ticks,
    text_height,
)
from cslib.present.formats import fmt_count, fmt_day, fmt_days
from cslib.present.style import PALETTE, text_colour_on
from cslib.typeface import text_width

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
    when = fmt_day(day)
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

    canvas = _draw_strengths(counts, notes)
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
    return canvas_block(
        canvas,
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
        return f"last contact {fmt_days(-round(with_role.iloc[0]))}"
    return f"median {with_role.median():.0f} days since contact"


def _draw_strengths(counts: pd.DataFrame, notes: list[str]) -> Canvas:
    """Two stacked bars (executives, users), a count in each wide segment, a note at the end."""
    height = 72.0 * 2.0
    canvas = Canvas(WIDTH_PT, height)
    top = legend(canvas, [(_COLOURS[level], _NAMES[level],
                                 PALETTE.edge if level == NOT_SET else None)
                                for level in counts.columns]) + 6.0
    totals = counts.sum(axis=1).to_numpy(float)
    xmax = max(float(totals.max()), 1.0)
    labels = [f"Executives ({fmt_count(totals[0])})", f"Users ({fmt_count(totals[1])})"]
    left = PAD + max(text_width(t, TICK_SIZE) for t in labels) + TICK_PAD
    bottom = height - PAD - text_height(size=LABEL_SIZE) - LABEL_PAD - text_height() \
        - TICK_PAD - TICK
    right = WIDTH_PT - PAD
    ticks = nice_ticks(0.0, xmax * 1.9, right - left, horizontal=True, integer=True)
    ticks = [t for t in ticks if 0 <= t <= xmax]
    frame = Frame(canvas, left=left, top=top, right=right, bottom=bottom, x0=0.0,
                  x1=xmax * 1.9, y0=-0.55, y1=1.55)
    frame.grid_x(ticks)
    half = frame.y(0) - frame.y(0.3)  # bars 0.6 high
    for yi, row in zip((1.0, 0.0), range(2), strict=True):
        y = frame.y(yi)
        start = 0.0
        for level in counts.columns:
            w = float(counts[level].iloc[row])
            colour = _COLOURS[level]
            canvas.rect(frame.x(start), y - half, frame.x(start + w) - frame.x(start), 2 * half,
                        colour, stroke=PALETTE.edge if level == NOT_SET else None,
                        stroke_width=0.6)
            if w > 0 and w >= xmax * 0.045:
                canvas.text(frame.x(start + w / 2), y, fmt_count(w), size=8.0, ha="center",
                            colour=text_colour_on(colour))
            start += w
        canvas.text(frame.x(totals[row] + xmax * 0.02), y, notes[row], size=8.0,
                    background="white")  # gridlines run behind the note, not through it
        canvas.text(frame.left - TICK_PAD, y, labels[row], ha="right")
    frame.left_spine()
    frame.bottom_spine(0.0, ticks[-1] if ticks else xmax)
    frame.x_label("Contacts", frame.x_ticks(ticks, [fmt_count(round(t)) for t in ticks]))
    return canvas
