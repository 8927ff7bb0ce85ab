"""Stored sentiment and churn-intent labels: versions, upserts, per-ticket reads, trends.

Labels are upserted by source id and carry the model version that made them, so a
refresh rescores only what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.knowledge_repo.texts import _chunks
from bot.db.models import NpsResponse, TextSentiment, Ticket, TicketChurnIntent

if TYPE_CHECKING:
    import pandas as pd


# --------------------------------------------------------------------------- sentiment
def stored_sentiment_versions(*, session: Session, source: str) -> dict[str, tuple[str, str]]:
    """source_id → (content_hash, model) of what is stored, to skip unchanged texts."""
    query = select(TextSentiment.source_id, TextSentiment.content_hash, TextSentiment.model).where(
        TextSentiment.source == source
    )
    return {
        source_id: (content_hash, model)
        for source_id, content_hash, model in session.execute(query)
    }


def upsert_text_sentiments(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Replace the sentiment rows for these (source, source_id) keys (portable upsert)."""
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row["source_id"])
    for source, ids in by_source.items():
        for chunk in _chunks(ids):
            session.execute(
                delete(TextSentiment).where(
                    TextSentiment.source == source, TextSentiment.source_id.in_(chunk)
                )
            )
    if rows:
        session.execute(TextSentiment.__table__.insert(), [dict(row) for row in rows])
    return len(rows)


def stored_churn_versions(*, session: Session) -> dict[str, tuple[str, str]]:
    """ticket_id → (content_hash, model) of the stored churn-intent rows."""
    query = select(
        TicketChurnIntent.ticket_id, TicketChurnIntent.content_hash, TicketChurnIntent.model
    )
    return {
        ticket_id: (content_hash, model)
        for ticket_id, content_hash, model in session.execute(query)
    }


def upsert_ticket_churn_intents(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Replace the churn-intent rows of these tickets (portable delete + insert)."""
    for chunk in _chunks([row["ticket_id"] for row in rows]):
        session.execute(delete(TicketChurnIntent).where(TicketChurnIntent.ticket_id.in_(chunk)))
    if rows:
        session.execute(TicketChurnIntent.__table__.insert(), [dict(row) for row in rows])
    return len(rows)


def churn_intent_ticket_ids(
    *, session: Session, ticket_ids: Sequence[str] | None = None
) -> set[str]:
    """The tickets (of ``ticket_ids``, or all) whose stored churn intent is detected."""
    query = select(TicketChurnIntent.ticket_id).where(TicketChurnIntent.detected.is_(True))
    if ticket_ids is None:
        return set(session.scalars(query))
    found: set[str] = set()
    for chunk in _chunks(list(ticket_ids)):
        found.update(session.scalars(query.where(TicketChurnIntent.ticket_id.in_(chunk))))
    return found


def ticket_sentiments(
    *, session: Session, ticket_ids: Sequence[str] | None = None
) -> dict[str, tuple[float, str]]:
    """ticket_id → (score, label) for stored ticket sentiment."""
    query = select(TextSentiment.source_id, TextSentiment.score, TextSentiment.label).where(
        TextSentiment.source == "ticket"
    )
    if ticket_ids is None:
        return {row[0]: (row[1], row[2]) for row in session.execute(query)}
    found: dict[str, tuple[float, str]] = {}
    for chunk in _chunks(list(ticket_ids)):
        for source_id, score, label in session.execute(
            query.where(TextSentiment.source_id.in_(chunk))
        ):
            found[source_id] = (score, label)
    return found


def account_sentiment_trend(
    *, session: Session, as_of: date, window_days: int = 30
) -> pd.DataFrame:
    """Mean text sentiment per account: the last ``window_days`` versus the window before.

    Tickets are dated by ``created_at`` and NPS comments by ``responded_at``; both
    sources count. For the support component of the health score.

    Returns:
        One row per account with any scored text in the two windows, columns
        ``account_id, recent_mean, prior_mean, recent_count, prior_count, change``
        (means are NaN for an empty window; ``change = recent_mean - prior_mean``).
    """
    import pandas as pd

    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    middle = end - timedelta(days=window_days)
    start = middle - timedelta(days=window_days)
    ticket_rows = session.execute(
        select(TextSentiment.account_id, Ticket.created_at, TextSentiment.score)
        .join(
            Ticket,
            (TextSentiment.source == "ticket") & (TextSentiment.source_id == Ticket.ticket_id),
        )
        .where(Ticket.created_at >= start, Ticket.created_at < end)
    ).all()
    nps_rows = session.execute(
        select(TextSentiment.account_id, NpsResponse.responded_at, TextSentiment.score)
        .join(
            NpsResponse,
            (TextSentiment.source == "nps") & (TextSentiment.source_id == NpsResponse.response_id),
        )
        .where(NpsResponse.responded_at >= start, NpsResponse.responded_at < end)
    ).all()
    columns = ["account_id", "recent_mean", "prior_mean", "recent_count", "prior_count", "change"]
    frame = pd.DataFrame(
        [tuple(row) for row in ticket_rows + nps_rows], columns=["account_id", "at", "score"]
    )
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["recent"] = frame["at"] >= pd.Timestamp(middle)
    recent = frame[frame["recent"]].groupby("account_id")["score"].agg(["mean", "count"])
    prior = frame[~frame["recent"]].groupby("account_id")["score"].agg(["mean", "count"])
    result = recent.join(prior, how="outer", lsuffix="_recent", rsuffix="_prior").reset_index()
    result = result.rename(
        columns={
            "mean_recent": "recent_mean",
            "mean_prior": "prior_mean",
            "count_recent": "recent_count",
            "count_prior": "prior_count",
        }
    )
    result["recent_count"] = result["recent_count"].fillna(0).astype(int)
    result["prior_count"] = result["prior_count"].fillna(0).astype(int)
    result["change"] = result["recent_mean"] - result["prior_mean"]
    return result[columns].sort_values("account_id").reset_index(drop=True)
