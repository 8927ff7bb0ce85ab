"""Sync jobs: scheduled (hourly by default, per-source interval) only when the source is
configured, and run exactly like `csbot sync run` under the job runner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db.session import make_session_factory
from bot.services import Services
from jobs.scheduler import build_scheduler
from tests.conftest import make_settings
from tests.support.cli import invoke
from tests.support.fake_salesforce import FakeSalesforce


def _scheduled(engine, tmp_path, **settings) -> dict:
    url = engine.url.render_as_string(hide_password=False)
    services = Services(
        settings=make_settings(tmp_path, url, **settings),
        engine=engine,
        session_factory=make_session_factory(engine),
    )
    scheduler = build_scheduler(services, context_key="sync-test")
    scheduler.start(paused=True)
    try:
        return {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def test_a_sync_job_is_scheduled_only_for_a_configured_source(sqlite_engine, tmp_path):
    assert "sync_salesforce" not in _scheduled(sqlite_engine, tmp_path)

    jobs = _scheduled(
        sqlite_engine,
        tmp_path,
        CSBOT_SALESFORCE_INSTANCE_URL="https://example.my.salesforce.com",
        CSBOT_SALESFORCE_ACCESS_TOKEN="00Dx!token",
    )

    trigger = jobs["sync_salesforce"].trigger
    start = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, start) == datetime(2026, 11, 20, 10, 20, tzinfo=UTC)


def test_the_interval_is_configurable_per_source(sqlite_engine, tmp_path):
    jobs = _scheduled(
        sqlite_engine,
        tmp_path,
        CSBOT_SALESFORCE_INSTANCE_URL="https://example.my.salesforce.com",
        CSBOT_SALESFORCE_ACCESS_TOKEN="00Dx!token",
        CSBOT_SYNC_SCHEDULE="salesforce=15",
    )
    start = datetime(2026, 11, 20, 10, 1, tzinfo=UTC)
    assert jobs["sync_salesforce"].trigger.get_next_fire_time(None, start) == datetime(
        2026, 11, 20, 10, 15, tzinfo=UTC
    )


def test_a_bad_schedule_stops_start_up_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CSBOT_SYNC_SCHEDULE", "salesforce=often")
    result = invoke("sync", "list")
    assert result.exit_code == 2
    assert "CSBOT_SYNC_SCHEDULE" in result.stderr


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_the_scheduled_job_syncs_like_the_command(sf_env: FakeSalesforce):
    sf_env.generate(users=3, accounts=300, contacts=450)

    result = invoke("jobs", "run", "sync_salesforce")

    assert result.exit_code == 0, result.output
    assert "Account: 300" in result.stdout and "Contact: 450" in result.stdout
    listed = invoke("sync", "list")
    assert "salesforce   configured      every 60 min" in listed.stdout
