"""Digest jobs: the weekday manager digest (with its chart) and the CSM weekly summary."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.db import digest_queries as q
from bot.services.insights.digest import build_portfolio_digest
from bot.services.outbox.queue import local_day_bounds, queue_message
from bot.slack.blocks.digest import build_digest_blocks
from jobs.context import JobContext


def _queue_daily_digest(
    context: JobContext,
    day: date,
    *,
    title: str,
    scope_label: str,
    scope_key: str,
    csm_ids: list[str] | None,
    key: str,
    channel: str,
    recipient: str | None,
) -> bool:
    """A digest of ``csm_ids``' book against yesterday, and its chart in the digest's thread."""
    settings = context.services.settings
    digest = build_portfolio_digest(
        context.session,
        title=f"{title} — {day:%a %d %b}",
        scope_label=scope_label,
        scope_key=scope_key,
        csm_ids=csm_ids,
        now=context.now,
        today=day,
        compare_days=1,
    )
    text, blocks = build_digest_blocks(digest)
    queued = queue_message(
        context.session,
        dedupe_key=key,
        kind="digest",
        channel=channel,
        text=text,
        blocks=blocks,
        now=context.now,
        settings=settings,
        recipient=recipient,
    )
    queue_message(
        context.session,
        dedupe_key=f"{key}:chart",
        kind="digest_chart",
        channel=channel,
        text="",
        blocks=[],
        now=context.now,
        settings=settings,
        recipient=recipient,
        extra={
            "thread_of": key,
            "upload": {
                "chart": digest.chart_spec(),
                "filename": f"health-{digest.today.isoformat()}.png",
                "title": f"{digest.title}: health and ARR at risk",
            },
        },
    )
    return queued


def run_manager_digest(context: JobContext) -> dict[str, Any]:
    """One digest per manager (their team's book) and one for the digest channel."""
    settings = context.services.settings
    day, _, _ = local_day_bounds(context.now, settings)
    queued = 0
    for manager in q.people_with_role(session=context.session, role="manager"):
        if not manager.slack_user_id:
            continue
        queued += _queue_daily_digest(
            context,
            day,
            title="Team digest",
            scope_label=f"{manager.name}'s team",
            scope_key=f"team:{manager.csm_id}",
            csm_ids=q.team_members(session=context.session, manager_id=manager.csm_id),
            key=f"digest:{manager.csm_id}:{day}",
            channel=manager.slack_user_id,
            recipient=manager.csm_id,
        )
    if settings.digest_channel:
        queued += _queue_daily_digest(
            context,
            day,
            title="CS digest",
            scope_label="All accounts",
            scope_key="all",
            csm_ids=None,
            key=f"digest:channel:{day}",
            channel=settings.digest_channel,
            recipient=None,
        )
    return {"digests_queued": queued}


def run_csm_weekly_summary(context: JobContext) -> dict[str, Any]:
    """Each CSM's own book compared with a week ago, once per ISO week."""
    settings = context.services.settings
    day, _, _ = local_day_bounds(context.now, settings)
    year, week, _ = day.isocalendar()
    queued = 0
    for csm in q.csms_owning_accounts(session=context.session):
        if not csm.slack_user_id:
            continue
        digest = build_portfolio_digest(
            context.session,
            title=f"Your week — {day:%d %b}",
            scope_label=f"{csm.name}'s book",
            scope_key=f"csm:{csm.csm_id}",
            csm_ids=[csm.csm_id],
            now=context.now,
            today=day,
            compare_days=7,
        )
        text, blocks = build_digest_blocks(digest)
        queued += queue_message(
            context.session,
            dedupe_key=f"weekly:{csm.csm_id}:{year}-W{week:02d}",
            kind="weekly_summary",
            channel=csm.slack_user_id,
            text=text,
            blocks=blocks,
            now=context.now,
            settings=settings,
            recipient=csm.csm_id,
        )
    return {"summaries_queued": queued}
