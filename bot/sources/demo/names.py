"""Who lives in the demo world: the CS team, the well-known demo accounts, and name banks.

The fixed accounts carry stories the README and the demos rely on ("how is Globex
doing?"), so their names, owners and plots live here as data rather than being
buried in the generator. Generated company names are built from word lists so that
20,000 accounts still read like real customers and never collide with a fixed name;
the word and people lists themselves are package data (``data/names.json``).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from bot.sources.demo.banks import bank


# --------------------------------------------------------------------------- CS team
@dataclass(frozen=True)
class CsmSeed:
    csm_id: str
    name: str
    slack_user_id: str
    role: str  # csm | manager | admin
    team: str
    manager_id: str | None = None

    @property
    def email(self) -> str:
        return self.name.lower().replace(" ", ".") + "@csbot-demo.example.com"


ENTERPRISE_TEAM = "Enterprise"
COMMERCIAL_TEAM = "Commercial"

CSM_ROSTER: tuple[CsmSeed, ...] = (
    CsmSeed("csm-01", "Maya Patel", "U0CSM0001", "csm", ENTERPRISE_TEAM, "csm-09"),
    CsmSeed("csm-02", "Jordan Lee", "U0CSM0002", "csm", ENTERPRISE_TEAM, "csm-09"),
    CsmSeed("csm-03", "Priya Raman", "U0CSM0003", "csm", ENTERPRISE_TEAM, "csm-09"),
    CsmSeed("csm-04", "Diego Alvarez", "U0CSM0004", "csm", ENTERPRISE_TEAM, "csm-09"),
    CsmSeed("csm-05", "Hannah Okafor", "U0CSM0005", "csm", COMMERCIAL_TEAM, "csm-10"),
    CsmSeed("csm-06", "Tom Becker", "U0CSM0006", "csm", COMMERCIAL_TEAM, "csm-10"),
    CsmSeed("csm-07", "Aisha Khan", "U0CSM0007", "csm", COMMERCIAL_TEAM, "csm-10"),
    CsmSeed("csm-08", "Lucas Moreau", "U0CSM0008", "csm", COMMERCIAL_TEAM, "csm-10"),
    CsmSeed("csm-09", "Rachel Kim", "U0CSM0009", "manager", ENTERPRISE_TEAM),
    CsmSeed("csm-10", "Marcus Johnson", "U0CSM0010", "manager", COMMERCIAL_TEAM),
    CsmSeed("csm-11", "Sam Rivera", "U0CSM0011", "admin", "CS Operations"),
)

ENTERPRISE_CSMS = tuple(
    c.csm_id for c in CSM_ROSTER if c.role == "csm" and c.team == ENTERPRISE_TEAM
)
COMMERCIAL_CSMS = tuple(
    c.csm_id for c in CSM_ROSTER if c.role == "csm" and c.team == COMMERCIAL_TEAM
)


# --------------------------------------------------------------------------- fixed accounts
@dataclass(frozen=True)
class FixedAccount:
    """A well-known demo account and the story its data must tell.

    ``story`` selects the plot in the world plan (see ``bot.sources.demo.world``):
    ``dropping`` usage falls sharply in the last 30 days and an invoice fails;
    ``renewal-soon`` middling, renewal inside 90 days; ``growing`` healthy with an
    expansion opportunity; ``competitor`` at risk, champion gone, evaluating a rival;
    ``healthy``; ``middling``; ``declining``; ``onboarding`` new customer without NPS.
    """

    name: str
    domain: str
    industry: str
    segment: str
    csm_id: str
    story: str
    renewal_in_days: int
    parent: str | None = None
    seats: int = 0  # 0 = draw from the segment's range
    prior_terms: int = 1  # renewed yearly contracts before the active one
    forced_tickets: tuple[tuple[str, int, int], ...] = field(default_factory=tuple)
    """(category, tone, days before the end date) tickets that anchor the story."""
    forced_nps: tuple[tuple[int, int], ...] = field(default_factory=tuple)
    """(score, days before the end date) survey answers that anchor the story."""


FIXED_ACCOUNTS: tuple[FixedAccount, ...] = (
    FixedAccount(
        "Acme Corp Inc",
        "acme.com",
        "Manufacturing",
        "mid-market",
        "csm-01",
        "renewal-soon",
        62,
        seats=240,
        prior_terms=3,
    ),
    FixedAccount(
        "Globex Corporation",
        "globex.com",
        "Energy",
        "enterprise",
        "csm-01",
        "dropping",
        150,
        seats=900,
        prior_terms=2,
        forced_tickets=(("performance", 2, 9), ("bug", 1, 21)),
        forced_nps=((3, 6),),
    ),
    FixedAccount(
        "Initech",
        "initech.com",
        "Software",
        "mid-market",
        "csm-01",
        "growing",
        240,
        seats=180,
        prior_terms=1,
    ),
    FixedAccount(
        "Umbrella Corporation",
        "umbrellacorp.com",
        "Biotech",
        "enterprise",
        "csm-02",
        "competitor",
        75,
        seats=1200,
        prior_terms=4,
        forced_tickets=(("competitor", 2, 12), ("cancellation", 2, 4)),
        forced_nps=((2, 20),),
    ),
    FixedAccount(
        "Stark Industries",
        "starkindustries.com",
        "Manufacturing",
        "enterprise",
        "csm-02",
        "healthy",
        300,
        seats=2500,
        prior_terms=5,
    ),
    FixedAccount(
        "Wayne Enterprises",
        "wayneenterprises.com",
        "Financial Services",
        "enterprise",
        "csm-03",
        "healthy",
        200,
        seats=1600,
        prior_terms=3,
    ),
    FixedAccount(
        "Hooli",
        "hooli.com",
        "Software",
        "mid-market",
        "csm-05",
        "declining",
        170,
        seats=260,
        prior_terms=2,
        forced_tickets=(("performance", 1, 15),),
    ),
    FixedAccount(
        "Soylent Corp",
        "soylent.com",
        "Food & Beverage",
        "smb",
        "csm-06",
        "onboarding",
        320,
        seats=35,
        prior_terms=0,
    ),
    FixedAccount(
        "Northwind Traders",
        "northwindtraders.com",
        "Wholesale",
        "mid-market",
        "csm-01",
        "healthy",
        130,
        seats=150,
        prior_terms=2,
    ),
    FixedAccount(
        "Northwind Health",
        "northwindhealth.org",
        "Healthcare",
        "mid-market",
        "csm-05",
        "middling",
        110,
        seats=210,
        prior_terms=1,
    ),
    FixedAccount(
        "Stark Industries Europe",
        "starkindustries.eu",
        "Manufacturing",
        "mid-market",
        "csm-02",
        "healthy",
        300,
        parent="Stark Industries",
        seats=300,
        prior_terms=1,
    ),
)

FIXED_NAMES = frozenset(a.name for a in FIXED_ACCOUNTS)


# --------------------------------------------------------------------------- company names
_NAMES = bank("names")
_PREFIXES: tuple[str, ...] = _NAMES["prefixes"]
_SUFFIXES: tuple[str, ...] = _NAMES["suffixes"]
_PLACES: tuple[str, ...] = _NAMES["places"]
_SURNAMES_FOR_FIRMS: tuple[str, ...] = _NAMES["surnames_for_firms"]
# industry → words that make a company in it sound right
_INDUSTRY_WORDS: dict[str, tuple[str, ...]] = _NAMES["industry_words"]
INDUSTRIES: tuple[str, ...] = tuple(_INDUSTRY_WORDS)
_LEGAL: tuple[str, ...] = _NAMES["legal"]
_REGIONS: tuple[str, ...] = _NAMES["regions"]


def slugify(text: str) -> str:
    """Lower-case ASCII letters and digits only ("Müller & Sons" → "mullersons")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())


class CompanyNamer:
    """Deterministic unique company names and domains (given one ``random.Random``).

    Several name shapes ("Brightwave Logistics", "Lakeside Health Partners",
    "Harper & Vaughn Consulting", "Quillforge Inc") keep a large book from looking
    machine-made; a name or domain already taken is never handed out twice.
    """

    def __init__(self, rnd: random.Random, taken_names: frozenset[str] = FIXED_NAMES) -> None:
        self._rnd = rnd
        self._names: set[str] = set(taken_names)
        self._cores: set[str] = {slugify(n) for n in taken_names}
        self._domains: set[str] = set()
        # fixed names' first words must not start generated names (keeps "Globex" unique)
        self._reserved_first_words = {n.split()[0].lower() for n in taken_names}

    def company(self, industry: str) -> tuple[str, str]:
        """A fresh (name, domain) that fits the industry."""
        rnd = self._rnd
        for _ in range(1000):
            words = _INDUSTRY_WORDS[industry]
            shape = rnd.random()
            if shape < 0.45:
                core = rnd.choice(_PREFIXES) + rnd.choice(_SUFFIXES)
                name = f"{core} {rnd.choice(words)}"
            elif shape < 0.65:
                core = rnd.choice(_PLACES)
                name = f"{core} {rnd.choice(words)}"
            elif shape < 0.75 and industry in (
                "Professional Services",
                "Financial Services",
                "Insurance",
                "Real Estate",
            ):
                first, second = rnd.sample(_SURNAMES_FOR_FIRMS, 2)
                core = f"{first}{second}"
                name = f"{first} & {second} {rnd.choice(words)}"
            else:
                core = rnd.choice(_PREFIXES) + rnd.choice(_SUFFIXES)
                name = f"{core} {rnd.choice(_LEGAL)}"
            if rnd.random() < 0.2 and not name.endswith(_LEGAL):
                name = f"{name} {rnd.choice(_LEGAL)}"
            if name.split()[0].lower() in self._reserved_first_words:
                continue
            if name in self._names or slugify(name) in self._cores:
                continue
            self._names.add(name)
            self._cores.add(slugify(name))
            return name, self._domain(core)
        raise RuntimeError("ran out of company names")  # pragma: no cover - 100k+ combinations

    def subsidiary(self, parent_name: str, parent_domain: str) -> tuple[str, str]:
        """A regional arm of a parent account, e.g. "Brightwave Logistics EMEA"."""
        for region in self._rnd.sample(_REGIONS, len(_REGIONS)):
            name = f"{parent_name} {region}"
            if name not in self._names:
                self._names.add(name)
                stem = parent_domain.rsplit(".", 1)[0]
                return name, self._domain(f"{stem}-{region}")
        name, domain = self.company("Professional Services")  # pragma: no cover
        return name, domain  # pragma: no cover

    def _domain(self, core: str) -> str:
        stem = slugify(core)
        for tld in (".com", ".io", ".co", ".net"):
            domain = stem + tld
            if domain not in self._domains:
                self._domains.add(domain)
                return domain
        number = 2
        while f"{stem}{number}.com" in self._domains:
            number += 1
        self._domains.add(f"{stem}{number}.com")
        return f"{stem}{number}.com"


# --------------------------------------------------------------------------- people
FIRST_NAMES: tuple[str, ...] = _NAMES["first_names"]
LAST_NAMES: tuple[str, ...] = _NAMES["last_names"]
CHAMPION_TITLES: tuple[str, ...] = _NAMES["champion_titles"]
DECISION_MAKER_TITLES: tuple[str, ...] = _NAMES["decision_maker_titles"]
USER_TITLES: tuple[str, ...] = _NAMES["user_titles"]


def person_email(first: str, last: str, domain: str) -> str:
    return f"{slugify(first)}.{slugify(last)}@{domain}"
