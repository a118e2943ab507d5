"""Tests for the deterministic sample company (``cslib.data.sample``).

The retention figures and risk flags are recomputed here with small, deliberately
plain pandas calculations that follow DESIGN.md, independent of ``cslib.metrics``,
so that the sample keeps the realistic shape the notebooks and demos rely on.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslib.data import sample

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
AS_OF = pd.Timestamp(sample.AS_OF)
SEGMENTS = ("Enterprise", "Mid-Market", "SMB")
STRONG = ("strong", "very_strong")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return sample.generate()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return sample.write(tmp_path_factory.mktemp("sample"))


# --------------------------------------------------------------------------- reference


def wide_mrr(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Accounts x months MRR, 0 where there is no row."""
    wide = tables["mrr"].pivot(index="account_id", columns="month", values="mrr")
    return wide.reindex(tables["accounts"]["account_id"]).fillna(0.0)


def retention(wide: pd.DataFrame, start: str, end: str) -> tuple[float, float, float]:
    """NRR, GRR and logo churn of the accounts paying in ``start``."""
    cohort = wide[wide[start] > 0]
    nrr = cohort[end].sum() / cohort[start].sum()
    grr = np.minimum(cohort[end], cohort[start]).sum() / cohort[start].sum()
    logo_churn = float((cohort[end] == 0).mean())
    return float(nrr), float(grr), logo_churn


def by_segment(tables: dict[str, pd.DataFrame], start: str, end: str) -> pd.DataFrame:
    wide = wide_mrr(tables)
    segment = tables["accounts"].set_index("account_id")["segment"]
    rows = {s: retention(wide[segment == s], start, end) for s in SEGMENTS}
    return pd.DataFrame(rows, index=["nrr", "grr", "logo_churn"]).T


def movement_counts(wide: pd.DataFrame) -> dict[str, int]:
    """Number of account-months of each ChartMogul movement type."""
    prev, cur = wide.shift(1, axis=1).iloc[:, 1:], wide.iloc[:, 1:]
    paid_before = (wide.cumsum(axis=1).shift(1, axis=1) > 0).iloc[:, 1:]
    kinds = {
        "new": (prev == 0) & (cur > 0) & ~paid_before,
        "reactivation": (prev == 0) & (cur > 0) & paid_before,
        "expansion": (prev > 0) & (cur > prev),
        "contraction": (prev > 0) & (cur > 0) & (cur < prev),
        "churn": (prev > 0) & (cur == 0),
    }
    return {k: int(v.to_numpy().sum()) for k, v in kinds.items()}


def risk_flags(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The four DESIGN.md risk flags for the accounts paying in the last month."""
    wide = wide_mrr(tables)
    accounts = tables["accounts"].set_index("account_id").loc[wide.index[wide["2026-10"] > 0]]
    contacts = tables["contacts"]
    acts = tables["activities"].merge(contacts[["contact_id", "role"]], on="contact_id")
    acts["on"] = pd.to_datetime(acts["occurred_on"])

    def touched(role: str, days: int) -> pd.Series:
        recent = acts[(acts["role"] == role) & (acts["on"] > AS_OF - pd.Timedelta(days=days))]
        return accounts.index.isin(recent["account_id"].unique())

    def strong(role: str) -> pd.Series:
        keep = contacts[(contacts["role"] == role) & contacts["strength"].isin(STRONG)]
        return keep.groupby("account_id").size().reindex(accounts.index, fill_value=0)

    usage = tables["usage"].set_index(["account_id", "month"])
    users = usage["active_users"].unstack().reindex(accounts.index)
    seats = usage["licensed_seats"].unstack().reindex(accounts.index)
    renewal = pd.to_datetime(accounts["renewal_date"])
    soon = (renewal > AS_OF) & (renewal <= AS_OF + pd.Timedelta(days=90))
    needed = np.where(accounts["segment"] == "Enterprise", 2, 1)
    return pd.DataFrame(
        {
            "renewal_at_risk": soon & ~touched("executive", 15),
            "single_threaded": strong("executive") < needed,
            "build_a_champion": (users["2026-10"] / seats["2026-10"] >= 0.7)
            & (strong("user") == 0),
            "emergency": (users["2026-10"] <= 0.8 * users["2026-07"]) & ~touched("user", 30),
        },
        index=accounts.index,
    )


def integrity_problems(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> list[str]:
    """Every broken contract or sample rule, as readable lines (empty when all hold)."""
    problems = []
    accounts = set(tables["accounts"]["account_id"])
    id_column = {
        "accounts": "account_id",
        "nps": "response_id",
        "tickets": "ticket_id",
        "contacts": "contact_id",
        "activities": "activity_id",
        "goals": "goal_id",
        "advocacy": "event_id",
    }
    for name in sample.TABLES:
        frame = tables[name]
        if tuple(frame.columns) != sample.COLUMNS[name]:
            problems.append(f"{name}: columns {list(frame.columns)}")
        if not set(frame["account_id"]) <= accounts:
            problems.append(f"{name}: unknown account_id")
        if name in id_column and not frame[id_column[name]].is_unique:
            problems.append(f"{name}: duplicate {id_column[name]}")
    for name in ("mrr", "usage"):
        if tables[name].duplicated(["account_id", "month"]).any():
            problems.append(f"{name}: duplicate account-month")
    keys = ["account_id", "month"]
    if not tables["mrr"][keys].equals(tables["usage"][keys]):
        problems.append("usage: not exactly the paying account-months of mrr")
    if set(tables["mrr"]["account_id"]) != accounts:
        problems.append("accounts: some account never pays")
    owner = tables["contacts"].set_index("contact_id")["account_id"]
    for name in ("activities", "nps"):
        frame = tables[name].dropna(subset=["contact_id"])
        if not frame["contact_id"].map(owner).eq(frame["account_id"]).all():
            problems.append(f"{name}: contact_id of another account")
    if tables["activities"]["contact_id"].isna().any():
        problems.append("activities: missing contact_id")
    dated = {
        "nps": "responded_on",
        "tickets": "opened_on",
        "activities": "occurred_on",
        "advocacy": "occurred_on",
    }
    for name, column in dated.items():
        if (pd.to_datetime(tables[name][column]) > as_of).any():
            problems.append(f"{name}: {column} after as_of")
    closed = tables["tickets"].dropna(subset=["closed_on"])
    if (closed["closed_on"] < closed["opened_on"]).any() or (
        pd.to_datetime(closed["closed_on"]) > as_of
    ).any():
        problems.append("tickets: closed_on before opened_on or after as_of")
    if not (tables["mrr"]["mrr"] > 0).all():
        problems.append("mrr: a row with MRR <= 0")
    users, seats = tables["usage"]["active_users"], tables["usage"]["licensed_seats"]
    if not ((users >= 0) & (users <= seats)).all():
        problems.append("usage: active_users outside 0..licensed_seats")
    return problems


# --------------------------------------------------------------------------- determinism


def test_generate_is_deterministic(tables: dict[str, pd.DataFrame]) -> None:
    again = sample.generate()
    assert list(again) == list(sample.TABLES)
    for name in sample.TABLES:
        pd.testing.assert_frame_equal(again[name], tables[name], check_exact=True)


def test_another_seed_gives_another_company(tables: dict[str, pd.DataFrame]) -> None:
    other = sample.generate(seed=sample.SAMPLE_SEED + 1)
    assert not other["mrr"].equals(tables["mrr"])
    assert not other["accounts"]["name"].equals(tables["accounts"]["name"])


def test_write_is_byte_identical(written: list[Path], tmp_path: Path) -> None:
    again = sample.write(tmp_path / "again")
    assert [p.name for p in written] == [f"{t}.csv" for t in sample.TABLES]
    for first, second in zip(written, again, strict=True):
        assert (
            hashlib.sha256(first.read_bytes()).hexdigest()
            == hashlib.sha256(second.read_bytes()).hexdigest()
        ), first.name


def test_committed_sample_is_what_the_generator_writes(written: list[Path]) -> None:
    committed = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
    assert committed == sorted(p.name for p in written)
    for path in written:
        assert (SAMPLE_DIR / path.name).read_bytes() == path.read_bytes(), (
            f"data/sample/{path.name} differs from sample.write(); regenerate it with "
            "`cslib sample data/sample` instead of editing it by hand"
        )


def test_csv_format(written: list[Path]) -> None:
    for path in written:
        text = path.read_bytes().decode("utf-8")
        assert "\r" not in text
        assert text.endswith("\n")
        assert text.splitlines()[0] == ",".join(sample.COLUMNS[path.stem])
    mrr = (written[1]).read_text().splitlines()[1]
    assert re.fullmatch(r"A\d{4},\d{4}-\d{2},\d+\.\d{2}", mrr)


def test_csv_round_trips_to_the_frames(
    written: list[Path], tables: dict[str, pd.DataFrame]
) -> None:
    for path in written:
        back = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert len(back) == len(tables[path.stem]), path.name
    tickets = pd.read_csv(written[sample.TABLES.index("tickets")])
    assert tickets["csat"].dropna().isin(range(1, 6)).all()


# --------------------------------------------------------------------------- shape


def test_accounts_shape(tables: dict[str, pd.DataFrame]) -> None:
    accounts = tables["accounts"]
    assert len(accounts) >= 300
    share = accounts["segment"].value_counts(normalize=True)
    assert set(share.index) == set(SEGMENTS)
    assert 0.10 <= share["Enterprise"] <= 0.20
    assert 0.28 <= share["Mid-Market"] <= 0.42
    assert 0.42 <= share["SMB"] <= 0.58
    assert set(accounts["region"]) == {"NA", "EMEA", "APAC", "LATAM"}
    assert accounts["name"].is_unique
    assert accounts["industry"].nunique() >= 6
    assert 4 <= accounts["csm"].nunique() <= 10
    assert (accounts.groupby("csm")["segment"].nunique() == 1).all()  # a CSM owns one book


def test_months(tables: dict[str, pd.DataFrame]) -> None:
    months = sorted(tables["mrr"]["month"].unique())
    assert len(months) == 36
    assert (months[0], months[-1]) == ("2023-11", "2026-10")
    first_month = tables["mrr"].groupby("account_id")["month"].min()
    assert (first_month == "2023-11").mean() > 0.2  # some already paying
    assert first_month.nunique() >= 30  # the others join throughout


def test_all_movement_types_present(tables: dict[str, pd.DataFrame]) -> None:
    counts = movement_counts(wide_mrr(tables))
    assert all(counts[k] > 0 for k in counts), counts
    assert counts["reactivation"] < counts["churn"] < counts["new"]


def test_mrr_is_flat_most_months(tables: dict[str, pd.DataFrame]) -> None:
    mrr = tables["mrr"]
    same = mrr.groupby("account_id")["mrr"].diff().dropna().eq(0)
    assert same.mean() > 0.85


def test_segment_mrr_bands(tables: dict[str, pd.DataFrame]) -> None:
    bands = {"Enterprise": (8_000, 60_000), "Mid-Market": (1_500, 8_000), "SMB": (150, 1_500)}
    mrr = tables["mrr"].merge(tables["accounts"][["account_id", "segment"]])
    for segment, (low, high) in bands.items():
        values = mrr.loc[mrr["segment"] == segment, "mrr"]
        assert low <= values.median() <= high, segment
        assert values.between(0.8 * low, 1.1 * high).all(), segment


def test_retention_trailing_twelve_months(tables: dict[str, pd.DataFrame]) -> None:
    nrr, grr, _ = retention(wide_mrr(tables), "2025-10", "2026-10")
    assert 1.00 <= nrr <= 1.15
    assert 0.85 <= grr <= 0.95
    assert grr < nrr


def test_retention_quarter(tables: dict[str, pd.DataFrame]) -> None:
    nrr, grr, _ = retention(wide_mrr(tables), "2026-06", "2026-09")
    assert 1.005 <= nrr <= 1.045
    assert grr < nrr


def test_retention_by_segment(tables: dict[str, pd.DataFrame]) -> None:
    ttm = by_segment(tables, "2025-10", "2026-10")
    assert ttm.loc["Enterprise", "nrr"] > ttm.loc["Mid-Market", "nrr"] > ttm.loc["SMB", "nrr"]
    assert ttm["logo_churn"].idxmax() == "SMB"
    assert (ttm["grr"] <= 1).all()


@pytest.mark.parametrize(
    "flag", ["renewal_at_risk", "single_threaded", "build_a_champion", "emergency"]
)
def test_risk_flag_fires_for_some_accounts(tables: dict[str, pd.DataFrame], flag: str) -> None:
    rate = risk_flags(tables)[flag].mean()
    assert 0.01 <= rate <= 0.40, rate


def test_renewal_dates(tables: dict[str, pd.DataFrame]) -> None:
    wide = wide_mrr(tables)
    renewal = pd.to_datetime(tables["accounts"].set_index("account_id")["renewal_date"])
    paying = wide["2026-10"] > 0
    upcoming = renewal[paying]
    assert (upcoming > AS_OF).all()
    assert (upcoming <= AS_OF + pd.DateOffset(years=1)).all()
    assert (upcoming <= AS_OF + pd.Timedelta(days=90)).mean() >= 0.10
    assert set(upcoming.dt.month) == set(range(1, 13))
    # a churned account's renewal date is the one at which it left
    churned = wide[~paying]
    last_paid = churned.apply(lambda row: row[row > 0].index[-1], axis=1)
    left_in = (pd.PeriodIndex(last_paid, freq="M") + 1).strftime("%Y-%m")
    assert list(renewal[~paying].dt.strftime("%Y-%m")) == list(left_in)


def test_usage(tables: dict[str, pd.DataFrame]) -> None:
    usage = tables["usage"].merge(tables["mrr"])
    assert usage["active_users"].dtype == np.int64
    assert usage["licensed_seats"].dtype == np.int64
    utilization = usage["active_users"] / usage["licensed_seats"]
    assert utilization.between(0.4, 0.95).mean() > 0.7
    price = usage["mrr"] / usage["licensed_seats"]
    assert price.between(20, 100).all()  # seats follow MRR


def test_nps(tables: dict[str, pd.DataFrame]) -> None:
    nps = tables["nps"]
    assert 300 <= len(nps) <= 5_000
    assert nps["score"].between(0, 10).all()
    assert nps["comment"].isna().any() and nps["comment"].nunique() >= 20
    assert nps["contact_id"].isna().any()
    waves = pd.to_datetime(nps["responded_on"]).dt.month.value_counts()
    assert set(waves.index[waves > 50]) <= {3, 4, 9, 10}
    score = 100 * ((nps["score"] >= 9).mean() - (nps["score"] <= 6).mean())
    assert 0 < score < 60


def test_scores_follow_health(tables: dict[str, pd.DataFrame]) -> None:
    wide = wide_mrr(tables)
    churned = set(wide.index[wide["2026-10"] == 0])
    nps = tables["nps"]
    leaving = nps["account_id"].isin(churned)
    assert nps.loc[leaving, "score"].mean() < nps.loc[~leaving, "score"].mean() - 0.5


def test_tickets(tables: dict[str, pd.DataFrame]) -> None:
    tickets = tables["tickets"]
    assert set(tickets["priority"]) == {"low", "normal", "high", "urgent"}
    assert 0 < tickets["closed_on"].isna().sum() < 0.02 * len(tickets)
    assert 0.4 < tickets["csat"].isna().mean() < 0.9
    assert 0.4 < tickets["ces"].isna().mean() < 0.95
    assert tickets["csat"].dropna().between(1, 5).all()
    assert tickets["ces"].dropna().between(1, 7).all()
    assert tickets.loc[tickets["closed_on"].isna(), ["csat", "ces"]].isna().all().all()


def test_contacts(tables: dict[str, pd.DataFrame]) -> None:
    contacts = tables["contacts"]
    assert set(contacts["role"]) == {"executive", "user"}
    assert set(contacts["strength"]) == {"none", "weak", "medium", "strong", "very_strong"}
    roles = contacts.groupby("account_id")["role"].agg(set)
    assert (roles == {"executive", "user"}).all()  # everyone has both kinds
    assert not contacts.duplicated(["account_id", "name"]).any()


def test_goals_and_advocacy(tables: dict[str, pd.DataFrame]) -> None:
    goals = tables["goals"]
    assert set(goals["status"]) == {"not_started", "on_track", "at_risk", "achieved", "missed"}
    due = pd.to_datetime(goals["due_on"])
    assert (goals.loc[due <= AS_OF, "status"].isin(["achieved", "missed"])).all()
    assert (due > AS_OF).any()
    up = goals["target"] > goals["baseline"]
    reached = np.where(up, goals["current"] >= goals["target"], goals["current"] <= goals["target"])
    assert (reached == (goals["status"] == "achieved")).all()
    advocacy = tables["advocacy"]
    assert set(advocacy["kind"]) == {"referral", "reference_call", "case_study", "review"}


def test_events_only_while_customer(tables: dict[str, pd.DataFrame]) -> None:
    paying = set(zip(tables["mrr"]["account_id"], tables["mrr"]["month"], strict=True))
    for name, column in [
        ("tickets", "opened_on"),
        ("activities", "occurred_on"),
        ("advocacy", "occurred_on"),
    ]:
        frame = tables[name]
        keys = zip(frame["account_id"], frame[column].str[:7], strict=True)
        assert all(k in paying for k in keys), name
    nps = tables["nps"]
    month = pd.PeriodIndex(nps["responded_on"].str[:7], freq="M")
    before = (month - 1).strftime("%Y-%m")
    ok = [
        (a, m) in paying or (a, b) in paying
        for a, m, b in zip(nps["account_id"], month.strftime("%Y-%m"), before, strict=True)
    ]
    assert all(ok)


def test_formats(tables: dict[str, pd.DataFrame]) -> None:
    dates = {
        "accounts": ["renewal_date"],
        "nps": ["responded_on"],
        "tickets": ["opened_on", "closed_on"],
        "activities": ["occurred_on"],
        "goals": ["due_on"],
        "advocacy": ["occurred_on"],
    }
    for name, columns in dates.items():
        for column in columns:
            assert tables[name][column].dropna().str.fullmatch(DATE_RE).all(), (name, column)
    for name in ("mrr", "usage"):
        assert tables[name]["month"].str.fullmatch(MONTH_RE).all()


def test_referential_integrity(tables: dict[str, pd.DataFrame]) -> None:
    assert integrity_problems(tables, AS_OF) == []


def test_integrity_check_catches_a_stray_account(tables: dict[str, pd.DataFrame]) -> None:
    broken = dict(tables)
    broken["tickets"] = tables["tickets"].assign(account_id="A9999")
    assert "tickets: unknown account_id" in integrity_problems(broken, AS_OF)


@settings(max_examples=6, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    n_accounts=st.integers(min_value=1, max_value=60),
    n_months=st.integers(min_value=13, max_value=48),
    last_month=st.sampled_from(["2024-02", "2025-12", "2026-10", "2030-01"]),
)
def test_any_arguments_give_a_consistent_dataset(
    seed: int, n_accounts: int, n_months: int, last_month: str
) -> None:
    tables = sample.generate(
        seed=seed, n_accounts=n_accounts, n_months=n_months, last_month=last_month
    )
    as_of = (pd.Period(last_month, freq="M") + 1).to_timestamp() - pd.Timedelta(days=1)
    assert len(tables["accounts"]) == n_accounts
    assert tables["mrr"]["month"].max() <= last_month
    first_month = (pd.Period(last_month, freq="M") - (n_months - 1)).strftime("%Y-%m")
    assert tables["mrr"]["month"].min() >= first_month
    assert integrity_problems(tables, as_of) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n_accounts": 0},
            "`n_accounts` must be an integer from 1 to 2808, got 0.",
        ),
        (
            {"n_months": 12},
            "`n_months` must be an integer of at least 13 (one year and a month), got 12.",
        ),
        (
            {"last_month": "2026-13"},
            "`last_month` must look like 2026-10 (YYYY-MM), got '2026-13'. "
            "Pass the last month with data.",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        sample.generate(**kwargs)  # type: ignore[arg-type]
    assert str(excinfo.value) == message
