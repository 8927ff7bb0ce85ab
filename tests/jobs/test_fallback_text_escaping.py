"""Customer text in a message's plain ``text`` is escaped exactly as in its blocks.

Slack reads ``text`` as mrkdwn too (notifications, clients without blocks), so a raw
``<!channel>`` there pings everyone, ``<@U…>`` pings someone and ``<https://evil|…>``
disguises a link, whatever the blocks say.
"""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Account
from bot.db.session import unit_of_work
from jobs.ctas import run_cta_rules
from jobs.runner import run_job
from tests.handlers.seed import DANA, seed_book
from tests.jobs import store
from tests.jobs.conftest import services_for
from tests.jobs.store import NOW
from tests.jobs.test_cta_rules import build_rule_store
from tests.jobs.test_escalations import _form_values, _open_form, _submit
from tests.support.block_reading import action_elements
from tests.support.slack_fixtures import SlackHarness

HOSTILE = "<!channel> <!here> <@U999> <https://evil.example|click me> & co"
RAW = ("<!channel>", "<!here>", "<@U999>", "<https://evil")


def _assert_escaped(text: str) -> None:
    for raw in RAW:
        assert raw not in text, text
    assert "&lt;!channel&gt;" in text and "&amp; co" in text


def test_share_in_channel_text_is_escaped(sqlite_slack_harness: SlackHarness) -> None:
    harness = sqlite_slack_harness
    book = seed_book(harness.services)
    with unit_of_work(harness.services.session_factory) as session:
        session.execute(
            update(Account)
            .where(Account.account_id == book.acme_corp)
            .values(name=f"Acme Corp {HOSTILE}")
        )
    harness.mention("how is Acme Corp doing?", user=DANA, channel="C111")
    [private] = harness.fake.calls("chat.postEphemeral")
    _assert_escaped(private["text"])
    [share] = action_elements(private.get("blocks"), "answer_share_in_channel")
    harness.click(
        share["action_id"], share["value"], user_id=DANA, channel_id="C111", is_ephemeral=True
    )
    [public] = harness.fake.calls("chat.postMessage")
    _assert_escaped(public["text"])


def test_escalation_post_text_is_escaped(make_harness, fake_slack) -> None:
    harness = make_harness(CSBOT_ESCALATIONS_CHANNEL="C_ESC", CSBOT_QUIET_HOURS="off")
    with unit_of_work(harness.services.session_factory) as session:
        store.add_team(session)
        store.add_account(session, "acme", name="Acme Corp Inc", arr=120_000)
    view = _open_form(harness)
    _submit(harness, view["private_metadata"], _form_values(description=HOSTILE))
    post = fake_slack.messages("C_ESC")[0]
    _assert_escaped(post.text or "")


def test_cta_alert_text_is_escaped(sqlite_engine, tmp_path, fake_slack) -> None:
    services = services_for(sqlite_engine, tmp_path, fake_slack)
    with unit_of_work(services.session_factory) as session:
        build_rule_store(session)
    with unit_of_work(services.session_factory) as session:
        session.execute(update(Account).values(name=Account.name + " " + HOSTILE))
    result = run_job("cta_rules", run_cta_rules, services, now=NOW)
    assert result.ok and result.delivery["sent"] >= 1
    singles = [p for p in fake_slack.calls("chat.postMessage") if "CTA for" in p["text"]]
    assert singles
    for post in singles:
        _assert_escaped(post["text"])
