"""`csbot sync run intercom` against FakeIntercom (csbot's own httpx client, real HTTP).

Through the CLI for what a user runs; through the engine with an injected sleep and
clock for the rate-limit and server faults, so no test waits for real. The fake's clock
is fixed (2026-03-02 09:00 UTC) and scoring runs ``--as-of`` that day: nothing here
depends on today's date.
"""

from __future__ import annotations

import csv
import json
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditLog, Contact, Csm, SyncCursor, Ticket
from bot.sources.intercom.api import IntercomApi
from bot.sources.intercom.connector import IntercomConnector
from bot.sources.sync.engine import ObjectRun, run_source
from bot.sources.sync.mapping import load_mapping
from tests.support.cli import invoke, spawn_csbot
from tests.support.fake_intercom import FakeIntercom, Fault
from tests.support.score_parity import scored_rows, scored_rows_of_csv_import

CLOCK = 1_800_000_000.0  # the API's injected wall clock (for X-RateLimit-Reset)
SCORE_DAY = "2026-03-02"


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


@pytest.fixture
def intercom(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntercom]:
    with FakeIntercom() as fake:
        monkeypatch.setenv("CSBOT_INTERCOM_TOKEN", fake.token)
        monkeypatch.setenv("CSBOT_INTERCOM_BASE_URL", fake.base_url)
        yield fake


def sync(*args: str) -> dict[str, dict[str, Any]]:
    """``csbot sync run intercom --json``: each object's run, by object name."""
    result = invoke("sync", "run", "intercom", "--json", *args)
    assert result.exit_code == 0, result.output
    return {run["object"]: run for run in json.loads(result.stdout)}


def engine_sync(
    fake: FakeIntercom, engine: Engine, slept: list[float], **kwargs: Any
) -> list[ObjectRun]:
    api = IntercomApi(
        token=fake.token, base_url=fake.base_url, sleep=slept.append, clock=lambda: CLOCK
    )
    connector = IntercomConnector(api=api, mapping=load_mapping("intercom"))
    return run_source(connector, engine, **kwargs)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_full_sync_pages_to_the_end_and_maps_every_object(store, intercom):
    intercom.generate(400, contacts_per_company=2, conversations_per_contact=2)

    runs = sync()

    assert {name: run["rows_changed"] for name, run in runs.items()} == {
        "company": 400,
        "contact": 800,
        "conversation": 1600,
    }
    assert runs["conversation"]["pages"] == 11  # 150 per search page: paged to the end
    searches = intercom.calls("POST /conversations/search")
    assert len(searches) == 11
    assert "starting_after" not in searches[0].body["pagination"]
    assert all("starting_after" in s.body["pagination"] for s in searches[1:])
    [condition] = searches[0].body["query"]["value"]
    assert (condition["field"], condition["operator"], condition["value"]) == (
        "updated_at",
        ">",
        "-1",
    )
    assert count(store, Account) == 400
    assert count(store, Contact) == 800
    assert count(store, Ticket) == 1600
    company = next(iter(intercom.companies.values()))
    contact = next(c for c in intercom.contacts.values() if c["role"] == "lead")
    rated = next(
        c
        for c in intercom.conversations.values()
        if c["conversation_rating"] and c["priority"] == "priority"
    )
    snoozed = next(c for c in intercom.conversations.values() if c["state"] == "snoozed")
    with Session(store) as session:
        account = session.get(Account, company["company_id"])
        stored_contact = session.get(Contact, contact["id"])
        ticket = session.get(Ticket, rated["id"])
        pending = session.get(Ticket, snoozed["id"])
    assert (account.name, account.domain) == (company["name"], company["website"][12:])
    assert stored_contact.email == contact["email"].lower()
    owner = next(
        c for c in intercom.companies.values() if c["id"] == contact["companies"]["data"][0]["id"]
    )
    assert stored_contact.account_id == owner["company_id"]
    assert (ticket.status, ticket.priority, ticket.csat) == (
        "closed",
        "high",
        rated["conversation_rating"]["rating"],
    )
    assert ticket.created_at.replace(tzinfo=UTC) == datetime.fromtimestamp(rated["created_at"], UTC)
    assert ticket.resolved_at is not None
    assert ticket.description == f"Export of report {int(rated['id']) - 100_000} fails & times out"
    assert pending.status == "pending" and pending.resolved_at is None


def test_increment_reads_only_changes_and_a_rerun_writes_nothing(store, intercom):
    intercom.generate(200, contacts_per_company=2, conversations_per_contact=1)
    sync()
    company = list(intercom.companies)[5]
    contact = list(intercom.contacts)[9]
    conversation = list(intercom.conversations)[3]
    intercom.update("companies", company, name="Renamed Co")
    intercom.update("contacts", contact, name="Renamed Person")
    intercom.update("conversations", conversation, state="closed", priority="priority")
    searches_before = len(intercom.calls("POST /conversations/search"))

    changed = sync()

    assert {name: run["rows_changed"] for name, run in changed.items()} == {
        "company": 1,
        "contact": 1,
        "conversation": 1,
    }
    # The changed conversation's contact did not change: it is looked up, once, by id.
    person = intercom.conversations[conversation]["contacts"]["contacts"][0]["id"]
    assert [c.path for c in intercom.calls("GET /contacts/")] == [f"/contacts/{person}"]
    [increment] = intercom.calls("POST /conversations/search")[searches_before:]
    [condition] = increment.body["query"]["value"]
    assert condition["field"] == "updated_at" and condition["operator"] == ">"
    assert int(condition["value"]) > 1_700_000_000
    with Session(store) as session:
        assert session.get(Account, intercom.companies[company]["company_id"]).name == "Renamed Co"
        assert session.get(Contact, contact).name == "Renamed Person"
        ticket = session.get(Ticket, conversation)
        assert (ticket.status, ticket.priority) == ("closed", "high")
        audits = session.scalar(select(func.count()).where(AuditLog.action == "sync"))

    again = sync()

    assert all(run["rows_changed"] == 0 and run["pages"] == 0 for run in again.values())
    with Session(store) as session:
        assert session.scalar(select(func.count()).where(AuditLog.action == "sync")) == audits


def test_rate_limit_waits_until_the_reset_then_continues(store, intercom):
    intercom.generate(100, contacts_per_company=1, conversations_per_contact=4)
    intercom.add_fault(
        Fault("POST /conversations/search", status=429, skip=1, reset_at=int(CLOCK) + 7)
    )
    intercom.add_fault(Fault("POST /contacts/search", status=429, skip=0, retry_after=3))
    slept: list[float] = []

    runs = engine_sync(intercom, store, slept)

    assert [run.ok for run in runs] == [True, True, True]
    assert runs[2].rows_changed == 400
    assert slept == [3.0, 7.0]  # Retry-After, then X-RateLimit-Reset against the clock
    statuses = [c.status for c in intercom.calls("POST /conversations/search")]
    assert statuses == [200, 429, 200, 200]


def test_server_error_mid_paging_is_retried_and_a_lasting_one_keeps_the_cursor(store, intercom):
    intercom.generate(100, contacts_per_company=1, conversations_per_contact=5)
    intercom.add_fault(Fault("POST /conversations/search", status=500, skip=1, times=1))
    slept: list[float] = []

    runs = engine_sync(intercom, store, slept)

    assert runs[-1].ok and runs[-1].rows_changed == 500 and slept == [1.0]

    for conversation in list(intercom.conversations)[:400]:
        intercom.update("conversations", conversation, title="Changed")
    intercom.add_fault(Fault("POST /conversations/search", status=500, skip=2, times=99))
    slept.clear()

    [failed] = engine_sync(intercom, store, slept, object_name="conversation")

    # Two pages committed (the first one less the record the cursor had read already).
    assert not failed.ok and failed.pages == 2 and failed.rows_changed == 299
    assert "still failing after 6 attempts (last HTTP 500)" in failed.error[0]
    assert failed.error[0].startswith("intercom conversation: POST /conversations/search:")
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0]
    with Session(store) as session:
        cursor = session.get(SyncCursor, ("intercom", "conversation"))
        changed = session.scalar(select(func.count()).where(Ticket.subject == "Changed"))
    assert cursor.last_error.startswith("intercom conversation:")
    assert changed == failed.rows_changed  # committed pages only, no row of the failed one

    intercom.faults.clear()
    [resumed] = engine_sync(intercom, store, slept, object_name="conversation")

    assert resumed.ok and resumed.rows_changed == 400 - failed.rows_changed  # only the rest
    with Session(store) as session:
        assert session.scalar(select(func.count()).where(Ticket.subject == "Changed")) == 400


def test_bad_record_is_located_and_nothing_of_its_page_is_written(store, intercom):
    intercom.generate(20, contacts_per_company=1, conversations_per_contact=1)
    sync()
    ids = list(intercom.conversations)
    intercom.update("conversations", ids[2], title="Good Change")
    intercom.update("conversations", ids[7], **{"conversation_rating.rating": 9})
    with Session(store) as session:
        cursor_before = session.get(SyncCursor, ("intercom", "conversation")).cursor

    result = invoke("sync", "run", "intercom")

    assert result.exit_code != 0
    assert f"intercom conversation {ids[7]}: conversation_rating.rating: '9'" in result.output
    with Session(store) as session:
        assert session.get(SyncCursor, ("intercom", "conversation")).cursor == cursor_before
        assert session.get(Ticket, ids[2]).subject != "Good Change"


def test_a_refused_token_says_so_and_writes_nothing(store, intercom, monkeypatch):
    intercom.generate(5)
    monkeypatch.setenv("CSBOT_INTERCOM_TOKEN", "wrong-token")

    result = invoke("sync", "run", "intercom")

    assert result.exit_code != 0
    assert "the token was refused (HTTP 401: Access Token Invalid)" in result.output
    assert count(store, Account) == 0 and count(store, Ticket) == 0


def test_a_restricted_plan_is_not_retried_and_keeps_the_cursor(store, intercom):
    intercom.generate(10, contacts_per_company=1, conversations_per_contact=1)
    intercom.add_fault(Fault("POST /conversations/search", status=403, times=99))
    slept: list[float] = []

    runs = engine_sync(intercom, store, slept)

    assert [run.ok for run in runs] == [True, True, False]
    assert runs[2].error == [
        "intercom conversation: POST /conversations/search: access was refused "
        "(HTTP 403: Active subscription needed.)"
    ]
    assert slept == [] and len(intercom.calls("POST /conversations/search")) == 1
    assert count(store, Contact) == 10 and count(store, Ticket) == 0


def test_contacts_without_a_company_and_their_conversations_are_skipped(store, intercom):
    intercom.generate(3, contacts_per_company=1, conversations_per_contact=1)
    stray = intercom.add_contact(99, None, updated_at=intercom.tick(), role="lead")
    intercom.add_conversation(99, stray, updated_at=intercom.tick())

    runs = sync()

    assert (runs["contact"]["rows_changed"], runs["contact"]["skipped"]) == (3, 1)
    assert (runs["conversation"]["rows_changed"], runs["conversation"]["skipped"]) == (3, 1)
    assert count(store, Contact) == 3 and count(store, Ticket) == 3


def _write_contract_csv(fake: FakeIntercom, folder: Path) -> None:
    """The fake's data written by hand as contract CSV, the way a team would export it."""
    folder.mkdir()

    def iso(epoch: int | None) -> str:
        return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch else ""

    def write(name: str, header: list[str], rows: list[list[Any]]) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            out.writerows(["" if v is None else v for v in row] for row in rows)

    write("csms.csv", ["csm_id", "name"], [])
    write(
        "accounts.csv",
        ["account_id", "name", "industry", "domain", "employee_count"],
        [
            [c["company_id"], c["name"], c["industry"], c["website"][12:], c["size"]]
            for c in fake.companies.values()
        ],
    )
    account_of = {
        contact_id: fake.companies[c["companies"]["data"][0]["id"]]["company_id"]
        for contact_id, c in fake.contacts.items()
    }
    write(
        "contacts.csv",
        ["contact_id", "account_id", "name", "email", "last_contacted_at"],
        [
            [i, account_of[i], c["name"], c["email"].lower(), iso(c["last_contacted_at"])]
            for i, c in fake.contacts.items()
        ],
    )
    status = {"open": "open", "snoozed": "pending", "closed": "closed"}
    tickets = []
    for i, c in fake.conversations.items():
        contact_id = c["contacts"]["contacts"][0]["id"]
        closed = c["state"] == "closed"
        tickets.append(
            [
                i,
                account_of[contact_id],
                contact_id,
                iso(c["created_at"]),
                iso(c["statistics"]["last_close_at"]) if closed else "",
                status[c["state"]],
                "high" if c["priority"] == "priority" else "normal",
                c["title"] or c["source"]["subject"],
                f"Export of report {int(i) - 100_000} fails & times out",
                (c["conversation_rating"] or {}).get("rating"),
            ]
        )
    write(
        "tickets.csv",
        [
            "ticket_id",
            "account_id",
            "contact_id",
            "created_at",
            "resolved_at",
            "status",
            "priority",
            "subject",
            "description",
            "csat",
        ],
        tickets,
    )


def _by_account(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(rows, key=lambda row: row["account_id"])


def test_synced_store_scores_like_the_same_data_imported_as_csv(
    store, intercom, db_kind, tmp_path, monkeypatch
):
    intercom.generate(120, contacts_per_company=2, conversations_per_contact=3)
    sync()
    synced = _by_account(scored_rows(tmp_path / "synced.csv", SCORE_DAY))

    _write_contract_csv(intercom, tmp_path / "contract")
    from_csv = _by_account(
        scored_rows_of_csv_import(
            tmp_path / "contract",
            db_kind=db_kind,
            tmp_path=tmp_path,
            monkeypatch=monkeypatch,
            as_of=SCORE_DAY,
        )
    )

    assert len(synced) == 120
    assert synced == from_csv  # row for row


def test_ask_answers_about_a_synced_accounts_tickets(store, intercom):
    with Session(store) as session:  # the team's Slack roster; Intercom has no csm owners
        session.add(Csm(csm_id="lead", name="Team Lead", slack_user_id="ULEAD01", role="admin"))
        session.commit()
    intercom.generate(30, contacts_per_company=2, conversations_per_contact=2)
    sync()
    company = next(iter(intercom.companies.values()))
    people = {
        i for i, c in intercom.contacts.items() if c["companies"]["data"][0]["id"] == company["id"]
    }
    still_open = sorted(
        i
        for i, c in intercom.conversations.items()
        if c["contacts"]["contacts"][0]["id"] in people and c["state"] in ("open", "snoozed")
    )

    answer = invoke("ask", f"what are the open tickets of {company['name']}?", "--as", "ULEAD01")

    assert answer.exit_code == 0, answer.output
    assert f"Tickets: {company['name']}" in answer.stdout
    assert f"Open: {len(still_open)}" in answer.stdout and still_open
    assert all(f"`{ticket_id}`" in answer.stdout for ticket_id in still_open)
    assert "Data as of" in answer.stdout


def test_kill_9_mid_sync_then_resume_loses_nothing_and_writes_nothing_twice(store, intercom):
    intercom.generate(100, contacts_per_company=1, conversations_per_contact=10)
    # 1,000 conversations, 150 a page: the 5th search is held, so the child waits there
    # with pages 1-4 read; it is killed once those four are committed.
    reached, release = intercom.hold("POST /conversations/search", after=4)
    process = spawn_csbot("sync", "run", "intercom")
    try:
        assert reached.wait(120), "the sync never reached the held page"
        deadline = time.monotonic() + 60
        while count(store, Ticket) < 600 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert count(store, Ticket) == 600  # four whole pages, nothing half-written
    with Session(store) as session:
        cursor = session.get(SyncCursor, ("intercom", "conversation"))
        assert cursor.last_success_at is None and cursor.cursor is not None

    runs = sync()

    assert runs["conversation"]["rows_changed"] == 400  # nothing twice
    assert runs["company"]["rows_changed"] == 0 and runs["contact"]["rows_changed"] == 0
    assert count(store, Ticket) == 1000  # nothing lost
