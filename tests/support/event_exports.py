"""Analytics event exports for tests and the bench: a usage plan written as Segment, Amplitude
or Mixpanel JSON lines, and the ``usage_daily`` rows that plan means (worked out from the
plan itself, never through csbot's aggregation).

A plan is a list of :class:`Visit`: one user of one account, one session on one UTC day,
a login then some feature events five minutes apart. Segment track calls are built on the
recorded shape in ``shared/datasets/api-fixtures/segment/track_full_example.json`` (read
here, at test time). Amplitude lines follow its Export API (``event_type``, ``user_id``,
``event_time`` "YYYY-MM-DD HH:MM:SS.ffffff", ``session_id`` in ms, ``groups``), Mixpanel
lines its raw export (``event``, ``properties.time`` epoch seconds, ``distinct_id``,
``$insert_id``, a company property).
"""

from __future__ import annotations

import copy
import gzip
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import fsspec

SEGMENT_TRACK = (
    Path(__file__).resolve().parents[3]
    / "shared/datasets/api-fixtures/segment/track_full_example.json"
)
FEATURES = ("Report Built", "Dashboard Shared", "Export Run", "Alert Created", "Filter Saved")
LOGIN = "Signed In"
STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class Visit:
    account: str
    user: str
    start: datetime  # UTC, whole seconds
    features: tuple[str, ...]

    @property
    def day(self) -> str:
        return self.start.date().isoformat()

    def moments(self) -> list[tuple[str, datetime]]:
        """(event name, time): the login, then each feature five minutes apart."""
        return [(LOGIN, self.start)] + [
            (name, self.start + STEP * (i + 1)) for i, name in enumerate(self.features)
        ]


def plan(
    accounts: Iterable[str], days: Iterable[date], *, users: int = 4, seed: int = 13
) -> list[Visit]:
    """At most one visit per user and day (so sessions never overlap), seeded."""
    rng = random.Random(seed)
    visits = []
    day_list = list(days)
    for account in accounts:
        for day in day_list:
            for k in range(users):
                if rng.random() < 0.35:
                    continue
                start = datetime(day.year, day.month, day.day, 6, tzinfo=UTC) + timedelta(
                    minutes=rng.randrange(0, 14 * 60)
                )
                picked = tuple(rng.choice(FEATURES) for _ in range(rng.randrange(0, 5)))
                visits.append(Visit(account, f"{account}-u{k}", start, picked))
    return visits


def expected_rows(visits: Iterable[Visit]) -> dict[tuple[str, str], dict[str, Any]]:
    """The usage_daily rows the plan means, by (account_id, date)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    features: dict[tuple[str, str], set[str]] = {}
    users: dict[tuple[str, str], set[str]] = {}
    for visit in visits:
        key = (visit.account, visit.day)
        row = rows.setdefault(key, {"logins": 0, "events": 0, "session_minutes": 0.0})
        row["logins"] += 1
        row["events"] += 1 + len(visit.features)
        row["session_minutes"] += 5.0 * len(visit.features)
        features.setdefault(key, set()).update(visit.features)
        users.setdefault(key, set()).add(visit.user)
    for key, row in rows.items():
        row["active_users"] = len(users[key])
        row["features_used"] = len(features[key])
    return rows


@cache
def _segment_template() -> dict[str, Any]:
    return json.loads(SEGMENT_TRACK.read_text(encoding="utf-8"))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def segment_lines(visits: Iterable[Visit], *, group_calls: bool = False) -> Iterator[dict]:
    """Track calls in the recorded shape; the company as ``context.groupId``, or (with
    ``group_calls``) as one group call per user before their first track call."""
    grouped: set[str] = set()
    for visit in visits:
        if group_calls and visit.user not in grouped:
            grouped.add(visit.user)
            yield {
                "type": "group",
                "userId": visit.user,
                "groupId": visit.account,
                "traits": {"name": visit.account},
                "messageId": f"grp-{visit.user}",
                "timestamp": _iso(visit.start - timedelta(hours=1)),
            }
        for n, (name, moment) in enumerate(visit.moments()):
            call = copy.deepcopy(_segment_template())
            call["userId"] = visit.user
            call["event"] = name
            call["messageId"] = f"ajs-{visit.user}-{visit.day}-{n}"
            call["properties"] = {"title": name}
            for stamp in ("timestamp", "originalTimestamp", "sentAt", "receivedAt"):
                call[stamp] = _iso(moment)
            if not group_calls:
                call["context"]["groupId"] = visit.account
            yield call


def amplitude_lines(visits: Iterable[Visit]) -> Iterator[dict]:
    for visit in visits:
        session = int(visit.start.timestamp() * 1000)
        for n, (name, moment) in enumerate(visit.moments()):
            yield {
                "event_type": name,
                "user_id": visit.user,
                "device_id": f"dev-{visit.user}",
                "event_time": moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
                "server_upload_time": moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
                "session_id": session,
                "groups": {"company": [visit.account]},
                "group_properties": {"company": {visit.account: {"plan": "pro"}}},
                "event_properties": {"feature": name},
                "user_properties": {"role": "admin"},
                "$insert_id": f"amp-{visit.user}-{visit.day}-{n}",
                "uuid": f"00000000-{n:04d}-{visit.user}",
            }


def mixpanel_lines(
    visits: Iterable[Visit], *, company_property: str = "company_id"
) -> Iterator[dict]:
    for visit in visits:
        for n, (name, moment) in enumerate(visit.moments()):
            yield {
                "event": name,
                "properties": {
                    "time": int(moment.timestamp()),
                    "distinct_id": visit.user,
                    "$insert_id": f"mp-{visit.user}-{visit.day}-{n}",
                    company_property: visit.account,
                    "mp_lib": "web",
                },
            }


def write_lines(url: str, lines: Iterable[dict]) -> int:
    """JSON lines to a local path or fsspec URL (gzip when it ends in .gz); returns lines."""
    count = 0
    with fsspec.open(url, "wb") as raw:
        out = gzip.GzipFile(fileobj=raw, mode="wb") if url.endswith(".gz") else raw
        for line in lines:
            out.write(json.dumps(line).encode() + b"\n")
            count += 1
        if out is not raw:
            out.close()
    return count


def by_day(visits: Iterable[Visit]) -> dict[str, list[Visit]]:
    days: dict[str, list[Visit]] = {}
    for visit in visits:
        days.setdefault(visit.day, []).append(visit)
    return dict(sorted(days.items()))
