"""The events connector: analytics event exports → ``usage_daily`` (``csbot sync run events``).

Exports arrive as new files (partitioned by day or hour), and a usage row is an
aggregate of a whole UTC day, upserted by (account_id, date). Aggregating only the new
file would overwrite a day's full row with a partial one, so the cursor records, per
file done, its size and how many lines it holds per UTC day. A run:

1. lists the files; those not in the cursor (or whose size changed) are *new*;
2. reads every new file once, checking every line (a malformed one fails the run,
   located ``events <file>:<line>: …``, before anything is written) and noting the days
   it touches and the Segment group calls it holds;
3. re-aggregates every day a new file touches **from all files that touch it** (a day
   split over two files, or late events for a synced day, end exactly as one pass over
   all files would), a few days per page so memory stays bounded by the events of the
   days in hand, never by the size of the export.

Every page but the last carries the cursor the run started from, the last one the new
cursor: a crash mid-run re-does the whole batch next time (full day aggregates, upserted
again: nothing lost, nothing twice).

Segment attribution: a track/page call's ``context.groupId`` wins; otherwise the user's
group (their latest group call by timestamp, in any file; identify calls with a
``context.groupId`` count as one). Memberships live in the cursor. Days holding events of
a user who had no group yet are noted too, so a later group call for that user
re-aggregates them; a user moving to another group re-aggregates every day (rare).
The company id found is then looked up (``events.yaml`` ``account``: a value map, then
the account id itself or ``accounts.domain``); events with no stored account are counted
(``skipped``) and logged, not errors. A company added to the store later is picked up by
``csbot sync run events --full``.

Limits, by design: a duplicate counts once among the days aggregated together (a re-sent
event keeps its timestamp, so its day); rows are never deleted, so when a user moves
company the old account keeps a day's row if that user was its only one that day; the
cursor holds one membership per Segment user.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.db.billing_links import AccountIndex, lazy_account_index
from bot.errors import ImportFailed
from bot.settings import Settings
from bot.sources.events.aggregate import DayAggregator
from bot.sources.events.config import EventsMapping, load_events_mapping
from bot.sources.events.formats import Event, LineError, parse
from bot.sources.events.reader import ExportFile, ExportFolder
from bot.sources.sync.protocol import SourceError, SourceObject, SourcePage, SyncCursor

logger = logging.getLogger(__name__)

OBJECT = "usage"
MAX_PROBLEMS = 20
LINES_PER_PASS = 1_000_000
"""Days are re-aggregated in groups of about this many lines (at least one day each)."""


@dataclass
class FileState:
    size: int
    days: dict[str, int]  # UTC day → lines of that day


@dataclass
class EventsCursor:
    """Which files are done (size, lines per day), Segment memberships, orphan days."""

    files: dict[str, FileState] = field(default_factory=dict)
    members: dict[str, tuple[str, float]] = field(default_factory=dict)
    orphans: dict[str, set[str] | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, cursor: SyncCursor) -> EventsCursor:
        if cursor.value is None:
            return cls()
        try:
            data = json.loads(cursor.value)
            return cls(
                files={
                    name: FileState(int(size), {str(d): int(n) for d, n in days.items()})
                    for name, (size, days) in data["files"].items()
                },
                members={k: (str(g), float(t)) for k, (g, t) in data["members"].items()},
                orphans={d: None if ids == "*" else set(ids) for d, ids in data["orphans"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SourceError(
                f"events: stored cursor {cursor.value[:40]!r} is not an events cursor; "
                "run `csbot sync run events --full`"
            ) from None

    def text(self) -> SyncCursor:
        return SyncCursor(
            json.dumps(
                {
                    "v": 1,
                    "files": {n: [f.size, f.days] for n, f in sorted(self.files.items())},
                    "members": {k: list(v) for k, v in sorted(self.members.items())},
                    "orphans": {
                        d: "*" if ids is None else sorted(ids)
                        for d, ids in sorted(self.orphans.items())
                    },
                },
                separators=(",", ":"),
            )
        )


def _problem(export: ExportFile, number: int, reason: str) -> str:
    return f"events {export.name}:{number}: {reason}"


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return "not JSON"


@dataclass
class _Scan:
    days: dict[str, dict[str, int]] = field(default_factory=dict)
    members: dict[str, tuple[str, float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    more: int = 0
    lines: int = 0


@dataclass
class EventsConnector:
    """Reads the export path; one object, ``usage`` → ``usage_daily``."""

    path: str
    mapping: EventsMapping
    accounts: Callable[[], AccountIndex]
    lines_per_pass: int = LINES_PER_PASS
    name: str = "events"
    _folder: ExportFolder | None = None

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(OBJECT, "usage_daily")]

    @property
    def folder(self) -> ExportFolder:
        if self._folder is None:
            self._folder = ExportFolder(self.path)
        return self._folder

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        if object_name != OBJECT:
            raise SourceError(f"events: no object {object_name!r}; objects: {OBJECT}")
        before = EventsCursor() if full else EventsCursor.parse(cursor)
        listed = {f.name: f for f in self.folder.files()}
        fresh = [
            f
            for f in listed.values()
            if f.name not in before.files or before.files[f.name].size != f.size
        ]
        if not fresh:
            return
        scan = self._scan(fresh)
        after, days = _plan(before, fresh, scan)
        yield from self._aggregate(cursor, before, after, days, listed)

    # --- pass 1: check the new files, note their days and group calls -----------------
    def _scan(self, fresh: Iterable[ExportFile]) -> _Scan:
        scan = _Scan()
        for export in fresh:
            counts: dict[str, int] = {}
            for number, line in self.folder.lines(export):
                scan.lines += 1
                event = self._event(export, number, line, scan)
                if event is None:
                    continue
                if event.membership:
                    _remember(scan.members, event)
                else:
                    counts[event.day] = counts.get(event.day, 0) + 1
            scan.days[export.name] = counts
        if scan.problems:
            raise ImportFailed(scan.problems, scan.more)
        return scan

    def _event(self, export: ExportFile, number: int, line: Any, scan: _Scan) -> Event | None:
        try:
            if isinstance(line, ValueError):
                raise LineError(_json_reason(line))
            return parse(line, self.mapping)
        except LineError as exc:
            if len(scan.problems) < MAX_PROBLEMS:
                scan.problems.append(_problem(export, number, str(exc)))
            else:
                scan.more += 1
            return None

    # --- pass 2: re-aggregate the days, a group of days per page -----------------------
    def _aggregate(
        self,
        cursor: SyncCursor,
        before: EventsCursor,
        after: EventsCursor,
        days: set[str],
        listed: Mapping[str, ExportFile],
    ) -> Iterator[SourcePage]:
        # No day to re-do (a file of group calls only): one empty page still saves the cursor.
        groups = _day_groups(sorted(days), after.files, self.lines_per_pass) or [frozenset()]
        resolve = self._resolver()
        for name, state in after.files.items():
            if name not in listed and days.intersection(state.days):
                raise SourceError(
                    f"events {name}: synced before but gone now; its days cannot be "
                    "re-aggregated exactly; run `csbot sync run events --full`"
                )
        orphans = {d: ids for d, ids in before.orphans.items() if d not in days}
        unattributed = duplicates = 0
        for position, group in enumerate(groups):
            aggregator = DayAggregator(
                group,
                resolve=resolve,
                members=after.members,
                is_login=self.mapping.is_login,
                idle_minutes=self.mapping.session_idle_minutes,
            )
            scan = _Scan()
            touching = [n for n, s in sorted(after.files.items()) if not group.isdisjoint(s.days)]
            for name in touching:
                export = listed[name]
                for number, line in self.folder.lines(export):
                    event = self._event(export, number, line, scan)
                    if event is not None:
                        aggregator.add(event)
            if scan.problems:  # a file changed in place since it was checked
                raise ImportFailed(scan.problems, scan.more)
            orphans.update(aggregator.orphans)
            unattributed += aggregator.unattributed
            duplicates += aggregator.duplicates
            last = position == len(groups) - 1
            if last:
                after.orphans = orphans
            rows = aggregator.rows()
            yield SourcePage(
                table="usage_daily",
                rows=rows,
                source_ids=[f"{row['account_id']} {row['date']}" for row in rows],
                cursor=after.text() if last else cursor,
                skipped=aggregator.unattributed,
            )
        logger.info(
            "events aggregated",
            extra={
                "source": self.name,
                "days": len(days),
                "passes": len(groups),
                "unattributed_events": unattributed,
                "duplicate_events": duplicates,
            },
        )

    def _resolver(self) -> Callable[[str], str | None]:
        """Company id → stored account id (value map, then id or domain), cached."""
        index: AccountIndex | None = None
        cache: dict[str, str | None] = {}
        values = self.mapping.values or {}
        by_domain = self.mapping.lookup == "domain"

        def resolve(company: str) -> str | None:
            nonlocal index
            if company in cache:
                return cache[company]
            if index is None:
                index = self.accounts()
            target = values.get(company)
            if target is None:
                target = index.by_domain.get(company.lower()) if by_domain else company
            found = target if target in index.ids else None
            cache[company] = found
            return found

        return resolve


def _remember(members: dict[str, tuple[str, float]], event: Event) -> None:
    """Keep the latest group call per identity (ties: the greater group id), any order."""
    assert event.company is not None
    old = members.get(event.identity)
    if old is None or (event.ts, event.company) > (old[1], old[0]):
        members[event.identity] = (event.company, event.ts)


def _plan(
    before: EventsCursor, fresh: Sequence[ExportFile], scan: _Scan
) -> tuple[EventsCursor, set[str]]:
    """The cursor after this batch, and every day that must be re-aggregated for it."""
    files = dict(before.files)
    days: set[str] = set()
    for export in fresh:
        old = files.get(export.name)
        if old is not None:  # rewritten in place: its old days are re-done too
            days.update(old.days)
        files[export.name] = FileState(export.size, scan.days[export.name])
        days.update(scan.days[export.name])
    members = dict(before.members)
    joined: set[str] = set()
    moved = False
    for identity, (group, ts) in scan.members.items():
        old_member = members.get(identity)
        if old_member is None:
            joined.add(identity)
            members[identity] = (group, ts)
        elif (ts, group) > (old_member[1], old_member[0]):
            moved = moved or group != old_member[0]
            members[identity] = (group, ts)
    if moved:  # a user changed company: their earlier days may belong elsewhere now
        for state in files.values():
            days.update(state.days)
    for day, ids in before.orphans.items():
        if joined and (ids is None or not ids.isdisjoint(joined)):
            days.add(day)
    return EventsCursor(files, members, dict(before.orphans)), days


def _day_groups(
    days: Sequence[str], files: Mapping[str, FileState], budget: int
) -> list[frozenset[str]]:
    """Consecutive days in groups of about ``budget`` lines (one day at least)."""
    weight: dict[str, int] = {}
    for state in files.values():
        for day, lines in state.days.items():
            weight[day] = weight.get(day, 0) + lines
    groups: list[frozenset[str]] = []
    current: list[str] = []
    total = 0
    for day in days:
        lines = weight.get(day, 0)
        if current and total + lines > budget:
            groups.append(frozenset(current))
            current, total = [], 0
        current.append(day)
        total += lines
    if current:
        groups.append(frozenset(current))
    return groups


# --- the registry's entry points (bot.sources.sync.registry) ----------------------------
def configured(settings: Settings) -> bool:
    """Event exports sync when CSBOT_EVENTS_PATH names a folder or object-store path."""
    return bool(settings.events_path)


def describe_objects(settings: Settings) -> list[str]:
    """What ``csbot sync list`` shows (the mapping is not an object mapping)."""
    load_events_mapping(settings.sync_mapping_dir)
    return [f"{OBJECT}→usage_daily"]


def build(settings: Settings) -> EventsConnector:
    if not settings.events_path:
        raise SourceError("events: CSBOT_EVENTS_PATH is not set")
    return EventsConnector(
        path=settings.events_path,
        mapping=load_events_mapping(settings.sync_mapping_dir),
        accounts=lazy_account_index(settings.resolved_database_url),
        lines_per_pass=settings.events_lines_per_pass,
    )
