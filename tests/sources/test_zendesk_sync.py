"""`csbot sync run zendesk` against FakeZendesk (plain httpx, the recorded shapes).

Through the CLI for what a user runs; through the engine with an injected sleep for
the faults (429 + Retry-After, 500s), so no test waits for real. The fake's clock is
fixed (nothing depends on today's date).
"""

from __future__ import annotations

import csv
import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditLog, Contact, SyncCursor, Ticket
from bot.sources.sync.engine import ObjectRun, run_source
from bot.sources.sync.mapping import load_mapping
from bot.sources.zendesk.api import ZendeskApi
from bot.sources.zendesk.connector import ZendeskConnector
from tests.support.cli import invoke, spawn_csbot
from tests.support.fake_zendesk import FakeZendesk, Fault
from tests.support.score_parity import scored_rows, scored_rows_of_csv_import

EXPORT = "GET /api/v2/incremental/tickets/cursor.json"
STATUS = {"new": "open", "open": "open", "pending": "pending", "hold": "pending"}


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


@pytest.fixture
def zendesk(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZendesk]:
    with FakeZendesk() as fake:
        monkeypatch.setenv("CSBOT_ZENDESK_SUBDOMAIN", "acme")
        monkeypatch.setenv("CSBOT_ZENDESK_EMAIL", fake.email)
        monkeypatch.setenv("CSBOT_ZENDESK_API_TOKEN", fake.api_token)
        monkeypatch.setenv("CSBOT_ZENDESK_BASE_URL", fake.base_url)
        yield fake


def sync(*args: str) -> dict[str, dict[str, object]]:
    """``csbot sync run zendesk --json``: each object's run, by object name."""
    result = invoke("sync", "run", "zendesk", "--json", *args)
    assert result.exit_code == 0, result.output
    return {run["object"]: run for run in json.loads(result.stdout)}


def engine_sync(fake: FakeZendesk, engine: Engine, slept: list[float], **kwargs) -> list[ObjectRun]:
    api = ZendeskApi(
        base_url=fake.base_url, email=fake.email, api_token=fake.api_token, sleep=slept.append
    )
    return run_source(ZendeskConnector(api=api, mapping=load_mapping("zendesk")), engine, **kwargs)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_full_sync_pages_the_export_to_end_of_stream(store, zendesk):
    zendesk.generate(3500, organizations=120, users_per_org=2)

    runs = sync()

    assert {name: run["rows_changed"] for name, run in runs.items()} == {
        "organization": 120,
        "user": 240,
        "ticket": 3500,
    }
    assert runs["ticket"]["pages"] == 4  # 1000 per export page, to end_of_stream
    exports = zendesk.calls(EXPORT)
    assert len(exports) == 4 and exports[0].query["start_time"] == ["0"]
    assert all("cursor" in call.query for call in exports[1:])
    rated = next(t for t in zendesk.tickets.values() if t["satisfaction_rating"])
    solved = next(t for t in zendesk.tickets.values() if t["status"] == "hold")
    with Session(store) as session:
        ticket = session.get(Ticket, str(rated["id"]))
        held = session.get(Ticket, str(solved["id"]))
        org = session.get(Account, str(rated["organization_id"]))
        contact = session.get(Contact, str(rated["requester_id"]))
    assert ticket.account_id == str(rated["organization_id"])
    assert ticket.csat == {"good": 5, "bad": 1}[rated["satisfaction_rating"]["score"]]
    assert ticket.subject == rated["subject"]
    assert held.status == "pending"  # Zendesk's hold → the contract's pending
    assert org.name == zendesk.organizations[rated["organization_id"]]["name"]
    assert org.domain == zendesk.organizations[rated["organization_id"]]["domain_names"][0]
    assert contact.email == zendesk.users[rated["requester_id"]]["email"].lower()


def test_increment_reads_only_changes_and_a_rerun_writes_nothing(store, zendesk):
    zendesk.generate(2200, organizations=40)
    sync()
    ids = list(zendesk.tickets)
    zendesk.update_ticket(ids[10], subject="Renamed ticket")
    zendesk.rate(ids[20], "bad", "Slow answers")
    before = len(zendesk.calls(EXPORT))

    changed = sync()

    assert changed["ticket"]["rows_changed"] == 2 and changed["ticket"]["pages"] == 1
    [increment] = zendesk.calls(EXPORT)[before:]
    assert "cursor" in increment.query and "start_time" not in increment.query
    with Session(store) as session:
        assert session.get(Ticket, str(ids[10])).subject == "Renamed ticket"
        assert session.get(Ticket, str(ids[20])).csat == 1
        audits = session.scalar(select(func.count()).where(AuditLog.action == "sync"))

    again = sync()

    assert all(run["rows_changed"] == 0 and run["pages"] == 0 for run in again.values())
    with Session(store) as session:
        assert session.scalar(select(func.count()).where(AuditLog.action == "sync")) == audits


def test_rate_limit_waits_retry_after_then_continues(store, zendesk):
    zendesk.generate(2500, organizations=10)
    zendesk.add_fault(Fault(EXPORT, status=429, skip=1, retry_after=9))
    slept: list[float] = []

    runs = engine_sync(zendesk, store, slept)

    assert all(run.ok for run in runs) and runs[-1].rows_changed == 2500
    assert slept == [9.0]
    assert [c.status for c in zendesk.calls(EXPORT)] == [200, 429, 200, 200]


def test_server_error_mid_paging_is_retried_and_a_lasting_one_keeps_the_cursor(store, zendesk):
    zendesk.generate(2500, organizations=10)
    zendesk.add_fault(Fault(EXPORT, status=500, skip=1, times=2))
    slept: list[float] = []

    runs = engine_sync(zendesk, store, slept)

    assert runs[-1].ok and runs[-1].rows_changed == 2500 and slept == [1.0, 2.0]

    ids = list(zendesk.tickets)
    for n, ticket_id in enumerate(ids[:1500]):
        zendesk.update_ticket(ticket_id, subject=f"Changed {n}")
    zendesk.add_fault(Fault(EXPORT, status=500, skip=1, times=99))
    slept.clear()

    failed = engine_sync(zendesk, store, slept, object_name="ticket")[0]

    assert not failed.ok and failed.pages == 1 and failed.rows_changed == 1000
    assert "still failing after 6 attempts (last HTTP 500)" in failed.error[0]
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0]
    with Session(store) as session:
        cursor = session.get(SyncCursor, ("zendesk", "ticket"))
        changed = session.scalar(select(func.count()).where(Ticket.subject.like("Changed %")))
    assert cursor.last_error.startswith("zendesk ticket:")
    assert changed == 1000  # the committed page only

    zendesk.faults.clear()
    [resumed] = engine_sync(zendesk, store, slept, object_name="ticket")

    assert resumed.ok and resumed.rows_changed == 500  # only the rest
    with Session(store) as session:
        assert session.scalar(select(func.count()).where(Ticket.subject.like("Changed %"))) == 1500


def test_bad_record_is_located_and_nothing_of_its_page_is_written(store, zendesk):
    zendesk.generate(30, organizations=5)
    sync()
    ids = list(zendesk.tickets)
    zendesk.update_ticket(ids[2], subject="Good change")
    zendesk.update_ticket(ids[7], priority="whenever")
    with Session(store) as session:
        cursor_before = session.get(SyncCursor, ("zendesk", "ticket")).cursor

    result = invoke("sync", "run", "zendesk")

    assert result.exit_code != 0
    assert f"zendesk ticket {ids[7]}: priority: 'whenever'" in result.output
    with Session(store) as session:
        assert session.get(SyncCursor, ("zendesk", "ticket")).cursor == cursor_before
        assert session.get(Ticket, str(ids[2])).subject != "Good change"


def test_kill_9_mid_sync_then_resume_loses_nothing_and_writes_nothing_twice(store, zendesk):
    zendesk.generate(5000, organizations=10, users_per_org=1)
    # The 4th ticket export page is held: the child waits there with pages 1-3 read (it
    # prefetches a page ahead) and is killed once those three are committed.
    reached, release = zendesk.hold(EXPORT, after=3)
    process = spawn_csbot("sync", "run", "zendesk")
    try:
        assert reached.wait(120), "the sync never reached the held page"
        deadline = time.monotonic() + 60
        while count(store, Ticket) < 3000 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert count(store, Ticket) == 3000  # three whole pages, nothing half-written

    runs = sync()

    assert runs["ticket"]["rows_changed"] == 2000  # nothing twice
    assert count(store, Ticket) == 5000  # nothing lost


def test_a_deleted_ticket_is_reported_and_kept(store, zendesk):
    zendesk.generate(50, organizations=5)
    sync()
    gone = list(zendesk.tickets)[12]
    zendesk.delete_ticket(gone)

    runs = sync()

    assert runs["ticket"]["deleted_in_source"] == 1 and runs["ticket"]["rows_changed"] == 0
    with Session(store) as session:
        assert session.get(Ticket, str(gone)) is not None  # nothing is deleted from the store
    assert sync()["ticket"]["deleted_in_source"] == 0


def test_refused_credentials_say_so_and_write_nothing(store, zendesk, monkeypatch):
    zendesk.generate(5, organizations=2)
    monkeypatch.setenv("CSBOT_ZENDESK_API_TOKEN", "wrong")

    result = invoke("sync", "run", "zendesk")

    assert result.exit_code != 0
    assert "the credentials were refused (HTTP 401)" in result.output
    assert count(store, Account) == 0


def test_an_oauth_token_works_instead_of_the_api_token(store, zendesk, monkeypatch):
    zendesk.generate(20, organizations=2)
    monkeypatch.delenv("CSBOT_ZENDESK_API_TOKEN")
    monkeypatch.setenv("CSBOT_ZENDESK_OAUTH_TOKEN", zendesk.oauth_token)

    assert sync()["ticket"]["rows_changed"] == 20


def _contract_folder(fake: FakeZendesk, folder: Path) -> Path:
    """The fake's data written as contract CSVs by hand, the way a team would export it."""
    folder.mkdir()
    (folder / "csms.csv").write_text("csm_id,name\n")
    with (folder / "accounts.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["account_id", "name", "domain", "status"])
        for org in fake.organizations.values():
            writer.writerow([org["id"], org["name"], org["domain_names"][0], "active"])
    with (folder / "contacts.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["contact_id", "account_id", "name", "email", "is_active"])
        for user in fake.users.values():
            writer.writerow(
                [user["id"], user["organization_id"], user["name"], user["email"].lower(), "true"]
            )
    with (folder / "tickets.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["ticket_id", "account_id", "created_at", "resolved_at", "status", "priority"]
            + ["category", "subject", "description", "csat", "escalated"]
        )
        for t in fake.tickets.values():
            rating = (t["satisfaction_rating"] or {}).get("score")
            closed = t["status"] in ("solved", "closed")
            writer.writerow(
                [t["id"], t["organization_id"], t["created_at"], t["updated_at"] if closed else ""]
                + [STATUS.get(t["status"], t["status"]), t["priority"] or "", t["type"] or ""]
                + [t["subject"], t["description"], {"good": 5, "bad": 1}.get(rating, "")]
                + ["true" if "escalated" in t["tags"] else "false"]
            )
    return folder


def test_synced_store_scores_like_the_same_data_imported_as_csv(
    store, zendesk, db_kind, tmp_path, monkeypatch
):
    zendesk.generate(1500, organizations=60)
    sync()
    synced_rows = scored_rows(tmp_path / "synced.csv", "2026-03-02")

    folder = _contract_folder(zendesk, tmp_path / "contract")
    imported_rows = scored_rows_of_csv_import(
        folder, db_kind=db_kind, tmp_path=tmp_path, monkeypatch=monkeypatch, as_of="2026-03-02"
    )

    assert len(synced_rows) == 60
    assert synced_rows == imported_rows


def test_the_assistant_answers_about_a_synced_accounts_tickets(store, zendesk, tmp_path):
    team = tmp_path / "team"
    team.mkdir()
    (team / "csms.csv").write_text("csm_id,name,slack_user_id,role\nlead,Team Lead,ULEAD01,admin\n")
    (team / "accounts.csv").write_text("account_id,name\n")
    assert invoke("import", str(team)).exit_code == 0
    zendesk.generate(400, organizations=8)
    sync()
    org_id, org = next(iter(zendesk.organizations.items()))
    open_count = sum(
        1
        for t in zendesk.tickets.values()
        if t["organization_id"] == org_id and t["status"] in ("new", "open", "pending", "hold")
    )

    answer = invoke("ask", f"how many open tickets does {org['name']} have?", "--as", "ULEAD01")

    assert answer.exit_code == 0, answer.output
    assert org["name"] in answer.stdout
    assert f"Open: {open_count} " in answer.stdout
    assert "Data as of" in answer.stdout
