"""The Bolt app factory. Transport (Socket Mode or HTTP) is chosen by the caller.

``create_app`` wires the pieces in one place: the shared Web API client, our own
listener executor, the global middleware (noise filter, service injection, log
context, delivery claims), the single error handler, and the handler routing table.
There is no module-level app, so tests build a fresh one per case against the fake
Slack server.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient

import handlers
from bot.error_handler import handle_listener_error
from bot.errors import ConfigurationError
from bot.middleware import BindRequestLogContext, ClaimDeliveryOnce, InjectServices, SkipNoiseEvents
from bot.services import Services
from bot.settings import Settings
from bot.slack.log_context import ContextCopyingThreadPoolExecutor, install_log_record_factory

LISTENER_WORKERS = 32
"""Bolt's default pool has 5 threads shared by every listener: five slow answers and a
slash command cannot even start, so its ack misses Slack's 3 s. Listener work here is
I/O-bound (store, Slack, optional LLM), so a wider pool is cheap; the database pool
queues what it cannot serve at once."""


def create_app(
    settings: Settings,
    services: Services,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
) -> App:
    """Build the Slack app for ``services``.

    Args:
        settings: Slack secrets and channel policy.
        services: What listeners receive as ``services``.
        client: The Web API client; defaults to ``services.web_client`` (so jobs and
            the app share one client, base URL and retry policy).
        process_before_response: True only for FaaS-style hosting (and tests that
            want ``dispatch`` to return after the listener finished).

    Raises:
        ConfigurationError: without a bot token, or when Slack rejects it (``auth.test``).
    """
    if client is None and settings.slack_bot_token is None:
        raise ConfigurationError("SLACK_BOT_TOKEN: not set; the Slack app needs a bot token")
    install_log_record_factory()
    web_client = client or services.web_client
    signing_secret = settings.slack_signing_secret
    try:
        app = App(
            name="csbot",
            client=web_client,
            signing_secret=signing_secret.get_secret_value() if signing_secret else "",
            process_before_response=process_before_response,
            before_authorize=SkipNoiseEvents(),
            listener_executor=ContextCopyingThreadPoolExecutor(
                max_workers=LISTENER_WORKERS, thread_name_prefix="csbot-slack"
            ),
            logger=logging.getLogger("csbot.slack_bolt"),
        )
    except BoltError as error:  # raised when auth.test rejects the token
        raise ConfigurationError(f"SLACK_BOT_TOKEN: Slack refused it ({error})") from error
    app.use(InjectServices(services))
    app.use(BindRequestLogContext())
    app.use(ClaimDeliveryOnce(services))
    app.error(handle_listener_error)
    handlers.register_all(app)
    return app
