"""Ticket and NPS texts as plain rows: the input of indexing, sentiment and themes.

Also the chunking helper the other knowledge queries share, so an ``IN (...)`` list
never outgrows a driver's parameter limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import Account, NpsResponse, Ticket

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
