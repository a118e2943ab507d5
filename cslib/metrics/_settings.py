"""Strict reading of settings mappings (from YAML): unknown keys and bad values fail."""

from __future__ import annotations

import difflib
import math
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


def number(
    value: object, *, where: str, low: float | None = None, high: float | None = None
) -> float:
    """A finite real number (not a bool, not NaN or infinity), within ``low``..``high``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where} must be a number, got {value!r}.")
    if low is not None and value < low:
        raise ConfigError(f"{where} must be >= {low}, got {value!r}.")
    if high is not None and value > high:
        raise ConfigError(f"{where} must be <= {high}, got {value!r}.")
    return float(value)


def whole_number(value: object, *, where: str, low: int = 0, high: int | None = None) -> int:
    """A whole number (an ``int``: not a bool, not ``2.5``, not ``"3"``) within ``low``..``high``.

    Examples
    --------
    >>> whole_number(3, where="x", low=1, high=12)
    3
    >>> whole_number(True, where="x")
    Traceback (most recent call last):
    cslib.errors.ConfigError: x must be a whole number >= 0, got True.
    """
    if (isinstance(value, bool) or not isinstance(value, int) or value < low
            or (high is not None and value > high)):
        bounds = f">= {low}" if high is None else f"from {low} to {high}"
        raise ConfigError(f"{where} must be a whole number {bounds}, got {value!r}.")
    return value
