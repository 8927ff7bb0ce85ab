"""Entry points that run the Slack app: Socket Mode, or HTTP under a production ASGI server.

Both transports build the same app with :func:`bot.app.create_app`; only the way
requests arrive differs. HTTP mode keeps no state in the process (claims, threads
and feedback live in the store), so any number of replicas can sit behind a load
balancer; Socket Mode allows up to ten connections per app token.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from slack_bolt import App
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import create_app
from bot.errors import ConfigurationError
from bot.http_gate import slack_events_endpoint
from bot.services import Services
from bot.services.corpus.indexing import start_knowledge_warmup
from bot.services.outbox.inbound_claims import purge_old_claims
from bot.settings import Settings
from bot.webhook_gate import webhook_routes

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

logger = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def require_slack_settings(settings: Settings, *, mode: str) -> None:
    """Fail at start-up, naming the variable, when a transport's secret is missing.

    Raises:
        ConfigurationError: e.g. ``SLACK_SIGNING_SECRET: required for --http``.
    """
    missing = []
    if settings.slack_bot_token is None:
        missing.append("SLACK_BOT_TOKEN")
    if mode == "socket" and settings.slack_app_token is None:
        missing.append("SLACK_APP_TOKEN")
    if mode == "http" and settings.slack_signing_secret is None:
        missing.append("SLACK_SIGNING_SECRET")
    if missing:
        raise ConfigurationError(f"{', '.join(missing)}: required for serve --{mode}")


def build_slack_app(settings: Settings, services: Services) -> App:
    """The app plus start-up housekeeping (old delivery claims are purged)."""
    purge_old_claims(services)
    return create_app(settings, services)


def build_asgi_app(app: App, settings: Settings, services: Services | None = None) -> Starlette:
    """A Starlette app serving Slack's Request URL (events, commands, interactivity).

    With ``services`` it also serves the webhook endpoints (:mod:`bot.webhook_gate`):
    ``/webhooks/stripe``, ``/webhooks/zendesk`` and ``/webhooks/intercom``.

    Requests pass :mod:`bot.http_gate` first (body cap, signature on the raw bytes,
    payload shape), so only signed, well-formed Slack requests reach Bolt. On shutdown
    the listener pool drains, so answers in flight are still sent.
    """
    require_slack_settings(settings, mode="http")
    assert settings.slack_signing_secret is not None
    slack_events = slack_events_endpoint(
        app,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        max_body_bytes=settings.slack_max_body_bytes,
    )

    async def health(_: Request) -> Response:
        return JSONResponse({"ok": True})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        logger.info("draining Slack listeners before shutdown")
        await run_in_threadpool(app.listener_runner.listener_executor.shutdown, True)

    webhooks = (
        webhook_routes(settings, services.session_factory, now=services.clock)
        if services is not None
        else []
    )
    return Starlette(
        routes=[
            Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]),
            Route(HEALTH_PATH, health, methods=["GET"]),
            *webhooks,
        ],
        lifespan=lifespan,
    )


def asgi_app_from_environment() -> Starlette:
    """Uvicorn factory for ``--workers N``: each worker process builds its own app."""
    from bot.container import build_services
    from bot.log_config import configure_logging
    from bot.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    require_slack_settings(settings, mode="http")
    services = build_services(settings)
    asgi = build_asgi_app(build_slack_app(settings, services), settings, services)
    start_knowledge_warmup(services)  # each worker process keeps its own model warm
    return asgi


def serve_http(
    settings: Settings, services: Services, *, host: str, port: int, workers: int = 1
) -> None:
    """Run HTTP mode under uvicorn (blocks until stopped)."""
    import uvicorn

    require_slack_settings(settings, mode="http")
    log_level = settings.log_level.lower()
    if workers > 1:
        uvicorn.run(
            "bot.main:asgi_app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
        )
        return
    asgi = build_asgi_app(build_slack_app(settings, services), settings, services)
    start_knowledge_warmup(services)
    logger.info("serving Slack over HTTP", extra={"host": host, "port": port})
    uvicorn.run(asgi, host=host, port=port, log_level=log_level)


def build_socket_mode_handler(settings: Settings, services: Services) -> SocketModeHandler:
    """A connected-on-start Socket Mode handler whose Web API calls use ``SLACK_API_URL``."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    require_slack_settings(settings, mode="socket")
    app = build_slack_app(settings, services)
    assert settings.slack_app_token is not None
    return SocketModeHandler(
        app, settings.slack_app_token.get_secret_value(), web_client=app.client
    )


def serve_socket_mode(settings: Settings, services: Services) -> None:
    """Run Socket Mode until SIGTERM/SIGINT, then close the socket and finish answers in flight."""
    handler = build_socket_mode_handler(settings, services)
    stop = threading.Event()

    def _request_stop(signum: int, _frame: object) -> None:
        logger.info("stopping Socket Mode", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    logger.info("connecting to Slack over Socket Mode")
    handler.connect()
    start_knowledge_warmup(services)  # after connecting: envelopes are acked meanwhile
    try:
        while not stop.wait(1.0):
            pass
    finally:
        handler.close()
        handler.app.listener_runner.listener_executor.shutdown(wait=True)
        logger.info("Socket Mode stopped")
