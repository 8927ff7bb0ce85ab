"""Next steps for one account: open calls to action and the playbook steps that fit."""

from __future__ import annotations

from datetime import date

from bot.db.queries.records import CtaRecord
from bot.slack import formatting as fmt
from bot.slack.blocks.account_answer import escaped_name
from bot.slack.blocks.account_views import NextStepsView, PlaybookSteps
from bot.slack.blocks.answer import Blocks, bullets, note, paragraph, title
from bot.slack.blocks.health_answer import driver_lines
from bot.slack.formatting import escape_mrkdwn, truncate


def cta_line(cta: CtaRecord, today: date, *, with_account: bool = False) -> str:
    due = f" · due {fmt.days_until(cta.due_date, today)}" if cta.due_date else ""
    account = f"*{escape_mrkdwn(cta.account_name)}* — " if with_account else ""
    return (
        f"{account}*{escape_mrkdwn(cta.priority)}* {escape_mrkdwn(cta.type)}: "
        f"{escape_mrkdwn(truncate(cta.reason, 300))} ({escape_mrkdwn(cta.status)}{due})"
    )


def _playbook_blocks(heading: str, playbooks: list[PlaybookSteps]) -> Blocks:
    blocks: Blocks = []
    for playbook in playbooks:
        lines = [escape_mrkdwn(truncate(step, 300)) for step in playbook.steps]
        blocks += bullets(f"{heading}: {escape_mrkdwn(playbook.title)}", lines)
    return blocks


def build_next_steps_blocks(view: NextStepsView, today: date) -> Blocks:
    account = view.account
    blocks: Blocks = [title(f"Next steps: {account.name}")]
    page = view.ctas
    if page.total:
        shown = f"{page.first_index + 1}–{page.first_index + len(page.items)} of {page.total}"
        blocks += bullets(f"Open CTAs ({shown})", [cta_line(c, today) for c in page.items])
    else:
        blocks += paragraph(f"No open CTAs for *{escaped_name(account)}*.")
    blocks += _playbook_blocks("Playbook", view.playbooks)
    if view.suggestions:
        about = f" for “{escape_mrkdwn(view.topic)}”" if view.topic else ""
        blocks += paragraph(f"*Suggested playbooks{about}:*")
        blocks += _playbook_blocks("Suggested", view.suggestions)
    if not page.total and view.drivers:
        blocks += bullets("What the health score flags", driver_lines(view.drivers, limit=3))
    if not view.topic:
        blocks.append(
            note(
                "For a specific situation, ask “what should I do about <the problem> at "
                f"{escaped_name(account)}?” to get matching playbook steps."
            )
        )
    if view.suggestions_note:
        blocks.append(note(view.suggestions_note))
    return blocks
