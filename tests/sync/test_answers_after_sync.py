"""After `csbot sync run salesforce` fills a fresh store, the assistant answers from it."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.db.models import Account, Csm
from bot.slack import formatting as fmt
from tests.support.cli import invoke
from tests.support.fake_salesforce import FakeSalesforce, account_id


def test_the_assistant_answers_about_a_synced_account(sf_env: FakeSalesforce, db_url, tmp_path):
    # The team's csms (with Slack ids) come from a contract file; Salesforce users with
    # the same email update those csms instead of adding second ones.
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "csms.csv").write_text(
        "csm_id,name,email,slack_user_id,role\ncsm-ann,Ann Admin,CSM2@example.com,U0ANN,admin\n"
    )
    (folder / "accounts.csv").write_text("account_id,name\n")
    assert invoke("import", str(folder)).exit_code == 0
    sf_env.generate(users=4, accounts=250, contacts=600, opportunities=300, contracts=250)
    synced = invoke("sync", "run", "salesforce")
    assert synced.exit_code == 0, synced.output
    assert "salesforce Contract → contracts: 250 rows written" in synced.stdout

    result = invoke("ask", "how is Account 00007 doing?", "--as", "U0ANN")

    assert result.exit_code == 0, result.output
    engine = create_engine(db_url)
    with Session(engine) as session:
        account = session.get(Account, account_id(7))
        ann = session.get(Csm, "csm-ann")
        assert session.get(Csm, "005000000000002AAA") is None  # no second csm for Ann
        assert ann.slack_user_id == "U0ANN" and ann.name == "CSM 2"
        assert session.get(Account, account_id(1)).csm_id == "csm-ann"  # owner by email
    engine.dispose()
    assert "Account 00007" in result.stdout
    assert f"ARR: {fmt.money(account.arr)}" in result.stdout
    assert "Data as of" in result.stdout  # the freshness line, from the synced loads
