"""CTA buttons (Acknowledge, Snooze…, Complete…, Reassign) and digest drill-downs.

Each click is checked by the service (owner, owner's manager, admin); a refusal is a
``PermissionDenied`` that the app's error handler answers ephemerally. A successful
change re-renders every copy of the CTA message in place with ``chat.update``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.services import Services
from bot.services.ctas.actions import (
    CtaActionResult,
    acknowledge_cta,
    authorize,
    complete_cta,
    reassign_cta,
    snooze_cta,
)
from bot.services.insights.digest import drill_down
from bot.services.outbox.delivery import send_now
from bot.slack.blocks.cta_modals import (
    NOTES_ACTION,
    NOTES_BLOCK,
    OUTCOME_ACTION,
    OUTCOME_BLOCK,
    OUTCOMES,
    REASON_ACTION,
    REASON_BLOCK,
    SNOOZE_ACTION,
    SNOOZE_BLOCK,
    build_complete_modal,
    build_snooze_modal,
    cta_modal_metadata,
)
from bot.slack.blocks.digest import build_drill_down_blocks, parse_drill_down_value
from bot.slack.ids import ActionId, CallbackId, prefixed
from bot.slack.view_state import view_value


def register(app: App) -> None:
    app.action(ActionId.CTA_ACKNOWLEDGE)(handle_action_cta_acknowledge)
    app.action(ActionId.CTA_SNOOZE)(handle_action_cta_snooze)
    app.action(ActionId.CTA_COMPLETE)(handle_action_cta_complete)
    app.action(ActionId.CTA_REASSIGN)(handle_action_cta_reassign)
    app.view(CallbackId.CTA_SNOOZE_MODAL)(handle_view_cta_snooze)
    app.view(CallbackId.CTA_COMPLETE_MODAL)(handle_view_cta_complete)
    app.action(prefixed(ActionId.DIGEST_DRILL_DOWN))(handle_action_digest_drill_down)


def _cta_id(body: dict[str, Any], action: dict[str, Any]) -> int:
    """Buttons carry the id as value; the users_select carries it in its block id."""
    if action.get("value"):
        return int(action["value"])
    return int(str(action.get("block_id", "")).split(":", 1)[1])


def _change_cta(
    client: WebClient,
    services: Services,
    body: dict[str, Any],
    cta_id: int,
    change: Callable[..., CtaActionResult],
    **details: Any,
) -> CtaActionResult:
    """Apply ``change`` as the clicking user, then re-render every copy of the CTA message."""
    result = services.in_transaction(
        change,
        cta_id=cta_id,
        slack_user_id=body["user"]["id"],
        now=services.now(),
        **details,
    )
    for message in result.messages:
        client.chat_update(
            channel=message.channel, ts=message.ts, text=result.text, blocks=result.blocks
        )
    return result


def _modal_cta_id(view: dict[str, Any]) -> int:
    """The CTA a submitted modal is about (``cta_modal_metadata`` put it there)."""
    return int(json.loads(view.get("private_metadata") or "{}")["cta_id"])


def handle_action_cta_acknowledge(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    ack()
    _change_cta(
        client,
        services,
        body,
        _cta_id(body, action),
        acknowledge_cta,
        visibility=services.settings.visibility,
    )


def _open_modal(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    services: Services,
    *,
    what: str,
    build: Any,
) -> None:
    cta_id = _cta_id(body, action)
    item = services.in_transaction(
        authorize,
        cta_id=cta_id,
        slack_user_id=body["user"]["id"],
        what=what,
        visibility=services.settings.visibility,
    )
    container = body.get("container") or {}
    metadata = cta_modal_metadata(cta_id, container.get("channel_id"), container.get("message_ts"))
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build(cta_id=cta_id, account_name=item.account_name, metadata=metadata),
    )


def handle_action_cta_snooze(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    ack()
    _open_modal(body, action, client, services, what="snooze this CTA", build=build_snooze_modal)


def handle_action_cta_complete(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    ack()
    _open_modal(
        body, action, client, services, what="complete this CTA", build=build_complete_modal
    )


def handle_action_cta_reassign(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    ack()
    result = _change_cta(
        client,
        services,
        body,
        _cta_id(body, action),
        reassign_cta,
        new_owner_slack_id=str(action.get("selected_user") or ""),
        settings=services.settings,
    )
    send_now(  # the new owner's DM goes out now, not at the next deliver_alerts run
        services,
        now=services.now(),
        wait_seconds=5,
        keys=[f"cta:{result.cta_id}:dm:{result.owner_csm_id}"],
    )


def handle_view_cta_snooze(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    reason = (view_value(view, REASON_BLOCK, REASON_ACTION) or "").strip()
    if not reason:
        ack(response_action="errors", errors={REASON_BLOCK: "Say why you are snoozing it."})
        return
    ack()
    duration = view_value(view, SNOOZE_BLOCK, SNOOZE_ACTION) or "1d"
    cta_id = _modal_cta_id(view)
    _change_cta(
        client,
        services,
        body,
        cta_id,
        snooze_cta,
        duration=duration,
        reason=reason,
        visibility=services.settings.visibility,
    )


def handle_view_cta_complete(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    outcome = view_value(view, OUTCOME_BLOCK, OUTCOME_ACTION) or ""
    if outcome not in OUTCOMES:
        ack(response_action="errors", errors={OUTCOME_BLOCK: "Choose an outcome."})
        return
    ack()
    notes = view_value(view, NOTES_BLOCK, NOTES_ACTION)
    chosen = OUTCOMES[outcome]
    cta_id = _modal_cta_id(view)
    _change_cta(
        client,
        services,
        body,
        cta_id,
        complete_cta,
        outcome=chosen,
        notes=notes,
        visibility=services.settings.visibility,
    )


def handle_action_digest_drill_down(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Services
) -> None:
    """The list behind a digest button, for the day the digest was built for."""
    ack()
    ref = parse_drill_down_value(action.get("value"))
    title, lines = services.in_transaction(
        drill_down,
        what=ref.what,
        scope_key=ref.scope_key,
        slack_user_id=body["user"]["id"],
        day=ref.day or services.today(),
        visibility=services.settings.visibility,
    )
    text, blocks = build_drill_down_blocks(title, lines)
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
