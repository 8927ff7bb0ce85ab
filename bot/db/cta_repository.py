"""CTA reads and writes: the rules' dedupe index, inserts, and the rows alerts are made from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, aliased

from bot.db.insert_ignore import insert_ignore_many
from bot.db.models import Account, Alert, Csm, Cta, HealthScore

OPEN_STATUSES = ("open", "acknowledged", "snoozed")


@dataclass(frozen=True, slots=True)
class CtaIndex:
    """What exists already: exact dedupe keys, and per (account, rule) the last activity."""

    keys: set[str]
    open_pairs: set[tuple[str, str]]
    last_raised: dict[tuple[str, str], datetime]


def load_cta_index(*, session: Session, since: datetime) -> CtaIndex:
    """Open CTAs, and every CTA raised since ``since`` (for the repeat-after windows)."""
    rows = session.execute(
        select(Cta.dedupe_key, Cta.account_id, Cta.rule, Cta.status, Cta.created_at).where(
            (Cta.status.in_(OPEN_STATUSES)) | (Cta.created_at >= since)
        )
    )
    keys: set[str] = set()
    open_pairs: set[tuple[str, str]] = set()
    last: dict[tuple[str, str], datetime] = {}
    for row in rows:
        keys.add(row.dedupe_key)
        pair = (row.account_id, row.rule)
        if row.status in OPEN_STATUSES:
            open_pairs.add(pair)
        if pair not in last or row.created_at > last[pair]:
            last[pair] = row.created_at
    return CtaIndex(keys=keys, open_pairs=open_pairs, last_raised=last)


def dedupe_keys_present(*, session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        found.update(session.scalars(select(Cta.dedupe_key).where(Cta.dedupe_key.in_(chunk))))
    return found


def insert_ctas(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert CTAs; a row whose dedupe key exists (another run, another replica) is skipped."""
    return insert_ignore_many(session, Cta.__table__, rows)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class CtaWithPeople:
    cta: Cta
    account_name: str
    account_arr: float | None
    owner_slack_id: str | None
    owner_name: str | None
    owner_manager_id: str | None
    account_csm_id: str | None = None
    """The account's book (who may see it), which a reassigned CTA's owner may not own."""


def _with_people_query() -> Any:
    owner = aliased(Csm)
    return (
        select(
            Cta,
            Account.name,
            Account.arr,
            owner.slack_user_id,
            owner.name,
            owner.manager_id,
            Account.csm_id,
        )
        .join(Account, Account.account_id == Cta.account_id)
        .outerjoin(owner, owner.csm_id == Cta.owner_csm_id)
    )


def _people(row: Any) -> CtaWithPeople:
    return CtaWithPeople(
        cta=row[0],
        account_name=row[1],
        account_arr=float(row[2]) if row[2] is not None else None,
        owner_slack_id=row[3],
        owner_name=row[4],
        owner_manager_id=row[5],
        account_csm_id=row[6],
    )


def ctas_awaiting_alert(
    *, session: Session, since: datetime, rules: Iterable[str] | None = None
) -> list[CtaWithPeople]:
    """Open CTAs raised since ``since`` that have no alert row yet (crash-safe planning)."""
    alerted = select(Alert.cta_id).where(Alert.cta_id.is_not(None))
    query = _with_people_query().where(
        Cta.status == "open", Cta.created_at >= since, Cta.id.not_in(alerted)
    )
    if rules is not None:
        query = query.where(Cta.rule.in_(sorted(rules)))
    return [_people(row) for row in session.execute(query.order_by(Cta.id))]


def cta_with_people(*, session: Session, cta_id: int) -> CtaWithPeople | None:
    row = session.execute(_with_people_query().where(Cta.id == cta_id)).first()
    return _people(row) if row is not None else None


def latest_health_by_account(
    *, session: Session, account_ids: Iterable[str]
) -> dict[str, HealthScore]:
    """The newest snapshot for each of ``account_ids`` (for drivers shown in alerts)."""
    ids = sorted(set(account_ids))
    result: dict[str, HealthScore] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        newest = (
            select(HealthScore.account_id, func.max(HealthScore.as_of).label("as_of"))
            .where(HealthScore.account_id.in_(chunk))
            .group_by(HealthScore.account_id)
            .subquery()
        )
        rows = session.scalars(
            select(HealthScore).join(
                newest,
                and_(
                    HealthScore.account_id == newest.c.account_id,
                    HealthScore.as_of == newest.c.as_of,
                ),
            )
        )
        result.update({row.account_id: row for row in rows})
    return result


def wake_snoozed_ctas(*, session: Session, now: datetime) -> int:
    """Snoozes that ran out turn back into open CTAs."""
    result = session.execute(
        update(Cta)
        .where(Cta.status == "snoozed", Cta.snoozed_until <= now)
        .values(status="open", updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def csm_by_slack_user(*, session: Session, slack_user_id: str) -> Csm | None:
    return session.scalar(select(Csm).where(Csm.slack_user_id == slack_user_id).limit(1))


def csm_by_id(*, session: Session, csm_id: str) -> Csm | None:
    return session.get(Csm, csm_id)
