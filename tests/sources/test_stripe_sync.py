"""`csbot sync run stripe` against FakeStripe with the official ``stripe`` library.

Through the CLI for what a user runs; through the engine with an injected sleep for the
faults (429 with no Retry-After, 500s), so no test waits for real. The fake's clock is
fixed at 2026-03-02 (nothing depends on today's date).
"""

from __future__ import annotations

import csv
import json
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import stripe
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.billing_links import account_index
from bot.db.models import Account, Contract, Invoice, SyncCursor
from bot.sources.stripe.api import StripeApi
from bot.sources.stripe.connector import StripeConnector, ingest_event
from bot.sources.sync.engine import ObjectRun, run_source
from bot.sources.sync.mapping import load_mapping
from tests.support.cli import invoke, spawn_csbot
from tests.support.fake_stripe import DAY, FakeStripe, Fault
from tests.support.score_parity import scored_rows, scored_rows_of_csv_import


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


@pytest.fixture
def stripe_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        monkeypatch.setenv("CSBOT_STRIPE_API_KEY", fake.api_key)
        monkeypatch.setenv("CSBOT_STRIPE_BASE_URL", fake.base_url)
        yield fake


def sync(*args: str) -> dict[str, dict[str, Any]]:
    """``csbot sync run stripe --json``: each object's run, by object name."""
    result = invoke("sync", "run", "stripe", "--json", *args)
    assert result.exit_code == 0, result.output
    return {run["object"]: run for run in json.loads(result.stdout)}


def connector_for(fake: FakeStripe, engine: Engine, slept: list[float]) -> StripeConnector:
    def accounts():
        with engine.connect() as connection:
            return account_index(connection)

    api = StripeApi(api_key=fake.api_key, base_url=fake.base_url, sleep=slept.append)
    return StripeConnector(api=api, mapping=load_mapping("stripe"), accounts=accounts)


def engine_sync(fake: FakeStripe, engine: Engine, slept: list[float], **kwargs) -> list[ObjectRun]:
    return run_source(connector_for(fake, engine, slept), engine, **kwargs)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- the rows the contract CSVs would hold, worked out here independently -------------
def day(epoch: int | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, UTC).date().isoformat()


def account_of(fake: FakeStripe, customer_id: str) -> str:
    customer = fake.objects["customers"][customer_id]
    return customer["metadata"].get("csbot_account_id") or customer_id


def expected_arr(subscription: dict[str, Any]) -> str:
    per_year = {"month": 12, "year": 1, "week": 52, "day": 365}
    total = sum(
        Decimal(item["price"]["unit_amount"])
        * item["quantity"]
        * per_year[item["price"]["recurring"]["interval"]]
        / item["price"]["recurring"]["interval_count"]
        for item in subscription["items"]["data"]
    )
    return f"{total / 100:.2f}"


def expected_invoice_status(invoice: dict[str, Any]) -> str | None:
    status = invoice["status"]
    if status == "open" and invoice["attempt_count"] > 0:
        return "failed"
    return {"paid": "paid", "open": "open", "void": "void", "uncollectible": "failed"}.get(status)


def contract_csvs(fake: FakeStripe, folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "csms.csv").write_text("csm_id,name\n")
    with (folder / "accounts.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["account_id", "name", "domain", "currency"])
        for customer in fake.objects["customers"].values():
            domain = customer["email"].split("@")[1]
            out.writerow([account_of(fake, customer["id"]), customer["name"], domain, "USD"])
    with (folder / "contracts.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["contract_id", "account_id", "start_date", "end_date", "arr", "status", "auto_renew"]
        )
        status = {
            "active": "active",
            "trialing": "active",
            "past_due": "active",
            "canceled": "churned",
        }
        for sub in fake.objects["subscriptions"].values():
            item = sub["items"]["data"][0]
            out.writerow(
                [
                    sub["id"],
                    account_of(fake, sub["customer"]),
                    day(item["current_period_start"]),
                    day(item["current_period_end"]),
                    expected_arr(sub),
                    status[sub["status"]],
                    "false" if sub["cancel_at_period_end"] else "true",
                ]
            )
    with (folder / "invoices.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["invoice_id", "account_id", "issued_at", "amount", "due_at", "paid_at", "status"]
        )
        for invoice in fake.objects["invoices"].values():
            mapped = expected_invoice_status(invoice)
            if mapped is None:
                continue  # drafts
            transitions = invoice["status_transitions"]
            out.writerow(
                [
                    invoice["id"],
                    account_of(fake, invoice["customer"]),
                    day(transitions["finalized_at"] or invoice["created"]),
                    f"{Decimal(invoice['amount_due']) / 100:.2f}",
                    day(invoice["due_date"]),
                    day(transitions["paid_at"]),
                    mapped,
                ]
            )


# --- tests ------------------------------------------------------------------------------
def test_full_sync_pages_to_the_end_and_maps_every_object(store, stripe_fake):
    stripe_fake.generate(1250, invoices_per_customer=2)
    invoices = stripe_fake.objects["invoices"].values()
    billed = [i for i in invoices if i["status"] != "draft"]

    runs = sync()

    assert {name: run["rows_changed"] for name, run in runs.items()} == {
        "customer": 1250,
        "subscription": 1250,  # status=all: canceled subscriptions too
        "invoice": len(billed),
    }
    assert runs["customer"]["pages"] == 13 and runs["invoice"]["pages"] == 25
    listed = stripe_fake.calls("GET /v1/customers")
    afters = [call.query.get("starting_after", [None])[0] for call in listed]
    assert len(listed) == 13 and afters[0] is None and len(set(afters)) == 13
    assert runs["invoice"]["skipped"] == len(invoices) - len(billed)  # drafts left out
    customers = list(stripe_fake.objects["customers"].values())
    linked, own = customers[0], customers[1]  # every third carries the metadata id
    sub = next(
        s for s in stripe_fake.objects["subscriptions"].values() if len(s["items"]["data"]) > 1
    )
    failed = next(i for i in billed if i["status"] == "open" and i["attempt_count"] > 0)
    with Session(store) as session:
        assert session.get(Account, "acct-00000").name == linked["name"] == "Customer 00000 Inc"
        account = session.get(Account, own["id"])
        contract = session.get(Contract, sub["id"])
        invoice = session.get(Invoice, failed["id"])
    assert (account.domain, account.currency) == ("customer00001.example", "USD")
    assert str(contract.arr) == expected_arr(sub)
    assert contract.account_id == account_of(stripe_fake, sub["customer"])
    assert contract.start_date.isoformat() == day(sub["items"]["data"][0]["current_period_start"])
    assert (invoice.status, str(invoice.amount)) == (
        "failed",
        f"{Decimal(failed['amount_due']) / 100:.2f}",
    )
    assert invoice.due_at.isoformat() == day(failed["due_date"])

    again = sync()  # the events up to the full read are behind the cursor

    assert all(run["pages"] == 0 and run["rows_changed"] == 0 for run in again.values())


def test_increment_reads_events_after_changes_and_a_rerun_writes_nothing(store, stripe_fake):
    stripe_fake.generate(150)
    sync()
    customers = list(stripe_fake.objects["customers"])
    invoices = list(stripe_fake.objects["invoices"].values())
    open_invoice = next(i for i in invoices if i["status"] == "open" and i["attempt_count"] == 0)
    to_pay = next(i for i in invoices if i["status"] == "open" and i["id"] != open_invoice["id"])
    active = next(
        s for s in stripe_fake.objects["subscriptions"].values() if s["status"] == "active"
    )
    stripe_fake.tick(60)
    stripe_fake.update("customers", customers[1], name="Renamed Customer")
    stripe_fake.fail_payment(open_invoice["id"])
    stripe_fake.pay_invoice(to_pay["id"])
    stripe_fake.cancel_subscription(active["id"])
    new = stripe_fake.add_invoice(customers[4], 7700, status="open")
    lists_before = len(stripe_fake.calls("GET /v1/invoices"))

    changed = sync()

    assert {name: run["rows_changed"] for name, run in changed.items()} == {
        "customer": 1,
        "subscription": 1,
        "invoice": 3,
    }
    assert len(stripe_fake.calls("GET /v1/invoices")) == lists_before  # events only
    with Session(store) as session:
        assert session.get(Account, customers[1]).name == "Renamed Customer"
        assert session.get(Invoice, open_invoice["id"]).status == "failed"
        assert session.get(Invoice, to_pay["id"]).status == "paid"
        assert session.get(Invoice, new["id"]).amount == Decimal("77.00")
        assert session.get(Contract, active["id"]).status == "churned"

    again = sync()

    assert all(run["rows_changed"] == 0 for run in again.values())
    assert all(run["pages"] == 0 for run in again.values())


def test_rate_limit_backs_off_then_continues(store, stripe_fake):
    stripe_fake.generate(350, invoices_per_customer=0)
    stripe_fake.add_fault(Fault("GET /v1/customers", status=429, skip=1, times=2))
    slept: list[float] = []

    [run] = engine_sync(stripe_fake, store, slept, object_name="customer")

    assert run.ok and run.rows_changed == 350
    assert slept == [1.0, 2.0]  # Stripe sent no Retry-After: exponential backoff
    assert [c.status for c in stripe_fake.calls("GET /v1/customers")] == [
        200,
        429,
        429,
        200,
        200,
        200,
    ]


def test_a_retry_after_header_is_honoured_when_stripe_sends_one(store, stripe_fake):
    stripe_fake.generate(150, invoices_per_customer=0)
    stripe_fake.add_fault(Fault("GET /v1/subscriptions", status=429, skip=1, retry_after=7))
    slept: list[float] = []

    runs = engine_sync(stripe_fake, store, slept)

    assert all(run.ok for run in runs) and slept == [7.0]


def test_server_error_mid_paging_keeps_the_cursor_and_resumes_after_it(store, stripe_fake):
    stripe_fake.generate(450, invoices_per_customer=0)
    stripe_fake.add_fault(Fault("GET /v1/customers", status=500, skip=2, times=99))
    slept: list[float] = []

    [failed] = engine_sync(stripe_fake, store, slept, object_name="customer")

    assert not failed.ok and failed.pages == 2 and failed.rows_changed == 200
    assert "GET /v1/customers: still failing after 6 attempts (last HTTP 500)" in failed.error[0]
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0]
    with Session(store) as session:
        cursor = session.get(SyncCursor, ("stripe", "customer"))
        assert json.loads(cursor.cursor)["after"]  # mid-list: resumes from the last id read
        assert cursor.last_error.startswith("stripe customer:")
    assert count(store, Account) == 200

    stripe_fake.faults.clear()
    [resumed] = engine_sync(stripe_fake, store, slept, object_name="customer")

    assert resumed.ok and resumed.rows_changed == 250 and count(store, Account) == 450
    assert stripe_fake.calls("GET /v1/customers")[-3].query["starting_after"]
    with Session(store) as session:
        assert "after" not in json.loads(session.get(SyncCursor, ("stripe", "customer")).cursor)


def test_bad_record_is_located_and_nothing_of_its_page_is_written(store, stripe_fake):
    stripe_fake.generate(20)
    sync()
    invoices = [i for i in stripe_fake.objects["invoices"].values() if i["status"] == "open"]
    stripe_fake.tick()
    stripe_fake.pay_invoice(invoices[0]["id"])
    stripe_fake.update("invoices", invoices[1]["id"], amount_due="abc")
    with Session(store) as session:
        before = session.get(SyncCursor, ("stripe", "invoice")).cursor

    result = invoke("sync", "run", "stripe")

    assert result.exit_code != 0
    assert (
        f"stripe invoice {invoices[1]['id']}: amount_due: 'abc': is not an amount" in result.output
    )
    with Session(store) as session:
        assert session.get(SyncCursor, ("stripe", "invoice")).cursor == before
        assert session.get(Invoice, invoices[0]["id"]).status == "open"  # its page not written


def test_a_deleted_customer_is_reported_and_a_voided_invoice_stored_void(store, stripe_fake):
    stripe_fake.generate(12)
    sync()
    customer = list(stripe_fake.objects["customers"])[2]
    invoice = next(i for i in stripe_fake.objects["invoices"].values() if i["status"] == "open")
    stripe_fake.tick()
    stripe_fake.void_invoice(invoice["id"])
    stripe_fake.delete_customer(customer)

    runs = sync()

    assert runs["customer"]["deleted_in_source"] == 1
    with Session(store) as session:
        assert session.get(Account, customer) is not None  # kept in the store
        assert session.get(Invoice, invoice["id"]).status == "void"
    assert all(run["deleted_in_source"] == 0 for run in sync().values())


def test_a_customer_links_to_the_crm_account_with_its_email_domain(store, stripe_fake, tmp_path):
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "csms.csv").write_text("csm_id,name\n")
    (folder / "accounts.csv").write_text(
        "account_id,name,domain,arr\nCRM-1,Globex (CRM),globex.com,90000\n"
    )
    assert invoke("import", str(folder)).exit_code == 0
    customer = stripe_fake.add_customer("GLOBEX LLC billing", "ap@globex.com")
    sub = stripe_fake.add_subscription(customer["id"], [(100000, 1, "year", 1)])
    stripe_fake.add_invoice(customer["id"], 100000, status="paid", subscription_id=sub["id"])

    runs = sync()

    assert runs["customer"]["rows_changed"] == 0 and runs["customer"]["skipped"] == 1
    with Session(store) as session:
        account = session.get(Account, "CRM-1")
        assert (account.name, account.arr) == ("Globex (CRM)", Decimal("90000.00"))  # not renamed
        assert session.get(Contract, sub["id"]).account_id == "CRM-1"
        assert session.get(Account, customer["id"]) is None


def test_a_refused_key_says_so_and_writes_nothing(store, stripe_fake, monkeypatch):
    stripe_fake.generate(5)
    monkeypatch.setenv("CSBOT_STRIPE_API_KEY", "sk_test_wrong")

    result = invoke("sync", "run", "stripe")

    assert result.exit_code != 0
    assert "the API key was refused (HTTP 401)" in result.output
    assert count(store, Account) == 0


def test_a_webhook_event_is_ingested_by_the_same_path_and_the_cursor_stays(store, stripe_fake):
    stripe_fake.generate(10)
    slept: list[float] = []
    engine_sync(stripe_fake, store, slept)
    invoice = next(i for i in stripe_fake.objects["invoices"].values() if i["status"] == "open")
    stripe_fake.tick()
    stripe_fake.pay_invoice(invoice["id"])
    event = stripe_fake.events[-1]
    with Session(store) as session:
        before = session.get(SyncCursor, ("stripe", "invoice")).cursor

    count_before = count(store, Invoice)

    verified = stripe.Event.construct_from(event, "sk_test_unused")  # what a webhook holds

    [run] = ingest_event(verified, store, connector_for(stripe_fake, store, slept))

    assert run.ok and run.rows_changed == 1
    with Session(store) as session:
        assert session.get(Invoice, invoice["id"]).status == "paid"
        assert session.get(SyncCursor, ("stripe", "invoice")).cursor == before
    [later] = engine_sync(stripe_fake, store, slept, object_name="invoice")
    assert later.ok and later.pages == 1  # the increment reads it again: same row, upserted
    with Session(store) as session:
        assert session.get(Invoice, invoice["id"]).status == "paid"
        assert session.scalar(select(func.count()).select_from(Invoice)) == count_before


def test_synced_score_equals_the_score_of_the_same_rows_imported_as_csv(
    store, stripe_fake, db_kind, tmp_path, monkeypatch
):
    stripe_fake.generate(90, invoices_per_customer=3)
    sync()
    synced_rows = scored_rows(tmp_path / "synced.csv", "2026-03-02")

    contract_csvs(stripe_fake, tmp_path / "contract")
    imported_rows = scored_rows_of_csv_import(
        tmp_path / "contract",
        db_kind=db_kind,
        tmp_path=tmp_path,
        monkeypatch=monkeypatch,
        as_of="2026-03-02",
    )

    assert len(synced_rows) > 0
    assert synced_rows == imported_rows


def test_the_assistant_answers_about_a_synced_accounts_billing(
    store, stripe_fake, tmp_path, time_machine
):
    time_machine.move_to(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), tick=False)
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "csms.csv").write_text(
        "csm_id,name,email,slack_user_id,role\nlead,Team Lead,l@x.com,ULEAD01,admin\n"
    )
    (folder / "accounts.csv").write_text("account_id,name\n")
    assert invoke("import", str(folder)).exit_code == 0
    customer = stripe_fake.add_customer(
        "Initech Billing", "ap@initech.example", account_id="INITECH"
    )
    sub = stripe_fake.add_subscription(
        customer["id"], [(50000, 10, "month", 1)], start=stripe_fake.now - 20 * DAY
    )
    stripe_fake.add_invoice(
        customer["id"],
        500000,
        status="open",
        subscription_id=sub["id"],
        attempt_count=2,
        created=stripe_fake.now - 40 * DAY,
    )
    sync()
    assert invoke("score", "--as-of", "2026-03-02").exit_code == 0

    renewal = invoke("ask", "when does Initech Billing renew?", "--as", "ULEAD01")
    health = invoke("ask", "what is the health of Initech Billing?", "--as", "ULEAD01")

    assert renewal.exit_code == 0, renewal.output
    assert "Initech Billing renews on 12 Mar 2026 (in 10 days)." in renewal.stdout
    assert "Contract ARR: $60,000" in renewal.stdout  # 10 × $500 a month
    assert health.exit_code == 0, health.output
    assert "1 failed or overdue invoice" in health.stdout
    assert "invoices 40 days old" in health.stdout


def test_kill_9_mid_full_read_then_resume_loses_nothing_and_writes_nothing_twice(
    store, stripe_fake
):
    stripe_fake.generate(700, invoices_per_customer=0)
    # 100 customers a page; the 5th list request is held, so the child waits there with
    # pages 1-4 read; it is killed once those four are committed (it prefetches a page).
    reached, release = stripe_fake.hold("GET /v1/customers", after=4)
    process = spawn_csbot("sync", "run", "stripe")
    try:
        assert reached.wait(120), "the sync never reached the held page"
        deadline = time.monotonic() + 60
        while count(store, Account) < 400 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert count(store, Account) == 400  # four whole pages, nothing half-written
    with Session(store) as session:
        cursor = json.loads(session.get(SyncCursor, ("stripe", "customer")).cursor)
    listed = sorted(
        stripe_fake.objects["customers"].values(), key=lambda c: (c["created"], c["id"])
    )[::-1]
    assert cursor["after"] == listed[399]["id"]

    runs = sync()

    assert runs["customer"]["rows_changed"] == 300  # only the rest: nothing twice
    assert count(store, Account) == 700  # nothing lost
    assert runs["subscription"]["rows_changed"] == 700


def test_arr_annualises_every_item_in_the_subscription_currency(store, stripe_fake):
    eur = stripe_fake.add_customer("Euro GmbH", "ap@euro.example", currency="eur")
    yen = stripe_fake.add_customer("Yen KK", "ap@yen.example", currency="jpy")
    many = stripe_fake.add_subscription(
        eur["id"],
        [(1000, 1, "month", 1)] * 12 + [(120000, 2, "year", 1), (500, 3, "week", 2)],
    )
    quarterly = stripe_fake.add_subscription(yen["id"], [(30000, 1, "month", 3)])

    sync()

    with Session(store) as session:
        # 12 × €10 × 12 + 2 × €1,200 + 3 × €5 × 26 (every 2 weeks) = €1,440 + €2,400 + €390
        assert session.get(Contract, many["id"]).arr == Decimal("4230.00")
        assert session.get(Contract, quarterly["id"]).arr == Decimal("120000.00")  # ¥, no cents
        assert session.get(Account, yen["id"]).currency == "JPY"
    assert len(stripe_fake.calls("GET /v1/subscription_items")) == 1  # 14 items: 10 embedded


def test_events_older_than_stripes_30_days_are_not_trusted_the_object_is_read_again(
    store, stripe_fake, time_machine
):
    """A sync left alone past Stripe's event retention re-reads the lists, losing nothing."""
    time_machine.move_to(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False)
    stripe_fake.generate(40)
    sync()
    unpaid = next(i for i in stripe_fake.objects["invoices"].values() if i["status"] == "open")
    stripe_fake.tick(60)
    stripe_fake.pay_invoice(unpaid["id"])  # its events age out before the next sync
    stripe_fake.tick(31 * DAY)
    time_machine.shift(31 * DAY + 60)
    lists_before = len(stripe_fake.calls("GET /v1/invoices"))

    caught_up = sync()

    assert len(stripe_fake.calls("GET /v1/invoices")) > lists_before  # a full list read
    assert (
        caught_up["invoice"]["rows_changed"]
        == len(stripe_fake.objects["invoices"]) - (caught_up["invoice"]["skipped"])
    )
    with Session(store) as session:
        assert session.get(Invoice, unpaid["id"]).status == "paid"
    assert all(run["rows_changed"] == 0 for run in sync().values())


def test_a_quiet_object_refreshes_its_cursor_daily_and_stays_on_events(
    store, stripe_fake, time_machine
):
    time_machine.move_to(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False)
    stripe_fake.generate(20)
    sync()
    time_machine.shift(2 * DAY)

    refreshed = sync()  # no events: one empty page per object moves "checked" on

    assert all(run["pages"] == 1 and run["rows_changed"] == 0 for run in refreshed.values())
    assert all(run["pages"] == 0 for run in sync().values())  # not again the same day
    lists_before = len(stripe_fake.calls("GET /v1/customers"))
    stripe_fake.tick(28 * DAY)
    time_machine.shift(28 * DAY)

    sync()  # 28 days since the last check: still inside the window

    assert len(stripe_fake.calls("GET /v1/customers")) == lists_before
