"""The 360 card, the CTA texts and the health drivers use one window per measure.

Initech-like: seats used where the old CTA averaged only the days with data (and today's
partial row) while the card and driver divided 30 complete days by 30. Quartz-like: a
champion's CRM "last contacted" field 40 days old beside a last logged interaction 103
days old. Both are scored by the real score job and checked by the real CTA job; the card
is read through ``csbot ask``. Expected figures are computed here from the stored rows.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.db.models import Cta, HealthScore, Interaction, Invoice, UsageDaily
from bot.db.session import unit_of_work
from bot.slack import formatting as fmt
from jobs.ctas import run_cta_rules
from jobs.runner import run_job
from jobs.scoring import run_score
from tests.jobs import store
from tests.jobs.conftest import JOB_SETTINGS
from tests.jobs.store import NOW, TODAY
from tests.support.cli import invoke
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import slack_services_for

ANA = "U_ANA"
SEATS = 180
MISSING_DAYS = {5, 12}  # no usage row these days before today: they count as 0


def _healthy(session: Session, account_id: str, prefix: str) -> None:
    """Invoices paid on time, a promoter, a quiet support queue: nothing else pulls the score."""
    store.add_contract(session, account_id, f"{prefix}-k", ends_in_days=200, arr=120_000)
    for n in range(4):
        due = TODAY - timedelta(days=30 + 60 * n)
        session.add(
            Invoice(
                invoice_id=f"{prefix}-i{n}",
                account_id=account_id,
                issued_at=due - timedelta(days=30),
                amount=Decimal("30000"),
                due_at=due,
                paid_at=due - timedelta(days=2),
                status="paid",
            )
        )
    store.add_nps(session, account_id, f"{prefix}-n", 10, days_ago=20)
    store.add_ticket(session, account_id, f"{prefix}-t", status="closed", days_ago=40)


def _touch(session: Session, account_id: str, interaction_id: str, days_ago: int, **kw) -> None:
    session.add(
        Interaction(
            interaction_id=interaction_id,
            account_id=account_id,
            occurred_at=NOW - timedelta(days=days_ago),
            **{"type": "meeting", **kw},
        )
    )


def build_store(session: Session) -> None:
    store.add_team(session)
    store.add_account(session, "initech", arr=120_000, seats=SEATS, name="Initech")
    for days_ago in range(0, 61):
        if days_ago in MISSING_DAYS:
            continue
        session.add(
            UsageDaily(
                account_id="initech",
                date=TODAY - timedelta(days=days_ago),
                events=900,
                logins=160,
                active_users=20 if days_ago == 0 else 175,  # today: a partial day
                features_used=12,
            )
        )
    _healthy(session, "initech", "ini")
    store.add_champion(session, "initech", "ini-c", contacted_days_ago=3)
    for n, days_ago in enumerate((2, 9, 16)):
        _touch(session, "initech", f"ini-m{n}", days_ago, contact_id="ini-c")
    _touch(session, "initech", "ini-qbr", 30, type="qbr", contact_id="ini-c")

    store.add_account(session, "quartz", arr=90_000, seats=50, name="Quartz Retail")
    store.add_usage(session, "quartz", days=60, events=400, logins=60, active_users=40)
    _healthy(session, "quartz", "qtz")
    store.add_champion(session, "quartz", "qtz-c", contacted_days_ago=40)  # CRM field only
    _touch(session, "quartz", "qtz-m", 103, contact_id="qtz-c")  # the last logged touch
    session.flush()


@pytest.fixture
def scored(fake_slack: FakeSlackApi, tmp_path, sqlite_engine: Engine, monkeypatch, time_machine):
    time_machine.move_to(NOW, tick=False)
    services = slack_services_for(fake_slack, tmp_path, sqlite_engine, **JOB_SETTINGS)
    with unit_of_work(services.session_factory) as session:
        build_store(session)
    assert run_job("score", run_score, services, now=NOW).ok
    assert run_job("cta_rules", run_cta_rules, services, now=NOW).ok
    monkeypatch.setenv(
        "CSBOT_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    return sqlite_engine


def _expected_seats(session: Session) -> tuple[float, str]:
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    rows = session.scalars(
        select(UsageDaily.active_users).where(
            UsageDaily.account_id == "initech", UsageDaily.date >= start, UsageDaily.date <= end
        )
    ).all()
    average = sum(rows) / 30
    return average, f"{average:,.1f} of {SEATS} seats ({fmt.percent(average / SEATS)})"


def test_seats_used_reads_the_same_in_the_cta_the_card_and_the_driver(scored) -> None:
    with Session(scored) as session:
        average, expected = _expected_seats(session)
        [cta] = session.scalars(select(Cta).where(Cta.account_id == "initech")).all()
        snapshot = session.get(HealthScore, ("initech", TODAY))
    assert round(average, 1) == 163.3  # 28 days of 175 over 30 days, today's row left out

    assert cta.rule == "expansion"
    assert f"seats used {expected}" in cta.reason

    card = invoke("ask", "how is initech doing?", "--as", ANA)
    usage = invoke("ask", "initech usage", "--as", ANA)
    assert card.exit_code == 0 and usage.exit_code == 0, card.output + usage.output
    assert expected in card.stdout
    assert expected in usage.stdout

    measure = snapshot.components["usage"]["measures"]["seat_utilisation"]
    assert measure == pytest.approx(average / SEATS, abs=1e-4)
    seat_drivers = [d["text"] for d in snapshot.drivers if d["measure"] == "seat_utilisation"]
    for text in seat_drivers:  # the score's own sentence, when it is among the drivers
        assert f"{average:.1f} of {SEATS} licensed seats" in text
        assert f"({fmt.percent(average / SEATS)})" in text


def test_last_touch_on_the_card_is_the_interaction_the_driver_counts(scored) -> None:
    with Session(scored) as session:
        snapshot = session.get(HealthScore, ("quartz", TODAY))

    card = invoke("ask", "how is quartz retail doing?", "--as", ANA)

    assert card.exit_code == 0, card.output
    touch = card.stdout.split("Last touch", 1)[1].splitlines()[:2]
    assert "103 days ago" in " ".join(touch), card.stdout
    assert "40 days ago" not in card.stdout
    measures = snapshot.components["relationship"]["measures"]
    assert measures["days_since_interaction"] == 103
    for driver in snapshot.drivers:
        if driver["measure"] == "days_since_interaction":
            assert "103 days ago" in driver["text"]


POINTS = re.compile(r"([\d.]+) × ([\d.]+)% = ([\d.]+) pts")


@pytest.mark.parametrize("account", ["initech", "quartz retail"])
def test_the_health_score_is_reproducible_from_the_card(scored, account) -> None:
    answer = invoke("ask", f"{account} health", "--as", ANA)

    assert answer.exit_code == 0, answer.output
    score = float(re.search(r"health \*?([\d.]+)", answer.stdout).group(1))
    rows = [tuple(map(float, m)) for m in POINTS.findall(answer.stdout)]
    assert len(rows) >= 4, answer.stdout
    from_weights = sum(component * weight / 100 for component, weight, _ in rows)
    from_points = sum(points for _, _, points in rows)
    # Display rounding: component scores to 0.1, weights to 0.1 %, points to 0.1.
    assert from_weights == pytest.approx(score, abs=0.35)
    assert from_points == pytest.approx(score, abs=0.05 * len(rows) + 0.05)
    assert sum(weight for _, weight, _ in rows) == pytest.approx(100, abs=0.3)
