from __future__ import annotations

import pytest

from cslib.present.style import _MoneyTicks


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
