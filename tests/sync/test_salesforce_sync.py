"""`csbot sync run salesforce` through the CLI and the real simple-salesforce client, against
the fake Salesforce, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditLog, Contact, Csm, SourceLoad, SyncCursor
from tests.support.cli import invoke
from tests.support.fake_salesforce import FakeSalesforce, account_id, contact_id

USERS, ACCOUNTS, CONTACTS = 8, 1000, 2500


def _store(url: str) -> Session:
    return Session(create_engine(url))


def _status(source_object: str) -> dict:
    result = invoke("sync", "status", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["object"]: row for row in json.loads(result.stdout)}
    return rows[source_object]


def _run(*args: str):
    result = invoke("sync", "run", "salesforce", *args)
    return result


def test_a_full_sync_pages_to_the_end_and_fills_a_fresh_store(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=USERS, accounts=ACCOUNTS, contacts=CONTACTS)

    result = _run()

    assert result.exit_code == 0, result.output
    assert "salesforce Account → accounts: 1000 rows written in 5 page(s)" in result.stdout
    assert "salesforce Contact → contacts: 2500 rows written in 13 page(s)" in result.stdout
    assert sf_env.counts["query_more"] == 4 + 12  # every nextRecordsUrl followed
    with _store(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Account)) == ACCOUNTS
        assert session.scalar(select(func.count()).select_from(Contact)) == CONTACTS
        assert session.scalar(select(func.count()).select_from(Csm)) == USERS
        first = session.get(Account, account_id(1))
        assert first.name == "Account 00001"
        assert first.domain == "account1.example.com"
        assert first.segment == "mid-market"  # picklist → contract enum
        assert float(first.arr) == 10_010.0  # the ARR__c custom field
        assert first.csm_id == "005000000000002AAA"  # the CSM__c lookup's user, by email
        unowned_csm = session.get(Account, account_id(4))  # no CSM__c: the owner
        assert unowned_csm.csm_id == "005000000000004AAA"
        loads = {row.source: row for row in session.scalars(select(SourceLoad))}
        assert loads["accounts"].import_id.startswith("sync-")  # freshness sees the sync
    status = _status("Account")
    assert status["rows_changed"] == ACCOUNTS and status["last_error"] is None
    store = json.loads(invoke("status", "--json").stdout)  # the freshness the answers use
    sources = {row["source"]: row for row in store["sources"]}
    assert sources["accounts"]["stale"] is False and sources["contacts"]["rows"] == CONTACTS
    assert status["cursor"].endswith(f"|{account_id(ACCOUNTS - 1)}")


def test_a_rerun_with_no_changes_writes_nothing(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=USERS, accounts=300, contacts=500)
    assert _run().exit_code == 0
    with _store(db_url) as session:
        audits = session.scalar(select(func.count()).select_from(AuditLog))
        loaded_before = session.get(SourceLoad, "accounts").last_loaded_at

    again = _run()

    assert again.exit_code == 0, again.output
    assert "salesforce Account → accounts: 0 rows written in 0 page(s)" in again.stdout
    assert "salesforce Contact → contacts: 0 rows written" in again.stdout
    with _store(db_url) as session:
        assert session.scalar(select(func.count()).select_from(AuditLog)) == audits
        # checked just now: the freshness line says so, though no row changed
        assert session.get(SourceLoad, "accounts").last_loaded_at > loaded_before
    assert _status("Account")["rows_changed"] == 0


def test_an_increment_reads_only_what_changed(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=USERS, accounts=500, contacts=900)
    assert _run().exit_code == 0
    for i in (3, 250, 499):
        sf_env.touch("Account", account_id(i), Name=f"Renamed {i}")
    sf_env.put(
        "Contact",
        {
            "Id": contact_id(90_000),
            "AccountId": account_id(7),
            "Name": "New Person",
            "Email": "new@example.org",
            "Title": "CFO",
            "LastActivityDate": None,
        },
    )

    result = _run()

    assert result.exit_code == 0, result.output
    assert "salesforce Account → accounts: 3 rows written in 1 page(s)" in result.stdout
    assert "salesforce Contact → contacts: 1 rows written in 1 page(s)" in result.stdout
    with _store(db_url) as session:
        assert session.get(Account, account_id(250)).name == "Renamed 250"
        assert session.get(Contact, contact_id(90_000)).title == "CFO"
        assert session.scalar(select(func.count()).select_from(Account)) == 500


def test_full_rereads_everything(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=USERS, accounts=250, contacts=0)
    first = _run("--object", "Account")  # before the users: owners are unknown
    assert first.exit_code == 0, first.output
    assert "250 with an owner email no csm has" in first.stdout
    assert _run("--object", "User").exit_code == 0
    assert "accounts: 0 rows written" in _run("--object", "Account").stdout

    result = _run("--object", "Account", "--full")

    assert result.exit_code == 0, result.output
    assert "salesforce Account → accounts: 250 rows written in 2 page(s)" in result.stdout
    with _store(db_url) as session:
        assert session.get(Account, account_id(4)).csm_id == "005000000000004AAA"


def test_deleted_records_mark_contacts_inactive_and_are_reported(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=USERS, accounts=300, contacts=400)
    assert _run().exit_code == 0
    sf_env.delete("Contact", contact_id(11))
    sf_env.delete("Account", account_id(5))

    result = _run()

    assert result.exit_code == 0, result.output
    assert (
        "1 deleted in salesforce (1 contacts marked inactive), kept in the store" in result.stdout
    )
    account_line = next(line for line in result.stdout.splitlines() if " Account " in line)
    assert "0 rows written in 1 page(s)" in account_line
    assert "1 deleted in salesforce, kept in the store" in account_line
    with _store(db_url) as session:
        assert session.get(Contact, contact_id(11)).is_active is False
        assert session.get(Contact, contact_id(12)).is_active is True
        assert session.get(Account, account_id(5)) is not None  # never deleted silently
    assert _status("Contact")["deleted_in_source"] == 1


def test_a_bad_record_fails_its_page_with_a_located_error_and_the_cursor_stays(
    sf_env: FakeSalesforce, db_url
):
    sf_env.generate(users=USERS, accounts=300, contacts=0)
    assert _run().exit_code == 0
    cursor_before = _status("Account")["cursor"]
    sf_env.touch("Account", account_id(20), Name="Changed in the same page")
    sf_env.touch("Account", account_id(21), ARR__c="abc")

    result = _run()

    assert result.exit_code == 1
    assert f"salesforce Account {account_id(21)}: ARR__c: 'abc': is not a number" in result.stderr
    assert "the cursor stays at the last page" in result.stderr
    with _store(db_url) as session:
        assert session.get(Account, account_id(20)).name == "Account 00020"  # nothing half-written
    status = _status("Account")
    assert status["cursor"] == cursor_before
    assert "ARR__c: 'abc'" in status["last_error"]
    sf_env.touch("Account", account_id(21), ARR__c=1234.5)
    fixed = _run()
    assert fixed.exit_code == 0, fixed.output
    with _store(db_url) as session:
        assert session.get(Account, account_id(20)).name == "Changed in the same page"
        assert float(session.get(Account, account_id(21)).arr) == 1234.5
    assert _status("Account")["last_error"] is None


def test_dry_run_checks_everything_and_writes_nothing(sf_env: FakeSalesforce, db_url):
    sf_env.generate(users=USERS, accounts=250, contacts=300)
    result = _run("--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "salesforce Account → accounts: 250 rows checked (dry run, nothing written)"
        in result.stdout
    )
    with _store(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0
        assert session.scalar(select(func.count()).select_from(SyncCursor)) == 0
