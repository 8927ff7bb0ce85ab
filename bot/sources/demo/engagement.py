"""The CSM's side of the relationship: meetings, calls, emails, notes and QBRs.

Cadence follows the segment (enterprise accounts get far more attention), QBRs
come quarterly for larger customers, and the mood of each summary follows the
account's risk that day. A customer at risk goes quiet: more and more planned
touches end as the CSM's note that nobody replied or showed up, so contact with
the champion and sponsors ages before churn, as it does in real books. Two story
beats are written explicitly because CSMs always log them: a champion leaving, and
the customer's notice of non-renewal. Each contact's ``last_contacted`` is taken
from these interactions.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from bot.sources.demo.activity import BlockActivity
from bot.sources.demo.people import ContactPlan, pick_contact
from bot.sources.demo.rows import Clock, RowSink
from bot.sources.demo.texts import TextComposer
from bot.sources.demo.world import NO_DAY, Profile, World

INTERACTIONS_PER_MONTH = np.array([4.0, 2.0, 0.7])  # enterprise, mid-market, smb
_KINDS = ("email", "call", "meeting", "note")
_KIND_WEIGHTS = (0.4, 0.2, 0.2, 0.2)
_BUSINESS_DAY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.05, 0.02])
QBR_EVERY_DAYS = 91
DISENGAGED_AT_FULL_RISK = 1.0


def _disengage(
    item: tuple[int, str, str | None, ContactPlan | None],
    risk: float,
    rnd: random.Random,
    composer: TextComposer,
) -> tuple[int, str, str | None, ContactPlan | None]:
    """A customer at risk stops showing up: the planned touch becomes the CSM's own note.

    Champions and sponsors going quiet is one of the earliest churn signals CSMs see, so
    the chance grows with the risk to the power 1.5 (about one touch in fifty at a healthy
    account, most of them at an account near its peak). Story beats (text already
    written) stand.
    """
    day, kind, text, contact = item
    if text is not None or kind == "note":
        return item
    if rnd.random() >= DISENGAGED_AT_FULL_RISK * risk**1.5:
        return item
    note = composer.no_reply(kind, contact=contact.first if contact else "the team")
    return day, "note", note, None


def _mood(risk: float, rnd: random.Random) -> str:
    felt = risk + rnd.gauss(0.0, 0.12)
    return "bad" if felt > 0.5 else "good" if felt < 0.22 else "neutral"


def write_interactions(
    world: World,
    act: BlockActivity,
    contacts: list[list[ContactPlan]],
    composer: TextComposer,
    rnd: random.Random,
    rng: np.random.Generator,
    weekday: np.ndarray,
    clock: Clock,
    next_id: Callable[[], str],
    sink: RowSink,
) -> None:
    last = world.last_day
    rate = INTERACTIONS_PER_MONTH[world.segment[act.index]][:, None] / 30.0
    counts = rng.poisson(rate * _BUSINESS_DAY[weekday][None, :] * act.event_days)
    for row, account in enumerate(act.index.tolist()):
        people = contacts[row]
        planned: list[tuple[int, str, str | None, ContactPlan | None]] = []
        for day in np.repeat(np.arange(world.config.days), counts[row]).tolist():
            kind = rnd.choices(_KINDS, _KIND_WEIGHTS)[0]
            contact = (
                None if kind == "note" else pick_contact(people, day, rnd, prefer_champion=True)
            )
            planned.append((day, kind, None, contact))
        if world.segment[account] < 2:
            phase = rnd.randrange(QBR_EVERY_DAYS)
            for day in range(phase, last + 1, QBR_EVERY_DAYS):
                if act.event_days[row, day]:
                    planned.append(
                        (day, "qbr", None, pick_contact(people, day, rnd, prefer_champion=True))
                    )
        leave = int(world.champion_leave_day[account])
        if 0 <= leave < NO_DAY:
            day = min(leave + rnd.randint(3, 15), last - 1)
            if act.event_days[row, day]:
                text = composer.champion_left(champion=people[0].name, company=world.names[account])
                planned.append((day, "note", text, None))
        churn = int(world.churn_day[account])
        quiet = world.profile[account] == Profile.CHURNED_QUIET
        if churn < NO_DAY and rnd.random() < (0.9 if quiet else 0.75):
            day = churn - rnd.randint(5, 30)
            if day >= 0 and act.event_days[row, day]:
                contact = pick_contact(people, day, rnd, prefer_champion=True)
                reason = world.churn_reason[account] or "no reason given"
                text = composer.non_renewal_notice(
                    contact=contact.name if contact else "the customer", reason=reason.lower()
                )
                planned.append((day, rnd.choice(("call", "meeting", "email")), text, contact))
        planned.sort(key=lambda item: item[0])
        planned = [
            _disengage(item, float(act.risk[row, item[0]]), rnd, composer) for item in planned
        ]
        for day, kind, text, contact in planned:
            seconds = rnd.randint(13 * 3600, 23 * 3600)
            stamp = clock.stamp(day, seconds)
            if text is None:
                text = composer.interaction(
                    kind,
                    _mood(float(act.risk[row, day]), rnd),
                    contact=contact.first if contact else "the team",
                    competitor=world.competitor[account],
                    utilisation=round(100 * float(act.utilisation[row, day])),
                )
            if contact is not None and (
                contact.last_contacted is None or stamp > contact.last_contacted
            ):
                contact.last_contacted = stamp
            sink.add(
                "interactions",
                [
                    next_id(),
                    world.account_ids[account],
                    stamp,
                    kind,
                    contact.contact_id if contact else None,
                    world.csm_ids[account],
                    text,
                ],
            )
