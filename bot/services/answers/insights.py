"""Ranked and operational portfolio answers: top N, drops, expansion, invoices, churn, CSMs.

Every list reads one scope (the asker's book, their team, everyone, or one named
CSM's book, always narrowed to what the asker may see) and is ranked and cut in
SQL; these handlers only pick the window and the labels.
"""

from __future__ import annotations

from datetime import timedelta

from bot.db.queries.billing import open_escalations, problem_invoices
from bot.db.queries.health import scoring_date_on_or_before
from bot.db.queries.rankings import (
    accounts_without_contact,
    churned_between,
    csms_by_band,
    health_drops,
    ranked_accounts,
)
from bot.db.queries.records import AccountRecord
from bot.services.answers.context import AnswerContext, Reply
from bot.services.answers.dates import DateWindow
from bot.services.answers.portfolio import book_label, book_notes, book_scope
from bot.services.answers.question_parser import DEFAULT_TOP_N
from bot.slack.blocks.insights_answer import (
    ChurnedView,
    CsmBreakdownView,
    DropsView,
    EscalationsView,
    ExpansionView,
    InvoicesView,
    QuietView,
    RankingView,
    build_account_expansion_blocks,
    build_churned_blocks,
    build_csm_breakdown_blocks,
    build_drops_blocks,
    build_escalations_blocks,
    build_expansion_blocks,
    build_invoices_blocks,
    build_quiet_blocks,
    build_ranking_blocks,
)

LIST_LIMIT = 10
DEFAULT_CHURN_DAYS = 90


def answer_top_accounts(ctx: AnswerContext) -> Reply:
    parsed = ctx.parsed
    rows = ranked_accounts(
        session=ctx.session,
        scope=book_scope(ctx),
        scoring_date=ctx.scoring_date,
        today=ctx.today,
        measure=parsed.measure,  # type: ignore[arg-type]
        highest=parsed.highest,
        limit=parsed.top_n,
    )
    view = RankingView(
        scope_label=book_label(ctx),
        measure=parsed.measure,
        highest=parsed.highest,
        rows=rows,
        asked=parsed.top_n,
    )
    sources = ("accounts",) if parsed.measure == "arr" else ("accounts", "usage_daily")
    return Reply(
        blocks=build_ranking_blocks(view),
        sources=sources,
        scored_on=ctx.scoring_date,
        notes=book_notes(ctx),
    )


def answer_health_drops(ctx: AnswerContext) -> Reply:
    """Largest score falls between the latest run and the one a week (or month) before."""
    days = ctx.parsed.compare_days
    now_date = ctx.scoring_date
    then_date = (
        scoring_date_on_or_before(session=ctx.session, day=now_date - timedelta(days=days))
        if now_date
        else None
    )
    rows = (
        health_drops(
            session=ctx.session,
            scope=book_scope(ctx),
            now_date=now_date,
            then_date=then_date,
            limit=LIST_LIMIT,
        )
        if now_date and then_date
        else []
    )
    view = DropsView(
        scope_label=book_label(ctx),
        rows=rows,
        then_date=then_date,
        now_date=now_date,
        period_label="this month" if days >= 28 else "this week",
    )
    return Reply(
        blocks=build_drops_blocks(view),
        sources=("usage_daily", "tickets"),
        scored_on=now_date,
        notes=book_notes(ctx),
    )


def answer_expansion(ctx: AnswerContext) -> Reply:
    rows = ranked_accounts(
        session=ctx.session,
        scope=book_scope(ctx),
        scoring_date=ctx.scoring_date,
        today=ctx.today,
        measure="expansion",
        highest=True,
        limit=LIST_LIMIT if ctx.parsed.top_n == DEFAULT_TOP_N else ctx.parsed.top_n,
    )
    view = ExpansionView(scope_label=book_label(ctx), rows=rows, scored_on=ctx.scoring_date)
    return Reply(
        blocks=build_expansion_blocks(view),
        sources=("usage_daily", "nps"),
        scored_on=ctx.scoring_date,
        notes=book_notes(ctx),
    )


def answer_account_expansion(ctx: AnswerContext, account: AccountRecord) -> Reply:
    rows = ranked_accounts(
        session=ctx.session,
        scope=ctx.viewer.visible,
        scoring_date=ctx.scoring_date,
        today=ctx.today,
        measure="expansion",
        highest=True,
        limit=1,
        account_id=account.account_id,
    )
    blocks = build_account_expansion_blocks(
        account.name, rows[0] if rows else None, ctx.scoring_date
    )
    return Reply(
        blocks=blocks,
        sources=("usage_daily", "nps"),
        account_id=account.account_id,
        scored_on=ctx.scoring_date,
    )


def answer_invoices(ctx: AnswerContext) -> Reply:
    rows, total = problem_invoices(
        session=ctx.session, scope=book_scope(ctx), today=ctx.today, limit=LIST_LIMIT
    )
    view = InvoicesView(
        heading="Failed and overdue invoices",
        scope_label=book_label(ctx),
        rows=rows,
        total=total,
        today=ctx.today,
        with_account=True,
    )
    return Reply(blocks=build_invoices_blocks(view), sources=("invoices",), notes=book_notes(ctx))


def answer_account_invoices(ctx: AnswerContext, account: AccountRecord) -> Reply:
    rows, total = problem_invoices(
        session=ctx.session,
        scope=ctx.viewer.visible,
        today=ctx.today,
        account_id=account.account_id,
        limit=LIST_LIMIT,
    )
    view = InvoicesView(
        heading=f"{account.name}: failed and overdue invoices",
        scope_label=account.name,
        rows=rows,
        total=total,
        today=ctx.today,
        with_account=False,
    )
    return Reply(
        blocks=build_invoices_blocks(view), sources=("invoices",), account_id=account.account_id
    )


def answer_no_contact(ctx: AnswerContext) -> Reply:
    days = ctx.parsed.contact_days
    since = ctx.now - timedelta(days=days)
    rows, total = accounts_without_contact(
        session=ctx.session, scope=book_scope(ctx), since=since, limit=LIST_LIMIT
    )
    view = QuietView(scope_label=book_label(ctx), days=days, rows=rows, total=total, now=ctx.now)
    return Reply(blocks=build_quiet_blocks(view), sources=("interactions",), notes=book_notes(ctx))


def churn_window(ctx: AnswerContext) -> DateWindow:
    if ctx.parsed.past_window is not None:
        return ctx.parsed.past_window
    start = ctx.today - timedelta(days=DEFAULT_CHURN_DAYS)
    return DateWindow(start, ctx.today, f"the last {DEFAULT_CHURN_DAYS} days")


def answer_churned(ctx: AnswerContext) -> Reply:
    window = churn_window(ctx)
    rows, total = churned_between(
        session=ctx.session,
        scope=book_scope(ctx),
        start=window.start,
        end=window.end,
        limit=LIST_LIMIT,
    )
    view = ChurnedView(
        scope_label=book_label(ctx),
        window_label=window.label,
        start=window.start,
        end=window.end,
        rows=rows,
        total=total,
    )
    return Reply(blocks=build_churned_blocks(view), sources=("accounts",), notes=book_notes(ctx))


def answer_csm_breakdown(ctx: AnswerContext) -> Reply:
    band = ctx.parsed.band or "red"
    rows = csms_by_band(
        session=ctx.session,
        scope=book_scope(ctx),
        scoring_date=ctx.scoring_date,
        today=ctx.today,
        band=band,
    )
    view = CsmBreakdownView(scope_label=book_label(ctx), band=band, rows=rows)
    return Reply(
        blocks=build_csm_breakdown_blocks(view),
        sources=("accounts", "csms"),
        scored_on=ctx.scoring_date,
        notes=book_notes(ctx),
    )


def answer_escalations(ctx: AnswerContext) -> Reply:
    rows, total = open_escalations(session=ctx.session, scope=book_scope(ctx), limit=LIST_LIMIT)
    view = EscalationsView(scope_label=book_label(ctx), rows=rows, total=total, now=ctx.now)
    return Reply(
        blocks=build_escalations_blocks(view), sources=("accounts",), notes=book_notes(ctx)
    )


def answer_account_escalations(ctx: AnswerContext, account: AccountRecord) -> Reply:
    rows, total = open_escalations(
        session=ctx.session, scope=ctx.viewer.visible, account_id=account.account_id
    )
    view = EscalationsView(scope_label=account.name, rows=rows, total=total, now=ctx.now)
    return Reply(
        blocks=build_escalations_blocks(view),
        sources=("accounts",),
        account_id=account.account_id,
    )
