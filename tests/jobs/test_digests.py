"""Manager digest (with chart), CSM weekly summary and the data-freshness alert."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.db.models import Cta, Escalation, SourceLoad
from bot.db.session import unit_of_work
from jobs.digests import run_csm_weekly_summary, run_manager_digest
from jobs.freshness import run_data_freshness
from jobs.runner import run_job
from tests.jobs import store
from tests.jobs.conftest import services_for
from tests.jobs.store import NOW, TODAY
from tests.support.blockcheck import block_problems


def build_portfolio(session) -> None:
    store.add_team(session)
    rows = [  # account, owner, arr, yesterday (score, band), today (score, band)
        ("sinking", "ana", 100_000, (45, "yellow"), (35, "red")),
        ("stuck", "ana", 40_000, (30, "red"), (32, "red")),
        ("healed", "ben", 60_000, (38, "red"), (45, "yellow")),
        ("steady", "ben", 80_000, (80, "green"), (81, "green")),
        ("elsewhere", "out", 999_000, (20, "red"), (20, "red")),  # not in Maya's team
    ]
    for account_id, owner, arr, before, now in rows:
        store.add_account(session, account_id, csm_id=owner, arr=arr)
        store.add_health(session, account_id, 1, *before)
        store.add_health(session, account_id, 0, *now)
    store.add_contract(session, "sinking", "k1", ends_in_days=20, arr=100_000)
    store.add_contract(session, "steady", "k2", ends_in_days=75, arr=80_000)
    session.add(
        Cta(
            dedupe_key="x:1",
            account_id="stuck",
            rule="usage_drop",
            type="risk",
            priority="medium",
            playbook_id="adoption-reactivation",
            reason="old",
            owner_csm_id="ana",
            due_date=TODAY - timedelta(days=3),
            status="open",
            created_at=NOW - timedelta(days=10),
        )
    )
    session.add(
        Cta(
            dedupe_key="x:2",
            account_id="steady",
            rule="expansion",
            type="expansion",
            priority="medium",
            playbook_id="expansion",
            reason="done",
            owner_csm_id="ben",
            due_date=TODAY,
            status="completed",
            created_at=NOW - timedelta(days=5),
        )
    )
    session.add(
        Escalation(
            account_id="sinking",
            opened_by="U_ANA",
            severity="high",
            category="product",
            description="down",
            status="open",
            sla_due_at=NOW - timedelta(hours=2),
            created_at=NOW - timedelta(hours=6),
        )
    )


def _dump(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def harness(make_harness):
    harness = make_harness(CSBOT_DIGEST_CHANNEL="C_DIGEST")
    with unit_of_work(harness.services.session_factory) as session:
        build_portfolio(session)
    return harness


@pytest.mark.any_date
def test_manager_digest_reports_the_team_with_a_chart_once(harness, fake_slack):
    result = run_job("manager_digest", run_manager_digest, harness.services, now=NOW)
    assert result.ok and result.summary == {"digests_queued": 2}
    [digest, chart] = fake_slack.messages("DU_MGR")
    assert not block_problems(digest.blocks)
    text = _dump(digest.blocks)
    assert "*2* red (+0)" in text and "*1* yellow (+0)" in text and "*1* green (+0)" in text
    assert "$140,000 (+$40,000)" in text  # sinking + stuck red today; stuck + healed yesterday
    assert "Sinking Inc (35)" in text and "Healed Inc (45)" in text
    assert "Elsewhere" not in text  # another manager's book
    ends = (TODAY + timedelta(days=20)).strftime("%d %b")
    assert f"Sinking Inc — {ends}, $100,000, 🔴 35" in text
    assert "1 in 30 days · 2 in 90 days" in text
    assert "Ana CSM" in text or "<@U_ANA>: 1" in text
    assert "50% (1/2)" in text
    assert "#1 Sinking Inc (high)" in text
    assert chart.thread_ts == digest.ts and chart.files[0]["name"].endswith(".png")
    upload = fake_slack.uploads[chart.files[0]["id"]]
    assert upload["data"].startswith(b"\x89PNG")
    [channel_digest, _] = fake_slack.messages("C_DIGEST")
    assert "Elsewhere Inc (20)" not in _dump(channel_digest.blocks)  # stayed red: not news
    assert "*3* red" in _dump(channel_digest.blocks)
    again = run_job(
        "manager_digest", run_manager_digest, harness.services, now=NOW + timedelta(hours=1)
    )
    assert again.summary == {"digests_queued": 0}
    assert len(fake_slack.messages("DU_MGR")) == 2


@pytest.mark.any_date
def test_digest_drill_down_is_for_the_manager_only(harness, fake_slack):
    run_job("manager_digest", run_manager_digest, harness.services, now=NOW)
    digest = fake_slack.messages("DU_MGR")[0]
    buttons = next(b for b in digest.blocks if b["type"] == "actions")["elements"]
    red = next(b for b in buttons if b["value"].startswith("red|"))
    harness.click(
        red["action_id"],
        red["value"],
        user_id="U_MGR",
        channel_id="DU_MGR",
        message_ts=digest.ts,
        block_id="digest_drill",
    )
    harness.click(
        red["action_id"],
        red["value"],
        user_id="U_BEN",
        channel_id="DU_MGR",
        message_ts=digest.ts,
        block_id="digest_drill",
    )
    allowed, refused = fake_slack.calls("response_url")
    assert "Sinking Inc — 35" in _dump(allowed["blocks"])
    assert "Stuck Inc — 32" in _dump(allowed["blocks"])
    assert "someone else's book" in refused["text"]


def test_weekly_summary_goes_to_each_csm_once_a_week(harness, fake_slack):
    monday = NOW - timedelta(days=2)
    first = run_job("csm_weekly_summary", run_csm_weekly_summary, harness.services, now=monday)
    assert first.summary == {"summaries_queued": 3}  # ana, ben, out own accounts
    assert len(fake_slack.messages("DU_ANA")) == 1
    second = run_job(
        "csm_weekly_summary",
        run_csm_weekly_summary,
        harness.services,
        now=monday + timedelta(days=3),
    )
    assert second.summary == {"summaries_queued": 0}
    assert "Ana CSM's book" in _dump(fake_slack.messages("DU_ANA")[0].blocks)


def test_a_stale_source_is_announced_once_a_day(sqlite_engine, tmp_path, fake_slack):
    services = services_for(
        sqlite_engine,
        tmp_path,
        fake_slack,
        CSBOT_ALERTS_CHANNEL="C_ALERTS",
        CSBOT_STALE_AFTER_HOURS=48,
    )
    with unit_of_work(services.session_factory) as session:
        session.add(
            SourceLoad(source="usage_daily", last_loaded_at=NOW - timedelta(days=3), rows_loaded=10)
        )
        session.add(
            SourceLoad(source="accounts", last_loaded_at=NOW - timedelta(hours=2), rows_loaded=10)
        )
        store.add_team(session)
        store.add_account(session, "acme")
        store.add_usage(session, "acme", days=2, events=1)
    result = run_job("data_freshness", run_data_freshness, services, now=NOW)
    assert result.summary["stale_sources"] == ["usage_daily"] and result.summary["queued"]
    [alert] = fake_slack.messages("C_ALERTS")
    assert "usage_daily" in alert.text and "3.0 days" in _dump(alert.blocks)
    run_job("data_freshness", run_data_freshness, services, now=NOW + timedelta(hours=1))
    assert len(fake_slack.messages("C_ALERTS")) == 1
    with unit_of_work(services.session_factory) as session:
        session.get(SourceLoad, "usage_daily").last_loaded_at = NOW
    fresh = run_job("data_freshness", run_data_freshness, services, now=NOW + timedelta(hours=2))
    assert fresh.summary["stale_sources"] == []
    assert "expected every 48 h" in _dump(alert.blocks)


def test_rare_sources_are_judged_by_their_own_interval(sqlite_engine, tmp_path, fake_slack):
    """NPS loaded 5 days ago is on time (30 days expected); invoices a month late are not;
    a per-source override tightens NPS."""
    services = services_for(sqlite_engine, tmp_path, fake_slack, CSBOT_ALERTS_CHANNEL="C_ALERTS")
    with unit_of_work(services.session_factory) as session:
        for source, days in {"nps": 5, "invoices": 31, "usage_daily": 1}.items():
            session.add(
                SourceLoad(
                    source=source,
                    last_loaded_at=NOW - timedelta(days=days),
                    data_as_of=NOW - timedelta(days=days + 10),
                    rows_loaded=10,
                )
            )
    result = run_job("data_freshness", run_data_freshness, services, now=NOW)
    assert result.summary["stale_sources"] == ["invoices"]
    [alert] = fake_slack.messages("C_ALERTS")
    assert "expected every 30 days" in _dump(alert.blocks)

    strict = services_for(
        sqlite_engine,
        tmp_path,
        fake_slack,
        CSBOT_ALERTS_CHANNEL="C_ALERTS",
        CSBOT_STALE_AFTER_HOURS_BY_SOURCE="nps=72",
    )
    tightened = run_job("data_freshness", run_data_freshness, strict, now=NOW)
    assert tightened.summary["stale_sources"] == ["invoices", "nps"]
