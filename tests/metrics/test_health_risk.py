from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cslib
from cslib.errors import ConfigError
from cslib.metrics.health import HealthConfig, account_measures, health_scores, load_health_config
from cslib.metrics.relationships import relationship_summary
from cslib.metrics.risk import RiskSettings, load_risk_settings, risk_flags
from cslib.settings import read_yaml

AS_OF = "2026-09-30"
PARAMS = Path(__file__).resolve().parents[2] / "params"


def _dataset(**drop: bool) -> cslib.Dataset:
    accounts = pd.DataFrame(
        {
            "account_id": ["e1", "e2", "s1", "s2", "gone"],
            "name": ["Ent One", "Ent Two", "Small One", "Small Two", "Gone Ltd"],
            "segment": ["Enterprise", "Enterprise", "SMB", "SMB", "SMB"],
            "renewal_date": ["2026-11-15", "2027-06-01", "2026-10-20", "2027-02-01", "2026-05-01"],
        }
    )
    months = ["2026-06", "2026-09"]
    # Every account pays in July and August too (as in June): the MRR months form one run.
    mrr = pd.DataFrame(
        {
            "account_id": [a for a in ["e1", "e2", "s1", "s2"] for _ in range(4)] + ["gone"],
            "month": ["2026-06", "2026-07", "2026-08", "2026-09"] * 4 + ["2026-05"],
            "mrr": [1000, 1000, 1000, 1100, 2000, 2000, 2000, 2000, 100, 100, 100, 90,
                    100, 100, 100, 100, 50],
        }
    )
    usage = pd.DataFrame(
        {
            "account_id": [a for a in ["e1", "e2", "s1", "s2"] for _ in months],
            "month": months * 4,
            "active_users": [80, 85, 50, 30, 10, 9, 5, 5],
            "licensed_seats": [100, 100, 100, 100, 10, 10, 10, 10],
        }
    )
    contacts = pd.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "account_id": ["e1", "e1", "e2", "s1", "s2", "s2"],
            "name": ["A", "B", "C", "D", "E", "F"],
            "role": ["executive", "executive", "executive", "executive", "executive", "user"],
            "strength": ["strong", "very_strong", "strong", "weak", "strong", "strong"],
        }
    )
    activities = pd.DataFrame(
        {
            "activity_id": ["x1", "x2", "x3", "x4"],
            "account_id": ["e1", "e2", "s1", "s2"],
            "occurred_on": ["2026-09-25", "2026-07-01", "2026-08-01", "2026-09-29"],
            "kind": ["call", "email", "meeting", "call"],
            "contact_id": ["c1", "c3", "c4", "c6"],
        }
    )
    tables = {"accounts": accounts, "mrr": mrr, "usage": usage, "contacts": contacts,
              "activities": activities}  # fmt: skip
    return cslib.from_frames({k: v for k, v in tables.items() if not drop.get(k)})


def test_relationship_summary_counts_and_recency() -> None:
    ds = _dataset()
    rel = relationship_summary(
        ds.get("contacts"), ds.get("activities"), account_ids=pd.Index(["e1", "s2", "gone"]),
        as_of=AS_OF,
    )  # fmt: skip
    assert rel.loc["e1", "strong_executives"] == 2
    assert rel.loc["e1", "days_since_executive_contact"] == 5
    assert np.isnan(rel.loc["e1", "days_since_user_contact"])
    assert rel.loc["s2", "strong_users"] == 1 and rel.loc["s2", "days_since_user_contact"] == 1
    assert rel.loc["gone", "executives"] == 0


def _reference_summary(contacts, activities, index, as_of) -> pd.DataFrame:
    """The summary written with joins and group-bys: what the position-based code must equal."""
    out = pd.DataFrame(index=pd.Index(index.astype(str), name="account_id"))
    c = contacts.assign(account_id=contacts["account_id"].astype(str))
    strong = c["strength"].isin(("strong", "very_strong"))
    is_exec = c["role"] == "executive"
    counts = pd.DataFrame({"account_id": c["account_id"],
                           "executives": is_exec.astype(np.int64),
                           "users": (~is_exec).astype(np.int64),
                           "strong_executives": (is_exec & strong).astype(np.int64),
                           "strong_users": (~is_exec & strong).astype(np.int64)}
                          ).groupby("account_id").sum()
    cols = ["executives", "users", "strong_executives", "strong_users"]
    out = out.join(counts).fillna({col: 0 for col in cols}).astype({col: np.int64 for col in cols})
    a = activities[(activities["occurred_on"] <= as_of) & activities["contact_id"].notna()]
    a = a[["contact_id", "occurred_on"]].merge(c[["contact_id", "account_id", "role"]],
                                              on="contact_id")
    last = a.groupby(["account_id", "role"])["occurred_on"].max().unstack("role")
    for role in ("executive", "user"):
        col = f"days_since_{role}_contact"
        out[col] = ((as_of - last[role]).dt.days.astype(float).reindex(out.index)
                    if role in last else np.nan)
    return out


def test_relationship_summary_equals_the_join_and_group_by_reference() -> None:
    """On the sample company (every account, a few days) and on one customer's slice."""
    from cslib.data.load import load

    sample = load(Path(__file__).resolve().parents[2] / "data" / "sample")
    contacts, activities = sample.get("contacts"), sample.get("activities")
    everyone = pd.Index(sample.accounts["account_id"].astype(str)).append(pd.Index(["nobody"]))
    for day in ("2025-01-15", "2026-06-30", "2026-09-30"):
        as_of = pd.Timestamp(day)
        got = relationship_summary(contacts, activities, account_ids=everyone, as_of=as_of)
        want = _reference_summary(contacts, activities, everyone, as_of)
        pd.testing.assert_frame_equal(got, want, check_names=False)
    one = pd.Index(["A0004"])
    pd.testing.assert_frame_equal(
        relationship_summary(contacts, activities, account_ids=one, as_of=as_of),
        _reference_summary(contacts, activities, one, as_of), check_names=False)


def test_risk_flags_fire_as_defined() -> None:
    flags = risk_flags(_dataset(), as_of=AS_OF)
    assert list(flags.index) == ["e1", "e2", "s1", "s2"]  # paying accounts only
    # e1 renews in 46 days but spoke to an executive 5 days ago; s1 renews in 20 days
    # and its last executive contact was 60 days ago.
    assert flags["renewal_at_risk"].tolist() == [False, False, True, False]
    # Enterprise needs 2 strong executives (e2 has 1); SMB needs 1 (s1's is weak).
    assert flags["single_threaded"].tolist() == [False, True, True, False]
    # Utilization >= 70% and no strong user: e1 (85%) and s1 (90%).
    assert flags["build_a_champion"].tolist() == [True, False, True, False]
    # e2's active users fell 40% and no user was contacted.
    assert flags["emergency"].tolist() == [False, True, False, False]
    assert flags.loc["s1", "flags"] == 3


def test_risk_settings_change_the_thresholds() -> None:
    settings = RiskSettings(renewal_window_days=10, champion_utilization=0.95)
    flags = risk_flags(_dataset(), as_of=AS_OF, settings=settings)
    assert not flags["renewal_at_risk"].any()
    assert not flags["build_a_champion"].any()


def test_flags_are_unknown_not_false_without_their_tables() -> None:
    flags = risk_flags(_dataset(contacts=True, activities=True), as_of=AS_OF)
    assert flags["single_threaded"].isna().all()
    assert flags["emergency"].isna().all()
    assert (flags["flags"] == 0).all()


CONFIG = HealthConfig.from_mapping(
    {
        "measures": {
            "seat_utilization": {"weight": 3, "thresholds": [0.5, 0.8], "scores": [0, 50, 100]},
            "days_since_executive_contact": {
                "weight": 1, "thresholds": [15, 60], "scores": [100, 50, 0],
            },
        }
    }
)  # fmt: skip


def test_health_score_weighted_and_renormalized() -> None:
    measures = pd.DataFrame(
        {"seat_utilization": [0.85, 0.6, np.nan, np.nan],
         "days_since_executive_contact": [5.0, 100.0, 20.0, np.nan]},
        index=["a", "b", "c", "d"],
    )  # fmt: skip
    h = health_scores(measures, config=CONFIG)
    # a: (3*100 + 1*100) / 4; b: (3*50 + 1*0) / 4 = 37.5, shown as 38 (half up);
    # c: only the contact measure (50).
    assert h["health_score"].tolist()[:3] == [100.0, 38.0, 50.0]
    assert np.isnan(h.loc["d", "health_score"])
    assert h["health_band"].tolist() == ["green", "red", "red", None]
    assert h.loc["c", "coverage"] == pytest.approx(0.25)


def test_bands_edges() -> None:
    from cslib.metrics.health import health_bands

    s = pd.Series([0, 50, 50.5, 75, 75.5, 100])
    assert health_bands(s, config=CONFIG).tolist() == [
        "red", "red", "yellow", "yellow", "green", "green",
    ]  # fmt: skip


def test_account_measures_on_a_dataset() -> None:
    m = account_measures(_dataset(), as_of=AS_OF)
    assert m.loc["e1", "mrr_change"] == pytest.approx(0.1)
    assert m.loc["e2", "active_users_change"] == pytest.approx(-0.4)
    assert m.loc["s1", "days_since_executive_contact"] == 60
    assert m["nps"].isna().all()  # no nps table: no data, not zero


def test_default_settings_files_load() -> None:
    cfg = load_health_config(PARAMS / "health.yaml")
    assert {m.name for m in cfg.measures} >= {"seat_utilization", "nps", "csat"}
    assert load_risk_settings(PARAMS / "risk.yaml") == RiskSettings()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("measures: {seat_utilisation: {weight: 1, thresholds: [0.5], scores: [0, 100]}}",
         "measures.seat_utilisation: unknown measure; expected one of seat_utilization,"),
        ("measures: {nps: {weight: 1, thresholds: [10, 0], scores: [0, 50, 100]}}",
         "measures.nps.thresholds must be ascending, got [10.0, 0.0]."),
        ("measures: {nps: {weight: 1, thresholds: [0], scores: [0, 50, 100]}}",
         "measures.nps: needs one score more than thresholds (got 1 thresholds and 3 scores)."),
        ("measures: {nps: {weight: 1, thresholds: [0], scores: [0, 500]}}",
         "measures.nps.scores must be within 0..100, got [0.0, 500.0]."),
        ("measures: {nps: {wieght: 1, thresholds: [0], scores: [0, 100]}}",
         "measures.nps: unknown setting 'wieght'; expected one of weight, thresholds, scores."
         " Did you mean 'weight'?"),
        ("measures: {nps: {weight: high, thresholds: [0], scores: [0, 100]}}",
         "measures.nps.weight must be a number, got 'high'."),
        ("colour: red", "unknown setting 'colour'; expected one of bands, measures."),
        ("bands: {red_max: 80, yellow_max: 75}\nmeasures: {nps: {weight: 1, thresholds: [0], "
         "scores: [0, 100]}}",
         "bands must satisfy red_max < yellow_max <= 100, got 80.0 and 75.0."),
        ("measures: [\n", "not valid YAML (line 2)."),
    ],
)  # fmt: skip
def test_bad_health_config_is_refused(tmp_path, document: str, message: str) -> None:
    path = tmp_path / "health.yaml"
    path.write_text(document)
    with pytest.raises(ConfigError) as err:
        load_health_config(path)
    assert str(err.value).startswith(f"{path}:")
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("usage_drop: 20", "`usage_drop` is a proportion and must be <= 1, got 20."),
        ("renewal_window: 90", "unknown setting 'renewal_window'"),
        ("min_strong_executives: {Enterprise: 2}",
         "`min_strong_executives` must map segments to counts and include `default`"),
        ("user_contact_days: -1", "`user_contact_days` must be >= 0, got -1."),
    ],
)  # fmt: skip
def test_bad_risk_settings_are_refused(tmp_path, document: str, message: str) -> None:
    path = tmp_path / "risk.yaml"
    path.write_text(document)
    with pytest.raises(ConfigError) as err:
        load_risk_settings(path)
    assert message in str(err.value)


def test_missing_settings_file(tmp_path) -> None:
    with pytest.raises(ConfigError) as err:
        read_yaml(tmp_path / "nope.yaml")
    assert str(err.value) == f"{tmp_path / 'nope.yaml'}: no such settings file."


def test_health_band_agrees_with_the_whole_score_shown():
    # 50.5 is shown as 51: yellow, never "50 (yellow)" next to "50 (red)".
    measures = pd.DataFrame({"seat_utilization": [0.5], "days_since_executive_contact": [np.nan]})
    config = HealthConfig.from_mapping({
        "measures": {
            "seat_utilization": {"weight": 1, "thresholds": [0.5], "scores": [0, 50.5]},
        }
    })
    h = health_scores(measures, config=config)
    assert h["health_score"].iloc[0] == 51.0 and h["health_band"].iloc[0] == "yellow"


# --- thresholds are inclusive and exact (issue 15, §6) ---------------------------------------

#: For each default measure, how a value exactly on a threshold is computed from whole
#: counts in the data (the same arithmetic as the metrics), so drift would show.
ON_THRESHOLD = {
    "seat_utilization": lambda t: round(t * 100) / 100,  # active users / seats
    "active_users_change": lambda t: (100 + round(t * 100)) / 100 - 1,  # 80 / 100 - 1
    "mrr_change": lambda t: (1000 + round(t * 1000)) / 1000 - 1,  # 1001 / 1000 - 1
    "nps": lambda t: 100.0 * round(t / 10) / 10,  # (promoters - detractors) / 10 answers
    "csat": lambda t: round(t * 100) / 100,  # 4-5 answers / answers
    "strong_executives": float,
    "days_since_executive_contact": float,
    "goals_on_track": lambda t: float(np.mean(np.arange(100) < round(t * 100))),  # on track / open
}


def test_every_health_measure_scores_a_value_exactly_on_a_threshold_as_at_it() -> None:
    """A value on a threshold takes the score from that threshold up (inclusive), drift or not."""
    drifted = 0
    for m in HealthConfig.default().measures:
        for i, t in enumerate(m.thresholds):
            value = ON_THRESHOLD[m.name](t)
            drifted += value != t
            got = m.score(pd.Series([value, value - 1e-6, value + 1e-6])).tolist()
            assert got == [m.scores[i + 1], m.scores[i], m.scores[i + 1]], (m.name, t, value)
    assert drifted >= 3  # 80/100 - 1, 95/100 - 1, 1001/1000 - 1, ... are not their thresholds


def _edge_dataset(*, after: int, seats: int, renewal: str, exec_day: str, user_day: str):
    """One account: 100 active users in June, ``after`` in September, contacts dated as given."""
    return cslib.from_frames({
        "accounts": pd.DataFrame({"account_id": ["a"], "name": ["A"], "segment": ["SMB"],
                                  "renewal_date": [renewal]}),
        "mrr": pd.DataFrame({"account_id": "a", "month": ["2026-06", "2026-07", "2026-08",
                                                         "2026-09"],
                             "mrr": [1000, 1000, 1000, 1001]}),
        "usage": pd.DataFrame({"account_id": "a", "month": ["2026-06", "2026-09"],
                               "active_users": [100, after], "licensed_seats": [seats, seats]}),
        "contacts": pd.DataFrame({"contact_id": ["x", "u"], "account_id": "a",
                                  "name": ["X", "U"], "role": ["executive", "user"],
                                  "strength": ["strong", "weak"]}),
        "activities": pd.DataFrame({"activity_id": ["1", "2"], "account_id": "a",
                                    "occurred_on": [exec_day, user_day], "kind": "call",
                                    "contact_id": ["x", "u"]}),
    })  # fmt: skip


def test_every_risk_flag_holds_exactly_at_its_threshold() -> None:
    # 100 -> 80 active users is down exactly 20%; 31 days without a user contact.
    ds = _edge_dataset(after=80, seats=100, renewal="2026-12-29", exec_day="2026-09-14",
                       user_day="2026-08-30")  # fmt: skip
    f = risk_flags(ds, as_of=AS_OF).loc["a"]
    assert f["days_to_renewal"] == 90 and f["days_since_executive_contact"] == 16
    assert f["renewal_at_risk"]  # renewal in exactly 90 days, 16 days of executive silence
    assert f["emergency"]  # down exactly 20%, 31 days without a user contact
    # One step inside each threshold: nothing fires.
    calm = _edge_dataset(after=81, seats=100, renewal="2026-12-30", exec_day="2026-09-15",
                         user_day="2026-08-31")  # fmt: skip
    g = risk_flags(calm, as_of=AS_OF).loc["a"]
    assert g["days_to_renewal"] == 91 and g["days_since_executive_contact"] == 15
    assert g["days_since_user_contact"] == 30
    assert not g["renewal_at_risk"] and not g["emergency"]
    # Exactly 70% of seats in use, no strong user: build a champion; 69% does not.
    assert risk_flags(_edge_dataset(after=70, seats=100, renewal="2027-06-01",
                                    exec_day="2026-09-29", user_day="2026-09-29"),
                      as_of=AS_OF).loc["a", "build_a_champion"]  # fmt: skip
    assert not risk_flags(_edge_dataset(after=69, seats=100, renewal="2027-06-01",
                                        exec_day="2026-09-29", user_day="2026-09-29"),
                          as_of=AS_OF).loc["a", "build_a_champion"]  # fmt: skip


def test_health_measures_on_a_threshold_in_the_data_score_at_it() -> None:
    """95 of 100 users (-5%) and MRR 1000 -> 1001 (+0.1%) score from their thresholds up."""
    ds = _edge_dataset(after=95, seats=100, renewal="2027-06-01", exec_day="2026-09-29",
                       user_day="2026-09-29")  # fmt: skip
    scored = health_scores(account_measures(ds, as_of=AS_OF), config=HealthConfig.default())
    assert scored.loc["a", "score_active_users_change"] == 80  # [-0.05, 0.05) scores 80
    assert scored.loc["a", "score_mrr_change"] == 100  # +0.1% is "grew" (>= 0.001)
