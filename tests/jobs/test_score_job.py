"""The daily score job calls the scoring service; the CTA rules then read its snapshots."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import HealthScore
from bot.db.session import unit_of_work
from jobs.ctas import run_cta_rules
from jobs.runner import run_job
from jobs.scoring import run_score
from tests.jobs.store import NOW
from tests.jobs.test_cta_rules import build_rule_store


def _snapshots(services, day):
    with unit_of_work(services.session_factory) as session:
        return session.scalar(
            select(func.count()).select_from(HealthScore).where(HealthScore.as_of == day)
        )


def test_score_job_writes_todays_snapshots_then_rules_use_them(sqlite_slack_services):
    services = sqlite_slack_services
    with unit_of_work(services.session_factory) as session:
        build_rule_store(session)
    before = _snapshots(services, NOW.date())
    dry = run_job("score", run_score, services, now=NOW, dry_run=True)
    assert dry.ok, dry.error
    assert _snapshots(services, NOW.date()) == before  # a dry run stores nothing
    result = run_job("score", run_score, services, now=NOW)
    assert result.ok, result.error
    assert result.summary["accounts"] == result.summary["snapshots_written"] > 0
    assert _snapshots(services, NOW.date()) == result.summary["accounts"]
    rules = run_job("cta_rules", run_cta_rules, services, now=NOW)
    assert rules.ok and rules.summary["accounts"] == result.summary["accounts"]
