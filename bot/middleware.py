"""Global Bolt middleware: cross-cutting concerns kept out of the handlers.

Order matters and mirrors the request's life: noise is dropped before
authorization (cheap, and no ``auth.test``), then services are injected, log
fields bound, and finally the delivery is claimed in the store — last, so only
verified, authorised, non-self events can claim anything.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.services import Services
from bot.services.outbox.inbound_claims import (
    claim_delivery,
    delivery_keys,
    purge_old_claims,
    replica_name,
)
from bot.slack.log_context import bind_log_fields

logger = logging.getLogger(__name__)

ANSWERED_MESSAGE_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
"""Message subtypes that are a person talking; edits, deletes, joins and bots are not."""

CHANNEL_TYPES = frozenset({"channel", "group", "mpim"})


def is_noise_event(body: dict[str, Any]) -> bool:
    """True for deliveries csbot never acts on, so they cost no claim and no listener.

    Channel messages outside threads are noise: in channels csbot answers mentions
    (which arrive as ``app_mention``) and follow-ups in its own threads only.
    """
    if body.get("type") == "app_rate_limited":
        return True
    if body.get("type") != "event_callback":
        return False
    event = body.get("event") or {}
    if event.get("type") != "message":
        return False
    if event.get("subtype") not in ANSWERED_MESSAGE_SUBTYPES:
        return True
    if event.get("bot_id") or event.get("hidden") or not event.get("user"):
        return True
    return event.get("channel_type") in CHANNEL_TYPES and event.get("thread_ts") is None


class SkipNoiseEvents(Middleware):
    """Acknowledge and drop noise before authorization (see :func:`is_noise_event`)."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if is_noise_event(req.body):
            if req.body.get("type") == "app_rate_limited":
                logger.warning(
                    "Slack is rate limiting event deliveries to this app",
                    extra={"minute_rate_limited": req.body.get("minute_rate_limited")},
                )
            return BoltResponse(status=200, body="")
        return next()


class InjectServices(Middleware):
    """Listeners receive ``services`` by name (Bolt injects context keys as arguments)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        req.context["services"] = self.services
        return next()


class BindRequestLogContext(Middleware):
    """Team, channel, user and event id on every log line written for this request."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        body = req.body
        bind_log_fields(
            {
                "slack_team": req.context.team_id,
                "slack_channel": req.context.channel_id,
                "slack_user": req.context.user_id,
                "slack_event_id": body.get("event_id"),
                "slack_kind": _request_kind(body),
                "slack_retry_num": _first_header(req, "x-slack-retry-num"),
            }
        )
        return next()


class ClaimDeliveryOnce(Middleware):
    """Claim each Events API delivery in the store; a second claimant just acknowledges.

    The claim happens on receipt, before the listener runs: Slack's timeout retry
    can arrive while the first attempt is still answering, so "mark done after" would
    answer twice. If the store is unreachable the claim raises, Slack gets a 500 and
    retries later — nothing is answered unclaimed.
    """

    PURGE_EVERY = 1000
    """Claims older than the retention window are purged every this many new claims, so
    a long-running replica keeps the table small without a separate job."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.claimed_by = replica_name()
        self._claims = itertools.count(1)

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        keys = delivery_keys(req.body)
        if not keys:
            return next()
        if not claim_delivery(self.services, keys, claimed_by=self.claimed_by):
            return BoltResponse(status=200, body="")
        req.context["delivery_claimed"] = True
        if self._claims.__next__() % self.PURGE_EVERY == 0:  # `next` is Bolt's, here
            purge_old_claims(self.services)
        return next()


def _first_header(req: BoltRequest, name: str) -> str | None:
    values = req.headers.get(name)
    return values[0] if values else None


def _request_kind(body: dict[str, Any]) -> str:
    if body.get("type") == "event_callback":
        return f"event:{(body.get('event') or {}).get('type')}"
    if "command" in body:
        return f"command:{body.get('command')}"
    return str(body.get("type") or "unknown")
