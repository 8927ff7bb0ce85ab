"""Who may see and act on an account, on every Slack surface, through signed requests.

With ``CSBOT_VISIBILITY=own``, every slash command, button, modal submission (and
shortcut: the app declares none) is sent as each of six people: the account's owner,
another CSM on the same team, their manager, another team's manager, an admin and a
Slack user csbot does not know. For each, the test asserts what Slack was actually
told and what changed in the store: a person who may not see Acme never gets its
name, id or ARR in any Slack call (response URL, modal, DM or channel post), nothing
is filed or changed for them, the request is acknowledged with HTTP 200, and where
the surface is about Acme they get a private reply. A person who may see or act gets
the real answer or the change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from slack_bolt import BoltResponse
from sqlalchemy import func, select

from bot.db.models import Csm, Cta, Escalation
from bot.db.session import unit_of_work
from bot.slack.blocks.cta_modals import (
    OUTCOME_ACTION,
    OUTCOME_BLOCK,
    REASON_ACTION,
    REASON_BLOCK,
    SNOOZE_ACTION,
    SNOOZE_BLOCK,
    cta_modal_metadata,
)
from bot.slack.blocks.digest import drill_down_value
from bot.slack.blocks.draft import (
    BODY_ACTION,
    BODY_BLOCK,
    SUBJECT_ACTION,
    SUBJECT_BLOCK,
    DraftMetadata,
    email_button_value,
)
from bot.slack.blocks.escalation import (
    ARR_ACTION,
    ARR_BLOCK,
    CATEGORY_ACTION,
    CATEGORY_BLOCK,
    DESCRIPTION_ACTION,
    DESCRIPTION_BLOCK,
    SEVERITY_ACTION,
    SEVERITY_BLOCK,
)
from bot.slack.ids import ActionId, CallbackId, Command
from tests.jobs import store
from tests.jobs.store import NOW, TODAY
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import SlackHarness, build_harness
from tests.support.slack_requests import block_actions, interactive_payload, view_submission

ACME_ID = "ACC-7731"
ACME_NAME = "Acme Corp Inc"
ACME_ARR = ("123,456", "123456")
ZENITH_ID = "ACC-2002"  # another team's account (Otto's, under Mia)
ESC_CHANNEL = "C_ESC"
CHANNEL = "C_TEAM"

ROLES = {
    "owner": "U_ANA",
    "other_csm": "U_BEN",
    "manager": "U_MGR",
    "other_manager": "U_MG2",
    "admin": "U_ADM",
    "unknown": "U_NOBODY",
}
MAY_SEE = frozenset({"owner", "manager", "admin"})
"""Who may see Acme under ``own``: its CSM, the CSM's manager, an admin."""
MAY_ACT = MAY_SEE
"""Who may act on Acme's CTA and escalation: the owner, the owner's manager, an admin."""


# --------------------------------------------------------------------------- the store
def seed(harness: SlackHarness) -> dict[str, int]:
    with unit_of_work(harness.services.session_factory) as session:
        store.add_team(session)  # mgr ← ana, ben; adm (admin); out (no manager yet)
        session.add(Csm(csm_id="mg2", name="Mia Manager", slack_user_id="U_MG2", role="manager"))
        session.flush()
        session.get(Csm, "out").manager_id = "mg2"
        store.add_account(session, ACME_ID, name=ACME_NAME, csm_id="ana", arr=123_456)
        store.add_account(session, ZENITH_ID, name="Zenith Ltd", csm_id="out", arr=77_000)
        for account_id in (ACME_ID, ZENITH_ID):
            store.add_health(session, account_id, 1, 45, "yellow")
            store.add_health(session, account_id, 0, 30, "red")
        store.add_contract(session, ACME_ID, "k-acme", ends_in_days=20, arr=123_456)
        store.add_contract(session, ZENITH_ID, "k-zen", ends_in_days=25, arr=77_000)
        cta = Cta(
            dedupe_key="matrix:1",
            account_id=ACME_ID,
            rule="usage_drop",
            type="risk",
            priority="high",
            playbook_id="at-risk-intervention",
            reason="usage dropped",
            owner_csm_id="ana",
            due_date=TODAY + timedelta(days=3),
            status="open",
            created_at=NOW - timedelta(days=1),
        )
        escalation = Escalation(
            account_id=ACME_ID,
            opened_by="U_ANA",
            severity="high",
            category="product",
            description="exports failing",
            status="open",
            sla_due_at=NOW + timedelta(hours=3),
            created_at=NOW - timedelta(hours=1),
        )
        session.add_all([cta, escalation])
        session.flush()
        return {"cta": cta.id, "escalation": escalation.id}


def _cta(harness: SlackHarness, cta_id: int) -> Cta:
    with unit_of_work(harness.services.session_factory) as session:
        return session.get(Cta, cta_id)


def _escalations(harness: SlackHarness) -> list[Escalation]:
    with unit_of_work(harness.services.session_factory) as session:
        return list(session.scalars(select(Escalation).order_by(Escalation.id)))


def _escalation_count(harness: SlackHarness) -> int:
    with unit_of_work(harness.services.session_factory) as session:
        return session.scalar(select(func.count()).select_from(Escalation))


# --------------------------------------------------------------------------- what Slack saw
def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def every_slack_call(fake: FakeSlackApi) -> str:
    """Everything csbot sent to Slack (Web API calls and response URLs), as one string."""
    return _dump([call.args for call in fake.requests()])


def private_replies(fake: FakeSlackApi, user: str) -> list[dict[str, Any]]:
    """What only ``user`` sees: response-URL replies that are not ``in_channel`` (ephemeral,
    or replacing the message they clicked), their modals and their DM."""
    replies = [c for c in fake.calls("response_url") if c.get("response_type") != "in_channel"]
    replies += fake.calls("views.open") + fake.calls("views.update")
    replies += fake.calls("chat.postEphemeral")
    replies += [c for c in fake.calls("chat.postMessage") if c.get("channel") in (user, "D" + user)]
    return replies


def public_posts(fake: FakeSlackApi, user: str) -> list[dict[str, Any]]:
    posts = [
        c for c in fake.calls("chat.postMessage") if c.get("channel") not in (user, "D" + user)
    ]
    posts += fake.calls("chat.update")
    posts += [c for c in fake.calls("response_url") if c.get("response_type") == "in_channel"]
    return posts


# --------------------------------------------------------------------------- the surfaces
@dataclass(frozen=True)
class Probe:
    """One request as ``user`` against the seeded store."""

    harness: SlackHarness
    user: str
    ids: dict[str, int]

    @property
    def fake(self) -> FakeSlackApi:
        return self.harness.fake

    def command(self, command: str, text: str = "") -> BoltResponse:
        from tests.support.slack_requests import slash_command

        return self.harness.dispatch(
            slash_command(
                command,
                text,
                user_id=self.user,
                channel_id=CHANNEL,
                response_url=self.fake.response_url(),
                trigger_id=self.fake.issue_trigger_id(),
            )
        )

    def click(self, action_id: str, value: str | None, **kwargs: Any) -> BoltResponse:
        kwargs.setdefault("channel_id", CHANNEL)
        return self.harness.click(
            action_id,
            value,
            user_id=self.user,
            trigger_id=self.fake.issue_trigger_id(),
            **kwargs,
        )

    def click_payload(self, action_id: str, value: str | None, **changes: Any) -> BoltResponse:
        """A click whose payload needs more than :func:`block_actions` sets (selects, modals)."""
        raw = block_actions(
            action_id,
            value,
            user_id=self.user,
            channel_id=CHANNEL,
            response_url=self.fake.response_url("actions"),
            trigger_id=self.fake.issue_trigger_id(),
            block_id=changes.pop("block_id", "answer_actions"),
        )
        from urllib.parse import parse_qs

        payload = json.loads(parse_qs(raw.body)["payload"][0])
        payload["actions"][0].update(changes.pop("action", {}))
        payload.update(changes)
        return self.harness.dispatch(interactive_payload(payload))

    def submit(self, callback_id: str, values: dict[str, Any], metadata: str) -> BoltResponse:
        return self.harness.dispatch(
            view_submission(callback_id, values, user_id=self.user, private_metadata=metadata)
        )


Check = Callable[[Probe], bool]


def _acme_shown_privately(probe: Probe) -> bool:
    return ACME_NAME in _dump(private_replies(probe.fake, probe.user))


def _answered_about_acme(probe: Probe) -> bool:
    said = _dump(private_replies(probe.fake, probe.user))
    return ACME_NAME in said and "No account named" not in said


def _cta_status(status: str) -> Check:
    return lambda probe: _cta(probe.harness, probe.ids["cta"]).status == status


def _escalation_status(status: str) -> Check:
    return lambda probe: _escalations(probe.harness)[0].status == status


def _modal_opened_for_acme(probe: Probe) -> bool:
    return any(ACME_NAME in _dump(v["view"]) for v in probe.fake.calls("views.open"))


@dataclass(frozen=True)
class Surface:
    """One entry point and what a permitted person gets from it.

    ``allowed``: the roles that get ``effect``. ``about_acme``: the request names Acme
    (or its CTA/escalation), so everyone else must get a private reply. ``carries_id``:
    the request itself holds Acme's id, so a reply may echo it (as it would for any id);
    ``carries_name`` likewise for a name typed by the person.
    """

    name: str
    covers: str
    send: Callable[[Probe], BoltResponse]
    effect: Check
    allowed: frozenset[str] = MAY_SEE
    about_acme: bool = True
    carries_id: bool = False
    carries_name: bool = False

    def markers(self) -> tuple[str, ...]:
        """What must never reach Slack for someone who may not see Acme."""
        return (
            *ACME_ARR,
            *(() if self.carries_id else (ACME_ID,)),
            *(() if self.carries_name else (ACME_NAME,)),
        )


def _escalate_form(account_id: str) -> str:
    return json.dumps({"account_id": account_id, "channel_id": CHANNEL})


ESCALATION_VALUES = {
    SEVERITY_BLOCK: {SEVERITY_ACTION: {"selected_option": {"value": "critical"}}},
    CATEGORY_BLOCK: {CATEGORY_ACTION: {"selected_option": {"value": "product"}}},
    ARR_BLOCK: {ARR_ACTION: {"value": "90000"}},
    DESCRIPTION_BLOCK: {DESCRIPTION_ACTION: {"value": "Exports failing for 2 days"}},
}


def _question(text: str, **extra: Any) -> str:
    return json.dumps({"q": text, **extra})


def _drill(what: str, scope: str) -> Callable[[Probe], BoltResponse]:
    return lambda p: p.click(
        f"{ActionId.DIGEST_DRILL_DOWN.value}:{what}",
        drill_down_value(what, scope, TODAY),
        block_id="digest_drill",
    )


SURFACES: tuple[Surface, ...] = (
    # ---- slash commands
    Surface(
        "/cs question",
        Command.CS,
        lambda p: p.command("/cs", f"health of {ACME_NAME}"),
        _answered_about_acme,
        carries_name=True,
    ),
    Surface(
        "/cs draft",
        Command.CS,
        lambda p: p.command("/cs", f"draft {ACME_ID} renewal"),
        lambda p: ACME_NAME in _dump(p.fake.calls("views.update")),
        carries_id=True,
    ),
    Surface(
        "/health",
        Command.HEALTH,
        lambda p: p.command("/health", ACME_NAME),
        _answered_about_acme,
        carries_name=True,
    ),
    Surface(
        "/renewals",
        Command.RENEWALS,
        lambda p: p.command("/renewals", "30"),
        _acme_shown_privately,
        about_acme=False,
    ),
    Surface(
        "/escalate by id",
        Command.ESCALATE,
        lambda p: p.command("/escalate", ACME_ID),
        lambda p: "123456" in _dump(p.fake.calls("views.update")),
        carries_id=True,
    ),
    Surface(
        "/escalate by name",
        Command.ESCALATE,
        lambda p: p.command("/escalate", "Acme Corp"),
        lambda p: "123456" in _dump(p.fake.calls("views.update")),
        carries_name=True,
    ),
    Surface(
        "/escalations",
        Command.ESCALATIONS,
        lambda p: p.command("/escalations"),
        _acme_shown_privately,
        about_acme=False,
    ),
    # ---- answer buttons (re-asked as the person who clicks)
    Surface(
        "choose account",
        ActionId.CHOOSE_ACCOUNT,
        lambda p: p.click(
            f"{ActionId.CHOOSE_ACCOUNT.value}:0",
            _question("health of acme", a=ACME_ID),
            is_ephemeral=True,  # choices about accounts in a channel are private
        ),
        _answered_about_acme,
        carries_id=True,
    ),
    Surface(
        "show more",
        ActionId.SHOW_MORE,
        lambda p: p.click(
            ActionId.SHOW_MORE, _question(f"health of {ACME_NAME}"), is_ephemeral=True
        ),
        _answered_about_acme,
        carries_name=True,
    ),
    Surface(
        "share in channel",
        ActionId.SHARE_IN_CHANNEL,
        lambda p: p.click(
            ActionId.SHARE_IN_CHANNEL, _question(f"health of {ACME_NAME}"), is_ephemeral=True
        ),
        lambda p: (
            ACME_NAME in _dump(public_posts(p.fake, p.user))
            and "No account named" not in _dump(public_posts(p.fake, p.user))
        ),
        carries_name=True,
    ),
    Surface(
        "feedback up",
        ActionId.FEEDBACK_UP,
        lambda p: p.click(ActionId.FEEDBACK_UP, _question(f"health of {ACME_NAME}")),
        lambda p: True,
        allowed=frozenset(ROLES),
        about_acme=False,
        carries_name=True,
    ),
    Surface(
        "feedback down",
        ActionId.FEEDBACK_DOWN,
        lambda p: p.click(ActionId.FEEDBACK_DOWN, _question(f"health of {ACME_NAME}")),
        lambda p: True,
        allowed=frozenset(ROLES),
        about_acme=False,
        carries_name=True,
    ),
    # ---- CTA buttons and modals
    Surface(
        "CTA acknowledge",
        ActionId.CTA_ACKNOWLEDGE,
        lambda p: p.click(ActionId.CTA_ACKNOWLEDGE, str(p.ids["cta"]), block_id="cta:1"),
        _cta_status("acknowledged"),
        allowed=MAY_ACT,
    ),
    Surface(
        "CTA snooze button",
        ActionId.CTA_SNOOZE,
        lambda p: p.click(ActionId.CTA_SNOOZE, str(p.ids["cta"]), block_id="cta:1"),
        _modal_opened_for_acme,
        allowed=MAY_ACT,
    ),
    Surface(
        "CTA complete button",
        ActionId.CTA_COMPLETE,
        lambda p: p.click(ActionId.CTA_COMPLETE, str(p.ids["cta"]), block_id="cta:1"),
        _modal_opened_for_acme,
        allowed=MAY_ACT,
    ),
    Surface(
        "CTA reassign",
        ActionId.CTA_REASSIGN,
        lambda p: p.click_payload(
            ActionId.CTA_REASSIGN,
            None,
            block_id=f"cta:{p.ids['cta']}",
            action={"type": "users_select", "selected_user": "U_BEN"},
        ),
        lambda p: _cta(p.harness, p.ids["cta"]).owner_csm_id == "ben",
        allowed=MAY_ACT,
    ),
    Surface(
        "CTA snooze modal",
        CallbackId.CTA_SNOOZE_MODAL,
        lambda p: p.submit(
            CallbackId.CTA_SNOOZE_MODAL,
            {
                SNOOZE_BLOCK: {SNOOZE_ACTION: {"selected_option": {"value": "1d"}}},
                REASON_BLOCK: {REASON_ACTION: {"value": "customer on holiday"}},
            },
            cta_modal_metadata(p.ids["cta"], CHANNEL, None),
        ),
        _cta_status("snoozed"),
        allowed=MAY_ACT,
    ),
    Surface(
        "CTA complete modal",
        CallbackId.CTA_COMPLETE_MODAL,
        lambda p: p.submit(
            CallbackId.CTA_COMPLETE_MODAL,
            {OUTCOME_BLOCK: {OUTCOME_ACTION: {"selected_option": {"value": "resolved"}}}},
            cta_modal_metadata(p.ids["cta"], CHANNEL, None),
        ),
        _cta_status("completed"),
        allowed=MAY_ACT,
    ),
    # ---- escalations
    Surface(
        "escalation acknowledge",
        ActionId.ESCALATION_ACKNOWLEDGE,
        lambda p: p.click(
            ActionId.ESCALATION_ACKNOWLEDGE, str(p.ids["escalation"]), block_id="escalation:1"
        ),
        _escalation_status("acknowledged"),
        allowed=MAY_ACT,
    ),
    Surface(
        "escalation resolve",
        ActionId.ESCALATION_RESOLVE,
        lambda p: p.click(
            ActionId.ESCALATION_RESOLVE, str(p.ids["escalation"]), block_id="escalation:1"
        ),
        _escalation_status("resolved"),
        allowed=MAY_ACT,
    ),
    Surface(
        "escalate modal",
        CallbackId.ESCALATE_MODAL,
        lambda p: p.submit(CallbackId.ESCALATE_MODAL, ESCALATION_VALUES, _escalate_form(ACME_ID)),
        lambda p: _escalation_count(p.harness) == 2,
        carries_id=True,
    ),
    # ---- digest drill-downs (the digest's book, never beyond what the reader may see)
    Surface(
        "digest red|all",
        ActionId.DIGEST_DRILL_DOWN,
        _drill("red", "all"),
        _acme_shown_privately,
        allowed=frozenset({"manager", "admin"}),
    ),
    Surface(
        "digest renewals|all",
        ActionId.DIGEST_DRILL_DOWN,
        _drill("renewals", "all"),
        _acme_shown_privately,
        allowed=frozenset({"manager", "admin"}),
    ),
    Surface(
        "digest red|team:mgr",
        ActionId.DIGEST_DRILL_DOWN,
        _drill("red", "team:mgr"),
        _acme_shown_privately,
        allowed=frozenset({"manager", "admin"}),
    ),
    Surface(
        "digest red|csm:ana",
        ActionId.DIGEST_DRILL_DOWN,
        _drill("red", "csm:ana"),
        _acme_shown_privately,
    ),
    # ---- drafting
    Surface(
        "draft email (CTA)",
        ActionId.DRAFT_EMAIL,
        lambda p: p.click(ActionId.DRAFT_EMAIL, str(p.ids["cta"]), block_id="cta:1"),
        lambda p: ACME_NAME in _dump(p.fake.calls("views.update")),
    ),
    Surface(
        "draft email (account)",
        ActionId.DRAFT_EMAIL,
        lambda p: p.click(ActionId.DRAFT_EMAIL, email_button_value(ACME_ID)),
        lambda p: ACME_NAME in _dump(p.fake.calls("views.update")),
        carries_id=True,
    ),
    Surface(
        "draft summary",
        ActionId.DRAFT_SUMMARY,
        lambda p: p.click(ActionId.DRAFT_SUMMARY, ACME_ID),
        lambda p: ACME_NAME in _dump(p.fake.calls("views.update")),
        carries_id=True,
    ),
    Surface(
        "draft regenerate",
        ActionId.DRAFT_REGENERATE,
        lambda p: p.click_payload(
            ActionId.DRAFT_REGENERATE,
            ACME_ID,
            view={
                "id": _draft_modal_on_screen(p),
                "type": "modal",
                "callback_id": CallbackId.DRAFT_MODAL.value,
                "private_metadata": DraftMetadata(
                    ACME_ID, "email", "renewal", "friendly"
                ).to_json(),
                "state": {"values": {}},
            },
        ),
        lambda p: ACME_NAME in _dump(p.fake.calls("views.update")),
        carries_id=True,
    ),
    Surface(
        "draft send-me-a-copy modal",
        CallbackId.DRAFT_MODAL,
        lambda p: p.submit(
            CallbackId.DRAFT_MODAL,
            {
                SUBJECT_BLOCK: {SUBJECT_ACTION: {"value": "Checking in"}},
                BODY_BLOCK: {BODY_ACTION: {"value": "Hi, a quick note about your renewal."}},
            },
            DraftMetadata(ACME_ID, "email", "renewal", "friendly").to_json(),
        ),
        lambda p: ACME_NAME in _dump(p.fake.calls("chat.postMessage")),
        carries_id=True,
    ),
)


def _draft_modal_on_screen(probe: Probe) -> str:
    """The draft modal Regenerate sits in, as Slack holds it (opened by an earlier click)."""
    probe.fake.views["V_DRAFT"] = {"id": "V_DRAFT", "type": "modal", "hash": "h0"}
    return "V_DRAFT"


# --------------------------------------------------------------------------- the matrix
@pytest.fixture(scope="module")
def matrix_fake() -> Iterator[FakeSlackApi]:
    """One fake Slack for the module (stopping a server costs ~0.5 s); reset per case."""
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def matrix_harness(matrix_fake: FakeSlackApi, tmp_path: Path, sqlite_engine):
    matrix_fake.reset()
    with time_machine.travel(NOW, tick=True):
        harness = build_harness(
            matrix_fake,
            tmp_path,
            sqlite_engine,
            CSBOT_VISIBILITY="own",
            CSBOT_ESCALATIONS_CHANNEL=ESC_CHANNEL,
            CSBOT_QUIET_HOURS="off",
            CSBOT_EPHEMERAL_IN_CHANNELS="true",
        )
        ids = seed(harness)
        yield harness, ids


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_authorization_matrix(matrix_harness, surface: Surface, role: str) -> None:
    harness, ids = matrix_harness
    user = ROLES[role]
    probe = Probe(harness, user, ids)
    response = surface.send(probe)
    assert response.status == 200, (surface.name, role, response.status, response.body)
    if role in surface.allowed:
        assert surface.effect(probe), f"{surface.name}: {role} should get the answer or change"
        return
    said = every_slack_call(harness.fake)
    for marker in surface.markers():
        assert marker not in said, f"{surface.name}: {role} was shown {marker!r}"
    assert not surface.effect(probe) or surface.effect is _acme_shown_privately
    assert _cta(harness, ids["cta"]).status == "open"
    assert _cta(harness, ids["cta"]).owner_csm_id == "ana"
    assert [e.status for e in _escalations(harness)] == ["open"]  # nothing filed or changed
    assert not harness.fake.messages(ESC_CHANNEL)
    if surface.about_acme:
        in_modal = "response_action" in str(response.body)  # a submitted modal shows it
        assert in_modal or private_replies(harness.fake, user), f"{surface.name}: {role}"
        assert not [p for p in public_posts(harness.fake, user) if p.get("text")]


def test_the_matrix_covers_every_command_action_view_and_shortcut() -> None:
    covered = {str(s.covers) for s in SURFACES}
    declared = {str(c) for c in Command} | {str(a) for a in ActionId} | {str(v) for v in CallbackId}
    assert declared <= covered, sorted(declared - covered)
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    features = manifest.get("features") or {}
    assert not features.get("shortcuts"), "a shortcut needs its row in SURFACES"
