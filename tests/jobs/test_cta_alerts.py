"""CTA alerts through the outbox and the fake Slack server: once, on budget, on time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Alert, AuditLog
from bot.db.session import unit_of_work
from bot.services.outbox.queue import queue_message
from jobs.ctas import run_cta_rules, run_renewal_reminders
from jobs.runner import run_job
from tests.jobs.conftest import services_for
from tests.jobs.store import NOW
from tests.jobs.test_cta_rules import build_rule_store
from tests.support.blockcheck import block_problems


def _build(services):
    with unit_of_work(services.session_factory) as session:
        build_rule_store(session)


def _alerts(services):
    with unit_of_work(services.session_factory) as session:
        return session.scalars(select(Alert).order_by(Alert.id)).all()


def test_cta_alerts_respect_budget_cooldown_and_post_once(slack_services, fake_slack):
    _build(slack_services)
    first = run_job("cta_rules", run_cta_rules, slack_services, now=NOW)
    assert first.ok, first.error
    posts = fake_slack.calls("chat.postMessage")
    budget = slack_services.settings.csm_daily_alert_budget
    # Ana owns every account: `budget` single DMs, then one summary with the rest.
    assert len(posts) == budget + 1
    assert {p["channel"] for p in posts} == {"U_ANA"}
    summary = posts[-1]
    assert "more CTA(s)" in summary["text"]
    for post in posts:
        assert not block_problems(post["blocks"])
    singles = posts[:budget]
    assert [p["blocks"][0]["text"]["text"].split(":")[0] for p in singles]  # headers present
    # the most urgent go first: every single alert is high priority
    assert all("Priority *high*" in p["blocks"][1]["text"]["text"] for p in singles)
    alert_rows = _alerts(slack_services)
    assert sum(a.status == "sent" for a in alert_rows) == budget + 1
    assert all(a.status in ("sent", "rolled") for a in alert_rows)
    # re-running the job (and the renewal job, same day) posts nothing new
    again = run_job("cta_rules", run_cta_rules, slack_services, now=NOW + timedelta(minutes=5))
    assert again.ok and again.summary["ctas_created"] == 0
    assert len(fake_slack.calls("chat.postMessage")) == budget + 1


def test_an_alert_carries_why_first_steps_and_buttons(sqlite_slack_services, fake_slack):
    _build(sqlite_slack_services)
    run_job("cta_rules", run_cta_rules, sqlite_slack_services, now=NOW)
    posts = fake_slack.calls("chat.postMessage")
    first = next(p for p in posts if "Escalated Inc" in p["blocks"][0]["text"]["text"])
    text = "\n".join(
        b.get("text", {}).get("text", "") for b in first["blocks"] if b["type"] == "section"
    )
    assert "*Why*" in text and "active users down 42%" in text
    assert "*First steps*" in text
    actions = next(b for b in first["blocks"] if b["type"] == "actions")
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids[:4] == ["cta_acknowledge", "cta_snooze", "cta_complete", "cta_reassign"]
    draft = next(e for e in actions["elements"] if e["action_id"] == "draft_email")
    assert draft["value"] == actions["block_id"].split(":")[1]  # the CTA id, for drafting


def test_routing_by_type_and_quiet_hours(sqlite_engine, tmp_path, fake_slack):
    services = services_for(
        sqlite_engine,
        tmp_path,
        fake_slack,
        CSBOT_CTA_CHANNELS="renewal=dm+C_RENEW",
        CSBOT_CSM_DAILY_ALERT_BUDGET=50,
    )
    _build(services)
    night = NOW.replace(hour=22)  # inside 20:00-08:00 UTC
    result = run_job("renewal_reminders", run_renewal_reminders, services, now=night)
    assert result.ok and result.summary["ctas_created"] == 2
    assert fake_slack.calls("chat.postMessage") == []  # quiet hours: held, not dropped
    pending = [a for a in _alerts(services) if a.status == "pending"]
    assert len(pending) == 4 and all(a.next_attempt_at.hour == 8 for a in pending)
    morning = run_job(
        "deliver_alerts", lambda ctx: {}, services, now=night + timedelta(hours=10, minutes=1)
    )
    assert morning.delivery["sent"] == 4
    channels = sorted(p["channel"] for p in fake_slack.calls("chat.postMessage"))
    assert channels == ["C_RENEW", "C_RENEW", "U_ANA", "U_ANA"]
    header = fake_slack.calls("chat.postMessage")[0]["blocks"][0]["text"]["text"]
    assert header.startswith("🔁 Renewal in")
    with unit_of_work(services.session_factory) as session:
        audited = session.scalars(select(AuditLog).where(AuditLog.action == "alert.sent")).all()
    assert len(audited) == 4


def test_slack_500_mid_run_leaves_unsent_pending_and_next_run_sends_once(
    slack_services, fake_slack
):
    _build(slack_services)
    fake_slack.fail_next("chat.postMessage", status=500, times=2)
    first = run_job("cta_rules", run_cta_rules, slack_services, now=NOW)
    assert first.delivery["failed"] == 2
    budget = slack_services.settings.csm_daily_alert_budget
    assert len(fake_slack.messages("DU_ANA")) == budget + 1 - 2
    failed = [a for a in _alerts(slack_services) if a.attempts == 1 and a.status == "pending"]
    assert len(failed) == 2 and all(a.last_error and "500" in a.last_error for a in failed)
    assert all(a.next_attempt_at > NOW for a in failed)
    # a re-run before the backoff sends nothing; after it, each failed alert goes once
    run_job("deliver_alerts", lambda ctx: {}, slack_services, now=NOW + timedelta(seconds=10))
    assert len(fake_slack.messages("DU_ANA")) == budget - 1
    run_job("deliver_alerts", lambda ctx: {}, slack_services, now=NOW + timedelta(minutes=5))
    run_job("deliver_alerts", lambda ctx: {}, slack_services, now=NOW + timedelta(minutes=10))
    texts = [m.text for m in fake_slack.messages("DU_ANA")]
    assert len(texts) == budget + 1 == len(set(texts))
    assert all(a.status in ("sent", "rolled") for a in _alerts(slack_services))


def test_posts_to_one_channel_are_paced_under_its_rate_limit(sqlite_slack_services, fake_slack):
    services = sqlite_slack_services
    fake_slack.limit_channel_rate(per_second=1.0, burst=3)  # Slack: ~1/s, short bursts
    with unit_of_work(services.session_factory) as session:
        for n in range(5):
            queue_message(
                session,
                dedupe_key=f"note:{n}",
                kind="digest",
                channel="C_BUSY",
                text=f"note {n}",
                blocks=[],
                now=NOW,
                settings=services.settings,
            )
    result = run_job("deliver_alerts", lambda ctx: {}, services, now=NOW)
    assert result.delivery["sent"] == 5
    calls = fake_slack.requests("chat.postMessage")
    assert [c.status for c in calls] == [200] * 5  # paced: never ran into a 429
    assert calls[4].at - calls[0].at >= 1.8  # a burst of three, then one a second
    assert [m.text for m in fake_slack.messages("C_BUSY")] == [f"note {n}" for n in range(5)]


def test_a_429_is_recorded_on_the_alert_and_retried_after_retry_after(
    sqlite_engine, tmp_path, fake_slack
):
    services = services_for(sqlite_engine, tmp_path, fake_slack, CSBOT_CTA_CHANNELS="*=C_ALERTS")
    _build(services)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    result = run_job("renewal_reminders", run_renewal_reminders, services, now=NOW)
    assert result.delivery["failed"] == 2 and result.delivery["sent"] == 2
    assert all("ratelimited" in error for error in result.delivery["errors"])
    # the channel was held for Retry-After instead of being hammered: 2 refused calls only
    assert [c.status for c in fake_slack.requests("chat.postMessage")] == [429, 429, 200, 200]
    retried = [a for a in _alerts(services) if a.attempts == 3]
    assert len(retried) == 1 and retried[0].status == "sent"
    assert len(fake_slack.messages("C_ALERTS")) == 2
