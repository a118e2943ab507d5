"""Reading settings files under ``params/`` (health score, risk thresholds).

YAML is parsed safely; a file that is missing, not YAML, or breaks the
settings' rules raises :class:`~cslib.errors.ConfigError` naming the file.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cslib.errors import ConfigError
from cslib.metrics.health import HealthConfig
from cslib.metrics.risk import RiskSettings

__all__ = ["load_health_config", "load_risk_settings", "read_yaml"]

#: libyaml's safe loader when PyYAML was built with it (about 10x faster), else PyYAML's.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path) -> object:
    """Parse one YAML file safely.

    Raises
    ------
    ConfigError
        If the file is missing or is not valid YAML (with the line of the fault).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such settings file.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text.") from None
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}.") from None


def load_health_config(path: str | Path) -> HealthConfig:
    """Read a health score configuration (see ``params/health.yaml``)."""
    return HealthConfig.from_mapping(read_yaml(path), source=str(path))


def load_risk_settings(path: str | Path) -> RiskSettings:
    """Read risk flag thresholds (see ``params/risk.yaml``)."""
    return RiskSettings.from_mapping(read_yaml(path) or {}, source=str(path))
