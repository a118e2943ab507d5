"""Charts and the house style: every chart on the sample data, determinism, missing data."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure as MplFigure

import cslib
from cslib.metrics.adoption import seat_utilization, seat_utilization_trend
from cslib.metrics.cohorts import cohort_retention
from cslib.metrics.health import load_health_config
from cslib.metrics.revenue import retention_trend
from cslib.metrics.satisfaction import satisfaction_trend
from cslib.periods import Period
from cslib.present import charts
from cslib.present.blocks import BLOCK_MIME, Callout, Figure, spans_text
from cslib.present.style import (
    PALETTE,
    house_rc,
    house_style,
    money_axis,
    new_figure,
    percent_axis,
    to_svg,
)

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026Q3"
AS_OF = "2026-10-31"
SVG_NS = "{http://www.w3.org/2000/svg}"
DEFINITION_KEYS = {
    "arr_bridge", "nrr", "grr", "logo_retention", "cohort_retention", "nps", "csat", "ces",
    "health_score", "seat_utilization", "relationship_coverage", "goals",
}  # fmt: skip

Chart = Callable[[cslib.Dataset], Figure | Callout]


@pytest.fixture(scope="module")
def sample() -> cslib.Dataset:
    return cslib.load(ROOT / "data" / "sample")


@pytest.fixture(scope="module")
def health_config() -> object:
    return load_health_config(ROOT / "params" / "health.yaml")


def _charts(health_config: object, period: str = PERIOD) -> dict[str, Chart]:
    """Every chart with the sample's parameters, by name."""
    PERIOD = period  # noqa: N806 - the lambdas below read the given period
    return {
        "arr_bridge": lambda d: charts.arr_bridge_chart(d, period=PERIOD),
        "retention_trend": lambda d: charts.retention_trend_chart(d, period=PERIOD),
        "cohort_heatmap": lambda d: charts.cohort_heatmap(d, period=PERIOD),
        "cohort_heatmap_logo": lambda d: charts.cohort_heatmap(d, period=PERIOD, measure="logo"),
        "nps_breakdown": lambda d: charts.nps_breakdown_chart(d, period=PERIOD),
        "nps_by_region": lambda d: charts.nps_breakdown_chart(d, period=PERIOD, by="region"),
        "satisfaction_trend": lambda d: charts.satisfaction_trend_chart(d, period=PERIOD),
        "health_distribution": lambda d: charts.health_distribution_chart(
            d, as_of=AS_OF, config=health_config
        ),
        "adoption": lambda d: charts.adoption_chart(d, period=PERIOD),
        "relationship_coverage": lambda d: charts.relationship_coverage_chart(d, as_of=AS_OF),
        "goal_progress": lambda d: charts.goal_progress_chart(d, as_of=AS_OF),
    }


CHART_NAMES = [
    "arr_bridge", "retention_trend", "cohort_heatmap", "cohort_heatmap_logo", "nps_breakdown",
    "nps_by_region", "satisfaction_trend", "health_distribution", "adoption",
    "relationship_coverage", "goal_progress",
]  # fmt: skip
AS_OF_CHARTS = {"health_distribution", "relationship_coverage", "goal_progress"}
QBR_CHARTS = [
    "adoption", "relationship_coverage", "goal_progress", "nps_breakdown",
    "satisfaction_trend", "arr_bridge", "health_distribution",
]  # fmt: skip


def _check_svg(svg: str, alt: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    view = [float(v) for v in root.attrib["viewBox"].split()]
    assert view[:2] == [0.0, 0.0] and view[2] > 0 and view[3] > 0
    assert root.attrib["width"].endswith("pt") and root.attrib["height"].endswith("pt")
    # every chart is laid out at 6.5 in wide (468 pt), so its text prints at the house size
    assert view[2] == pytest.approx(468.0)
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == alt
    assert "dc:date" not in svg  # no timestamp: same input, same bytes
    return root


# Every chart on the sample ------------------------------------------------------------


def test_every_public_chart_is_drawn_by_a_notebook_or_a_template() -> None:
    # fails before: seat_utilization_chart was public, tested, and drawn by no report
    sources = [*(ROOT / "notebooks").glob("*.ipynb"),
               *(ROOT / "cslib" / "authoring" / "templates").glob("*")]  # fmt: skip
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    drawn = [name for name in charts.__all__ if name.endswith(("_chart", "_heatmap"))]
    assert len(drawn) == 9
    assert [name for name in drawn if f"charts.{name}(" not in text] == []


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_chart_on_the_sample(sample, health_config, name: str) -> None:
    block = _charts(health_config)[name](sample)
    assert isinstance(block, Figure), block
    _check_svg(block.svg, block.alt)
    assert (AS_OF if name in AS_OF_CHARTS else PERIOD) in block.title
    assert block.alt.endswith(".") and len(block.alt) > 40
    assert block.caption
    assert block.definitions and set(block.definitions) <= DEFINITION_KEYS
    bundle = block._repr_mimebundle_()
    assert bundle["image/svg+xml"] == block.svg
    assert bundle[BLOCK_MIME]["type"] == "figure"


@pytest.mark.parametrize("name", CHART_NAMES)
def test_charts_are_deterministic(sample, health_config, name: str) -> None:
    chart = _charts(health_config)[name]
    assert chart(sample).svg == chart(sample).svg


def test_no_figure_left_open_and_no_global_style_change(sample, health_config) -> None:
    import matplotlib.pyplot as plt  # only to check that the library opened no figure

    before = dict(matplotlib.rcParams)
    for chart in _charts(health_config).values():
        chart(sample)
    assert plt.get_fignums() == []
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


# One segment, one customer -------------------------------------------------------------


def test_charts_for_one_segment(sample, health_config) -> None:
    ids = sample.accounts.loc[sample.accounts["segment"] == "Enterprise", "account_id"]
    segment = sample.subset(ids)
    for name, chart in _charts(health_config).items():
        block = chart(segment)
        assert isinstance(block, Figure), (name, block)
        _check_svg(block.svg, block.alt)
    nps = charts.nps_breakdown_chart(segment, period=PERIOD)
    assert "Enterprise" in nps.alt


@pytest.mark.parametrize("name", QBR_CHARTS)
def test_qbr_charts_for_one_account(sample, health_config, name: str) -> None:
    one = sample.subset(["A0076"])
    block = _charts(health_config)[name](one)
    assert isinstance(block, Figure), block
    _check_svg(block.svg, block.alt)


def test_goal_chart_of_one_account_lists_its_goals_without_account_names(sample) -> None:
    one = sample.subset(["A0076"])
    goals = one.get("goals")
    block = charts.goal_progress_chart(one, as_of=AS_OF)
    assert f"{len(goals)} goals shown" in block.alt
    assert "Showing" not in block.caption  # all of them fit


def test_goal_chart_says_when_goals_are_left_out(sample) -> None:
    block = charts.goal_progress_chart(sample, as_of=AS_OF, limit=12)
    n = len(sample.get("goals"))
    assert f"Showing the 12 goals with the latest due dates of {n}." in block.caption


# Missing optional tables ------------------------------------------------------------------


@pytest.fixture(scope="module")
def revenue_only(sample) -> cslib.Dataset:
    """The sample with only its required tables (accounts, mrr)."""
    return cslib.from_frames({"accounts": sample.accounts, "mrr": sample.mrr})


NO_USAGE = (
    "No usage data (active users, licensed seats) in the dataset, so adoption cannot be shown."
)


@pytest.mark.parametrize(
    "name", ["nps_breakdown", "satisfaction_trend", "adoption", "relationship_coverage"]
)
def test_a_table_the_data_never_had_draws_nothing(revenue_only, health_config, name) -> None:
    # the section's first block says so (test_present.py); no second note, no empty chart
    assert _charts(health_config)[name](revenue_only) is None


@pytest.mark.parametrize(
    ("name", "table", "message"),
    [
        ("nps_breakdown", "nps", "No NPS responses in the data, so NPS cannot be shown."),
        ("satisfaction_trend", "nps",
         "No NPS responses and no rated tickets (CSAT, CES) in 2024Q4 to 2026Q3, so satisfaction "
         "cannot be shown."),
        ("adoption", "usage", NO_USAGE),
        ("relationship_coverage", "contacts",
         "No contacts recorded, so relationship coverage cannot be shown."),
    ],
)  # fmt: skip
def test_an_empty_table_gives_a_callout(sample, health_config, name, table, message) -> None:
    empty = sample.get(table).iloc[:0]
    ds = cslib.from_frames({"accounts": sample.accounts, "mrr": sample.mrr, table: empty})
    block = _charts(health_config)[name](ds)
    assert isinstance(block, Callout)
    assert spans_text(block.spans) == message


@pytest.mark.parametrize(
    "name", ["arr_bridge", "retention_trend", "cohort_heatmap", "health_distribution"]
)
def test_revenue_charts_need_only_the_required_tables(revenue_only, health_config, name) -> None:
    block = _charts(health_config)[name](revenue_only)
    assert isinstance(block, Figure)


def test_no_nps_response_in_the_period(sample) -> None:
    nps = sample.get("nps")
    early = nps[nps["responded_on"] < "2026-01-01"]
    ds = cslib.from_frames(
        {"accounts": sample.accounts, "mrr": sample.mrr, "nps": early.reset_index(drop=True)}
    )
    block = charts.nps_breakdown_chart(ds, period=PERIOD)
    assert isinstance(block, Callout)
    assert spans_text(block.spans) == "No NPS responses in 2026Q3."


def test_satisfaction_panel_without_its_table_still_draws_the_others(sample) -> None:
    tables = {"accounts": sample.accounts, "mrr": sample.mrr, "nps": sample.get("nps")}
    ds = cslib.from_frames(tables)
    block = charts.satisfaction_trend_chart(ds, period=PERIOD)
    assert isinstance(block, Figure)
    assert "CSAT not recorded in the data" in block.alt and "NPS +24.5 in 2026Q3" in block.alt
    assert block.title == "NPS, 8 quarters to 2026Q3"
    assert block.caption.endswith("Not recorded in the data, so not drawn: CSAT, CES.")


@pytest.mark.parametrize("name", sorted(set(CHART_NAMES) - AS_OF_CHARTS))
def test_a_period_after_the_data_gives_a_callout(sample, health_config, name: str) -> None:
    block = _charts(health_config, period="2026Q4")[name](sample)
    assert isinstance(block, Callout), name
    assert spans_text(block.spans) == (
        "The data ends in 2026-10, so 2026Q4 (to 2026-12) is not covered yet; choose a "
        "period that ends by then."
    )


def test_a_bridge_before_the_data_gives_a_callout(sample) -> None:
    block = charts.arr_bridge_chart(sample, period="2023Q4")
    assert isinstance(block, Callout)
    assert spans_text(block.spans) == (
        "The data starts in 2023-11, so 2023Q4 has no opening month (2023-09) to compare with."
    )


def test_bad_parameters_raise_a_parameter_error(sample) -> None:
    with pytest.raises(cslib.ParameterError) as err:
        charts.cohort_heatmap(sample, period=PERIOD, measure="seats")
    assert str(err.value) == "`measure` must be 'revenue' or 'logo', got 'seats'."
    with pytest.raises(cslib.ParameterError, match="`by` must be a column of accounts"):
        charts.nps_breakdown_chart(sample, period=PERIOD, by="segmnt")


# The ARR waterfall adds up -------------------------------------------------------------------


def test_waterfall_plots_the_bridge_and_balances(sample) -> None:
    bridge = cslib.arr_bridge(sample.mrr, period=PERIOD)["total"]
    steps = charts.waterfall_steps(bridge)
    assert list(steps.index) == list(bridge.index)
    np.testing.assert_allclose(steps["value"].to_numpy(), bridge.to_numpy())
    assert steps.loc["churn", "level"] == pytest.approx(bridge["ending"])
    heights = (steps["top"] - steps["bottom"]).to_numpy()
    signed = np.where(steps["kind"] == "decrease", -heights, heights)
    assert signed[0] + signed[1:-1].sum() == pytest.approx(signed[-1])
    assert set(steps["kind"]) == {"total", "increase", "decrease"}


def test_waterfall_of_the_hand_computed_dataset(valid_dir) -> None:
    # conftest: start 4,100, new +500, expansion +200, contraction -500, churn -300, end 4,000 MRR
    ds = cslib.load(valid_dir)
    steps = charts.waterfall_steps(cslib.arr_bridge(ds.mrr, period=PERIOD)["total"])
    expected = {
        # step: (value, bottom, top) in ARR
        "starting": (49_200, 0, 49_200),
        "new": (6_000, 49_200, 55_200),
        "expansion": (2_400, 55_200, 57_600),
        "reactivation": (0, 57_600, 57_600),
        "contraction": (-6_000, 51_600, 57_600),
        "churn": (-3_600, 48_000, 51_600),
        "ending": (48_000, 0, 48_000),
    }
    for step, values in expected.items():
        assert tuple(steps.loc[step, ["value", "bottom", "top"]]) == pytest.approx(values), step
    block = charts.arr_bridge_chart(ds, period=PERIOD)
    assert block.alt == (
        "ARR bridge for 2026Q3: starting ARR $49.2K; new +$6.0K, expansion +$2.4K, "
        "reactivation $0, contraction −$6.0K, churn −$3.6K; ending ARR $48.0K (−2.4%)."
    )


# The trend charts draw what the metric functions compute ------------------------------------
# The alt texts below are what the charts said before their numbers moved into metrics/ (they
# were computed through "pseudo-accounts" then); the metric functions give the same figures.


def test_retention_trend_draws_the_metric_per_quarter(sample) -> None:
    block = charts.retention_trend_chart(sample, period=PERIOD)
    assert block.alt == (
        "Quarterly retention from 2024Q4 to 2026Q3; in 2026Q3 NRR was 102.3%, GRR 99.6% and "
        "logo retention 97.9%."
    )
    quarters = [Period.parse(PERIOD).shift(-k) for k in reversed(range(8))]
    trend = retention_trend(sample.mrr, periods=quarters)
    for q in quarters:
        one = cslib.revenue_summary(sample.mrr, period=q).iloc[0]
        for col in ("nrr", "grr", "logo_retention"):
            assert trend.loc[q.label, col] == pytest.approx(one[col]), (q.label, col)


def test_satisfaction_trend_draws_the_metric_per_quarter(sample) -> None:
    block = charts.satisfaction_trend_chart(sample, period=PERIOD)
    assert block.alt == (
        "Satisfaction by quarter from 2024Q4 to 2026Q3: NPS +24.5 in 2026Q3, CSAT 66% in "
        "2026Q3, CES 5.1 in 2026Q3."
    )
    quarters = [Period.parse(PERIOD).shift(-k) for k in reversed(range(8))]
    nps, tickets = sample.get("nps"), sample.get("tickets")
    trend = satisfaction_trend(nps=nps, tickets=tickets, periods=quarters)
    for q in quarters:
        one = cslib.satisfaction_summary(nps=nps, tickets=tickets, period=q).iloc[0]
        assert trend.loc[q.label].tolist() == one.tolist(), q.label


def test_adoption_chart_draws_the_metric_per_month(sample) -> None:
    block = charts.adoption_chart(sample, period=PERIOD)
    assert block.alt == (
        "Active users and licensed seats from 2025-10 to 2026-09: in 2026-09 16,714 active users "
        "on 25,529 licensed seats, 65.5% utilization."
    )
    months = pd.period_range("2025-10", "2026-09", freq="M")
    trend = seat_utilization_trend(sample.get("usage"), months=months)
    for m in months:
        one = seat_utilization(sample.get("usage"), month=m).iloc[0]
        assert trend.loc[m].tolist() == one.tolist(), m


def test_cohort_heatmap_draws_the_quarterly_cohort_table(sample) -> None:
    block = charts.cohort_heatmap(sample, period=PERIOD)
    assert block.alt == (
        "Revenue retention of the 8 quarterly cohorts from 2024Q3 to 2026Q2, observed to "
        "2026-09: the 2024Q3 cohort keeps 119% after 8 quarters, the 2026Q2 cohort keeps 100% "
        "after 1 quarter."
    )
    table = cohort_retention(sample.mrr, last_month="2026-09", measure="revenue", step_months=3)
    assert f"{100 * table.loc[pd.Period('2024-09', 'M'), 8]:.0f}%" == "119%"


def test_a_customer_who_pays_after_the_period_gets_a_callout_not_an_error(sample) -> None:
    # fails before: KeyError 0 in cohort_retention (A0003 first pays after 2024Q2)
    block = charts.cohort_heatmap(sample.subset(["A0003"]), period="2024Q2")
    assert isinstance(block, Callout)
    assert spans_text(block.spans).startswith("No quarterly cohort up to 2024Q2 has a later")


def test_nps_breakdown_shares_match_the_nps(sample) -> None:
    block = charts.nps_breakdown_chart(sample, period=PERIOD)
    total = cslib.satisfaction_summary(nps=sample.get("nps"), tickets=None, period=PERIOD)
    nps = float(total.iloc[0]["nps"])
    assert f"all responses {nps:+.1f} (n = {int(total.iloc[0]['nps_responses'])})" in block.alt


# Goals --------------------------------------------------------------------------------------


# Periods that are not quarters, fiscal calendars ---------------------------------------


def test_trend_charts_accept_a_month_and_a_period_object(sample) -> None:
    block = charts.retention_trend_chart(sample, period="2026-10")
    assert isinstance(block, Figure)
    assert block.title == "Revenue and logo retention, 8 quarters to 2026-10"
    fiscal = Period.parse("2027Q1", fiscal_year_start_month=2)  # Feb-Apr 2026
    block = charts.satisfaction_trend_chart(sample, period=fiscal)
    assert block.title == "NPS, CSAT and CES, 8 quarters to 2027Q1"


def test_retention_trend_leaves_out_quarters_before_the_data(sample) -> None:
    block = charts.retention_trend_chart(sample, period="2024Q2")
    assert block.title == "Revenue and logo retention, 2 quarters to 2024Q2"
    assert "6 earlier quarters not shown: the data starts in 2023-11." in block.caption


# The house style --------------------------------------------------------------------------------


def test_house_rc_is_the_house_style() -> None:
    rc = house_rc()
    assert rc["font.sans-serif"] == ["DejaVu Sans"]
    assert rc["font.size"] == 9.0 and rc["axes.titlesize"] == 10.5
    assert rc["svg.fonttype"] == "path" and rc["svg.hashsalt"] == "cslib"
    assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
    with house_style():
        assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"


def test_palette_is_okabe_ito() -> None:
    assert PALETTE.positive == "#009E73" and PALETTE.negative == "#D55E00"
    assert PALETTE.primary == "#0072B2" and PALETTE.secondary == "#E69F00"
    assert [PALETTE.band(b) for b in ("red", "yellow", "green")] == [
        "#D55E00", "#F0E442", "#009E73",
    ]  # fmt: skip


def test_to_svg_is_deterministic_escapes_alt_and_matches_savefig() -> None:
    def draw() -> MplFigure:
        with house_style():
            fig, ax = new_figure(height_in=2.0)
            ax.plot([0, 1, 2], [0.95, 1.0, 1.05])
            ax.set_ylabel("Net revenue retention")
            ax.legend(["NRR"], loc="upper left")
            percent_axis(ax)
        return fig

    first = to_svg(draw(), alt="Up & <away>")
    assert first == to_svg(draw(), alt="Up & <away>")
    # One draw on the SVG canvas gives exactly what matplotlib's savefig (two draws) does.
    buffer = io.BytesIO()
    with house_style():
        draw().savefig(buffer, format="svg", metadata={"Date": None})
    assert to_svg(draw()) == buffer.getvalue().decode("utf-8")
    root = ET.fromstring(first.encode("utf-8"))
    assert root.find(f"{SVG_NS}title").text == "Up & <away>"
    assert "viewBox" in root.attrib


@pytest.mark.parametrize(
    ("value", "text"),
    [(20_000_000.0, "$20M"), (1_500_000.0, "$1.5M"), (500_000.0, "$500K"), (0.0, "$0")],
)
def test_money_ticks(value: float, text: str) -> None:
    with house_style():
        fig, ax = new_figure()
        money_axis(ax)
        assert ax.yaxis.get_major_formatter()(value, 0) == text
        fig.clear()


def test_no_goals_shows_nothing_as_the_goals_table_says_so(revenue_only) -> None:
    assert charts.goal_progress_chart(revenue_only, as_of=AS_OF) is None


def test_satisfaction_lines_join_only_quarters_with_enough_answers(monkeypatch):
    """Company NPS zigzagged 0 -> 66.7 -> 0 on 4-7 answers a quarter: those quarters are
    hollow points off the line now, and the scales span at least 40 NPS points, 20 CSAT
    points and 1.5 CES points."""
    from cslib.metrics.satisfaction import MIN_RESPONSES, satisfaction_trend
    from cslib.present.charts import satisfaction as module
    from cslib.present.charts.satisfaction import trailing_quarters
    from cslib.present.report import open_report

    report = open_report("company", company="X", period="2026Q3")
    drawn: list[MplFigure] = []
    real = module.figure_block

    def capture(fig, **kw):
        drawn.append(fig)
        return real(fig, **kw)

    monkeypatch.setattr(module, "figure_block", capture)
    module.satisfaction_trend_chart(report.dataset, period=report.period)
    qs, _ = trailing_quarters(report.dataset, report.period, 8, need_start_book=False)
    trend = satisfaction_trend(nps=report.dataset.get("nps"),
                               tickets=report.dataset.get("tickets"), periods=qs)
    axes = drawn[0].axes
    spans = {"nps": 40.0, "csat": 0.2, "ces": 1.5}
    for ax, key in zip(axes, ("nps", "csat", "ces"), strict=True):
        counts = trend[f"{key}_responses"].to_numpy()
        enough = np.flatnonzero(counts >= MIN_RESPONSES)
        lines = [line for line in ax.get_lines() if line.get_linewidth() == 1.5]
        (line,) = lines
        assert list(line.get_xdata()) == list(enough), key
        assert (counts < MIN_RESPONSES).any() or key != "nps"  # the sample has the case
        low, high = ax.get_ylim()
        assert high - low >= spans[key] - 1e-9, key
