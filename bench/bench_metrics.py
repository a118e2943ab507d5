"""Benchmark of the metric engine: 100,000 accounts x 60 months (6,000,000 MRR rows).

Run with ``make bench`` (or ``.venv/bin/python bench/bench_metrics.py`` from the project folder).

What it does:

1. Generates, deterministically and outside any timing, a company of 100,000
   accounts in three segments over 60 months with new business, expansion,
   contraction, churn and reactivation, one MRR row per account-month (zero
   before an account starts and while it is churned), and passes it through the
   library's own normalization (``cslib.data.load.normalize``) into a
   ``cslib.Dataset`` as ``cslib.load`` would leave it.
2. Times the engine, "movements plus NRR/GRR/logo retention by segment for one
   quarter": ``revenue_summary`` (which computes the per-account movements
   itself), ``account_movements`` alone, and ``metrics_frame`` (which adds the
   satisfaction metrics, empty here). Each runs 7 times; the median and the
   minimum are reported. Memory is measured on a separate, untimed call: the
   process RSS high-water mark (``resource.getrusage``; the Linux peak is reset
   just before the call through ``/proc/self/clear_refs`` when that is allowed)
   and the ``tracemalloc`` peak of the call alone.
3. Keeps a baseline: a plain per-account pandas implementation, as an analyst
   would write it, timed on a random subset of accounts (it is far too slow for
   all of them) and extrapolated linearly to 100,000 accounts. The engine runs
   on the same subset and both must agree on every figure per segment (to 1e-6
   relative); the script exits 1 when they do not.

Goals: the engine under 2 seconds and under 3 GB on the full dataset.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import cslib
from cslib.data.load import normalize
from cslib.metrics.revenue import MOVEMENTS

SEED = 20260101
N_ACCOUNTS = 100_000
N_MONTHS = 60
FIRST_MONTH = "2021-01"  # the data covers 2021-01..2025-12
PERIOD = "2025Q3"  # compares 2025-06 with 2025-09
REPEATS = 7
SUBSET = 2_000
BASELINE_REPEATS = 3
GOAL_SECONDS = 2.0
GOAL_BYTES = 3 * 1024**3
RTOL = 1e-6

SEGMENTS = np.array(["SMB", "Mid-Market", "Enterprise"], dtype=object)
SEGMENT_SHARE = [0.60, 0.30, 0.10]
BASE_MRR = np.array([300.0, 2_000.0, 12_000.0])  # median starting MRR per segment
CHURN = np.array([0.025, 0.012, 0.006])  # monthly probability of churning
REACTIVATE = 0.04  # monthly probability that a churned account comes back
EXPAND, CONTRACT = 0.05, 0.03  # monthly probabilities of expansion and contraction
ALREADY_CUSTOMERS = 0.35  # share of accounts already paying in the first month

CHECKED = (
    "starting_mrr", "ending_mrr", *MOVEMENTS, "nrr", "grr", "logo_retention",
    "customers_start", "customers_end",
)  # fmt: skip


# Data ---------------------------------------------------------------------------------
def generate(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw ``accounts`` and ``mrr`` frames (months as ``YYYY-MM`` text), dense.

    Vectorized over accounts; the only Python loop is over the 60 months.
    """
    rng = np.random.default_rng(seed)
    n, t = N_ACCOUNTS, N_MONTHS
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    base = np.round(BASE_MRR[seg] * rng.lognormal(0.0, 0.5, size=n), 2)
    start = np.where(
        rng.random(n) < ALREADY_CUSTOMERS, 0, rng.integers(1, t, size=n)
    )  # first paying month
    churn_p = CHURN[seg]

    grid = np.zeros((n, t))
    level = base.copy()  # the account's price while paying (kept through a churn)
    paying = np.zeros(n, dtype=bool)
    for m in range(t):
        u = rng.random((4, n))
        starts = start == m
        was = paying
        churns = was & (u[0] < churn_p)
        comes_back = ~was & (start < m) & (u[1] < REACTIVATE)
        paying = (was & ~churns) | starts | comes_back
        up = was & paying & (u[2] < EXPAND)
        down = was & paying & ~up & (u[3] < CONTRACT)
        step = rng.random(n)
        level = np.where(up, np.round(level * (1.05 + 0.35 * step), 2), level)
        level = np.where(down, np.maximum(np.round(level * (0.95 - 0.25 * step), 2), 1.0), level)
        grid[:, m] = np.where(paying, level, 0.0)

    ids = np.array([f"ACC{i:06d}" for i in range(n)], dtype=object)
    labels = pd.period_range(FIRST_MONTH, periods=t, freq="M").strftime("%Y-%m")
    months = np.array(labels, dtype=object)
    accounts = pd.DataFrame(
        {"account_id": ids, "name": [f"Company {i}" for i in range(n)], "segment": SEGMENTS[seg]}
    )
    mrr = pd.DataFrame(
        {
            "account_id": np.repeat(ids, t),
            "month": np.tile(months, n),
            "mrr": grid.reshape(-1),
        }
    )
    return accounts, mrr


def build_dataset(accounts: pd.DataFrame, mrr: pd.DataFrame) -> cslib.Dataset:
    """The frames as ``cslib.load`` leaves them: normalized dtypes, wrapped in a Dataset."""
    tables = normalize({"accounts": accounts, "mrr": mrr})
    return cslib.Dataset(tables, source="bench", fingerprint="bench")


# Baseline -----------------------------------------------------------------------------
def baseline_summary(mrr: pd.DataFrame, accounts: pd.DataFrame, period: str) -> pd.DataFrame:
    """Movements and retention by segment, account by account, in plain pandas.

    The way an analyst would write it: one account at a time, its month series,
    its movements month by month (ChartMogul rules), its starting and ending
    MRR; then sums and ratios by segment.
    """
    p = cslib.Period.parse(period)
    start_book, end_book = p.start_book, p.end_book
    months = pd.period_range(start_book, end_book, freq="M")
    segment_of = accounts.set_index("account_id")["segment"]
    rows = []
    for account_id, g in mrr.groupby("account_id"):
        history = g.set_index("month")["mrr"].sort_index()
        series = history.reindex(months, fill_value=0.0)
        paid = bool((history[history.index < start_book] > 0).any())
        moves = dict.fromkeys(MOVEMENTS, 0.0)
        for prev_month, month in itertools.pairwise(months):
            prev, cur = series[prev_month], series[month]
            paid = paid or prev > 0
            if prev == 0 and cur > 0:
                moves["reactivation_mrr" if paid else "new_mrr"] += cur
            elif prev > 0 and cur == 0:
                moves["churned_mrr"] += prev
            elif prev > 0 and cur > prev:
                moves["expansion_mrr"] += cur - prev
            elif prev > 0 and 0 < cur < prev:
                moves["contraction_mrr"] += prev - cur
        rows.append(
            {
                "segment": segment_of[account_id],
                "starting_mrr": series[start_book],
                "ending_mrr": series[end_book],
                **moves,
            }
        )
    df = pd.DataFrame(rows)
    out = df.groupby("segment")[["starting_mrr", "ending_mrr", *MOVEMENTS]].sum()
    cohort = df[df["starting_mrr"] > 0]
    by = cohort.groupby("segment")
    start_sum = by["starting_mrr"].sum()
    out["nrr"] = by["ending_mrr"].sum() / start_sum
    kept = np.minimum(cohort["starting_mrr"], cohort["ending_mrr"])
    out["grr"] = kept.groupby(cohort["segment"]).sum() / start_sum
    out["logo_retention"] = (cohort["ending_mrr"] > 0).groupby(cohort["segment"]).mean()
    out["customers_start"] = by.size()
    out["customers_end"] = (df["ending_mrr"] > 0).groupby(df["segment"]).sum()
    return out


def compare(engine: pd.DataFrame, baseline: pd.DataFrame) -> list[str]:
    """Differences beyond RTOL between the engine's and the baseline's figures."""
    problems = []
    if sorted(map(str, engine.index)) != sorted(map(str, baseline.index)):
        return [f"segments differ: {list(engine.index)} vs {list(baseline.index)}"]
    for seg in baseline.index:
        for col in CHECKED:
            a, b = engine.loc[seg, col], baseline.loc[seg, col]
            a = float("nan") if a is None else float(a)
            if not np.isclose(a, float(b), rtol=RTOL, atol=1e-9, equal_nan=True):
                problems.append(f"{seg} {col}: engine {a!r} vs baseline {float(b)!r}")
    return problems


def identity_gaps(summary: pd.DataFrame) -> list[str]:
    """Groups where start + new + expansion + reactivation - contraction - churn != end."""
    s = summary
    bridged = (
        s["starting_mrr"]
        + s["new_mrr"]
        + s["expansion_mrr"]
        + s["reactivation_mrr"]
        - s["contraction_mrr"]
        - s["churned_mrr"]
    )
    bad = ~np.isclose(bridged, s["ending_mrr"], rtol=1e-9, atol=1e-6)
    return [
        f"{g}: bridge {bridged[g]!r} != ending {s.loc[g, 'ending_mrr']!r}" for g in s.index[bad]
    ]


# Measuring ----------------------------------------------------------------------------
def timed(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Wall-clock seconds of ``repeats`` calls (garbage collected before each) and a result."""
    times, result = [], None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _release_memory() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark of this process (Linux); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def maxrss_bytes() -> int:
    """``ru_maxrss`` of this process in bytes (KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def memory_of(fn: Callable[[], Any]) -> dict[str, Any]:
    """Peak memory of one call: process RSS high-water mark and tracemalloc peak."""
    out: dict[str, Any] = {"process_peak_so_far": maxrss_bytes()}
    _release_memory()
    out["reset"] = _reset_peak_rss()
    cur = _status_kib("VmRSS")
    out["rss_before"] = cur * 1024 if cur is not None else None
    out["maxrss_before"] = maxrss_bytes()
    fn()
    out["maxrss_after"] = maxrss_bytes()
    _release_memory()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["tracemalloc_peak"] = peak
    return out


# Report -------------------------------------------------------------------------------
def gib(n: float) -> str:
    return f"{n / 1024**3:.2f} GiB"


def mib(n: float) -> str:
    return f"{n / 1024**2:,.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<46} {value:>14}  {note}".rstrip())


def main() -> int:
    print("cslib metric engine benchmark")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"cslib {cslib.__version__}, {platform.machine()}"
    )
    t0 = time.perf_counter()
    accounts, raw_mrr = generate()
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = build_dataset(accounts, raw_mrr)
    t_norm = time.perf_counter() - t0
    del raw_mrr
    _release_memory()
    mrr = ds.mrr
    groups = ds.groups("segment")
    n_rows = len(mrr)
    print()
    print("Data (not timed)")
    line("accounts x months", f"{ds.accounts.shape[0]:,} x {N_MONTHS}")
    line("MRR rows", f"{n_rows:,}", f"({int((mrr['mrr'] > 0).sum()):,} paying)")
    line("months covered", f"{ds.first_month}..{ds.last_month}")
    line("segments", str(groups.nunique()), ", ".join(sorted(set(groups))))
    period = cslib.Period.parse(PERIOD)
    line("period", PERIOD, f"(start book {period.start_book}, end book {period.end_book})")
    line("generation, seconds", f"{t_gen:.2f}", f"seed {SEED}")
    line("normalization (cslib normalize), seconds", f"{t_norm:.2f}")

    # The engine on the full dataset --------------------------------------------------
    def summary() -> pd.DataFrame:
        return cslib.revenue_summary(mrr, period=PERIOD, groups=groups)

    def movements() -> pd.DataFrame:
        return cslib.account_movements(mrr, period=PERIOD)

    def frame() -> pd.DataFrame:
        return cslib.metrics_frame(ds, period=PERIOD, by="segment")

    runs = {
        "revenue_summary (by segment)": timed(summary, REPEATS),
        "account_movements (per account)": timed(movements, REPEATS),
        "metrics_frame (by segment)": timed(frame, REPEATS),
    }
    full = runs["revenue_summary (by segment)"][1]
    mem = memory_of(summary)

    print()
    print(f"Engine, full dataset: {REPEATS} runs each, wall-clock seconds (measured)")
    print(f"  {'call':<46} {'median':>8} {'min':>8} {'max':>8}  goal < {GOAL_SECONDS:.0f} s")
    for name, (times, _) in runs.items():
        med = statistics.median(times)
        print(
            f"  {name:<46} {med:8.3f} {min(times):8.3f} {max(times):8.3f}  "
            f"{verdict(med < GOAL_SECONDS)}"
        )
    print(
        f"  rows per second (revenue_summary median)       "
        f"{n_rows / statistics.median(runs['revenue_summary (by segment)'][0]):>14,.0f}"
    )

    print()
    print("Memory of one revenue_summary call, full dataset (measured, untimed call)")
    line(
        "process RSS before the call",
        mib(mem["rss_before"]) if mem["rss_before"] else "n/a",
        "(the 6M-row dataset already loaded)",
    )
    peak_ok = mem["maxrss_after"] < GOAL_BYTES
    if mem["reset"]:
        line(
            "process RSS peak during the call",
            gib(mem["maxrss_after"]),
            f"goal < 3 GiB  {verdict(peak_ok)}",
        )
        if mem["rss_before"]:
            line("  of which the call added", mib(mem["maxrss_after"] - mem["rss_before"]))
    else:
        line(
            "process RSS peak (ru_maxrss, whole process)",
            gib(mem["maxrss_after"]),
            f"goal < 3 GiB  {verdict(peak_ok)} (peak could not be reset: an upper bound)",
        )
        line(
            "ru_maxrss before / after the call",
            f"{mib(mem['maxrss_before'])} / {mib(mem['maxrss_after'])}",
        )
    line("tracemalloc peak of the call alone", mib(mem["tracemalloc_peak"]))
    line(
        "process peak incl. generation (ru_maxrss)",
        gib(mem["process_peak_so_far"]),
        "(data generation and normalization, not the engine)",
    )

    # The baseline on a subset ----------------------------------------------------------
    rng = np.random.default_rng(SEED + 1)
    chosen = np.sort(rng.choice(ds.accounts["account_id"].to_numpy(), SUBSET, replace=False))
    sub = ds.subset(chosen)
    sub_groups = sub.groups("segment")
    plain_mrr = sub.mrr.assign(account_id=sub.mrr["account_id"].astype(str).astype(object))
    plain_accounts = sub.accounts[["account_id", "segment"]]

    eng_times, eng_sub = timed(
        lambda: cslib.revenue_summary(sub.mrr, period=PERIOD, groups=sub_groups), REPEATS
    )
    base_times, base_sub = timed(
        lambda: baseline_summary(plain_mrr, plain_accounts, PERIOD), BASELINE_REPEATS
    )
    problems = compare(eng_sub, base_sub) + identity_gaps(full) + identity_gaps(eng_sub)

    eng_sub_med = statistics.median(eng_times)
    base_med = statistics.median(base_times)
    per_account = base_med / SUBSET
    base_full = per_account * N_ACCOUNTS
    eng_full = statistics.median(runs["revenue_summary (by segment)"][0])

    print()
    print(
        f"Baseline: per-account pandas loop on a random subset of {SUBSET:,} accounts "
        f"({len(sub.mrr):,} rows, seed {SEED + 1})"
    )
    print(f"  {'':<46} {'median':>8} {'min':>8} {'runs':>8}")
    print(
        f"  {'baseline, subset (measured)':<46} {base_med:8.3f} {min(base_times):8.3f} "
        f"{len(base_times):8d}"
    )
    print(
        f"  {'engine revenue_summary, subset (measured)':<46} {eng_sub_med:8.3f} "
        f"{min(eng_times):8.3f} {len(eng_times):8d}"
    )
    line("baseline cost per account (measured)", f"{per_account * 1e3:.3f} ms")
    line(
        "baseline, 100,000 accounts (EXTRAPOLATED)",
        f"{base_full:,.0f} s",
        f"= {base_full / 60:.1f} min, linear in accounts; not run",
    )
    line("speed-up, same subset (measured)", f"{base_med / eng_sub_med:,.0f}x")
    line(
        "speed-up, full data (baseline EXTRAPOLATED)",
        f"{base_full / eng_full:,.0f}x",
        "engine median on 100,000 vs extrapolated baseline",
    )

    print()
    print(
        f"Agreement, engine vs baseline on the subset ({len(CHECKED)} figures x "
        f"{len(base_sub)} segments, rtol {RTOL:g})"
    )
    shown = base_sub[["nrr", "grr", "logo_retention", "starting_mrr", "ending_mrr"]]
    for seg, row in shown.iterrows():
        print(
            f"  {seg:<12} NRR {row['nrr']:.4f}  GRR {row['grr']:.4f}  "
            f"logo {row['logo_retention']:.4f}  start {row['starting_mrr']:>12,.2f}  "
            f"end {row['ending_mrr']:>12,.2f}"
        )
    print("  full dataset, by segment (engine):")
    for seg, row in full.iterrows():
        print(
            f"  {seg:<12} NRR {row['nrr']:.4f}  GRR {row['grr']:.4f}  "
            f"logo {row['logo_retention']:.4f}  start {row['starting_mrr']:>14,.2f}  "
            f"end {row['ending_mrr']:>14,.2f}"
        )
    if problems:
        print(f"  FAIL: {len(problems)} disagreement(s):")
        for p in problems[:20]:
            print(f"    {p}")
    else:
        print("  OK: every figure agrees; the MRR bridge balances in every segment")

    time_ok = eng_full < GOAL_SECONDS
    print()
    print("Summary")
    line("engine time, median (goal < 2 s)", f"{eng_full:.3f} s", verdict(time_ok))
    line("engine peak RSS (goal < 3 GiB)", gib(mem["maxrss_after"]), verdict(peak_ok))
    line("engine = baseline", "yes" if not problems else "NO", "PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
