"""Clicks on answer buttons: feedback, share in channel, show more, pick an account.

Buttons carry the question they belong to (see ``bot.slack.action_values``), so a
click is re-asked as the person who clicked — permissions apply to them, and the
figures are as fresh as the store.
"""

from __future__ import annotations

from typing import Any, Literal

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import Services
from bot.services.insights.feedback import record_answer_feedback
from bot.slack.action_values import AnswerRef, parse_answer_ref
from bot.slack.blocks.notices import build_feedback_thanks_message, build_shared_by_block
from bot.slack.ids import ActionId, prefixed
from bot.slack.replies import ReplyTarget, SlackMessage, reply_target_for, respond_via_url
from handlers.asking import Ask, answer_and_reply, channel_type_of


def register(app: App) -> None:
    app.action(ActionId.FEEDBACK_UP)(handle_action_feedback_up)
    app.action(ActionId.FEEDBACK_DOWN)(handle_action_feedback_down)
    app.action(ActionId.SHARE_IN_CHANNEL)(handle_action_share_in_channel)
    app.action(ActionId.SHOW_MORE)(handle_action_show_more)
    app.action(prefixed(ActionId.CHOOSE_ACCOUNT))(handle_action_choose_account)


def handle_action_feedback_up(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Services
) -> None:
    ack()
    _record_feedback(body, action, services, "up")


def handle_action_feedback_down(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Services
) -> None:
    ack()
    _record_feedback(body, action, services, "down")


def handle_action_share_in_channel(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Post a fresh copy of a private answer to the channel, then remove the private one."""
    ack()
    ref = parse_answer_ref(action.get("value"))
    clicked = reply_target_for(body)
    public = ReplyTarget(
        surface="message",
        user_id=clicked.user_id,
        channel_id=clicked.channel_id,
        thread_ts=ref.thread_ts,
        is_dm=clicked.is_dm,
    )
    shared_by = build_shared_by_block(clicked.user_id or "someone")
    ask = _ask_from_ref(ref, clicked, extra_blocks=(shared_by,))
    answer_and_reply(
        services,
        client,
        public,
        ask,
        private=False,
        offer_share=False,
        public_only_if_found=True,
    )
    if clicked.response_url:
        respond_via_url(clicked.response_url, SlackMessage(text=""), delete_original=True)


def handle_action_show_more(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    """The next page, kept as private (or public) as the message it continues."""
    ack()
    ref = parse_answer_ref(action.get("value"))
    clicked = reply_target_for(body)
    ephemeral = _is_ephemeral_container(body)
    target = clicked if ephemeral else _thread_of(clicked, ref)
    answer_and_reply(services, client, target, _ask_from_ref(ref, clicked), private=ephemeral)


def handle_action_choose_account(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Replace the "which one did you mean?" message with the answer for the pick."""
    ack()
    ref = parse_answer_ref(action.get("value"))
    clicked = reply_target_for(body)
    answer_and_reply(
        services,
        client,
        clicked,
        _ask_from_ref(ref, clicked),
        private=_is_ephemeral_container(body) or None,
        replace_original=True,
    )


def _record_feedback(
    body: dict[str, Any],
    action: dict[str, Any],
    services: Services,
    value: Literal["up", "down"],
) -> None:
    ref = parse_answer_ref(action.get("value"))
    clicked = reply_target_for(body)
    container = body.get("container") or {}
    record_answer_feedback(
        services,
        slack_user_id=clicked.user_id or "unknown",
        value=value,
        question=ref.question,
        intent=ref.intent,
        channel_id=clicked.channel_id,
        message_ts=container.get("message_ts") or (body.get("message") or {}).get("ts"),
    )
    if clicked.response_url:
        respond_via_url(clicked.response_url, build_feedback_thanks_message(value), ephemeral=True)


def _ask_from_ref(
    ref: AnswerRef, clicked: ReplyTarget, *, extra_blocks: tuple[dict[str, Any], ...] = ()
) -> Ask:
    return Ask(
        text=ref.question,
        slack_user_id=clicked.user_id or "",
        channel_id=clicked.channel_id,
        channel_type=channel_type_of(clicked.channel_id),
        thread_ts=ref.thread_ts,
        page=ref.page,
        account_id=ref.account_id,
        extra_blocks=extra_blocks,
    )


def _is_ephemeral_container(body: dict[str, Any]) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral"))


def _thread_of(clicked: ReplyTarget, ref: AnswerRef) -> ReplyTarget:
    """Continue a public answer where it was: its thread, or the DM."""
    return ReplyTarget(
        surface="message",
        user_id=clicked.user_id,
        channel_id=clicked.channel_id,
        thread_ts=ref.thread_ts or clicked.thread_ts,
        is_dm=clicked.is_dm,
    )
