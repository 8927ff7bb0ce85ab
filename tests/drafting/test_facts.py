"""The facts pack on SQLite and PostgreSQL: complete, sourced, dated, and resolvable by name."""

from __future__ import annotations

from datetime import date

import pytest

from bot.db.models import Account, Csm
from bot.db.queries.scope import AccountScope
from bot.db.session import unit_of_work
from bot.errors import AccountNotFound, AmbiguousAccount
from bot.services.drafting.facts import ESSENTIAL, build_facts_pack
from tests.drafting.store import ACCOUNT_ID, ACCOUNT_NAME, TICKET_PHONE, TODAY


def test_pack_gathers_every_area_with_source_and_as_of(seeded_services):
    pack = build_facts_pack(seeded_services, ACCOUNT_ID, today=TODAY)

    by_key = {fact.key: fact for fact in pack.facts}
    expected = {
        "health.score": ("health_scores", date(2026, 5, 14)),
        "health.change_30d": ("health_scores", date(2026, 5, 14)),
        "health.driver_1": ("health_scores", date(2026, 5, 14)),
        "renewal.date": ("contracts", date(2026, 5, 14)),
        "renewal.arr": ("contracts", date(2026, 5, 14)),
        "usage.active_users": ("usage_daily", date(2026, 5, 13)),
        "tickets.summary": ("tickets", date(2026, 5, 14)),
        "ticket.T-101": ("tickets", date(2026, 5, 14)),
        "theme.1": ("ticket_themes", date(2026, 5, 14)),
        "nps.1": ("nps", date(2026, 5, 14)),
        "contact.CON-1": ("contacts", date(2026, 5, 14)),
        "interaction.INT-1": ("interactions", date(2026, 5, 14)),
        "invoice.INV-9": ("invoices", date(2026, 5, 14)),
        "cta.1": ("ctas", date(2026, 5, 14)),
    }
    for key, (source, as_of) in expected.items():
        assert (by_key[key].source, by_key[key].as_of) == (source, as_of), key
    assert by_key["health.score"].text == "Health score is 42/100 (red) as of May 14, 2026."
    assert by_key["health.change_30d"].text.startswith("Health is down 15 points over 30 days")
    assert by_key["renewal.date"].text == (
        "The current contract ends on June 30, 2026 (in 46 days). Auto-renew is off."
    )
    assert by_key["renewal.arr"].text == "Contract ARR is $120,000."
    assert "down 40% from 100" in by_key["usage.active_users"].text
    assert "sentiment is negative" in by_key["ticket.T-101"].text
    assert "“fleet sync errors” covers 4 tickets, 75% of them negative" in by_key["theme.1"].text
    assert by_key["contact.CON-1"].text.startswith("Sarah Lee is a champion (VP Operations)")
    assert by_key["contact.CON-4"].text == "Tom Becker is no longer active at the account."
    assert by_key["health.score"].internal and not by_key["renewal.date"].internal


def test_customer_text_is_quoted_whole_and_kept_out_of_fact_sentences(seeded_services):
    pack = build_facts_pack(seeded_services, ACCOUNT_ID, today=TODAY)

    ticket = pack.fact("ticket.T-101")
    assert ticket is not None and ticket.quoted is not None
    assert ticket.quoted.startswith("Robot fleet sync failing. Sync has failed since Monday.")
    assert TICKET_PHONE in ticket.quoted and TICKET_PHONE not in ticket.text
    nps = pack.fact("nps.1")
    assert nps is not None and nps.quoted == (
        "The sync problems cost us two shifts. Support was slow to answer."
    )


def test_pack_carries_structured_rows_for_recipients_and_templates(seeded_services):
    pack = build_facts_pack(seeded_services, "acme robotics", today=TODAY)

    assert pack.account_id == ACCOUNT_ID and pack.csm_name == "Jane Doe"
    assert pack.contract is not None and pack.contract.end_date == date(2026, 6, 30)
    assert [ticket.ticket_id for ticket in pack.open_tickets] == ["T-101", "T-102"]
    assert pack.open_ticket_count == 2 and pack.latest_nps_score == 4
    assert pack.latest_nps_contact_id == "CON-1"
    assert [fact.priority for fact in pack.facts if fact.key == "renewal.arr"] == [ESSENTIAL]


def test_playbook_steps_come_from_the_open_ctas_playbook(seeded_services):
    pytest.importorskip("knowledge.playbooks")
    pack = build_facts_pack(seeded_services, ACCOUNT_ID, today=TODAY)

    assert pack.playbook_steps, "the at-risk CTA names a playbook with steps"
    first = pack.playbook_steps[0]
    assert first.playbook_id == "at-risk-intervention" and first.number == 1
    step_fact = pack.fact("playbook.at-risk-intervention.1")
    assert step_fact is not None and step_fact.source == "playbooks"
    assert "health_red" in pack.signals and "payment_failed" in pack.signals


def test_an_account_with_no_activity_still_gets_a_pack(services):
    with unit_of_work(services.session_factory) as session:
        session.add(Csm(csm_id="c1", name="Lee Park"))
        session.add(Account(account_id="NEW-1", name="Quiet Co", csm_id="c1"))

    pack = build_facts_pack(services, "quiet co", today=TODAY)

    keys = [fact.key for fact in pack.facts]
    assert keys[:2] == ["account.profile", "account.csm"]
    assert "contacts.no_champion" in keys and "tickets.summary" in keys
    assert pack.health is None and pack.usage is None and pack.contract is None
    assert all(fact.as_of is None for fact in pack.facts)  # nothing was ever imported


def test_names_resolve_like_the_assistant_resolves_them(seeded_services):
    def resolved(query: str) -> str:
        return build_facts_pack(seeded_services, query, today=TODAY).account_id

    assert resolved("acc-1") == ACCOUNT_ID and resolved("Acme Robotics") == ACCOUNT_ID
    assert resolved("acme robotix") == ACCOUNT_ID  # a typo
    assert resolved("Globx Corp") == "ACC-3"  # typo and legal suffix
    with pytest.raises(AmbiguousAccount) as ambiguous:
        build_facts_pack(seeded_services, "Acme", today=TODAY)
    assert sorted(name for _, name in ambiguous.value.candidates) == [
        "Acme Logistics",
        ACCOUNT_NAME,
    ]
    with pytest.raises(AccountNotFound) as missing:
        build_facts_pack(seeded_services, "acme rob", today=TODAY)
    assert missing.value.suggestions == [ACCOUNT_NAME]


def test_a_scope_hides_other_books(seeded_services):
    with pytest.raises(AccountNotFound):
        build_facts_pack(
            seeded_services, ACCOUNT_ID, today=TODAY, scope=AccountScope.books({"someone-else"})
        )
    pack = build_facts_pack(
        seeded_services, ACCOUNT_ID, today=TODAY, scope=AccountScope.books({"csm-1"})
    )
    assert pack.account_id == ACCOUNT_ID


def test_usage_leaves_out_todays_partial_day(seeded_services):
    from bot.db.models import UsageDaily

    with unit_of_work(seeded_services.session_factory) as session:
        session.add(UsageDaily(account_id=ACCOUNT_ID, date=TODAY, active_users=1, logins=1))
    pack = build_facts_pack(seeded_services, ACCOUNT_ID, today=TODAY)
    usage = pack.fact("usage.active_users")
    assert usage is not None and usage.as_of == date(2026, 5, 14)
    assert "were 60 in the 30 days to May 14, 2026" in usage.text  # not dragged down by 1 user
