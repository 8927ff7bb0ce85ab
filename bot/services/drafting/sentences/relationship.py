"""Sentences about the people: contacts and their roles, and recent interactions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.db import facts as facts_db
from bot.db.queries.records import ContactRecord
from bot.services.drafting.fact_format import format_date, with_article
from bot.services.drafting.sentences.base import ESSENTIAL, HIGH, LOW, MEDIUM, FactFamily


class RelationshipSentences(FactFamily):
    """Contacts and interactions."""

    def contacts(self, contacts: list[ContactRecord]) -> None:
        active = [contact for contact in contacts if contact.is_active]
        champions = [contact for contact in active if contact.is_champion]
        if not champions:
            self.add(
                "contacts.no_champion",
                "contacts",
                "There is no active champion on record.",
                "contacts",
                HIGH,
            )
        shown = 0
        for contact in active:
            roles = [
                role
                for role, holds in (
                    ("champion", contact.is_champion),
                    ("decision maker", contact.is_decision_maker),
                )
                if holds
            ]
            if not roles and shown >= 4:
                continue
            label = " and ".join(roles) if roles else "contact"
            sentence = f"{contact.name} is {with_article(label)}"
            if contact.title:
                sentence += f" ({contact.title})"
            if contact.last_contacted_at is not None:
                sentence += f", last contacted on {format_date(contact.last_contacted_at.date())}"
            self.add(
                f"contact.{contact.contact_id}",
                "contacts",
                sentence + ".",
                "contacts",
                ESSENTIAL if roles else LOW,
                names=(contact.name, contact.title or ""),
            )
            shown += 1
        for contact in contacts:
            if not contact.is_active and (contact.is_champion or contact.is_decision_maker):
                self.add(
                    f"contact.{contact.contact_id}",
                    "contacts",
                    f"{contact.name} is no longer active at the account.",
                    "contacts",
                    MEDIUM,
                    names=(contact.name,),
                )

    def interactions(
        self,
        interactions: list[facts_db.InteractionRow],
        last_qbr: datetime | None,
        contacts: Mapping[str, ContactRecord],
    ) -> None:
        for index, interaction in enumerate(interactions):
            who = contacts.get(interaction.contact_id or "")
            sentence = f"Recent interaction: {interaction.type} on "
            sentence += format_date(interaction.occurred_at.date())
            if who is not None:
                sentence += f" with {who.name}"
            self.add(
                f"interaction.{interaction.interaction_id}",
                "interactions",
                sentence + ".",
                "interactions",
                MEDIUM if index == 0 else LOW,
                quoted=interaction.summary,
                names=(who.name,) if who else (),
            )
        if last_qbr is not None:
            self.add(
                "interactions.last_qbr",
                "interactions",
                f"The last business review (QBR) was on {format_date(last_qbr.date())}.",
                "interactions",
                LOW,
            )
