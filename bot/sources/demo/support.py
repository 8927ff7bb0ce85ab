"""Support tickets and NPS answers for a block of accounts.

How many tickets, which kinds, how angry, how fast they close and how they are
rated all follow the account's risk that day: trouble brings more tickets, more
performance/billing/cancellation themes, harsher words, lower CSAT and more
escalations. Counts and attributes are drawn as arrays; only the text is composed
per ticket.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.sources.demo.activity import BlockActivity
from bot.sources.demo.people import ContactPlan, pick_contact
from bot.sources.demo.rows import Clock, RowSink, flag
from bot.sources.demo.texts import CATEGORIES, CATEGORY_WEIGHTS, TONE_CAP, TextComposer
from bot.sources.demo.world import World

PRIORITIES = ("low", "normal", "high", "urgent")
_MEDIAN_RESOLVE_HOURS = np.array([70.0, 30.0, 14.0, 4.0])
_CALM = np.array([CATEGORY_WEIGHTS[c][0] for c in CATEGORIES])
_TROUBLE = np.array([CATEGORY_WEIGHTS[c][1] for c in CATEGORIES])
_BASE_PRIORITY = np.array([CATEGORY_WEIGHTS[c][2] for c in CATEGORIES])
_PRAISE = CATEGORIES.index("praise")
_NEW_CUSTOMER = np.array([c in ("onboarding", "how-to", "user-management") for c in CATEGORIES])
_THREAT = np.array([c in ("cancellation", "competitor") for c in CATEGORIES])
_TONE_CAP = np.array([TONE_CAP.get(c, 2) for c in CATEGORIES])
_TICKET_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 0.9, 0.25, 0.2])
_DAY = 86_400
NPS_RESPONSE_RATE = 0.33
NPS_WAVE_MONTHS = (2, 5, 8, 11)  # relationship survey on the 15th of these months
IN_APP_NPS_PER_DAY = 1 / 160


@dataclass
class TicketDraws:
    rows: np.ndarray  # position in the block
    days: np.ndarray
    seconds: np.ndarray  # time of day
    category: np.ndarray
    tone: np.ndarray
    priority: np.ndarray
    resolve_seconds: np.ndarray  # created → resolved


def draw_tickets(
    world: World, act: BlockActivity, rng: np.random.Generator, weekday: np.ndarray
) -> TicketDraws:
    rate = world.ticket_rate[act.index][:, None] / 30.0
    risk = act.risk
    expected = rate * (0.4 + 3.0 * risk**1.5) * _TICKET_WEEKDAY[weekday][None, :] * act.event_days
    counts = rng.poisson(expected)
    rows, days = np.nonzero(counts)
    repeats = counts[rows, days]
    rows, days = np.repeat(rows, repeats), np.repeat(days, repeats)
    story = _story_tickets(world, act)
    drawn = rows.size
    if story:
        rows = np.concatenate([rows, np.array([s[0] for s in story], dtype=rows.dtype)])
        days = np.concatenate([days, np.array([s[1] for s in story], dtype=days.dtype)])
    n = rows.size
    r = risk[rows, days]
    weight = r[:, None] ** 1.5
    probs = (1.0 - weight) * _CALM[None, :] + weight * _TROUBLE[None, :]
    probs[:, _PRAISE] *= 1.0 - r
    young = (days - world.since_day[act.index][rows]) < 90
    probs[young[:, None] & _NEW_CUSTOMER[None, :]] *= 3.0
    cumulative = np.cumsum(probs, axis=1)
    pick = rng.random(n) * cumulative[:, -1]
    category = (cumulative < pick[:, None]).sum(axis=1)

    u = rng.random(n)
    angry = 0.75 * r**2
    frustrated = np.minimum(0.15 + 0.55 * r, 1.0 - angry)
    tone = np.where(u < angry, 2, np.where(u < angry + frustrated, 1, 0))
    tone = np.where(_THREAT[category], np.maximum(tone, 1), tone)
    tone = np.minimum(tone, _TONE_CAP[category])

    forced = np.arange(n) >= drawn
    if story:
        category[drawn:] = [s[2] for s in story]
        tone[drawn:] = [s[3] for s in story]
    priority = np.clip(
        np.rint(_BASE_PRIORITY[category] + 0.5 * tone + rng.normal(0, 0.6, n)), 0, 3
    ).astype(np.int64)
    priority[forced] = np.maximum(priority[forced], 2)
    priority[category == _PRAISE] = 0
    seconds = np.clip(rng.normal(15.5 * 3600, 2.8 * 3600, n), 0, _DAY - 1).astype(np.int64)
    hours = rng.lognormal(np.log(_MEDIAN_RESOLVE_HOURS[priority]), 0.9) * (1.0 + r)
    hours *= np.where(rng.random(n) < 0.08, 10.0, 1.0)  # the long tail: waiting on someone
    order = np.lexsort((seconds, days, rows))
    return TicketDraws(
        rows=rows[order],
        days=days[order],
        seconds=seconds[order],
        category=category[order],
        tone=tone[order],
        priority=priority[order],
        resolve_seconds=(hours * 3600).astype(np.int64)[order],
    )


def _story_tickets(world: World, act: BlockActivity) -> list[tuple[int, int, int, int]]:
    """(block row, day, category, tone) of the tickets the fixed accounts' stories need."""
    story = []
    for position, account in enumerate(act.index.tolist()):
        for name, tone, days_before in world.forced_tickets.get(account, ()):
            day = world.last_day - days_before
            if day >= 0 and act.event_days[position, day]:
                story.append((position, day, CATEGORIES.index(name), tone))
    return story


def write_tickets(
    world: World,
    act: BlockActivity,
    draws: TicketDraws,
    contacts: list[list[ContactPlan]],
    composer: TextComposer,
    rnd: random.Random,
    rng: np.random.Generator,
    clock: Clock,
    next_id: Callable[[], str],
    sink: RowSink,
) -> None:
    n = draws.rows.size
    end_seconds = world.last_day * _DAY  # the end date's midnight
    created = draws.days * _DAY + draws.seconds
    resolved = created + draws.resolve_seconds
    unresolved = resolved >= end_seconds
    pending = rng.random(n) < 0.35
    recent = resolved > end_seconds - 5 * _DAY
    rated = rng.random(n) < 0.5
    r = act.risk[draws.rows, draws.days]
    csat = np.clip(np.rint(rng.normal(4.8 - 2.6 * r - 0.35 * draws.tone, 0.75)), 1, 5)
    escalated = rng.random(n) < (
        0.01 + 0.25 * r**2 + 0.15 * (draws.priority == 3) + 0.08 * (draws.tone == 2)
    )
    for k in range(n):
        row = int(draws.rows[k])
        account = int(act.index[row])
        day = int(draws.days[k])
        contact = pick_contact(contacts[row], day, rnd)
        subject, description = composer.ticket(
            CATEGORIES[draws.category[k]],
            int(draws.tone[k]),
            contact_first=contact.first if contact else "",
            competitor=world.competitor[account],
        )
        if unresolved[k]:
            status, resolved_at, score = ("pending" if pending[k] else "open"), None, None
        else:
            status = "solved" if recent[k] else "closed"
            resolved_day, resolved_second = divmod(int(resolved[k]), _DAY)
            resolved_at = clock.stamp(resolved_day, resolved_second)
            score = int(csat[k]) if rated[k] else None
        sink.add(
            "tickets",
            [
                next_id(),
                world.account_ids[account],
                clock.stamp(day, int(draws.seconds[k])),
                contact.contact_id if contact else None,
                resolved_at,
                status,
                PRIORITIES[draws.priority[k]],
                CATEGORIES[draws.category[k]],
                subject,
                description,
                score,
                flag(bool(escalated[k])),
            ],
        )


def nps_wave_days(start: date, days: int) -> list[int]:
    """Window days on which the quarterly relationship survey goes out."""
    waves = []
    for year in range(start.year, start.year + days // 365 + 2):
        for month in NPS_WAVE_MONTHS:
            day = (date(year, month, 15) - start).days
            if 0 <= day < days:
                waves.append(day)
    return waves


def write_nps(
    world: World,
    act: BlockActivity,
    contacts: list[list[ContactPlan]],
    composer: TextComposer,
    rnd: random.Random,
    rng: np.random.Generator,
    clock: Clock,
    next_id: Callable[[], str],
    sink: RowSink,
) -> None:
    last = world.last_day
    waves = nps_wave_days(clock.start, world.config.days)
    in_app = rng.poisson(IN_APP_NPS_PER_DAY * act.event_days * world.has_nps[act.index][:, None])
    for row, account in enumerate(act.index.tolist()):
        if not world.has_nps[account]:
            continue
        answers: list[tuple[int, ContactPlan | None]] = []
        for wave in waves:
            if not act.event_days[row, wave]:
                continue
            for contact in contacts[row]:
                if contact.active_on(wave) and rnd.random() < NPS_RESPONSE_RATE:
                    day = wave + min(int(rnd.expovariate(0.25)), 20)
                    if day < last and act.event_days[row, day]:
                        answers.append((day, contact))
        for day in np.flatnonzero(in_app[row]).tolist():
            answers.append((day, pick_contact(contacts[row], day, rnd)))
        story: dict[int, int] = {}
        for wanted_score, days_before in world.forced_nps.get(account, ()):
            day = last - days_before
            if day >= 0 and act.event_days[row, day]:
                answers.append((day, pick_contact(contacts[row], day, rnd, prefer_champion=True)))
                story[day] = wanted_score
        answers.sort(key=lambda item: item[0])
        for day, contact in answers:
            r = float(act.risk[row, day])
            score = int(np.clip(round(rnd.gauss(9.3 - 8.0 * r, 1.5)), 0, 10))
            score = story.pop(day, score)
            comment = composer.nps_comment(score, competitor=world.competitor[account])
            sink.add(
                "nps",
                [
                    next_id(),
                    world.account_ids[account],
                    clock.stamp(day, rnd.randint(7 * 3600, 22 * 3600)),
                    score,
                    contact.contact_id if contact else None,
                    comment or None,
                ],
            )
