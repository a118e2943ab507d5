"""Every chart of the reports, drawn in the house style and returned as report blocks.

Each chart takes a :class:`~cslib.Dataset` first and everything else by
keyword, and returns a :class:`cslib.present.blocks.Figure`: the chart as
deterministic SVG, a title that names the period (or the as-of day), a
one-sentence ``alt`` text with the key figures, a caption saying what is
shown, and the keys of the definitions it relies on. When the data a chart
needs is missing (an optional table not supplied, no rows in the period) it
returns a :class:`~cslib.present.blocks.Callout` that says so plainly instead
of raising.

The numbers come from :mod:`cslib.metrics`; the chart modules only lay them
out (they compute no metric of their own). Charts are drawn with matplotlib's
object API (no ``pyplot``) and released once rendered, so nothing stays open;
the three charts of every customer QBR (goals, adoption, relationship
coverage) are drawn straight to SVG by ``_svg`` in the same style, about 15x
faster, because a build draws them for every customer.

One module per report section: :mod:`~cslib.present.charts.revenue` (ARR
bridge, retention trend), :mod:`~cslib.present.charts.cohorts`,
:mod:`~cslib.present.charts.satisfaction` (NPS breakdown, NPS/CSAT/CES trend),
:mod:`~cslib.present.charts.health`, :mod:`~cslib.present.charts.adoption`,
:mod:`~cslib.present.charts.relationships` and
:mod:`~cslib.present.charts.goals`. What they share (figure size, text,
labels at line ends, axes, legends, the SVG block) is in ``_draw``; the SVG
canvas (font, text layout, axes frame, ticks, legend) in ``_svg``; which
quarters a trend shows and how periods are labelled, in ``_periods``. Every
public chart is importable from here: ``from cslib.present import charts;
charts.arr_bridge_chart(...)``.

Examples
--------
>>> import cslib
>>> from cslib.metrics.health import load_health_config
>>> ds = cslib.load("data/sample")                                  # doctest: +SKIP
>>> arr_bridge_chart(ds, period="2026Q3")                           # doctest: +SKIP
[chart] ARR bridge, 2026Q3
>>> qbr = ds.subset(["A0076"])                                      # doctest: +SKIP
>>> goal_progress_chart(qbr, as_of="2026-10-31")                    # doctest: +SKIP
[chart] Success-plan goals on 2026-10-31
>>> health_distribution_chart(ds, as_of="2026-10-31",
...     config=load_health_config("params/health.yaml"))            # doctest: +SKIP
"""

from cslib.present.charts.adoption import adoption_chart
from cslib.present.charts.cohorts import cohort_heatmap
from cslib.present.charts.goals import GOAL_STATUS_COLOURS, goal_progress_chart
from cslib.present.charts.health import health_distribution_chart
from cslib.present.charts.relationships import relationship_coverage_chart
from cslib.present.charts.revenue import arr_bridge_chart, retention_trend_chart, waterfall_steps
from cslib.present.charts.satisfaction import nps_breakdown_chart, satisfaction_trend_chart

__all__ = [
    "GOAL_STATUS_COLOURS",
    "adoption_chart",
    "arr_bridge_chart",
    "cohort_heatmap",
    "goal_progress_chart",
    "health_distribution_chart",
    "nps_breakdown_chart",
    "relationship_coverage_chart",
    "retention_trend_chart",
    "satisfaction_trend_chart",
    "waterfall_steps",
]
