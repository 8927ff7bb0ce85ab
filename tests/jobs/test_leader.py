"""One leader across replicas: the lease, the scheduler it gates, and concurrent deliverers."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.db.lease_repository import acquire_or_renew_lease, lease_is_held_by, release_lease
from bot.db.session import make_engine, make_session_factory, unit_of_work
from bot.services import Services
from bot.services.outbox.delivery import send_now
from jobs.ctas import run_cta_rules
from jobs.leader import SchedulerLeader
from jobs.registry import JobDefinition
from jobs.runner import run_job
from jobs.scheduler import SchedulerContext, register_context, run_scheduled_job
from tests.jobs.conftest import services_for
from tests.jobs.store import NOW
from tests.jobs.test_cta_rules import build_rule_store
from tests.support.databases import database_url, migrated_engine


def test_lease_is_taken_renewed_refused_and_taken_over_after_expiry(engine):
    factory = make_session_factory(engine)
    ttl = timedelta(seconds=30)

    def attempt(holder, at):
        with unit_of_work(factory) as session:
            return acquire_or_renew_lease(session=session, name="s", holder=holder, now=at, ttl=ttl)

    assert attempt("a", NOW)
    assert not attempt("b", NOW + timedelta(seconds=1))
    assert attempt("a", NOW + timedelta(seconds=20))  # renewal extends to +50 s
    assert not attempt("b", NOW + timedelta(seconds=45))
    assert attempt("b", NOW + timedelta(seconds=51))  # expired: taken over
    assert not attempt("a", NOW + timedelta(seconds=52))
    with unit_of_work(factory) as session:
        assert lease_is_held_by(
            session=session, name="s", holder="b", now=NOW + timedelta(seconds=52)
        )
        assert not release_lease(session=session, name="s", holder="a")
        assert release_lease(session=session, name="s", holder="b")
    assert attempt("a", NOW + timedelta(seconds=53))


@pytest.fixture
def postgres_url(tmp_path):
    with database_url("postgres", tmp_path) as url, migrated_engine(url):
        yield url


def _replica(url, tmp_path, fake, name):
    """A separate engine and services, as a second process would have."""
    engine = make_engine(url)
    return services_for(engine, tmp_path / name, fake)


def _clock():
    started = time.monotonic()
    return lambda: NOW + timedelta(seconds=time.monotonic() - started)


def test_two_schedulers_on_one_postgres_post_each_alert_once(postgres_url, tmp_path, fake_slack):
    first = _replica(postgres_url, tmp_path, fake_slack, "a")
    second = _replica(postgres_url, tmp_path, fake_slack, "b")
    with unit_of_work(first.session_factory) as session:
        build_rule_store(session)
    every_second = [
        JobDefinition(
            "cta_rules",
            "test",
            run_cta_rules,
            lambda s: IntervalTrigger(seconds=1, timezone=s.tz),
            lambda s: "every second",
            delivers=True,
        )
    ]
    clock = _clock()
    leaders = [
        SchedulerLeader(
            services, holder=name, definitions=every_second, clock=clock, ttl=timedelta(seconds=30)
        )
        for services, name in ((first, "replica-a"), (second, "replica-b"))
    ]
    try:
        held = [leader.step() for leader in leaders]
        assert sorted(held) == [False, True]
        time.sleep(3.5)  # the leader's job fires three times
        assert [leader.step() for leader in leaders] == held
        budget = first.settings.csm_daily_alert_budget
        fake_slack.wait_quiet(0.5)
        texts = [m.text for m in fake_slack.messages("DU_ANA")]
        assert len(texts) == budget + 1 == len(set(texts))
        # hand-over: the leader stops and gives up the lease; the other takes over and runs
        # the same job again, which posts nothing new
        current = leaders[held.index(True)]
        other = leaders[held.index(False)]
        current.stop()
        assert other.step() and other.is_leader
        time.sleep(2.5)
        fake_slack.wait_quiet(0.5)
        assert len(fake_slack.messages("DU_ANA")) == budget + 1
    finally:
        for leader in leaders:
            leader.stop()
        first.engine.dispose()
        second.engine.dispose()


def test_a_replica_that_lost_the_lease_does_not_run_its_job(sqlite_slack_services, fake_slack):
    with unit_of_work(sqlite_slack_services.session_factory) as session:
        build_rule_store(session)
        acquire_or_renew_lease(
            session=session,
            name="scheduler",
            holder="someone-else",
            now=NOW,
            ttl=timedelta(minutes=5),
        )
    definition = JobDefinition(
        "cta_rules",
        "test",
        run_cta_rules,
        lambda s: IntervalTrigger(seconds=1),
        lambda s: "",
        delivers=True,  # had it run, its alerts would have been posted
    )
    register_context(
        "stale-replica",
        SchedulerContext(
            services=sqlite_slack_services,
            holder="stale-replica",
            lease_name="scheduler",
            clock=lambda: NOW,
            definitions={"cta_rules": definition},
        ),
    )
    run_scheduled_job("cta_rules", "stale-replica")
    assert fake_slack.calls("chat.postMessage") == []


def test_two_deliverers_racing_on_postgres_send_each_alert_once(postgres_url, tmp_path, fake_slack):
    replicas = [_replica(postgres_url, tmp_path, fake_slack, n) for n in "ab"]
    with unit_of_work(replicas[0].session_factory) as session:
        build_rule_store(session)
    planned = run_job("cta_rules", run_cta_rules, replicas[0], now=NOW, deliver=False)
    assert planned.ok and planned.summary["alerts_planned"] > 0
    fake_slack.delay("chat.postMessage", 0.05)  # widen the race window
    reports = []

    def deliver(services: Services) -> None:
        reports.append(send_now(services, now=NOW))

    threads = [threading.Thread(target=deliver, args=(s,)) for s in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    budget = replicas[0].settings.csm_daily_alert_budget
    assert sum(r.sent for r in reports) == budget + 1
    texts = [m.text for m in fake_slack.messages("DU_ANA")]
    assert len(texts) == budget + 1 == len(set(texts))
    for services in replicas:
        services.engine.dispose()
