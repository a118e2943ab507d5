"""Metrics: pure functions over contract tables and a period (layer 2)."""
