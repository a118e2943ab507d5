"""Strict reading of settings mappings (from YAML): unknown keys and bad values fail."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from cslib.errors import ConfigError


def check_keys(data: object, allowed: Iterable[str], *, where: str) -> Mapping[str, object]:
    """Return ``data`` as a mapping after checking that it has only ``allowed`` keys."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where} must be a mapping of settings, got {type(data).__name__}.")
    allowed = list(allowed)
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"{where}: unknown setting {key!r}; expected one of {', '.join(allowed)}.{hint}"
            )
    return data


def number(value: object, *, where: str, low: float | None = None) -> float:
    """A real number (not a bool), optionally at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a number, got {value!r}.")
    if low is not None and value < low:
        raise ConfigError(f"{where} must be >= {low}, got {value!r}.")
    return float(value)
