"""The outbox queue: a Slack message is a row first, keyed by its dedupe key.

``queue_message`` writes one pending row (a second call with the same key writes
nothing, so jobs can be re-run freely); quiet hours set when it may go. The retry
policy (``backoff_after``, ``MAX_ATTEMPTS``) and the per-channel pacing that
delivery applies live here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import alert_repository as alerts_db
from bot.services.outbox.quiet_hours import QuietHours
from bot.settings import Settings

QUIET_HOURS_EXEMPT_KINDS = frozenset({"escalation", "escalation_update", "escalation_sla"})
MAX_ATTEMPTS = 10
CLAIM_SECONDS = 300
CHANNEL_RATE_PER_SECOND = 1.0
CHANNEL_BURST = 3
"""chat.postMessage allows about one message per second per channel, short bursts
tolerated (SLACK_PLATFORM A3): we pace ourselves rather than collect 429s."""


@dataclass
class ChannelPacer:
    """A token bucket per channel on the job's clock."""

    rate: float = CHANNEL_RATE_PER_SECOND
    burst: int = CHANNEL_BURST
    _buckets: dict[str, tuple[float, datetime]] = field(default_factory=dict)

    def _tokens(self, channel: str, moment: datetime) -> float:
        tokens, at = self._buckets.get(channel, (float(self.burst), moment))
        return min(float(self.burst), tokens + (moment - at).total_seconds() * self.rate)

    def ready_at(self, channel: str, moment: datetime) -> datetime | None:
        """None when a message may go now, else when the next token arrives."""
        tokens = self._tokens(channel, moment)
        if tokens >= 1:
            return None
        return moment + timedelta(seconds=(1 - tokens) / self.rate)

    def spend(self, channel: str, moment: datetime) -> None:
        self._buckets[channel] = (self._tokens(channel, moment) - 1, moment)


def local_day_bounds(moment: datetime, settings: Settings) -> tuple[date, datetime, datetime]:
    local = moment.astimezone(settings.tz)
    day = local.date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=settings.tz)
    return day, start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def queue_message(
    session: Session,
    *,
    dedupe_key: str,
    kind: str,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    now: datetime,
    settings: Settings,
    account_id: str | None = None,
    recipient: str | None = None,
    cta_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Queue one message (digest, reminder, escalation post) under its dedupe key.

    Returns False when a message with this key was queued before, so jobs can be
    re-run freely.
    """
    send_at = now
    if kind not in QUIET_HOURS_EXEMPT_KINDS:
        quiet = QuietHours.parse(settings.quiet_hours, settings.tz)
        send_at = quiet.release_time(now) if quiet else now
    return alerts_db.add_alert(
        session=session,
        values={
            "dedupe_key": dedupe_key,
            "kind": kind,
            "account_id": account_id,
            "recipient": recipient,
            "cta_id": cta_id,
            "channel": channel,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": send_at,
            "payload": {"channel": channel, "text": text, "blocks": blocks, **(extra or {})},
        },
    )


def backoff_after(attempts: int) -> timedelta:
    """1 min, 2, 4, … capped at 6 h: slow enough not to hammer a broken channel."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    gave_up: int = 0
    interrupted: int = 0
    reconciled: int = 0
    unconfirmed: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The counts a job run reports (and logs), with the first 20 errors."""
        return {
            "sent": self.sent,
            "failed": self.failed,
            "deferred": self.deferred,
            "gave_up": self.gave_up,
            "interrupted": self.interrupted,
            "reconciled": self.reconciled,
            "unconfirmed": self.unconfirmed,
            "errors": self.errors[:20],
        }
