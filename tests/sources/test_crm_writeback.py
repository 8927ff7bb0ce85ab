"""`csbot writeback crm` against the fake HubSpot and Salesforce servers, on both databases.

The store holds accounts keyed by their CRM ids and health snapshots with known values
(a fixed computed_at, nothing read from today's clock); the real clients
(hubspot-api-client, simple-salesforce) talk HTTP to the fakes, which record exactly
what they received.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditLog, CrmWritebackValue, HealthScore
from tests.support.cli import invoke
from tests.support.fake_hubspot import FakeHubSpot
from tests.support.fake_salesforce import FakeSalesforce, account_id
from tests.support.fake_salesforce_writeback import install_composite

SCORED = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
HUBSPOT_FIELDS = {
    "health_score": "csbot_health_score",
    "band": "csbot_health_band",
    "churn_risk": "csbot_churn_risk",
    "top_driver": "csbot_top_driver",
    "scored_at": "csbot_scored_at",
}


def _snapshot(account: str, score: float, band: str, risk: float | None, driver: str | None):
    drivers = [{"text": driver, "component": "usage"}] if driver else []
    return HealthScore(
        account_id=account,
        as_of=DAY,
        score=score,
        band=band,
        computed_band=band,
        components={},
        drivers=drivers,
        missing_components=[],
        churn_risk=risk,
        config_version="v2",
        computed_at=SCORED,
    )


def _store(engine: Engine, accounts: dict[str, tuple[float, str, float | None, str | None]]):
    with Session(engine) as session:
        for number, (record_id, values) in enumerate(accounts.items()):
            session.add(Account(account_id=record_id, name=f"Account {number}", status="active"))
            session.flush()
            session.add(_snapshot(record_id, *values))
        # an account from a CSV import: not a CRM record, never written back
        session.add(Account(account_id="acc_local", name="Local Co", status="active"))
        session.flush()
        session.add(_snapshot("acc_local", 10.0, "red", 0.9, "no logins"))
        session.commit()


def _rescore(engine: Engine, account: str, **changes: object) -> None:
    with Session(engine) as session:
        row = session.scalars(select(HealthScore).where(HealthScore.account_id == account)).one()
        for name, value in changes.items():
            setattr(row, name, value)
        session.commit()


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


# --------------------------------------------------------------------------- HubSpot
@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHubSpot]:
    with FakeHubSpot() as fake:
        monkeypatch.setenv("CSBOT_HUBSPOT_TOKEN", fake.token)
        monkeypatch.setenv("CSBOT_HUBSPOT_BASE_URL", fake.base_url)
        yield fake


@pytest.fixture
def hubspot_store(store: Engine, hubspot: FakeHubSpot) -> tuple[Engine, list[str]]:
    ids = [hubspot.add_object("companies", {"name": f"Account {n}"}) for n in range(3)]
    _store(
        store,
        {
            ids[0]: (72.54, "green", 0.1234, "Logins up 40% in 30 days"),
            ids[1]: (41.0, "yellow", None, None),
            ids[2]: (18.25, "red", 0.8, "2 urgent tickets open"),
        },
    )
    return store, ids


def _hubspot_lines(record_id: str, values: dict[str, str]) -> list[str]:
    return [
        f"hubspot company {record_id}: {HUBSPOT_FIELDS[source]} = {json.dumps(value)}"
        for source, value in values.items()
    ]


def test_hubspot_dry_run_prints_exactly_the_updates_and_sends_nothing(hubspot_store, hubspot):
    _, ids = hubspot_store

    result = invoke("writeback", "crm", "--dry-run")

    assert result.exit_code == 0, result.output
    expected = (
        _hubspot_lines(
            ids[0],
            {
                "health_score": "72.5",
                "band": "green",
                "churn_risk": "0.123",
                "top_driver": "Logins up 40% in 30 days",
                "scored_at": "2026-03-02T06:00:00Z",
            },
        )
        + _hubspot_lines(
            ids[1],
            {
                "health_score": "41.0",
                "band": "yellow",
                "churn_risk": "",
                "top_driver": "",
                "scored_at": "2026-03-02T06:00:00Z",
            },
        )
        + _hubspot_lines(
            ids[2],
            {
                "health_score": "18.2",
                "band": "red",
                "churn_risk": "0.800",
                "top_driver": "2 urgent tickets open",
                "scored_at": "2026-03-02T06:00:00Z",
            },
        )
    )
    assert result.stdout.splitlines() == expected
    assert "would send 15 field(s) on 3 record(s)" in result.stderr
    assert hubspot.calls("batch/update") == []


def test_hubspot_run_sends_only_changes_and_a_rerun_sends_nothing(hubspot_store, hubspot):
    engine, ids = hubspot_store

    first = invoke("writeback", "crm")

    assert first.exit_code == 0, first.output
    assert "hubspot: sent 15 field(s) on 3 record(s)" in first.stdout
    [call] = hubspot.calls("POST /crm/v3/objects/companies/batch/update")
    assert {item["id"] for item in call.body["inputs"]} == set(ids)  # acc_local never sent
    assert hubspot.objects["companies"][ids[0]]["properties"]["csbot_health_score"] == "72.5"
    with Session(engine) as session:
        stored = session.scalars(select(CrmWritebackValue)).all()
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "crm.writeback")).all()
    assert len(stored) == 15
    assert [(a.target, a.detail["fields_sent"], a.detail["records_failed"]) for a in audit] == [
        ("hubspot", 15, 0)
    ]

    second = invoke("writeback", "crm")

    assert second.exit_code == 0, second.output
    assert "hubspot: sent 0 field(s) on 0 record(s)" in second.stdout
    assert len(hubspot.calls("batch/update")) == 1  # nothing sent at all

    _rescore(engine, ids[1], score=44.96, band="green")
    hubspot.updates.clear()
    third = invoke("writeback", "crm")

    assert third.exit_code == 0, third.output
    assert hubspot.company_updates() == [
        (ids[1], "csbot_health_score", "45.0"),
        (ids[1], "csbot_health_band", "green"),
    ]


def test_hubspot_refused_record_is_reported_and_sent_again_next_run(hubspot_store, hubspot):
    engine, ids = hubspot_store
    hubspot.reject_updates[ids[2]] = "csbot_health_band: 'red' is not a valid option"

    first = invoke("writeback", "crm")

    assert first.exit_code == 1
    assert f"hubspot record {ids[2]}: refused: csbot_health_band: 'red' is not a valid option" in (
        first.stdout
    )
    assert "sent 10 field(s) on 2 record(s)" in first.stdout
    assert {update[0] for update in hubspot.company_updates()} == {ids[0], ids[1]}
    with Session(engine) as session:
        remembered = {row.account_id for row in session.scalars(select(CrmWritebackValue))}
    assert remembered == {ids[0], ids[1]}

    hubspot.updates.clear()
    second = invoke("writeback", "crm")

    assert second.exit_code == 0, second.output
    assert {update[0] for update in hubspot.company_updates()} == {ids[2]}
    assert len(hubspot.company_updates()) == 5


def test_hubspot_writeback_batches_at_most_100_companies(store, hubspot):
    ids = [hubspot.add_object("companies", {"name": f"Co {n}"}) for n in range(230)]
    _store(store, {record: (50.0, "yellow", 0.5, None) for record in ids})

    result = invoke("writeback", "crm", "--crm", "hubspot")

    assert result.exit_code == 0, result.output
    sizes = [len(call.body["inputs"]) for call in hubspot.calls("batch/update")]
    assert sizes == [100, 100, 30]


def test_writeback_job_runs_after_scoring_only_when_a_crm_is_configured(hubspot_store, hubspot):
    dry = invoke("jobs", "run", "crm_writeback", "--dry-run", "--json", "--now", "2026-03-02T06:15")

    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.stdout)["summary"]
    assert len(summary["would_send"]["hubspot"]) == 15
    assert hubspot.calls("batch/update") == []

    real = invoke("jobs", "run", "crm_writeback", "--json", "--now", "2026-03-02T06:15")

    assert real.exit_code == 0, real.output
    assert json.loads(real.stdout)["summary"]["hubspot"]["fields_sent"] == 15


def test_writeback_without_a_crm_says_so(store, monkeypatch):
    result = invoke("writeback", "crm")
    assert result.exit_code == 1
    assert "no CRM is configured" in result.stderr

    job = invoke("jobs", "run", "crm_writeback", "--json", "--now", "2026-03-02T06:15")
    assert job.exit_code == 0, job.output
    assert json.loads(job.stdout)["summary"] == {"skipped": "no CRM configured"}


# --------------------------------------------------------------------------- Salesforce
@pytest.fixture
def salesforce(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with FakeSalesforce(tmp_path / "tls") as fake:
        fake.generate(users=1, accounts=3, contacts=0)
        writes = install_composite(fake)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_path))
        monkeypatch.setenv("CSBOT_SALESFORCE_INSTANCE_URL", fake.instance_url)
        monkeypatch.setenv("CSBOT_SALESFORCE_ACCESS_TOKEN", fake.token)
        monkeypatch.setenv("CSBOT_SALESFORCE_RETRY_SECONDS", "0")
        yield fake, writes


@pytest.fixture
def salesforce_store(store: Engine, salesforce) -> list[str]:
    ids = [account_id(i) for i in range(3)]
    _store(
        store,
        {
            ids[0]: (72.54, "green", 0.1234, "Logins up 40% in 30 days"),
            ids[1]: (41.0, "yellow", None, None),
            ids[2]: (18.25, "red", 0.8, "2 urgent tickets open"),
        },
    )
    return ids


def test_salesforce_dry_run_prints_typed_values_and_sends_nothing(salesforce_store, salesforce):
    _, writes = salesforce
    ids = salesforce_store

    result = invoke("writeback", "crm", "--dry-run", "--crm", "salesforce")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:10] == [
        f"salesforce Account {ids[0]}: CSBot_Health_Score__c = 72.5",
        f'salesforce Account {ids[0]}: CSBot_Health_Band__c = "green"',
        f"salesforce Account {ids[0]}: CSBot_Churn_Risk__c = 0.123",
        f'salesforce Account {ids[0]}: CSBot_Top_Driver__c = "Logins up 40% in 30 days"',
        f'salesforce Account {ids[0]}: CSBot_Scored_At__c = "2026-03-02T06:00:00Z"',
        f"salesforce Account {ids[1]}: CSBot_Health_Score__c = 41.0",
        f'salesforce Account {ids[1]}: CSBot_Health_Band__c = "yellow"',
        f"salesforce Account {ids[1]}: CSBot_Churn_Risk__c = null",
        f"salesforce Account {ids[1]}: CSBot_Top_Driver__c = null",
        f'salesforce Account {ids[1]}: CSBot_Scored_At__c = "2026-03-02T06:00:00Z"',
    ]
    assert len(result.stdout.splitlines()) == 15
    assert writes.calls == 0


def test_salesforce_run_sends_changes_once_and_retries_a_refused_record(
    store, salesforce_store, salesforce
):
    fake, writes = salesforce
    ids = salesforce_store
    writes.reject[ids[1]] = "Health band must be set by the CS team"

    first = invoke("writeback", "crm", "--crm", "salesforce")

    assert first.exit_code == 1
    assert (
        f"salesforce record {ids[1]}: refused: FIELD_CUSTOM_VALIDATION_EXCEPTION: "
        "Health band must be set by the CS team"
    ) in first.stdout
    assert {record for record, _, _ in writes.received} == {ids[0], ids[2]}
    assert (ids[0], "CSBot_Health_Score__c", 72.5) in writes.received
    assert fake.records["Account"][ids[2]]["CSBot_Churn_Risk__c"] == 0.8

    writes.received.clear()
    second = invoke("writeback", "crm", "--crm", "salesforce")

    assert second.exit_code == 0, second.output
    assert sorted(writes.received) == sorted(
        [
            (ids[1], "CSBot_Health_Score__c", 41.0),
            (ids[1], "CSBot_Health_Band__c", "yellow"),
            (ids[1], "CSBot_Churn_Risk__c", None),
            (ids[1], "CSBot_Top_Driver__c", None),
            (ids[1], "CSBot_Scored_At__c", "2026-03-02T06:00:00Z"),
        ]
    )

    writes.received.clear()
    calls = writes.calls
    third = invoke("writeback", "crm", "--crm", "salesforce")

    assert third.exit_code == 0, third.output
    assert writes.calls == calls and writes.received == []

    _rescore(store, ids[0], churn_risk=0.2)
    fourth = invoke("writeback", "crm", "--crm", "salesforce")

    assert fourth.exit_code == 0, fourth.output
    assert writes.received == [(ids[0], "CSBot_Churn_Risk__c", 0.2)]


def test_salesforce_deleted_account_fails_alone(store, salesforce_store, salesforce):
    fake, writes = salesforce
    ids = salesforce_store
    fake.delete("Account", ids[0])

    result = invoke("writeback", "crm", "--crm", "salesforce")

    assert result.exit_code == 1
    assert f"salesforce record {ids[0]}: refused: ENTITY_IS_DELETED: entity is deleted" in (
        result.stdout
    )
    assert {record for record, _, _ in writes.received} == {ids[1], ids[2]}


def test_salesforce_writeback_sends_at_most_200_records_per_call(store, tmp_path, monkeypatch):
    with FakeSalesforce(tmp_path / "tls") as fake:
        fake.generate(users=1, accounts=450, contacts=0)
        writes = install_composite(fake)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_path))
        monkeypatch.setenv("CSBOT_SALESFORCE_INSTANCE_URL", fake.instance_url)
        monkeypatch.setenv("CSBOT_SALESFORCE_ACCESS_TOKEN", fake.token)
        _store(store, {account_id(i): (60.0, "yellow", 0.3, None) for i in range(450)})

        result = invoke("writeback", "crm")

    assert result.exit_code == 0, result.output
    assert writes.sizes == [200, 200, 50]
    assert "salesforce: sent 2250 field(s) on 450 record(s)" in result.stdout


def test_a_team_mapping_renames_fields_and_a_wrong_property_fails_every_record(
    hubspot_store, hubspot, tmp_path, monkeypatch
):
    _, ids = hubspot_store
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "writeback.yaml").write_text(
        "hubspot:\n  object: companies\n  fields:\n    health_score: csbot_health_scor\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CSBOT_SYNC_MAPPING_DIR", str(mappings))

    dry = invoke("writeback", "crm", "--dry-run")
    assert dry.stdout.splitlines() == [
        f'hubspot company {ids[0]}: csbot_health_scor = "72.5"',
        f'hubspot company {ids[1]}: csbot_health_scor = "41.0"',
        f'hubspot company {ids[2]}: csbot_health_scor = "18.2"',
    ]

    result = invoke("writeback", "crm")

    assert result.exit_code == 1
    refused = [line for line in result.stdout.splitlines() if "refused" in line]
    assert len(refused) == 3
    assert "Property values were not valid: csbot_health_scor does not exist" in refused[0]
    assert hubspot.updates == []


def test_a_bad_writeback_mapping_is_reported_located(hubspot_store, tmp_path, monkeypatch):
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "writeback.yaml").write_text(
        "hubspot:\n  object: companies\n  fields:\n    health: csbot_health\n    band: ''\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CSBOT_SYNC_MAPPING_DIR", str(mappings))

    result = invoke("writeback", "crm")

    assert result.exit_code == 2
    assert "writeback.yaml: hubspot.fields.health: not one of health_score, band" in result.stderr
    assert "writeback.yaml: hubspot.fields.band: expected the CRM field name" in result.stderr
