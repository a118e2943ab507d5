"""The sample company's vocabulary and shape: segments, names, titles, goals, rates."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    "churn_events",
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
    "tickets": ("ticket_id", "account_id", "opened_on", "closed_on", "priority", "category",
                "csat", "ces"),
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
    "churn_events": ("event_id", "account_id", "occurred_on", "kind", "reason"),
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
    "ticket_categories": 11,
    "churn_events": 12,
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
# What tickets are about; healthy accounts ask how-to questions, struggling ones
# hit integrations and performance (weights at health -1 and +1, interpolated).
_CATEGORIES = ("how-to question", "integrations", "reporting", "workflow automation",
               "login and access", "performance", "billing")
_CATEGORY_P_LOW = (0.10, 0.30, 0.12, 0.10, 0.10, 0.20, 0.08)
_CATEGORY_P_HIGH = (0.36, 0.12, 0.18, 0.16, 0.08, 0.04, 0.06)
_ADVOCACY_KINDS = ("referral", "reference_call", "case_study", "review")
_SURVEY_MONTHS = (3, 9)  # relationship NPS waves go out in March and September
_SURVEY_DAY = 10


# --------------------------------------------------------------------------- helpers


