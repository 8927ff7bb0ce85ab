"""FakeIntercom: a local Intercom REST API (2.11) that csbot's httpx client talks to.

Intercom is faked only at the HTTP boundary. Record shapes come from the official
OpenAPI examples in ``/work/shared/datasets/api-fixtures/intercom/`` (read at start,
never copied into the repository; see ``../PROVENANCE.md`` there): each generated
company is ``companies_scroll.json``'s ``data[0]``, each contact ``contact_get.json``,
each conversation ``conversations_search.json``'s ``conversations[0]``, with values
replaced; list envelopes follow ``conversations_search.json`` / ``contacts_search.json``
and ``schema_paging_and_error.json`` (``pages.next.starting_after``); errors are the
``error_401`` / ``error_403`` / ``error_404`` bodies (an ``error.list``).

What it serves:

* ``POST /conversations/search`` and ``POST /contacts/search``: the request shape of
  ``conversations_search_request.json`` (``query`` with nested AND/OR and the operators
  ``> < = != IN NIN``, ``pagination.per_page`` ≤ 150, ``pagination.starting_after``),
  plus ``sort``; the ``starting_after`` token is a position (last sort value and id), so
  a record edited mid-read moves to the end and nothing shifts;
* ``GET /companies/scroll`` (50 per page, ``scroll_param``, an empty page at the end);
* ``GET /contacts/{id}`` (404 with the fixture's body when unknown);
* holds (:meth:`FakeIntercom.hold`): the n-th matching request waits (kill -9 mid-sync);
* faults (:meth:`FakeIntercom.add_fault`): any status on the n-th matching request;
  429 carries ``X-RateLimit-Reset`` (epoch seconds) and/or ``Retry-After``; a wrong
  bearer token always gets the fixture's 401.

Every request is recorded (``requests``). The clock is fixed (``GENERATED_AT``).
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "datasets" / "api-fixtures" / "intercom"
)
GENERATED_AT = int(datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp())
SEARCH_PER_PAGE_MAX = 150
SCROLL_PAGE = 50
INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Retail", None)


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))


@dataclass
class Fault:
    """Answer ``status`` instead of the real thing on matching requests.

    ``match`` is a substring of ``METHOD /path``; the first ``skip`` matching requests
    pass, the next ``times`` fail. A 429 sends ``X-RateLimit-Reset: reset_at`` and/or
    ``Retry-After: retry_after`` when given.
    """

    match: str
    status: int = 500
    skip: int = 0
    times: int = 1
    retry_after: int | None = None
    reset_at: int | None = None
    seen: int = 0


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int = 200


@dataclass
class FakeIntercom:
    """A running fake Intercom workspace (see the module docstring)."""

    token: str = "dG9rOmZha2UtaW50ZXJjb20="
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    now: int = GENERATED_AT
    _templates: dict[str, Any] = field(default_factory=dict)
    _scrolls: dict[str, tuple[list[str], int]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001))
    _holds: list[list[Any]] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self._templates = {
            "company": _fixture("companies_scroll.json")["data"][0],
            "scroll": _fixture("companies_scroll.json"),
            "contact": _fixture("contact_get.json"),
            "contacts_list": _fixture("contacts_search.json"),
            "conversation": _fixture("conversations_search.json")["conversations"][0],
            "conversations_list": _fixture("conversations_search.json"),
            "search_request": _fixture("conversations_search_request.json"),
            "401": _fixture("error_401_unauthorized.json"),
            "403": _fixture("error_403_api_plan_restricted.json"),
            "404": _fixture("error_404_not_found.json"),
        }

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> FakeIntercom:
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

    def __enter__(self) -> FakeIntercom:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What ``CSBOT_INTERCOM_BASE_URL`` should be set to."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- data -------------------------------------------------------------------------
    def _new_id(self) -> str:
        return f"{next(self._ids):024x}"

    def add_company(self, number: int, *, updated_at: int) -> dict[str, Any]:
        company = copy.deepcopy(self._templates["company"])
        rng = random.Random(number)
        company.update(
            id=self._new_id(),
            company_id=f"co-{number:05d}",
            name=f"Intercom Co {number:05d}",
            created_at=updated_at - 86_400 * 400,
            remote_created_at=updated_at - 86_400 * 400,
            updated_at=updated_at,
            monthly_spend=rng.choice((0, 99, 499, 2500)),
            user_count=0,
            size=rng.choice((12, 80, 450, 3000)),
            website=f"https://www.co{number:05d}.example.com",
            industry=INDUSTRIES[number % len(INDUSTRIES)],
        )
        self.companies[company["id"]] = company
        return company

    def add_contact(
        self, number: int, company: dict[str, Any] | None, *, updated_at: int, role: str = "user"
    ) -> dict[str, Any]:
        contact = copy.deepcopy(self._templates["contact"])
        contact_id = self._new_id()
        contact.update(
            id=contact_id,
            external_id=f"u-{number:06d}",
            role=role,
            email=f"Person{number:06d}@Example.com",
            name=f"Person {number:06d}",
            created_at=updated_at - 86_400 * 200,
            signed_up_at=updated_at - 86_400 * 200,
            updated_at=updated_at,
            last_contacted_at=updated_at - 86_400 * (number % 30),
        )
        links = (
            []
            if company is None
            else [{"type": "company", "id": company["id"], "url": f"/companies/{company['id']}"}]
        )
        contact["companies"] = {
            "type": "list",
            "data": links,
            "url": f"/contacts/{contact_id}/companies",
            "total_count": len(links),
            "has_more": False,
        }
        for key in ("tags", "notes"):
            if isinstance(contact.get(key), dict) and "url" in contact[key]:
                contact[key]["url"] = f"/contacts/{contact_id}/{key}"
        self.contacts[contact_id] = contact
        if company is not None:
            company["user_count"] = int(company.get("user_count") or 0) + 1
        return contact

    def add_conversation(
        self, number: int, contact: dict[str, Any], *, updated_at: int
    ) -> dict[str, Any]:
        conversation = copy.deepcopy(self._templates["conversation"])
        rng = random.Random(number * 7919)
        state = ("open", "closed", "snoozed", "closed")[number % 4]
        created = updated_at - 86_400 * rng.randint(0, 60) - 3600
        conversation.update(
            id=str(100_000 + number),
            created_at=created,
            updated_at=updated_at,
            state=state,
            open=state != "closed",
            priority="priority" if number % 5 == 0 else "not_priority",
            snoozed_until=updated_at + 86_400 if state == "snoozed" else None,
            title=None if number % 3 else f"Issue {number}",
        )
        conversation["source"] = {
            **conversation["source"],
            "id": str(400_000_000 + number),
            "delivered_as": "customer_initiated",
            "subject": f"Cannot export report {number}" if number % 2 else "",
            "body": f"<p>Export of report {number} fails &amp; times out</p>",
        }
        conversation["contacts"] = {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": contact["id"], "external_id": contact["external_id"]}
            ],
        }
        conversation["statistics"] = (
            {"type": "conversation_statistics", "last_close_at": updated_at}
            if state == "closed"
            else None
        )
        rated = state == "closed" and number % 3 != 0
        conversation["conversation_rating"] = (
            {
                "rating": 1 + number % 5,
                "remark": "",
                "created_at": updated_at,
                "contact": {"type": "contact", "id": contact["id"]},
                "teammate": {"type": "admin", "id": "991267715"},
            }
            if rated
            else None
        )
        self.conversations[conversation["id"]] = conversation
        return conversation

    def generate(
        self, companies: int, *, contacts_per_company: int = 2, conversations_per_contact: int = 1
    ) -> None:
        """``companies`` companies, their contacts (users and leads) and conversations.

        ``updated_at`` ascends from well before ``now`` with three records per second, so
        pages end inside a second (ties the cursor must carry ids for).
        """
        with self._lock:
            total = companies * (1 + contacts_per_company * (1 + conversations_per_contact))
            stamp = itertools.count(self.now - total // 3 - 10)
            ticks = (second for second in stamp for _ in range(3))
            contact_number = conversation_number = 0
            for number in range(1, companies + 1):
                company = self.add_company(number, updated_at=next(ticks))
                for _ in range(contacts_per_company):
                    contact_number += 1
                    role = "lead" if contact_number % 4 == 0 else "user"
                    contact = self.add_contact(
                        contact_number, company, updated_at=next(ticks), role=role
                    )
                    for _ in range(conversations_per_contact):
                        conversation_number += 1
                        self.add_conversation(conversation_number, contact, updated_at=next(ticks))

    def tick(self, seconds: int = 1) -> int:
        with self._lock:
            self.now += seconds
            return self.now

    def update(self, kind: str, record_id: str, **values: Any) -> None:
        """Change a record as a teammate would; its ``updated_at`` becomes ``now + 1``."""
        with self._lock:
            record = getattr(self, kind)[record_id]
            for key, value in values.items():
                if "." in key:
                    head, tail = key.split(".", 1)
                    record[head] = {**(record.get(head) or {}), tail: value}
                else:
                    record[key] = value
            record["updated_at"] = self.tick()

    def calls(self, match: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if match in f"{r.method} {r.path}"]

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
            return fault

    # --- request handling ------------------------------------------------------------
    def hold(self, match: str, *, after: int = 0) -> tuple[threading.Event, threading.Event]:
        """Hold the ``after + 1``-th request matching ``match`` until ``release`` is set.

        Returns ``(reached, release)``: ``reached`` is set when that request arrives (a
        sync stuck mid-read, to be killed there).
        """
        reached, release = threading.Event(), threading.Event()
        with self._lock:
            self._holds.append([match, after, reached, release])
        return reached, release

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        waiting: threading.Event | None = None
        with self._lock:
            for held in self._holds:
                if held[0] in f"{method} {path}":
                    if held[1] == 0:
                        held[2].set()
                        waiting = held[3]
                    held[1] -= 1
        if waiting is not None:
            waiting.wait(120)
        with self._lock:
            recorded = RecordedRequest(method, path, query, body)
            self.requests.append(recorded)
            status, payload, headers = self._route(method, path, query, body, auth)
            recorded.status = status
            return status, payload, headers

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if auth != f"Bearer {self.token}":
            return 401, self._error("401"), {}
        fault = self._due_fault(f"{method} {path}")
        if fault is not None:
            headers: dict[str, str] = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault.reset_at is not None:
                headers["X-RateLimit-Reset"] = str(fault.reset_at)
            if fault.status in (403, 404):
                return fault.status, self._error(str(fault.status)), headers
            if fault.status == 429:
                return (
                    429,
                    self._error("401", "rate_limit_exceeded", "Exceeded rate limit"),
                    headers,
                )
            return fault.status, self._error("401", "server_error", "Server Error"), headers
        parts = [part for part in path.split("/") if part]
        searched = len(parts) == 2 and parts[1] == "search"
        if method == "POST" and searched and parts[0] in ("conversations", "contacts"):
            return self._search(parts[0], body or {})
        if method == "GET" and parts == ["companies", "scroll"]:
            return self._scroll((query.get("scroll_param") or [None])[0])
        if method == "GET" and len(parts) == 2 and parts[0] == "contacts":
            contact = self.contacts.get(parts[1])
            if contact is None:
                return 404, self._error("404"), {}
            return 200, copy.deepcopy(contact), {}
        return 404, self._error("404"), {}

    def _error(self, template: str, code: str | None = None, message: str | None = None) -> dict:
        payload = copy.deepcopy(self._templates[template])
        payload["request_id"] = str(uuid.uuid4())
        if code is not None:
            payload["errors"] = [{"code": code, "message": message}]
        return payload

    def _due_fault(self, line: str) -> Fault | None:
        for fault in self.faults:
            if fault.match in line:
                fault.seen += 1
                if fault.skip < fault.seen <= fault.skip + fault.times:
                    return fault
        return None

    def _search(self, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict]:
        expected = set(self._templates["search_request"])  # query, pagination
        if not expected <= set(body) or not isinstance(body.get("query"), dict):
            return 400, self._error("401", "parameter_invalid", "query is required"), {}
        pagination = body.get("pagination") or {}
        per_page = int(pagination.get("per_page") or 20)
        if per_page > SEARCH_PER_PAGE_MAX:
            return 400, self._error("401", "parameter_invalid", "per_page too large"), {}
        sort = body.get("sort") or {"field": "created_at", "order": "descending"}
        field_name, descending = sort.get("field", "created_at"), sort.get("order") == "descending"
        store = getattr(self, kind)
        found = [r for r in store.values() if _matches(r, body["query"])]
        found.sort(key=lambda r: (r.get(field_name) or 0, r["id"]), reverse=descending)
        after = pagination.get("starting_after")
        if after:
            mark = tuple(json.loads(base64.urlsafe_b64decode(after.encode())))
            found = [
                r
                for r in found
                if (
                    (r.get(field_name) or 0, r["id"]) < mark
                    if descending
                    else (r.get(field_name) or 0, r["id"]) > mark
                )
            ]
        page, rest = found[:per_page], found[per_page:]
        envelope = copy.deepcopy(
            self._templates["conversations_list" if kind == "conversations" else "contacts_list"]
        )
        pages: dict[str, Any] = {
            "type": "pages",
            "page": 1,
            "per_page": per_page,
            "total_pages": max(1, -(-len(found) // per_page)),
        }
        if rest and page:
            last = page[-1]
            token = json.dumps([last.get(field_name) or 0, last["id"]]).encode()
            pages["next"] = {
                "page": 2,
                "starting_after": base64.urlsafe_b64encode(token).decode(),
            }
        envelope["pages"] = pages
        envelope["total_count"] = len(found)
        envelope["conversations" if kind == "conversations" else "data"] = copy.deepcopy(page)
        return 200, envelope, {}

    def _scroll(self, scroll_param: str | None) -> tuple[int, dict[str, Any], dict]:
        if scroll_param is None:
            scroll_param = str(uuid.uuid4())
            self._scrolls[scroll_param] = (list(self.companies), 0)
        if scroll_param not in self._scrolls:
            return 404, self._error("404"), {}
        ids, offset = self._scrolls[scroll_param]
        chunk = ids[offset : offset + SCROLL_PAGE]
        self._scrolls[scroll_param] = (ids, offset + len(chunk))
        envelope = copy.deepcopy(self._templates["scroll"])
        envelope["data"] = [copy.deepcopy(self.companies[i]) for i in chunk if i in self.companies]
        envelope["scroll_param"] = scroll_param
        return 200, envelope, {}


def _matches(record: dict[str, Any], query: dict[str, Any]) -> bool:
    operator = str(query.get("operator", "=")).upper()
    if operator in ("AND", "OR"):
        results = (_matches(record, part) for part in query.get("value") or [])
        return all(results) if operator == "AND" else any(results)
    value, wanted = record.get(query.get("field", "")), query.get("value")
    if operator in ("IN", "NIN"):
        inside = str(value) in {str(w) for w in wanted or []}
        return inside if operator == "IN" else not inside
    if operator in (">", "<"):
        try:
            number, limit = float(value), float(wanted)
        except (TypeError, ValueError):
            return False
        return number > limit if operator == ">" else number < limit
    if operator == "=":
        return str(value) == str(wanted)
    if operator == "!=":
        return str(value) != str(wanted)
    return False


def _handler_for(fake: FakeIntercom) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            """Silence the default stderr access log."""

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                self._send(400, fake._error("401", "parameter_invalid", "not JSON"), {})
                return
            split = urlsplit(self.path)
            status, payload, headers = fake.handle(
                method, split.path, parse_qs(split.query), body, self.headers.get("authorization")
            )
            self._send(status, payload, headers)

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
