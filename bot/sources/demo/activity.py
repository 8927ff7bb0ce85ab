"""Daily numbers for a block of accounts: the risk matrix and product usage.

Works on ``accounts × days`` matrices so 20,000 accounts × 180 days is a few
vectorised passes per block, never a Python loop per day. A block is small enough
(a few hundred thousand cells) that memory stays flat however large the world is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from bot.sources.demo.world import World

TOTAL_FEATURES = 30
ONBOARDING_DAYS = 60
WEEKDAY_FACTOR = np.array([1.0, 1.06, 1.05, 1.0, 0.86, 0.2, 0.14])  # Monday first


@dataclass
class BlockActivity:
    """One block of accounts: ``index`` into the world, and ``(n, days)`` matrices."""

    index: np.ndarray
    risk: np.ndarray  # hidden risk 0..1 each day
    customer: np.ndarray  # bool: the account is a customer that day (since ≤ day < churn)
    event_days: np.ndarray  # customer days before the end date: when timestamped events happen
    utilisation: np.ndarray  # active users / seats, before daily noise
    usage_rows: np.ndarray  # bool: a usage_daily row exists (all of them when dense)
    active_users: np.ndarray
    logins: np.ndarray
    events: np.ndarray
    features_used: np.ndarray
    session_minutes: np.ndarray


def calendar_factors(start: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """(weekday index, activity factor) per window day; year-end holidays are quiet."""
    dates = [start + timedelta(days=d) for d in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    factor = WEEKDAY_FACTOR[weekday].copy()
    holiday = np.array(
        [(d.month == 12 and d.day >= 24) or (d.month == 1 and d.day == 1) for d in dates]
    )
    factor[holiday] *= 0.45
    return weekday, factor


def episode_ramp(world: World, index: np.ndarray, days: int) -> np.ndarray:
    """0 before an episode, rising to 1 at its peak, then recovering if it does.

    The rise is front-loaded (1 - (1 - x)^2): trouble shows soon after it starts and then
    deepens, so an account that will leave in three months already looks worse today.
    """
    t = np.arange(days, dtype=np.float64)[None, :]
    onset = world.onset_day[index].astype(np.float64)[:, None]
    peak = world.peak_day[index].astype(np.float64)[:, None]
    recover = world.recover_days[index].astype(np.float64)[:, None]
    progress = np.clip((t - onset) / np.maximum(peak - onset, 1.0), 0.0, 1.0)
    rising = 1.0 - (1.0 - progress) ** 2
    falling = np.clip(1.0 - (t - peak) / np.maximum(recover, 1.0), 0.0, 1.0)
    return np.where(t <= peak, rising, falling)


def block_activity(
    world: World, index: np.ndarray, rng: np.random.Generator, day_factor: np.ndarray
) -> BlockActivity:
    days = world.config.days
    n = index.size
    t = np.arange(days, dtype=np.float64)[None, :]
    ramp = episode_ramp(world, index, days)
    base = world.base_risk[index][:, None]
    risk = np.clip(base + (world.peak_risk[index][:, None] - base) * ramp, 0.0, 1.0)

    since = world.since_day[index][:, None]
    churn = world.churn_day[index][:, None]
    customer = (t >= since) & (t < churn)
    reporting = customer & world.has_usage[index][:, None]
    usage_rows = np.ones_like(reporting) if world.config.dense_usage else reporting
    # Tickets, answers and meetings stop at the end date's midnight, so a demo made
    # today never holds a time-stamp in the future.
    event_days = customer.copy()
    event_days[:, -1] = False

    onboarding = np.clip(0.15 + 0.85 * (t - since) / ONBOARDING_DAYS, 0.0, 1.0)
    growth = np.exp(world.growth[index][:, None] * t / 365.0)
    decline = 1.0 - world.usage_depth[index][:, None] * ramp**1.3
    utilisation = np.clip(world.base_util[index][:, None] * growth * onboarding * decline, 0.0, 1.2)

    noise = rng.lognormal(0.0, 0.12, size=(n, days))
    seats = world.seats[index][:, None].astype(np.float64)
    expected_users = seats * utilisation * day_factor[None, :] * noise
    active_users = rng.poisson(expected_users * reporting)
    logins = rng.poisson(active_users * world.logins_per_user[index][:, None] * (1.0 - 0.35 * ramp))
    events = rng.poisson(
        active_users
        * world.events_per_user[index][:, None]
        * (1.0 - 0.3 * ramp)
        * rng.lognormal(0.0, 0.1, size=(n, days))
    )
    breadth = np.clip(
        world.breadth[index][:, None]
        * np.exp(0.5 * world.growth[index][:, None] * t / 365.0)
        * np.sqrt(onboarding)
        * (1.0 - 0.5 * ramp),
        0.03,
        0.97,
    )
    features = rng.binomial(TOTAL_FEATURES, breadth)
    features = np.where(active_users > 0, np.minimum(features, 4 * active_users + 1), 0)
    minutes = np.round(
        logins * world.minutes_per_login[index][:, None] * rng.lognormal(0.0, 0.1, size=(n, days)),
        1,
    )
    return BlockActivity(
        index=index,
        risk=risk,
        customer=customer,
        event_days=event_days,
        utilisation=utilisation,
        usage_rows=usage_rows,
        active_users=active_users,
        logins=logins,
        events=events,
        features_used=features,
        session_minutes=minutes,
    )
