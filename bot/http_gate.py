"""The HTTP boundary in front of Bolt: cap the body, verify the signature, then check shape.

Bolt's Starlette adapter reads the whole body into memory and parses it before it
verifies the signature, so a 1 GB unsigned POST costs a gigabyte or more, and a body
Bolt cannot parse becomes a 500. The gate turns that order around:

1. **Size** — a declared ``Content-Length`` above the cap is answered 413 before a
   byte is read; otherwise the body is streamed and counted, so a chunked body (no
   length) is cut off with 413 as soon as it passes the cap. Slack's payloads are far
   below the default 1 MiB (``CSBOT_SLACK_MAX_BODY_BYTES``).
2. **Signature** — timestamp and HMAC are checked on the raw bytes
   (:func:`bot.slack.request_checks.check_signature`); 401 without parsing anything.
3. **Shape** — only a signed body is parsed, and garbage gets a 4xx naming the reason
   (:func:`bot.slack.request_checks.check_payload`) instead of a 500 or Bolt's 404.

Only then are the bytes handed to Bolt (which verifies once more; that is cheap).
Every refusal is one structured ``refused Slack request`` log event with ``reason``,
``field`` and ``http_status`` — never the body, nor any header but the length.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from bot.slack.request_checks import Refusal, check_payload, check_signature

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""1 MiB: the largest Slack payloads (a view submission of a big modal) are tens of KB."""

Endpoint = Callable[[Request], Awaitable[Response]]


class _Refused(Exception):
    def __init__(self, refusal: Refusal, received: int) -> None:
        self.refusal = refusal
        self.received = received


async def read_body_capped(request: Request, max_bytes: int) -> bytes:
    """The request body, read no further than ``max_bytes``.

    Raises:
        _Refused: 413 when the declared or the streamed length passes ``max_bytes``;
            400 for an unreadable ``Content-Length`` or a client that went away.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isascii() or not declared.isdigit():
            raise _Refused(Refusal(400, "content_length_invalid", "Content-Length"), 0)
        if int(declared) > max_bytes:
            raise _Refused(Refusal(413, "body_too_large", "Content-Length"), 0)
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes:
                raise _Refused(Refusal(413, "body_too_large"), received)
            chunks.append(chunk)
    except ClientDisconnect:
        raise _Refused(Refusal(400, "client_disconnected"), received) from None
    return b"".join(chunks)


def slack_events_endpoint(
    app: App,
    *,
    signing_secret: str,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    clock: Callable[[], float] = time.time,
) -> Endpoint:
    """The Starlette endpoint for Slack's Request URL, gated as the module describes.

    Bolt's dispatch is blocking (middleware reads the store), so it runs on the
    thread pool and never stalls the event loop that accepts other deliveries.
    """

    async def slack_events(request: Request) -> Response:
        try:
            raw = await read_body_capped(request, max_body_bytes)
        except _Refused as refused:
            return _refuse(request, refused.refusal, received=refused.received)
        refusal = check_signature(
            request.headers, raw, signing_secret=signing_secret, now=clock()
        ) or check_payload(request.headers.get("content-type"), raw)
        if refusal is not None:
            return _refuse(request, refusal, received=len(raw))
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, raw))
        return to_starlette_response(bolt_response)

    return slack_events


def _refuse(request: Request, refusal: Refusal, *, received: int) -> Response:
    logger.warning(
        "refused Slack request",
        extra={
            "reason": refusal.reason,
            "field": refusal.field,
            "http_status": refusal.status,
            "path": request.url.path,
            "body_bytes_read": received,
        },
    )
    # Connection: close — a refused body may still be in flight; don't read it to reuse.
    headers = {"connection": "close"} if refusal.status == 413 else None
    return JSONResponse({"error": refusal.reason}, status_code=refusal.status, headers=headers)
