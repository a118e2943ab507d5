"""Settings: every YAML file cslib reads, and the strict checks of what is in it.

Plans, ``params/health.yaml``, ``params/risk.yaml`` and database source files
are read by :func:`read_yaml`; their keys and values are checked with
:func:`check_keys`, :func:`number` and :func:`whole_number`, and every "did you
mean" hint comes from :func:`did_you_mean`.

YAML is parsed safely; a file that is missing, not YAML, or breaks the
settings' rules raises :class:`~cslib.errors.ConfigError` naming the file.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from cslib.errors import ConfigError

__all__ = ["check_keys", "did_you_mean", "number", "read_yaml", "whole_number"]

#: libyaml's safe loader when PyYAML was built with it (about 10x faster), else PyYAML's.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: What a top level that is not a mapping is called in messages (never its text).
_KINDS = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
          bytes: "binary data"}


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _StrictLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, refusing a mapping key given twice.

    YAML forbids it, but PyYAML keeps the last one silently. Merge keys
    (``<<: *base``) may still be overridden.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[tuple[type, object], int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get((type(key), key))
            except TypeError:  # an unhashable key: PyYAML's own error names its line
                continue
            if first is not None:
                text = key_node.value if isinstance(key_node, yaml.ScalarNode) else key
                raise _DuplicateKeyError(str(text), key_node.start_mark.line + 1, first + 1)
            seen[(type(key), key)] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path) -> dict:
    """Parse one YAML settings file safely: its top level must be a mapping.

    The one reader of every settings file (plans, ``params/health.yaml``,
    ``params/risk.yaml``, database source files), so its rules hold for all:
    a key given twice is refused, and no message quotes the text of a file
    that is not a settings file (it may be a secrets file named by mistake):
    a YAML error gives its line, a top level that is not a mapping its kind.

    Returns
    -------
    dict
        The mapping; an empty file (or one of comments only) gives ``{}``.

    Raises
    ------
    ConfigError
        If the file is missing, a folder, unreadable, not UTF-8, not valid YAML
        (with the line of the fault), gives a key twice (with both lines and the
        key), or its top level is not a mapping (with the kind found).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such settings file.") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: a folder, not a settings file (YAML).") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text.") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__}).") \
            from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except _DuplicateKeyError as dup:
        raise ConfigError(
            f"{path}: line {dup.line}: {dup.key!r} is given twice (first on line {dup.first}); "
            "a key may appear once: remove or rename one of them."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = _KINDS.get(type(data), "a value that is not a mapping")
        raise ConfigError(
            f"{path}: expected a mapping of settings (`key: value` lines) at the top level, "
            f"got {kind}."
        )
    return data


def did_you_mean(value: str, options: Iterable[str], *, code: bool = False) -> str:
    """`` Did you mean 'x'?`` for the closest of ``options``, or ``""``: one hint for every message.

    ``code=True`` names it as code (`` Did you mean `x`?``), for parameter names.

    Examples
    --------
    >>> did_you_mean("acounts", ["accounts", "segments"])
    " Did you mean 'accounts'?"
    """
    close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1)
    if not close:
        return ""
    return f" Did you mean `{close[0]}`?" if code else f" Did you mean {close[0]!r}?"


def check_keys(data: object, allowed: Iterable[str], *, where: str) -> Mapping[str, object]:
    """Return ``data`` as a mapping after checking that it has only ``allowed`` keys."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where} must be a mapping of settings, got {type(data).__name__}.")
    allowed = list(allowed)
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"{where}: unknown setting {key!r}; expected one of {', '.join(allowed)}."
                f"{did_you_mean(str(key), allowed)}"
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
