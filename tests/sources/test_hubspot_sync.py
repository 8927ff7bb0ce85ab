"""`csbot sync run hubspot` against FakeHubSpot with the real hubspot-api-client.

Through the CLI for what a user runs; through the engine with an injected sleep for
the faults (429 + Retry-After, 500s), so no test waits for real. The fake's clock is
fixed (nothing depends on today's date).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditLog, Contact, Contract, Csm, Opportunity, SyncCursor
from bot.sources.hubspot.api import HubSpotApi
from bot.sources.hubspot.connector import HubSpotConnector
from bot.sources.sync.engine import ObjectRun, run_source
from bot.sources.sync.mapping import load_mapping
from tests.support.cli import invoke
from tests.support.fake_hubspot import FakeHubSpot, Fault


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHubSpot]:
    with FakeHubSpot() as fake:
        monkeypatch.setenv("CSBOT_HUBSPOT_TOKEN", fake.token)
        monkeypatch.setenv("CSBOT_HUBSPOT_BASE_URL", fake.base_url)
        yield fake


def sync(*args: str) -> dict[str, dict[str, object]]:
    """``csbot sync run hubspot --json``: each object's run, by object name."""
    result = invoke("sync", "run", "hubspot", "--json", *args)
    assert result.exit_code == 0, result.output
    return {run["object"]: run for run in json.loads(result.stdout)}


def engine_sync(fake: FakeHubSpot, engine: Engine, slept: list[float], **kwargs) -> list[ObjectRun]:
    api = HubSpotApi(token=fake.token, base_url=fake.base_url, sleep=slept.append)
    connector = HubSpotConnector(api=api, mapping=load_mapping("hubspot"))
    return run_source(connector, engine, **kwargs)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_full_sync_pages_to_the_end_and_maps_every_object(store, hubspot):
    hubspot.generate(1100, contacts_per_company=2, deals_per_company=1, owners=6)

    runs = sync()

    assert {name: run["rows_changed"] for name, run in runs.items()} == {
        "owner": 6,
        "company": 1100,
        "contact": 2200,
        "deal": 1100,
        "contract": runs["contract"]["rows_changed"],
    }
    assert runs["company"]["pages"] == 6  # 200 per search page: paged to the end
    searches = hubspot.calls("companies/search")
    floors = [int(c.body["filterGroups"][0]["filters"][0]["value"]) for c in searches]
    assert len(searches) == 6 and floors[0] == 0 and floors == sorted(set(floors))
    won = [
        d
        for d in hubspot.objects["deals"].values()
        if d["properties"]["dealstage"] in ("closedwon", "renewal_won")
    ]
    assert runs["contract"]["rows_changed"] == len(won) > 0
    assert count(store, Csm) == 6
    assert count(store, Account) == 1100
    assert count(store, Contact) == 2200
    assert count(store, Opportunity) == 1100
    assert count(store, Contract) == len(won)
    first_company = next(iter(hubspot.objects["companies"].values()))
    deal = next(
        d
        for d in hubspot.objects["deals"].values()
        if d["properties"]["dealstage"] == "renewal_won"
    )
    owner = next(
        o for o in hubspot.owners if o["id"] == first_company["properties"]["hubspot_owner_id"]
    )
    with Session(store) as session:
        account = session.get(Account, first_company["id"])
        stored_deal = session.get(Opportunity, deal["id"])
        contract = session.get(Contract, deal["id"])
        csm = session.get(Csm, account.csm_id)
    assert account.name == first_company["properties"]["name"]
    assert str(account.arr) == f"{float(first_company['properties']['annualrevenue']):.2f}"
    assert account.domain == first_company["properties"]["domain"]
    assert csm.email == owner["email"] and csm.name == f"{owner['firstName']} Owner"
    assert (stored_deal.type, stored_deal.stage, stored_deal.won) == ("renewal", "Renewed", True)
    assert contract.start_date.isoformat() == deal["properties"]["closedate"][:10]
    assert contract.end_date.year == contract.start_date.year + 1


def test_increment_reads_only_changes_and_a_rerun_writes_nothing(store, hubspot):
    hubspot.generate(300, contacts_per_company=1, deals_per_company=1)
    sync()
    companies = list(hubspot.objects["companies"])
    contacts = list(hubspot.objects["contacts"])
    hubspot.update_object("companies", companies[5], name="Renamed Co")
    hubspot.update_object("companies", companies[9], numberofemployees=77)
    hubspot.update_object("contacts", contacts[3], jobtitle="Chief Customer Officer")
    searches_before = len(hubspot.calls("companies/search"))

    changed = sync()

    assert {name: run["rows_changed"] for name, run in changed.items()} == {
        "owner": 0,
        "company": 2,
        "contact": 1,
        "deal": 0,
        "contract": 0,
    }
    [increment] = hubspot.calls("companies/search")[searches_before:]
    [condition] = increment.body["filterGroups"][0]["filters"]
    assert condition["propertyName"] == "hs_lastmodifieddate" and condition["operator"] == "GTE"
    assert int(condition["value"]) > 0
    with Session(store) as session:
        assert session.get(Account, companies[5]).name == "Renamed Co"
        assert session.get(Contact, contacts[3]).title == "Chief Customer Officer"
        audits = session.scalar(select(func.count()).where(AuditLog.action == "sync"))

    again = sync()

    assert all(run["rows_changed"] == 0 and run["pages"] == 0 for run in again.values())
    with Session(store) as session:
        assert session.scalar(select(func.count()).where(AuditLog.action == "sync")) == audits


def test_rate_limit_waits_retry_after_then_continues(store, hubspot):
    hubspot.generate(450, contacts_per_company=0, deals_per_company=0)
    hubspot.add_fault(
        Fault("POST /crm/v3/objects/companies/search", status=429, skip=1, retry_after=7)
    )
    slept: list[float] = []

    runs = engine_sync(hubspot, store, slept, object_name="company")

    assert runs[0].ok and runs[0].rows_changed == 450
    assert slept == [7.0]
    statuses = [c.status for c in hubspot.calls("companies/search")]
    assert statuses == [200, 429, 200, 200]


def test_server_error_mid_paging_is_retried_and_a_lasting_one_keeps_the_cursor(store, hubspot):
    hubspot.generate(650, contacts_per_company=0, deals_per_company=0)
    hubspot.add_fault(Fault("POST /crm/v3/objects/companies/search", status=500, skip=1, times=1))
    slept: list[float] = []

    [run] = engine_sync(hubspot, store, slept, object_name="company")

    assert run.ok and run.rows_changed == 650 and slept == [1.0]

    for n, company in enumerate(list(hubspot.objects["companies"])[:450]):
        hubspot.update_object("companies", company, name=f"Changed {n}")
    hubspot.add_fault(Fault("POST /crm/v3/objects/companies/search", status=500, skip=2, times=99))
    slept.clear()

    [failed] = engine_sync(hubspot, store, slept, object_name="company")

    assert not failed.ok and failed.pages >= 1 and failed.rows_changed == 200 * failed.pages
    assert "still failing after 6 attempts (last HTTP 500)" in failed.error[0]
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0]
    with Session(store) as session:
        cursor = session.get(SyncCursor, ("hubspot", "company"))
        names = session.scalars(select(Account.name).where(Account.name.like("Changed %"))).all()
    assert cursor.last_error.startswith("hubspot company:")
    assert len(names) == failed.rows_changed  # committed pages only, no row of the failed one

    hubspot.faults.clear()
    [resumed] = engine_sync(hubspot, store, slept, object_name="company")

    assert resumed.ok and resumed.rows_changed == 450 - failed.rows_changed  # only the rest
    with Session(store) as session:
        assert session.scalar(select(func.count()).where(Account.name.like("Changed %"))) == 450


def test_bad_record_is_located_and_nothing_of_its_page_is_written(store, hubspot):
    hubspot.generate(20, contacts_per_company=0, deals_per_company=0)
    sync()
    ids = list(hubspot.objects["companies"])
    hubspot.update_object("companies", ids[2], name="Good Change")
    hubspot.update_object("companies", ids[7], annualrevenue="abc")
    with Session(store) as session:
        cursor_before = session.get(SyncCursor, ("hubspot", "company")).cursor

    result = invoke("sync", "run", "hubspot")

    assert result.exit_code != 0
    assert f"hubspot company {ids[7]}: annualrevenue: 'abc'" in result.output
    assert "is not a number" in result.output
    with Session(store) as session:
        stored = session.get(SyncCursor, ("hubspot", "company"))
        assert stored.cursor == cursor_before
        assert session.get(Account, ids[2]).name != "Good Change"


def test_archived_records_are_reported_and_contacts_marked_inactive(store, hubspot):
    hubspot.generate(10, contacts_per_company=1, deals_per_company=0)
    sync()
    contact = list(hubspot.objects["contacts"])[4]
    company = list(hubspot.objects["companies"])[6]
    hubspot.archive_object("contacts", contact)
    hubspot.archive_object("companies", company)

    runs = sync()

    assert runs["contact"]["deleted_in_source"] == 1
    assert runs["contact"]["contacts_marked_inactive"] == 1
    assert runs["company"]["deleted_in_source"] == 1
    with Session(store) as session:
        assert session.get(Contact, contact).is_active is False
        assert session.get(Account, company) is not None  # kept in the store

    assert all(run["deleted_in_source"] == 0 for run in sync().values())


def test_more_changes_than_the_10k_search_cap_are_all_read(store, hubspot):
    hubspot.generate(10_250, contacts_per_company=0, deals_per_company=0, owners=2)

    runs = sync("--object", "company")

    assert runs["company"]["rows_changed"] == 10_250
    assert count(store, Account) == 10_250
    searches = hubspot.calls("companies/search")
    assert all(c.status == 200 for c in searches)  # never paged into HubSpot's refusal
    assert all(c.body.get("after") is None for c in searches)  # a new search per page...
    floors = [int(c.body["filterGroups"][0]["filters"][0]["value"]) for c in searches]
    assert floors == sorted(floors) and floors[0] == 0 < floors[-1]  # ...from the last time seen


def test_records_edited_while_paging_are_neither_lost_nor_skipped(store, hubspot):
    hubspot.generate(700, contacts_per_company=0, deals_per_company=0)
    ids = list(hubspot.objects["companies"])

    def edit_first_page(fake: FakeHubSpot) -> None:  # a user edits what was already read
        for company in ids[:5]:
            fake.update_object("companies", company, industry="RETAIL")

    hubspot.on_request("POST /crm/v3/objects/companies/search", edit_first_page, skip=1)

    runs = sync("--object", "company")

    assert runs["company"]["rows_changed"] == 705  # every company, and the 5 edits again
    assert count(store, Account) == 700
    with Session(store) as session:
        assert set(
            session.scalars(select(Account.industry).where(Account.account_id.in_(ids[:5])))
        ) == {"RETAIL"}


def test_a_refused_token_says_so_and_writes_nothing(store, hubspot, monkeypatch):
    hubspot.generate(5)
    monkeypatch.setenv("CSBOT_HUBSPOT_TOKEN", "pat-na1-wrong")

    result = invoke("sync", "run", "hubspot")

    assert result.exit_code != 0
    assert "the token was refused (HTTP 401)" in result.output
    assert count(store, Csm) == 0 and count(store, Account) == 0


def test_synced_store_answers_questions(store, hubspot):
    with Session(store) as session:  # the team's Slack roster; HubSpot owners have no Slack id
        session.add(
            Csm(
                csm_id="lead",
                name="Team Lead",
                email="csm1@example.com",
                slack_user_id="ULEAD01",
                role="admin",
            )
        )
        session.commit()
    hubspot.generate(40, contacts_per_company=2, deals_per_company=1, owners=3)
    sync()
    company = next(iter(hubspot.objects["companies"].values()))
    name = company["properties"]["name"]

    answer = invoke("ask", f"how is {name} doing?", "--as", "ULEAD01")

    assert answer.exit_code == 0, answer.output
    assert name in answer.stdout
    assert "Data as of" in answer.stdout
    with Session(store) as session:
        assert session.scalar(select(func.count()).select_from(Csm)) == 3  # owner 1 is "lead"
        assert session.get(Csm, "lead").slack_user_id == "ULEAD01"


def test_an_unreachable_hubspot_fails_cleanly_after_bounded_retries(store, hubspot):
    slept: list[float] = []
    api = HubSpotApi(token=hubspot.token, base_url="http://127.0.0.1:9", sleep=slept.append)
    connector = HubSpotConnector(api=api, mapping=load_mapping("hubspot"))

    [run] = run_source(connector, store)

    assert run.error == [
        "hubspot owner: GET /crm/v3/owners: HubSpot unreachable (MaxRetryError) after 6 attempts"
    ]
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert count(store, Csm) == 0


def test_many_records_at_one_instant_page_with_after_up_to_the_cap(store, hubspot):
    hubspot.generate(450, contacts_per_company=0, deals_per_company=0)
    for record in hubspot.objects["companies"].values():  # a bulk import: one timestamp
        record["properties"]["hs_lastmodifieddate"] = "2026-03-02T09:00:00.000Z"
    slept: list[float] = []

    [run] = engine_sync(hubspot, store, slept, object_name="company")

    assert run.ok and run.rows_changed == 450
    assert [c.body.get("after") for c in hubspot.calls("companies/search")] == [None, "200", "400"]

    api = HubSpotApi(token=hubspot.token, base_url=hubspot.base_url, search_cap=400)
    connector = HubSpotConnector(api=api, mapping=load_mapping("hubspot"))
    [capped] = run_source(connector, store, object_name="company", full=True)

    assert capped.error == [
        "hubspot company: hubspot companies: more than 400 records share the modification "
        "time 1772442000000; cannot page past HubSpot's search cap"
    ]
