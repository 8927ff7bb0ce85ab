"""What customers complain about: ticket themes, or ticket categories when there are too few.

Each theme reads as one line a CSM can act on: its label, how many tickets,
how many of them are negative, whether it is growing, and the subjects of the
tickets most typical of it. The best-matching playbook for the most pressing
negative theme follows, so the answer ends with something to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.db.queries.records import Page
from bot.db.queries.themes import CategorySummary, StoredTheme
from bot.slack import formatting as fmt
from bot.slack.blocks.account_views import PlaybookSteps
from bot.slack.blocks.answer import Blocks, bullets, note, paragraph, title
from bot.slack.formatting import escape_mrkdwn, truncate

EXAMPLE_LIMIT = 100
LABEL_LIMIT = 120
STEP_LIMIT = 300


@dataclass(frozen=True, slots=True)
class ThemesView:
    """Ranked themes of one account or of a book of accounts."""

    subject: str  # "Acme Corp" or "your accounts" / "your team" / "all accounts"
    themes: Page[StoredTheme]
    themed_tickets: int
    tickets: int  # tickets with text in the scope now
    computed_at: datetime | None
    example_subjects: dict[int, list[str]] = field(default_factory=dict)
    book_owner: dict[str, str] = field(default_factory=dict)  # theme scope → CSM name
    built_now: bool = False
    now: datetime | None = None  # the asker's clock, for the themes' age
    newer_tickets: int = 0  # tickets created after the (oldest) grouping
    playbook: PlaybookSteps | None = None
    playbook_theme: str | None = None
    playbook_note: str | None = None


@dataclass(frozen=True, slots=True)
class CategoriesView:
    """The fallback: too few tickets to group, so their categories instead."""

    subject: str
    tickets: int  # tickets with text in the scope
    minimum: int  # tickets needed before themes are built
    categories: list[CategorySummary]
    build_failed: bool = False


def _trend_text(trend: float | None) -> str:
    if trend is None:
        return "none in the 60 days before grouping"
    if trend > 0:
        return f"📈 rising ({fmt.percent(trend, signed_value=True)} vs the 30 days before)"
    if trend < 0:
        return f"📉 easing ({fmt.percent(trend, signed_value=True)} vs the 30 days before)"
    return "steady vs the 30 days before"


def _examples(theme: StoredTheme, subjects: list[str]) -> str:
    shown = subjects[:2] or theme.examples[:1]
    if not shown:
        return ""
    quoted = ", ".join(f"“{escape_mrkdwn(truncate(text, EXAMPLE_LIMIT))}”" for text in shown)
    return f"\n    e.g. {quoted}"


def theme_line(
    position: int, theme: StoredTheme, subjects: list[str], owner: str | None = None
) -> str:
    label = escape_mrkdwn(truncate(theme.label, LABEL_LIMIT))
    book = f" ({escape_mrkdwn(owner)}'s book)" if owner else ""
    negative = (
        f"{theme.negative_tickets} negative ({fmt.percent(theme.negative_share)})"
        if theme.negative_tickets
        else "none negative"
    )
    return (
        f"{position}. *{label}*{book} — {fmt.plural(theme.size, 'ticket')} · {negative} · "
        f"{_trend_text(theme.trend)}{_examples(theme, subjects)}"
    )


def build_themes_blocks(view: ThemesView) -> Blocks:
    page = view.themes
    blocks: Blocks = [title(f"Ticket themes: {view.subject}")]
    if page.total == 0:
        blocks += paragraph(
            f"No ticket themes for {escape_mrkdwn(view.subject)} yet: "
            f"{fmt.plural(view.tickets, 'ticket')} with text."
        )
        return blocks
    grouped = "grouped just now" if view.built_now else f"grouped {fmt.day(view.computed_at)}"
    blocks += paragraph(
        f"{fmt.plural(page.total, 'theme')} across {fmt.plural(view.themed_tickets, 'ticket')} "
        f"({grouped}), most negative tickets first, rising themes ahead of steady ones."
    )
    lines = [
        theme_line(
            page.first_index + index + 1,
            theme,
            view.example_subjects.get(theme.theme_id, []),
            view.book_owner.get(theme.scope),
        )
        for index, theme in enumerate(page.items)
    ]
    shown = f"{page.first_index + 1}–{page.first_index + len(page.items)} of {page.total}"
    blocks += bullets(f"Themes ({shown})", lines)
    if view.playbook is not None and view.playbook_theme:
        steps = [escape_mrkdwn(truncate(step, STEP_LIMIT)) for step in view.playbook.steps]
        theme = escape_mrkdwn(truncate(view.playbook_theme, LABEL_LIMIT))
        blocks += bullets(
            f"For “{theme}”, playbook: {escape_mrkdwn(view.playbook.title)} — first steps", steps
        )
    if view.playbook_note:
        blocks.append(note(view.playbook_note))
    waiting = view.tickets - view.themed_tickets
    if view.newer_tickets > 0 and view.computed_at is not None:
        blocks.append(note(stale_themes_text(view.computed_at, view.now, view.newer_tickets)))
    elif waiting > 0:
        blocks.append(
            note(
                f"{fmt.plural(waiting, 'ticket')} not in a theme yet (newer than the last "
                "grouping, or in a book too small to group); the weekly rebuild adds them."
            )
        )
    return blocks


def stale_themes_text(computed_at: datetime, now: datetime | None, newer: int) -> str:
    """``Themes built 3 days ago; 12 newer tickets not yet in them (…)``."""
    built = f"on {fmt.day(computed_at)}"
    if now is not None:
        elapsed = now - computed_at
        built = "today" if elapsed.days < 1 else f"{fmt.plural(elapsed.days, 'day')} ago"
    return (
        f"Themes built {built}; {fmt.plural(newer, 'newer ticket')} not yet in them "
        "(the counts above are from that grouping; the weekly rebuild adds them)."
    )


def sentiment_text(summary: CategorySummary) -> str:
    average = summary.average_sentiment
    if average is None or not summary.scored:
        return "sentiment not scored yet"
    sign = "+" if average > 0 else fmt.MINUS if average < 0 else "±"
    return (
        f"average sentiment {sign}{abs(average):.2f} · "
        f"{summary.negative} of {summary.scored} negative"
    )


def build_ticket_categories_blocks(view: CategoriesView) -> Blocks:
    subject = escape_mrkdwn(view.subject)
    blocks: Blocks = [title(f"Ticket themes: {view.subject}")]
    if view.build_failed:
        lead = "I couldn't group the tickets into themes just now, so here are their categories."
    elif view.tickets == 0:
        lead = f"{subject} has no tickets with a subject or description yet."
    else:
        lead = (
            f"{subject} has only {fmt.plural(view.tickets, 'ticket')} with text — too few to "
            f"group into themes (I need at least {view.minimum}). Ticket categories instead:"
        )
    blocks += paragraph(lead)
    lines = [
        f"*{escape_mrkdwn(summary.category or 'no category')}* — "
        f"{fmt.plural(summary.tickets, 'ticket')} · {sentiment_text(summary)}"
        for summary in view.categories
    ]
    blocks += bullets("Tickets by category", lines)
    return blocks
