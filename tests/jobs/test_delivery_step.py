"""Delivery is an explicit step: only jobs whose registry entry says so send the outbox."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Alert
from bot.db.session import unit_of_work
from bot.services.outbox.queue import queue_message
from jobs.outbox import run_deliver_alerts
from jobs.registry import JOBS
from jobs.runner import run_job
from jobs.scoring import run_score
from tests.jobs.store import NOW
from tests.jobs.test_cta_rules import build_rule_store


def _statuses(services) -> list[str]:
    with unit_of_work(services.session_factory) as session:
        return [a.status for a in session.scalars(select(Alert).order_by(Alert.id))]


def test_a_job_that_does_not_declare_delivery_leaves_the_outbox_to_deliver_alerts(
    sqlite_slack_services, fake_slack
):
    services = sqlite_slack_services
    assert not JOBS["score"].delivers and JOBS["deliver_alerts"].delivers
    with unit_of_work(services.session_factory) as session:
        build_rule_store(session)
        queue_message(
            session,
            dedupe_key="note:1",
            kind="digest",
            channel="C_NOTES",
            text="a queued note",
            blocks=[],
            now=NOW,
            settings=services.settings,
        )
    scored = run_job("score", run_score, services, now=NOW)
    assert scored.ok, scored.error
    assert scored.delivery == {} and _statuses(services) == ["pending"]
    assert fake_slack.messages("C_NOTES") == []
    delivered = run_job("deliver_alerts", run_deliver_alerts, services, now=NOW)
    assert delivered.summary == {"alerts_by_status": {"pending": 1}}
    assert delivered.delivery["sent"] == 1 and _statuses(services) == ["sent"]
    assert [m.text for m in fake_slack.messages("C_NOTES")] == ["a queued note"]
