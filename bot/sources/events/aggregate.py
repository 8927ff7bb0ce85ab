"""Events → ``usage_daily`` rows for a set of UTC days, per account.

Per (account, day): ``active_users`` distinct identities with any activity (Segment
track/page/screen, every Amplitude and Mixpanel event), ``logins`` login events,
``events`` track events (Segment page/screen calls are activity, not events),
``features_used`` distinct feature names (the event name or the mapped property; logins
are no feature) and ``session_minutes``:

* Amplitude: each ``session_id`` (≥ 0) of a user spans its first to last event that day;
* Segment and Mixpanel carry no session: a user's consecutive events at most
  ``session_idle_minutes`` apart are one session, its span is first to last event.

Sessions are cut at UTC midnight, so a day's row depends only on that day's events
(what lets a day be re-aggregated on its own, see the connector). A duplicate (same
format and event id within the days aggregated) counts once. An event whose company
maps to no stored account is counted in ``unattributed``, never an error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from bot.sources.events.formats import Event
from bot.sources.sync.protocol import ContractRow

ORPHANS_PER_DAY = 10_000
"""Segment identities without a group kept per day; past it the day is marked ``*``."""


@dataclass(slots=True)
class _Day:
    users: set[str] = field(default_factory=set)
    logins: int = 0
    events: int = 0
    features: set[str] = field(default_factory=set)
    spans: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    stamps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def minutes(self, idle_seconds: float) -> float:
        seconds = sum(last - first for first, last in self.spans.values())
        if idle_seconds > 0:
            for stamps in self.stamps.values():
                stamps.sort()
                seconds += sum(
                    gap
                    for gap in (b - a for a, b in zip(stamps, stamps[1:], strict=False))
                    if gap <= idle_seconds
                )
        return round(seconds / 60, 2)


class DayAggregator:
    """Adds events of ``days`` (others are ignored) and hands back their rows."""

    def __init__(
        self,
        days: Iterable[str],
        *,
        resolve: Callable[[str], str | None],
        members: Mapping[str, tuple[str, float]],
        is_login: Callable[[str], bool],
        idle_minutes: float,
    ) -> None:
        self.days = frozenset(days)
        self._resolve = resolve
        self._members = members
        self._is_login = is_login
        self._idle = idle_minutes * 60
        self._seen: set[tuple[str, str]] = set()
        self._stats: dict[tuple[str, str], _Day] = {}
        self.unattributed = 0
        self.duplicates = 0
        self.orphans: dict[str, set[str] | None] = {}
        """Per day, Segment identities whose events had neither a groupId nor a group
        call (None: more than ORPHANS_PER_DAY); a later group call for one re-aggregates
        that day."""

    def add(self, event: Event) -> None:
        day = event.day
        if day not in self.days or event.membership:
            return
        if event.dedup is not None:
            key = (event.fmt, event.dedup)
            if key in self._seen:
                self.duplicates += 1
                return
            self._seen.add(key)
        company = event.company
        if company is None and event.fmt == "segment":
            member = self._members.get(event.identity)
            if member is None:
                self._orphan(day, event.identity)
            else:
                company = member[0]
        account = self._resolve(company) if company is not None else None
        if account is None:
            self.unattributed += 1
            return
        stats = self._stats.get((account, day))
        if stats is None:
            stats = self._stats[(account, day)] = _Day()
        stats.users.add(event.identity)
        if event.counted:
            stats.events += 1
            if self._is_login(event.name):
                stats.logins += 1
            elif event.feature is not None:
                stats.features.add(event.feature)
        if event.session is None:
            stats.stamps[event.identity].append(event.ts)
        elif event.session >= 0:
            span = stats.spans.get((event.identity, event.session))
            if span is None:
                stats.spans[(event.identity, event.session)] = [event.ts, event.ts]
            else:
                span[0], span[1] = min(span[0], event.ts), max(span[1], event.ts)

    def _orphan(self, day: str, identity: str) -> None:
        known = self.orphans.setdefault(day, set())
        if known is None:
            return
        known.add(identity)
        if len(known) > ORPHANS_PER_DAY:
            self.orphans[day] = None

    def rows(self) -> list[ContractRow]:
        """The usage rows, by day then account."""
        return [
            {
                "account_id": account,
                "date": day,
                "active_users": len(stats.users),
                "logins": stats.logins,
                "events": stats.events,
                "features_used": len(stats.features),
                "session_minutes": stats.minutes(self._idle),
            }
            for (account, day), stats in sorted(self._stats.items(), key=lambda kv: kv[0][::-1])
        ]
