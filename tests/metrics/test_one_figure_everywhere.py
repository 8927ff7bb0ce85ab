"""One definition per metric: the digest, chat and App Home show the same ARR at risk.

The book mixes every case the definitions used to split on: red accounts, a green
account in the at-risk lifecycle stage, a yellow account a CSM overrode to red, a euro
account, and another manager's red account. The expected figure is read from the store
here, row by row, without the code under test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Alert, HealthOverride, HealthScore
from bot.db.session import unit_of_work
from bot.slack import formatting as fmt
from jobs.digests import run_manager_digest
from jobs.runner import run_job
from tests.jobs import store
from tests.jobs.conftest import JOB_SETTINGS
from tests.jobs.store import NOW, TODAY
from tests.support.cli import invoke
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import build_harness
from tests.support.slack_requests import app_home_opened_event, event_payload

MANAGER = "U_MGR"


def build_book(session: Session) -> None:
    store.add_team(session)
    rows = [  # account, owner, ARR, (score, band) yesterday and today
        ("sinking", "ana", 100_000, (45, "yellow"), (35, "red")),
        ("stuck", "ana", 40_000, (30, "red"), (32, "red")),
        ("staged", "ben", 250_000, (75, "green"), (76, "green")),  # stage at-risk below
        ("pinned", "ben", 60_000, (55, "yellow"), (52, "yellow")),  # overridden to red
        ("calm", "ben", 80_000, (80, "green"), (81, "green")),
        ("euro", "ana", 30_000, (36, "red"), (34, "red")),
        ("elsewhere", "out", 999_000, (20, "red"), (20, "red")),  # not Maya's team
    ]
    for account_id, owner, arr, before, now in rows:
        store.add_account(session, account_id, csm_id=owner, arr=arr)
        store.add_health(session, account_id, 1, *before)
        store.add_health(session, account_id, 0, *now)
    session.get(Account, "euro").currency = "EUR"
    for snapshot in session.scalars(select(HealthScore).where(HealthScore.account_id == "staged")):
        snapshot.stage = "at-risk"
    session.add(
        HealthOverride(
            account_id="pinned",
            band="red",
            reason="exec sponsor left",
            until=TODAY + timedelta(days=20),
            created_by="ben",
            created_at=NOW - timedelta(days=3),
        )
    )


def expected_arr_at_risk(session: Session, csm_ids: set[str]) -> list[str]:
    """ARR of red (override included) or at-risk-stage accounts, per currency, from rows."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for account in session.scalars(select(Account).where(Account.csm_id.in_(csm_ids))):
        latest = session.scalars(
            select(HealthScore)
            .where(HealthScore.account_id == account.account_id, HealthScore.as_of <= TODAY)
            .order_by(HealthScore.as_of.desc())
        ).first()
        override = session.scalars(
            select(HealthOverride).where(
                HealthOverride.account_id == account.account_id,
                HealthOverride.until >= TODAY,
                HealthOverride.cleared_at.is_(None),
            )
        ).first()
        band = override.band if override else latest.band
        if band == "red" or latest.stage == "at-risk":
            sums[account.currency or "USD"] += account.arr
    return [fmt.money(amount, currency) for currency, amount in sorted(sums.items())]


@pytest.fixture
def harness(fake_slack: FakeSlackApi, tmp_path, engine: Engine, monkeypatch, time_machine):
    time_machine.move_to(NOW, tick=False)
    harness = build_harness(fake_slack, tmp_path, engine, **JOB_SETTINGS)
    with unit_of_work(harness.services.session_factory) as session:
        build_book(session)
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return harness


def test_digest_chat_and_app_home_show_the_same_arr_at_risk(harness, engine, fake_slack) -> None:
    with Session(engine) as session:
        team = {"mgr", "ana", "ben", "nos"}
        expected = expected_arr_at_risk(session, team)
    assert expected == [fmt.money(30_000, "EUR"), fmt.money(450_000, "USD")]  # the book's shape

    run_job("manager_digest", run_manager_digest, harness.services, now=NOW)
    digest = json.dumps(fake_slack.messages("DU_MGR")[0].blocks, ensure_ascii=False)

    chat = invoke("ask", "ARR at risk", "--as", MANAGER)
    assert chat.exit_code == 0, chat.output

    harness.dispatch(event_payload(app_home_opened_event(MANAGER, tab="home")))
    home = json.dumps(fake_slack.home_views[MANAGER]["blocks"], ensure_ascii=False)

    with Session(engine) as session:
        chart = session.scalars(
            select(Alert).where(Alert.kind == "digest_chart", Alert.channel == MANAGER)
        ).one()
    series = chart.payload["upload"]["chart"]["red_arr"]
    last_points = [
        fmt.money(points[-1][1], currency) for currency, points in sorted(series.items())
    ]
    assert last_points == expected  # the chart ends where the headline is

    for surface, text in (("digest", digest), ("chat", chat.stdout), ("App Home", home)):
        for amount in expected:
            assert amount in text, f"{surface} does not show {amount}"
        assert fmt.money(999_000) not in text, f"{surface} shows another team's account"


def test_what_does_arr_at_risk_mean_defines_it_and_shows_the_askers_figure(harness, engine):
    with Session(engine) as session:
        expected = expected_arr_at_risk(session, {"mgr", "ana", "ben", "nos"})

    answer = invoke("ask", "what does ARR at risk mean?", "--as", MANAGER)

    assert answer.exit_code == 0, answer.output
    assert "What “ARR at risk” means" in answer.stdout
    assert "red (a band override in force counts) or whose lifecycle stage is at-risk" in (
        answer.stdout
    )
    assert " + ".join(reversed(expected)) in answer.stdout  # largest first: $ then €
    assert "5 accounts" in answer.stdout


@pytest.mark.parametrize(
    ("question", "name", "figure"),
    [
        ("what does NPS mean", "NPS", None),
        ("what is an NPS detractor?", "Detractors", "0 of 0 responses"),
        ("define red accounts", "Red accounts", "4"),
        ("what does renewals due mean", "Renewals due", "0 contracts"),
        ("how is seat utilization calculated?", "Seats used", None),
        ("what does last touch mean", "Last touch", None),
        ("what do the health bands mean", "Health bands", "4 red · 0 yellow · 2 green"),
        ("what does churn risk mean", "Churn risk", None),
    ],
)
def test_each_glossary_entry_answers_what_does_it_mean(harness, question, name, figure) -> None:
    answer = invoke("ask", question, "--as", MANAGER)

    assert answer.exit_code == 0, answer.output
    assert f"What “{name}” means" in answer.stdout
    if figure is not None:
        assert figure in answer.stdout
