"""The customer's people: champions, decision makers, users — and when they leave.

Contacts carry an internal active period so that tickets, NPS answers and
meetings only ever involve someone who was there at the time; a champion who
left stops appearing, which is exactly the signal CSMs miss in real life.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from bot.sources.demo.names import (
    CHAMPION_TITLES,
    DECISION_MAKER_TITLES,
    FIRST_NAMES,
    LAST_NAMES,
    USER_TITLES,
    person_email,
)
from bot.sources.demo.world import NO_DAY, World

_CONTACTS_BY_SEGMENT = ((5, 9), (3, 6), (2, 4))
LEFT_COMPANY_SHARE = 0.05


@dataclass
class ContactPlan:
    contact_id: str
    first: str
    last: str
    email: str
    title: str
    is_champion: bool
    is_decision_maker: bool
    active_from: int
    active_until: int  # first day they are gone (NO_DAY = still there)
    last_contacted: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def active_on(self, day: int) -> bool:
        return self.active_from <= day < self.active_until


def plan_contacts(
    world: World, index: int, rnd: random.Random, next_id: Callable[[], str]
) -> list[ContactPlan]:
    """Contacts of one account; the first is the champion, the second the decision maker."""
    low, high = _CONTACTS_BY_SEGMENT[int(world.segment[index])]
    count = rnd.randint(low, high)
    since = int(world.since_day[index])
    domain = world.domains[index]
    used: set[str] = set()
    contacts: list[ContactPlan] = []

    def person(title: str, champion: bool, decider: bool, start: int) -> ContactPlan:
        while True:
            first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            if f"{first} {last}" not in used:
                used.add(f"{first} {last}")
                break
        return ContactPlan(
            contact_id=next_id(),
            first=first,
            last=last,
            email=person_email(first, last, domain),
            title=title,
            is_champion=champion,
            is_decision_maker=decider,
            active_from=start,
            active_until=NO_DAY,
        )

    champion_decides = count == 2 and rnd.random() < 0.5
    contacts.append(person(rnd.choice(CHAMPION_TITLES), True, champion_decides, since))
    if not champion_decides:
        contacts.append(person(rnd.choice(DECISION_MAKER_TITLES), False, True, since))
    if world.segment[index] == 0 and rnd.random() < 0.3:
        contacts.append(person(rnd.choice(CHAMPION_TITLES), True, False, since))
    while len(contacts) < count:
        joined = since if rnd.random() < 0.7 else since + rnd.randint(30, 400)
        contacts.append(person(rnd.choice(USER_TITLES), False, False, joined))

    leave = int(world.champion_leave_day[index])
    if leave < NO_DAY:
        leave = max(leave, since + 30)
        contacts[0].active_until = leave
        if rnd.random() < 0.6:
            contacts.append(
                person(rnd.choice(USER_TITLES), False, False, leave + rnd.randint(10, 45))
            )
    for contact in contacts[2:]:
        if not contact.is_champion and rnd.random() < LEFT_COMPANY_SHARE:
            contact.active_until = contact.active_from + rnd.randint(60, 700)
    return contacts


def pick_contact(
    contacts: list[ContactPlan], day: int, rnd: random.Random, *, prefer_champion: bool = False
) -> ContactPlan | None:
    """Someone at the account on that day; champions and deciders are likelier in meetings."""
    present = [c for c in contacts if c.active_on(day)]
    if not present:
        return None
    if not prefer_champion:
        return rnd.choice(present)
    weights = [3.0 if c.is_champion else 1.5 if c.is_decision_maker else 1.0 for c in present]
    return rnd.choices(present, weights)[0]
