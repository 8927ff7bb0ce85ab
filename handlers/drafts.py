"""Drafting in Slack: ``/cs draft ACCOUNT [purpose]``, "Draft email" / "Summarize" buttons,
Regenerate, and "Send me a copy" (the modal's submit, which DMs the edited draft).

Every entry acknowledges first, opens (or switches) the modal to its "drafting…" state
while the trigger id is fresh, and only then drafts (an LLM may take seconds) and
updates the modal with ``views.update``. Account and permission problems show inside
the modal; anything unexpected goes to the app's error handler.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import AmbiguousAccount, UserFacingError
from bot.services import Services
from bot.services.drafting.drafter import parse_purpose, parse_tone
from bot.services.drafting.requests import (
    DraftRequest,
    draft_for_viewer,
    parse_draft_command,
    prepare_draft_copy,
)
from bot.services.drafting.types import DraftKind, Purpose
from bot.slack.blocks.draft import (
    BODY_ACTION,
    BODY_BLOCK,
    SUBJECT_ACTION,
    SUBJECT_BLOCK,
    TONE_ACTION,
    TONE_BLOCK,
    DraftMetadata,
    build_draft_copy_message,
    build_draft_error_modal,
    build_draft_loading_modal,
    build_draft_modal,
    parse_draft_button_value,
)
from bot.slack.ids import ActionId, CallbackId, Command
from bot.slack.view_state import view_value

AMBIGUOUS_HINT = " Use the full name, for example `/cs draft Acme Corp Inc renewal`."


def register(app: App) -> None:
    app.command(Command.CS, matchers=[is_draft_command])(handle_command_cs_draft)
    app.action(ActionId.DRAFT_EMAIL)(handle_action_draft_email)
    app.action(ActionId.DRAFT_SUMMARY)(handle_action_draft_summary)
    app.action(ActionId.DRAFT_REGENERATE)(handle_action_draft_regenerate)
    app.view(CallbackId.DRAFT_MODAL)(handle_view_draft_send_copy)


def is_draft_command(command: dict[str, Any]) -> bool:
    """``/cs draft …`` (not ``/cs drafts of …`` or a question that mentions drafts)."""
    words = (command.get("text") or "").split(maxsplit=1)
    return bool(words) and words[0].lower() == "draft"


def handle_command_cs_draft(
    ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    """``/cs draft ACCOUNT [purpose|summary]``: open the modal, then draft into it."""
    ack()
    try:
        parsed = parse_draft_command(command.get("text") or "")
    except UserFacingError as error:
        respond(text=str(error), response_type="ephemeral")
        return
    request = DraftRequest(
        slack_user_id=command["user_id"],
        kind=parsed.kind,
        account_query=parsed.account_query,
        purpose=parsed.purpose,
    )
    _open_and_draft(client, services, command["trigger_id"], parsed.account_query, request)


def handle_action_draft_email(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Draft email" under an account answer (account id) or a CTA alert (CTA id)."""
    ack()
    _draft_from_button(body, action, client, services, kind="email")


def handle_action_draft_summary(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Summarize": an account brief in the modal."""
    ack()
    _draft_from_button(body, action, client, services, kind="summary")


def handle_action_draft_regenerate(
    ack: Ack, body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Regenerate in place, in the tone currently selected in the modal."""
    ack()
    view = body["view"]
    metadata = DraftMetadata.from_json(view.get("private_metadata"))
    chosen = view_value(view, TONE_BLOCK, TONE_ACTION)
    tone = parse_tone(chosen or metadata.tone)
    request = DraftRequest(
        slack_user_id=body["user"]["id"],
        kind="summary" if metadata.kind == "summary" else "email",
        account_query=metadata.account_id,
        purpose=_purpose(metadata.purpose),
        tone=tone,
    )
    label = metadata.account_name or metadata.account_id
    client.views_update(
        view_id=view["id"],
        view=build_draft_loading_modal(label, kind=metadata.kind, metadata=metadata),
    )
    _draft_into(client, services, view["id"], request)


def handle_view_draft_send_copy(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Send me a copy": DM the draft as edited, re-checked against the store."""
    ack()
    metadata = DraftMetadata.from_json(view.get("private_metadata"))
    user_id = body["user"]["id"]
    copy = prepare_draft_copy(
        services,
        slack_user_id=user_id,
        account_id=metadata.account_id,
        subject=view_value(view, SUBJECT_BLOCK, SUBJECT_ACTION) or "",
        body=view_value(view, BODY_BLOCK, BODY_ACTION),
        draft_id=metadata.draft_id,
    )
    text, blocks = build_draft_copy_message(
        account_name=copy.account_name,
        subject=copy.subject,
        body=copy.body,
        verified=copy.grounding.verified,
        claims_checked=copy.grounding.checked,
        unsupported=tuple(claim.text for claim in copy.grounding.unsupported),
    )
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


# --------------------------------------------------------------------------- helpers
def _draft_from_button(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    services: Services,
    *,
    kind: DraftKind,
) -> None:
    """A button's value names the account or the CTA; a summary has no purpose."""
    target = parse_draft_button_value(action.get("value"))
    request = DraftRequest(
        slack_user_id=body["user"]["id"],
        kind=kind,
        account_query=target.account_id,
        cta_id=target.cta_id,
        purpose=_purpose(target.purpose) if kind == "email" else None,
    )
    label = target.account_id or "this call to action"
    _open_and_draft(client, services, body["trigger_id"], label, request)


def _open_and_draft(
    client: WebClient, services: Services, trigger_id: str, label: str, request: DraftRequest
) -> None:
    opened = client.views_open(
        trigger_id=trigger_id, view=build_draft_loading_modal(label, kind=request.kind)
    )
    _draft_into(client, services, opened["view"]["id"], request)


def _draft_into(client: WebClient, services: Services, view_id: str, request: DraftRequest) -> None:
    """Draft, then replace the "drafting…" modal with the draft or the reason there is none."""
    try:
        result = draft_for_viewer(services, request)
    except UserFacingError as error:
        message = str(error) + (AMBIGUOUS_HINT if isinstance(error, AmbiguousAccount) else "")
        client.views_update(
            view_id=view_id, view=build_draft_error_modal(message, kind=request.kind)
        )
        return
    client.views_update(view_id=view_id, view=build_draft_modal(result.modal_view()))


def _purpose(value: str | None) -> Purpose | None:
    """A purpose carried by a button or the modal, validated; None for the default."""
    return parse_purpose(value) if value else None
