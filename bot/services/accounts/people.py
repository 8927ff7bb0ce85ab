"""Finding a person by what an operator types: a Slack id, an email or a CSM's name.

``csbot ask --as`` and ``csbot chat --as`` answer as someone; people know their
colleagues by name or email rather than by Slack id, so all three work. Matching
happens in Python over the (small) CSM list, never in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.queries.csms import csm_identities
from bot.db.queries.records import CsmRecord
from bot.services.accounts.names import normalise

PERSON_FORMS = "a Slack user id (e.g. U012ABCDEF), an email, or a CSM's name (full or first)"


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """The CSMs ``text`` may mean: exactly one when found, several when a name is shared."""

    text: str
    matches: list[CsmRecord]


def find_person(session: Session, text: str) -> PersonMatch:
    """The CSMs meant by ``text``, most certain form first: Slack id, csm id, email, name.

    A full name beats a first name, so "Priya" finds Priya Patel unless two Priyas
    exist (then both are returned and the caller asks which).
    """
    wanted = text.strip()
    people = csm_identities(session=session)
    slack = [c for c, _ in people if c.slack_user_id and c.slack_user_id.upper() == wanted.upper()]
    if slack:
        return PersonMatch(text, slack[:1])
    by_id = [c for c, _ in people if c.csm_id.lower() == wanted.lower()]
    if by_id:
        return PersonMatch(text, by_id)
    if "@" in wanted:
        return PersonMatch(
            text, [c for c, email in people if email and email.lower() == wanted.lower()]
        )
    said = normalise(wanted)
    if not said:
        return PersonMatch(text, [])
    full = [c for c, _ in people if normalise(c.name) == said]
    if full:
        return PersonMatch(text, full)
    first = [c for c, _ in people if normalise(c.name).split()[:1] == [said]]
    return PersonMatch(text, first)
