"""The one way csbot builds a Slack Web API client.

Everything that talks to Slack (the Bolt app, jobs, the CLI) gets its client here so
the base URL (``SLACK_API_URL``: Slack itself, a proxy, or the offline fake) and the
retry policy are the same everywhere. ``slack_sdk`` only retries connection errors by
default; a 429 would surface as ``SlackApiError`` mid-conversation, so we also add the
rate-limit handler, which waits for ``Retry-After`` before trying again.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.errors import ConfigurationError
from bot.settings import Settings

RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 2
REQUEST_TIMEOUT_SECONDS = 30


def slack_api_base_url(settings: Settings) -> str:
    """``SLACK_API_URL`` with the trailing slash ``slack_sdk`` needs to join method names."""
    url = settings.slack_api_url
    return url if url.endswith("/") else url + "/"


def build_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A ``WebClient`` for the bot token (or ``token``) with rate-limit and connection retries.

    Raises:
        ConfigurationError: when no token is given and ``SLACK_BOT_TOKEN`` is not set.
    """
    if token is None:
        if settings.slack_bot_token is None:
            raise ConfigurationError(
                "SLACK_BOT_TOKEN: not set; it is needed to talk to Slack "
                "(run `csbot chat` for the terminal assistant instead)"
            )
        token = settings.slack_bot_token.get_secret_value()
    return WebClient(
        token=token,
        base_url=slack_api_base_url(settings),
        timeout=REQUEST_TIMEOUT_SECONDS,
        user_agent_prefix="csbot",
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
