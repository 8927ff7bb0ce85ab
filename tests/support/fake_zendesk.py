"""FakeZendesk: a local Zendesk Support API v2 that csbot's plain-httpx client talks to.

Zendesk is faked only at the HTTP boundary. Record and response shapes come from the
recordings in ``/work/shared/datasets/api-fixtures/zendesk/`` (read at start, never
copied into the repository: they are GPL-3.0 cassettes from zenpy's test suite, see
PROVENANCE.md there): a generated ticket is the recorded export's ``tickets[0]`` with
its values replaced, likewise a user (``incremental_users_cursor_per_page_1``), an
organization (``organizations_list_offset``) and a satisfaction rating; the response
headers (``x-rate-limit``, ``ratelimit-*``, ``x-zendesk-api-version``…) are the recorded
ones from the ``.meta.json`` files.

What it serves:

* ``GET /api/v2/incremental/{tickets,users}/cursor.json`` with ``start_time`` or
  ``cursor`` and ``per_page`` (≤ 1000): records ordered by (``generated_timestamp``, id),
  ``after_cursor``/``after_url``/``end_of_stream`` as recorded; the cursor encodes
  ``"{timestamp}.0||{id}|"`` in base64 the way Zendesk's does;
* ``GET /api/v2/organizations.json`` and ``GET /api/v2/satisfaction_ratings.json`` with
  cursor pagination (``page[size]`` ≤ 100, ``page[after]``; ``meta.has_more``, ``links``);
* auth: Basic ``{email}/token:{api_token}`` or ``Bearer {oauth_token}``; else 401;
* faults (:meth:`FakeZendesk.add_fault`): any status on the n-th matching request; a
  429 carries ``Retry-After`` as Zendesk's does.

Every request is recorded (``requests``). The clock is fixed (``GENERATED_AT``) and
moves only by :meth:`tick`.
"""

from __future__ import annotations

import base64
import bisect
import copy
import json
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

FIXTURES_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "datasets" / "api-fixtures" / "zendesk"
)
GENERATED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXPORT_MAX = 1000
LIST_MAX = 100
STATUSES = ("new", "open", "open", "pending", "hold", "solved", "solved", "closed", "closed")
PRIORITIES = (None, "low", "normal", "normal", "high", "urgent")
TYPES = (None, "question", "incident", "problem", "task")
SUBJECTS = (
    "Cannot log in after the update",
    "Invoice shows the wrong amount",
    "Export to CSV times out",
    "How do I add a new admin?",
    "Dashboard is slow since Monday",
    "Feature request: SSO with Okta",
)
# Recorded response headers that describe the transport, not the API: not replayed.
TRANSPORT_HEADERS = {
    "connection",
    "content-encoding",
    "transfer-encoding",
    "date",
    "content-length",
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))


def _recorded_headers(name: str) -> dict[str, str]:
    headers = _fixture(name)["response"]["headers"]
    return {k: v[0] for k, v in headers.items() if k.lower() not in TRANSPORT_HEADERS}


def encode_cursor(stamp: int, record_id: int) -> str:
    return base64.b64encode(f"{stamp}.0||{record_id}|".encode()).decode()


def decode_cursor(text: str) -> tuple[int, int]:
    stamp, _, rest = base64.b64decode(text).decode().partition("||")
    return int(float(stamp)), int(rest.strip("|"))


@dataclass
class Fault:
    """Answer ``status`` on matching requests (``match`` in ``METHOD /path``), after ``skip``."""

    match: str
    status: int = 500
    skip: int = 0
    times: int = 1
    retry_after: int | None = None
    seen: int = 0


@dataclass
class Hold:
    """Block the ``after + 1``-th request matching ``match`` until ``release`` is set."""

    match: str
    after: int
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    seen: int = 0


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int = 200


@dataclass
class _Stream:
    """One exported kind: records by id, and the export order (timestamp, id)."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    order: list[tuple[int, int]] = field(default_factory=list)
    dirty: bool = False

    def put(self, record: dict[str, Any]) -> None:
        self.records[record["id"]] = record
        self.dirty = True

    def sorted_keys(self) -> list[tuple[int, int]]:
        if self.dirty:
            self.order = sorted((r["generated_timestamp"], r["id"]) for r in self.records.values())
            self.dirty = False
        return self.order


@dataclass
class FakeZendesk:
    """A running fake Zendesk account (see the module docstring)."""

    email: str = "agent@example.com"
    api_token: str = "zd-fake-token-0000"
    oauth_token: str = "zd-oauth-fake-0000"
    organizations: dict[int, dict[str, Any]] = field(default_factory=dict)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    now: datetime = GENERATED_AT
    _streams: dict[str, _Stream] = field(
        default_factory=lambda: {"tickets": _Stream(), "users": _Stream()}
    )
    _templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    _headers: dict[str, str] = field(default_factory=dict)
    _next_id: int = 100
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self._templates = {
            "tickets": _fixture("incremental_tickets_cursor.json")["tickets"][0],
            "users": _fixture("incremental_users_cursor_per_page_1.json")["users"][0],
            "organizations": _fixture("organizations_list_offset.json")["organizations"][0],
            "ratings": _fixture("satisfaction_ratings.json")["satisfaction_ratings"][0],
        }
        self._headers = _recorded_headers("incremental_tickets_cursor.meta.json")

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> FakeZendesk:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeZendesk:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What ``CSBOT_ZENDESK_BASE_URL`` should be set to."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- data -------------------------------------------------------------------------
    @property
    def tickets(self) -> dict[int, dict[str, Any]]:
        return self._streams["tickets"].records

    @property
    def users(self) -> dict[int, dict[str, Any]]:
        return self._streams["users"].records

    def tick(self, seconds: int = 1) -> int:
        with self._lock:
            self.now = self.now + timedelta(seconds=seconds)
            return int(self.now.timestamp())

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_organization(self, name: str, *, domain: str | None = None, **fields: Any) -> int:
        with self._lock:
            org = copy.deepcopy(self._templates["organizations"])
            org_id = self._new_id()
            org.update(
                id=org_id,
                url=f"https://fake.zendesk.com/api/v2/organizations/{org_id}.json",
                name=name,
                domain_names=[domain] if domain else [],
                created_at=iso(self.now),
                updated_at=iso(self.now),
            )
            org.update(fields)
            self.organizations[org_id] = org
            return org_id

    def add_user(self, name: str, email: str, organization_id: int | None, **fields: Any) -> int:
        with self._lock:
            user = copy.deepcopy(self._templates["users"])
            user_id = self._new_id()
            stamp = int(self.now.timestamp())
            user.update(
                id=user_id,
                url=f"https://fake.zendesk.com/api/v2/users/{user_id}.json",
                name=name,
                email=email,
                organization_id=organization_id,
                role="end-user",
                active=True,
                created_at=iso(self.now),
                updated_at=iso(self.now),
            )
            user.update(fields)
            user["generated_timestamp"] = stamp  # the export orders by it, as Zendesk's does
            self._streams["users"].put(user)
            return user_id

    def add_ticket(self, organization_id: int | None, requester_id: int, **fields: Any) -> int:
        with self._lock:
            ticket = copy.deepcopy(self._templates["tickets"])
            ticket_id = self._new_id()
            stamp = int(self.now.timestamp())
            ticket.update(
                id=ticket_id,
                url=f"https://fake.zendesk.com/api/v2/tickets/{ticket_id}.json",
                organization_id=organization_id,
                requester_id=requester_id,
                submitter_id=requester_id,
                created_at=iso(self.now),
                updated_at=iso(self.now),
                generated_timestamp=stamp,
            )
            ticket.update(fields)
            ticket["raw_subject"] = ticket.get("subject")
            self._streams["tickets"].put(ticket)
            return ticket_id

    def update_ticket(self, ticket_id: int, **fields: Any) -> None:
        """Change a ticket as an agent would: it moves to the end of the export."""
        with self._lock:
            stamp = self.tick(1)
            ticket = self.tickets[ticket_id]
            ticket.update(fields, updated_at=iso(self.now), generated_timestamp=stamp)
            self._streams["tickets"].dirty = True

    def delete_ticket(self, ticket_id: int) -> None:
        """Deleted tickets stay in the export with status ``deleted`` (Zendesk's way)."""
        self.update_ticket(ticket_id, status="deleted")

    def rate(self, ticket_id: int, score: str, comment: str = "") -> None:
        """A requester rates a ticket: a rating is added and embedded on the ticket."""
        with self._lock:
            rating = copy.deepcopy(self._templates["ratings"])
            ticket = self.tickets[ticket_id]
            rating.update(
                id=self._new_id(),
                ticket_id=ticket_id,
                requester_id=ticket["requester_id"],
                score=score,
                comment=comment,
                created_at=iso(self.now),
                updated_at=iso(self.now),
            )
            self.ratings.append(rating)
            embedded = {"id": rating["id"], "score": score, "comment": comment}
            self.update_ticket(ticket_id, satisfaction_rating=embedded)

    def generate(
        self,
        tickets: int = 3000,
        *,
        organizations: int = 200,
        users_per_org: int = 2,
        seed: int = 13,
    ) -> None:
        """A deterministic account: organizations, their end users, tickets, some rated."""
        rng = random.Random(seed)
        with self._lock:
            orgs = [
                self.add_organization(f"Org {n:05d}", domain=f"org{n:05d}.example.com")
                for n in range(1, organizations + 1)
            ]
            people: dict[int, list[int]] = {}
            for n, org in enumerate(orgs, start=1):
                people[org] = [
                    self.add_user(
                        f"Person {p} of {n:05d}", f"Person{p}@Org{n:05d}.example.com", org
                    )
                    for p in range(users_per_org)
                ]
            start = self.now - timedelta(days=180)
            for n in range(tickets):
                org = orgs[n % len(orgs)]
                created = start + timedelta(minutes=n * 180 * 24 * 60 // max(tickets, 1))
                rated = rng.random() < 0.3
                status = rng.choice(STATUSES)
                self.add_ticket(
                    org,
                    rng.choice(people[org]) if people[org] else 1,
                    subject=rng.choice(SUBJECTS),
                    description="Customer reports a problem.",
                    status=status,
                    priority=rng.choice(PRIORITIES),
                    type=rng.choice(TYPES),
                    tags=["escalated"] if rng.random() < 0.05 else [],
                    created_at=iso(created),
                    updated_at=iso(created + timedelta(hours=rng.randrange(1, 72))),
                    satisfaction_rating=(
                        {"id": n, "score": rng.choice(("good", "good", "bad")), "comment": ""}
                        if rated
                        else None
                    ),
                )

    def calls(self, match: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if match in f"{r.method} {r.path}"]

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
            return fault

    def hold(self, match: str, *, after: int = 0) -> tuple[threading.Event, threading.Event]:
        """Hang a request (for kill -9 tests): returns (reached, release) events."""
        with self._lock:
            held = Hold(match, after)
            self.holds.append(held)
            return held.reached, held.release

    def wait_if_held(self, call: str) -> None:
        """Called before answering, outside the lock: blocks a held request."""
        with self._lock:
            chosen = None
            for held in self.holds:
                if held.match in call:
                    held.seen += 1
                    if held.seen == held.after + 1:
                        chosen = held
        if chosen is not None:
            chosen.reached.set()
            chosen.release.wait(120)

    # --- serving ----------------------------------------------------------------------
    def authorized(self, header: str | None) -> bool:
        if header == f"Bearer {self.oauth_token}":
            return True
        pair = base64.b64encode(f"{self.email}/token:{self.api_token}".encode()).decode()
        return header == f"Basic {pair}"

    def _fault_for(self, call: str) -> Fault | None:
        for fault in self.faults:
            if fault.match in call:
                fault.seen += 1
                if fault.skip < fault.seen <= fault.skip + fault.times:
                    return fault
        return None

    def answer(
        self, method: str, path: str, query: dict[str, list[str]], auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            recorded = RecordedRequest(method, path, query)
            self.requests.append(recorded)
            if not self.authorized(auth):
                recorded.status = 401
                return 401, {"error": "Couldn't authenticate you"}, {}
            fault = self._fault_for(f"{method} {path}")
            if fault is not None:
                recorded.status = fault.status
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
                if fault.status == 429 and not headers:
                    headers = {"Retry-After": "1"}
                return fault.status, {"error": "fault injected"}, headers
            status, body = self._route(path, query)
            recorded.status = status
            return status, body, dict(self._headers)

    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        for kind in ("tickets", "users"):
            if path == f"/api/v2/incremental/{kind}/cursor.json":
                return self._export(kind, query)
        if path == "/api/v2/organizations.json":
            return self._list("organizations", list(self.organizations.values()), path, query)
        if path == "/api/v2/satisfaction_ratings.json":
            return self._list("satisfaction_ratings", self.ratings, path, query)
        return 404, {"error": "InvalidEndpoint", "description": "Not found"}

    def _export(self, kind: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        stream = self._streams[kind]
        keys = stream.sorted_keys()
        per_page = min(int(query.get("per_page", [EXPORT_MAX])[0]), EXPORT_MAX)
        if "cursor" in query:
            try:
                after = decode_cursor(query["cursor"][0])
            except (ValueError, UnicodeDecodeError):
                return 400, {"error": "InvalidCursor"}
            start = bisect.bisect_right(keys, after)
        elif "start_time" in query:
            start = bisect.bisect_left(keys, (int(query["start_time"][0]), -1))
        else:
            return 400, {"error": "InvalidValue", "description": "start_time or cursor required"}
        chosen = keys[start : start + per_page]
        records = [stream.records[record_id] for _, record_id in chosen]
        if chosen:
            cursor = encode_cursor(*chosen[-1])
        elif "cursor" in query:
            cursor = query["cursor"][0]
        elif start > 0:
            cursor = encode_cursor(*keys[start - 1])
        else:
            cursor = None
        end = start + per_page >= len(keys)
        after_url = (
            f"https://fake.zendesk.com/api/v2/incremental/{kind}/cursor.json?"
            + urlencode({"cursor": cursor, "per_page": per_page})
            if cursor
            else None
        )
        return 200, {
            kind: records,
            "after_url": after_url,
            "before_url": None,
            "after_cursor": cursor,
            "before_cursor": None,
            "end_of_stream": end,
        }

    def _list(
        self, name: str, items: list[dict[str, Any]], path: str, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any]]:
        size = min(int(query.get("page[size]", [LIST_MAX])[0]), LIST_MAX)
        start = 0
        if "page[after]" in query:
            start = int(base64.b64decode(query["page[after]"][0]).decode())
        chosen = items[start : start + size]
        more = start + size < len(items)
        after = base64.b64encode(str(start + size).encode()).decode()
        before = base64.b64encode(str(start).encode()).decode()
        base = f"https://fake.zendesk.com{path}?"
        return 200, {
            name: chosen,
            "meta": {"has_more": more, "after_cursor": after, "before_cursor": before},
            "links": {
                "prev": base + urlencode({"page[before]": before, "page[size]": size}),
                "next": base + urlencode({"page[after]": after, "page[size]": size})
                if more
                else None,
            },
        }


def _handler_for(fake: FakeZendesk) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            """Silence the default stderr access log."""

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            parts = urlsplit(self.path)
            fake.wait_if_held(f"GET {parts.path}")
            status, payload, headers = fake.answer(
                "GET", parts.path, parse_qs(parts.query), self.headers.get("Authorization")
            )
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
