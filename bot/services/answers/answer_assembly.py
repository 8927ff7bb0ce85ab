"""Turn a reply, a choice of accounts, a miss or help into the Answer the transport posts.

Every answer ends here: notes and the closing freshness line are added, the blocks
are fitted under Slack's message limit, and the plain-text fallback is rendered.
"""

from __future__ import annotations

from typing import Any

from bot.services.accounts.names import Ambiguous, NotFound
from bot.services.answers.catalogue import closest_questions
from bot.services.answers.context import AnswerContext, Reply, freshness_line
from bot.services.answers.intents import Intent
from bot.services.answers.types import Answer
from bot.slack.blocks.answer import build_not_found_blocks, freshness, note, paragraph
from bot.slack.blocks.choices import build_account_choice_message
from bot.slack.blocks.help import build_help_message
from bot.slack.blocks.insights_answer import build_unmapped_blocks
from bot.slack.blocks.plain_text import blocks_to_text
from bot.slack.formatting import escape_mrkdwn

# The transport adds one actions block (feedback, share, show more) and may add a
# notice; 45 leaves room under Slack's 50-block message limit.
MAX_ANSWER_BLOCKS = 45


def finish_answer(ctx: AnswerContext, reply: Reply, intent: Intent) -> Answer:
    """Add notes and the closing freshness line, fit the block limit, render the text."""
    body = list(reply.blocks) + [note(text) for text in reply.notes]
    if len(body) > MAX_ANSWER_BLOCKS - 1:
        body = body[: MAX_ANSWER_BLOCKS - 2] + [
            note("Answer shortened to fit one message; ask a narrower question.")
        ]
    line = freshness_line(
        session=ctx.session,
        sources=reply.sources,
        now=ctx.now,
        today=ctx.today,
        rule=ctx.services.settings.staleness,
        scored_on=reply.scored_on,
    )
    blocks = [*body, freshness(line)]
    return Answer(
        text=blocks_to_text(blocks),
        blocks=blocks,
        intent=str(intent),
        account_id=reply.account_id,
        has_more=reply.has_more,
        page=ctx.page,
        about_accounts=reply.about_accounts,
    )


def plain_answer(blocks: list[dict[str, Any]], intent: str, **extra: Any) -> Answer:
    """Blocks as they are (no freshness line): refusals, prompts and misses."""
    return Answer(text=blocks_to_text(blocks), blocks=blocks, intent=intent, **extra)


def choice_answer(ctx: AnswerContext, ambiguous: Ambiguous) -> Answer:
    """Several visible accounts match: ask which one the question is about."""
    choices = [(a.account_id, a.name) for a in ambiguous.candidates]
    message = build_account_choice_message(
        ctx.question.text,
        ambiguous.query,
        choices,
        intent=str(ctx.parsed.intent),
        thread_ts=ctx.question.thread_ts,
    )
    names = ", ".join(name for _, name in choices)
    return Answer(
        text=f"{message.text} {names}",
        blocks=message.blocks,
        intent="choose_account",
        choices=choices,
    )


def not_found_answer(ctx: AnswerContext, missing: NotFound) -> Answer:
    """No visible account matches: say so, with the closest visible names as suggestions."""
    suggestions = [(a.account_id, a.name) for a in missing.suggestions]
    blocks = build_not_found_blocks(
        missing.query,
        suggestions,
        question=ctx.question.text,
        intent=str(ctx.parsed.intent),
        thread_ts=ctx.question.thread_ts,
    )
    return plain_answer(blocks, "not_found", choices=suggestions)


def help_answer(ctx: AnswerContext, *, understood: bool) -> Answer:
    """What csbot can answer, prefixed by "I'm not sure what you mean" when not understood."""
    intro = None
    if not understood:
        said = escape_mrkdwn(ctx.question.text.strip()[:200])
        intro = (
            f"I'm not sure what you mean by “{said}”. "
            "I answer questions about your customers from csbot's data."
        )
    message = build_help_message(intro=intro)
    return plain_answer(list(message.blocks) or paragraph(message.text), "help")


def unmapped_answer(ctx: AnswerContext) -> Answer:
    """ "I can't answer that yet" and the three closest questions csbot can answer."""
    said = ctx.question.text.strip()[:200]
    mention = ctx.parsed.mention
    account = mention.candidates[0].name if mention and len(mention.candidates) == 1 else "Acme"
    blocks = build_unmapped_blocks(said, closest_questions(said, account=account))
    return plain_answer(blocks, "unmapped")
