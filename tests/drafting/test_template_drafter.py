"""The template drafter: every purpose and tone, grounded by construction, safe with any ticket."""

from __future__ import annotations

from pathlib import Path

from bot.db.session import make_session_factory
from bot.services import Services
from bot.services.drafting.drafter import draft_email, draft_summary
from bot.services.drafting.facts import build_facts_pack
from bot.services.drafting.template import template_email
from bot.services.drafting.types import PURPOSES, TONES, choose_recipient
from tests.conftest import make_settings
from tests.drafting.store import ACCOUNT_ID, INJECTION, TODAY, seed_rich_account
from tests.support.databases import migrated_engine

EXPECTED_RECIPIENT = {
    "renewal": "Omar Haddad",  # decision maker
    "expansion": "Omar Haddad",
    "risk": "Sarah Lee",  # champion
    "check-in": "Sarah Lee",
    "nps-followup": "Sarah Lee",  # answered the survey
    "escalation": "Priya Nair",  # raised the urgent ticket
}


def test_every_purpose_and_tone_is_grounded_and_addressed(seeded_sqlite_services):
    for purpose in PURPOSES:
        for tone in TONES:
            result = draft_email(
                seeded_sqlite_services,
                ACCOUNT_ID,
                purpose=purpose,
                tone=tone,
                actor="t",
                today=TODAY,
            )
            case = f"{purpose}/{tone}"
            assert result.verified, (case, [c.label() for c in result.grounding.unsupported])
            assert result.model == "template" and result.generator == "template"
            assert result.notes == ("Template draft: no language model is configured.",)
            assert result.recipient is not None, case
            assert result.recipient.name == EXPECTED_RECIPIENT[purpose], case
            first_name = result.recipient.name.split()[0]
            greeting = f"Dear {result.recipient.name}," if tone == "formal" else f"Hi {first_name},"
            assert result.body.startswith(greeting) and result.body.endswith("Jane Doe"), case
            assert ("time-sensitive" in result.body) == (tone == "urgent"), case
            assert "Health score" not in result.body and "churn" not in result.body, case


def test_summary_has_the_four_sections_from_the_facts(seeded_sqlite_services):
    result = draft_summary(seeded_sqlite_services, ACCOUNT_ID, actor="t", today=TODAY)

    assert result.verified and result.subject == "Account brief: Acme Robotics Inc"
    sections = [line for line in result.body.splitlines() if line.startswith("*")]
    # Overdue invoice, detractor NPS and red health: the brief leads with its risks.
    assert sections == ["*Risks*", "*Situation*", "*Opportunities*", "*Next steps*"]
    assert "• Contract ARR is $120,000." in result.body
    assert "• Health driver: Active users down 40% vs the prior 30 days." in result.body
    assert "• Open expansion opportunity of $30,000" in result.body
    assert "• Open call to action (risk, high priority)" in result.body


def test_inactive_contacts_are_never_addressed(seeded_sqlite_services):
    pack = build_facts_pack(seeded_sqlite_services, ACCOUNT_ID, today=TODAY)

    for purpose in PURPOSES:
        chosen = choose_recipient(pack, purpose)
        assert chosen is not None and chosen.name != "Tom Becker"


def _pack_with_ticket(tmp_path: Path, ticket_text: str | None):
    url = f"sqlite:///{tmp_path}/csbot.db"
    with migrated_engine(url) as engine:
        services = Services(
            settings=make_settings(tmp_path, url),
            engine=engine,
            session_factory=make_session_factory(engine),
        )
        seed_rich_account(services, ticket_text=ticket_text)
        return build_facts_pack(services, ACCOUNT_ID, today=TODAY)


def test_an_injected_ticket_changes_no_template_draft(tmp_path: Path):
    benign = _pack_with_ticket(tmp_path / "benign", None)
    hostile = _pack_with_ticket(tmp_path / "hostile", INJECTION)

    for purpose in PURPOSES:
        drafts = [
            template_email(p, purpose=purpose, tone="formal", to=choose_recipient(p, purpose))
            for p in (benign, hostile)
        ]
        assert drafts[0] == drafts[1], purpose
    assert all(INJECTION[:30] not in fact.text for fact in hostile.facts)
