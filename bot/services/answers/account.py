"""Answers about one account, each gathered from the store with typed queries.

Every handler takes the answer context and a resolved, visible account, and
returns a :class:`Reply` naming the sources it read (for the freshness line).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.db.queries.accounts import account_record
from bot.db.queries.billing import problem_invoices
from bot.db.queries.contacts import champions, contacts_page, last_interaction
from bot.db.queries.ctas import open_ctas
from bot.db.queries.health import active_override, latest_snapshot, snapshot_on_or_before
from bot.db.queries.nps import account_nps
from bot.db.queries.records import AccountRecord, HealthSnapshot
from bot.db.queries.renewals import next_renewal
from bot.db.queries.scope import AccountScope
from bot.db.queries.tickets import (
    churn_intent_tickets,
    open_tickets,
    recent_tickets,
    ticket_counts,
)
from bot.db.queries.usage import SeatUse, latest_usage_date, seats_used, usage_window
from bot.services.answers.context import AnswerContext, Reply
from bot.slack.blocks.account_activity_answer import (
    build_contacts_blocks,
    build_tickets_blocks,
    build_usage_blocks,
)
from bot.slack.blocks.account_answer import (
    build_account_arr_blocks,
    build_account_overview_blocks,
    build_nps_blocks,
    build_renewal_date_blocks,
)
from bot.slack.blocks.account_views import (
    AccountOverviewView,
    ContactsView,
    HealthChangeView,
    HealthView,
    NextStepsView,
    PlaybookSteps,
    TicketsView,
    UsageView,
)
from bot.slack.blocks.health_answer import build_health_blocks, build_health_change_blocks
from bot.slack.blocks.insights_answer import build_card_invoice_blocks
from bot.slack.blocks.next_steps_answer import build_next_steps_blocks

if TYPE_CHECKING:
    from bot.services.corpus.playbooks import PlaybookSuggestion

logger = logging.getLogger(__name__)

USAGE_WINDOW_DAYS = 30
RECENT_TICKET_DAYS = 30
CHURN_INTENT_DAYS = 90  # how far back the 360 card looks for churn-intent tickets
BASELINE_SLACK_DAYS = 3  # a "7-day" baseline may be up to 10 days old, no older
PLAYBOOK_STEPS_SHOWN = 3
SUGGESTIONS = 2


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def load_account(ctx: AnswerContext, account_id: str) -> AccountRecord:
    record = account_record(session=ctx.session, account_id=account_id)
    if record is None:  # resolved from the name index a moment ago; deleted since
        raise LookupError(account_id)
    return record


def _baseline(ctx: AnswerContext, latest: HealthSnapshot, days: int) -> HealthSnapshot | None:
    """The snapshot ``days`` before the latest, if one exists close enough to that date."""
    target = latest.as_of - timedelta(days=days)
    before = snapshot_on_or_before(session=ctx.session, account_id=latest.account_id, day=target)
    if before is None or before.as_of < target - timedelta(days=BASELINE_SLACK_DAYS):
        return None
    return before


def health_view(ctx: AnswerContext, account_id: str) -> HealthView:
    latest = latest_snapshot(session=ctx.session, account_id=account_id)
    override = active_override(session=ctx.session, account_id=account_id, today=ctx.today)
    if latest is None:
        return HealthView(snapshot=None, delta_7d=None, delta_30d=None, override=override)
    week = _baseline(ctx, latest, 7)
    month = _baseline(ctx, latest, 30)
    return HealthView(
        snapshot=latest,
        delta_7d=latest.score - week.score if week else None,
        delta_30d=latest.score - month.score if month else None,
        override=override,
    )


def answer_overview(ctx: AnswerContext, account: AccountRecord) -> Reply:
    session, account_id = ctx.session, account.account_id
    health = health_view(ctx, account_id)
    churn, churn_total = churn_intent_tickets(
        session=session,
        account_id=account_id,
        since=_start_of(ctx.today - timedelta(days=CHURN_INTENT_DAYS)),
    )
    view = AccountOverviewView(
        account=account,
        health=health,
        renewal=next_renewal(session=session, account_id=account_id, today=ctx.today),
        tickets=ticket_counts(
            session=session,
            account_id=account_id,
            since=_start_of(ctx.today - timedelta(days=RECENT_TICKET_DAYS)),
        ),
        champions=champions(session=session, account_id=account_id),
        last_interaction=last_interaction(session=session, account_id=account_id),
        today=ctx.today,
        churn_intent=churn,
        churn_intent_total=churn_total,
        churn_intent_days=CHURN_INTENT_DAYS,
        seats=_seats(ctx, account_id, health.snapshot),
    )
    invoices, invoice_total = problem_invoices(
        session=session, scope=ctx.viewer.visible, today=ctx.today, account_id=account_id, limit=3
    )
    return Reply(
        blocks=build_account_overview_blocks(view)
        + build_card_invoice_blocks(invoices, invoice_total, ctx.today),
        sources=("accounts", "contracts", "tickets", "contacts", "interactions", "invoices"),
        account_id=account_id,
        scored_on=_scored_on(health),
    )


def _seats(ctx: AnswerContext, account_id: str, snapshot: HealthSnapshot | None) -> SeatUse | None:
    """The glossary's seats used, measured on the day the shown health was scored (so it
    reads as the usage driver beside it does), or today when the account is unscored."""
    day = snapshot.as_of if snapshot is not None else ctx.today
    return seats_used(session=ctx.session, account_id=account_id, day=day)


def _scored_on(view: HealthView) -> date | None:
    return view.snapshot.as_of if view.snapshot else None


def answer_health(ctx: AnswerContext, account: AccountRecord) -> Reply:
    view = health_view(ctx, account.account_id)
    return Reply(
        blocks=build_health_blocks(account, view),
        sources=("usage_daily", "tickets", "invoices", "nps"),
        account_id=account.account_id,
        scored_on=_scored_on(view),
    )


def answer_health_change(ctx: AnswerContext, account: AccountRecord) -> Reply:
    latest = latest_snapshot(session=ctx.session, account_id=account.account_id)
    if latest is None:
        return answer_health(ctx, account)
    days = ctx.parsed.compare_days
    before = snapshot_on_or_before(
        session=ctx.session,
        account_id=account.account_id,
        day=latest.as_of - timedelta(days=days),
    )
    view = HealthChangeView(account=account, now=latest, before=before, requested_days=days)
    return Reply(
        blocks=build_health_change_blocks(view),
        sources=("usage_daily", "tickets", "invoices", "nps"),
        account_id=account.account_id,
        scored_on=latest.as_of,
    )


def answer_renewal_date(ctx: AnswerContext, account: AccountRecord) -> Reply:
    renewal = next_renewal(session=ctx.session, account_id=account.account_id, today=ctx.today)
    health = health_view(ctx, account.account_id)
    return Reply(
        blocks=build_renewal_date_blocks(account, renewal, health, ctx.today),
        sources=("contracts",),
        account_id=account.account_id,
        scored_on=_scored_on(health),
    )


def answer_usage(ctx: AnswerContext, account: AccountRecord) -> Reply:
    """Last 30 days vs the 30 before, ending at the account's newest usage day.

    Ending at the newest day with data (not today) keeps a late usage feed from
    looking like a usage collapse; the freshness line says how late it is. Today
    is never in the window: its row is a partial day (a few hours of use), and the
    health drivers beside this answer are scored over complete days only.
    """
    session, account_id = ctx.session, account.account_id
    end = latest_usage_date(session=session, account_id=account_id)
    if end is not None:
        end = min(end, ctx.today - timedelta(days=1))
    recent = prior = None
    if end is not None:
        start = end - timedelta(days=USAGE_WINDOW_DAYS - 1)
        recent = usage_window(session=session, account_id=account_id, start=start, end=end)
        prior_end = start - timedelta(days=1)
        prior = usage_window(
            session=session,
            account_id=account_id,
            start=prior_end - timedelta(days=USAGE_WINDOW_DAYS - 1),
            end=prior_end,
        )
    latest = latest_snapshot(session=session, account_id=account_id)
    view = UsageView(
        account=account, recent=recent, prior=prior, seats=_seats(ctx, account_id, latest)
    )
    return Reply(blocks=build_usage_blocks(view), sources=("usage_daily",), account_id=account_id)


def answer_tickets(ctx: AnswerContext, account: AccountRecord) -> Reply:
    session, account_id = ctx.session, account.account_id
    since = _start_of(ctx.today - timedelta(days=RECENT_TICKET_DAYS))
    counts = ticket_counts(session=session, account_id=account_id, since=since)
    showing_recent = ctx.parsed.recent_only or counts.open == 0
    if showing_recent:
        page = recent_tickets(
            session=session,
            account_id=account_id,
            since=since,
            page=ctx.page,
            page_size=ctx.page_size,
        )
    else:
        page = open_tickets(
            session=session, account_id=account_id, page=ctx.page, page_size=ctx.page_size
        )
    view = TicketsView(account=account, counts=counts, tickets=page, showing_recent=showing_recent)
    return Reply(
        blocks=build_tickets_blocks(view, ctx.today),
        sources=("tickets",),
        account_id=account_id,
        has_more=page.has_more,
    )


def answer_contacts(ctx: AnswerContext, account: AccountRecord) -> Reply:
    session, account_id = ctx.session, account.account_id
    page = contacts_page(
        session=session, account_id=account_id, page=ctx.page, page_size=ctx.page_size
    )
    view = ContactsView(
        account=account,
        champions=champions(session=session, account_id=account_id),
        contacts=page,
        last_interaction=last_interaction(session=session, account_id=account_id),
    )
    return Reply(
        blocks=build_contacts_blocks(view, ctx.today),
        sources=("contacts", "interactions"),
        account_id=account_id,
        has_more=page.has_more,
    )


def answer_nps(ctx: AnswerContext, account: AccountRecord) -> Reply:
    summary = account_nps(session=ctx.session, account_id=account.account_id)
    return Reply(
        blocks=build_nps_blocks(account, summary), sources=("nps",), account_id=account.account_id
    )


def answer_arr(ctx: AnswerContext, account: AccountRecord) -> Reply:
    renewal = next_renewal(session=ctx.session, account_id=account.account_id, today=ctx.today)
    return Reply(
        blocks=build_account_arr_blocks(account, renewal, ctx.today),
        sources=("accounts", "contracts"),
        account_id=account.account_id,
    )


def answer_next_steps(ctx: AnswerContext, account: AccountRecord) -> Reply:
    """Open CTAs with their playbook's first steps; retrieval only for a named topic.

    Playbook retrieval loads the embedding model (torch), so it runs only when the
    question names a situation ("… about Globex's billing complaint"). Without a
    topic and without open CTAs, the playbook follows from the health snapshot
    (red or at-risk → intervention, renewal stage → renewal, …): deterministic,
    explainable, and as fast as any other answer.
    """
    session, account_id = ctx.session, account.account_id
    page = open_ctas(
        session=session,
        scope=AccountScope.everything(),  # the account itself was checked against the viewer
        account_id=account_id,
        page=ctx.page,
        page_size=ctx.page_size,
    )
    catalog = _playbook_catalog()
    seen: list[str] = []
    for cta in page.items:
        if cta.playbook_id in catalog and cta.playbook_id not in seen:
            seen.append(cta.playbook_id)
    latest = latest_snapshot(session=session, account_id=account_id)
    if not seen and latest is not None:
        override = active_override(session=session, account_id=account_id, today=ctx.today)
        fallback = playbook_for_snapshot(latest, override.band if override else None)
        if fallback in catalog:
            seen.append(fallback)
    topic = ctx.parsed.topic
    suggestions: list[PlaybookSteps] = []
    suggestions_note = None
    if topic:
        suggestions, suggestions_note = _suggest(ctx, topic, account_id)
    view = NextStepsView(
        account=account,
        ctas=page,
        playbooks=[catalog[playbook_id] for playbook_id in seen],
        suggestions=[s for s in suggestions if s.playbook_id not in seen][:SUGGESTIONS],
        topic=topic,
        suggestions_note=suggestions_note,
        drivers=latest.drivers if latest else [],
    )
    return Reply(
        blocks=build_next_steps_blocks(view, ctx.today),
        sources=("tickets", "usage_daily"),
        account_id=account_id,
        has_more=page.has_more,
        scored_on=latest.as_of if latest else None,
    )


EXPANSION_READY = 70.0


def playbook_for_snapshot(snapshot: HealthSnapshot, override_band: str | None = None) -> str | None:
    """The catalog playbook the health snapshot points at when no CTA names one."""
    band = override_band or snapshot.band
    if band == "red" or snapshot.stage == "at-risk":
        return "at-risk-intervention"
    if snapshot.stage in ("renewal", "onboarding"):
        return snapshot.stage
    if band == "green" and (snapshot.expansion or 0.0) >= EXPANSION_READY:
        return "expansion"
    return None


@lru_cache(maxsize=1)
def _playbook_catalog() -> dict[str, PlaybookSteps]:
    """The playbook files' first steps, read once per process (they ship with the code)."""
    try:
        from knowledge.playbooks import load_playbooks
    except ImportError:
        return {}
    try:
        playbooks = load_playbooks()
    except Exception:  # noqa: BLE001 - a broken playbook file must not break answers
        logger.exception("playbooks could not be loaded")
        return {}
    return {
        playbook_id: PlaybookSteps(
            playbook_id=playbook_id,
            title=playbook.title,
            steps=[_step_text(step) for step in playbook.steps[:PLAYBOOK_STEPS_SHOWN]],
        )
        for playbook_id, playbook in playbooks.items()
    }


def _step_text(step: Any) -> str:
    parts = [str(step.text)]
    details = [str(v) for v in (getattr(step, "timing", ""), getattr(step, "owner", "")) if v]
    if details:
        parts.append(f"({', '.join(details)})")
    return " ".join(parts)


def _suggest(
    ctx: AnswerContext, text: str, account_id: str
) -> tuple[list[PlaybookSteps], str | None]:
    """Playbook retrieval when the knowledge service exists; a note when it does not."""
    try:
        from bot.services.corpus.playbooks import suggest_playbooks
    except ImportError:
        return [], "Playbook suggestions are not available on this installation yet."
    try:
        found = suggest_playbooks(ctx.services, text, account_id=account_id, k=SUGGESTIONS + 1)
    except Exception:  # noqa: BLE001 - retrieval is an extra; the CTAs still answer
        logger.exception("playbook suggestion failed", extra={"account_id": account_id})
        return [], "Playbook suggestions failed just now; the open CTAs above are current."
    return [suggestion_steps(item) for item in found], None


def suggestion_steps(item: PlaybookSuggestion) -> PlaybookSteps:
    return PlaybookSteps(
        playbook_id=item.playbook_id,
        title=item.title,
        steps=[_step_text(step) for step in item.steps[:PLAYBOOK_STEPS_SHOWN]],
    )
