"""Fact sentences: how store rows become the facts a draft may rely on.

Each sentence is built from store values with the shared formatters, so the same
figure reads the same wherever it appears and says nothing the row does not.
Customer-written text rides along in ``Fact.quoted``, whole sentences only.

One writer per area of the pack (``profile``, ``activity``, ``relationship``,
``commercial``) adds to a shared sink; :class:`FactWriter` is the one object
callers use, with one method per area. Underscore names in ``base`` are shared
between the area writers only.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.db.queries.records import SourceFreshness
from bot.services.drafting.sentences.activity import ActivitySentences
from bot.services.drafting.sentences.base import (
    BACKGROUND,
    ESSENTIAL,
    HIGH,
    INTERNAL_CATEGORIES,
    LOW,
    MAX_PLAYBOOK_STEPS,
    MEDIUM,
    QUOTE_MAX_CHARS,
    Fact,
    FactSink,
    PlaybookStepFact,
)
from bot.services.drafting.sentences.commercial import CommercialSentences, invoice_state
from bot.services.drafting.sentences.profile import ProfileSentences
from bot.services.drafting.sentences.relationship import RelationshipSentences

__all__ = [
    "BACKGROUND",
    "ESSENTIAL",
    "HIGH",
    "INTERNAL_CATEGORIES",
    "LOW",
    "MAX_PLAYBOOK_STEPS",
    "MEDIUM",
    "QUOTE_MAX_CHARS",
    "Fact",
    "FactWriter",
    "PlaybookStepFact",
    "invoice_state",
]


class FactWriter(FactSink):
    """Turns store rows into fact sentences; one method per area of the pack.

    Each method is the matching area writer's, all adding to this sink's ``facts``.
    """

    def __init__(self, loads: Mapping[str, SourceFreshness], currency: str) -> None:
        super().__init__(loads, currency)
        profile = ProfileSentences(self)
        activity = ActivitySentences(self)
        relationship = RelationshipSentences(self)
        commercial = CommercialSentences(self)
        self.account = profile.account
        self.health = profile.health
        self.renewal = profile.renewal
        self.usage = activity.usage
        self.support = activity.support
        self.nps = activity.nps
        self.contacts = relationship.contacts
        self.interactions = relationship.interactions
        self.invoices = commercial.invoices
        self.opportunities = commercial.opportunities
        self.ctas = commercial.ctas
        self.playbooks = commercial.playbooks
