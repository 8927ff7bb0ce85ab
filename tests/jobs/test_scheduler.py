"""The APScheduler setup: every job, time-zone-aware cron triggers, persisted in our DB."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from bot.db.session import make_session_factory
from bot.services import Services
from jobs.registry import JOBS
from jobs.scheduler import JOB_DEFAULTS, JOBSTORE_TABLE, build_scheduler
from tests.conftest import make_settings

NEW_YORK = ZoneInfo("America/New_York")


def _services(engine, tmp_path) -> Services:
    settings = make_settings(
        tmp_path,
        engine.url.render_as_string(hide_password=False),
        CSBOT_TIMEZONE="America/New_York",
        CSBOT_DIGEST_TIME="09:15",
        CSBOT_SCORE_TIME="05:00",
    )
    return Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))


def test_every_job_is_registered_with_settings_driven_cron_triggers(sqlite_engine, tmp_path):
    services = _services(sqlite_engine, tmp_path)
    scheduler = build_scheduler(services, context_key="k")
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {n for n, d in JOBS.items() if d.enabled(services.settings)}
        assert "sync_salesforce" not in jobs  # no Salesforce credentials: not scheduled
        for job in jobs.values():
            assert job.coalesce is JOB_DEFAULTS["coalesce"]
            assert job.max_instances == 1
            assert job.misfire_grace_time == JOB_DEFAULTS["misfire_grace_time"]
            assert job.kwargs == {"job_name": job.id, "context_key": "k"}
        friday_evening = datetime(2026, 11, 20, 18, 0, tzinfo=NEW_YORK)
        digest = jobs["manager_digest"].trigger.get_next_fire_time(None, friday_evening)
        assert digest == datetime(2026, 11, 23, 9, 15, tzinfo=NEW_YORK)  # Monday, local time
        rules = jobs["cta_rules"].trigger.get_next_fire_time(None, friday_evening)
        assert (rules.hour, rules.minute) == (5, 20)  # after scoring at 05:00
        weekly = jobs["csm_weekly_summary"].trigger.get_next_fire_time(None, friday_evening)
        assert weekly.weekday() == 0 and (weekly.hour, weekly.minute) == (9, 15)
    finally:
        scheduler.shutdown()


def test_a_run_missed_during_a_leader_change_is_kept(sqlite_engine, tmp_path):
    services = _services(sqlite_engine, tmp_path)
    first = build_scheduler(services, context_key="a")
    first.start(paused=True)
    first.shutdown()
    # the leader died just before 05:00 ran: the stored job is still due
    store = SQLAlchemyJobStore(engine=sqlite_engine, tablename=JOBSTORE_TABLE)
    job = store.lookup_job("score")
    missed = datetime.now(NEW_YORK).replace(microsecond=0) - timedelta(minutes=10)
    job.next_run_time = missed
    store.update_job(job)
    second = build_scheduler(services, context_key="b")
    second.start(paused=True)
    try:
        job = second.get_job("score")
        assert job.next_run_time == missed  # still due: runs once within the grace time
        assert job.kwargs["context_key"] == "b"
    finally:
        second.shutdown()
