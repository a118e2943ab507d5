from __future__ import annotations

import pytest

from cslib.present.style import _MoneyTicks, _PercentTicks


@pytest.mark.parametrize(
    ("ticks", "labels"),
    [
        ([1.25e6, 1.275e6, 1.3e6], ["$1.25M", "$1.275M", "$1.3M"]),
        ([1.2e6, 1.25e6, 1.3e6], ["$1.2M", "$1.25M", "$1.3M"]),
        ([0, 5e6, 10e6], ["$0", "$5M", "$10M"]),
        ([-50e3, 0, 50e3], ["−$50K", "$0", "$50K"]),
        ([0, 200, 400], ["$0", "$200", "$400"]),
    ],
)
def test_money_ticks_are_distinct_and_compact(ticks, labels):
    assert _MoneyTicks().format_ticks(ticks) == labels


@pytest.mark.parametrize(
    ("ticks", "digits", "labels"),
    [
        ([0.6, 0.625, 0.65, 0.675], 0, ["60.0%", "62.5%", "65.0%", "67.5%"]),  # not "63%"
        ([0.5, 0.75, 1.0], 0, ["50%", "75%", "100%"]),
        ([0.0, 0.2, 0.4], 1, ["0.0%", "20.0%", "40.0%"]),
        ([0.99, 0.9925, 0.995], 0, ["99.00%", "99.25%", "99.50%"]),
    ],
)
def test_percent_ticks_say_where_they_stand(ticks, digits, labels):
    assert _PercentTicks(digits).format_ticks(ticks) == labels


def test_data_text_in_charts_is_drawn_as_written_never_as_mathtext():
    from cslib.present.style import drawn_text, house_style, new_figure, to_svg

    with house_style():
        fig, ax = new_figure(height_in=1.5)
        ax.set_title("Cut costs from $5 to $3")
        ax.text(0.1, 0.5, r"Broken $\notacommand{ math")  # mathtext would raise here
        svg = to_svg(fig)
    assert svg.startswith("<?xml")
    assert {"Cut costs from $5 to $3", r"Broken $\notacommand{ math"} <= set(drawn_text(fig))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Hooli 🚀", "Hooli \u2066:rocket:\u2069"),
        ("👍🏽 ok", "\u2066:thumbs up sign:\u2069 ok"),  # the skin-tone modifier is dropped
        ("شركة هولي · עברית · Ünïcödé", "شركة هولي · עברית · Ünïcödé"),  # drawable: kept
        ("plain ASCII <b>", "plain ASCII <b>"),
    ],
)
def test_characters_the_font_cannot_draw_are_spelled_out(text, shown):
    from cslib.present.style import drawable_text

    assert drawable_text(text) == shown
