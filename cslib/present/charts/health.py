"""The health chart: how many accounts have which health score, coloured by band."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cslib.data.dataset import Dataset
from cslib.metrics.health import HealthConfig, account_measures, health_scores
from cslib.present.blocks import Callout
from cslib.present.charts._draw import WIDTH_IN, ChartBlock, as_day, figure_block, top_legend
from cslib.present.formats import fmt_count, fmt_day, fmt_month_id
from cslib.present.style import PALETTE, count_axis, house_style, new_figure

__all__ = ["health_distribution_chart"]

_BANDS = ("red", "yellow", "green")


def health_distribution_chart(
    dataset: Dataset, *, as_of: str | pd.Timestamp, config: HealthConfig
) -> ChartBlock:
    """How many accounts have which health score: bins of 10 points, coloured by band.

    The health score (0-100) of every account paying in ``as_of``'s month is
    the weighted mean of its measure scores; a measure without data is left
    out and the other weights renormalized (Gainsight's rule; see
    :func:`cslib.metrics.health.health_scores`). Bars count accounts per
    10-point bin (the last bin includes 100), stacked by band (red, yellow,
    green: a bin that straddles a band limit is split), with the count on top;
    the title gives the count per band. Accounts without any measure data are
    not shown and are counted in the caption.

    Parameters
    ----------
    dataset : Dataset
        Uses ``mrr`` and every optional table the configured measures need.
    as_of : str or pandas.Timestamp
        The day the measures are read on.
    config : HealthConfig
        Measures, weights, thresholds and bands (for instance
        ``cslib.metrics.health.load_health_config("params/health.yaml")``).

    Returns
    -------
    Figure or Callout
        A Callout when no account pays in ``as_of``'s month or none has a score.

    References
    ----------
    Gainsight, "Scorecards"; definition key ``health_score``.
    """
    day = as_day(as_of)
    when = fmt_day(day)
    measures = account_measures(dataset, as_of=day)
    if measures.empty:
        return Callout.of(
            f"No account pays in {fmt_month_id(day.to_period('M'))}, so there is no health "
            f"score on {when}."
        )
    scores = health_scores(measures, config=config)
    scored = scores[scores["health_score"].notna()]
    unscored = len(scores) - len(scored)
    if scored.empty:
        return Callout.of(f"No account has data for any health measure on {when}.")
    bins = np.clip(np.floor(scored["health_score"].to_numpy() / 10.0), 0, 9).astype(int)
    counts = (
        pd.crosstab(bins, scored["health_band"].to_numpy())
        .reindex(index=range(10), columns=list(_BANDS), fill_value=0)
        .astype(int)
    )
    per_band = counts.sum(axis=0)
    red, yellow, green = (fmt_count(per_band[band]) for band in _BANDS)

    with house_style():
        fig, ax = new_figure(WIDTH_IN, 2.8)
        _draw_bins(ax, counts, config)
        top_legend(fig, ax.get_legend_handles_labels()[0])
        n = len(scored)
        med = float(scored["health_score"].median())
        alt = (
            f"Health scores of {fmt_count(n)} account{'s' if n != 1 else ''} on {when}: "
            f"{red} red, {yellow} yellow, {green} green; median score {med:.0f}."
        )
        caption = (
            "Health score: each measure scored 0–100 by thresholds, weighted mean; a measure "
            "without data is left out and the other weights renormalized (Gainsight). Dashed "
            "lines: band limits."
        )
        if unscored:
            caption += (
                f" {fmt_count(unscored)} paying account{'s' if unscored != 1 else ''} without "
                "data for any measure not shown."
            )
        title = f"Account health on {when}: {red} red, {yellow} yellow, {green} green"
        return figure_block(fig, title=title, alt=alt, caption=caption,
                            definitions=("health_score",))  # fmt: skip


def _draw_bins(ax: Axes, counts: pd.DataFrame, config: HealthConfig) -> None:
    """Accounts per 10-point bin, stacked by band, the count on top; dashed band limits."""
    per_band = counts.sum(axis=0)
    legend = {
        "red": f"Red ≤ {config.red_max:g} ({fmt_count(per_band['red'])})",
        "yellow": f"Yellow ≤ {config.yellow_max:g} ({fmt_count(per_band['yellow'])})",
        "green": f"Green > {config.yellow_max:g} ({fmt_count(per_band['green'])})",
    }
    x = np.arange(10) * 10 + 5
    bottom = np.zeros(10)
    for band in _BANDS:
        c = counts[band].to_numpy()
        ax.bar(
            x,
            c,
            bottom=bottom,
            width=9.0,
            color=PALETTE.band(band),
            edgecolor=PALETTE.edge if band == "yellow" else "none",
            linewidth=0.6 if band == "yellow" else 0,
            label=legend[band],
        )
        bottom += c
    top = float(bottom.max())
    for xi, total in zip(x, bottom, strict=True):
        if total > 0:
            ax.text(
                xi,
                total + top * 0.015,
                fmt_count(total),
                ha="center",
                va="bottom",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )
    for limit in (config.red_max, config.yellow_max):
        ax.axvline(limit, color=PALETTE.edge, linewidth=0.7, linestyle=(0, (3, 2)), zorder=0)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, top * 1.15 + 0.5)
    ax.set_xticks(np.arange(0, 101, 10))
    ax.set_xlabel("Health score (0–100), bins of 10 points")
    ax.set_ylabel("Accounts")
    count_axis(ax)
