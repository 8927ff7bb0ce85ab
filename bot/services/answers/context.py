"""What every answer handler needs, and the "data as of" line every answer ends with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from bot.db.queries.freshness import source_freshness
from bot.db.queries.health import latest_scoring_date
from bot.db.queries.records import SourceFreshness
from bot.services import Services
from bot.services.accounts.names import word_set
from bot.services.accounts.viewers import RequestedScope, Viewer
from bot.services.answers.intents import ACCOUNT_ONLY, EITHER
from bot.services.answers.question_parser import ParsedQuestion
from bot.services.answers.types import Question
from bot.slack import formatting as fmt
from bot.staleness import StalenessRule, expected_text

PAGE_SIZE = 10

SOURCE_LABELS = {
    "accounts": "accounts",
    "contracts": "contracts",
    "usage_daily": "usage",
    "tickets": "tickets",
    "contacts": "contacts",
    "interactions": "interactions",
    "nps": "NPS",
    "invoices": "invoices",
    "csms": "CSMs",
    "opportunities": "opportunities",
}


# Words that make a question about several accounts, whatever was discussed before:
# "top 5 accounts by ARR", "what's our nps trend", "which renew next month", and the
# plural lists only a book has ("NPS detractors last month", "renewals").
PORTFOLIO_WORDS = word_set(
    """my our ours mine team teams top bottom which all every everyone accounts customers
    clients portfolio book detractors promoters renewals movers csms"""
)
# Words that point back at the account being discussed: "and their detractors?".
BACK_REFERENCES = word_set("their they them theirs its it this that same there")


def inherits_account(parsed: ParsedQuestion) -> bool:
    """May a follow-up take the account the conversation (chat, Slack thread) is about?

    Only a question about one account that names none: "and their tickets?",
    "when do they renew?". A portfolio word starts a portfolio question, and a
    question that names or half-names an account is about that one.
    """
    if parsed.names_account:
        return False
    if parsed.intent not in ACCOUNT_ONLY and parsed.intent not in EITHER:
        return False
    if any(word in BACK_REFERENCES for word in parsed.words):
        return True
    if parsed.scope is not None:
        return False
    return not any(word in PORTFOLIO_WORDS for word in parsed.words)


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's result before the answer is assembled (freshness added, text rendered)."""

    blocks: list[dict[str, Any]]
    sources: tuple[str, ...]
    account_id: str | None = None
    has_more: bool = False
    scored_on: date | None = None  # the health snapshot date the answer read, if any
    about_accounts: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class AnswerContext:
    """One question being answered: the session, who asks, what they asked, and when."""

    services: Services
    session: Session
    viewer: Viewer
    question: Question
    parsed: ParsedQuestion
    now: datetime
    today: date

    @property
    def page(self) -> int:
        return max(self.question.page, 0)

    @property
    def page_size(self) -> int:
        return PAGE_SIZE

    @cached_property
    def scoring_date(self) -> date | None:
        """The latest scoring run: the portfolio's "current health"."""
        return latest_scoring_date(session=self.session)

    def scope_label(self, requested: RequestedScope | None) -> str:
        requested = self.viewer.effective_scope(requested)
        if self.viewer.is_narrowed(requested):
            return "your accounts"
        return {"me": "your accounts", "team": "your team", "all": "all accounts"}[requested]

    def narrowed_note(self, requested: RequestedScope | None) -> tuple[str, ...]:
        if self.viewer.is_narrowed(requested):
            return ("Showing only the accounts you can see (CSBOT_VISIBILITY=own).",)
        return ()


def freshness_line(
    *,
    session: Session,
    sources: tuple[str, ...],
    now: datetime,
    today: date,
    rule: StalenessRule,
    scored_on: date | None,
) -> str:
    """``Data as of 2 May 2025: usage 1 day old · tickets 3 h old · health scored 2 May 2025``.

    "As of" is the oldest of the sources the answer read: an answer is only as
    current as its stalest input. Each source shows how old its newest row is; only a
    source not loaded within its expected interval (``rule``) is flagged stale, since
    old newest rows are normal for rarely arriving data (NPS, invoices). Sources never
    loaded are named, never hidden.
    """
    loads = source_freshness(session=session)
    parts: list[str] = []
    oldest: datetime | None = None
    for source in sources:
        load = loads.get(source)
        label = SOURCE_LABELS.get(source, source)
        if load is None:
            parts.append(f"{label} never loaded")
            continue
        text = f"{label} {_age_text(load, now, today)}"
        check = rule.check(source, load.last_loaded_at, now)
        if check.stale and check.since_load is not None:
            text += (
                f" ⚠️ stale: last loaded {fmt.age(check.since_load)} ago"
                f" (expected every {expected_text(check.expected_hours)})"
            )
        parts.append(text)
        if oldest is None or load.as_of < oldest:
            oldest = load.as_of
    if scored_on is not None:
        parts.append(f"health scored {fmt.day(scored_on)}")
    head = f"Data as of {fmt.day(oldest)}" if oldest else "Data as of now"
    if not parts:
        return head
    return f"{head}: " + " · ".join(parts)


def _age_text(load: SourceFreshness, now: datetime, today: date) -> str:
    """How old the newest row is: shown for context, never a staleness flag."""
    elapsed = now - load.as_of
    if elapsed < timedelta(hours=24):
        return "fresh" if elapsed < timedelta(hours=1) else f"{fmt.age(elapsed)} old"
    days = max((today - load.as_of.date()).days, 1)
    return f"{fmt.plural(days, 'day')} old"
