"""Answers about the asker and one account's relationship: who am I, today's work,
the last QBR or touch, drafts from chat, and two accounts side by side.

Drafts run the drafting flow (facts pack → writer → grounding check → stored
draft), exactly what ``/cs draft`` runs, never the overview card.
"""

from __future__ import annotations

from datetime import timedelta

from bot.db.queries.billing import last_interaction_of
from bot.db.queries.ctas import open_ctas
from bot.db.queries.health import latest_snapshot
from bot.db.queries.portfolio import portfolio_summary
from bot.db.queries.records import AccountRecord
from bot.db.queries.renewals import next_renewal, renewals_between
from bot.services.answers.context import AnswerContext, Reply
from bot.services.answers.portfolio import book_label, book_notes, book_scope
from bot.slack import formatting as fmt
from bot.slack.blocks.insights_answer import (
    CompareColumn,
    WhoAmIView,
    WorkItem,
    WorkTodayView,
    build_compare_blocks,
    build_last_interaction_blocks,
    build_who_am_i_blocks,
    build_work_today_blocks,
    cta_work_text,
    renewal_work_text,
)

RENEWAL_SOON_DAYS = 30
WORK_ITEMS_SHOWN = 15
CTAS_READ = 50
URGENT = ("urgent", "high")
CUSTOMER_TOUCH = None  # any interaction but an internal note


def answer_who_am_i(ctx: AnswerContext) -> Reply:
    viewer = ctx.viewer
    summary = portfolio_summary(
        session=ctx.session, scope=viewer.visible, scoring_date=ctx.scoring_date, today=ctx.today
    )
    sees = {
        "admin": "every account",
        "manager": "your team's accounts",
    }.get(viewer.role, "your own accounts")
    if viewer.visible.is_everything:
        sees = "every account"
    view = WhoAmIView(
        name=viewer.name,
        role=viewer.role,
        slack_user_id=viewer.slack_user_id,
        sees=sees,
        accounts=sum(total.accounts for total in summary.totals),
    )
    return Reply(blocks=build_who_am_i_blocks(view), sources=("csms",), about_accounts=False)


def answer_work_today(ctx: AnswerContext) -> Reply:
    """Open CTAs, renewals within 30 days and overdue follow-ups, most urgent first."""
    scope = book_scope(ctx)
    ctas = open_ctas(session=ctx.session, scope=scope, page=0, page_size=CTAS_READ).items
    renewals = renewals_between(
        session=ctx.session,
        scope=scope,
        start=ctx.today,
        end=ctx.today + timedelta(days=RENEWAL_SOON_DAYS),
        scoring_date=ctx.scoring_date,
        page=0,
        page_size=10,
    ).page.items
    overdue = [c for c in ctas if c.due_date is not None and c.due_date < ctx.today]
    urgent = [c for c in ctas if c not in overdue and c.priority in URGENT]
    rest = [c for c in ctas if c not in overdue and c not in urgent]
    ranked: list[tuple[str, str, str]] = []
    ranked += [("overdue follow-up", c.account_name, cta_work_text(c, ctx.today)) for c in overdue]
    ranked += [("CTA", c.account_name, cta_work_text(c, ctx.today)) for c in urgent]
    ranked += [("renewal", r.account_name, renewal_work_text(r, ctx.today)) for r in renewals]
    ranked += [("CTA", c.account_name, cta_work_text(c, ctx.today)) for c in rest]
    items = [
        WorkItem(rank=i + 1, kind=kind, account_name=name, text=text)
        for i, (kind, name, text) in enumerate(ranked[:WORK_ITEMS_SHOWN])
    ]
    counts = {
        "overdue follow-ups": len(overdue),
        "open CTAs": len(urgent) + len(rest),
        "renewals in 30 days": len(renewals),
    }
    view = WorkTodayView(scope_label=book_label(ctx), items=items, counts=counts)
    return Reply(
        blocks=build_work_today_blocks(view),
        sources=("contracts",),
        scored_on=ctx.scoring_date,
        notes=book_notes(ctx),
    )


def _last(
    ctx: AnswerContext, account: AccountRecord, what: str, types: tuple[str, ...] | None
) -> Reply:
    found = last_interaction_of(session=ctx.session, account_id=account.account_id, types=types)
    blocks = build_last_interaction_blocks(
        account_name=account.name, what=what, found=found, now=ctx.now
    )
    return Reply(blocks=blocks, sources=("interactions",), account_id=account.account_id)


def answer_last_qbr(ctx: AnswerContext, account: AccountRecord) -> Reply:
    return _last(ctx, account, "Last QBR", ("qbr",))


def answer_last_contact(ctx: AnswerContext, account: AccountRecord) -> Reply:
    return _last(ctx, account, "Last customer touch", CUSTOMER_TOUCH)


def _draft(ctx: AnswerContext, account: AccountRecord, *, kind: str) -> Reply:
    from bot.services.drafting.drafter import draft_from_pack
    from bot.services.drafting.facts import build_facts_pack
    from bot.services.drafting.types import DEFAULT_PURPOSE, DEFAULT_TONE
    from bot.slack.blocks.draft import build_draft_buttons_block, build_draft_copy_message

    pack = build_facts_pack(
        ctx.services, account.account_id, today=ctx.today, scope=ctx.viewer.visible
    )
    is_email = kind == "email"
    result = draft_from_pack(
        ctx.services,
        pack,
        kind="email" if is_email else "summary",
        purpose=(ctx.parsed.purpose or DEFAULT_PURPOSE) if is_email else None,  # type: ignore[arg-type]
        tone=DEFAULT_TONE if is_email else None,
        actor=f"slack:{ctx.viewer.slack_user_id}",
        asker_csm_id=ctx.viewer.csm_id,
    )
    _text, blocks = build_draft_copy_message(
        account_name=result.account_name,
        subject=result.subject,
        body=result.body,
        verified=result.verified,
        claims_checked=result.grounding.checked,
        unsupported=tuple(claim.text for claim in result.grounding.unsupported),
    )
    what = (
        f"{result.purpose} email to {result.recipient.name}"
        if is_email and result.recipient
        else (f"{result.purpose} email" if is_email else "QBR brief")
    )
    from bot.slack.blocks.answer import paragraph

    intro = paragraph(f"Drafted a {what} ({result.generator} writer); nothing was sent.")
    body = intro + blocks[:-1] + [build_draft_buttons_block(account.account_id)]
    return Reply(
        blocks=body[:40],
        sources=("accounts", "contacts", "interactions", "tickets"),
        account_id=account.account_id,
    )


def answer_draft_email(ctx: AnswerContext, account: AccountRecord) -> Reply:
    return _draft(ctx, account, kind="email")


def answer_qbr_summary(ctx: AnswerContext, account: AccountRecord) -> Reply:
    return _draft(ctx, account, kind="summary")


COMPARE_ROWS = ("ARR", "Health", "Churn risk", "Expansion", "Renews", "CSM")


def _column(ctx: AnswerContext, account: AccountRecord) -> CompareColumn:
    health = latest_snapshot(session=ctx.session, account_id=account.account_id)
    renewal = next_renewal(session=ctx.session, account_id=account.account_id, today=ctx.today)
    values = {
        "ARR": fmt.money(account.arr, account.currency),
        "Health": (
            f"{fmt.band_label(health.band)} {fmt.score(health.score)}" if health else "not scored"
        ),
        "Churn risk": fmt.percent(health.churn_risk)
        if health and health.churn_risk is not None
        else "–",
        "Expansion": fmt.score(health.expansion)
        if health and health.expansion is not None
        else "–",
        "Renews": fmt.day(renewal.end_date) if renewal else "no active contract",
        "CSM": account.csm_name or "unassigned",
    }
    return CompareColumn(name=account.name, values=values)


def answer_compare(ctx: AnswerContext, first: AccountRecord, second: AccountRecord) -> Reply:
    columns = [_column(ctx, first), _column(ctx, second)]
    return Reply(
        blocks=build_compare_blocks(columns, COMPARE_ROWS),
        sources=("accounts", "contracts"),
        account_id=first.account_id,
        scored_on=ctx.scoring_date,
    )
