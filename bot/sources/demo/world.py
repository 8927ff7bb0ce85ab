"""The demo world's plan: every account's profile, story, contracts and hidden risk curve.

Everything that is decided once per account lives here, before any daily number is
drawn. The central idea is a hidden *risk curve* per account: a base level plus an
optional episode that ramps up (loud churners over the 60–180 days before they
leave, quiet ones over 45–120, at-risk customers over the last 60–150 days and
near their peak now, a few renewed customers around a past renewal) and shapes
every observable stream at once — usage, logins, tickets and their tone, NPS,
failed payments, champion departures, customers going quiet. Signals therefore
really precede churn — most are visible a quarter ahead, which is the warning a CS
team needs — but through noise: some churners leave quietly and some renewed
customers looked bad.

Days are integers relative to the window start (day 0 = first usage day, day
``days - 1`` = the end date); contract days may lie before or after the window.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum

import numpy as np

from bot.sources.demo.names import (
    COMMERCIAL_CSMS,
    ENTERPRISE_CSMS,
    FIXED_ACCOUNTS,
    INDUSTRIES,
    CompanyNamer,
    FixedAccount,
)
from bot.sources.demo.texts import SLOTS, TextComposer

SEGMENTS = ("enterprise", "mid-market", "smb")
NO_DAY = 10**7  # "never" for episode, churn and departure days
MIN_DAYS = 30
MAX_DAYS = 1830
MAX_ACCOUNTS = 200_000
CHURN_SHARE = 0.22
YEAR = 365


class Profile(IntEnum):
    HEALTHY = 0
    MIDDLING = 1
    AT_RISK = 2  # active, showing churn signals now
    CHURNED = 3  # churned, with clear signals before
    CHURNED_QUIET = 4  # churned without much warning (acquisition, budget)


@dataclass(frozen=True)
class DemoConfig:
    """What to generate; the same config always yields byte-identical files."""

    end_date: date
    accounts: int = 300
    days: int = 365
    seed: int = 42
    dense_usage: bool = False
    """A usage row for every account and day (zeros outside the customer period): the
    fixed-size layout benchmarks need (accounts × days rows). Off, there is no row
    before a customer starts, after it churns, or for accounts without tracking."""

    def __post_init__(self) -> None:
        if not 1 <= self.accounts <= MAX_ACCOUNTS:
            raise ValueError(f"accounts must be between 1 and {MAX_ACCOUNTS}, got {self.accounts}")
        if not MIN_DAYS <= self.days <= MAX_DAYS:
            raise ValueError(f"days must be between {MIN_DAYS} and {MAX_DAYS}, got {self.days}")
        if self.seed < 0:
            raise ValueError(f"seed must not be negative, got {self.seed}")

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)


@dataclass
class ContractPlan:
    start_day: int
    end_day: int
    arr: float
    status: str  # active | renewed | churned | pending
    auto_renew: bool


@dataclass
class World:
    """Per-account arrays (index = account position) plus the per-account lists."""

    config: DemoConfig
    account_ids: list[str]
    names: list[str]
    domains: list[str]
    industries: list[str]
    segment: np.ndarray  # int index into SEGMENTS
    profile: np.ndarray
    story: list[str | None]
    parent: np.ndarray  # index of the parent account or -1
    csm_ids: list[str]
    seats: np.ndarray
    employees: np.ndarray
    arr: np.ndarray
    since_day: np.ndarray
    churn_day: np.ndarray
    churn_reason: list[str | None]
    contracts: list[list[ContractPlan]]
    # hidden risk curve
    base_risk: np.ndarray
    peak_risk: np.ndarray
    onset_day: np.ndarray
    peak_day: np.ndarray
    recover_days: np.ndarray  # NO_DAY = never recovers
    usage_depth: np.ndarray  # how far usage falls at the episode's peak
    # usage shape
    base_util: np.ndarray
    growth: np.ndarray  # log growth per year
    breadth: np.ndarray
    logins_per_user: np.ndarray
    events_per_user: np.ndarray
    minutes_per_login: np.ndarray
    # what exists for the account
    has_usage: np.ndarray
    ticket_rate: np.ndarray  # tickets per 30 days at zero risk
    has_nps: np.ndarray
    monthly_billing: np.ndarray
    champion_leave_day: np.ndarray
    competitor: list[str]
    forced_tickets: dict[int, tuple[tuple[str, int, int], ...]] = field(default_factory=dict)
    forced_nps: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.account_ids)

    @property
    def last_day(self) -> int:
        return self.config.days - 1

    def is_active(self, index: int) -> bool:
        return int(self.churn_day[index]) >= NO_DAY


def account_id(index: int) -> str:
    return f"ACC-{index + 1:05d}"


_STORY_PROFILE = {
    "dropping": Profile.AT_RISK,
    "competitor": Profile.AT_RISK,
    "renewal-soon": Profile.MIDDLING,
    "middling": Profile.MIDDLING,
    "declining": Profile.MIDDLING,
    "growing": Profile.HEALTHY,
    "healthy": Profile.HEALTHY,
    "onboarding": Profile.HEALTHY,
}


def plan_world(config: DemoConfig) -> World:
    """Decide every account's attributes, history and risk curve (vectorised where it counts)."""
    rng = np.random.default_rng([config.seed, 1])
    rnd = random.Random(config.seed * 7919 + 1)
    n = config.accounts
    last = config.days - 1
    fixed = list(FIXED_ACCOUNTS[:n])
    n_fixed = len(fixed)

    segment = rng.choice(3, size=n, p=[0.15, 0.35, 0.50])
    profile = _draw_profiles(rng, n)
    story: list[str | None] = [None] * n
    for i, spec in enumerate(fixed):
        segment[i] = SEGMENTS.index(spec.segment)
        profile[i] = _STORY_PROFILE[spec.story]
        story[i] = spec.story

    seats = _draw_seats(rng, segment)
    for i, spec in enumerate(fixed):
        if spec.seats:
            seats[i] = spec.seats
    employees = np.round(seats * rng.uniform(1.3, 4.0, n), -1).astype(np.int64) + 10
    price = np.choose(
        segment, [rng.uniform(380, 700, n), rng.uniform(320, 620, n), rng.uniform(280, 560, n)]
    )
    arr = np.maximum(np.round(seats * price, -2), 1200.0)

    churned = (profile == Profile.CHURNED) | (profile == Profile.CHURNED_QUIET)
    churn_low = min(90, config.days // 2)
    churn_day = np.where(churned, rng.integers(churn_low, last + 1, n), NO_DAY)

    # ---- the hidden risk curve ---------------------------------------------------
    base_risk = np.choose(
        profile,
        [
            rng.uniform(0.0, 0.14, n),
            rng.uniform(0.2, 0.42, n),
            rng.uniform(0.12, 0.4, n),
            rng.uniform(0.15, 0.48, n),
            rng.uniform(0.05, 0.3, n),
        ],
    )
    onset = np.full(n, NO_DAY, dtype=np.int64)
    peak = np.full(n, NO_DAY + 1, dtype=np.int64)
    recover = np.full(n, NO_DAY, dtype=np.int64)
    peak_risk = base_risk.copy()
    depth = np.zeros(n)

    at_risk = profile == Profile.AT_RISK
    onset[at_risk] = last - rng.integers(60, 151, n)[at_risk]
    peak[at_risk] = last + rng.integers(0, 21, n)[at_risk]
    peak_risk[at_risk] = rng.uniform(0.75, 1.0, n)[at_risk]
    depth[at_risk] = rng.uniform(0.5, 0.9, n)[at_risk]

    loud = profile == Profile.CHURNED
    onset[loud] = churn_day[loud] - rng.integers(60, 181, n)[loud]
    peak[loud] = churn_day[loud]
    peak_risk[loud] = rng.uniform(0.72, 1.0, n)[loud]
    depth[loud] = rng.uniform(0.5, 0.9, n)[loud]

    quiet = profile == Profile.CHURNED_QUIET
    onset[quiet] = churn_day[quiet] - rng.integers(45, 121, n)[quiet]
    peak[quiet] = churn_day[quiet]
    peak_risk[quiet] = base_risk[quiet] + rng.uniform(0.05, 0.2, n)[quiet]
    depth[quiet] = rng.uniform(0.05, 0.3, n)[quiet]

    # ---- usage shape -------------------------------------------------------------
    base_util = np.choose(
        profile,
        [
            rng.uniform(0.55, 0.85, n),
            rng.uniform(0.3, 0.55, n),
            rng.uniform(0.35, 0.65, n),
            rng.uniform(0.3, 0.65, n),
            rng.uniform(0.4, 0.75, n),
        ],
    )
    trend = rng.random(n)
    growing_share = np.choose(profile, [0.35, 0.1, 0.0, 0.03, 0.2])
    declining_share = np.choose(profile, [0.08, 0.4, 0.5, 0.45, 0.2])
    growth = np.where(
        trend < growing_share,
        rng.uniform(0.2, 0.6, n),
        np.where(
            trend < growing_share + declining_share,
            rng.uniform(-0.45, -0.15, n),
            rng.normal(0.0, 0.05, n),
        ),
    )
    breadth = np.clip(base_util * rng.uniform(0.7, 1.15, n), 0.1, 0.9)
    logins_per_user = rng.uniform(1.3, 2.6, n)
    events_per_user = rng.uniform(15.0, 60.0, n)
    minutes_per_login = rng.uniform(6.0, 22.0, n)

    # ---- what exists ---------------------------------------------------------------
    ticket_rate = np.choose(segment, [5.0, 2.4, 0.8]) * rng.lognormal(0.0, 0.45, n)
    has_usage = np.ones(n, dtype=bool)
    has_nps = np.ones(n, dtype=bool)
    generated_active = np.flatnonzero(~churned & (np.arange(n) >= n_fixed))
    generated = np.arange(n_fixed, n)
    # Scoring must cope with accounts that lack a source entirely: a few of each,
    # at least one once the book is big enough to spare it.
    for pool, share, missing in (
        (generated_active, 0.03, "usage"),
        (generated, 0.1, "nps"),
        (generated, 0.06, "tickets"),
    ):
        count = max(1 if pool.size >= 20 else 0, round(share * pool.size))
        chosen = rng.choice(pool, count, replace=False) if count else pool[:0]
        if missing == "usage":
            has_usage[chosen] = False
        elif missing == "nps":
            has_nps[chosen] = False
        else:
            ticket_rate[chosen] = 0.0
    monthly_billing = rng.random(n) < np.choose(segment, [0.15, 0.5, 0.85])

    # champion departures: common before churn, rare for healthy accounts
    leave_share = np.choose(profile, [0.03, 0.1, 0.45, 0.55, 0.1])
    leaves = rng.random(n) < leave_share
    leave_day = np.full(n, NO_DAY, dtype=np.int64)
    episode_leave = leaves & (at_risk | loud)
    leave_day[episode_leave] = (
        onset + (np.minimum(peak, last) - onset) * rng.uniform(-0.2, 0.7, n)
    ).astype(np.int64)[episode_leave]
    calm_leave = leaves & ~(at_risk | loud)
    leave_day[calm_leave] = rng.integers(0, last + 1, n)[calm_leave]
    leave_day = np.where(leaves, np.minimum(leave_day, np.minimum(churn_day - 5, last)), NO_DAY)

    # ---- names, owners, structure -------------------------------------------------
    namer = CompanyNamer(rnd)
    names: list[str] = []
    domains: list[str] = []
    industries: list[str] = []
    parent = np.full(n, -1, dtype=np.int64)
    csm_ids: list[str] = []
    competitors = SLOTS["competitor"]
    competitor = [rnd.choice(competitors) for _ in range(n)]
    for i in range(n):
        if i < n_fixed:
            spec = fixed[i]
            names.append(spec.name)
            domains.append(spec.domain)
            industries.append(spec.industry)
            csm_ids.append(spec.csm_id)
            if spec.parent is not None:
                parent[i] = next(j for j, f in enumerate(fixed) if f.name == spec.parent)
            continue
        if i > n_fixed + 10 and rnd.random() < 0.03:
            candidate = rnd.randrange(n_fixed, i)
            if parent[candidate] < 0:
                parent[i] = candidate
                name, domain = namer.subsidiary(names[candidate], domains[candidate])
                names.append(name)
                domains.append(domain)
                industries.append(industries[candidate])
                csm_ids.append(_pick_csm(rnd, int(segment[i])))
                continue
        industry = rnd.choice(INDUSTRIES)
        name, domain = namer.company(industry)
        names.append(name)
        domains.append(domain)
        industries.append(industry)
        csm_ids.append(_pick_csm(rnd, int(segment[i])))

    world = World(
        config=config,
        account_ids=[account_id(i) for i in range(n)],
        names=names,
        domains=domains,
        industries=industries,
        segment=segment,
        profile=profile,
        story=story,
        parent=parent,
        csm_ids=csm_ids,
        seats=seats,
        employees=employees,
        arr=arr,
        since_day=np.zeros(n, dtype=np.int64),
        churn_day=churn_day,
        churn_reason=[None] * n,
        contracts=[[] for _ in range(n)],
        base_risk=base_risk,
        peak_risk=peak_risk,
        onset_day=onset,
        peak_day=peak,
        recover_days=recover,
        usage_depth=depth,
        base_util=base_util,
        growth=growth,
        breadth=breadth,
        logins_per_user=logins_per_user,
        events_per_user=events_per_user,
        minutes_per_login=minutes_per_login,
        has_usage=has_usage,
        ticket_rate=ticket_rate,
        has_nps=has_nps,
        monthly_billing=monthly_billing,
        champion_leave_day=leave_day,
        competitor=competitor,
    )
    _apply_stories(world, fixed)
    _plan_contracts(world, rng, fixed)
    _plan_renewal_dips(world, rng)
    composer = TextComposer(rnd)
    for i in np.flatnonzero(world.churn_day < NO_DAY).tolist():
        world.churn_reason[i] = composer.churn_reason(
            quiet=bool(world.profile[i] == Profile.CHURNED_QUIET), competitor=world.competitor[i]
        )
    return world


def _draw_profiles(rng: np.random.Generator, n: int) -> np.ndarray:
    churned = rng.random(n) < CHURN_SHARE
    quiet = rng.random(n) < 0.15
    active_kind = rng.choice(3, size=n, p=[0.55, 0.30, 0.15])
    profile = np.where(
        churned, np.where(quiet, Profile.CHURNED_QUIET, Profile.CHURNED), active_kind
    )
    return profile.astype(np.int64)


def _draw_seats(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    n = segment.size
    enterprise = np.clip(rng.lognormal(np.log(700), 0.6, n), 150, 5000)
    mid = np.clip(rng.lognormal(np.log(120), 0.5, n), 30, 400)
    smb = np.clip(rng.lognormal(np.log(18), 0.6, n), 3, 60)
    return np.round(np.choose(segment, [enterprise, mid, smb])).astype(np.int64)


_CSM_WEIGHTS = (0.31, 0.27, 0.23, 0.19)


def _pick_csm(rnd: random.Random, segment: int) -> str:
    if segment == 0:
        pool = ENTERPRISE_CSMS
    elif segment == 2:
        pool = COMMERCIAL_CSMS
    else:
        pool = ENTERPRISE_CSMS if rnd.random() < 0.4 else COMMERCIAL_CSMS
    return rnd.choices(pool, _CSM_WEIGHTS)[0]


def _apply_stories(world: World, fixed: list[FixedAccount]) -> None:
    """Pin the fixed accounts' curves so their stories hold for any seed."""
    last = world.last_day
    for i, spec in enumerate(fixed):
        world.has_usage[i] = True
        world.has_nps[i] = spec.story != "onboarding"
        world.ticket_rate[i] = max(world.ticket_rate[i], 1.0)
        world.champion_leave_day[i] = NO_DAY
        world.onset_day[i], world.peak_day[i] = NO_DAY, NO_DAY + 1
        world.growth[i] = 0.05
        if spec.forced_tickets:
            world.forced_tickets[i] = spec.forced_tickets
        if spec.forced_nps:
            world.forced_nps[i] = spec.forced_nps
        if spec.story == "dropping":
            world.base_risk[i], world.peak_risk[i], world.usage_depth[i] = 0.1, 0.9, 0.8
            world.onset_day[i], world.peak_day[i] = last - 50, last - 3
            world.base_util[i], world.growth[i] = 0.72, 0.0
            world.monthly_billing[i] = True
        elif spec.story == "competitor":
            world.base_risk[i], world.peak_risk[i], world.usage_depth[i] = 0.25, 0.95, 0.7
            world.onset_day[i], world.peak_day[i] = last - 100, last
            world.champion_leave_day[i] = last - 50
            world.base_util[i] = 0.55
        elif spec.story == "renewal-soon":
            world.base_risk[i], world.base_util[i], world.growth[i] = 0.38, 0.36, -0.1
        elif spec.story == "middling":
            world.base_risk[i], world.base_util[i] = 0.35, 0.42
        elif spec.story == "declining":
            world.base_risk[i], world.base_util[i], world.growth[i] = 0.4, 0.58, -0.4
        elif spec.story == "growing":
            world.base_risk[i], world.base_util[i], world.growth[i] = 0.04, 0.68, 0.55
            world.breadth[i] = 0.6
        else:  # healthy, onboarding
            world.base_risk[i], world.base_util[i] = 0.05, 0.72
            world.growth[i] = 0.1
        world.peak_risk[i] = max(world.peak_risk[i], world.base_risk[i])
        if world.peak_day[i] > NO_DAY:
            world.peak_risk[i] = world.base_risk[i]


_PRIOR_TERMS = np.array([0, 1, 2, 3, 4, 5])
_PRIOR_WEIGHTS = np.array([0.3, 0.25, 0.2, 0.13, 0.08, 0.04])


def _plan_contracts(world: World, rng: np.random.Generator, fixed: list[FixedAccount]) -> None:
    """One active (or churned) contract per account, renewed ones before it.

    Active contracts end over the coming twelve months, so renewals are spread
    out; the start of the first contract is the customer's ``customer_since``.
    """
    n = world.size
    last = world.last_day
    priors = rng.choice(_PRIOR_TERMS, size=n, p=_PRIOR_WEIGHTS)
    renew_in = rng.integers(1, YEAR + 1, n)
    term_draw = rng.random(n)
    uplift = np.where(world.growth > 0.15, rng.uniform(0.08, 0.25, n), rng.uniform(0.0, 0.06, n))
    auto_renew = rng.random(n) < np.choose(world.segment, [0.15, 0.4, 0.6])
    pending = rng.random(n) < 0.3
    for i in range(n):
        years = 1
        if world.segment[i] == 0:
            years = 1 if term_draw[i] < 0.6 else (2 if term_draw[i] < 0.85 else 3)
        elif world.segment[i] == 1 and term_draw[i] < 0.15:
            years = 2
        prior = int(priors[i])
        if i < len(fixed):
            renew_in[i] = fixed[i].renewal_in_days
            prior = fixed[i].prior_terms
            years = 1
        active = world.is_active(i)
        end = last + int(renew_in[i]) if active else int(world.churn_day[i])
        start = end - years * YEAR + 1
        current_arr = float(world.arr[i])
        plans = [
            ContractPlan(
                start,
                end,
                current_arr,
                "active" if active else "churned",
                bool(auto_renew[i]) if active else False,
            )
        ]
        for k in range(1, prior + 1):
            prev_end = plans[0].start_day - 1
            prev_arr = round(current_arr / (1.0 + uplift[i]) ** k, -2)
            plans.insert(
                0,
                ContractPlan(
                    prev_end - YEAR + 1,
                    prev_end,
                    max(prev_arr, 1200.0),
                    "renewed",
                    bool(auto_renew[i]),
                ),
            )
        if (
            active
            and world.profile[i] == Profile.HEALTHY
            and renew_in[i] <= 90
            and pending[i]
            and i >= len(fixed)
        ):
            plans.append(
                ContractPlan(
                    end + 1,
                    end + YEAR,
                    round(current_arr * (1 + uplift[i]), -2),
                    "pending",
                    bool(auto_renew[i]),
                )
            )
        world.contracts[i] = plans
        world.since_day[i] = plans[0].start_day


def _plan_renewal_dips(world: World, rng: np.random.Generator) -> None:
    """Some customers who renewed looked bad around that renewal: honest noise for scoring."""
    last = world.last_day
    for i in range(world.size):
        if world.profile[i] not in (Profile.HEALTHY, Profile.MIDDLING) or world.story[i]:
            continue
        renewals = [
            c.end_day
            for c in world.contracts[i]
            if c.status == "renewed" and 60 <= c.end_day <= last - 30
        ]
        if not renewals or rng.random() >= 0.12:
            continue
        renewal = renewals[-1]
        world.onset_day[i] = renewal - int(rng.integers(30, 91))
        world.peak_day[i] = renewal
        world.recover_days[i] = int(rng.integers(30, 91))
        world.peak_risk[i] = float(rng.uniform(0.55, 0.85))
        world.usage_depth[i] = float(rng.uniform(0.3, 0.6))
