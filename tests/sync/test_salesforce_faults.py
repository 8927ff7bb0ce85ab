"""Salesforce faults, through the CLI and the real simple-salesforce client: rate limits,
REQUEST_LIMIT_EXCEEDED, expired sessions, 500s mid-paging, and a kill -9 mid-sync."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Contact
from bot.settings import Settings
from bot.sources.sync import salesforce
from bot.sources.sync.protocol import SyncCursor
from tests.support.cli import invoke, spawn_csbot
from tests.support.fake_salesforce import FakeSalesforce, account_id


def _count(url: str, model: type) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(model)))
    finally:
        engine.dispose()


def _status(source_object: str) -> dict:
    rows = json.loads(invoke("sync", "status", "--json").stdout)
    return next(row for row in rows if row["object"] == source_object)


def test_429_with_retry_after_is_honoured(fake_sf: FakeSalesforce, tmp_path: Path):
    """Connector level, with the sleep injected: the wait is the server's Retry-After."""
    fake_sf.generate(users=2, accounts=600, contacts=0)
    fake_sf.rate_limit("query_more", retry_after="7", after=1)
    waits: list[float] = []
    settings = Settings(
        _env_file=None,
        CSBOT_DATA_DIR=tmp_path / "var",
        CSBOT_SALESFORCE_INSTANCE_URL=fake_sf.instance_url,
        CSBOT_SALESFORCE_ACCESS_TOKEN=fake_sf.token,
        CSBOT_SALESFORCE_PAGE_SIZE=200,
    )
    connector = salesforce.build(settings, sleep=waits.append)

    pages = list(connector.read("Account", SyncCursor(None)))

    assert waits == [7.0]
    assert sum(len(page.rows) for page in pages) == 600
    assert fake_sf.counts["query_more"] == 3  # the refused page was asked for again


def test_a_429_through_the_cli_is_retried_and_the_sync_completes(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=2, accounts=500, contacts=0)
    sf_env.rate_limit("query_more", retry_after="0", after=0)

    result = invoke("sync", "run", "salesforce", "--object", "User")
    result = invoke("sync", "run", "salesforce", "--object", "Account")

    assert result.exit_code == 0, result.output
    assert _count(db_url, Account) == 500


def test_request_limit_exceeded_is_retried_then_given_up_with_the_cursor_kept(
    sf_env: FakeSalesforce, db_url
):
    sf_env.generate(users=2, accounts=500, contacts=0)
    sf_env.request_limit_exceeded("query_more", times=50, after=1)  # a daily limit: it lasts

    result = invoke("sync", "run", "salesforce")

    assert result.exit_code == 1
    assert "REQUEST_LIMIT_EXCEEDED" in result.stderr
    assert "after 4 attempt(s)" in result.stderr  # CSBOT_SALESFORCE_MAX_RETRIES=3: bounded
    assert _count(db_url, Account) == 400  # the two pages before the limit are kept
    status = _status("Account")
    assert status["cursor"].endswith(f"|{account_id(399)}")
    assert "REQUEST_LIMIT_EXCEEDED" in status["last_error"]
    sf_env.faults.clear()  # the limit resets: the next run resumes after page 2
    resumed = invoke("sync", "run", "salesforce", "--object", "Account")
    assert "accounts: 100 rows written in 1 page(s)" in resumed.stdout
    assert _count(db_url, Account) == 500


def test_a_500_mid_paging_is_retried_with_backoff(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=2, accounts=800, contacts=0)
    sf_env.fail(
        "query_more",
        500,
        body=[{"message": "boom", "errorCode": "UNKNOWN_EXCEPTION"}],
        times=2,
        after=1,
    )

    result = invoke("sync", "run", "salesforce")

    assert result.exit_code == 0, result.output
    assert _count(db_url, Account) == 800
    assert sf_env.counts["query_more"] == 3 + 2


def test_an_expired_session_logs_in_again_once(sf_env: FakeSalesforce, db_url, monkeypatch):
    monkeypatch.setenv("CSBOT_SALESFORCE_USERNAME", sf_env.username)
    monkeypatch.setenv("CSBOT_SALESFORCE_PASSWORD", sf_env.password)
    monkeypatch.setenv("CSBOT_SALESFORCE_SECURITY_TOKEN", sf_env.security_token)
    monkeypatch.setenv("CSBOT_SALESFORCE_DOMAIN", sf_env.instance_url)  # the login URL
    sf_env.generate(users=2, accounts=700, contacts=0)
    sf_env.expire_sessions("query_more", after=1)

    result = invoke("sync", "run", "salesforce")

    assert result.exit_code == 0, result.output
    assert sf_env.counts["login"] == 1
    assert _count(db_url, Account) == 700


def test_an_expired_token_without_login_details_is_a_clear_error(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=2, accounts=300, contacts=0)
    sf_env.expire_sessions("query", after=1)

    result = invoke("sync", "run", "salesforce")

    assert result.exit_code == 1
    assert "the session expired (INVALID_SESSION_ID)" in result.stderr
    assert "CSBOT_SALESFORCE" not in result.stderr or "token" in result.stderr
    assert _status("Account")["cursor"] is None


def test_kill_9_mid_sync_then_resume_loses_nothing_and_writes_nothing_twice(
    sf_env: FakeSalesforce, db_url
):
    sf_env.generate(users=4, accounts=400, contacts=2000)
    # Contacts come 200 a page; the 5th follow-up page request overall (after the accounts'
    # page 2 and contacts' pages 2-4) is held, so the child waits there with contact pages
    # 1-4 read; it is killed once those four are committed (it prefetches a page ahead).
    reached, release = sf_env.hold("query_more", after=1 + 3)
    process = spawn_csbot("sync", "run", "salesforce")
    try:
        assert reached.wait(120), "the sync never reached the held page"
        deadline = time.monotonic() + 60
        while _count(db_url, Contact) < 800 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert _count(db_url, Contact) == 800  # four whole pages, nothing half-written
    status = _status("Contact")
    assert status["last_success_at"] is None
    assert status["cursor"].endswith("|003000000000799AAA")

    result = invoke("sync", "run", "salesforce")

    assert result.exit_code == 0, result.output
    assert "salesforce Contact → contacts: 1200 rows written" in result.stdout  # nothing twice
    assert _count(db_url, Contact) == 2000  # nothing lost
    assert _count(db_url, Account) == 400


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_a_bad_mapping_is_refused_with_located_errors(sf_env, tmp_path, monkeypatch):
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "salesforce.yaml").write_text(
        "source: salesforce\n"
        "objects:\n"
        "  Account:\n"
        "    table: accounts\n"
        "    fields:\n"
        "      account_id: Id\n"
        "      revenue: ARR__c\n"
        "      segment: {field: Segment__c, values: {Enterprise: huge}}\n"
        "  Thing:\n"
        "    table: things\n"
        "    fields: {x: y}\n"
    )
    monkeypatch.setenv("CSBOT_SYNC_MAPPING_DIR", str(folder))

    result = invoke("sync", "run", "salesforce")

    assert result.exit_code == 2
    assert (
        "salesforce.yaml: objects.Account.fields.revenue: not a column of accounts" in result.stderr
    )
    assert "objects.Account.fields.segment.values.Enterprise: 'huge' is not one of" in result.stderr
    assert "objects.Account.fields.name: required by the contract" in result.stderr
    assert "objects.Thing.table: 'things' is not a contract table" in result.stderr
