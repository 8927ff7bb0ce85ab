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

import dataclasses
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from time import perf_counter
from typing import TYPE_CHECKING, Any

from bot.db.audit import record_audit
from bot.db.base import utcnow
from bot.db.queries.accounts import account_record
from bot.db.queries.rankings import csm_names_all
from bot.db.queries.records import AccountName, AccountRecord
from bot.db.queries.threads import thread_account_id
from bot.db.session import unit_of_work
from bot.db.slack_state import upsert_slack_thread
from bot.services import Services
from bot.services.accounts.names import (
    EXACT_NAME,
    INDUSTRY_WORDS,
    AccountNameIndex,
    Ambiguous,
    BookPreference,
    NotFound,
    Resolution,
    Resolved,
    normalise,
)
from bot.services.accounts.viewers import resolve_viewer
from bot.services.answers.account import (
    answer_arr,
    answer_contacts,
    answer_health,
    answer_health_change,
    answer_next_steps,
    answer_nps,
    answer_overview,
    answer_renewal_date,
    answer_tickets,
    answer_usage,
    load_account,
)
from bot.services.answers.catalogue import closest_questions
from bot.services.answers.context import (
    AnswerContext,
    Reply,
    freshness_line,
    inherits_account,
)
from bot.services.answers.csms import csm_finder
from bot.services.answers.dates import DateWindow
from bot.services.answers.glossary import answer_metric_definition
from bot.services.answers.insights import (
    answer_account_escalations,
    answer_account_expansion,
    answer_account_invoices,
    answer_churned,
    answer_csm_breakdown,
    answer_escalations,
    answer_expansion,
    answer_health_drops,
    answer_invoices,
    answer_no_contact,
    answer_top_accounts,
)
from bot.services.answers.intents import ACCOUNT_ONLY, EITHER, LEFTOVER_IS_A_NAME, Intent
from bot.services.answers.portfolio import (
    answer_accounts,
    answer_arr_at_risk,
    answer_at_risk,
    answer_band_changes,
    answer_portfolio_arr,
    answer_portfolio_ctas,
    answer_portfolio_health,
    answer_portfolio_nps,
    answer_portfolio_tickets,
    answer_renewals,
)
from bot.services.answers.question_parser import ParsedQuestion, parse_question
from bot.services.answers.themes import answer_account_themes, answer_portfolio_themes
from bot.services.answers.types import Answer, Question
from bot.services.answers.vocabulary import STOPWORDS
from bot.services.answers.workday import (
    answer_compare,
    answer_draft_email,
    answer_last_contact,
    answer_last_qbr,
    answer_qbr_summary,
    answer_who_am_i,
    answer_work_today,
)
from bot.slack.blocks.answer import (
    build_not_found_blocks,
    build_refusal_blocks,
    build_which_account_blocks,
    freshness,
    note,
    paragraph,
)
from bot.slack.blocks.choices import build_account_choice_message
from bot.slack.blocks.help import build_help_message
from bot.slack.blocks.insights_answer import build_csm_not_visible_blocks, build_unmapped_blocks
from bot.slack.blocks.plain_text import blocks_to_text
from bot.slack.formatting import escape_mrkdwn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.services.answers.llm_router import RoutedQuestion

__all__ = ["Answer", "Question", "answer_question"]

logger = logging.getLogger(__name__)

# The transport adds one actions block (feedback, share, show more) and may add a
# notice; 45 leaves room under Slack's 50-block message limit.
MAX_ANSWER_BLOCKS = 45
QUESTION_AUDIT_LIMIT = 500
# A question that matched no rule is treated as a name only if it nearly is one.
LIKELY_TYPO = 70.0

AccountHandler = Callable[[AnswerContext, AccountRecord], Reply]
PortfolioHandler = Callable[[AnswerContext], Reply]

ACCOUNT_HANDLERS: dict[Intent, AccountHandler] = {
    Intent.ACCOUNT_OVERVIEW: answer_overview,
    Intent.HEALTH: answer_health,
    Intent.HEALTH_CHANGE: answer_health_change,
    Intent.RENEWAL_DATE: answer_renewal_date,
    Intent.USAGE: answer_usage,
    Intent.TICKETS: answer_tickets,
    Intent.THEMES: answer_account_themes,
    Intent.CONTACTS: answer_contacts,
    Intent.NPS: answer_nps,
    Intent.ARR: answer_arr,
    Intent.NEXT_STEPS: answer_next_steps,
    Intent.EXPANSION: answer_account_expansion,
    Intent.INVOICES: answer_account_invoices,
    Intent.ESCALATIONS: answer_account_escalations,
    Intent.LAST_QBR: answer_last_qbr,
    Intent.LAST_CONTACT: answer_last_contact,
    Intent.DRAFT_EMAIL: answer_draft_email,
    Intent.QBR_SUMMARY: answer_qbr_summary,
}
PORTFOLIO_HANDLERS: dict[Intent, PortfolioHandler] = {
    Intent.HEALTH: answer_portfolio_health,
    Intent.HEALTH_CHANGE: answer_band_changes,
    Intent.RENEWALS: answer_renewals,
    Intent.ACCOUNTS: answer_accounts,
    Intent.AT_RISK: answer_at_risk,
    Intent.ARR: answer_portfolio_arr,
    Intent.ARR_AT_RISK: answer_arr_at_risk,
    Intent.BAND_CHANGES: answer_band_changes,
    Intent.TICKETS: answer_portfolio_tickets,
    Intent.THEMES: answer_portfolio_themes,
    Intent.NPS: answer_portfolio_nps,
    Intent.NEXT_STEPS: answer_portfolio_ctas,
    Intent.WHO_AM_I: answer_who_am_i,
    Intent.WORK_TODAY: answer_work_today,
    Intent.HEALTH_DROPS: answer_health_drops,
    Intent.EXPANSION: answer_expansion,
    Intent.INVOICES: answer_invoices,
    Intent.NO_CONTACT: answer_no_contact,
    Intent.TOP_ACCOUNTS: answer_top_accounts,
    Intent.CHURNED: answer_churned,
    Intent.CSM_BREAKDOWN: answer_csm_breakdown,
    Intent.ESCALATIONS: answer_escalations,
}
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
                    word_is_topic=lambda rest, word: _word_is_topic(rest, word, today),
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
        return _finish(ctx, answer_metric_definition(ctx), parsed.intent)
    if parsed.csm is not None and not ctx.viewer.can_see_book(parsed.csm.csm_id):
        return _plain(build_csm_not_visible_blocks(parsed.csm.name), "not_found")
    if parsed.intent == Intent.COMPARE:
        return _compare(ctx, index)
    resolution = _resolve_account(ctx, index)
    if isinstance(resolution, Resolved) and not parsed.matched_rule and _has_unknown_words(ctx):
        return _unmapped(ctx)  # "acme weather forecast": not an overview of Acme
    if isinstance(resolution, Resolved):
        intent = parsed.intent if parsed.intent in ACCOUNT_HANDLERS else Intent.ACCOUNT_OVERVIEW
        account = load_account(ctx, resolution.account.account_id)
        return _finish(ctx, ACCOUNT_HANDLERS[intent](ctx, account), intent)
    if isinstance(resolution, Ambiguous):
        if not parsed.matched_rule and _says_more_than(resolution, parsed.account_phrase):
            return _unmapped(ctx)  # "what's the weather in paris" is not a choice of Paris…
        return _choose(ctx, resolution)
    fallback = _portfolio_intent(ctx)
    if isinstance(resolution, NotFound):
        # "average nps for my team", "renewals before year end": stray words near a
        # portfolio question are not a misspelt name unless they nearly are one.
        weak = resolution.best_score < LIKELY_TYPO or parsed.scope is not None
        named = parsed.intent in LEFTOVER_IS_A_NAME or parsed.named_by_preposition
        if fallback is not None and weak and not named:
            return _finish(ctx, PORTFOLIO_HANDLERS[fallback](ctx), fallback)
        if not parsed.matched_rule and resolution.best_score < LIKELY_TYPO:
            return _unmapped(ctx)  # "what's the weather" is not a name
        return _not_found(ctx, resolution)
    if fallback is not None:
        return _finish(ctx, PORTFOLIO_HANDLERS[fallback](ctx), fallback)
    if parsed.intent in ACCOUNT_ONLY:
        blocks = build_which_account_blocks(EXAMPLE_FOR.get(parsed.intent, "How is Acme doing?"))
        return _plain(blocks, "which_account")
    if parsed.intent == Intent.HELP and parsed.matched_rule:
        return _help(ctx, understood=True)
    return _unmapped(ctx)


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


def _unmapped(ctx: AnswerContext) -> Answer:
    """ "I can't answer that yet" and the three closest questions csbot can answer."""
    said = ctx.question.text.strip()[:200]
    mention = ctx.parsed.mention
    account = mention.candidates[0].name if mention and len(mention.candidates) == 1 else "Acme"
    blocks = build_unmapped_blocks(said, closest_questions(said, account=account))
    return _plain(blocks, "unmapped")


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
        return _plain(build_which_account_blocks(EXAMPLE_FOR[Intent.COMPARE]), "which_account")
    found: list[AccountRecord] = []
    for part in parts:
        resolution = index.resolve(part, ctx.viewer.visible)
        if isinstance(resolution, Ambiguous):
            return _choose(ctx, resolution)
        if not isinstance(resolution, Resolved):
            return _not_found(ctx, resolution)
        found.append(load_account(ctx, resolution.account.account_id))
    return _finish(ctx, answer_compare(ctx, found[0], found[1]), Intent.COMPARE)


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


# Intents that ask about the same thing: "why did initech health drop" asks about
# Initech's health whether "health" is read as the topic or not.
_SAME_TOPIC = {
    Intent.HEALTH: frozenset(
        {Intent.HEALTH, Intent.HEALTH_CHANGE, Intent.AT_RISK, Intent.BAND_CHANGES}
    ),
}


def _word_is_topic(rest: list[str], word: str, today: date) -> bool:
    """After a name's first words, is ``word`` ("health") what is asked, or more of the name?

    The topic when the rest of the question asks nothing else ("initech health",
    "initech health score", "why did initech health drop"); part of the name when
    the rest asks something different ("how is oakridge health doing": an overview
    of Oakridge Health, not Oakridge Education's health).
    """
    asked = parse_question(" ".join(rest), today=today)
    if not asked.matched_rule:
        return True
    own = parse_question(word, today=today).intent
    return asked.intent in _SAME_TOPIC.get(own, frozenset({own}))


def _portfolio_intent(ctx: AnswerContext) -> Intent | None:
    parsed = ctx.parsed
    if parsed.intent in PORTFOLIO_HANDLERS and parsed.intent not in ACCOUNT_ONLY:
        return parsed.intent
    return parsed.portfolio_intent


def _resolve_account(ctx: AnswerContext, index: AccountNameIndex) -> Resolution | None:
    """The account the question is about: picked, named, fuzzy-matched, or the thread's.

    Only accounts the viewer may see take part (see ``bot.services.accounts.names``):
    a hidden account never changes the answer, so no answer hints that one exists.
    """
    question, parsed, viewer = ctx.question, ctx.parsed, ctx.viewer
    prefer = BookPreference.for_viewer(viewer)
    if question.account_id:
        return _visible_by_id(ctx, question.account_id)
    if parsed.mention is not None:
        said = " ".join(parsed.words[parsed.mention.start : parsed.mention.end])
        candidates = parsed.mention.candidates
        if not candidates:  # "summit health" beside only "Summit Logistics": another company
            return NotFound(said, [], best_score=EXACT_NAME)
        if len(candidates) == 1:
            return Resolved(candidates[0])
        return Ambiguous(said, candidates)
    if parsed.account_phrase:
        resolution = index.resolve(parsed.account_phrase, viewer.visible, prefer)
        if isinstance(resolution, NotFound) and resolution.best_score < EXACT_NAME:
            return _resolve_part_of_phrase(ctx, index, resolution)
        if isinstance(resolution, NotFound):
            return resolution  # meant whole (a domain): no part of it is another account
        _drop_from_topic(ctx, parsed.account_phrase.split())
        return resolution
    if inherits_account(parsed):
        context_id = question.context_account_id or _thread_account(ctx)
        if context_id:
            found = _visible_by_id(ctx, context_id)
            return found if isinstance(found, Resolved) else None
    return None


def _resolve_part_of_phrase(
    ctx: AnswerContext, index: AccountNameIndex, failed: NotFound
) -> Resolution:
    """Find the name inside leftover words: "results umbrella", "globx billing complaint".

    Longer runs of words are tried first, leftmost first; for "what should I do
    about …" the words around the name stay the topic for playbook retrieval.
    """
    words = (ctx.parsed.account_phrase or "").split()
    visible = ctx.viewer.visible
    prefer = BookPreference.for_viewer(ctx.viewer)
    for size in range(len(words) - 1, 0, -1):
        for start in range(0, len(words) - size + 1):
            dropped = words[:start] + words[start + size :]
            if any(word in INDUSTRY_WORDS for word in dropped):
                continue  # "harbor medical" is not "harbor" (an industry word is a name's)
            attempt = index.resolve(" ".join(words[start : start + size]), visible, prefer)
            if isinstance(attempt, Resolved | Ambiguous):
                _drop_from_topic(ctx, words[start : start + size])
                return attempt
    return failed


def _drop_from_topic(ctx: AnswerContext, name_words: list[str]) -> None:
    """The words that named the account are not part of what the question is about."""
    if not ctx.parsed.topic:
        return
    used = set(name_words)
    rest = [word for word in ctx.parsed.topic.split() if word not in used]
    ctx.parsed = dataclasses.replace(ctx.parsed, topic=" ".join(rest) or None)


def _visible_by_id(ctx: AnswerContext, account_id: str) -> Resolution:
    record = account_record(session=ctx.session, account_id=account_id)
    if record is None or not ctx.viewer.can_see_book(record.csm_id):
        return NotFound(account_id, [])
    return Resolved(
        AccountName(
            account_id=record.account_id,
            name=record.name,
            csm_id=record.csm_id,
            status=record.status,
        )
    )


def _thread_account(ctx: AnswerContext) -> str | None:
    """The account this conversation (thread or DM timeline) was last about."""
    question = ctx.question
    key = question.conversation_key or question.thread_ts
    if not question.channel_id or not key:
        return None
    return thread_account_id(session=ctx.session, channel_id=question.channel_id, thread_ts=key)


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


# ----------------------------------------------------------------------------- assembling
def _finish(ctx: AnswerContext, reply: Reply, intent: Intent) -> Answer:
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


def _plain(blocks: list[dict[str, Any]], intent: str, **extra: Any) -> Answer:
    return Answer(text=blocks_to_text(blocks), blocks=blocks, intent=intent, **extra)


def _choose(ctx: AnswerContext, ambiguous: Ambiguous) -> Answer:
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


def _not_found(ctx: AnswerContext, missing: NotFound) -> Answer:
    suggestions = [(a.account_id, a.name) for a in missing.suggestions]
    blocks = build_not_found_blocks(
        missing.query,
        suggestions,
        question=ctx.question.text,
        intent=str(ctx.parsed.intent),
        thread_ts=ctx.question.thread_ts,
    )
    return _plain(blocks, "not_found", choices=suggestions)


def _help(ctx: AnswerContext, *, understood: bool) -> Answer:
    intro = None
    if not understood:
        said = escape_mrkdwn(ctx.question.text.strip()[:200])
        intro = (
            f"I'm not sure what you mean by “{said}”. "
            "I answer questions about your customers from csbot's data."
        )
    message = build_help_message(intro=intro)
    return _plain(list(message.blocks) or paragraph(message.text), "help")
