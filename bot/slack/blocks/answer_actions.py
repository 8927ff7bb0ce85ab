"""The buttons under every answer: 👍/👎, show more, and share in channel.

The transport adds these to whatever the question-answering pipeline rendered, so
every answer surface (DM, thread, slash command) gets the same controls. Each
button carries the question (:class:`~bot.slack.action_values.AnswerRef`) because
clicks may reach another replica and ephemeral messages come back without content.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.slack.action_values import AnswerRef
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, context_line
from bot.slack.formatting import escape_mrkdwn
from bot.slack.ids import ActionId
from bot.slack.replies import SlackMessage

ANSWER_ACTIONS_BLOCK_ID = "answer_actions"
TRIMMED_NOTICE_BLOCK_ID = "answer_trimmed"


def build_answer_actions_block(
    ref: AnswerRef, *, show_more: bool, share: bool, feedback: bool = True
) -> dict[str, Any] | None:
    """One actions block with the controls that apply; None when none apply."""
    elements: list[ButtonElement] = []
    if show_more:
        more = ref.model_copy(update={"page": ref.page + 1})
        elements.append(
            ButtonElement(text="Show more", action_id=ActionId.SHOW_MORE, value=more.to_value())
        )
    if share:
        elements.append(
            ButtonElement(
                text="Share in channel",
                action_id=ActionId.SHARE_IN_CHANNEL,
                value=ref.to_value(),
                style="primary",
            )
        )
    if feedback:
        value = ref.to_value()
        elements.append(
            ButtonElement(text="👍 Helpful", action_id=ActionId.FEEDBACK_UP, value=value)
        )
        elements.append(
            ButtonElement(text="👎 Not helpful", action_id=ActionId.FEEDBACK_DOWN, value=value)
        )
    if not elements:
        return None
    return ActionsBlock(block_id=ANSWER_ACTIONS_BLOCK_ID, elements=elements).to_dict()


def decorate_answer(
    text: str,
    blocks: list[dict[str, Any]],
    ref: AnswerRef,
    *,
    show_more: bool,
    share: bool,
    feedback: bool = True,
) -> SlackMessage:
    """The answer's own blocks plus the controls, kept within the 50-block message limit.

    If the answer alone is too long, its tail is dropped with a visible notice (and a
    "Show more" button is the way to the rest) rather than letting Slack refuse it.
    """
    actions = build_answer_actions_block(ref, show_more=show_more, share=share, feedback=feedback)
    reserved = 1 if actions else 0
    body = [block for block in blocks if block.get("block_id") != ANSWER_ACTIONS_BLOCK_ID]
    if len(body) + reserved > MESSAGE_BLOCK_LIMIT:
        keep = MESSAGE_BLOCK_LIMIT - reserved - 1
        body = body[:keep] + [
            context_line(
                "_This answer was too long for one Slack message; ask a narrower question "
                "or use Show more._",
                block_id=TRIMMED_NOTICE_BLOCK_ID,
            )
        ]
    if actions:
        body.append(actions)
    # the fallback is plain text, but Slack reads ``text`` as mrkdwn: escape it like blocks
    return SlackMessage(text=escape_mrkdwn(text), blocks=body)
