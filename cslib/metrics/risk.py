"""The four risk flags of DESIGN.md, with their thresholds as settings.

- *renewal at risk*: renewal within 90 days and no executive contact in 15 days;
- *single-threaded*: fewer strong executive relationships than the segment needs
  (Enterprise 2, others 1);
- *build a champion*: strong adoption but no strong user relationship;
- *emergency*: active users down 20% or more over 3 months and no user contact
  in 30 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.errors import ConfigError
from cslib.metrics._frames import settle
from cslib.metrics.adoption import account_adoption
from cslib.metrics.relationships import relationship_summary
from cslib.settings import check_keys, number, read_yaml

__all__ = [
    "BAND_WEIGHTS",
    "RENEWAL_URGENCY",
    "RISK_FLAGS",
    "PrioritySettings",
    "RiskSettings",
    "load_risk_settings",
    "paying_accounts",
    "priority",
    "risk_flags",
]

RISK_FLAGS = ("renewal_at_risk", "single_threaded", "build_a_champion", "emergency")

#: Priority weight of each health band (DESIGN.md: red 3, yellow 2, green 1; 1 unscored).
BAND_WEIGHTS = MappingProxyType({"red": 3.0, "yellow": 2.0, "green": 1.0, "unscored": 1.0})
#: Priority factor of an account renewing within the renewal window.
RENEWAL_URGENCY = 2.0


@dataclass(frozen=True)
class PrioritySettings:
    """How "who to call first" ranks accounts (the ``priority`` block of ``params/risk.yaml``).

    ``priority = ARR x (1 + flag_weight x flags set) x band_weights[band] x urgency``,
    urgency being ``renewal_urgency`` for an account renewing within the risk
    settings' ``renewal_window_days`` (else 1). DESIGN.md's defaults.

    Attributes
    ----------
    band_weights : Mapping[str, float]
        Weight of ``red``, ``yellow``, ``green`` and ``unscored`` (no health score).
    flag_weight : float
        How much each risk flag set adds (1: each flag adds the ARR once more).
    renewal_urgency : float
        Factor for a renewal within the window.
    """

    band_weights: Mapping[str, float] = field(default_factory=lambda: BAND_WEIGHTS)
    flag_weight: float = 1.0
    renewal_urgency: float = RENEWAL_URGENCY

    @classmethod
    def from_mapping(cls, data: object, *, source: str) -> PrioritySettings:
        """Read the ``priority`` block; unknown keys and bad values are errors."""
        spec = check_keys(data, ["band_weights", "flag_weight", "renewal_urgency"], where=source)
        values: dict[str, object] = {}
        if "band_weights" in spec:
            bands = check_keys(spec["band_weights"], list(BAND_WEIGHTS),
                               where=f"{source}: band_weights")
            values["band_weights"] = MappingProxyType({
                **BAND_WEIGHTS,
                **{k: number(v, where=f"{source}: band_weights.{k}", low=0)
                   for k, v in bands.items()},
            })
        for key in ("flag_weight", "renewal_urgency"):
            if key in spec:
                values[key] = number(spec[key], where=f"{source}: {key}", low=0)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RiskSettings:
    """Thresholds of the risk flags (defaults from DESIGN.md).

    Attributes
    ----------
    renewal_window_days : int
        A renewal this many days ahead or fewer is "soon".
    executive_contact_days : int
        Longest silence with executives before a near renewal is at risk.
    min_strong_executives : Mapping[str, int]
        Strong executive relationships each segment needs; ``default`` for the rest.
    champion_utilization : float
        Seat utilization (proportion) from which adoption counts as strong.
    usage_drop : float
        Fall in active users (proportion) that signals an emergency.
    usage_drop_months : int
        Months over which that fall is measured.
    user_contact_days : int
        Longest silence with users before a usage drop becomes an emergency.
    priority : PrioritySettings
        How "who to call first" ranks accounts (:func:`priority`).
    """

    renewal_window_days: int = 90
    executive_contact_days: int = 15
    min_strong_executives: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({"Enterprise": 2, "default": 1})
    )
    champion_utilization: float = 0.7
    usage_drop: float = 0.2
    usage_drop_months: int = 3
    user_contact_days: int = 30
    priority: PrioritySettings = field(default_factory=PrioritySettings)

    @classmethod
    def from_mapping(cls, data: object, *, source: str = "risk settings") -> RiskSettings:
        """Build settings from a mapping (a YAML document); unknown keys are errors.

        Raises
        ------
        ConfigError
            On an unknown key or a value of the wrong type or range.
        """
        names = [f.name for f in fields(cls)]
        mapping = check_keys(data, names, where=source)
        values: dict[str, object] = {}
        for key, value in mapping.items():
            where = f"{source}: `{key}`"
            if key == "min_strong_executives":
                if not isinstance(value, Mapping) or "default" not in value:
                    raise ConfigError(
                        f"{where} must map segments to counts and include `default`, got {value!r}."
                    )
                values[key] = MappingProxyType(
                    {str(k): _count(v, where=f"{where}.{k}") for k, v in value.items()}
                )
            elif key == "priority":
                values[key] = PrioritySettings.from_mapping(value, source=where)
            elif key in ("champion_utilization", "usage_drop"):
                v = number(value, where=where, low=0)
                if v > 1:
                    raise ConfigError(f"{where} is a proportion and must be <= 1, got {value!r}.")
                values[key] = v
            else:
                values[key] = _count(value, where=where)
        return cls(**values)  # type: ignore[arg-type]


def _count(value: object, *, where: str) -> int:
    """A setting that counts days, months or relationships: a whole number >= 0."""
    number(value, where=where, low=0)
    if not isinstance(value, int):  # 2.5 months is not silently 2
        raise ConfigError(f"{where} must be a whole number, got {value!r}.")
    return value


def paying_accounts(mrr: pd.DataFrame, *, month: str | pd.Period) -> pd.Series:
    """MRR of the accounts paying (MRR > 0) in ``month``, indexed by ``account_id``."""
    m = pd.Period(month, freq="M")
    rows = mrr[(mrr["month"] == m) & (mrr["mrr"] > 0)]
    index = pd.Index(rows["account_id"].astype(str), name="account_id")
    return pd.Series(rows["mrr"].to_numpy(float), index=index, name="mrr")


def risk_flags(
    dataset: Dataset, *, as_of: str | pd.Timestamp, settings: RiskSettings | None = None
) -> pd.DataFrame:
    """Evaluate the four risk flags for every account paying in ``as_of``'s month.

    Parameters
    ----------
    dataset : Dataset
        Uses ``accounts`` (segment, renewal_date), ``mrr``, and when present
        ``usage``, ``contacts`` and ``activities``.
    as_of : str or pandas.Timestamp
        The day the flags are evaluated on (pass it explicitly; there is no
        hidden "today").
    settings : RiskSettings, optional
        Thresholds; DESIGN.md's defaults when omitted.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``: ``name``, ``segment``, ``mrr``,
        ``renewal_date``, ``days_to_renewal``, the relationship and adoption
        inputs, one boolean column per flag in :data:`RISK_FLAGS` (``<NA>``
        when the table the flag needs is missing) and ``flags`` (how many fired).
    """
    settings = settings or RiskSettings()
    as_of = pd.Timestamp(as_of).normalize()
    month = as_of.to_period("M")
    paying = paying_accounts(dataset.mrr, month=month)
    acc = dataset.accounts.set_index("account_id").reindex(paying.index)
    out = pd.DataFrame(index=paying.index)
    out["name"] = acc["name"]
    out["segment"] = acc["segment"]
    out["mrr"] = paying
    renewal = acc["renewal_date"] if "renewal_date" in acc else pd.Series(pd.NaT, index=acc.index)
    out["renewal_date"] = pd.to_datetime(renewal)
    out["days_to_renewal"] = (out["renewal_date"] - as_of).dt.days.astype(float)
    rel = relationship_summary(
        dataset.get("contacts"), dataset.get("activities"), account_ids=paying.index, as_of=as_of
    )
    out = out.join(rel)
    usage = dataset.get("usage")
    if usage is not None:
        adoption = account_adoption(usage, month=month, lookback_months=settings.usage_drop_months)
        out = out.join(adoption[["seat_utilization", "active_users_change"]])
    else:
        out["seat_utilization"] = np.nan
        out["active_users_change"] = np.nan
    has_contacts = dataset.get("contacts") is not None
    has_activities = dataset.get("activities") is not None

    def _flag(values: pd.Series, known: bool) -> pd.Series:
        return (
            values.astype("boolean")
            if known
            else pd.Series(pd.NA, index=out.index, dtype="boolean")
        )

    exec_silent = ~(out["days_since_executive_contact"] <= settings.executive_contact_days)
    soon = out["days_to_renewal"].between(0, settings.renewal_window_days)
    out["renewal_at_risk"] = _flag(soon & exec_silent, has_activities and has_contacts)
    default = settings.min_strong_executives.get("default", 1)
    needed = (
        out["segment"]
        .map(lambda s: settings.min_strong_executives.get(s, default))
        .astype(float)  # an empty frame maps to an empty str column otherwise
    )
    out["single_threaded"] = _flag(out["strong_executives"] < needed, has_contacts)
    # Thresholds are inclusive and exact: compare settled values (see `settle`).
    strong_adoption = settle(out["seat_utilization"]) >= settings.champion_utilization
    out["build_a_champion"] = _flag(
        strong_adoption & (out["strong_users"] == 0), has_contacts and usage is not None
    )
    dropped = settle(out["active_users_change"]) <= -settings.usage_drop
    user_silent = ~(out["days_since_user_contact"] <= settings.user_contact_days)
    out["emergency"] = _flag(
        dropped & user_silent, has_contacts and has_activities and usage is not None
    )
    out["flags"] = out[list(RISK_FLAGS)].fillna(False).astype(np.int64).sum(axis=1)
    return out


def priority(
    flags: pd.DataFrame, bands: pd.Series, *, settings: RiskSettings | None = None
) -> pd.Series:
    """How much an account needs attention: the DESIGN.md priority, ARR at stake first.

    ``priority = ARR x (1 + flag_weight x flags set) x band weight x urgency``;
    by default (``settings.priority``, :class:`PrioritySettings`) the band
    weight is red 3, yellow 2, green 1 (1 without a score), each flag counts
    once, and urgency is 2 for an account renewing within
    ``settings.renewal_window_days`` (else 1).

    Parameters
    ----------
    flags : pandas.DataFrame
        :func:`risk_flags`' frame (``mrr``, ``flags``, ``days_to_renewal``).
    bands : pandas.Series
        Each account's health band, indexed by ``account_id``.
    settings : RiskSettings, optional
        The renewal window; DESIGN.md's defaults when omitted.

    Returns
    -------
    pandas.Series
        Indexed like ``flags``; higher is more urgent.

    References
    ----------
    DESIGN.md, "Priority (who to call first)"; Gainsight's renewal and risk CTAs.
    """
    settings = settings or RiskSettings()
    rule = settings.priority
    weights = rule.band_weights
    band = (bands.reindex(flags.index).map(dict(weights)).fillna(weights["unscored"])
            .astype(float))
    soon = flags["days_to_renewal"].between(0, settings.renewal_window_days)
    urgency = np.where(soon, rule.renewal_urgency, 1.0)
    arr = 12.0 * flags["mrr"].astype(float)
    boost = 1.0 + rule.flag_weight * flags["flags"].astype(float)
    return (arr * boost * band * urgency).rename("priority")


def load_risk_settings(path: str | Path) -> RiskSettings:
    """Read risk flag thresholds (see ``params/risk.yaml``)."""
    return RiskSettings.from_mapping(read_yaml(path), source=str(path))
