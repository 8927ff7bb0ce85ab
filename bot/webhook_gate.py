"""The webhook endpoints on the HTTP app: ``/webhooks/stripe``, ``/webhooks/zendesk``,
``/webhooks/intercom``, gated in the order :mod:`bot.http_gate` uses for Slack.

1. **Configured** — an endpoint whose secret is unset answers 404 before reading a byte.
2. **Size** — the body is read no further than ``CSBOT_WEBHOOK_MAX_BODY_BYTES`` (413).
3. **Signature** — the source's HMAC on the raw bytes
   (:mod:`bot.sources.webhooks.signatures`); unsigned, forged or stale → 401.
4. **Event** — only then is the body parsed, for its event id and type (400 without).
5. **Queue** — one ``INSERT … ON CONFLICT DO NOTHING`` keyed (source, event id), and a
   200 at once: the import is the ``webhook_inbox`` job's work, never the request's.
   A replay is answered 200 too (the source must stop retrying) and adds nothing.

Every refusal is one ``refused webhook request`` log event (reason, field, status) —
never the body nor a signature.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.db.base import utcnow
from bot.http_gate import Endpoint, _Refused, read_body_capped
from bot.settings import Settings
from bot.slack.request_checks import Refusal
from bot.sources.webhooks.events import read_event
from bot.sources.webhooks.inbox import enqueue
from bot.sources.webhooks.signatures import check_intercom, check_stripe, check_zendesk

logger = logging.getLogger(__name__)

WEBHOOKS_PATH = "/webhooks/{source}"

Check = Callable[..., Refusal | None]
_CHECKS: dict[str, Check] = {
    "stripe": check_stripe,
    "zendesk": check_zendesk,
    "intercom": check_intercom,
}


def webhook_secrets(settings: Settings) -> dict[str, str | None]:
    """Each source's signing secret, None when that endpoint is off."""
    values = {
        "stripe": settings.stripe_webhook_secret,
        "zendesk": settings.zendesk_webhook_secret,
        "intercom": settings.intercom_client_secret,
    }
    return {name: v.get_secret_value() if v is not None else None for name, v in values.items()}


def webhook_endpoint(
    source: str,
    *,
    secret: str | None,
    session_factory: sessionmaker[Session],
    max_body_bytes: int,
    clock: Callable[[], float] = time.time,
    now: Callable[[], datetime] = utcnow,
) -> Endpoint:
    """The endpoint for one source, gated as the module describes."""
    check = _CHECKS[source]

    async def receive(request: Request) -> Response:
        if secret is None:
            return _refuse(request, source, Refusal(404, "not_configured"), received=0)
        try:
            raw = await read_body_capped(request, max_body_bytes)
        except _Refused as refused:
            return _refuse(request, source, refused.refusal, received=refused.received)
        headers: Mapping[str, str] = request.headers
        refusal = check(headers, raw, secret=secret, now=clock())
        if refusal is not None:
            return _refuse(request, source, refusal, received=len(raw))
        key, refusal = read_event(source, raw, now=clock())
        if refusal is not None or key is None:
            return _refuse(request, source, refusal or Refusal(400, "body_invalid"), len(raw))
        queued = await run_in_threadpool(
            enqueue,
            session_factory,
            source=source,
            event_id=key.event_id,
            event_type=key.event_type,
            raw_body=raw,
            now=now(),
        )
        logger.info(
            "webhook queued",
            extra={"source": source, "event_id": key.event_id, "event_type": key.event_type,
                   "replay": not queued},
        )  # fmt: skip
        return JSONResponse({"ok": True, "queued": queued})

    return receive


def webhook_routes(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    clock: Callable[[], float] = time.time,
    now: Callable[[], datetime] = utcnow,
) -> list[Route]:
    """One POST route per source (an unconfigured one answers 404)."""
    secrets = webhook_secrets(settings)
    return [
        Route(
            f"/webhooks/{source}",
            webhook_endpoint(
                source,
                secret=secrets[source],
                session_factory=session_factory,
                max_body_bytes=settings.webhook_max_body_bytes,
                clock=clock,
                now=now,
            ),
            methods=["POST"],
        )
        for source in _CHECKS
    ]


def _refuse(request: Request, source: str, refusal: Refusal, received: int) -> Response:
    logger.warning(
        "refused webhook request",
        extra={
            "source": source,
            "reason": refusal.reason,
            "field": refusal.field,
            "http_status": refusal.status,
            "path": request.url.path,
            "body_bytes_read": received,
        },
    )
    # Connection: close — a refused body may still be in flight; don't read it to reuse.
    headers = {"connection": "close"} if refusal.status in (404, 413) else None
    return JSONResponse({"error": refusal.reason}, status_code=refusal.status, headers=headers)
