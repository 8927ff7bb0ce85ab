"""Injected failures: 429 + ``Retry-After``, 5xx, ``ok: false``, delays, resets, ghosts.

Slack fails in ways our retry and idempotency code must survive; tests queue those
failures per method here and the dispatcher takes them one call at a time.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    status: int = 500
    retry_after: float | None = None
    error: str | None = None
    delay: float = 0.0
    reset: bool = False
    ghost: bool = False
    """Perform the call (the message is posted), then answer the failure anyway."""


@dataclass
class _TokenBucket:
    rate: float
    burst: int
    tokens: float
    updated: float


class SlackErrorResponse(Exception):
    """Raised by method handlers to answer ``{"ok": false, "error": code}``."""

    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


class FaultInjection:
    """The fault queue, per-method delays and the per-channel rate limit."""

    _lock: threading.RLock

    def _reset_faults(self) -> None:
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._channel_buckets: dict[str, _TokenBucket] = {}
        self._channel_rate: tuple[float, int] | None = None

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: float | None = 1,
        *,
        error: str | None = None,
        times: int = 1,
        delay: float = 0.0,
        reset: bool = False,
        ghost: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``status=429`` answers ``ratelimited`` with ``Retry-After``; ``status=200`` with
        ``error`` answers ``{"ok": false, "error": error}``; ``reset=True`` drops the
        connection without an answer. ``ghost=True`` carries the call out first (a
        ``chat.postMessage`` really posts) and then answers the failure: the
        ambiguous "500 after Slack already posted". ``method`` may be ``"response_url"``.
        """
        with self._lock:
            for _ in range(times):
                self._faults[method].append(
                    Fault(
                        status=status,
                        retry_after=retry_after if status == 429 else None,
                        error=error,
                        delay=delay,
                        reset=reset,
                        ghost=ghost,
                    )
                )

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of ``method`` only after ``seconds`` (0 removes the delay)."""
        with self._lock:
            if seconds:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def limit_channel_rate(self, per_second: float = 1.0, burst: int = 1) -> None:
        """Slack's ~1 message/second/channel for chat.postMessage, as 429 + Retry-After."""
        with self._lock:
            self._channel_rate = (per_second, burst)
            self._channel_buckets.clear()

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.popleft() if queue else None

    def _wait_before_answering(self, method: str, fault: Fault | None) -> None:
        delay = self._delays.get(method, 0.0) + (fault.delay if fault else 0.0)
        if delay:
            time.sleep(delay)

    def _rate_limit(self, channel_id: str) -> None:
        if self._channel_rate is None:
            return
        rate, burst = self._channel_rate
        now = time.monotonic()
        bucket = self._channel_buckets.setdefault(
            channel_id, _TokenBucket(rate=rate, burst=burst, tokens=float(burst), updated=now)
        )
        bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.updated) * bucket.rate)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) / bucket.rate)
            raise SlackErrorResponse("ratelimited", status=429, retry_after=max(wait, 1))
        bucket.tokens -= 1


def fault_answer(fault: Fault) -> tuple[int, dict[str, Any], dict[str, str]]:
    """What Slack answers for an injected fault: status, JSON body, headers."""
    if fault.status == 429:
        retry = fault.retry_after if fault.retry_after is not None else 1
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(int(retry))}
    if fault.status >= 400:
        return fault.status, {"ok": False, "error": fault.error or "internal_error"}, {}
    return 200, {"ok": False, "error": fault.error or "fatal_error"}, {}
