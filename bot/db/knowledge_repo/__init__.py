"""Queries behind the knowledge features: ticket and NPS texts, sentiment, themes, signals.

Repository functions take ``session=`` and never commit (the caller's unit of work
does). Results are plain rows or DataFrames, so ``knowledge`` never sees SQLAlchemy.
One module per concern (``texts``, ``sentiment``, ``themes``, ``signals``); callers
import from this package (``_chunks`` is shared between its modules only). Account
lookups live in ``bot.db.queries.accounts``.
"""

from __future__ import annotations

from bot.db.knowledge_repo.sentiment import (
    account_sentiment_trend,
    churn_intent_ticket_ids,
    stored_churn_versions,
    stored_sentiment_versions,
    ticket_sentiments,
    upsert_text_sentiments,
    upsert_ticket_churn_intents,
)
from bot.db.knowledge_repo.signals import account_signal_facts
from bot.db.knowledge_repo.texts import (
    NpsCommentRow,
    TicketTextRow,
    nps_comment_rows,
    ticket_text_rows,
)
from bot.db.knowledge_repo.themes import (
    ThemeRecord,
    add_theme_assignments,
    assigned_ticket_ids,
    replace_scope_themes,
    scope_themes,
    theme_member_ids,
    theme_scopes,
)

__all__ = [
    "NpsCommentRow",
    "ThemeRecord",
    "TicketTextRow",
    "account_sentiment_trend",
    "account_signal_facts",
    "add_theme_assignments",
    "assigned_ticket_ids",
    "churn_intent_ticket_ids",
    "nps_comment_rows",
    "replace_scope_themes",
    "scope_themes",
    "stored_churn_versions",
    "stored_sentiment_versions",
    "theme_member_ids",
    "theme_scopes",
    "ticket_sentiments",
    "ticket_text_rows",
    "upsert_text_sentiments",
    "upsert_ticket_churn_intents",
]
