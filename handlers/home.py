"""The App Home tab: the viewer's portfolio, published each time the tab opens.

The content (counts by band, ARR at risk, renewals, movers, open CTAs) is built by
``bot.services.insights.home`` from the store, for what this person may see; this handler
only publishes it. A failure publishes an apology view (see ``bot.error_handler``)
rather than leaving a stale tab.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.services import Services
from bot.services.insights.home import build_home_view


def register(app: App) -> None:
    app.event("app_home_opened", matchers=[is_home_tab])(handle_event_app_home_opened_home)


def is_home_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "home"


def handle_event_app_home_opened_home(
    event: dict[str, Any], client: WebClient, services: Services
) -> None:
    user_id = event["user"]
    client.views_publish(user_id=user_id, view=build_home_view(services, user_id))
