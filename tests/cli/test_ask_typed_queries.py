"""The typed queries of issue 14 through `csbot ask`, each checked against the store.

Expected values are read here with plain SQLAlchemy from the hand-made world
(``qa_world``), the clock is frozen at its NOW, and every answer ends with the
same "Data as of" freshness line as the other answers.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Csm, Escalation, HealthScore, Interaction, Invoice
from bot.slack import formatting as fmt
from tests.services.qa_world import ALICE, MANAGER, NOW, TODAY, build_world
from tests.support.cli import invoke


@pytest.fixture
def world(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, time_machine) -> Engine:  # noqa: ANN001
    build_world(sqlite_engine)
    with Session(sqlite_engine) as session:
        session.add_all(
            [
                Invoice(
                    invoice_id="INV-LATE",
                    account_id="acc_acme",
                    issued_at=TODAY - timedelta(days=45),
                    amount=Decimal("1234.50"),
                    due_at=TODAY - timedelta(days=15),
                    status="open",
                ),
                Invoice(
                    invoice_id="INV-PAID",
                    account_id="acc_acme",
                    issued_at=TODAY - timedelta(days=45),
                    amount=Decimal("99.00"),
                    due_at=TODAY - timedelta(days=15),
                    paid_at=TODAY - timedelta(days=16),
                    status="paid",
                ),
                Escalation(
                    account_id="acc_acme",
                    opened_by="UALICE01",
                    severity="high",
                    category="outage",
                    description="Exports failing",
                    status="open",
                    sla_due_at=NOW + timedelta(hours=4),
                ),
            ]
        )
        session.commit()
    monkeypatch.setenv(
        "CSBOT_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("CSBOT_VISIBILITY", "own")
    time_machine.move_to(NOW, tick=False)
    return sqlite_engine


def _ask(question: str, user: str = ALICE) -> str:
    result = invoke("ask", question, "--as", user)
    assert result.exit_code == 0, result.output
    assert "Data as of" in result.stdout.strip().splitlines()[-1]
    return result.stdout


def _own_active(session: Session, csm_id: str) -> list[Account]:
    return list(
        session.scalars(select(Account).where(Account.csm_id == csm_id, Account.status == "active"))
    )


def test_top_accounts_by_arr_lists_the_largest_first(world: Engine) -> None:
    text = _ask("top 2 accounts by arr")
    with Session(world) as session:
        accounts = sorted(_own_active(session, "csm_alice"), key=lambda a: -(a.arr or 0))[:2]
    assert "Top 2 by ARR" in text
    positions = [text.index(a.name) for a in accounts]
    assert positions == sorted(positions)
    assert fmt.money(accounts[0].arr, accounts[0].currency or "USD") in text


def test_bottom_by_health_shows_the_lowest_score(world: Engine) -> None:
    text = _ask("bottom 1 by health")
    with Session(world) as session:
        latest = session.scalar(select(func.max(HealthScore.as_of)))
        lowest = session.execute(
            select(Account.name, HealthScore.score)
            .join(HealthScore, HealthScore.account_id == Account.account_id)
            .where(HealthScore.as_of == latest, Account.csm_id == "csm_alice")
            .where(Account.status == "active")
            .order_by(HealthScore.score)
        ).first()
    assert lowest is not None
    assert lowest.name in text and fmt.score(lowest.score) in text


def test_overdue_invoices_portfolio_and_account(world: Engine) -> None:
    portfolio = _ask("overdue invoices")
    account = _ask("overdue invoices for acme")
    with Session(world) as session:
        late = session.get(Invoice, "INV-LATE")
    assert late is not None
    for text in (portfolio, account):
        assert "INV-LATE" in text and fmt.money(late.amount) in text
        assert "INV-PAID" not in text
        assert f"{(TODAY - late.due_at).days} days overdue" in text


def test_open_escalations_are_escalations_not_tickets(world: Engine) -> None:
    text = _ask("open escalations")
    assert "Open escalations" in text and "outage" in text and "Acme" in text


def test_last_qbr_and_last_touch_come_from_interactions(world: Engine) -> None:
    text = _ask("when did we last talk to acme?")
    with Session(world) as session:
        last = session.scalar(
            select(func.max(Interaction.occurred_at)).where(
                Interaction.account_id == "acc_acme", Interaction.type != "note"
            )
        )
    assert last is not None and fmt.day(last) in text


def test_who_am_i_names_the_asker_and_role(world: Engine) -> None:
    text = _ask("who am i?")
    with Session(world) as session:
        alice = session.scalar(select(Csm).where(Csm.slack_user_id == ALICE))
    assert alice is not None and alice.name in text and alice.role in text


def test_a_managers_question_about_one_csms_book(world: Engine) -> None:
    with Session(world) as session:
        alice = session.scalar(select(Csm).where(Csm.slack_user_id == ALICE))
        assert alice is not None
        first = alice.name.split()[0]
        names = [a.name for a in _own_active(session, alice.csm_id)]
    text = _ask(f"{first}'s accounts", MANAGER)
    assert f"{alice.name}'s accounts" in text
    assert all(name in text for name in names[:3])


def test_compare_two_accounts_side_by_side(world: Engine) -> None:
    text = _ask("compare acme and initech")
    with Session(world) as session:
        acme, initech = session.get(Account, "acc_acme"), session.get(Account, "acc_initech")
    assert acme is not None and initech is not None
    assert f"{acme.name} vs {initech.name}" in text
    assert fmt.money(acme.arr, acme.currency or "USD") in text


def test_an_unmapped_question_gets_the_closest_three(world: Engine) -> None:
    result = invoke("ask", "what's the weather in paris", "--as", ALICE)
    assert "I can't answer that yet" in result.stdout
    assert result.stdout.count("•") == 3


def test_draft_a_renewal_email_runs_the_drafting_flow(world: Engine) -> None:
    text = _ask("draft a renewal email to acme")
    assert "renewal email" in text and "Subject:" in text
    assert "nothing was sent" in text


def test_the_360_card_shows_failed_or_overdue_invoices(world: Engine) -> None:
    text = _ask("how is acme doing?")
    with Session(world) as session:
        late = session.get(Invoice, "INV-LATE")
    assert late is not None
    assert "Invoices: 1 failed or overdue invoice" in text
    assert f"INV-LATE · {fmt.money(late.amount)}" in text and "INV-PAID" not in text


def test_no_contact_in_n_days_counts_accounts_without_a_customer_touch(world: Engine) -> None:
    text = _ask("which of my accounts have had no contact in 20 days?")
    since = NOW - timedelta(days=20)
    with Session(world) as session:
        touched = set(
            session.scalars(
                select(Interaction.account_id).where(
                    Interaction.type != "note", Interaction.occurred_at >= since
                )
            )
        )
        quiet = [a.name for a in _own_active(session, "csm_alice") if a.account_id not in touched]
    assert "No contact in 20 days" in text
    if quiet:
        assert fmt.plural(len(quiet), "account") in text
        assert all(name in text for name in quiet[:10])
    else:
        assert "had a customer touch" in text
