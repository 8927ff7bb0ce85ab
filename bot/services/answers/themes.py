"""Answers to "what are Acme's users complaining about?": ticket themes and what to do.

Themes are read from the store (``ticket_themes``, written by ``csbot run``'s first
start, the weekly rebuild or ``csbot tickets themes``), never rebuilt here while any
of the question's scopes has stored themes; the answer says how old they are when
newer tickets arrived since. Only a question none of whose scopes has themes yet
groups on demand, which may load the embedding model: acceptable on this path only,
because the Slack handler shows "working…" and every other question stays model-free.
The churn-intent theme is listed first whatever its size.
Scopes with too few tickets to cluster get their ticket categories instead, so
the answer is never an empty list or a made-up theme.

Scopes follow the viewer exactly like the other answers: a named account was
already checked against what the viewer may see; a book question uses
``viewer.scope_for`` and maps the allowed books to ``csm:<id>`` theme scopes
(or ``portfolio`` when the viewer may see everything).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from bot.db.queries.records import AccountRecord
from bot.db.queries.scope import AccountScope
from bot.db.queries.themes import (
    StoredTheme,
    csm_names,
    ranked_themes,
    scopes_with_themes,
    themable_ticket_count,
    themable_tickets_by_book,
    theme_example_subjects,
    ticket_categories,
    tickets_newer_than,
)
from bot.services.answers.account import suggestion_steps
from bot.services.answers.context import AnswerContext, Reply
from bot.services.corpus.themes import CHURN_THEME, PORTFOLIO, account_scope, csm_scope
from bot.slack.blocks.account_views import PlaybookSteps
from bot.slack.blocks.themes_answer import (
    CategoriesView,
    ThemesView,
    build_themes_blocks,
    build_ticket_categories_blocks,
)

logger = logging.getLogger(__name__)

# k-means over fewer tickets than this finds noise, not themes.
MIN_TICKETS_FOR_THEMES = 5
EXAMPLES_PER_THEME = 2
SOURCES = ("tickets",)

# One on-demand build per process at a time: two people asking about the same
# account at once wait for one grouping instead of racing two.
_build_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class _Target:
    """What one themes question covers, already narrowed to what the viewer may see."""

    subject: str
    tickets: int  # tickets with text in the whole target
    theme_scopes: list[str]  # theme scopes with enough tickets to group
    account_id: str | None = None
    accounts: AccountScope = field(default_factory=AccountScope.everything)
    book_owner: dict[str, str] = field(default_factory=dict)


def answer_account_themes(ctx: AnswerContext, account: AccountRecord) -> Reply:
    tickets = themable_ticket_count(session=ctx.session, account_id=account.account_id)
    scopes = [account_scope(account.account_id)] if tickets >= MIN_TICKETS_FOR_THEMES else []
    target = _Target(
        subject=account.name, tickets=tickets, theme_scopes=scopes, account_id=account.account_id
    )
    return _themes_reply(ctx, target)


def answer_portfolio_themes(ctx: AnswerContext) -> Reply:
    requested = ctx.parsed.scope
    accounts = ctx.viewer.scope_for(requested)
    label = ctx.scope_label(requested)
    if accounts.is_everything:
        tickets = themable_ticket_count(session=ctx.session)
        scopes = [PORTFOLIO] if tickets >= MIN_TICKETS_FOR_THEMES else []
        target = _Target(subject=label, tickets=tickets, theme_scopes=scopes)
    else:
        by_book = themable_tickets_by_book(session=ctx.session, scope=accounts)
        books = sorted(csm for csm, count in by_book.items() if count >= MIN_TICKETS_FOR_THEMES)
        owners: dict[str, str] = {}
        if len(accounts.csm_ids or ()) > 1:  # several books: say whose each theme is
            names = csm_names(session=ctx.session, csm_ids=books)
            owners = {csm_scope(csm): names.get(csm, csm) for csm in books}
        target = _Target(
            subject=label,
            tickets=sum(by_book.values()),
            theme_scopes=[csm_scope(csm) for csm in books],
            accounts=accounts,
            book_owner=owners,
        )
    reply = _themes_reply(ctx, target)
    return Reply(
        blocks=reply.blocks,
        sources=reply.sources,
        has_more=reply.has_more,
        notes=ctx.narrowed_note(requested),
    )


def _themes_reply(ctx: AnswerContext, target: _Target) -> Reply:
    if not target.theme_scopes:
        return _categories_reply(ctx, target)
    built_now = _build_missing(ctx, target.theme_scopes)
    found = ranked_themes(
        session=ctx.session,
        scopes=target.theme_scopes,
        page=ctx.page,
        page_size=ctx.page_size,
        first_labels=(CHURN_THEME,),
    )
    if found.themes.total == 0:
        return _categories_reply(ctx, target, build_failed=True)
    newer = 0
    if found.computed_at is not None and not built_now:
        newer, _ = tickets_newer_than(
            session=ctx.session,
            since=found.computed_at,
            account_id=target.account_id,
            scope=target.accounts,
        )
    items = found.themes.items
    subjects = theme_example_subjects(
        session=ctx.session,
        theme_ids=[theme.theme_id for theme in items],
        per_theme=EXAMPLES_PER_THEME,
    )
    playbook = playbook_note = None
    pressing = next((theme for theme in items if theme.negative_tickets > 0), None)
    if ctx.page == 0 and pressing is not None:
        playbook, playbook_note = _playbook_for(
            ctx, pressing, subjects.get(pressing.theme_id, []), target.account_id
        )
    view = ThemesView(
        subject=target.subject,
        themes=found.themes,
        themed_tickets=found.themed_tickets,
        tickets=target.tickets,
        computed_at=found.computed_at,
        example_subjects=subjects,
        book_owner=target.book_owner,
        built_now=built_now,
        now=ctx.now,
        newer_tickets=newer,
        playbook=playbook,
        playbook_theme=pressing.label if playbook and pressing else None,
        playbook_note=playbook_note,
    )
    return Reply(
        blocks=build_themes_blocks(view),
        sources=SOURCES,
        account_id=target.account_id,
        has_more=found.themes.has_more,
    )


def _build_missing(ctx: AnswerContext, scopes: list[str]) -> bool:
    """Group on demand only when none of the scopes has stored themes; True when grouped now.

    Stored themes always answer (a book whose own themes are missing shows its
    tickets as not yet in a theme), so a question never waits on a rebuild the
    nightly and weekly jobs will do. A failed build (no model installed, a broken
    cache) is logged and leaves the scope empty; the caller then answers with
    ticket categories.
    """
    if scopes_with_themes(session=ctx.session, scopes=scopes):
        return False
    from bot.services.corpus.themes import list_themes, rebuild_themes

    built = False
    with _build_lock:
        for scope in scopes:
            if list_themes(ctx.services, scope):
                continue  # stored meanwhile by a concurrent question or the weekly job
            try:
                rebuild_themes(ctx.services, scope, now=ctx.now)
            except Exception:  # noqa: BLE001 - one scope's failure must not sink the answer
                logger.exception("on-demand theme build failed", extra={"scope": scope})
                continue
            built = True
    return built


def _categories_reply(ctx: AnswerContext, target: _Target, *, build_failed: bool = False) -> Reply:
    categories = ticket_categories(
        session=ctx.session, account_id=target.account_id, scope=target.accounts
    )
    scored = sum(category.scored for category in categories)
    if target.tickets and scored < target.tickets and _score_sentiment(ctx):
        categories = ticket_categories(
            session=ctx.session, account_id=target.account_id, scope=target.accounts
        )
    view = CategoriesView(
        subject=target.subject,
        tickets=target.tickets,
        minimum=MIN_TICKETS_FOR_THEMES,
        categories=categories,
        build_failed=build_failed,
    )
    return Reply(
        blocks=build_ticket_categories_blocks(view),
        sources=SOURCES,
        account_id=target.account_id,
    )


def _score_sentiment(ctx: AnswerContext) -> bool:
    """Score tickets that have no stored sentiment yet (incremental; loads the model)."""
    from bot.services.corpus.sentiment import score_text_sentiment

    try:
        score_text_sentiment(ctx.services)
    except Exception:  # noqa: BLE001 - categories and counts still answer without it
        logger.exception("sentiment scoring for a themes answer failed")
        return False
    return True


def _playbook_for(
    ctx: AnswerContext, theme: StoredTheme, subjects: list[str], account_id: str | None
) -> tuple[PlaybookSteps | None, str | None]:
    """The best playbook for the most pressing negative theme, from its label and examples."""
    from bot.services.corpus.playbooks import suggest_playbooks

    text = ". ".join([theme.label.replace(" · ", ", "), *(subjects or theme.examples)])
    try:
        found = suggest_playbooks(ctx.services, text, account_id=account_id, k=1)
    except Exception:  # noqa: BLE001 - retrieval is an extra; the themes still answer
        logger.exception("playbook suggestion for a theme failed", extra={"theme": theme.theme_id})
        return None, "Playbook suggestions failed just now; the themes above are current."
    if not found:
        return None, None
    return suggestion_steps(found[0]), None
