"""Answer a question about customers: who asks, what they mean, which account, the facts.

The one entry point for Slack handlers, ``csbot ask`` and ``csbot chat``:
:func:`answer_question`. It resolves the asker to a viewer (unknown people are
refused politely), parses the question deterministically, finds the account
among those the viewer may see, runs the matching typed queries, and returns
blocks that end with a "data as of" line. Every answer, refusals included,
writes an audit record in the same transaction as the reads.

Nothing on this path imports torch, chromadb or scikit-learn; only "what should
I do about …" with a topic loads the playbook retriever, and "what are customers
complaining about?" may group tickets into themes on demand, both lazily.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from time import perf_counter
from typing import TYPE_CHECKING

from bot.db.audit import record_audit
from bot.db.base import utcnow
from bot.db.queries.rankings import csm_names_all
from bot.db.queries.records import AccountRecord
from bot.db.session import unit_of_work
from bot.db.slack_state import upsert_slack_thread
from bot.services import Services
from bot.services.accounts.names import (
    AccountNameIndex,
    Ambiguous,
    BookPreference,
    NotFound,
    Resolved,
    normalise,
)
from bot.services.accounts.viewers import resolve_viewer
from bot.services.answers.account import load_account
from bot.services.answers.account_resolution import resolve_account, word_is_topic
from bot.services.answers.answer_assembly import (
    choice_answer,
    finish_answer,
    help_answer,
    not_found_answer,
    plain_answer,
    unmapped_answer,
)
from bot.services.answers.context import AnswerContext
from bot.services.answers.csms import csm_finder
from bot.services.answers.dates import DateWindow
from bot.services.answers.glossary import answer_metric_definition
from bot.services.answers.intent_handlers import ACCOUNT_HANDLERS, PORTFOLIO_HANDLERS
from bot.services.answers.intents import ACCOUNT_ONLY, EITHER, LEFTOVER_IS_A_NAME, Intent
from bot.services.answers.question_parser import ParsedQuestion, parse_question
from bot.services.answers.types import Answer, Question
from bot.services.answers.vocabulary import STOPWORDS
from bot.services.answers.workday import answer_compare
from bot.slack.blocks.answer import (
    build_refusal_blocks,
    build_which_account_blocks,
    note,
    paragraph,
)
from bot.slack.blocks.insights_answer import build_csm_not_visible_blocks
from bot.slack.blocks.plain_text import blocks_to_text
from bot.slack.formatting import escape_mrkdwn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.services.answers.llm_router import RoutedQuestion

__all__ = ["Answer", "Question", "answer_question"]

logger = logging.getLogger(__name__)

QUESTION_AUDIT_LIMIT = 500
# A question that matched no rule is treated as a name only if it nearly is one.
LIKELY_TYPO = 70.0

EXAMPLE_FOR = {
    Intent.ACCOUNT_OVERVIEW: "How is Acme doing?",
    Intent.RENEWAL_DATE: "When does Acme renew?",
    Intent.USAGE: "Usage trend for Acme",
    Intent.CONTACTS: "Who is the champion at Acme?",
    Intent.COMPARE: "Compare Acme and Globex",
    Intent.DRAFT_EMAIL: "Draft a renewal email to Acme",
    Intent.QBR_SUMMARY: "Summarize Acme for my QBR",
    Intent.LAST_QBR: "Last QBR with Acme",
    Intent.LAST_CONTACT: "When did we last talk to Acme?",
}


def answer_question(services: Services, question: Question) -> Answer:
    """Answer one question as the asking Slack user is allowed to see it.

    Never raises for anything the asker did (unknown user, unknown or ambiguous
    account, unrelated question): those are answers too.
    """
    started = perf_counter()
    now = question.now or utcnow()
    today = now.astimezone(services.settings.tz).date()
    with unit_of_work(services.session_factory) as session:
        viewer = resolve_viewer(
            session, question.slack_user_id, visibility=services.settings.visibility
        )
        understood_by = "rules"
        if viewer is None:
            blocks = build_refusal_blocks()
            answer = Answer(
                text=blocks_to_text(blocks), blocks=blocks, intent="refused", refused=True
            )
        else:
            index = services.account_names.index(session)
            prefer = BookPreference.for_viewer(viewer)
            parsed = parse_question(
                question.text,
                today=today,
                find_mention=lambda words: index.find_mention(
                    words,
                    viewer.visible,
                    ignore=STOPWORDS,
                    prefer=prefer,
                    word_is_topic=lambda rest, word: word_is_topic(rest, word, today),
                ),
                find_csm=csm_finder(csm_names_all(session=session), question.text),
            )
            context = AnswerContext(
                services=services,
                session=session,
                viewer=viewer,
                question=question,
                parsed=parsed,
                now=now,
                today=today,
            )
            answer = _answer(context, index)
            understood_by = context.parsed.understood_by
            _remember_conversation(session, question, answer, now)
        elapsed_ms = round((perf_counter() - started) * 1000, 1)
        record_audit(
            session=session,
            actor=f"slack:{question.slack_user_id}",
            action="answer",
            target=answer.account_id or answer.intent,
            detail={
                "intent": answer.intent,
                "question": question.text[:QUESTION_AUDIT_LIMIT],
                "channel_id": question.channel_id,
                "page": question.page,
                "has_more": answer.has_more,
                "refused": answer.refused,
                "understood_by": understood_by,
                "elapsed_ms": elapsed_ms,
            },
        )
    logger.info(
        "answered question",
        extra={
            "intent": answer.intent,
            "account_id": answer.account_id,
            "slack_user_id": question.slack_user_id,
            "elapsed_ms": elapsed_ms,
        },
    )
    return answer


def _answer(ctx: AnswerContext, index: AccountNameIndex) -> Answer:
    if not ctx.parsed.matched_rule and ctx.services.settings.llm_enabled:
        answered = _answer_with_llm(ctx, index)
        if answered is not None:
            return answered
    return _answer_parsed(ctx, index)


def _answer_parsed(ctx: AnswerContext, index: AccountNameIndex) -> Answer:
    parsed = ctx.parsed
    if parsed.intent == Intent.METRIC_DEFINITION:  # the glossary: never about one account
        return finish_answer(ctx, answer_metric_definition(ctx), parsed.intent)
    if parsed.csm is not None and not ctx.viewer.can_see_book(parsed.csm.csm_id):
        return plain_answer(build_csm_not_visible_blocks(parsed.csm.name), "not_found")
    if parsed.intent == Intent.COMPARE:
        return _compare(ctx, index)
    resolution = resolve_account(ctx, index)
    if isinstance(resolution, Resolved) and not parsed.matched_rule and _has_unknown_words(ctx):
        return unmapped_answer(ctx)  # "acme weather forecast": not an overview of Acme
    if isinstance(resolution, Resolved):
        intent = parsed.intent if parsed.intent in ACCOUNT_HANDLERS else Intent.ACCOUNT_OVERVIEW
        account = load_account(ctx, resolution.account.account_id)
        return finish_answer(ctx, ACCOUNT_HANDLERS[intent](ctx, account), intent)
    if isinstance(resolution, Ambiguous):
        if not parsed.matched_rule and _says_more_than(resolution, parsed.account_phrase):
            return unmapped_answer(ctx)  # "what's the weather in paris" is not a choice of Paris…
        return choice_answer(ctx, resolution)
    fallback = _portfolio_intent(ctx)
    if isinstance(resolution, NotFound):
        # "average nps for my team", "renewals before year end": stray words near a
        # portfolio question are not a misspelt name unless they nearly are one.
        weak = resolution.best_score < LIKELY_TYPO or parsed.scope is not None
        named = parsed.intent in LEFTOVER_IS_A_NAME or parsed.named_by_preposition
        if fallback is not None and weak and not named:
            return finish_answer(ctx, PORTFOLIO_HANDLERS[fallback](ctx), fallback)
        if not parsed.matched_rule and resolution.best_score < LIKELY_TYPO:
            return unmapped_answer(ctx)  # "what's the weather" is not a name
        return not_found_answer(ctx, resolution)
    if fallback is not None:
        return finish_answer(ctx, PORTFOLIO_HANDLERS[fallback](ctx), fallback)
    if parsed.intent in ACCOUNT_ONLY:
        blocks = build_which_account_blocks(EXAMPLE_FOR.get(parsed.intent, "How is Acme doing?"))
        return plain_answer(blocks, "which_account")
    if parsed.intent == Intent.HELP and parsed.matched_rule:
        return help_answer(ctx, understood=True)
    return unmapped_answer(ctx)


def _has_unknown_words(ctx: AnswerContext) -> bool:
    """An unmatched question that says more than an account name ("acme weather")."""
    parsed = ctx.parsed
    if parsed.mention is None:
        return False
    outside = parsed.words[: parsed.mention.start] + parsed.words[parsed.mention.end :]
    return any(w not in STOPWORDS and not w.isdigit() for w in outside)


def _says_more_than(ambiguous: Ambiguous, phrase: str | None) -> bool:
    """Words in an unmatched question's phrase that are in none of the candidates' names."""
    if not phrase:
        return False
    named = {word for a in ambiguous.candidates for word in normalise(a.name).split()}
    return any(word not in named for word in phrase.split())


_COMPARE_SPLIT = re.compile(r"\s(?:and|vs|versus|with|to|against|or)\s")
_COMPARE_NOISE = re.compile(
    r"\b(compare|comparison|compared|comparing|side by side|difference between|how does|stack up"
    r"|accounts?|the|please|can you|me)\b"
)


def _compare(ctx: AnswerContext, index: AccountNameIndex) -> Answer:
    """Two accounts side by side: each side resolved like any account name."""
    text = " " + _COMPARE_NOISE.sub(" ", normalise(ctx.question.text)) + " "
    parts = [p.strip() for p in _COMPARE_SPLIT.split(text, maxsplit=1) if p.strip()]
    if len(parts) != 2:
        return plain_answer(
            build_which_account_blocks(EXAMPLE_FOR[Intent.COMPARE]), "which_account"
        )
    found: list[AccountRecord] = []
    for part in parts:
        resolution = index.resolve(part, ctx.viewer.visible)
        if isinstance(resolution, Ambiguous):
            return choice_answer(ctx, resolution)
        if not isinstance(resolution, Resolved):
            return not_found_answer(ctx, resolution)
        found.append(load_account(ctx, resolution.account.account_id))
    return finish_answer(ctx, answer_compare(ctx, found[0], found[1]), Intent.COMPARE)


def _answer_with_llm(ctx: AnswerContext, index: AccountNameIndex) -> Answer | None:
    """An unmatched question through the tool-calling router (None: the model chose no tool).

    Each tool call is a typed question answered by :func:`_answer_parsed` for this
    viewer, so names, scope and figures come from the same resolution and queries as
    a parsed question; the model's reply is shown only after its figures are checked
    against those answers (unverifiable ones are marked).
    """
    from bot.services.answers.llm_router import answer_with_tools

    parses: list[ParsedQuestion] = []

    def run(routed: RoutedQuestion) -> Answer:
        ctx.parsed = _parsed_from_routed(ctx, index, routed)
        parses.append(ctx.parsed)
        return _answer_parsed(ctx, index)

    result = answer_with_tools(ctx.services.settings, ctx.question.text, run)
    if result is None:
        return None
    ctx.parsed = parses[0]
    first = result.answers[0]
    if result.reply is None:
        return first
    blocks = [*paragraph(escape_mrkdwn(result.reply))]
    if result.unverified:
        blocks.append(
            note(
                f"{result.unverified} figure(s) in this reply could not be found in csbot's "
                "data and are marked [unverified]."
            )
        )
    blocks.append(
        note(
            "Written by the configured LLM from csbot's answers to: "
            + ", ".join(answer.intent for answer in result.answers)
        )
    )
    if first.blocks:
        blocks.append(first.blocks[-1])  # the freshness line of the data it read
    accounts = {answer.account_id for answer in result.answers}
    return Answer(
        text=blocks_to_text(blocks),
        blocks=blocks,
        intent=first.intent,
        account_id=accounts.pop() if len(accounts) == 1 else None,
        about_accounts=True,
    )


def _parsed_from_routed(
    ctx: AnswerContext, index: AccountNameIndex, routed: RoutedQuestion
) -> ParsedQuestion:
    """The router's typed question as a parse: same resolution, scope checks and queries."""
    words = normalise(routed.account_name or "").split()
    prefer = BookPreference.for_viewer(ctx.viewer)
    mention = (
        index.find_mention(words, ctx.viewer.visible, ignore=STOPWORDS, prefer=prefer)
        if words
        else None
    )
    window = None
    if routed.days:
        window = DateWindow(
            ctx.today,
            ctx.today + timedelta(days=routed.days),
            f"the next {routed.days} days",
        )
    return ParsedQuestion(
        intent=routed.intent,
        words=words,
        mention=mention if mention and mention.end - mention.start == len(words) else None,
        account_phrase=" ".join(words) or None,
        portfolio_intent=routed.intent if routed.intent in EITHER else None,
        scope=routed.scope,
        window=window,
        matched_rule=True,
        understood_by="llm",
    )


def _portfolio_intent(ctx: AnswerContext) -> Intent | None:
    parsed = ctx.parsed
    if parsed.intent in PORTFOLIO_HANDLERS and parsed.intent not in ACCOUNT_ONLY:
        return parsed.intent
    return parsed.portfolio_intent


def _remember_conversation(
    session: Session, question: Question, answer: Answer, now: datetime
) -> None:
    """Keep the conversation's account for its next follow-up (refusals keep nothing)."""
    if question.conversation_key is None or question.channel_id is None or answer.refused:
        return
    upsert_slack_thread(
        session=session,
        channel_id=question.channel_id,
        thread_ts=question.conversation_key,
        slack_user_id=question.slack_user_id,
        account_id=answer.account_id,
        last_intent=answer.intent,
        now=now,
    )
