"""Satisfaction charts: the NPS breakdown by group and the NPS, CSAT and CES trend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from cslib.data.dataset import Dataset
from cslib.metrics.definitions import lacks, recorded
from cslib.metrics.satisfaction import (
    DETRACTOR_MAX,
    MIN_RESPONSES,
    PROMOTER_MIN,
    SATISFIED_MIN,
    nps_breakdown,
    satisfaction_trend,
)
from cslib.periods import Period
from cslib.present.blocks import Callout
from cslib.present.charts._draw import (
    WIDTH_IN,
    ChartBlock,
    as_float,
    bar_labels,
    figure_block,
    hbar_axes,
    panel_ylim,
    signed_score,
    top_legend,
    truncate,
)
from cslib.present.charts._periods import (
    after_data,
    period_tick_labels,
    quarters_to,
    range_label,
    short,
    trailing_quarters,
)
from cslib.present.formats import fmt_count, fmt_percent, fmt_score
from cslib.present.style import (
    PALETTE,
    house_style,
    new_figure,
    percent_axis,
    points_axis,
    score_axis,
    text_colour_on,
)

__all__ = ["nps_breakdown_chart", "satisfaction_trend_chart"]

SMALL_SAMPLE = MIN_RESPONSES  # fewer NPS responses: drawn hollow, no margin of error quoted
ALL = "All responses"

#: The NPS answer groups, left to right on a bar, with their legend entries and colours.
_NPS_PARTS = (
    ("detractors", f"Detractors (0–{DETRACTOR_MAX})", PALETTE.negative),
    ("passives", f"Passives ({DETRACTOR_MAX + 1}–{PROMOTER_MIN - 1})", PALETTE.neutral_light),
    ("promoters", f"Promoters ({PROMOTER_MIN}–10)", PALETTE.positive),
)


def nps_breakdown_chart(
    dataset: Dataset, *, period: Period | str, by: str | Sequence[str] = "segment"
) -> ChartBlock | None:
    """Detractors, passives and promoters per group, as 100% stacked bars, with the NPS.

    One bar per value of the account column ``by`` (groups with responses in
    the period) and one for all responses (with a single group, its bar is
    the total). Each bar splits the period's
    responses into detractors (0-6), passives (7-8) and promoters (9-10); the
    NPS (% promoters − % detractors, in points) and the number of responses
    are written at its end. Responses count by ``responded_on``. Every
    number comes from :func:`cslib.metrics.satisfaction.nps_breakdown`.

    Parameters
    ----------
    dataset : Dataset
        Uses ``nps`` and ``accounts``.
    period : Period or str
        Responses dated inside it count.
    by : str or sequence of str, default "segment"
        An account column to group by, or several in order of preference: the
        first the data has (``("region", "segment")`` in a segment's review).

    Returns
    -------
    Figure, Callout or None
        A Callout when the period ends after the data or no response is dated
        in the period (or the account has none); ``None`` (nothing displayed)
        when the dataset has no ``nps`` table at all: the section's summary
        (:func:`cslib.present.narrative.satisfaction_summary`) says so.

    Raises
    ------
    ParameterError
        If ``by`` is not a column of ``accounts``.

    References
    ----------
    Reichheld (2003); Bain & Company / Satmetrix, Net Promoter Score;
    definition key ``nps``.
    """
    p = Period.parse(period)
    if not isinstance(by, str):
        by = next((c for c in by if c in dataset.accounts.columns), by[-1])
    groups = dataset.groups(by)
    if (note := after_data(dataset, p)) is not None:
        return note
    nps = dataset.get("nps")
    if nps is None:
        return None
    if nps.empty:
        return Callout.of("No NPS responses in the data, so NPS cannot be shown.")
    overall = nps_breakdown(nps, period=p)
    total = overall.iloc[0]
    if int(total["nps_responses"]) == 0:
        return Callout.of(f"No NPS responses in {p.label}.")
    by_group = nps_breakdown(nps, period=p, groups=groups)
    by_group = by_group[by_group["nps_responses"] > 0]
    several = len(by_group) > 1  # one group: its bar is the total
    table = pd.concat([by_group, overall]) if several else by_group
    table.index = [truncate(g, 24) for g in by_group.index] + ([ALL] * several)
    table = table.assign(
        n=table["nps_responses"].astype(float), nps=[as_float(v) for v in table["nps"]]
    )
    n_groups = len(table) - 1 if several else 0

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 1.1 + 0.36 * (n_groups + 1.5))
        _draw_nps_bars(ax, table, n_groups)
        top_legend(fig, [Patch(color=c, label=lab) for _k, lab, c in _NPS_PARTS])
        details = "; ".join(
            f"{name} {signed_score(row['nps'])} (n = {fmt_count(row['n'])})"
            for name, row in (table.iloc[:-1] if n_groups else table).iterrows()
        )
        everyone = (
            f"all responses {signed_score(as_float(total['nps']))} "
            f"(n = {fmt_count(total['nps_responses'])}); "
            if n_groups
            else ""
        )
        # One group (a segment's own review by segment): one bar, the total; not "by".
        split = f" by {by}" if several else ""
        alt = f"NPS{split} in {p.label}: {everyone}{details}."
        caption = _nps_caption(p, total, sorted(set(groups.unique()) - set(by_group.index)))
        return figure_block(
            fig, title=f"NPS{split}, {p.label}", alt=alt, caption=caption, definitions=("nps",)
        )


def _draw_nps_bars(ax: Axes, table: pd.DataFrame, n_groups: int) -> None:
    """One 100% bar per row of ``table`` (the total apart, below), its NPS and n at its end."""
    y = np.r_[np.arange(n_groups)[::-1] + 1.5, 0.0] if n_groups else np.array([0.0])
    left = np.zeros(len(table))
    for key, _label, colour in _NPS_PARTS:
        width = table[f"{key[:-1]}_share"].to_numpy(float)
        ax.barh(y, width, left=left, height=0.68, color=colour)
        bar_labels(
            ax, y, left, width, [fmt_percent(w, digits=0) for w in width],
            text_colour_on(colour), show=[w >= 0.07 for w in width],
        )  # fmt: skip
        left = left + width
    for yi, (name, row) in zip(y, table.iterrows(), strict=True):
        head = ax.text(
            1.02,
            yi,
            f"NPS {signed_score(row['nps'])}",
            va="center",
            ha="left",
            fontsize=8.5,
            fontweight="bold",
        )
        ax.annotate(
            f"n = {fmt_count(row['n'])}",
            xy=(1.0, 0.5),
            xycoords=head,
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=8,
            color=PALETTE.muted,
            fontweight="bold" if name == ALL else "normal",
        )
    ax.set_yticks(y, list(table.index))
    for label in ax.get_yticklabels():
        if label.get_text() == ALL:
            label.set_fontweight("bold")
    hbar_axes(ax)
    ax.set_xlim(0, 1.36)
    ax.set_ylim(-0.6, (y.max() if len(y) else 0) + 0.6)
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    percent_axis(ax, axis="x")
    ax.set_xlabel("Share of responses (%)")


def _nps_caption(p: Period, total: pd.Series, missing: Sequence[object]) -> str:
    """The definition, the margin of error (or a warning on few responses), silent groups."""
    n_total = int(total["nps_responses"])
    caption = (
        f"NPS = % promoters − % detractors, in points, over the responses dated in "
        f"{p.label}; "
        + (
            f"{fmt_percent(0.95, digits=0)} margin of error for all responses "
            f"±{fmt_score(as_float(total['nps_margin']))}"
            " points."
            if n_total >= SMALL_SAMPLE
            else f"only {n_total} response{'s' if n_total != 1 else ''}: read with care."
        )
    )
    if missing:
        shown = ", ".join(truncate(m, 24) for m in missing[:5])
        caption += f" No responses from: {shown}" + (" and others." if len(missing) > 5 else ".")
    return caption


#: The trend's panels: measure, title, unit (y label), colour.
_PANELS = (
    ("nps", "NPS", "points", PALETTE.primary),
    ("csat", "CSAT", f"% satisfied ({SATISFIED_MIN}–5)", PALETTE.secondary),
    ("ces", "CES", "mean (1–7, 7 = easy)", PALETTE.positive),
)


def satisfaction_trend_chart(
    dataset: Dataset, *, period: Period | str, quarters: int = 8
) -> ChartBlock | None:
    """NPS, CSAT and CES per trailing quarter, in three small panels side by side.

    NPS in points (% promoters 9-10 − % detractors 0-6, Bain/Satmetrix) with
    its 95% margin of error as whiskers, counted by ``responded_on``. CSAT is
    the share of 4-5 answers on 1-5 and CES the mean on 1-7, counted in the
    quarter a ticket closed. A quarter with fewer answers than the survey
    minimum (:data:`~cslib.metrics.satisfaction.MIN_RESPONSES`, 30) is drawn
    as a hollow point off the line, which joins only the other quarters (an
    NPS whisker of such a quarter may run off the panel); a quarter without
    answers has no point.
    The y scales span at least 40 NPS points, 20 CSAT points and 1.5 CES
    points, so that small moves are not blown up. All numbers from
    :func:`cslib.metrics.satisfaction.satisfaction_trend`. Only quarters
    inside the data are shown.

    A measure the data never recorded (no ``nps`` table; no ``tickets``
    table, or no ``csat`` or ``ces`` column in it) has no panel; the others
    share the width.

    Parameters
    ----------
    dataset : Dataset
        Uses ``nps`` and ``tickets`` (either may be missing).
    period : Period or str
        The last quarter shown (a month or year: the three months ending it).
    quarters : int, default 8
        How many quarters, at most.

    Returns
    -------
    Figure, Callout or None
        A Callout when the period ends after the data or there is neither an
        NPS response nor a rated ticket in those quarters; ``None`` (nothing
        displayed) when the data records none of the three measures: the
        section's summary (:func:`cslib.present.narrative.satisfaction_summary`)
        says so.

    References
    ----------
    Bain & Company / Satmetrix (NPS); definition keys ``nps``, ``csat``, ``ces``.
    """
    p = Period.parse(period)
    if (note := after_data(dataset, p)) is not None:
        return note
    drawn = {"nps": not lacks(dataset, "nps"), "csat": not lacks(dataset, "tickets", "csat"),
             "ces": not lacks(dataset, "tickets", "ces")}
    if not any(drawn.values()):
        return None
    qs, _ = trailing_quarters(dataset, p, quarters, need_start_book=False)
    rows = (
        satisfaction_trend(nps=dataset.get("nps"), tickets=dataset.get("tickets"), periods=qs)
        if qs
        else None
    )
    counts = ["nps_responses", "csat_responses", "ces_responses"]
    if rows is None or rows[counts].to_numpy().sum() == 0:
        span = range_label(qs) if qs else p.label
        return Callout.of(
            f"No NPS responses and no rated tickets (CSAT, CES) in {span}, so satisfaction "
            "cannot be shown."
        )
    panels = tuple(panel for panel in _PANELS if drawn[panel[0]])
    last_text = [f"{name} not recorded in the data" for key, name, *_ in _PANELS
                 if not drawn[key]]  # fmt: skip

    with house_style():
        fig, axes = new_figure(WIDTH_IN, 2.5, ncols=len(panels))
        for ax, panel in zip(np.atleast_1d(axes), panels, strict=True):
            last_text.append(_draw_panel(ax, panel, rows, qs))
        alt = (
            f"Satisfaction by quarter from {short(qs[0])} to {short(qs[-1])}: "
            + ", ".join(last_text)
            + "."
        )
        names = [name for _, name, *_ in panels]
        shown = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return figure_block(
            fig,
            title=f"{shown}, {quarters_to(qs, p)}",
            alt=alt,
            caption=_satisfaction_caption(drawn),
            definitions=recorded(dataset, ("nps", "csat", "ces")),
        )


def _draw_panel(
    ax: Axes, panel: tuple[str, str, str, str], rows: pd.DataFrame, qs: Sequence[Period]
) -> str:
    """One measure's panel: its line, the latest value in the corner; returns the alt's words."""
    key, name, unit, colour = panel
    x = np.arange(len(qs))
    v = np.array([as_float(val) for val in rows[key]])
    ax.set_title(name, fontsize=9.5, loc="left")
    ax.set_ylabel(unit)
    ax.set_xticks(x, period_tick_labels(qs, short_year=True), fontsize=7.5)
    ax.set_xlim(-0.6, len(qs) - 0.4)
    ok = np.isfinite(v)
    if not ok.any():
        ax.text(0.5, 0.5, "No answers", transform=ax.transAxes, ha="center", va="center",
                color=PALETTE.muted)  # fmt: skip
        ax.set_yticks([])
        return f"{name} not available"
    # The line joins the quarters with at least the survey minimum of answers; one with
    # fewer is a hollow point off the line: a line through 4-answer quarters draws a trend
    # that is not there.
    small = rows[f"{key}_responses"].to_numpy() < SMALL_SAMPLE
    firm, hollow = ok & ~small, ok & small
    if key == "nps":
        margin = np.nan_to_num(np.array([as_float(val) for val in rows["nps_margin"]]))
        _draw_nps_line(ax, x, v, margin, firm=firm, hollow=hollow, colour=colour)
    else:
        lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
        ax.plot(x[firm], v[firm], color=colour, marker="o", markersize=3.5, linewidth=1.5)
        ax.plot(x[hollow], v[hollow], linestyle="none", marker="o", markersize=3.5,
                markerfacecolor="white", color=colour)
        # Scales wide enough not to blow small moves up: at least 20 points of CSAT and
        # 1.5 points of the 1-7 CES scale.
        if key == "csat":
            panel_ylim(ax, lo, hi, domain=(0.0, 1.0), min_span=0.2)
            percent_axis(ax)
        else:
            panel_ylim(ax, lo, hi, domain=(1.0, 7.0), min_span=1.5)
            score_axis(ax)
    i = int(np.flatnonzero(ok)[-1])
    text = {
        "nps": signed_score(v[i]),
        "csat": fmt_percent(v[i], digits=0),
        "ces": fmt_score(v[i]),
    }[key]
    # The latest value goes in the panel's corner, clear of the line.
    corner = text
    if i < len(qs) - 1:
        tick = period_tick_labels([qs[i]], short_year=True)[0]
        corner += f" ({tick.replace(chr(10), ' ')})"
    ax.set_title(corner, loc="right", fontsize=9, color=colour, fontweight="bold")
    ax.plot(
        [x[i]],
        [v[i]],
        linestyle="none",
        marker="o",
        markersize=5.5,
        color=colour,
        markerfacecolor="white" if small[i] else colour,
    )
    return f"{name} {text} in {short(qs[i])}"


def _draw_nps_line(
    ax: Axes,
    x: np.ndarray,
    v: np.ndarray,
    margin: np.ndarray,
    *,
    firm: np.ndarray,
    hollow: np.ndarray,
    colour: str,
) -> None:
    """NPS with its 95% margin as whiskers; quarters with few responses hollow, not joined.

    The y range covers the whiskers of the ``firm`` quarters only (a small
    sample's whisker may run off the panel); 0 is marked when in view.
    """
    lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    ax.errorbar(
        x, v, yerr=margin, fmt="none", ecolor=PALETTE.neutral, elinewidth=0.8, capsize=1.5
    )
    if firm.any():
        lo = min(lo, float(np.min((v - margin)[firm])))
        hi = max(hi, float(np.max((v + margin)[firm])))
    panel_ylim(ax, lo, hi, domain=(-100.0, 100.0), min_span=40.0)
    if ax.get_ylim()[0] < 0 < ax.get_ylim()[1]:
        ax.axhline(0, color=PALETTE.edge, linewidth=0.7, zorder=1)
    points_axis(ax)
    ax.plot(x[firm], v[firm], color=colour, linewidth=1.5)
    ax.plot(x[firm], v[firm], linestyle="none", marker="o", markersize=4, color=colour)
    ax.plot(
        x[hollow],
        v[hollow],
        linestyle="none",
        marker="o",
        markersize=4,
        markerfacecolor="white",
        color=colour,
    )


def _satisfaction_caption(drawn: dict[str, bool]) -> str:
    """How each drawn measure is counted; the measures not drawn because never recorded."""
    if all(drawn.values()):
        return (
            f"NPS in points by response date, with its {fmt_percent(0.95, digits=0)} margin of "
            "error; CSAT (share of "
            f"{SATISFIED_MIN}–5 answers) and CES (mean, 1–7) by the quarter a ticket closed. "
            f"The line joins quarters with at least {SMALL_SAMPLE} answers; hollow: fewer; "
            "no point: none."
        )
    return " ".join([
        *([f"NPS in points by response date, with its {fmt_percent(0.95, digits=0)} margin "
           "of error."]
          if drawn["nps"] else []),
        *([f"CSAT (share of {SATISFIED_MIN}–5 answers) by the quarter a ticket closed."]
          if drawn["csat"] else []),
        *(["CES (mean, 1–7) by the quarter a ticket closed."] if drawn["ces"] else []),
        f"The line joins quarters with at least {SMALL_SAMPLE} answers; hollow: fewer; no "
        "point: none.",
        "Not recorded in the data, so not drawn: "
        + ", ".join(n for k, n, *_ in _PANELS if not drawn[k]) + ".",
    ])  # fmt: skip
