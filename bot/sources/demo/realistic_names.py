"""A second generated world whose names look like a real CRM's: for resolution tests and benches.

The demo's names were tuned alongside the resolver; this world was not. It has
legal names with suffixes ("Atlas Insurance Corp", "Nimbus Retail GmbH"), stems
shared by several companies ("Summit Health", "Summit Logistics"), industry words
inside names, short names shared by two legal entities in different books
("Zephyr Biotech Group" and "Zephyr Biotech Co"), CRM-style ids ("ACC-7731") and
domains, over two teams of CSMs with a manager each and one admin.

Deterministic for a seed, and written as a contract folder (``csms.csv``,
``accounts.csv``) so it enters the store through the real importer
(``csbot import``), exactly like customer data.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

STEMS = [
    "Atlas",
    "Zephyr",
    "Summit",
    "Apex",
    "Beacon",
    "Cedar",
    "Harbor",
    "Ironwood",
    "Lumen",
    "Nova",
    "Orion",
    "Pioneer",
    "Quantum",
    "Redwood",
    "Sierra",
    "Titan",
    "Vertex",
    "Aurora",
    "Bluewater",
    "Cobalt",
    "Crestline",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Horizon",
    "Keystone",
    "Landmark",
    "Meridian",
    "Northstar",
    "Oakridge",
    "Pinnacle",
    "Riverbend",
    "Sterling",
    "Trident",
    "Unity",
    "Vanguard",
    "Willow",
    "Yellowstone",
    "Zenith",
    "Alder",
    "Brightpath",
    "Cascade",
    "Driftwood",
    "Ember",
    "Foxglove",
    "Glacier",
    "Highland",
    "Inland",
    "Juniper",
    "Kestrel",
    "Lakeside",
    "Magnolia",
    "Nimbus",
    "Onyx",
    "Pacific",
    "Quarry",
    "Ridgeway",
    "Silverline",
    "Tidewater",
    "Upland",
    "Valor",
    "Westbrook",
    "Amber",
    "Boulder",
    "Canyon",
    "Dune",
    "Elmstead",
    "Fairview",
    "Goldleaf",
    "Hawthorne",
    "Ivory",
    "Jetstream",
    "Kingsley",
    "Lighthouse",
    "Monarch",
    "Newport",
    "Obsidian",
    "Prairie",
    "Radiant",
    "Seaside",
    "Timber",
    "Urban",
    "Vista",
    "Wavecrest",
    "Crescent",
    "Sapphire",
    "Polaris",
    "Copperfield",
    "Bridgewater",
    "Clearwater",
    "Stonegate",
    "Maplewood",
    "Ashford",
    "Bayview",
    "Brookfield",
    "Coral",
    "Eastgate",
    "Frontier",
    "Greystone",
    "Hillcrest",
    "Lakeshore",
    "Millbrook",
    "Northgate",
    "Parkside",
    "Rosewood",
    "Southbank",
    "Thornbury",
    "Wildflower",
    "Windmill",
    "Arbor",
    "Bristol",
    "Camden",
    "Dover",
    "Everest",
    "Fulton",
    "Garnet",
    "Hudson",
    "Jasper",
    "Kepler",
    "Lincoln",
    "Marlow",
    "Nash",
    "Oxford",
    "Preston",
    "Quincy",
    "Raleigh",
    "Salem",
    "Tahoe",
    "Ventura",
    "Wexford",
]
INDUSTRIES = [
    "Insurance",
    "Biotech",
    "Health",
    "Logistics",
    "Capital",
    "Energy",
    "Foods",
    "Retail",
    "Systems",
    "Labs",
    "Software",
    "Bank",
    "Media",
    "Analytics",
    "Pharma",
    "Motors",
    "Robotics",
    "Freight",
    "Realty",
    "Telecom",
    "Networks",
    "Hospitality",
    "Consulting",
    "Manufacturing",
    "Security",
    "Education",
    "Airlines",
    "Solar",
    "Medical",
    "Financial",
]
SUFFIXES = ["Inc", "Corp", "Co", "LLC", "Ltd", "GmbH", "Group", "Holdings", "PLC", "SA", "AG"]
FIRST = [
    "Priya",
    "Maya",
    "Liam",
    "Noah",
    "Olivia",
    "Ethan",
    "Sofia",
    "Lucas",
    "Amara",
    "Kenji",
    "Ingrid",
    "Mateo",
    "Zara",
    "Tomas",
    "Leila",
]
LAST = [
    "Patel",
    "Chen",
    "Okafor",
    "Novak",
    "Rossi",
    "Tanaka",
    "Silva",
    "Haddad",
    "Berg",
    "Murphy",
    "Costa",
    "Lindqvist",
    "Moreau",
    "Kowalski",
    "Reyes",
]
# Pinned so the examples are always in the world, with these owners
# (CSM index): the two Zephyr Biotech entities sit in different books.
PINNED = [
    ("Atlas Insurance Corp", 0),
    ("Zephyr Biotech Group", 0),
    ("Zephyr Biotech Co", 6),
    ("Summit Health", 1),
    ("Summit Logistics", 7),
]
SEGMENTS = ["enterprise", "mid-market", "smb"]
MAX_ACCOUNTS = 2_000  # distinct stem × industry names run out beyond this


@dataclass(frozen=True, slots=True)
class Person:
    csm_id: str
    name: str
    email: str
    slack_user_id: str
    role: str
    manager_id: str | None
    team: str


@dataclass(frozen=True, slots=True)
class Company:
    account_id: str
    name: str
    domain: str
    csm_id: str
    industry: str
    segment: str
    arr: int


@dataclass(frozen=True, slots=True)
class RealisticWorld:
    people: list[Person]
    companies: list[Company] = field(default_factory=list)

    @property
    def csms(self) -> list[Person]:
        return [p for p in self.people if p.role == "csm"]

    def person(self, csm_id: str) -> Person:
        return next(p for p in self.people if p.csm_id == csm_id)


def _people(rng: random.Random, csms_per_team: int) -> list[Person]:
    names = [f"{f} {ln}" for f, ln in zip(FIRST, rng.sample(LAST, len(LAST)), strict=False)]
    people = [
        Person("RW-ADMIN", "Avery Admin", "avery@rw.example", "URWADMIN", "admin", None, "Ops")
    ]
    picked = iter(names)
    csms: list[Person] = []
    for team_no, team in enumerate(("East", "West"), start=1):
        manager_name = next(picked)
        manager = Person(
            f"RW-M{team_no}",
            manager_name,
            f"{manager_name.split()[0].lower()}@rw.example",
            f"URWM{team_no:04d}",
            "manager",
            None,
            team,
        )
        people.append(manager)
        for _ in range(csms_per_team):
            name = next(picked)
            number = len(csms) + 1
            csms.append(
                Person(
                    f"RW-C{number:02d}",
                    name,
                    f"{name.split()[0].lower()}.{name.split()[1].lower()}@rw.example",
                    f"URWC{number:04d}",
                    "csm",
                    manager.csm_id,
                    team,
                )
            )
    return people + csms


def _name_variants(rng: random.Random, count: int) -> list[str]:
    """Legal names: shared stems, industry words, and shared short names (twins)."""
    names: list[str] = [name for name, _ in PINNED]
    taken_full = {n.lower() for n in names}
    taken_short = {"atlas insurance", "zephyr biotech", "summit health", "summit logistics"}
    stems = list(STEMS)
    while len(names) < count:
        stem = rng.choice(stems)
        industry = rng.choice(INDUSTRIES)
        short = f"{stem} {industry}"
        if short.lower() in taken_short:
            continue
        taken_short.add(short.lower())
        roll = rng.random()
        if roll < 0.12:  # a bare short name: "Summit Health"
            variants = [short]
        elif roll < 0.30:  # twins: one short name, two legal entities
            first, second = rng.sample(SUFFIXES, 2)
            variants = [f"{short} {first}", f"{short} {second}"]
        else:
            variants = [f"{short} {rng.choice(SUFFIXES)}"]
        for variant in variants:
            if len(names) < count and variant.lower() not in taken_full:
                names.append(variant)
                taken_full.add(variant.lower())
    return names


def build_realistic_world(
    *, accounts: int = 400, csms_per_team: int = 5, seed: int = 14
) -> RealisticWorld:
    """The world for ``seed``: the same names, ids and owners every time.

    Raises:
        ValueError: for more than :data:`MAX_ACCOUNTS` accounts (names would repeat).
    """
    if not len(PINNED) <= accounts <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be {len(PINNED)}–{MAX_ACCOUNTS}, not {accounts}")
    rng = random.Random(seed)
    people = _people(rng, csms_per_team)
    csms = [p for p in people if p.role == "csm"]
    names = _name_variants(rng, accounts)
    pinned_owner = {name: csms[index % len(csms)].csm_id for name, index in PINNED}
    ids = rng.sample(range(1000, 9999), len(names))
    companies = []
    for number, name in zip(ids, names, strict=True):
        words = name.split()
        industry = next((w for w in words if w in INDUSTRIES), "Services")
        owner = pinned_owner.get(name) or rng.choice(csms).csm_id
        companies.append(
            Company(
                account_id=f"ACC-{number}",
                name=name,
                domain="".join(w.lower() for w in words) + ".com",
                csm_id=owner,
                industry=industry,
                segment=rng.choice(SEGMENTS),
                arr=rng.randrange(8, 600) * 1_000,
            )
        )
    return RealisticWorld(people=people, companies=companies)


def write_realistic_folder(out: Path, world: RealisticWorld | None = None) -> Path:
    """Write ``world`` (the default seed's when omitted) as a contract folder at ``out``."""
    world = world or build_realistic_world()
    out.mkdir(parents=True, exist_ok=True)
    with (out / "csms.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["csm_id", "name", "email", "slack_user_id", "role", "manager_id", "team"])
        for p in world.people:
            writer.writerow(
                [p.csm_id, p.name, p.email, p.slack_user_id, p.role, p.manager_id or "", p.team]
            )
    with (out / "accounts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["account_id", "name", "domain", "industry", "segment", "arr", "csm_id", "status"]
        )
        for c in world.companies:
            writer.writerow(
                [c.account_id, c.name, c.domain, c.industry, c.segment, c.arr, c.csm_id, "active"]
            )
    return out
