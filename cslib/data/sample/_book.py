"""The sample company's book of business, simulated month by month: accounts, contracts, usage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cslib.data.sample._vocab import _SEGMENTS, _STREAMS


def _rng(seed: int, stream: str) -> np.random.Generator:
    """Return the random generator of one table (independent of the others)."""
    return np.random.default_rng([seed, _STREAMS[stream]])


def _iso(days: np.ndarray) -> np.ndarray:
    """Format ``datetime64[D]`` values as ``YYYY-MM-DD`` strings."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D")


def _ids(prefix: str, n: int, width: int) -> list[str]:
    """Return ``n`` sequential ids such as ``T00001``."""
    return [f"{prefix}{k:0{width}d}" for k in range(1, n + 1)]


def _pick(
    rng: np.random.Generator, options: tuple[str, ...], p: tuple[float, ...], n: int
) -> np.ndarray:
    """Draw ``n`` labels from ``options`` with probabilities ``p``."""
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


@dataclass(frozen=True)
class _Calendar:
    """The months of the sample and the dates around them."""

    labels: np.ndarray  # "YYYY-MM" of the n_months months, oldest first
    starts: np.ndarray  # datetime64[D] first day of month t, for t in 0 .. n_months + 13
    as_of: np.datetime64  # last day of the last month

    @property
    def n_months(self) -> int:
        """Number of months with MRR data."""
        return len(self.labels)

    def days_in(self, t: np.ndarray) -> np.ndarray:
        """Number of days of month(s) ``t``."""
        return (self.starts[t + 1] - self.starts[t]).astype(np.int64)

    def random_day(self, rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
        """Draw one uniformly random day inside each month ``t``."""
        offset = np.floor(rng.random(len(t)) * self.days_in(t)).astype(np.int64)
        return self.starts[t] + offset.astype("timedelta64[D]")

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Month index of each date (may be negative or beyond the data)."""
        months = days.astype("datetime64[M]") - self.starts[0].astype("datetime64[M]")
        return months.astype(np.int64)

    @classmethod
    def make(cls, last_month: str, n_months: int) -> _Calendar:
        """Build the calendar of ``n_months`` months ending with ``last_month``."""
        first = pd.Period(last_month, freq="M") - (n_months - 1)
        periods = pd.period_range(first, periods=n_months + 14, freq="M")
        starts = np.array([f"{p.year:04d}-{p.month:02d}-01" for p in periods], "datetime64[D]")
        labels = np.array([f"{p.year:04d}-{p.month:02d}" for p in periods[:n_months]])
        return cls(labels=labels, starts=starts, as_of=starts[n_months] - np.timedelta64(1, "D"))


@dataclass
class _Book:
    """The customer base behind every table: who the accounts are and what they pay."""

    cal: _Calendar
    segment: np.ndarray  # index into _SEGMENTS, per account
    health: np.ndarray  # latent health, standard normal; drives churn, usage, scores
    bond: np.ndarray  # latent relationship depth, correlated with health
    engagement: np.ndarray  # multiplier on how often the CSM is in touch
    price: np.ndarray  # USD per seat per month
    seats: np.ndarray  # (accounts, months) licensed seats, 0 when not paying
    renewal_t: np.ndarray  # month index of renewal_date (>= n_months for the next one)
    renewal_day: np.ndarray  # day of month of renewal_date
    renewal_events: np.ndarray  # (k, 3) account, month index, day: every renewal date
    active: np.ndarray  # (accounts, months) active users
    declining: np.ndarray  # (accounts, months) True where usage is falling

    @property
    def mrr(self) -> np.ndarray:
        """(accounts, months) MRR in USD."""
        return self.seats * self.price[:, None]

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.segment)

    def profile(self, attr: str) -> np.ndarray:
        """A segment attribute looked up per account."""
        return np.array([getattr(s, attr) for s in _SEGMENTS])[self.segment]


# --------------------------------------------------------------------------- the book


def _simulate_book(seed: int, n_accounts: int, cal: _Calendar) -> _Book:
    """Draw the accounts' latent traits, their contracts (MRR) and their usage."""
    rng = _rng(seed, "book")
    n, n_months = n_accounts, cal.n_months
    segment = rng.choice(len(_SEGMENTS), size=n, p=[s.share for s in _SEGMENTS])
    health = rng.standard_normal(n)
    bond = 0.5 * health + np.sqrt(0.75) * rng.standard_normal(n)
    engagement = np.exp(0.35 * bond + 0.25 * rng.standard_normal(n))
    lo = np.array([s.seat_price[0] for s in _SEGMENTS])[segment]
    hi = np.array([s.seat_price[1] for s in _SEGMENTS])[segment]
    price = rng.integers(lo, hi + 1)
    book = _Book(
        cal=cal,
        segment=segment,
        health=health,
        bond=bond,
        engagement=engagement,
        price=price,
        seats=np.zeros((n, n_months), dtype=np.int64),
        renewal_t=np.zeros(n, dtype=np.int64),
        renewal_day=np.zeros(n, dtype=np.int64),
        renewal_events=np.zeros((0, 3), dtype=np.int64),
        active=np.zeros((n, n_months), dtype=np.int64),
        declining=np.zeros((n, n_months), dtype=bool),
    )
    _simulate_contracts(_rng(seed, "contracts"), book)
    _simulate_usage(_rng(seed, "usage"), book)
    return book


def _simulate_contracts(rng: np.random.Generator, book: _Book) -> None:
    """Fill in seats (hence MRR) month by month, and the renewal dates.

    About 38% of the accounts already pay in the first month; the others sign
    up across the window, a little more often later on. Contracts are annual:
    at each anniversary the account churns (more likely when unhealthy and in
    SMB), expands or contracts; in between, seats are sometimes upsold. A few
    churned accounts come back after 2 to 9 months on a new contract.
    """
    n, n_months = book.n, book.cal.n_months
    existing = rng.random(n) < 0.38
    weights = 1.0 + 0.6 * np.arange(1, n_months) / n_months
    joined = 1 + rng.choice(n_months - 1, size=n, p=weights / weights.sum())
    start = np.where(existing, 0, joined)
    first_renewal = np.where(existing, rng.integers(1, 13, size=n), start + 12)
    day = rng.integers(1, 29, size=n)
    log_mrr = np.log(book.profile("mrr_median")) + book.profile("mrr_sigma") * rng.standard_normal(
        n
    )
    mrr0 = np.exp(log_mrr) * np.where(existing, 1.1, 1.0)
    min_seats = np.ceil(0.9 * book.profile("mrr_min") / book.price).astype(np.int64)
    max_seats = np.floor(book.profile("mrr_max") / book.price).astype(np.int64)
    seats0 = np.clip(np.round(mrr0 / book.price), min_seats, max_seats).astype(np.int64)

    tilt = np.exp(-0.7 * book.health - 0.245)  # mean 1 over a standard normal health
    p_churn = np.minimum(book.profile("churn") * tilt, 0.6)
    p_expand = np.clip(book.profile("expand") * (1 + 0.3 * book.health), 0.05, 0.9)
    p_contract = np.clip(book.profile("contract") * (1 - 0.3 * book.health), 0.02, 0.4)
    upsell = book.profile("upsell")
    events: list[tuple[int, int, int]] = []

    def clip(i: int, value: float) -> int:
        return int(min(max(round(value), min_seats[i]), max_seats[i]))

    for i in range(n):
        t, cur, nxt, d = int(start[i]), int(seats0[i]), int(first_renewal[i]), int(day[i])
        term_start = t
        while t < n_months:
            if t == nxt:
                events.append((i, t, d))
                if rng.random() < p_churn[i]:
                    book.renewal_t[i], book.renewal_day[i] = t, d
                    if rng.random() < 0.15:  # reactivation after a gap
                        t += int(rng.integers(2, 10))
                        cur = clip(i, cur * rng.uniform(0.6, 1.0))
                        nxt, d, term_start = t + 12, int(rng.integers(1, 29)), t
                        continue
                    break
                u = rng.random()
                if u < p_expand[i]:
                    cur = clip(i, cur * rng.uniform(1.08, 1.45))
                elif u < p_expand[i] + p_contract[i]:
                    cur = clip(i, cur * rng.uniform(0.70, 0.95))
                nxt += 12
            elif t > term_start and rng.random() < upsell[i]:
                cur = clip(i, cur * rng.uniform(1.05, 1.25))
            book.seats[i, t] = cur
            t += 1
        if book.seats[i, -1] > 0:  # still paying: the next renewal is after the last month
            book.renewal_t[i], book.renewal_day[i] = nxt, d
            events.append((i, nxt, d))
    book.renewal_events = np.array(events, dtype=np.int64).reshape(-1, 3)


def _simulate_usage(rng: np.random.Generator, book: _Book) -> None:
    """Active users per paying month: a health-driven share of the seats.

    New and reactivated accounts ramp up over three months; most churners use
    the product less and less in the months before they leave; about one in
    eight of the accounts paying in the last month is in a decline that began
    three to five months before it.
    """
    n, n_months = book.n, book.cal.n_months
    paying = book.seats > 0
    t_idx = np.broadcast_to(np.arange(n_months), (n, n_months))
    began = paying & ~np.concatenate([np.zeros((n, 1), bool), paying[:, :-1]], axis=1)
    last_start = np.where(began, t_idx, -100)
    last_start[:, 0] = np.where(paying[:, 0], -12, -100)  # already live before the window
    tenure = t_idx - np.maximum.accumulate(last_start, axis=1)
    ramp = np.minimum(1.0, 0.55 + 0.15 * tenure)

    base = np.clip(0.68 + 0.12 * book.health + 0.07 * rng.standard_normal(n), 0.3, 0.97)
    factor = np.ones((n, n_months))

    # fading usage before churn (70% of churn events)
    ended = paying[:, :-1] & ~paying[:, 1:]
    for i, t_last in zip(*np.nonzero(ended), strict=True):
        if rng.random() < 0.7:
            lo = max(0, t_last - 4)
            steps = np.arange(lo, t_last + 1) - (t_last - 5)
            factor[i, lo : t_last + 1] *= 0.92**steps
            book.declining[i, lo : t_last + 1] = True

    # current decliners among long-standing accounts paying in the last month
    eligible = paying[:, -1] & (tenure[:, -1] >= 6)
    p_decline = np.minimum(0.14 * np.exp(-0.6 * book.health - 0.18), 0.5)
    draw = rng.random(n)
    began_decline = n_months - rng.integers(4, 7, size=n)
    rate = rng.uniform(0.82, 0.92, size=n)
    for i in np.nonzero(eligible & (draw < p_decline))[0]:
        t0 = began_decline[i]
        factor[i, t0:] *= rate[i] ** np.arange(0, n_months - t0)
        book.declining[i, t0 + 1 :] = True

    noise = np.exp(0.05 * rng.standard_normal((n, n_months)))
    util = np.clip(base[:, None] * ramp * factor * noise, 0.0, 1.0)
    book.active = np.where(paying, np.round(book.seats * util), 0).astype(np.int64)
    book.declining &= paying


# --------------------------------------------------------------------------- tables


