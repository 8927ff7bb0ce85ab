"""The App Home content for one Slack user: their portfolio, built from the store.

The Slack transport publishes the returned view with ``views.publish`` when the
Home tab opens; the same figures as the question answers, for the same scope
(a CSM's book, a manager's team, an admin's everything).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.db.base import utcnow
from bot.db.queries.ctas import open_ctas
from bot.db.queries.health import latest_scoring_date, scoring_date_on_or_before
from bot.db.queries.portfolio import biggest_movers, portfolio_accounts, portfolio_summary
from bot.db.queries.renewals import renewals_between
from bot.db.session import unit_of_work
from bot.services import Services
from bot.services.accounts.viewers import resolve_viewer
from bot.services.answers.context import freshness_line
from bot.slack.blocks.home import HomeView, build_home_blocks, build_home_refusal_blocks

HOME_RENEWAL_DAYS = 90
HOME_MOVER_DAYS = 7
HOME_LIST_SIZE = 5


def build_home_view(
    services: Services, slack_user_id: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """The Home tab view (``{"type": "home", "blocks": [...]}``) for ``slack_user_id``."""
    now = now or utcnow()
    today = now.astimezone(services.settings.tz).date()
    with unit_of_work(services.session_factory) as session:
        viewer = resolve_viewer(session, slack_user_id, visibility=services.settings.visibility)
        if viewer is None:
            return {"type": "home", "blocks": build_home_refusal_blocks()}
        scope = viewer.scope_for(None)
        scored_on = latest_scoring_date(session=session)
        common = {"session": session, "scope": scope, "scoring_date": scored_on, "today": today}
        window_end = today + timedelta(days=HOME_RENEWAL_DAYS)
        week_before = (
            scoring_date_on_or_before(session=session, day=scored_on - timedelta(days=7))
            if scored_on
            else None
        )
        summary = portfolio_summary(**common)
        renewals = renewals_between(
            session=session,
            scope=scope,
            start=today,
            end=window_end,
            scoring_date=scored_on,
            page_size=HOME_LIST_SIZE,
        )
        view = HomeView(
            churn_risk_source=_churn_risk_source(services),
            viewer_name=viewer.name,
            scope_label={
                "me": "your accounts",
                "team": "your team's accounts",
                "all": "all accounts",
            }[viewer.default_scope],
            bands=summary.bands,
            totals=summary.totals,
            at_risk_totals=summary.at_risk,
            at_risk=portfolio_accounts(**common, at_risk_only=True, page_size=HOME_LIST_SIZE),
            renewals=renewals.page,
            renewal_totals=renewals.totals,
            renewal_days=HOME_RENEWAL_DAYS,
            movers=(
                biggest_movers(
                    session=session,
                    scope=scope,
                    now_date=scored_on,
                    then_date=week_before,
                    limit=HOME_LIST_SIZE,
                )
                if scored_on and week_before
                else []
            ),
            mover_days=HOME_MOVER_DAYS,
            ctas=open_ctas(session=session, scope=scope, page_size=HOME_LIST_SIZE),
            freshness_line=freshness_line(
                session=session,
                sources=("accounts", "contracts", "usage_daily", "tickets"),
                now=now,
                today=today,
                rule=services.settings.staleness,
                scored_on=scored_on,
            ),
            today=today,
        )
    return {"type": "home", "blocks": build_home_blocks(view)}


def _churn_risk_source(services: Services) -> str | None:
    """Where churn_risk comes from (the saved model's back-test choice); None: no model."""
    from bot.services.health.model import saved_model_summary
    from scoring.artifacts import ModelArtifactError

    try:
        summary = saved_model_summary(services)
    except ModelArtifactError:
        return None
    return None if summary is None else str(summary.get("risk_source") or "model")
