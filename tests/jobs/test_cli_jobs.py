"""`csbot jobs list / run` through the real CLI."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.db.models import Alert, Cta
from bot.db.session import make_engine, make_session_factory, unit_of_work
from jobs.registry import JOBS
from tests.jobs.test_cta_rules import build_rule_store
from tests.support.blockcheck import block_problems
from tests.support.cli import invoke


def _store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CSBOT_DATABASE_URL", url)
    assert invoke("init").exit_code == 0
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        build_rule_store(session)
    return engine, factory


def _counts(factory):
    with unit_of_work(factory) as session:
        return (
            session.scalar(select(func.count(Cta.id))),
            session.scalar(select(func.count(Alert.id))),
        )


def test_jobs_list_shows_every_job_with_its_schedule(monkeypatch):
    monkeypatch.setenv("CSBOT_TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("CSBOT_DIGEST_TIME", "09:15")
    result = invoke("jobs", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == set(JOBS)
    assert rows["manager_digest"]["schedule"] == "mon-fri 09:15 Europe/Paris"
    assert rows["cta_rules"]["schedule"] == "daily 06:20 Europe/Paris"


def test_dry_run_prints_the_payloads_and_writes_nothing(tmp_path, monkeypatch):
    engine, factory = _store(tmp_path, monkeypatch)
    result = invoke(
        "jobs", "run", "cta_rules", "--dry-run", "--json", "--now", "2026-11-18T14:00:00+00:00"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (
        report["dry_run"] and report["summary"]["ctas_created"] == 14
    )  # renewals have their own job
    previews = report["would_send"]
    assert len(previews) == 6 and all(p["channel"] == "U_ANA" for p in previews)
    assert all(not block_problems(p["blocks"]) for p in previews)
    assert _counts(factory) == (0, 0)
    human = invoke("jobs", "run", "cta_rules", "--dry-run", "--now", "2026-11-18T14:00")
    assert (
        "would send 6 message(s)" in human.stdout and "(dry run, nothing written)" in human.stdout
    )
    # a real run without a Slack token plans the same alerts and keeps them queued
    real = invoke("jobs", "run", "cta_rules", "--now", "2026-11-18T14:00")
    assert real.exit_code == 0 and "SLACK_BOT_TOKEN is not set" in real.stdout
    assert _counts(factory) == (14, 14 + 1)  # one alert row per CTA, plus the summary
    engine.dispose()


def test_bad_job_name_and_bad_time_are_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("CSBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    unknown = invoke("jobs", "run", "cta_rulez")
    assert unknown.exit_code == 2 and "no job named 'cta_rulez'" in unknown.output
    assert "cta_rules" in unknown.output
    bad_time = invoke("jobs", "run", "cta_rules", "--now", "yesterday")
    assert bad_time.exit_code == 2 and "--now: 'yesterday'" in bad_time.output
