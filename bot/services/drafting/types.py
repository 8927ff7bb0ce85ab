"""The vocabulary of drafting: purposes, tones, results, and who an email goes to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from bot.db.queries.records import ContactRecord
from bot.services.drafting.facts import FactsPack
from bot.services.drafting.grounding import GroundingReport
from bot.slack.blocks.draft import UNVERIFIED_NOTE_END, DraftModalView

Purpose = Literal["renewal", "risk", "expansion", "check-in", "nps-followup", "escalation"]
Tone = Literal["friendly", "formal", "urgent"]
DraftKind = Literal["email", "summary"]
Generator = Literal["llm", "template"]

PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
TONES: tuple[Tone, ...] = get_args(Tone)
DEFAULT_PURPOSE: Purpose = "check-in"
DEFAULT_TONE: Tone = "friendly"
TEMPLATE_MODEL = "template"


@dataclass(frozen=True, slots=True)
class DraftText:
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Recipient:
    contact_id: str
    name: str
    email: str | None
    title: str | None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "name": self.name,
            "email": self.email,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class DraftResult:
    """A finished draft with everything needed to show, audit and trust it."""

    kind: DraftKind
    account_id: str
    account_name: str
    purpose: Purpose | None
    tone: Tone | None
    recipient: Recipient | None
    subject: str
    body: str
    facts: FactsPack
    grounding: GroundingReport
    model: str
    generator: Generator
    attempts: int
    notes: tuple[str, ...] = ()
    draft_id: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    elapsed_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return self.grounding.verified

    @property
    def is_template(self) -> bool:
        return self.generator == "template"

    def modal_view(self) -> DraftModalView:
        """The plain values the draft modal shows (blocks never see a ``DraftResult``)."""
        recipient = self.recipient
        label = None
        if recipient is not None:
            label = f"{recipient.name} <{recipient.email}>" if recipient.email else recipient.name
        return DraftModalView(
            account_id=self.account_id,
            account_name=self.account_name,
            kind=self.kind,
            purpose=self.purpose,
            tone=self.tone,
            recipient=label,
            subject=self.subject,
            body=self.body,
            verified=self.verified,
            claims_checked=self.grounding.checked,
            unsupported=tuple(claim.text for claim in self.grounding.unsupported),
            model=self.model,
            is_template=self.is_template,
            notes=tuple(n for n in self.notes if not n.endswith(UNVERIFIED_NOTE_END)),
            draft_id=self.draft_id,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``csbot draft ... --json``."""
        return {
            "subject": self.subject,
            "body": self.body,
            "facts": self.facts.to_dicts(),
            "grounding": {
                "verified": self.grounding.verified,
                "unsupported": [claim.to_dict() for claim in self.grounding.unsupported],
            },
            "model": self.model,
            "kind": self.kind,
            "account": {"account_id": self.account_id, "name": self.account_name},
            "purpose": self.purpose,
            "tone": self.tone,
            "to": self.recipient.to_dict() if self.recipient else None,
            "generator": self.generator,
            "notes": list(self.notes),
            "draft_id": self.draft_id,
        }


# Who an email for each purpose should go to, in order of preference.
_RECIPIENT_ROLES: dict[Purpose, tuple[str, ...]] = {
    "renewal": ("decision_maker", "champion"),
    "expansion": ("decision_maker", "champion"),
    "risk": ("champion", "decision_maker"),
    "check-in": ("champion", "decision_maker"),
    "nps-followup": ("nps_respondent", "champion", "decision_maker"),
    "escalation": ("ticket_contact", "champion", "decision_maker"),
}


def choose_recipient(pack: FactsPack, purpose: Purpose) -> Recipient | None:
    """The active contact an email for ``purpose`` should address.

    Renewals and expansion go to the decision maker, risk and check-ins to the champion,
    an NPS follow-up to whoever answered the survey, an escalation to whoever raised the
    ticket; failing those, the most recently contacted active person.
    """
    active = [contact for contact in pack.contacts if contact.is_active]
    if not active:
        return None
    for role in _RECIPIENT_ROLES[purpose]:
        chosen = _contact_for_role(pack, active, role)
        if chosen is not None:
            return _recipient(chosen)
    dated = [contact for contact in active if contact.last_contacted_at is not None]
    if dated:
        return _recipient(max(dated, key=lambda contact: contact.last_contacted_at))  # type: ignore[arg-type, return-value]
    return _recipient(active[0])


def _contact_for_role(
    pack: FactsPack, active: list[ContactRecord], role: str
) -> ContactRecord | None:
    if role == "champion":
        return next((contact for contact in active if contact.is_champion), None)
    if role == "decision_maker":
        return next((contact for contact in active if contact.is_decision_maker), None)
    if role == "nps_respondent":
        return next((c for c in active if c.contact_id == pack.latest_nps_contact_id), None)
    if role == "ticket_contact":
        ids = [ticket.contact_id for ticket in pack.open_tickets if ticket.contact_id]
        return next((c for i in ids for c in active if c.contact_id == i), None)
    return None


def _recipient(contact: ContactRecord) -> Recipient:
    return Recipient(
        contact_id=contact.contact_id, name=contact.name, email=contact.email, title=contact.title
    )
