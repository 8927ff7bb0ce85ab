"""Queries behind the knowledge features: ticket and NPS texts, sentiment, themes, signals.

Repository functions take ``session=`` and never commit (the caller's unit of work
does). Results are plain rows or DataFrames, so ``knowledge`` never sees SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    HealthScore,
    Interaction,
    Invoice,
    NpsResponse,
    TextSentiment,
    Ticket,
    TicketChurnIntent,
    TicketTheme,
    TicketThemeAssignment,
    UsageDaily,
)

if TYPE_CHECKING:
    import pandas as pd

_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class TicketTextRow:
    ticket_id: str
    account_id: str
    csm_id: str | None
    created_at: datetime
    subject: str | None
    description: str | None
    category: str | None
    priority: str | None


@dataclass(frozen=True, slots=True)
class NpsCommentRow:
    response_id: str
    account_id: str
    responded_at: datetime
    score: int
    comment: str


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


# --------------------------------------------------------------------------- texts
def ticket_text_rows(
    *,
    session: Session,
    account_id: str | None = None,
    csm_id: str | None = None,
    ticket_ids: Sequence[str] | None = None,
) -> list[TicketTextRow]:
    """Tickets that have a subject or description, oldest first, with their account's CSM."""
    query = (
        select(
            Ticket.ticket_id,
            Ticket.account_id,
            Account.csm_id,
            Ticket.created_at,
            Ticket.subject,
            Ticket.description,
            Ticket.category,
            Ticket.priority,
        )
        .join(Account, Account.account_id == Ticket.account_id)
        .where(or_(Ticket.subject.is_not(None), Ticket.description.is_not(None)))
        .order_by(Ticket.created_at, Ticket.ticket_id)
    )
    if account_id is not None:
        query = query.where(Ticket.account_id == account_id)
    if csm_id is not None:
        query = query.where(Account.csm_id == csm_id)
    if ticket_ids is not None:
        rows: list[TicketTextRow] = []
        for chunk in _chunks(list(ticket_ids)):
            rows += [
                TicketTextRow(*row)
                for row in session.execute(query.where(Ticket.ticket_id.in_(chunk)))
            ]
        return sorted(rows, key=lambda row: (row.created_at, row.ticket_id))
    return [TicketTextRow(*row) for row in session.execute(query)]


def nps_comment_rows(*, session: Session) -> list[NpsCommentRow]:
    """NPS responses that carry a non-empty comment."""
    query = (
        select(
            NpsResponse.response_id,
            NpsResponse.account_id,
            NpsResponse.responded_at,
            NpsResponse.score,
            NpsResponse.comment,
        )
        .where(NpsResponse.comment.is_not(None), NpsResponse.comment != "")
        .order_by(NpsResponse.responded_at, NpsResponse.response_id)
    )
    return [NpsCommentRow(*row) for row in session.execute(query)]


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


# --------------------------------------------------------------------------- themes
@dataclass(frozen=True, slots=True)
class ThemeRecord:
    """What the service hands over to store one theme and its members."""

    label: str
    terms: list[str]
    size: int
    negative_share: float
    trend: float | None
    examples: list[str]
    centroid: list[float]
    members: list[tuple[str, float]]  # (ticket_id, similarity)


def replace_scope_themes(
    *, session: Session, scope: str, themes: Sequence[ThemeRecord], computed_at: datetime
) -> list[int]:
    """Swap a scope's themes and assignments for new ones in the caller's transaction."""
    old_ids = list(session.scalars(select(TicketTheme.id).where(TicketTheme.scope == scope)))
    session.execute(delete(TicketThemeAssignment).where(TicketThemeAssignment.scope == scope))
    if old_ids:
        session.execute(delete(TicketTheme).where(TicketTheme.id.in_(old_ids)))
    new_ids: list[int] = []
    for theme in themes:
        row = TicketTheme(
            scope=scope,
            label=theme.label[:200],
            terms=theme.terms,
            size=theme.size,
            negative_share=theme.negative_share,
            trend=theme.trend,
            examples=theme.examples,
            centroid=theme.centroid,
            computed_at=computed_at,
        )
        session.add(row)
        session.flush()
        new_ids.append(row.id)
        if theme.members:
            session.execute(
                TicketThemeAssignment.__table__.insert(),
                [
                    {"ticket_id": ticket_id, "scope": scope, "theme_id": row.id, "similarity": sim}
                    for ticket_id, sim in theme.members
                ],
            )
    return new_ids


def scope_themes(*, session: Session, scope: str) -> list[TicketTheme]:
    """A scope's themes, largest first."""
    query = (
        select(TicketTheme)
        .where(TicketTheme.scope == scope)
        .order_by(TicketTheme.size.desc(), TicketTheme.id)
    )
    return list(session.scalars(query))


def theme_scopes(*, session: Session) -> list[str]:
    return list(session.scalars(select(TicketTheme.scope).distinct().order_by(TicketTheme.scope)))


def assigned_ticket_ids(*, session: Session, scope: str) -> set[str]:
    query = select(TicketThemeAssignment.ticket_id).where(TicketThemeAssignment.scope == scope)
    return set(session.scalars(query))


def theme_member_ids(*, session: Session, theme_id: int) -> list[str]:
    query = (
        select(TicketThemeAssignment.ticket_id)
        .where(TicketThemeAssignment.theme_id == theme_id)
        .order_by(TicketThemeAssignment.similarity.desc())
    )
    return list(session.scalars(query))


def add_theme_assignments(
    *, session: Session, scope: str, assignments: Sequence[tuple[str, int, float]]
) -> int:
    """Attach new tickets (ticket_id, theme_id, similarity) and grow the themes' sizes."""
    if not assignments:
        return 0
    session.execute(
        TicketThemeAssignment.__table__.insert(),
        [
            {"ticket_id": ticket_id, "scope": scope, "theme_id": theme_id, "similarity": sim}
            for ticket_id, theme_id, sim in assignments
        ],
    )
    grown: dict[int, int] = {}
    for _, theme_id, _ in assignments:
        grown[theme_id] = grown.get(theme_id, 0) + 1
    for theme_id, added in grown.items():
        session.execute(
            update(TicketTheme)
            .where(TicketTheme.id == theme_id)
            .values(size=TicketTheme.size + added)
        )
    return len(assignments)


# --------------------------------------------------------------------------- accounts
def find_account(*, session: Session, query: str) -> tuple[str, str] | None:
    """(account_id, name) for an exact id or a case-insensitive exact name."""
    row = session.execute(
        select(Account.account_id, Account.name).where(Account.account_id == query)
    ).first()
    if row is None:
        row = session.execute(
            select(Account.account_id, Account.name)
            .where(func.lower(Account.name) == query.strip().lower())
            .order_by(Account.account_id)
        ).first()
    return (row[0], row[1]) if row else None


def account_names(*, session: Session) -> list[tuple[str, str]]:
    return [tuple(row) for row in session.execute(select(Account.account_id, Account.name))]  # type: ignore[misc]


def account_csm_id(*, session: Session, account_id: str) -> str | None:
    return session.scalar(select(Account.csm_id).where(Account.account_id == account_id))


def account_signal_facts(*, session: Session, account_id: str, as_of: date) -> dict[str, Any]:
    """Plain facts about an account for playbook signals (see knowledge.signals.AccountFacts).

    Each fact is None when the store has no data for it, so a missing source never
    fires a signal.
    """
    facts: dict[str, Any] = {}
    account = session.get(Account, account_id)
    if account is None:
        return facts
    now = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    if account.customer_since:
        facts["days_as_customer"] = (as_of - account.customer_since).days
    facts["licensed_seats"] = account.licensed_seats

    last_login = session.scalar(
        select(func.max(UsageDaily.date)).where(
            UsageDaily.account_id == account_id, UsageDaily.logins > 0, UsageDaily.date <= as_of
        )
    )
    if last_login is not None:
        facts["days_since_last_login"] = (as_of - last_login).days

    def usage(start: date, stop: date) -> tuple[float | None, int | None]:
        row = session.execute(
            select(func.avg(UsageDaily.active_users), func.max(UsageDaily.active_users)).where(
                UsageDaily.account_id == account_id,
                UsageDaily.date > start,
                UsageDaily.date <= stop,
            )
        ).first()
        return (float(row[0]) if row and row[0] is not None else None, row[1] if row else None)

    facts["active_users_recent"], facts["peak_active_users_recent"] = usage(
        as_of - timedelta(days=30), as_of
    )
    facts["active_users_prior"], _ = usage(as_of - timedelta(days=60), as_of - timedelta(days=30))

    health = session.execute(
        select(HealthScore.band, HealthScore.score)
        .where(HealthScore.account_id == account_id, HealthScore.as_of <= as_of)
        .order_by(HealthScore.as_of.desc())
        .limit(1)
    ).first()
    if health:
        facts["health_band"], facts["health_score"] = health[0], health[1]
    facts["health_score_30d_ago"] = session.scalar(
        select(HealthScore.score)
        .where(
            HealthScore.account_id == account_id, HealthScore.as_of <= as_of - timedelta(days=30)
        )
        .order_by(HealthScore.as_of.desc())
        .limit(1)
    )

    end_date = session.scalar(
        select(func.min(Contract.end_date)).where(
            Contract.account_id == account_id,
            Contract.status.in_(("active", "pending")),
            Contract.end_date >= as_of,
        )
    )
    if end_date is not None:
        facts["days_to_contract_end"] = (end_date - as_of).days

    facts["latest_nps_score"] = session.scalar(
        select(NpsResponse.score)
        .where(
            NpsResponse.account_id == account_id,
            NpsResponse.responded_at >= now - timedelta(days=180),
            NpsResponse.responded_at < now,
        )
        .order_by(NpsResponse.responded_at.desc())
        .limit(1)
    )

    open_statuses = ("open", "pending")
    facts["open_urgent_tickets"] = int(
        session.scalar(
            select(func.count()).where(
                Ticket.account_id == account_id,
                or_(Ticket.status.in_(open_statuses), Ticket.status.is_(None)),
                or_(Ticket.priority == "urgent", Ticket.escalated.is_(True)),
                Ticket.resolved_at.is_(None),
            )
        )
        or 0
    )

    def ticket_count(start: datetime, stop: datetime) -> int:
        return int(
            session.scalar(
                select(func.count()).where(
                    Ticket.account_id == account_id,
                    Ticket.created_at >= start,
                    Ticket.created_at < stop,
                )
            )
            or 0
        )

    facts["tickets_recent"] = ticket_count(now - timedelta(days=30), now)
    facts["tickets_prior"] = ticket_count(now - timedelta(days=60), now - timedelta(days=30))
    labels = (
        session.execute(
            select(TextSentiment.label)
            .join(
                Ticket,
                (TextSentiment.source == "ticket") & (TextSentiment.source_id == Ticket.ticket_id),
            )
            .where(Ticket.account_id == account_id, Ticket.created_at >= now - timedelta(days=30))
        )
        .scalars()
        .all()
    )
    if labels:
        facts["negative_ticket_share_recent"] = sum(label == "negative" for label in labels) / len(
            labels
        )

    facts["failed_or_overdue_invoices"] = int(
        session.scalar(
            select(func.count()).where(
                Invoice.account_id == account_id,
                Invoice.paid_at.is_(None),
                or_(
                    Invoice.status.in_(("failed", "overdue")),
                    (Invoice.status == "open") & (Invoice.due_at < as_of),
                ),
            )
        )
        or 0
    )

    contact_count = (
        session.scalar(select(func.count()).where(Contact.account_id == account_id)) or 0
    )
    if contact_count:
        facts["active_champions"] = int(
            session.scalar(
                select(func.count()).where(
                    Contact.account_id == account_id,
                    Contact.is_champion.is_(True),
                    Contact.is_active.is_(True),
                )
            )
            or 0
        )
        last_dm = session.scalar(
            select(func.max(Contact.last_contacted_at)).where(
                Contact.account_id == account_id, Contact.is_decision_maker.is_(True)
            )
        )
        if last_dm is not None:
            facts["days_since_decision_maker_contact"] = (now - last_dm).days
    last_qbr = session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.account_id == account_id,
            Interaction.type == "qbr",
            Interaction.occurred_at < now,
        )
    )
    if last_qbr is not None:
        facts["days_since_business_review"] = (now - last_qbr).days
    elif facts.get("days_as_customer", 0) > 180:
        facts["days_since_business_review"] = facts["days_as_customer"]
    return facts
