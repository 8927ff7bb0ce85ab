"""The one catch-all for Slack requests: explain known problems, apologise for the rest.

A :class:`~bot.errors.UserFacingError` is shown in its own words where the answer
would have gone. Anything else is logged with its traceback under a short incident
id and the person gets a short apology quoting that id — never the exception text,
and never silence. Handlers contain no blanket ``try/except``; this is the place.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.errors import UserFacingError
from bot.slack.blocks.errors import (
    build_apology_message,
    build_home_error_view_blocks,
    build_user_error_message,
)
from bot.slack.replies import ReplyTarget, SlackMessage, reply_target_for, send_reply

logger = logging.getLogger(__name__)


def new_incident_id() -> str:
    return uuid.uuid4().hex[:10]


def handle_listener_error(
    error: Exception,
    body: dict[str, Any],
    context: BoltContext,
    response: BoltResponse | None,
) -> BoltResponse | None:
    """Bolt's ``app.error`` handler for listener and middleware failures."""
    target = reply_target_for(body)
    if isinstance(error, UserFacingError):
        logger.info(
            "user-facing error",
            extra={"error_type": type(error).__name__, "surface": target.surface},
        )
        _deliver_best_effort(context.client, target, build_user_error_message(error))
        return _acknowledged(response)

    incident_id = new_incident_id()
    logger.error(
        "Slack request failed",
        exc_info=error,
        extra={
            "incident_id": incident_id,
            "error_type": type(error).__name__,
            "surface": target.surface,
        },
    )
    if body.get("type") == "event_callback" and not context.get("delivery_claimed"):
        # Failed before we claimed it (e.g. the store was down): answer 500 and let
        # Slack's retry try again rather than apologising for an answer still to come.
        return None
    if target.surface == "home":
        _publish_home_error(context.client, target, incident_id)
    else:
        _deliver_best_effort(context.client, target, build_apology_message(incident_id))
    return _acknowledged(response)


def _acknowledged(response: BoltResponse | None) -> BoltResponse | None:
    """Tell Slack the delivery was handled (we replied), so it is not retried into a dupe.

    Bolt only accepts a replacement response while it still has one to send.
    """
    if response is None:
        return None
    return BoltResponse(status=200, body="")


def _deliver_best_effort(
    client: WebClient | None, target: ReplyTarget, message: SlackMessage
) -> None:
    if client is None:
        return
    try:
        send_reply(client, target, message, ephemeral=True)
    except Exception:  # noqa: BLE001 - last line of defence: log, never raise from here
        logger.exception("could not deliver an error reply", extra={"surface": target.surface})


def _publish_home_error(client: WebClient | None, target: ReplyTarget, incident_id: str) -> None:
    if client is None or target.user_id is None:
        return
    try:
        client.views_publish(
            user_id=target.user_id,
            view={"type": "home", "blocks": build_home_error_view_blocks(incident_id)},
        )
    except Exception:  # noqa: BLE001 - last line of defence: log, never raise from here
        logger.exception("could not publish the Home error view")
