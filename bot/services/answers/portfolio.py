"""Answers about a book of accounts: mine, my team's, or everyone's.

The requested scope ("my", "team", "all", or the role's default) is always
narrowed to what the viewer may see; when that cut something, the answer says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.db.queries.ctas import open_ctas
from bot.db.queries.health import scoring_date_on_or_before
from bot.db.queries.nps import portfolio_nps
from bot.db.queries.portfolio import (
    band_changes,
    biggest_movers,
    portfolio_accounts,
    portfolio_summary,
)
from bot.db.queries.records import Page
from bot.db.queries.renewals import renewals_between
from bot.db.queries.scope import AccountScope
from bot.db.queries.tickets import accounts_by_open_tickets
from bot.services.answers.context import AnswerContext, Reply
from bot.services.answers.dates import DateWindow
from bot.services.metrics.readings import portfolio_figures
from bot.slack.blocks.portfolio_answer import (
    AccountListView,
    ArrView,
    BandChangesView,
    PortfolioCtasView,
    PortfolioNpsView,
    PortfolioTicketsView,
    RenewalsView,
    build_account_list_blocks,
    build_arr_at_risk_blocks,
    build_arr_blocks,
    build_band_changes_blocks,
    build_portfolio_ctas_blocks,
    build_portfolio_health_blocks,
    build_portfolio_nps_blocks,
    build_portfolio_tickets_blocks,
    build_renewals_blocks,
)

DEFAULT_RENEWAL_DAYS = 90
BAND_CHANGE_DAYS = 7
PORTFOLIO_NPS_DAYS = 90
MOVERS_SHOWN = 5


def book_scope(ctx: AnswerContext) -> AccountScope:
    """The books a portfolio answer reads: the requested scope, or one named CSM's book.

    A named CSM ("Priya's red accounts") only narrows: the result is never wider
    than what the asker may see (the pipeline refuses a book they cannot see).
    """
    if ctx.parsed.csm is not None:
        return ctx.viewer.visible.narrowed_to(AccountScope.books({ctx.parsed.csm.csm_id}))
    return ctx.viewer.scope_for(ctx.parsed.scope)


def book_label(ctx: AnswerContext) -> str:
    if ctx.parsed.csm is not None:
        if ctx.parsed.csm.csm_id == ctx.viewer.csm_id:
            return "your accounts"
        return f"{ctx.parsed.csm.name}'s accounts"
    return ctx.scope_label(ctx.parsed.scope)


def book_notes(ctx: AnswerContext) -> tuple[str, ...]:
    if ctx.parsed.csm is not None:
        return ()
    return ctx.narrowed_note(ctx.parsed.scope)


_scope = book_scope
_label = book_label
_notes = book_notes


def renewal_window(ctx: AnswerContext) -> DateWindow:
    if ctx.parsed.window is not None:
        return ctx.parsed.window
    end = ctx.today + timedelta(days=DEFAULT_RENEWAL_DAYS)
    return DateWindow(ctx.today, end, f"the next {DEFAULT_RENEWAL_DAYS} days")


def answer_renewals(ctx: AnswerContext) -> Reply:
    window = renewal_window(ctx)
    scope = _scope(ctx)
    found = renewals_between(
        session=ctx.session,
        scope=scope,
        start=window.start,
        end=window.end,
        scoring_date=ctx.scoring_date,
        page=ctx.page,
        page_size=ctx.page_size,
    )
    page, totals = found.page, found.totals
    view = RenewalsView(
        scope_label=_label(ctx),
        window_label=window.label,
        start=window.start,
        end=window.end,
        renewals=page,
        totals=totals,
        today=ctx.today,
    )
    return Reply(
        blocks=build_renewals_blocks(view),
        sources=("contracts",),
        has_more=page.has_more,
        scored_on=ctx.scoring_date,
        notes=_notes(ctx),
    )


def _account_list(ctx: AnswerContext, *, at_risk_only: bool) -> Reply:
    scope = _scope(ctx)
    band = ctx.parsed.band if at_risk_only else None
    if band is not None:
        at_risk_only = False  # "my green accounts" are the green ones, not the at-risk list
    page = portfolio_accounts(
        session=ctx.session,
        scope=scope,
        scoring_date=ctx.scoring_date,
        today=ctx.today,
        at_risk_only=at_risk_only,
        band_only=band,
        page=ctx.page,
        page_size=ctx.page_size,
    )
    summary = portfolio_summary(
        session=ctx.session, scope=scope, scoring_date=ctx.scoring_date, today=ctx.today
    )
    totals = summary.at_risk if at_risk_only else summary.totals
    label = _label(ctx)
    heading = "At-risk accounts" if at_risk_only else "Accounts"
    empty = (
        f"No red or at-risk accounts for {label}. 🎉"
        if at_risk_only
        else f"No active accounts for {label}."
    )
    if band is not None:
        totals = summary.by_band.get(band, [])
        heading = f"{band.capitalize()} accounts"
        empty = f"No {band} accounts for {label}."
    view = AccountListView(
        heading=heading,
        scope_label=label,
        accounts=page,
        totals=totals,
        scored_on=ctx.scoring_date,
        today=ctx.today,
        empty_text=empty,
    )
    return Reply(
        blocks=build_account_list_blocks(view),
        sources=("accounts", "contracts"),
        has_more=page.has_more,
        scored_on=ctx.scoring_date,
        notes=_notes(ctx),
    )


def answer_accounts(ctx: AnswerContext) -> Reply:
    return _account_list(ctx, at_risk_only=False)


def answer_at_risk(ctx: AnswerContext) -> Reply:
    return _account_list(ctx, at_risk_only=True)


def _arr_view(ctx: AnswerContext) -> ArrView:
    # ARR at risk is the glossary's (bot.services.metrics), as in the digest and App Home.
    summary = portfolio_figures(
        ctx.session, _scope(ctx), today=ctx.today, scoring_date=ctx.scoring_date
    ).summary
    return ArrView(
        scope_label=_label(ctx),
        totals=summary.totals,
        at_risk=summary.at_risk,
        bands=summary.bands,
    )


def answer_portfolio_arr(ctx: AnswerContext) -> Reply:
    return Reply(
        blocks=build_arr_blocks(_arr_view(ctx)),
        sources=("accounts",),
        scored_on=ctx.scoring_date,
        notes=_notes(ctx),
    )


def answer_portfolio_health(ctx: AnswerContext) -> Reply:
    """Accounts per band, ARR at risk, and the week's biggest health moves."""
    now_date = ctx.scoring_date
    then_date = _week_before(ctx)
    movers = (
        biggest_movers(
            session=ctx.session,
            scope=_scope(ctx),
            now_date=now_date,
            then_date=then_date,
            limit=MOVERS_SHOWN,
        )
        if now_date and then_date
        else []
    )
    return Reply(
        blocks=build_portfolio_health_blocks(_arr_view(ctx), movers, then_date, now_date),
        sources=("usage_daily", "tickets"),
        scored_on=ctx.scoring_date,
        notes=_notes(ctx),
    )


def _week_before(ctx: AnswerContext) -> date | None:
    if ctx.scoring_date is None:
        return None
    return scoring_date_on_or_before(
        session=ctx.session, day=ctx.scoring_date - timedelta(days=BAND_CHANGE_DAYS)
    )


def answer_arr_at_risk(ctx: AnswerContext) -> Reply:
    view = _arr_view(ctx)
    page = portfolio_accounts(
        session=ctx.session,
        scope=_scope(ctx),
        scoring_date=ctx.scoring_date,
        today=ctx.today,
        at_risk_only=True,
        page=ctx.page,
        page_size=ctx.page_size,
    )
    return Reply(
        blocks=build_arr_at_risk_blocks(view, page, ctx.today),
        sources=("accounts",),
        has_more=page.has_more,
        scored_on=ctx.scoring_date,
        notes=_notes(ctx),
    )


def answer_band_changes(ctx: AnswerContext) -> Reply:
    """Bands on the latest scoring date against the run a week before it."""
    now_date = ctx.scoring_date
    then_date = _week_before(ctx)
    if now_date is not None and then_date is not None:
        page = band_changes(
            session=ctx.session,
            scope=_scope(ctx),
            now_date=now_date,
            then_date=then_date,
            page=ctx.page,
            page_size=ctx.page_size,
        )
    else:
        page = Page(items=[], total=0, page=ctx.page, page_size=ctx.page_size)
    view = BandChangesView(
        scope_label=_label(ctx), now_date=now_date, then_date=then_date, changes=page
    )
    return Reply(
        blocks=build_band_changes_blocks(view),
        sources=("usage_daily", "tickets"),
        has_more=page.has_more,
        scored_on=ctx.scoring_date,
        notes=_notes(ctx),
    )


def answer_portfolio_tickets(ctx: AnswerContext) -> Reply:
    page = accounts_by_open_tickets(
        session=ctx.session, scope=_scope(ctx), page=ctx.page, page_size=ctx.page_size
    )
    return Reply(
        blocks=build_portfolio_tickets_blocks(
            PortfolioTicketsView(scope_label=_label(ctx), accounts=page)
        ),
        sources=("tickets",),
        has_more=page.has_more,
        notes=_notes(ctx),
    )


def answer_portfolio_nps(ctx: AnswerContext) -> Reply:
    since = datetime.combine(ctx.today - timedelta(days=PORTFOLIO_NPS_DAYS), time.min, tzinfo=UTC)
    summary = portfolio_nps(session=ctx.session, scope=_scope(ctx), since=since)
    view = PortfolioNpsView(scope_label=_label(ctx), since=since, summary=summary)
    return Reply(blocks=build_portfolio_nps_blocks(view), sources=("nps",), notes=_notes(ctx))


def answer_portfolio_ctas(ctx: AnswerContext) -> Reply:
    page = open_ctas(session=ctx.session, scope=_scope(ctx), page=ctx.page, page_size=ctx.page_size)
    view = PortfolioCtasView(scope_label=_label(ctx), ctas=page, today=ctx.today)
    return Reply(
        blocks=build_portfolio_ctas_blocks(view),
        sources=("accounts",),
        has_more=page.has_more,
        scored_on=ctx.scoring_date,
        notes=_notes(ctx),
    )
