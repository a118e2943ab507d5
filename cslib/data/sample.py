"""A deterministic sample dataset: a fictitious B2B SaaS company and its customers.

The vendor is *Fernquill*, an invented company selling a service-operations
platform (ticket routing, knowledge base, workflow automation and reporting)
per seat on annual contracts. Its customers are invented too: about 400
companies in three segments (Enterprise, Mid-Market, SMB) and four regions,
each looked after by one of a handful of fictitious CSMs. Three years of
monthly MRR end on 2026-10 (the data are "as of" 2026-10-31), with new logos
joining throughout, expansions and contractions at renewals, mid-term seat
upsells, churn and a few reactivations, plus the customer-success record that
goes with it: seat usage, NPS surveys twice a year, support tickets with
CSAT/CES, contacts and their relationship strength, CSM activities, success-plan
goals and advocacy.

It exists so that every notebook, test and demo of cslib runs out of the box on
data that look real: Enterprise retains and expands best and SMB churns most,
scores follow account health, usage falls before churn, and each risk flag
fires for some accounts but not for most. Nothing in it describes a real
company or person.

Same arguments give the same tables and the same CSV bytes on every run and
machine: every draw comes from ``numpy.random.default_rng`` seeded with the
seed and a fixed per-table stream number, there is no clock, no iteration over
sets and every table is sorted by a stable sort before ids are assigned.

Examples
--------
>>> from cslib.data import sample
>>> tables = sample.generate(n_accounts=50)
>>> sorted(tables) == sorted(sample.TABLES)
True
>>> paths = sample.write("data/sample")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cslib.data.dataset import Dataset
from cslib.errors import ParameterError

__all__ = [
    "AS_OF",
    "COLUMNS",
    "LAST_MONTH",
    "SAMPLE_SEED",
    "TABLES",
    "generate",
    "sample_dataset",
    "write",
]

SAMPLE_SEED: int = 20261031
AS_OF: str = "2026-10-31"
LAST_MONTH: str = "2026-10"

TABLES: tuple[str, ...] = (
    "accounts",
    "mrr",
    "usage",
    "nps",
    "tickets",
    "contacts",
    "activities",
    "goals",
    "advocacy",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "account_id",
        "name",
        "segment",
        "region",
        "industry",
        "csm",
        "plan",
        "renewal_date",
    ),
    "mrr": ("account_id", "month", "mrr"),
    "usage": ("account_id", "month", "active_users", "licensed_seats"),
    "nps": ("response_id", "account_id", "responded_on", "score", "contact_id", "comment"),
    "tickets": ("ticket_id", "account_id", "opened_on", "closed_on", "priority", "csat", "ces"),
    "contacts": ("contact_id", "account_id", "name", "role", "title", "strength"),
    "activities": ("activity_id", "account_id", "occurred_on", "kind", "contact_id"),
    "goals": (
        "goal_id",
        "account_id",
        "title",
        "due_on",
        "status",
        "metric",
        "baseline",
        "target",
        "current",
    ),
    "advocacy": ("event_id", "account_id", "occurred_on", "kind"),
}

# One independent random stream per table, so that changing how one table is
# drawn leaves every other table as it was.
_STREAMS: dict[str, int] = {
    "book": 1,
    "contracts": 2,
    "usage": 3,
    "accounts": 4,
    "contacts": 5,
    "activities": 6,
    "nps": 7,
    "tickets": 8,
    "goals": 9,
    "advocacy": 10,
}

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class _Segment:
    """How one customer segment buys, behaves and is looked after."""

    name: str
    share: float  # share of the logos
    mrr_median: float  # USD per month at signature
    mrr_sigma: float  # log-normal spread of the signature MRR
    mrr_min: float
    mrr_max: float
    seat_price: tuple[int, int]  # USD per seat per month, low and high
    churn: float  # probability of not renewing at an annual renewal (average health)
    expand: float  # probability of more seats at a renewal
    contract: float  # probability of fewer seats at a renewal
    upsell: float  # monthly probability of a mid-term seat upsell
    executives: tuple[int, int]  # executive contacts, low and high
    users: tuple[int, int]  # user contacts, low and high
    exec_bond: float  # shifts how strong executive relationships are
    user_bond: float  # shifts how strong user relationships are
    activities: float  # CSM touches per paying month
    exec_share: float  # share of touches with an executive
    renewal_prep: float  # probability of an executive meeting before a renewal
    tickets: float  # tickets per paying month
    nps_responses: float  # responses per survey wave
    goals: float  # open success-plan goals, on average
    csms: tuple[str, ...]
    plans: tuple[str, ...]
    plan_p: tuple[float, ...]


_SEGMENTS: tuple[_Segment, ...] = (
    _Segment(
        name="Enterprise",
        share=0.15,
        mrr_median=17_000,
        mrr_sigma=0.45,
        mrr_min=8_000,
        mrr_max=60_000,
        seat_price=(60, 95),
        churn=0.05,
        expand=0.50,
        contract=0.08,
        upsell=0.03,
        executives=(3, 6),
        users=(5, 12),
        exec_bond=1.7,
        user_bond=0.0,
        activities=3.0,
        exec_share=0.30,
        renewal_prep=0.75,
        tickets=2.0,
        nps_responses=3.0,
        goals=3.0,
        csms=("Priya Raman", "Lukas Brenner"),
        plans=("Enterprise", "Enterprise Plus"),
        plan_p=(0.7, 0.3),
    ),
    _Segment(
        name="Mid-Market",
        share=0.35,
        mrr_median=3_200,
        mrr_sigma=0.40,
        mrr_min=1_500,
        mrr_max=8_000,
        seat_price=(45, 70),
        churn=0.08,
        expand=0.42,
        contract=0.12,
        upsell=0.012,
        executives=(2, 4),
        users=(3, 7),
        exec_bond=1.3,
        user_bond=0.0,
        activities=1.3,
        exec_share=0.28,
        renewal_prep=0.55,
        tickets=0.8,
        nps_responses=1.6,
        goals=1.5,
        csms=("Elena Sokolova", "Tomas Ibarra", "Hannah Okafor"),
        plans=("Professional", "Business", "Enterprise"),
        plan_p=(0.2, 0.7, 0.1),
    ),
    _Segment(
        name="SMB",
        share=0.50,
        mrr_median=480,
        mrr_sigma=0.55,
        mrr_min=150,
        mrr_max=1_500,
        seat_price=(25, 45),
        churn=0.18,
        expand=0.30,
        contract=0.12,
        upsell=0.005,
        executives=(1, 2),
        users=(1, 4),
        exec_bond=2.3,
        user_bond=0.3,
        activities=0.5,
        exec_share=0.30,
        renewal_prep=0.35,
        tickets=0.3,
        nps_responses=0.7,
        goals=0.3,
        csms=("Jonah Park", "Aiko Tanaka"),
        plans=("Starter", "Professional"),
        plan_p=(0.45, 0.55),
    ),
)

_REGIONS = ("NA", "EMEA", "APAC", "LATAM")
_REGION_P = (0.45, 0.30, 0.15, 0.10)
_LEGAL = {
    "NA": ("Inc.", "LLC", "Corp."),
    "EMEA": ("GmbH", "Ltd", "B.V.", "AB", "S.A.S."),
    "APAC": ("Pty Ltd", "Pte. Ltd.", "K.K.", "Ltd"),
    "LATAM": ("S.A.", "Ltda.", "S.A. de C.V."),
}

# Invented name stems; the second word of a company name says its industry.
_STEMS = (
    "Amberline", "Ashgrove", "Bluefin", "Brightwater", "Cedarbrook", "Cinderfield",
    "Clearbrook", "Cobaltine", "Coldharbor", "Copperfen", "Crestmoor", "Driftwood",
    "Duskfall", "Elmstead", "Emberly", "Fairhollow", "Fernhill", "Flintridge",
    "Foxglove", "Galewood", "Glasswing", "Goldmere", "Granitebay", "Greywick",
    "Harborlight", "Hazelmoor", "Highfell", "Hollowbrook", "Ironbark", "Juniperline",
    "Kestrelton", "Lakemont", "Larkspur", "Lindenhall", "Lowmarsh", "Maplecroft",
    "Marrowind", "Meadowlark", "Millbrook", "Moonrise", "Mossgate", "Northfell",
    "Oakhaven", "Orchard Row", "Palebrook", "Pinecrest", "Quarrystone", "Quillon",
    "Ravenmoor", "Redwillow", "Ridgecourt", "Rivermead", "Rookwood", "Saltmarsh",
    "Sandpiper", "Silverbirch", "Skyhollow", "Slateford", "Snowberry", "Southmere",
    "Stillwater", "Stonechat", "Sunmeadow", "Tallowby", "Thornbury", "Tidewater",
    "Timberfold", "Trentwick", "Umberdale", "Valewood", "Velvetleaf", "Westbrook",
    "Whitlock", "Wildmere", "Willowmere", "Windrush", "Wrenfield", "Yarrowdale",
)  # fmt: skip
_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport"),
    "Healthcare": ("Health", "Clinics", "Medical", "Care"),
    "Financial Services": ("Capital", "Insurance", "Lending", "Financial"),
    "Retail": ("Retail", "Outfitters", "Markets", "Goods"),
    "Manufacturing": ("Manufacturing", "Industries", "Components", "Fabrication"),
    "Software": ("Software", "Analytics", "Labs", "Systems"),
    "Education": ("Learning", "Academy", "Education"),
    "Hospitality": ("Hospitality", "Hotels", "Travel"),
    "Energy": ("Energy", "Power", "Utilities"),
    "Professional Services": ("Consulting", "Partners", "Advisory"),
}

_FIRST_NAMES = (
    "Aaron", "Abena", "Adriana", "Ahmed", "Aisha", "Alejandro", "Amara", "Anders",
    "Anika", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Daniel", "Daria", "David",
    "Deepa", "Elif", "Emma", "Erik", "Fatima", "Felix", "Gabriel", "Grace", "Hana",
    "Hugo", "Ines", "Isaac", "Ivana", "Jamal", "Jin", "Joao", "Julia", "Kai", "Karin",
    "Kenji", "Laila", "Laura", "Leon", "Lucia", "Mateo", "Maya", "Mei", "Mohammed",
    "Nadia", "Niamh", "Nikhil", "Noah", "Olga", "Oscar", "Paula", "Pedro", "Rachel",
    "Rafael", "Ravi", "Rosa", "Samir", "Sara", "Sean", "Sofia", "Stefan", "Tariq",
    "Thandiwe", "Theo", "Valentina", "Victor", "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip
_LAST_NAMES = (
    "Abara", "Achterberg", "Alvarado", "Ambrose", "Bakshi", "Baptiste", "Bergqvist",
    "Castellano", "Chaudhry", "Coleman", "Dalgaard", "Delacroix", "Dimitrov", "Eklund",
    "Esposito", "Farrow", "Fontaine", "Gallagher", "Garrido", "Haddad", "Halvorsen",
    "Hartmann", "Iwasaki", "Jankowski", "Kaur", "Kowalczyk", "Lindqvist", "Lobo",
    "Mahlangu", "Marchetti", "Mendoza", "Moreau", "Nakamura", "Navarro", "Novak",
    "Okonkwo", "Ortega", "Pellegrini", "Petrov", "Quintero", "Rasmussen", "Reyes",
    "Rossetti", "Sandoval", "Schreiber", "Sorensen", "Takahashi", "Thornton", "Uchenna",
    "Valdez", "Varga", "Villanueva", "Wakefield", "Whitcombe", "Yilmaz", "Zielinski",
)  # fmt: skip
_EXEC_TITLES = (
    "Chief Operating Officer", "Chief Customer Officer", "Chief Information Officer",
    "CFO", "VP Operations", "VP Customer Support", "VP IT", "Head of Customer Experience",
    "Director of Support Operations", "Director of IT", "General Manager",
)  # fmt: skip
_USER_TITLES = (
    "Support Team Lead", "Operations Analyst", "Service Desk Manager", "Workflow Admin",
    "IT Administrator", "Knowledge Manager", "Support Specialist", "Reporting Analyst",
    "Customer Care Supervisor", "Systems Administrator", "Project Manager",
)  # fmt: skip
_STRENGTHS = ("none", "weak", "medium", "strong", "very_strong")

_COMMENTS = {
    "promoter": (
        "Workflow automation saves our team hours every week.",
        "Support is quick and really knows the product.",
        "Rollout to the second team went smoothly.",
        "Our CSM understands our business.",
        "Reporting finally gives leadership what they need.",
        "Easy to use, the team adopted it fast.",
        "Best tool we have bought this year.",
        "Great product, keep the integrations coming.",
        "The new dashboards are excellent.",
        "Reliable and fast, no complaints.",
        "Routing rules cut our response times in half.",
    ),
    "passive": (
        "Solid product, but the mobile app lags behind.",
        "Good overall; reporting could be more flexible.",
        "Does the job. Pricing is getting steep.",
        "Onboarding took longer than promised.",
        "Would like more CRM integration options.",
        "Fine for our needs, nothing exceptional.",
        "Knowledge base search could be better.",
        "Some settings are hard to find.",
        "Works well once configured, setup is heavy.",
    ),
    "detractor": (
        "Too many outages this quarter.",
        "Support tickets take days to get an answer.",
        "Price increase at renewal was hard to justify.",
        "Our agents find it clunky and stopped logging in.",
        "Features promised in the sales process are still missing.",
        "Reports are slow and sometimes wrong.",
        "We lost our main contact and nobody followed up.",
        "The ERP integration keeps breaking.",
        "Too expensive for how little we use it.",
    ),
}

# title, metric, baseline range, "down" or "up", change range (a factor for "down"
# goals, an absolute increase for "up" goals), decimals
_GOALS: tuple[tuple[str, str, tuple[float, float], str, tuple[float, float], int], ...] = (
    ("Reduce onboarding time for new agents", "days to onboard", (20, 60), "down", (0.5, 0.75), 0),
    ("Increase weekly active users", "weekly active users (% of seats)", (35, 60), "up",
     (10, 25), 0),
    ("Cut first response time", "median first response (hours)", (4, 24), "down", (0.4, 0.7), 1),
    ("Automate manual reporting", "analyst hours per week on reporting", (10, 40), "down",
     (0.3, 0.6), 0),
    ("Raise customer satisfaction", "CSAT (%)", (70, 85), "up", (5, 12), 0),
    ("Consolidate support tools", "tools in use", (4, 8), "down", (0.5, 0.75), 0),
    ("Roll out to additional teams", "teams live", (1, 4), "up", (2, 6), 0),
    ("Reduce ticket backlog", "open tickets", (150, 900), "down", (0.4, 0.7), 0),
    ("Increase self-service resolution", "self-service rate (%)", (10, 35), "up", (10, 20), 0),
    ("Launch an executive dashboard", "dashboards in weekly use", (0, 2), "up", (4, 10), 0),
    ("Shorten case resolution time", "mean resolution time (days)", (3, 10), "down",
     (0.5, 0.8), 1),
    ("Standardize approval workflows", "workflows automated", (0, 5), "up", (5, 15), 0),
)  # fmt: skip

_PRIORITIES = ("low", "normal", "high", "urgent")
_PRIORITY_P = (0.25, 0.50, 0.18, 0.07)
_RESOLUTION_DAYS = (7.0, 4.0, 2.0, 0.7)  # median days to close, by priority
_ADVOCACY_KINDS = ("referral", "reference_call", "case_study", "review")
_SURVEY_MONTHS = (3, 9)  # relationship NPS waves go out in March and September
_SURVEY_DAY = 10


# --------------------------------------------------------------------------- helpers


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


def _accounts_table(rng: np.random.Generator, book: _Book) -> pd.DataFrame:
    """One row per account: names, segment, region, industry, CSM, plan, renewal date."""
    n = book.n
    industries = list(_INDUSTRIES)
    nouns = [(ind, noun) for ind in industries for noun in _INDUSTRIES[ind]]
    combos = len(_STEMS) * len(nouns)
    chosen = rng.choice(combos, size=n, replace=False)
    region = _pick(rng, _REGIONS, _REGION_P, n)
    legal_draw = rng.random(n)
    legal_pick = rng.integers(0, 1000, size=n)
    names, industry = [], []
    for k, (c, reg) in enumerate(zip(chosen, region, strict=True)):
        stem, (ind, noun) = _STEMS[c // len(nouns)], nouns[c % len(nouns)]
        suffix = _LEGAL[reg][legal_pick[k] % len(_LEGAL[reg])] if legal_draw[k] < 0.45 else ""
        names.append(f"{stem} {noun} {suffix}".strip())
        industry.append(ind)
    csm = np.empty(n, dtype=object)
    plan = np.empty(n, dtype=object)
    for s, seg in enumerate(_SEGMENTS):
        mine = np.nonzero(book.segment == s)[0]
        csm[mine] = np.asarray(seg.csms, dtype=object)[rng.integers(0, len(seg.csms), len(mine))]
        plan[mine] = _pick(rng, seg.plans, seg.plan_p, len(mine))
    renewal = book.cal.starts[book.renewal_t] + (book.renewal_day - 1).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "account_id": _ids("A", n, 4),
            "name": names,
            "segment": [_SEGMENTS[s].name for s in book.segment],
            "region": region,
            "industry": industry,
            "csm": csm,
            "plan": plan,
            "renewal_date": _iso(renewal),
        }
    )


def _mrr_table(book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """One row per account and month with MRR > 0."""
    ii, tt = np.nonzero(book.seats > 0)
    return pd.DataFrame(
        {
            "account_id": account_ids[ii],
            "month": book.cal.labels[tt],
            "mrr": book.mrr[ii, tt].astype(np.float64),
        }
    )


def _usage_table(book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """Active users and licensed seats for every paying account-month."""
    ii, tt = np.nonzero(book.seats > 0)
    return pd.DataFrame(
        {
            "account_id": account_ids[ii],
            "month": book.cal.labels[tt],
            "active_users": book.active[ii, tt],
            "licensed_seats": book.seats[ii, tt],
        }
    )


@dataclass(frozen=True)
class _Contacts:
    """The contacts table plus the lookups needed to pick a contact quickly."""

    table: pd.DataFrame
    account: np.ndarray  # account index per contact
    is_user: np.ndarray  # True for role "user"
    key: np.ndarray  # group (2 x account + is_user) + cumulative pick weight in (0, 1]

    def pick(self, rng: np.random.Generator, account: np.ndarray, user: np.ndarray) -> np.ndarray:
        """Pick one contact (row index) of the given account and role, stronger ties likelier."""
        target = 2 * account + user.astype(np.int64) + rng.random(len(account))
        return np.searchsorted(self.key, target, side="right")


def _contacts_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray) -> _Contacts:
    """Executive and user contacts per account, with relationship strength."""
    n = book.n
    execs = np.array([s.executives for s in _SEGMENTS])[book.segment]
    users = np.array([s.users for s in _SEGMENTS])[book.segment]
    n_exec = rng.integers(execs[:, 0], execs[:, 1] + 1)
    n_user = rng.integers(users[:, 0], users[:, 1] + 1)
    size = n_exec + n_user
    account = np.repeat(np.arange(n), size)
    first = np.repeat(np.cumsum(size) - size, size)
    is_user = (np.arange(len(account)) - first) >= n_exec[account]

    offset = np.where(
        is_user, book.profile("user_bond")[account], book.profile("exec_bond")[account]
    )
    latent = book.bond[account] + offset - 1.0 + rng.standard_normal(len(account))
    level = np.digitize(latent, [-1.6, -0.7, 0.25, 1.3])

    n_people = len(_FIRST_NAMES) * len(_LAST_NAMES)
    n_last = len(_LAST_NAMES)
    names: list[str] = []
    for i in range(n):  # distinct names within an account
        for p in rng.choice(n_people, size=size[i], replace=False):
            names.append(f"{_FIRST_NAMES[p // n_last]} {_LAST_NAMES[p % n_last]}")
    title = np.where(
        is_user,
        np.asarray(_USER_TITLES, dtype=object)[rng.integers(0, len(_USER_TITLES), len(account))],
        np.asarray(_EXEC_TITLES, dtype=object)[rng.integers(0, len(_EXEC_TITLES), len(account))],
    )
    table = pd.DataFrame(
        {
            "contact_id": _ids("C", len(account), 5),
            "account_id": account_ids[account],
            "name": names,
            "role": np.where(is_user, "user", "executive"),
            "title": title,
            "strength": np.asarray(_STRENGTHS)[level],
        }
    )
    group = 2 * account + is_user
    weight = 1.0 + level
    total = np.bincount(group, weights=weight, minlength=2 * n)
    cum = np.cumsum(weight)
    before = np.concatenate([[0.0], np.cumsum(total)])[group]
    key = group + (cum - before) / total[group]
    return _Contacts(table=table, account=account, is_user=is_user, key=key)


def _activities_table(
    rng: np.random.Generator, book: _Book, contacts: _Contacts, account_ids: np.ndarray
) -> pd.DataFrame:
    """CSM touches: routine ones each paying month, and executive meetings before renewals."""
    cal = book.cal
    ii, tt = np.nonzero(book.seats > 0)
    rate = (
        book.profile("activities")[ii]
        * book.engagement[ii]
        * np.where(book.declining[ii, tt], 0.7, 1.0)
    )
    count = rng.poisson(rate)
    acc, month = np.repeat(ii, count), np.repeat(tt, count)
    day = cal.random_day(rng, month)
    user = rng.random(len(acc)) >= book.profile("exec_share")[acc]
    kinds = ("email", "call", "meeting", "event")
    kind = np.where(
        user,
        _pick(rng, kinds, (0.45, 0.25, 0.25, 0.05), len(acc)),
        _pick(rng, kinds, (0.25, 0.25, 0.45, 0.05), len(acc)),
    )

    # renewal preparation: an executive meeting or call 3 to 45 days before the renewal
    ev = book.renewal_events
    prep = rng.random(len(ev)) < book.profile("renewal_prep")[ev[:, 0]]
    ev = ev[prep]
    renewal = cal.starts[ev[:, 1]] + (ev[:, 2] - 1).astype("timedelta64[D]")
    prep_day = renewal - rng.integers(3, 46, size=len(ev)).astype("timedelta64[D]")
    prep_month = cal.month_of(prep_day)
    ok = (prep_day <= cal.as_of) & (prep_month >= 0)
    ok[ok] &= book.seats[ev[ok, 0], prep_month[ok]] > 0
    acc = np.concatenate([acc, ev[ok, 0]])
    day = np.concatenate([day, prep_day[ok]])
    user = np.concatenate([user, np.zeros(ok.sum(), dtype=bool)])
    kind = np.concatenate([kind, _pick(rng, ("call", "meeting"), (0.3, 0.7), int(ok.sum()))])
    contact = contacts.pick(rng, acc, user)
    frame = pd.DataFrame(
        {
            "account_id": account_ids[acc],
            "occurred_on": _iso(day),
            "kind": kind,
            "contact_id": contacts.table["contact_id"].to_numpy()[contact],
        }
    ).sort_values(["occurred_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "activity_id", _ids("V", len(frame), 6))
    return frame


def _nps_table(
    rng: np.random.Generator, book: _Book, contacts: _Contacts, account_ids: np.ndarray
) -> pd.DataFrame:
    """Relationship NPS: a survey wave each March and September to paying accounts."""
    cal = book.cal
    month_of_year = np.array([int(label[5:]) for label in cal.labels])
    waves = np.nonzero(np.isin(month_of_year, _SURVEY_MONTHS))[0]
    n_contacts = len(contacts.account)
    group_start = np.searchsorted(contacts.account, np.arange(book.n))
    parts = []
    for t in waves:
        wanted = rng.poisson(book.profile("nps_responses"))
        order = np.lexsort((rng.random(n_contacts), contacts.account))
        rank = np.empty(n_contacts, dtype=np.int64)
        rank[order] = np.arange(n_contacts) - group_start[contacts.account[order]]
        paying = book.seats[contacts.account, t] > 0
        who = np.nonzero(paying & (rank < wanted[contacts.account]))[0]
        acc = contacts.account[who]
        sent = cal.starts[t] + np.timedelta64(_SURVEY_DAY - 1, "D")
        lag = np.minimum(np.floor(rng.exponential(5.0, len(who))), 27).astype(np.int64)
        day = sent + lag.astype("timedelta64[D]")
        mean = (
            8.2
            + 1.2 * book.health[acc]
            + 0.3 * ~contacts.is_user[who]
            - 1.5 * book.declining[acc, t]
        )
        score = np.clip(np.round(mean + 1.5 * rng.standard_normal(len(who))), 0, 10)
        parts.append(pd.DataFrame({"acc": acc, "day": day, "score": score, "contact": who}))
    resp = pd.concat(parts, ignore_index=True)
    resp = resp[resp["day"].to_numpy() <= cal.as_of]
    m = len(resp)
    score = resp["score"].to_numpy().astype(np.int64)
    band = np.where(score >= 9, "promoter", np.where(score >= 7, "passive", "detractor"))
    pick = rng.integers(0, 1000, size=m)
    comment = [_COMMENTS[b][k % len(_COMMENTS[b])] for b, k in zip(band, pick, strict=True)]
    comment = np.where(rng.random(m) < 0.45, None, np.asarray(comment, dtype=object))
    contact_id = contacts.table["contact_id"].to_numpy()[resp["contact"].to_numpy()]
    contact_id = np.where(rng.random(m) < 0.1, None, contact_id)  # anonymous answers
    frame = pd.DataFrame(
        {
            "account_id": account_ids[resp["acc"].to_numpy()],
            "responded_on": _iso(resp["day"].to_numpy()),
            "score": score,
            "contact_id": contact_id,
            "comment": comment,
        }
    ).sort_values(["responded_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "response_id", _ids("R", len(frame), 5))
    return frame


def _tickets_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """Support tickets, their resolution, and the CSAT/CES answers some of them got.

    CES is the 1-7 agreement with "the company made it easy to handle my
    issue" (CES 2.0), so 7 is best.
    """
    cal = book.cal
    ii, tt = np.nonzero(book.seats > 0)
    rate = book.profile("tickets")[ii] * np.exp(-0.25 * book.health[ii])
    count = rng.poisson(rate)
    acc, month = np.repeat(ii, count), np.repeat(tt, count)
    m = len(acc)
    opened = cal.random_day(rng, month)
    prio = rng.choice(len(_PRIORITIES), size=m, p=_PRIORITY_P)
    days = np.floor(np.asarray(_RESOLUTION_DAYS)[prio] * np.exp(0.8 * rng.standard_normal(m)))
    closed = opened + days.astype(np.int64).astype("timedelta64[D]")
    is_open = closed > cal.as_of
    slow = days > 2 * np.asarray(_RESOLUTION_DAYS)[prio]
    h = book.health[acc]
    csat = np.clip(np.round(4.2 + 0.5 * h - 0.6 * slow + 0.9 * rng.standard_normal(m)), 1, 5)
    ces = np.clip(np.round(5.4 + 0.5 * h - 0.8 * slow + 1.1 * rng.standard_normal(m)), 1, 7)
    csat_answered = (rng.random(m) < 0.35) & ~is_open
    ces_answered = (rng.random(m) < 0.25) & ~is_open
    frame = pd.DataFrame(
        {
            "account_id": account_ids[acc],
            "opened_on": _iso(opened),
            "closed_on": np.where(is_open, None, _iso(closed).astype(object)),
            "priority": np.asarray(_PRIORITIES, dtype=object)[prio],
            "csat": pd.array(np.where(csat_answered, csat, np.nan), dtype="Int64"),
            "ces": pd.array(np.where(ces_answered, ces, np.nan), dtype="Int64"),
        }
    ).sort_values(["opened_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "ticket_id", _ids("T", len(frame), 5))
    return frame


def _goals_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """Success-plan goals: a few per account, past ones achieved or missed, open ones tracked."""
    cal = book.cal
    paying = book.seats > 0
    first_day, end_day = cal.starts[0], cal.as_of
    rows = []
    for i in range(book.n):
        months = np.nonzero(paying[i])[0]
        lo = cal.starts[months[0]] if months[0] > 0 else first_day - np.timedelta64(120, "D")
        hi = cal.starts[months[-1] + 1] - np.timedelta64(1, "D")
        still = paying[i, -1]
        if still:
            lo = max(lo, end_day - np.timedelta64(450, "D"))
            k = rng.poisson(_SEGMENTS[book.segment[i]].goals)
        else:
            k = rng.poisson(0.6 * _SEGMENTS[book.segment[i]].goals)
        span = int((hi - lo).astype(np.int64))
        if k == 0 or span < (60 if still else 150):
            continue
        templates = rng.choice(len(_GOALS), size=min(k, len(_GOALS)), replace=False)
        for g in templates:
            title, metric, (b_lo, b_hi), direction, (c_lo, c_hi), dec = _GOALS[g]
            if still:
                created = lo + np.timedelta64(int(rng.integers(0, span - 30)), "D")
                due = created + np.timedelta64(int(rng.integers(90, 421)), "D")
            else:
                created = lo + np.timedelta64(int(rng.integers(0, span - 120)), "D")
                due = created + np.timedelta64(int(rng.integers(90, 366)), "D")
                due = min(due, hi)
            baseline = round(rng.uniform(b_lo, b_hi), dec)
            change = rng.uniform(c_lo, c_hi)
            target = round(baseline * change if direction == "down" else baseline + change, dec)
            # quality: the share of the target the account reaches by the due date
            quality = 1.0 + 0.25 * book.health[i] + 0.25 * rng.standard_normal()
            elapsed = float((end_day - created) / (due - created))
            if due <= end_day:
                status = "achieved" if quality >= 1.0 else "missed"
                progress = max(quality, 0.0) if quality >= 1.0 else min(max(quality, 0.0), 0.95)
            else:
                progress = max(elapsed * quality, 0.0)
                if progress >= 1.0:
                    status = "achieved"
                elif elapsed < 0.25 and quality < 0.95:
                    status, progress = "not_started", 0.0
                else:
                    status = "on_track" if quality >= 0.9 else "at_risk"
                    progress = min(progress, 0.95)
            progress = min(progress, 1.15)
            current = round(baseline + progress * (target - baseline), dec)
            reached = current <= target if direction == "down" else current >= target
            if reached and status != "achieved":  # rounding must not fake success
                step = 10.0**-dec
                current = round(target + step if direction == "down" else target - step, dec)
            rows.append((account_ids[i], title, due, status, metric, baseline, target, current))
    frame = pd.DataFrame(
        rows,
        columns=["account_id", "title", "due", "status", "metric", "baseline", "target", "current"],
    )
    frame.insert(2, "due_on", _iso(frame.pop("due").to_numpy(dtype="datetime64[D]")))
    for col in ("baseline", "target", "current"):
        frame[col] = frame[col].astype(np.float64)
    frame = frame.sort_values(["due_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "goal_id", _ids("G", len(frame), 4))
    return frame


def _advocacy_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """Referrals, reference calls, case studies and reviews from happy paying accounts."""
    cal = book.cal
    ii, tt = np.nonzero(book.seats > 0)
    size = np.array([1.6, 1.0, 0.7])[book.segment[ii]]
    rate = 0.008 * size * np.exp(1.1 * book.health[ii]) * ~book.declining[ii, tt]
    count = rng.poisson(rate)
    acc, month = np.repeat(ii, count), np.repeat(tt, count)
    day = cal.random_day(rng, month)
    kind_p = np.array(
        [[0.25, 0.40, 0.20, 0.15], [0.30, 0.35, 0.10, 0.25], [0.35, 0.10, 0.05, 0.50]]
    )[book.segment[acc]]
    kind = (rng.random(len(acc))[:, None] > np.cumsum(kind_p, axis=1)).sum(axis=1)
    frame = pd.DataFrame(
        {
            "account_id": account_ids[acc],
            "occurred_on": _iso(day),
            "kind": np.asarray(_ADVOCACY_KINDS, dtype=object)[kind],
        }
    ).sort_values(["occurred_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "event_id", _ids("E", len(frame), 4))
    return frame


# --------------------------------------------------------------------------- public API


def generate(
    *,
    seed: int = SAMPLE_SEED,
    n_accounts: int = 400,
    n_months: int = 36,
    last_month: str = LAST_MONTH,
) -> dict[str, pd.DataFrame]:
    """Generate the sample company's tables.

    The frames hold exactly what :func:`write` puts in the CSV files: months as
    ``YYYY-MM`` strings, dates as ``YYYY-MM-DD`` strings (``None`` when empty),
    MRR and goal values as floats, counts and scores as integers (nullable
    ``Int64`` for the optional CSAT and CES answers). Load the files with the
    data layer to get typed columns.

    Parameters
    ----------
    seed : int, default SAMPLE_SEED
        Seed of every random draw; the same arguments always give the same tables.
    n_accounts : int, default 400
        Number of customer accounts, from 1 to 2,808 (the number of distinct
        invented company names); every account pays in at least one month.
    n_months : int, default 36
        Number of months of MRR history (at least 13, so that a year-over-year
        comparison exists).
    last_month : str, default "2026-10"
        The last month with data, ``YYYY-MM``; the data are as of its last day.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per table, keyed and ordered as :data:`TABLES`, with columns
        as in :data:`COLUMNS`.

    Raises
    ------
    ParameterError
        If an argument is out of range or ``last_month`` is not ``YYYY-MM``.

    Examples
    --------
    >>> tables = generate(n_accounts=40, n_months=24)
    >>> tables["mrr"]["month"].nunique()
    24
    >>> tables["accounts"]["account_id"].is_unique
    True
    """
    max_accounts = len(_STEMS) * sum(len(v) for v in _INDUSTRIES.values())
    if not isinstance(n_accounts, int | np.integer) or not 1 <= n_accounts <= max_accounts:
        raise ParameterError(
            f"`n_accounts` must be an integer from 1 to {max_accounts}, got {n_accounts!r}."
        )
    if not isinstance(n_months, int | np.integer) or n_months < 13:
        raise ParameterError(
            f"`n_months` must be an integer of at least 13 (one year and a month), "
            f"got {n_months!r}."
        )
    if not isinstance(last_month, str) or not _MONTH_RE.match(last_month):
        raise ParameterError(
            f"`last_month` must look like 2026-10 (YYYY-MM), got {last_month!r}. "
            "Pass the last month with data."
        )
    cal = _Calendar.make(last_month, int(n_months))
    book = _simulate_book(int(seed), int(n_accounts), cal)
    accounts = _accounts_table(_rng(seed, "accounts"), book)
    account_ids = accounts["account_id"].to_numpy()
    contacts = _contacts_table(_rng(seed, "contacts"), book, account_ids)
    tables = {
        "accounts": accounts,
        "mrr": _mrr_table(book, account_ids),
        "usage": _usage_table(book, account_ids),
        "nps": _nps_table(_rng(seed, "nps"), book, contacts, account_ids),
        "tickets": _tickets_table(_rng(seed, "tickets"), book, account_ids),
        "contacts": contacts.table,
        "activities": _activities_table(_rng(seed, "activities"), book, contacts, account_ids),
        "goals": _goals_table(_rng(seed, "goals"), book, account_ids),
        "advocacy": _advocacy_table(_rng(seed, "advocacy"), book, account_ids),
    }
    return {name: tables[name].loc[:, list(COLUMNS[name])] for name in TABLES}


def write(dest: str | Path, *, seed: int = SAMPLE_SEED, n_accounts: int = 400) -> list[Path]:
    """Write the sample company as one CSV file per table into ``dest``.

    Files are UTF-8 with Unix line ends, a header row, no index column and
    floats with two decimals, so the same arguments give byte-identical files.

    Parameters
    ----------
    dest : str or pathlib.Path
        Folder to write into; created if missing. Existing files of the same
        names are overwritten, other files are left alone.
    seed : int, default SAMPLE_SEED
        Seed passed to :func:`generate`.
    n_accounts : int, default 400
        Number of accounts passed to :func:`generate`.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`TABLES` (``accounts.csv`` first).

    Raises
    ------
    ParameterError
        If :func:`generate` rejects an argument.

    Examples
    --------
    >>> paths = write("data/sample")  # doctest: +SKIP
    >>> [p.name for p in paths][:2]  # doctest: +SKIP
    ['accounts.csv', 'mrr.csv']
    """
    tables = generate(seed=seed, n_accounts=n_accounts)
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, float_format="%.2f", lineterminator="\n", encoding="utf-8")
        paths.append(path)
    return paths


@functools.cache
def sample_dataset() -> Dataset:
    """The sample company, validated, as ``data="sample"`` names it.

    Read from the committed ``data/sample`` folder beside the package when cslib
    runs from the project's checkout (the files :func:`write` makes; a test
    checks they are the same bytes, so the data's fingerprint matches the
    folder's); an installed copy generates the same company in memory.
    """
    from cslib.data.load import from_frames, load

    folder = Path(__file__).resolve().parents[2] / "data" / "sample"
    if (folder / "accounts.csv").is_file():
        return load(folder)
    return from_frames(generate(), source="sample (generated)")
