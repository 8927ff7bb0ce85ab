"""Which account a question is about: the one picked, named, fuzzy-matched, or the thread's.

Only accounts the viewer may see take part, so a hidden account never changes an
answer; words that named the account are taken out of the question's topic.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from bot.db.queries.accounts import account_record
from bot.db.queries.records import AccountName
from bot.db.queries.threads import thread_account_id
from bot.services.accounts.names import (
    EXACT_NAME,
    INDUSTRY_WORDS,
    AccountNameIndex,
    Ambiguous,
    BookPreference,
    NotFound,
    Resolution,
    Resolved,
)
from bot.services.answers.context import AnswerContext, inherits_account
from bot.services.answers.intents import Intent
from bot.services.answers.question_parser import parse_question

# Intents that ask about the same thing: "why did initech health drop" asks about
# Initech's health whether "health" is read as the topic or not.
_SAME_TOPIC = {
    Intent.HEALTH: frozenset(
        {Intent.HEALTH, Intent.HEALTH_CHANGE, Intent.AT_RISK, Intent.BAND_CHANGES}
    ),
}


def word_is_topic(rest: list[str], word: str, today: date) -> bool:
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


def resolve_account(ctx: AnswerContext, index: AccountNameIndex) -> Resolution | None:
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
