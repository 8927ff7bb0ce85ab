"""Mapping files: the shipped defaults load, and a team's own mapping (a contract derived from
won opportunities, for teams without the Contract object) is what the sync follows."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.db.models import Contract
from bot.sources.sync.mapping import MappingError, load_mapping, parse_mapping
from tests.support.cli import invoke
from tests.support.fake_salesforce import FakeSalesforce


def test_the_default_salesforce_mapping_covers_the_standard_objects():
    mapping = load_mapping("salesforce")
    tables = {name: m.table for name, m in mapping.objects.items()}
    assert tables == {
        "User": "csms",
        "Account": "accounts",
        "Contact": "contacts",
        "Opportunity": "opportunities",
        "Contract": "contracts",
    }
    assert mapping.objects["Account"].owner.email_fields == ("CSM__r.Email", "Owner.Email")


def test_every_problem_of_a_mapping_is_reported_at_once():
    with pytest.raises(MappingError) as caught:
        parse_mapping(
            {
                "source": "x",
                "objects": {"A": {"table": "accounts", "fields": {"name": 3}, "colour": "red"}},
            },
            "x.yaml",
        )
    assert caught.value.problems == [
        "x.yaml: objects.A: unknown key(s) colour",
        "x.yaml: objects.A.fields.name: expected a source field name or a mapping with 'field'",
        "x.yaml: objects.A.fields.account_id: required (the key of accounts)",
        "x.yaml: objects.A.fields.name: required by the contract",
    ]


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_an_opportunity_derived_contract_mapping(
    sf_env: FakeSalesforce, db_url, tmp_path, monkeypatch
):
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "salesforce.yaml").write_text(
        "source: salesforce\n"
        "objects:\n"
        "  Account:\n"
        "    table: accounts\n"
        "    fields: {account_id: Id, name: Name}\n"
        "  RenewalContract:\n"
        "    object: Opportunity\n"
        "    table: contracts\n"
        '    where: "IsWon = true"\n'
        "    fields:\n"
        "      contract_id: Id\n"
        "      account_id: AccountId\n"
        "      start_date: CloseDate\n"
        "      end_date: {field: CloseDate, transform: year_later}\n"
        "      arr: {field: Amount, default: 0}\n"
        "      status: {value: active}\n"
    )
    monkeypatch.setenv("CSBOT_SYNC_MAPPING_DIR", str(folder))
    sf_env.generate(users=2, accounts=50, contacts=0, opportunities=40)

    result = invoke("sync", "run", "salesforce")

    assert result.exit_code == 0, result.output
    assert "salesforce RenewalContract → contracts: 20 rows written" in result.stdout  # won only
    engine = create_engine(db_url)
    with Session(engine) as session:
        contract = session.get(Contract, "006000000000001AAA")
        assert (str(contract.start_date), str(contract.end_date)) == ("2026-09-30", "2027-09-30")
        assert float(contract.arr) == 5001.0
    engine.dispose()
