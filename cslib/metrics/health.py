"""The account health score: measures scored by thresholds, weighted, banded.

Each measure's value is turned into a score from 0 to 100 by thresholds; the
health score is the weighted mean of the scores. A measure with no data for an
account is left out and the remaining weights renormalized to 1 (Gainsight's
rule). Bands: red 0-50, yellow 51-75, green 76-100 (settings). Measures,
weights and thresholds are read from a YAML file under ``params/``
(``params/health.yaml`` is the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.errors import ConfigError
from cslib.metrics._frames import settle
from cslib.metrics.adoption import account_adoption
from cslib.metrics.outcomes import OPEN_GOAL_STATUSES
from cslib.metrics.relationships import relationship_summary
from cslib.metrics.risk import paying_accounts
from cslib.metrics.satisfaction import trailing_satisfaction
from cslib.settings import check_keys, number, read_yaml

__all__ = [
    "DEFAULT_HEALTH",
    "MEASURES",
    "HealthConfig",
    "Measure",
    "account_measures",
    "health_bands",
    "health_scores",
    "load_health_config",
]

MEASURES: Mapping[str, str] = {
    "seat_utilization": "active users / licensed seats in the as-of month (proportion)",
    "active_users_change": "change in active users over the last 3 months (proportion)",
    "mrr_change": "change in MRR over the last 3 months (proportion)",
    "nps": "the account's NPS over the trailing 12 months (points)",
    "csat": "share of 4-5 CSAT answers on tickets closed in the trailing 12 months",
    "strong_executives": "executive contacts with a strong or very strong relationship",
    "strong_users": "user contacts with a strong or very strong relationship",
    "days_since_executive_contact": "days since the latest activity with an executive",
    "days_since_user_contact": "days since the latest activity with a user",
    "goals_on_track": "share of open success-plan goals that are on track",
}


#: The default health score (``params/health.yaml`` is the same, for you to tune):
#: weight, thresholds (ascending) and the score below, between and above them.
DEFAULT_HEALTH: Mapping[str, object] = {
    "bands": {"red_max": 50, "yellow_max": 75},
    "measures": {
        "seat_utilization": {"weight": 25, "thresholds": [0.3, 0.5, 0.7, 0.85],
                             "scores": [0, 30, 60, 85, 100]},
        "active_users_change": {"weight": 15, "thresholds": [-0.2, -0.05, 0.05],
                                "scores": [0, 50, 80, 100]},
        "mrr_change": {"weight": 10, "thresholds": [-0.1, -0.001, 0.001],
                       "scores": [0, 40, 75, 100]},
        "nps": {"weight": 15, "thresholds": [-20, 0, 30, 50], "scores": [0, 30, 60, 85, 100]},
        "csat": {"weight": 10, "thresholds": [0.6, 0.75, 0.9], "scores": [0, 50, 80, 100]},
        "strong_executives": {"weight": 10, "thresholds": [1, 2], "scores": [0, 60, 100]},
        "days_since_executive_contact": {"weight": 5, "thresholds": [15, 30, 60],
                                         "scores": [100, 70, 40, 0]},
        "goals_on_track": {"weight": 10, "thresholds": [0.34, 0.67], "scores": [20, 60, 100]},
    },
}


@dataclass(frozen=True)
class Measure:
    """How one measure is scored.

    ``score = scores[i]`` where ``i`` is the number of ``thresholds`` at or
    below the value: thresholds ``[0.4, 0.7]`` with scores ``[0, 50, 100]``
    give 0 below 0.4, 50 from 0.4 and 100 from 0.7. Descending scores express
    "lower is better".
    """

    name: str
    weight: float
    thresholds: tuple[float, ...]
    scores: tuple[float, ...]

    def score(self, values: pd.Series) -> pd.Series:
        """Score ``values`` (NaN stays NaN: no data)."""
        v = settle(values)  # exact: 95/100 - 1 is on the -0.05 threshold, not below it
        idx = np.searchsorted(np.asarray(self.thresholds), v, side="right")
        s = np.asarray(self.scores, dtype=float)[np.clip(idx, 0, len(self.scores) - 1)]
        return pd.Series(np.where(np.isnan(v), np.nan, s), index=values.index)


@dataclass(frozen=True)
class HealthConfig:
    """Measures, weights, thresholds and bands of the health score."""

    measures: tuple[Measure, ...]
    red_max: float = 50.0
    yellow_max: float = 75.0

    @classmethod
    def default(cls) -> HealthConfig:
        """The default health score (:data:`DEFAULT_HEALTH`)."""
        return cls.from_mapping(DEFAULT_HEALTH, source="the default health score")

    @classmethod
    def from_mapping(cls, data: object, *, source: str = "health config") -> HealthConfig:
        """Read a config mapping (a YAML document); unknown keys and bad values are errors.

        Expected shape::

            bands: {red_max: 50, yellow_max: 75}
            measures:
              seat_utilization: {weight: 30, thresholds: [0.4, 0.7], scores: [0, 50, 100]}

        Raises
        ------
        ConfigError
            On an unknown key or measure, a missing weight, thresholds not
            ascending, ``len(scores) != len(thresholds) + 1``, scores outside
            0..100, or weights that do not add up to more than 0.
        """
        top = check_keys(data, ["bands", "measures"], where=source)
        bands = check_keys(
            top.get("bands", {}), ["red_max", "yellow_max"], where=f"{source}: bands"
        )
        red = number(bands.get("red_max", 50), where=f"{source}: bands.red_max", low=0)
        yellow = number(bands.get("yellow_max", 75), where=f"{source}: bands.yellow_max", low=0)
        if not red < yellow <= 100:
            raise ConfigError(
                f"{source}: bands must satisfy red_max < yellow_max <= 100, got {red} and {yellow}."
            )
        raw = top.get("measures")
        if not isinstance(raw, Mapping) or not raw:
            raise ConfigError(f"{source}: `measures` must map measure names to settings.")
        measures = []
        for name, spec in raw.items():
            where = f"{source}: measures.{name}"
            if name not in MEASURES:
                raise ConfigError(
                    f"{where}: unknown measure; expected one of {', '.join(MEASURES)}."
                )
            spec = check_keys(spec, ["weight", "thresholds", "scores"], where=where)
            for key in ("weight", "thresholds", "scores"):
                if key not in spec:
                    raise ConfigError(f"{where}: `{key}` is required.")
            weight = number(spec["weight"], where=f"{where}.weight", low=0)
            thresholds = tuple(
                number(t, where=f"{where}.thresholds") for t in _as_list(spec["thresholds"], where)
            )
            scores = tuple(
                number(s, where=f"{where}.scores", low=0) for s in _as_list(spec["scores"], where)
            )
            if any(b <= a for a, b in pairwise(thresholds)):
                raise ConfigError(f"{where}.thresholds must be ascending, got {list(thresholds)}.")
            if len(scores) != len(thresholds) + 1:
                raise ConfigError(
                    f"{where}: needs one score more than thresholds "
                    f"(got {len(thresholds)} thresholds and {len(scores)} scores)."
                )
            if max(scores) > 100:
                raise ConfigError(f"{where}.scores must be within 0..100, got {list(scores)}.")
            measures.append(Measure(str(name), weight, thresholds, scores))
        if sum(m.weight for m in measures) <= 0:
            raise ConfigError(f"{source}: the weights must add up to more than 0.")
        return cls(tuple(measures), red_max=red, yellow_max=yellow)


def _as_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{where}: expected a list, got {value!r}.")
    return list(value)


def account_measures(dataset: Dataset, *, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The value of every health measure for each account paying in ``as_of``'s month.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``, one column per name in :data:`MEASURES`;
        ``NaN`` where the account (or the dataset) has no data for a measure.
    """
    as_of = pd.Timestamp(as_of).normalize()
    month = as_of.to_period("M")
    paying = paying_accounts(dataset.mrr, month=month)
    out = pd.DataFrame(index=paying.index)
    before = paying_accounts(dataset.mrr, month=month - 3).reindex(out.index)
    out["mrr_change"] = paying / before - 1.0
    usage = dataset.get("usage")
    if usage is not None:
        adoption = account_adoption(usage, month=month, lookback_months=3)
        out = out.join(adoption[["seat_utilization", "active_users_change"]])
    nps, tickets = dataset.get("nps"), dataset.get("tickets")
    rated = tickets is not None and "csat" in tickets
    if nps is not None or rated:
        per_account = pd.Series(out.index, index=out.index, name="account_id")
        scores = trailing_satisfaction(
            nps=nps, tickets=tickets if rated else None, as_of=as_of, months=12,
            groups=per_account,
        ).reindex(out.index)
        if nps is not None:
            out["nps"] = scores["nps"].astype(float)
        if rated:
            out["csat"] = scores["csat"].astype(float)
    if dataset.get("contacts") is not None:
        rel = relationship_summary(
            dataset.get("contacts"), dataset.get("activities"), account_ids=out.index, as_of=as_of
        )
        keep = ["strong_executives", "strong_users"]
        keep += ["days_since_executive_contact", "days_since_user_contact"]
        out = out.join(rel[keep])
    goals = dataset.get("goals")
    if goals is not None:
        open_goals = goals[goals["status"].isin(OPEN_GOAL_STATUSES)]
        share = (
            (open_goals["status"] == "on_track")
            .groupby(open_goals["account_id"].astype(str))
            .mean()
        )
        out["goals_on_track"] = share.reindex(out.index)
    return out.reindex(columns=list(MEASURES)).astype(float)


def health_bands(scores: pd.Series, *, config: HealthConfig) -> pd.Series:
    """``red`` (score <= red_max), ``yellow`` (<= yellow_max) or ``green``; NA without a score."""
    band = np.select(
        [scores <= config.red_max, scores <= config.yellow_max, scores > config.yellow_max],
        ["red", "yellow", "green"],
        default=None,
    )
    return pd.Series(band, index=scores.index, dtype="object").where(scores.notna(), None)


def health_scores(measures: pd.DataFrame, *, config: HealthConfig) -> pd.DataFrame:
    """Score each account: per-measure scores, the weighted health score and its band.

    ``health = sum_i w_i s_i / sum_i w_i`` over the measures ``i`` with data
    for the account (weights renormalized when a measure has no data).

    Parameters
    ----------
    measures : pandas.DataFrame
        Measure values by account (:func:`account_measures`).
    config : HealthConfig
        Measures, weights, thresholds, bands.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``measures``: ``score_<measure>`` (0..100) per configured
        measure, ``health_score`` (whole points 0..100, rounded half up, NaN when
        no measure has data; the band is read on the rounded score),
        ``health_band`` and ``coverage`` (share of the configured weight with data).

    References
    ----------
    Gainsight, "Scorecards": weighted measures, missing measures excluded and
    the remaining weights renormalized.
    """
    out = pd.DataFrame(index=measures.index)
    weighted = np.zeros(len(measures))
    weights = np.zeros(len(measures))
    total = sum(m.weight for m in config.measures)
    for m in config.measures:
        values = measures[m.name] if m.name in measures else pd.Series(np.nan, index=measures.index)
        s = m.score(values)
        out[f"score_{m.name}"] = s
        has = s.notna().to_numpy()
        weighted += np.where(has, s.fillna(0).to_numpy() * m.weight, 0.0)
        weights += np.where(has, m.weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        exact = np.where(weights > 0, weighted / weights, np.nan)
    # Whole points, rounded half up, so the band always agrees with the score shown.
    out["health_score"] = np.floor(exact + 0.5 + 1e-9)
    out["health_band"] = health_bands(out["health_score"], config=config)
    out["coverage"] = weights / total
    return out


def load_health_config(path: str | Path) -> HealthConfig:
    """Read a health score configuration (see ``params/health.yaml``)."""
    return HealthConfig.from_mapping(read_yaml(path), source=str(path))
