"""The shipped CTA thresholds encode CS practice: real problems fire, routine noise does not.

Rules are pure, so most cases are hand-built ``AccountSignals``; the last tests go through
the store to check the signals the thresholds need (average seat use, sponsor contact).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.db.cta_signals import AccountSignals, HealthFacts, UsageFacts
from bot.db.models import Contact, Cta
from bot.db.session import unit_of_work
from bot.services.ctas.raising import raise_ctas
from bot.services.ctas.rule_types import RuleContext
from bot.services.ctas.rules import champion_inactive, evaluate_rules, expansion, payment_failure
from bot.services.ctas.rules_config import load_rules_config
from tests.jobs import store
from tests.jobs.store import NOW, TODAY

RULES = load_rules_config()
CONTEXT = RuleContext(today=TODAY, now=NOW, config=RULES)


def account(**fields) -> AccountSignals:
    base = dict(
        account_id="A1",
        name="A1 Inc",
        csm_id="ana",
        arr=Decimal("50000"),
        licensed_seats=100,
        customer_since=TODAY - timedelta(days=700),
        segment="mid-market",
    )
    return AccountSignals(**{**base, **fields})


def invoice(invoice_id: str, status: str, days_late: int, amount: str = "1000") -> dict:
    return {
        "invoice_id": invoice_id,
        "status": status,
        "amount": Decimal(amount),
        "due_at": TODAY - timedelta(days=days_late),
        "issued_at": TODAY - timedelta(days=days_late + 30),
    }


def champion(contact_id: str, *, active: bool = True, quiet_days: int = 5) -> dict:
    return {
        "contact_id": contact_id,
        "name": f"Champion {contact_id}",
        "is_active": active,
        "last_contacted_at": NOW - timedelta(days=quiet_days),
    }


def run(rule, signals: AccountSignals) -> list:
    return list(rule(signals, RULES.rule(rule.__name__), CONTEXT))


def test_a_declined_card_fires_at_once_a_late_invoice_only_after_a_week():
    assert run(payment_failure, account(invoices=[invoice("i1", "failed", -20)]))  # not yet due
    assert not run(payment_failure, account(invoices=[invoice("i2", "overdue", 3)]))
    assert run(payment_failure, account(invoices=[invoice("i3", "overdue", 8)]))


def test_several_unpaid_invoices_make_one_cta_keyed_by_the_oldest():
    unpaid = [invoice("i9", "failed", -5, "500"), invoice("i7", "failed", 40, "500")]
    unpaid.append(invoice("i8", "overdue", 10, "2000"))
    [cta] = run(payment_failure, account(invoices=unpaid))
    assert cta.period == "i7" and cta.details["invoice_ids"] == ["i7", "i8", "i9"]
    assert "40 days past due" in cta.reason and "2 more unpaid ($3,000 in all)" in cta.reason


def test_a_departed_champion_matters_only_without_a_replacement():
    gone = champion("c1", active=False)
    assert run(champion_inactive, account(champions=[gone]))
    replaced = account(champions=[gone, champion("c2")], sponsor_last_contacted_at=NOW)
    assert not run(champion_inactive, replaced)


def test_a_quiet_champion_fires_only_when_no_sponsor_was_heard_from():
    quiet = champion("c1", quiet_days=120)
    lonely = account(champions=[quiet], sponsor_last_contacted_at=quiet["last_contacted_at"])
    [cta] = run(champion_inactive, lonely)
    assert "not contacted for 120 days" in cta.reason and "in 90 days" in cta.reason
    decider_met = account(champions=[quiet], sponsor_last_contacted_at=NOW - timedelta(days=10))
    assert not run(champion_inactive, decider_met)


def test_tech_touch_champions_are_quiet_only_after_a_year():
    def smb(days: int) -> AccountSignals:
        quiet = champion("c1", quiet_days=days)
        return account(
            segment="smb", champions=[quiet], sponsor_last_contacted_at=quiet["last_contacted_at"]
        )

    assert not run(champion_inactive, smb(200))  # normal for a tech-touch account
    assert run(champion_inactive, smb(400))


def _grower(band: str, avg_active: float, peak: int) -> AccountSignals:
    return account(
        health=HealthFacts(score=80 if band == "green" else 60, band=band, as_of=TODAY),
        usage=UsageFacts(
            recent_total=1000,
            prior_total=1000,
            last_login=TODAY,
            max_active_users_recent=peak,
            days_with_data=60,
            logins_total=500,
            avg_active_users_recent=avg_active,
        ),
        nps=[{"response_id": "n1", "score": 10, "responded_at": NOW - timedelta(days=20)}],
    )


def test_expansion_needs_sustained_seat_pressure_on_a_green_account():
    [lead] = run(expansion, _grower("green", avg_active=85, peak=98))
    assert "seats used 85.0 of 100 seats (85%)" in lead.reason and "promoter NPS 10" in lead.reason
    assert not run(expansion, _grower("green", avg_active=40, peak=130))  # one busy day
    assert not run(expansion, _grower("yellow", avg_active=85, peak=98))  # fix health first


def test_a_detractor_answer_older_than_the_follow_up_window_raises_nothing():
    stale = account(nps=[{"response_id": "n1", "score": 3, "responded_at": NOW - timedelta(4)}])
    fresh = account(account_id="A2", nps=[{"response_id": "n2", "score": 3, "responded_at": NOW}])
    raised = evaluate_rules({"A1": stale, "A2": fresh}, context=CONTEXT, only={"nps_detractor"})
    assert [c.account_id for c in raised] == ["A2"]


def test_store_signals_feed_seat_pressure_and_sponsor_contact(sqlite_services):
    with unit_of_work(sqlite_services.session_factory) as session:
        store.add_team(session)
        for account_id in ("busy", "spiky", "quiet", "covered"):
            store.add_account(session, account_id)
        for account_id in ("busy", "spiky"):
            store.add_health(session, account_id, 0, 85, "green")
            store.add_nps(session, account_id, f"n-{account_id}", 10, 20)
        store.add_usage(session, "busy", days=30, events=100, active_users=90)
        store.add_usage(session, "spiky", days=29, events=100, active_users=20, start_days_ago=2)
        store.add_usage(session, "spiky", days=1, events=100, active_users=140)  # one busy day
        store.add_champion(session, "quiet", "c-quiet", contacted_days_ago=120)
        store.add_champion(session, "covered", "c-covered", contacted_days_ago=120)
        session.add(
            Contact(
                contact_id="d-covered",
                account_id="covered",
                name="Dana Decider",
                is_decision_maker=True,
                is_active=True,
                last_contacted_at=NOW - timedelta(days=15),
            )
        )
        session.flush()
    with unit_of_work(sqlite_services.session_factory) as session:
        raise_ctas(session, settings=sqlite_services.settings, rules=RULES, now=NOW)
    with unit_of_work(sqlite_services.session_factory) as session:
        raised = {(c.account_id, c.rule) for c in session.scalars(select(Cta))}
    assert ("busy", "expansion") in raised and ("spiky", "expansion") not in raised
    assert ("quiet", "champion_inactive") in raised
    assert ("covered", "champion_inactive") not in raised  # the decision maker was met
