"""``/escalate ACCOUNT`` (modal), ``/escalations`` (list), Acknowledge / Resolve buttons.

The modal opens straight after ``ack()`` with a "looking up" view — a trigger id
lives 3 s — and is then updated with the form (ARR at risk pre-filled) or the
reason the account could not be found. Submissions and clicks go to
``bot.services.escalations``; posts go through the outbox, and the outbox sends them at once
(``send_now``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import UserFacingError
from bot.services import Services
from bot.services.escalations.filing import (
    EscalationForm,
    EscalationFormInvalid,
    open_escalation,
    resolve_escalation_account,
)
from bot.services.escalations.status import (
    acknowledge_escalation,
    list_open_escalations,
    resolve_escalation,
)
from bot.services.outbox.delivery import send_now
from bot.slack.blocks.escalation import (
    ARR_ACTION,
    ARR_BLOCK,
    CATEGORY_ACTION,
    CATEGORY_BLOCK,
    DESCRIPTION_ACTION,
    DESCRIPTION_BLOCK,
    NEEDED_BY_ACTION,
    NEEDED_BY_BLOCK,
    SEVERITY_ACTION,
    SEVERITY_BLOCK,
    build_escalation_error_modal,
    build_escalation_form_modal,
    build_escalation_loading_modal,
)
from bot.slack.ids import ActionId, CallbackId, Command
from bot.slack.view_state import view_value

ESCALATE_USAGE = "Usage: `/escalate ACCOUNT` — for example `/escalate Acme Corp`."


def register(app: App) -> None:
    app.command(Command.ESCALATE)(handle_command_escalate)
    app.command(Command.ESCALATIONS)(handle_command_escalations)
    app.view(CallbackId.ESCALATE_MODAL)(handle_view_escalate)
    app.action(ActionId.ESCALATION_ACKNOWLEDGE)(handle_action_escalation_acknowledge)
    app.action(ActionId.ESCALATION_RESOLVE)(handle_action_escalation_resolve)


def handle_command_escalate(
    ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    """Open the escalation modal for the named account (or say why not)."""
    ack()
    query = (command.get("text") or "").strip()
    if not query:
        respond(text=f"Which account? {ESCALATE_USAGE}", response_type="ephemeral")
        return
    opened = client.views_open(
        trigger_id=command["trigger_id"], view=build_escalation_loading_modal(query)
    )
    view_id = opened["view"]["id"]
    try:
        target = services.in_transaction(
            resolve_escalation_account,
            services.account_names,
            query,
            slack_user_id=command["user_id"],
            settings=services.settings,
        )
    except UserFacingError as error:
        client.views_update(view_id=view_id, view=build_escalation_error_modal(str(error)))
        respond(text=f"{error} {ESCALATE_USAGE}", response_type="ephemeral")
        return
    client.views_update(
        view_id=view_id,
        view=build_escalation_form_modal(
            account_id=target.account_id,
            account_name=target.account_name,
            arr=target.arr,
            currency=target.currency,
            channel_id=command.get("channel_id"),
        ),
    )


def handle_view_escalate(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """Validate in the ack (field errors show in the modal), then record and post."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    needed = view_value(view, NEEDED_BY_BLOCK, NEEDED_BY_ACTION)
    form = EscalationForm(
        account_id=str(metadata.get("account_id") or ""),
        severity=view_value(view, SEVERITY_BLOCK, SEVERITY_ACTION) or "",
        category=view_value(view, CATEGORY_BLOCK, CATEGORY_ACTION) or "",
        arr_text=view_value(view, ARR_BLOCK, ARR_ACTION) or "",
        description=view_value(view, DESCRIPTION_BLOCK, DESCRIPTION_ACTION) or "",
        needed_by=date.fromisoformat(needed) if needed else None,
    )
    user_id = body["user"]["id"]
    try:
        _, keys = services.in_transaction(
            open_escalation,
            settings=services.settings,
            form=form,
            opened_by=user_id,
            now=services.now(),
        )
    except EscalationFormInvalid as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    except UserFacingError as refused:  # unknown person, or an account they may not see
        ack(response_action="update", view=build_escalation_error_modal(str(refused)))
        return
    ack()
    _send_now(services, keys)


def handle_command_escalations(
    ack: Ack, command: dict[str, Any], respond: Respond, services: Services
) -> None:
    """List the open escalations on accounts the asker may see (ephemeral)."""
    ack()
    text, blocks = services.in_transaction(
        list_open_escalations, slack_user_id=command["user_id"], settings=services.settings
    )
    respond(text=text, blocks=blocks, response_type="ephemeral")


def handle_action_escalation_acknowledge(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    ack()
    _change(body, action, client, services, acknowledge_escalation)


def handle_action_escalation_resolve(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    ack()
    _change(body, action, client, services, resolve_escalation)


def _change(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services, change: Any
) -> None:
    update = services.in_transaction(
        change,
        settings=services.settings,
        escalation_id=int(action["value"]),
        slack_user_id=body["user"]["id"],
        now=services.now(),
    )
    if update.channel and update.ts:
        client.chat_update(
            channel=update.channel, ts=update.ts, text=update.text, blocks=update.blocks
        )
    _send_now(services, update.queued_keys)


def _send_now(services: Services, keys: list[str]) -> None:
    """Deliver what this request queued; failures stay in the outbox for ``deliver_alerts``."""
    if keys:
        send_now(services, now=services.now(), keys=keys, wait_seconds=5)
