"""Tests for cslib.metrics.support: tickets opened and closed, median days to close."""

from __future__ import annotations

import pandas as pd

from cslib.metrics.support import ticket_summary

TICKETS = pd.DataFrame(
    {
        "account_id": ["a", "a", "a", "b", "b", "c"],
        "opened_on": pd.to_datetime(
            [
                "2026-06-20", "2026-07-01", "2026-09-30 15:00", "2026-06-30", "2026-08-01",
                "2026-08-10",
            ],
            format="mixed",
        ),
        "closed_on": pd.to_datetime(
            ["2026-07-01", "2026-07-11", None, "2026-10-01", "2026-09-30 18:00", "2026-08-13"],
            format="mixed",
        ),
    }
)


def test_tickets_count_by_the_day_they_opened_and_closed() -> None:
    s = ticket_summary(TICKETS, period="2026Q3").loc["total"]
    # opened inside: a 07-01, a 09-30 (late in the day), b 08-01, c 08-10
    # closed inside: a 07-01 (11 days), a 07-11 (10), b 09-30 (60), c 08-13 (3)
    assert (s["opened"], s["closed"]) == (4, 4)
    assert s["median_days_to_close"] == 10.5


def test_ticket_summary_by_group_and_without_closed_tickets() -> None:
    groups = pd.Series({"a": "Ent", "b": "Ent", "c": "SMB"}, name="segment")
    by = ticket_summary(TICKETS, period="2026Q3", groups=groups)
    assert by.index.name == "segment"
    assert by.loc["Ent", ["opened", "closed"]].tolist() == [3, 3]
    assert by.loc["Ent", "median_days_to_close"] == 11.0
    assert by.loc["SMB", "median_days_to_close"] == 3.0
    none = ticket_summary(TICKETS, period="2025Q1").loc["total"]
    assert (none["opened"], none["closed"], none["median_days_to_close"]) == (0, 0, None)
